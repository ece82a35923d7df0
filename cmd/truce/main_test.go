package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	scenario = "../../examples/energy-ceasefire-2025/agreement.yaml"
	gppd     = "../../examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv"
	viinaMar = "../../examples/energy-ceasefire-2025/reports/viina_incidents_202503.csv"
	viinaApr = "../../examples/energy-ceasefire-2025/reports/viina_incidents_202504.csv"
)

// runTruce runs the command line and returns stdout, stderr and the error.
func runTruce(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errs, err := runTruce(t, args...)
	if err != nil {
		t.Fatalf("truce %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errs)
	}
	return out, errs
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/truce -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestCheckScenario(t *testing.T) {
	heavy(t)
	out, _ := mustRun(t, "check", scenario)
	for _, want := range []string{
		"agreement.yaml: ok",
		"energy: Energy infrastructure moratorium (start rule fixed; 2 commitment(s))",
		"UA:        in force from 25 March 2025 until the end of 17 April 2025",
		"peace: Permanent peace (start rule after_held; 1 commitment(s))",
		"RU: severely wounded Ukrainian prisoners handed over, 23 of 23",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckReportsEveryProblem(t *testing.T) {
	_, errs, err := runTruce(t, "check", "testdata/bad.yaml")
	if err == nil {
		t.Fatal("check of a bad agreement succeeded")
	}
	want := []string{
		`testdata/bad.yaml:10:5: unknown key "colour" in parties[1]`,
		`testdata/bad.yaml:19:17: bad date "2025-02-30": day out of range: want YYYY-MM-DD, YYYY-MM-DDTHH:MM (local) or RFC 3339 such as 2025-03-18T00:00:00+02:00`,
		`testdata/bad.yaml:25:17: unknown zone "west"`,
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(errs), "\n")); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func outcomes(t *testing.T, jsonl string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var j report.Judgement
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatalf("bad jsonl line %q: %v", line, err)
		}
		got[j.ReportID] = j.Outcome
	}
	return got
}

func TestJudgeACLED(t *testing.T) {
	heavy(t)
	out, errs := mustRun(t, "judge", "--agreement", scenario, "--sites", gppd, "--reports", "testdata/acled_sample.csv")
	want := map[string]string{
		"UKR200101": "violation",      // RU drone strike 543 m from Kharkiv CHP-5 on 28 March
		"UKR200102": "disputed",       // RU strike on Kramatorsk, energy infrastructure damaged, 20 March: before UA's start
		"UKR200103": "violation",      // UA drone strike on Krasnodar TPP on 10 April
		"UKR200104": "violation",      // UA strike on a substation in Crimea, held by Russia under every reading
		"UKR200105": "not_prohibited", // shelling of residential areas: no covered target
		"UKR200106": "undetermined",   // unidentified perpetrator at Zaporizhia TPP
		"UKR200107": "not_prohibited", // after the moratorium lapsed
	}
	if diff := cmp.Diff(want, outcomes(t, out)); diff != "" {
		t.Errorf("outcomes mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(errs, `acled_sample.csv:9: column latitude: "ninety" is not a number`) ||
		!strings.Contains(errs, "8 read, 7 accepted, 1 rejected") {
		t.Errorf("stderr lacks the bad row or the summary:\n%s", errs)
	}
	golden(t, "judge_acled.jsonl", out)
}

func TestJudgeIsDeterministic(t *testing.T) {
	heavy(t)
	args := []string{"judge", "--agreement", scenario, "--sites", gppd, "--reports", viinaMar}
	first, _ := mustRun(t, args...)
	again, _ := mustRun(t, args...)
	if first != again {
		t.Fatal("two runs of judge gave different output")
	}
	if n := strings.Count(first, "\n"); n != 5215 {
		t.Errorf("judge printed %d lines, want 5215", n)
	}
}

// TestStoreRoundTrip imports the scenario twice, adjudicates and reports,
// and checks the stored figures against the stateless judge's.
func TestStoreRoundTrip(t *testing.T) {
	heavy(t)
	db := filepath.Join(t.TempDir(), "truce.db")
	_, errs := mustRun(t, "import", "--db", db, "--sites", gppd)
	if !strings.Contains(errs, "1078 new sites stored") {
		t.Errorf("site import: %s", errs)
	}
	_, errs = mustRun(t, "import", "--db", db, viinaMar, viinaApr)
	if !strings.Contains(errs, "5215 new reports stored, 0 already stored") || !strings.Contains(errs, "3764 new reports stored") {
		t.Errorf("first import: %s", errs)
	}
	_, errs = mustRun(t, "import", "--db", db, viinaMar, viinaApr)
	if !strings.Contains(errs, "0 new reports stored, 5215 already stored") || !strings.Contains(errs, "0 new reports stored, 3764 already stored") {
		t.Errorf("second import added reports: %s", errs)
	}
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	_, errs = mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	if !strings.Contains(errs, "version 1 (unchanged") {
		t.Errorf("re-adjudicating the same agreement made a new version: %s", errs)
	}
	out, _ := mustRun(t, "report", "--db", db, "--format", "json")
	var stored report.Summary
	if err := json.Unmarshal([]byte(out), &stored); err != nil {
		t.Fatal(err)
	}

	judged, _ := mustRun(t, "judge", "--agreement", scenario, "--sites", gppd, "--reports", viinaMar, "--reports", viinaApr)
	var want report.Counts
	for _, o := range outcomes(t, judged) {
		switch o {
		case "violation":
			want.Violation++
		case "disputed":
			want.Disputed++
		case "undetermined":
			want.Undetermined++
		default:
			want.NotProhibited++
		}
	}
	if stored.Reports != 8979 {
		t.Errorf("report counts %d reports, want 8979", stored.Reports)
	}
	if diff := cmp.Diff(want, stored.ReportTotals); diff != "" {
		t.Errorf("stored report totals differ from judge (-judge +stored):\n%s", diff)
	}
	if want.Violation == 0 || want.Disputed == 0 || want.Undetermined == 0 {
		t.Errorf("the scenario should show every outcome, got %+v", want)
	}
}

func TestReportGolden(t *testing.T) {
	heavy(t)
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "import", "--db", db, "--sites", gppd)
	mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	for _, f := range []string{"md", "json", "csv"} {
		out, _ := mustRun(t, "report", "--db", db, "--format", f)
		golden(t, "report_acled."+f, out)
	}
	out, _ := mustRun(t, "report", "--db", db, "--format", "json", "--from", "2025-03-27", "--to", "2025-03-28")
	var s report.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Reports != 2 || s.From != "2025-03-27" || s.To != "2025-03-28" {
		t.Errorf("filtered report: %d reports from %s to %s, want 2 from 2025-03-27 to 2025-03-28", s.Reports, s.From, s.To)
	}
}

func TestDemo(t *testing.T) {
	heavy(t)
	out, errs := mustRun(t, "demo")
	for _, want := range []string{"| violation | ", "## Violations and disputed cases", "pow-exchange-2025-03-19"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if !strings.Contains(errs, "8979 reports judged against 1078 sites") {
		t.Errorf("demo stderr: %s", errs)
	}
}

func TestBadInput(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"missing agreement file", []string{"check", "testdata/nope.yaml"}, "no such file"},
		{"unknown output format", []string{"judge", "--agreement", scenario, "--reports", "testdata/acled_sample.csv", "--format", "xml"}, `unknown output format "xml"`},
		{"report on an empty store", []string{"report", "--db", filepath.Join(t.TempDir(), "empty.db")}, "no agreement is stored"},
		{"strict import stops at the bad row", []string{"import", "--strict", "--db", filepath.Join(t.TempDir(), "s.db"), "testdata/acled_sample.csv"}, "acled_sample.csv:9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, err := runTruce(t, tt.args...)
			if err == nil {
				t.Fatal("succeeded, want an error")
			}
			if !strings.Contains(err.Error()+errs, tt.want) {
				t.Errorf("error %q (stderr %q) lacks %q", err, errs, tt.want)
			}
		})
	}
}

// systemMonitor acts as a monitor in tests that drive the store directly.
var systemMonitor = truce.Principal{TokenID: "tok_test", Role: truce.RoleMonitor}

func TestCompareDrafts(t *testing.T) {
	heavy(t)
	out, _ := mustRun(t, "compare", "--agreement", scenario, "--agreement", "../../examples/energy-ceasefire-2025/agreement-all-energy.yaml",
		"--sites", gppd, "--reports", viinaMar, "--reports", viinaApr, "--format", "json")
	var c struct {
		Reports     int            `json:"reports"`
		Changed     int            `json:"changed"`
		ByCategory  map[string]int `json:"by_category"`
		ByChange    map[string]int `json:"by_change"`
		Differences []struct {
			ReportID    string `json:"report_id"`
			Explanation string `json:"explanation"`
		} `json:"differences"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	// Adding oil and gas production and unnamed "energy facilities" to the
	// covered targets turns reports of strikes on gas production sites into
	// violations; nothing becomes less prohibited.
	if c.Reports != 8979 || c.Changed == 0 || c.ByCategory["energy.oil_gas_production"] == 0 {
		t.Fatalf("comparison: %+v", c)
	}
	for change := range c.ByChange {
		if strings.HasSuffix(change, "not_prohibited") {
			t.Errorf("a wider text made something less prohibited: %s", change)
		}
	}
	for _, d := range c.Differences {
		if !strings.Contains(d.Explanation, "Under energy-ceasefire-2025:") || !strings.Contains(d.Explanation, "Under energy-ceasefire-2025-all-energy:") {
			t.Errorf("%s: the explanation does not give both texts' reasons: %s", d.ReportID, d.Explanation)
		}
	}
}

func TestGroupCommand(t *testing.T) {
	heavy(t)
	out, errs := mustRun(t, "group", "--agreement", scenario, "--sites", gppd, "--reports", viinaMar)
	if !strings.Contains(errs, "5215 reports grouped into") {
		t.Errorf("group: %s", errs)
	}
	if !strings.Contains(out, `"explanation":"`) || !strings.Contains(out, "independent source") {
		t.Errorf("group output: %.300s", out)
	}
}

// heavy skips t in the short pass of scripts/test.sh (the one with the race
// detector): it works on the full scenario, and runs in the full pass.
func heavy(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("works on the full scenario: runs in the full pass of scripts/test.sh")
	}
}

// TestJudgeSmall runs the parallel judge pipeline on a small agreement, in
// both passes (so under the race detector too).
func TestJudgeSmall(t *testing.T) {
	out, errs := mustRun(t, "judge", "--agreement", "../../internal/httpapi/testdata/small.yaml", "--reports", "testdata/acled_sample.csv", "--reports", "testdata/acled_sample.csv")
	if n := strings.Count(out, "\n"); n != 14 {
		t.Errorf("%d judgements, want 14", n)
	}
	if !strings.Contains(errs, "8 read, 7 accepted, 1 rejected") {
		t.Errorf("stderr: %s", errs)
	}
	got := outcomes(t, out)
	if got["UKR200101"] != "violation" || got["UKR200107"] != "not_prohibited" {
		t.Errorf("outcomes: %v", got)
	}
}

// TestJudgeFIRMS: satellite fire detections take the sensor fast path.
func TestJudgeFIRMS(t *testing.T) {
	heavy(t)
	out, errs := mustRun(t, "judge", "--agreement", scenario, "--sites", gppd, "--reports", "../../internal/importer/testdata/firms/firms_viirs_noaa20_nrt_ukraine_2025-08-11.csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "line,lon,lat,time,site,distance_m,zones,alert,frp,confidence" || len(lines) != 308 {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	if !strings.Contains(errs, "307 hotspots read, 307 accepted, 0 rejected") || !strings.Contains(out, "ukraine|ukraine_without_crimea") {
		t.Errorf("stderr %s", errs)
	}
}

// TestSensorCorroboration: a hotspot at the plant on the night of a
// reported strike is stored as a sensor alert and corroborates the report
// when incidents are grouped.
func TestSensorCorroboration(t *testing.T) {
	heavy(t)
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "import", "--db", db, "--sites", gppd)
	mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	_, errs := mustRun(t, "import", "--db", db, "testdata/firms_kharkiv_20250328.csv")
	if !strings.Contains(errs, "2 hotspots read, 2 accepted, 0 rejected; 1 sensor alerts") {
		t.Fatalf("firms import: %s", errs)
	}
	_, errs = mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	if !strings.Contains(errs, "1 incidents merged") {
		t.Errorf("adjudicate: %s", errs)
	}
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in, err := st.Incident(context.Background(), "UKR200101")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Reports) != 2 {
		t.Fatalf("incident UKR200101 has reports %v, want the ACLED report and the sensor alert", in.Reports)
	}
	evs, err := st.Events(context.Background(), "UKR200101")
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Kind != truce.EventMerged || !strings.Contains(last.Reason, "1 report from 1 independent source and 1 sensor alert") {
		t.Errorf("merge event: %+v", last)
	}
}
