package adjudicate_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
)

func mustAgreement(tb testing.TB, path string) *truce.Agreement {
	tb.Helper()
	a, err := agreement.Load(path)
	if err != nil {
		tb.Fatalf("load %s: %v", path, err)
	}
	return a
}

var kyiv = func() *time.Location {
	l, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		panic(err)
	}
	return l
}()

// at returns a time in Kyiv.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, kyiv) }

// day returns a day-precision interval in Kyiv.
func day(y int, m time.Month, d int) (time.Time, time.Time, truce.TimePrecision) {
	return time.Date(y, m, d, 0, 0, 0, 0, kyiv), time.Date(y, m, d+1, 0, 0, 0, 0, kyiv), truce.PrecisionDay
}

// rep builds a report with sensible defaults: an exact-time strike by RU on
// a substation at 31.5E 51.5N (inside zone east, outside its hole).
func rep(mod func(r *truce.Report)) *truce.Report {
	r := &truce.Report{
		ID: "r1", Source: "test", Text: "substation hit",
		Start: at(2025, 3, 28, 10, 0), End: at(2025, 3, 28, 10, 1), Precision: truce.PrecisionMinute,
		Location:    geo.Point{Lon: 31.5, Lat: 51.5},
		Perpetrator: "RU", Actions: []truce.Action{truce.ActionDroneAttack},
	}
	if mod != nil {
		mod(r)
	}
	return r
}

func finding(t *testing.T, j truce.Judgement, c truce.CommitmentID) truce.Finding {
	t.Helper()
	for _, f := range j.Findings {
		if f.Commitment == c {
			return f
		}
	}
	t.Fatalf("no finding for %s", c)
	return truce.Finding{}
}

func TestJudgeEdges(t *testing.T) {
	a := mustAgreement(t, "testdata/edges.yaml")
	// A substation site 3,000 m and one 5 km north of 31.5E 50.3N (in zone east).
	origin := geo.Point{Lon: 31.5, Lat: 50.3}
	north := func(m float64) geo.Point { return geo.Point{Lon: origin.Lon, Lat: origin.Lat + m/111194.93} }
	sites := []truce.Site{
		{ID: "s3000", Name: "Edge substation", Location: north(2999.5), Attrs: map[string]string{"kind": "substation"}},
		{ID: "s5000", Name: "Far substation", Location: north(5000), Attrs: map[string]string{"kind": "substation"}},
	}
	j := adjudicate.New(a, sites)
	for _, tt := range []struct {
		name       string
		r          *truce.Report
		commitment truce.CommitmentID
		want       truce.Outcome
		wantIn     string // a phrase the finding's explanation must contain
	}{
		{"after both starts: violation", rep(nil), "c-ru", truce.OutcomeViolation, "day 11 of 31 for RU and US, day 4 of 24 for UA"},
		{"exactly at the RU start instant", rep(func(r *truce.Report) {
			r.Start, r.End, r.Precision = at(2025, 3, 18, 12, 0), at(2025, 3, 18, 12, 0).Add(time.Second), truce.PrecisionExact
		}), "c-ru", truce.OutcomeDisputed, "a violation under the reading of RU and US"},
		{"one second before the RU start", rep(func(r *truce.Report) {
			r.Start, r.End, r.Precision = at(2025, 3, 18, 12, 0).Add(-time.Second), at(2025, 3, 18, 12, 0), truce.PrecisionExact
		}), "c-ru", truce.OutcomeNotProhibited, "was not in force on 18 March 2025 at 11:59 EET"},
		{"last second before the end", rep(func(r *truce.Report) {
			r.Start, r.End = at(2025, 4, 17, 23, 59).Add(59*time.Second), at(2025, 4, 18, 0, 0)
		}), "c-ru", truce.OutcomeViolation, "day 31 of 31"},
		{"exactly at the end instant", rep(func(r *truce.Report) {
			r.Start, r.End = at(2025, 4, 18, 0, 0), at(2025, 4, 18, 0, 1)
		}), "c-ru", truce.OutcomeNotProhibited, "until the end of 17 April 2025"},
		{"UTC time that is already 25 March in Kyiv", rep(func(r *truce.Report) {
			r.Start = time.Date(2025, 3, 24, 22, 30, 0, 0, time.UTC)
			r.End = r.Start.Add(time.Minute)
		}), "c-ru", truce.OutcomeViolation, "day 1 of 24 for UA"},
		{"UTC time that is still 24 March in Kyiv", rep(func(r *truce.Report) {
			r.Start = time.Date(2025, 3, 24, 21, 30, 0, 0, time.UTC)
			r.End = r.Start.Add(time.Minute)
		}), "c-ru", truce.OutcomeDisputed, "not under UA's reading"},
		{"day precision straddling the noon start", rep(func(r *truce.Report) {
			r.Start, r.End, r.Precision = day(2025, 3, 18)
		}), "c-ru", truce.OutcomeUndetermined, "the exact time: the report covers 18 March 2025, and the phase starts at 18 March 2025 12:00 EET"},
		{"point on the zone's outer edge", rep(func(r *truce.Report) { r.Location = geo.Point{Lon: 32, Lat: 51.5} }),
			"c-ru", truce.OutcomeViolation, "in East"},
		{"point in the hole", rep(func(r *truce.Report) { r.Location = geo.Point{Lon: 31, Lat: 51} }),
			"c-ru", truce.OutcomeNotProhibited, "the location is outside the zones of c-ru (East)"},
		{"point on the hole's edge", rep(func(r *truce.Report) { r.Location = geo.Point{Lon: 30.8, Lat: 51} }),
			"c-ru", truce.OutcomeViolation, "in East"},
		{"imprecise location near the zone border", rep(func(r *truce.Report) {
			r.Location, r.LocationPrecisionMeters = geo.Point{Lon: 31.99, Lat: 51.5}, 2000
		}), "c-ru", truce.OutcomeUndetermined, "the exact location: the report is placed to within 2.0 km"},
		{"site inside the radius edge", rep(func(r *truce.Report) { r.Location, r.Text = origin, "explosion reported" }),
			"c-ru", truce.OutcomeViolation, "Edge substation (substation, 3.0 km from the reported location)"},
		{"site just beyond the radius", rep(func(r *truce.Report) {
			r.Location, r.Text = geo.Point{Lon: origin.Lon, Lat: origin.Lat - 1.0/111194.93}, "explosion reported"
		}), "c-ru", truce.OutcomeNotProhibited, "no covered target is established"},
		{"site within the radius widened by location precision", rep(func(r *truce.Report) {
			r.Location, r.Text, r.LocationPrecisionMeters = geo.Point{Lon: origin.Lon, Lat: origin.Lat - 500.0/111194.93}, "explosion reported", 1000
		}), "c-ru", truce.OutcomeUndetermined, "beyond the 3.0 km radius but within the report's location precision"},
		{"alias in the actor field", rep(func(r *truce.Report) { r.Perpetrator, r.Actor1 = "", "Military Forces of Russia (2000-) Air Force" }),
			"c-ru", truce.OutcomeViolation, `RU (actor "Military Forces of Russia (2000-) Air Force")`},
		{"attribution in the text", rep(func(r *truce.Report) {
			r.Perpetrator, r.Text = "", "Росіяни вдарили по підстанції"
		}),
			"c-ru", truce.OutcomeViolation, `RU (the text says "Росіяни" (subject))`},
		{"unknown actor", rep(func(r *truce.Report) { r.Perpetrator, r.Actor1 = "", "Unidentified Armed Group (Ukraine)" }),
			"c-ru", truce.OutcomeUndetermined, "the perpetrator: no actor field and the text names no party as the attacker"},
		{"text names both parties", rep(func(r *truce.Report) {
			r.Perpetrator, r.Text = "", "Росіяни вдарили по підстанції, ЗСУ атакували підстанцію"
		}),
			"c-ru", truce.OutcomeUndetermined, "more than one party"},
		{"mediator is not bound", rep(func(r *truce.Report) { r.Perpetrator = "US" }),
			"c-ru", truce.OutcomeNotProhibited, "US is not bound by c-ru"},
		{"energy mentioned but no attack", rep(func(r *truce.Report) { r.Actions, r.Text = nil, "A new substation opened" }),
			"c-ru", truce.OutcomeNotProhibited, "no attack is reported"},
		{"attack word in the text", rep(func(r *truce.Report) { r.Actions, r.Text = nil, "Drones struck a substation" }),
			"c-ru", truce.OutcomeViolation, `drone attack (the text says "Drones struck")`},
		{"generic attack against a strike ban", rep(func(r *truce.Report) { r.Actions = []truce.Action{truce.ActionAttack} }),
			"c-ru", truce.OutcomeUndetermined, "the kind of attack: the report says attack, and c-ru prohibits only strike"},
		{"ground attack is not a strike", rep(func(r *truce.Report) { r.Actions = []truce.Action{truce.ActionGroundAttack} }),
			"c-ru", truce.OutcomeNotProhibited, "ground attack is not prohibited by c-ru"},
		{"exception for shelling", rep(func(r *truce.Report) { r.Actions = []truce.Action{truce.ActionShelling} }),
			"c-ru", truce.OutcomeNotProhibited, "the exception of c-ru applies: artillery duels"},
		{"generic energy facility", rep(func(r *truce.Report) { r.Text = "Дрони атакували енергооб'єкт" }),
			"c-ru", truce.OutcomeUndetermined, "the kind of facility: the report names energy facility"},
		{"category not covered", rep(func(r *truce.Report) { r.Text = "drones hit the port" }),
			"c-ru", truce.OutcomeNotProhibited, "the target (Port, the text says \"port\") is not covered by c-ru"},
		{"explicit category", rep(func(r *truce.Report) { r.Text, r.Category = "", "energy.substation" }),
			"c-ru", truce.OutcomeViolation, "(stated in the report)"},
		{"phase never in force", rep(nil), "c-all", truce.OutcomeNotProhibited,
			"phase p2 never in force: it needs the acceptance of RU and UA, but RU accepted only in principle (13 March 2025), on conditions: first this"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := finding(t, j.Judge(tt.r), tt.commitment)
			if got.Outcome != tt.want {
				t.Errorf("outcome = %s, want %s\n%s", got.Outcome, tt.want, got.Explanation)
			}
			if !strings.Contains(got.Explanation, tt.wantIn) {
				t.Errorf("explanation lacks %q:\n%s", tt.wantIn, got.Explanation)
			}
		})
	}
}

func TestJudgeDeterministic(t *testing.T) {
	a := mustAgreement(t, "testdata/edges.yaml")
	j := adjudicate.New(a, nil)
	r := rep(func(r *truce.Report) {
		r.Perpetrator, r.Text = "", "Росіяни вдарили по підстанції і енергооб'єкт"
	})
	first := j.Judge(r)
	for range 20 {
		if diff := cmp.Diff(first, j.Judge(r)); diff != "" {
			t.Fatalf("Judge is not deterministic (-first +again):\n%s", diff)
		}
	}
}

func TestJudgeReportOutcomeIsMostSevere(t *testing.T) {
	a := mustAgreement(t, "testdata/edges.yaml")
	j := adjudicate.New(a, nil)
	got := j.Judge(rep(nil))
	want := truce.OutcomeNotProhibited
	for _, f := range got.Findings {
		want = max(want, f.Outcome)
	}
	if got.Outcome != want || got.Outcome != truce.OutcomeViolation {
		t.Errorf("report outcome = %s, want %s (violation)", got.Outcome, want)
	}
	if !slices.ContainsFunc(got.Findings, func(f truce.Finding) bool { return f.Explanation == got.Explanation }) {
		t.Errorf("report explanation is not one of its findings' explanations")
	}
}

func TestScheduleScenario(t *testing.T) {
	heavy(t)
	if _, err := os.Stat("../../examples/energy-ceasefire-2025/agreement.yaml"); err != nil {
		t.Fatal(err)
	}
	a := mustAgreement(t, "../../examples/energy-ceasefire-2025/agreement.yaml")
	var got []string
	for _, ps := range adjudicate.Schedule(a) {
		for _, w := range ps.Windows {
			got = append(got, string(ps.Phase.ID)+" "+string(w.Parties[0])+": "+w.Why)
		}
	}
	want := []string{
		"energy RU: in force from 18 March 2025 until the end of 17 April 2025",
		"energy US: in force from 18 March 2025 until the end of 17 April 2025",
		"energy UA: in force from 25 March 2025 until the end of 17 April 2025",
		"black-sea RU: never in force: it needs the acceptance of RU and UA, but RU made its acceptance",
		"full RU: never in force: it needs the acceptance of RU and UA, but RU made its acceptance",
		"peace RU: never in force: it starts 30 days after phase full has held, and full never ente",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d windows, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("window %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
}
