package report_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/importer"
	"truce/internal/ledger"
	"truce/internal/report"
)

var (
	update  = flag.Bool("update", false, "rewrite golden files")
	figures = flag.String("figures", "", "also write the report's map and charts as PNG files to this directory")
)

const (
	scenarioDir = "../../examples/energy-ceasefire-2025/"
	acledSample = "../../cmd/truce/testdata/acled_sample.csv"

	// A key made for these tests only; it signs nothing else.
	testSignerKey   = "PRIVATE+KEY+truce.example/report-test+ee3017b0+AUi2tDOKOJEAMPyzkjmzK2pDKTZlxrX27SI/vxTkj1Lm"
	testVerifierKey = "truce.example/report-test+ee3017b0+AZKvVYLeocSDfXEY3LzkACPDWbgqY5HU90V3RHFkDsMI"
)

// The report under test covers the week from 25 March 2025, when the
// energy moratorium was in force under every reading, against the week
// before.
var (
	thisWeek = report.Period{From: "2025-03-25", To: "2025-03-31"}
	lastWeek = report.Period{From: "2025-03-18", To: "2025-03-24"}
)

type judged struct {
	r *truce.Report
	j truce.Judgement
}

type scenario struct {
	a      *truce.Agreement
	sites  []truce.Site
	judged []judged
}

// loadScenario judges the bundled scenario's ACLED sample and VIINA
// March reports once per test binary.
var loadScenario = sync.OnceValues(func() (*scenario, error) {
	a, err := agreement.Load(scenarioDir + "agreement.yaml")
	if err != nil {
		return nil, err
	}
	sc := &scenario{a: a}
	f, err := os.Open(scenarioDir + "sites/gppd_v1.3.0_selected_countries.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := importer.ReadSites(f, importer.Options{File: "gppd.csv"}, func(s *truce.Site) error {
		sc.sites = append(sc.sites, *s)
		return nil
	}, nil); err != nil {
		return nil, err
	}
	j := adjudicate.New(a, sc.sites)
	for _, path := range []string{acledSample, scenarioDir + "reports/viina_incidents_202503.csv"} {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		_, err = importer.ReadReports(f, importer.Options{File: filepath.Base(path)}, func(r *truce.Report) error {
			sc.judged = append(sc.judged, judged{r: r, j: j.Judge(r)})
			return nil
		}, nil)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return sc, nil
})

func MustScenario(tb testing.TB) *scenario {
	tb.Helper()
	heavyShort(tb)
	sc, err := loadScenario()
	if err != nil {
		tb.Fatalf("load scenario: %v", err)
	}
	return sc
}

// signedCheckpoint signs a checkpoint with the test key.
func signedCheckpoint() (string, error) {
	signed, err := ledger.Sign(testSignerKey, ledger.Checkpoint{Origin: "truce.example/report-test", Size: 5291,
		Hash: tlog.Hash(sha256.Sum256([]byte("report test")))})
	return string(signed), err
}

func MustCheckpoint(tb testing.TB) string {
	tb.Helper()
	cp, err := signedCheckpoint()
	if err != nil {
		tb.Fatal(err)
	}
	return cp
}

// reportData builds fresh summaries of this week and last week, as
// `truce report --from --to` would, with a verified checkpoint. Its callers
// skip in the short pass (see heavyShort).
func reportData() (*report.ReportData, error) {
	sc, err := loadScenario()
	if err != nil {
		return nil, err
	}
	cp, err := signedCheckpoint()
	if err != nil {
		return nil, err
	}
	cur, prev := report.NewSummary(sc.a, 1), report.NewSummary(sc.a, 1)
	for _, x := range sc.judged {
		day := x.r.Start.In(sc.a.Timezone).Format(time.DateOnly)
		switch {
		case day >= thisWeek.From && day <= thisWeek.To:
			cur.Add(x.r, &x.j)
		case day >= lastWeek.From && day <= lastWeek.To:
			prev.Add(x.r, &x.j)
		}
	}
	return &report.ReportData{Summary: cur, Period: thisWeek, Previous: prev, Checkpoint: cp,
		VerifierKey: testVerifierKey, Sites: sc.sites, Generated: time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC)}, nil
}

func MustReportData(tb testing.TB) *report.ReportData {
	heavyShort(tb)
	tb.Helper()
	d, err := reportData()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// hostileAgreement is a small agreement whose texts try to break out of
// HTML; its one zone is small, so its map renders fast.
const hostileAgreement = `truce: 1
id: hostile
title: '<script>alert("title")</script>'
timezone: Europe/Kyiv
parties:
  - {id: RU, name: Russia}
  - {id: UA, name: Ukraine}
zones:
  - id: z
    name: '"><img src=x onerror=alert(5)>'
    geometry: {type: Polygon, coordinates: [[[30, 50], [37, 50], [37, 51], [30, 51], [30, 50]]]}
categories:
  - id: energy
phases:
  - id: p
    name: '<script>alert("phase")</script>'
    start: {at: 2025-03-18}
    commitments:
      - id: c
        description: '<b>bold</b>'
        bound: [RU]
        prohibits: [attack]
        targets: [energy]
        zones: [z]
`

func MustHostileAgreement(tb testing.TB) *truce.Agreement {
	tb.Helper()
	a, err := agreement.Parse("hostile.yaml", []byte(hostileAgreement), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// rendered is the HTML and PDF of MustReportData, made once: rendering
// the map and charts is the slow part of these tests.
var rendered = sync.OnceValues(func() (map[string][]byte, error) {
	d, err := reportData()
	if err != nil {
		return nil, err
	}
	var h, p bytes.Buffer
	if err := report.WriteHTML(&h, d); err != nil {
		return nil, err
	}
	if err := report.WritePDF(&p, d); err != nil {
		return nil, err
	}
	return map[string][]byte{"html": h.Bytes(), "pdf": p.Bytes()}, nil
})

func MustRendered(tb testing.TB, format string) []byte {
	heavyShort(tb)
	tb.Helper()
	out, err := rendered()
	if err != nil {
		tb.Fatal(err)
	}
	return out[format]
}

var dataURL = regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"`)

// images decodes every embedded PNG and checks it has the size the img
// tag declares.
func images(t *testing.T, html []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range dataURL.FindAllSubmatch(html, -1) {
		b, err := base64.StdEncoding.DecodeString(string(m[1]))
		if err != nil {
			t.Fatalf("bad base64 in data URL: %v", err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("embedded image is not a PNG: %v", err)
		}
		if w, h := strconv.Itoa(cfg.Width), strconv.Itoa(cfg.Height); w != string(m[2]) || h != string(m[3]) {
			t.Errorf("embedded PNG is %sx%s, img tag says %sx%s", w, h, m[2], m[3])
		}
		out = append(out, b)
	}
	return out
}

// golden compares got with testdata/golden/name, or rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// TestWriteHTMLGolden checks the HTML report of the scenario's week
// against the golden file. The PNGs are replaced by their size: their
// pixels depend on the rasteriser's floating point, which may differ
// between architectures, and they are checked by the tests below.
func TestWriteHTMLGolden(t *testing.T) {
	t.Parallel()
	html := MustRendered(t, "html")
	imgs := images(t, html)
	if len(imgs) != 3 {
		t.Errorf("report embeds %d images, want 3 (map, party chart and daily chart of the energy phase)", len(imgs))
	}
	if *figures != "" {
		for i, b := range imgs {
			if err := os.WriteFile(filepath.Join(*figures, fmt.Sprintf("figure%d.png", i)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	norm := dataURL.ReplaceAll(html, []byte(`src="data:image/png;base64,…" width="$2" height="$3"`))
	golden(t, "report_2025-03-25_2025-03-31.html", norm)
	for _, ref := range []string{"http:", "https:", "//", "<script", "<link", "@import", "url("} {
		if bytes.Contains(norm, []byte(ref)) {
			t.Errorf("HTML report contains %q: it must not refer to anything outside itself", ref)
		}
	}
}

func TestWriteHTMLEscapesUntrustedText(t *testing.T) {
	t.Parallel()
	hostile := `<script>alert(1)</script> "><img src=x onerror=alert(2)> ' onmouseover='alert(3)`
	s := report.NewSummary(MustHostileAgreement(t), 0)
	r := &truce.Report{ID: truce.ReportID(`R1"><script>alert(4)</script>`), Source: "acled", Place: hostile,
		Start: time.Date(2025, 3, 28, 10, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 28, 11, 0, 0, 0, time.UTC), Location: geo.Point{Lon: 36.2, Lat: 49.99}}
	s.Add(r, &truce.Judgement{Report: r.ID, Outcome: truce.OutcomeViolation, Explanation: hostile,
		Facts:    truce.Facts{Perpetrator: "RU", Site: &truce.SiteMatch{ID: "S1", Name: hostile, DistanceMeters: 500}},
		Findings: []truce.Finding{{Commitment: "c", Phase: "p", Party: "RU", Outcome: truce.OutcomeViolation, Explanation: hostile}}})
	var b bytes.Buffer
	if err := report.WriteHTML(&b, &report.ReportData{Summary: s, Checkpoint: hostile + "\n1\nx\n\n— " + hostile + "\n"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img src=x", `"><img`, "' onmouseover='", "<b>"} {
		if bytes.Contains(b.Bytes(), []byte(bad)) {
			t.Errorf("report contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;"} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("report lacks the escaped text %q", want)
		}
	}
	if !bytes.Contains(b.Bytes(), []byte("did not check the signature")) {
		t.Error("a checkpoint given without a verifier key is not marked as unchecked")
	}
	if n := bytes.Count(b.Bytes(), []byte("<img ")); n != len(images(t, b.Bytes())) {
		t.Errorf("report has %d img tags but %d embedded images: an img tag came from the data", n, len(images(t, b.Bytes())))
	}
	if t.Failed() {
		t.Log(out)
	}
}

// pdfText extracts a PDF's text with pdftotext (Debian poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	return poppler(t, pdf, "pdftotext", "-enc", "UTF-8", "{pdf}", "-")
}

// poppler runs a poppler-utils tool (pdftotext, pdfinfo) on pdf, written to
// a file that replaces "{pdf}" in args, and returns its output. A missing
// tool skips the test, or fails it when TRUCE_REQUIRE_PDFTOTEXT=1.
func poppler(t *testing.T, pdf []byte, tool string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("TRUCE_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatalf("%s not found and TRUCE_REQUIRE_PDFTOTEXT=1 (apt-get install poppler-utils)", tool)
		}
		t.Skipf("%s not found (apt-get install poppler-utils); set TRUCE_REQUIRE_PDFTOTEXT=1 to make this a failure", tool)
	}
	in := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	args = slices.Clone(args)
	for i := range args {
		if args[i] == "{pdf}" {
			args[i] = in
		}
	}
	// Output, not CombinedOutput: a warning on stderr is not the PDF's text.
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s: %v\n%s", tool, err, ee.Stderr)
		}
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out)
}

func TestWritePDFText(t *testing.T) {
	t.Parallel()
	d := MustReportData(t)
	text := pdfText(t, MustRendered(t, "pdf"))
	d.Summary.Finish() // count the incidents, as writing it does
	violations := strconv.Itoa(d.Summary.Totals.Violation)
	for _, want := range []string{
		"Phased ceasefire of March 2025",
		"25–31 March 2025",
		"Violations " + violations,     // key figures: this period
		"previous period, 18–24 March", // the comparison
		"Росія",                        // a Cyrillic headline fragment quoted in an explanation
		"energy-ru",
		"truce.example/report-test",
		"pow-exchange-2025-03-19",
		"Karkov CHP-5 (WRI1005126, 543 m from the reported location)",
	} {
		if !containsFolded(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	pdf := MustRendered(t, "pdf")
	if !bytes.Contains(pdf, []byte("/FontFile2")) || !bytes.Contains(pdf, []byte("/BaseFont /utf8dejavu")) {
		t.Error("PDF does not embed the DejaVu Sans font")
	}
}

// containsFolded reports whether text contains want, ignoring how
// pdftotext broke lines and spaced table cells.
func containsFolded(text, want string) bool {
	fold := regexp.MustCompile(`\s+`)
	return bytes.Contains(fold.ReplaceAll([]byte(text), []byte(" ")), fold.ReplaceAll([]byte(want), []byte(" ")))
}

// TestDeterministic renders the report a second time from fresh
// summaries and compares every byte, of the HTML and of the PDF.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	d := MustReportData(t)
	var h, p bytes.Buffer
	if err := report.WriteHTML(&h, d); err != nil {
		t.Fatal(err)
	}
	if err := report.WritePDF(&p, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(MustRendered(t, "html"), h.Bytes()) {
		t.Error("two HTML reports of the same data differ")
	}
	first := MustRendered(t, "pdf")
	if !bytes.HasPrefix(first, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", first[:min(len(first), 16)])
	}
	if !bytes.Equal(first, p.Bytes()) {
		t.Error("two PDF reports of the same data differ")
	}
}

func TestRenderMap(t *testing.T) {
	t.Parallel()
	d := MustReportData(t)
	b, err := report.RenderMap(d, 800, 500)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, 800, 500) {
		t.Errorf("map is %v, want 800x500", got)
	}
	// Every outcome with reports in the period shows in its colour.
	seen := map[[3]uint8]int{}
	for y := 0; y < 500; y++ {
		for x := 0; x < 800; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			seen[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}]++
		}
	}
	for name, c := range map[string][3]uint8{"violation": {0xc6, 0x28, 0x28}, "disputed": {0xef, 0x8a, 0x17}, "undetermined": {0x5c, 0x6b, 0xc0},
		"first zone fill": {0xfd, 0xf1, 0xc7}} {
		if seen[c] == 0 {
			t.Errorf("map has no %s pixels (#%02x%02x%02x)", name, c[0], c[1], c[2])
		}
	}
	for _, size := range [][2]int{{10, 10}, {9000, 600}} {
		if _, err := report.RenderMap(d, size[0], size[1]); err == nil {
			t.Errorf("RenderMap(%dx%d) succeeded, want an error", size[0], size[1])
		}
	}
}

func TestCheckpointSignature(t *testing.T) {
	t.Parallel()
	_, other, err := ledger.GenerateKey("truce.example/report-test")
	if err != nil {
		t.Fatal(err)
	}
	s := report.NewSummary(MustHostileAgreement(t), 0)
	err = report.WriteHTML(&bytes.Buffer{}, &report.ReportData{Summary: s, Checkpoint: MustCheckpoint(t), VerifierKey: other})
	if !errors.Is(err, ledger.ErrBadCheckpoint) {
		t.Errorf("WriteHTML with another log's key: %v, want ErrBadCheckpoint", err)
	}
}

// TestEmpty writes reports of a period without reports, and of a summary
// decoded from JSON (no agreement, so no zones and no map data).
func TestEmpty(t *testing.T) {
	t.Parallel()
	var decoded report.Summary
	if err := json.Unmarshal([]byte(`{"agreement":"x","title":"Decoded","timezone":"UTC","reports":0,"phases":[],"cases":[]}`), &decoded); err != nil {
		t.Fatal(err)
	}
	// Each format once: a view costs a map and its charts.
	var h bytes.Buffer
	if err := report.WriteHTML(&h, &report.ReportData{Summary: report.NewSummary(MustHostileAgreement(t), 0), Period: thisWeek,
		Previous: report.NewSummary(MustHostileAgreement(t), 0)}); err != nil {
		t.Fatalf("WriteHTML of a period without reports: %v", err)
	}
	if !bytes.Contains(h.Bytes(), []byte("None in this period.")) {
		t.Error("HTML report does not say there are no cases")
	}
	if err := report.WritePDF(&bytes.Buffer{}, &report.ReportData{Summary: &decoded}); err != nil {
		t.Fatalf("WritePDF of a decoded summary: %v", err)
	}
	if err := report.WriteHTML(&bytes.Buffer{}, &report.ReportData{}); err == nil {
		t.Error("WriteHTML without a summary succeeded")
	}
}

func TestPeriod(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		p        report.Period
		prev     report.Period
		str      string
		days     int
		wantFail bool
	}{
		{name: "week", p: thisWeek, prev: lastWeek, str: "25–31 March 2025", days: 7},
		{name: "one day", p: report.Period{From: "2025-03-01", To: "2025-03-01"}, prev: report.Period{From: "2025-02-28", To: "2025-02-28"}, str: "1 March 2025", days: 1},
		{name: "across months", p: report.Period{From: "2025-03-28", To: "2025-04-03"}, prev: report.Period{From: "2025-03-21", To: "2025-03-27"}, str: "28 March – 3 April 2025", days: 7},
		{name: "across years", p: report.Period{From: "2024-12-31", To: "2025-01-01"}, prev: report.Period{From: "2024-12-29", To: "2024-12-30"}, str: "31 December 2024 – 1 January 2025", days: 2},
		{name: "leap day", p: report.Period{From: "2024-03-01", To: "2024-03-31"}, prev: report.Period{From: "2024-01-30", To: "2024-02-29"}, str: "1–31 March 2024", days: 31},
		{name: "reversed", p: report.Period{From: "2025-03-02", To: "2025-03-01"}, wantFail: true},
		{name: "not a date", p: report.Period{From: "March", To: "2025-03-01"}, wantFail: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prev, err := tt.p.Previous()
			days, derr := tt.p.Days()
			if tt.wantFail {
				if err == nil || derr == nil {
					t.Errorf("Previous() = %v, %v; Days() = %v, %v; want errors", prev, err, days, derr)
				}
				return
			}
			if err != nil || derr != nil {
				t.Fatalf("Previous(): %v; Days(): %v", err, derr)
			}
			if diff := cmp.Diff(tt.prev, prev); diff != "" {
				t.Errorf("Previous() mismatch (-want +got):\n%s", diff)
			}
			if got := tt.p.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if len(days) != tt.days || days[0] != tt.p.From || days[len(days)-1] != tt.p.To {
				t.Errorf("Days() = %v, want %d days from %s to %s", days, tt.days, tt.p.From, tt.p.To)
			}
		})
	}
}

// heavyShort skips in the short pass of scripts/test.sh (the one with the
// race detector): the full scenario is judged in the full pass.
func heavyShort(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("works on the full scenario: runs in the full pass of scripts/test.sh")
	}
}
