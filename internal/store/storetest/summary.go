package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/report"
)

// summaryCases check the store's fast path of the period summary
// (report.SummarySource): the summary built from it is the summary built
// from Judgements, byte for byte, on a few thousand judged reports.
var summaryCases = []tcase{
	{"FastEqualsSlow", func(t *testing.T, e *env) {
		a := scenarioAgreement(t)
		ss, ok := e.s.(report.SummarySource)
		if !ok {
			t.Fatalf("%T is not a report.SummarySource", e.s)
		}
		v := mustAgreement(t, e, bundleV1)
		manyJudged(t, e, a, v.Version, 3000)
		since, until := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)
		anon := truce.Principal{}
		for _, tc := range []struct {
			name string
			f    truce.ReportFilter
		}{
			{"All", truce.ReportFilter{}},
			{"Period", truce.ReportFilter{Since: &since, Until: &until}},
			{"Public", truce.ReportFilter{Visible: &anon}},
			{"Party", truce.ReportFilter{Visible: &partyRU, Since: &since}},
			{"Monitor", truce.ReportFilter{Visible: &monitor, Until: &until}},
		} {
			slow, fast := report.NewSummary(a, v.Version), report.NewSummary(a, v.Version)
			must(t, e.s.Judgements(e.ctx, agreementID, v.Version, tc.f, func(r *truce.Report, j *truce.Judgement) error {
				slow.Add(r, j)
				return nil
			}))
			must(t, ss.SummaryJudgements(e.ctx, agreementID, v.Version, tc.f, func(r *truce.Report, j *truce.Judgement, key string) error {
				fast.AddKeyed(r, j, key)
				return nil
			}))
			if slow.Finish(); slow.Incidents == 0 || slow.Incidents == slow.Reports || len(slow.Cases) == 0 {
				t.Fatalf("%s: %d reports make %d incidents and %d cases: the test tests too little", tc.name, slow.Reports, slow.Incidents, len(slow.Cases))
			}
			for _, format := range []string{"json", "md"} {
				var want, got bytes.Buffer
				must(t, report.WriteSummary(&want, slow, format))
				must(t, report.WriteSummary(&got, fast, format))
				if diff := cmp.Diff(want.String(), got.String()); diff != "" {
					t.Errorf("%s %s summary (-Judgements +SummaryJudgements):\n%s", tc.name, format, diff)
				}
			}
		}
	}},
	{"DamagedBriefFails", func(t *testing.T, e *env) {
		// A brief that does not decode, read while later batches are
		// under way: an error naming its report, not a summary without
		// it; and an error of fn's ends the reading too.
		ss, ok := e.s.(report.SummarySource)
		if !ok {
			t.Fatalf("%T is not a report.SummarySource", e.s)
		}
		v := mustAgreement(t, e, bundleV1)
		manyJudged(t, e, scenarioAgreement(t), v.Version, 3000)
		stop := errors.New("enough")
		n := 0
		err := ss.SummaryJudgements(e.ctx, agreementID, v.Version, truce.ReportFilter{}, func(*truce.Report, *truce.Judgement, string) error {
			if n++; n == 1000 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 1000 {
			t.Errorf("fn's error after %d of 3000 reports: SummaryJudgements returned %v", n, err)
		}
		var damaged string
		must(t, e.s.Judgements(e.ctx, agreementID, v.Version, truce.ReportFilter{}, func(r *truce.Report, _ *truce.Judgement) error {
			if damaged == "" && r.Start.After(time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)) {
				damaged = string(r.ID)
			}
			return nil
		}))
		e.exec(t, `UPDATE judgement_briefs SET brief = substr(brief, 1, 3) WHERE report_id = $1`, damaged)
		n = 0
		err = ss.SummaryJudgements(e.ctx, agreementID, v.Version, truce.ReportFilter{}, func(*truce.Report, *truce.Judgement, string) error {
			n++
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), damaged) || !strings.Contains(err.Error(), "brief") || n == 0 || n >= 3000 {
			t.Errorf("a damaged brief (report %s) after %d of 3000 reports: SummaryJudgements returned %v", damaged, n, err)
		}
	}},
}

// scenarioAgreement loads the bundled scenario's agreement (the stores
// keep bundles as opaque bytes; the summary needs the agreement itself).
func scenarioAgreement(t *testing.T) *truce.Agreement {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no source file")
	}
	a, err := agreement.Load(filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "energy-ceasefire-2025", "agreement.yaml"))
	must(t, err)
	return a
}

// manyJudged stores n reports of March 2025, deterministic, and a
// judgement of each under agreement version: many at a few towns (some
// at the very same point, some with the same text: the reports of one
// event), the rest spread out; published, a party's own or neither;
// findings under the agreement's phases with every outcome.
func manyJudged(t *testing.T, e *env, a *truce.Agreement, version, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(16, 1))
	towns := []geo.Point{{Lon: 36.2304, Lat: 49.9935}, {Lon: 32.6169, Lat: 46.6354}, {Lon: 37.6058, Lat: 48.8523}, {Lon: 35.2667, Lat: 51.1936}}
	texts := []string{"Russian drones struck a substation overnight", "Shelling damaged power lines", "Вибух у промисловій зоні"}
	parties := []truce.PartyID{"RU", "UA", ""}
	outcomes := []truce.Outcome{truce.OutcomeViolation, truce.OutcomeDisputed, truce.OutcomeUndetermined, truce.OutcomeNotProhibited}
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var published, own, other []*truce.Report
	var js []truce.Judgement
	for i := range n {
		var p geo.Point
		switch k := rng.IntN(10); {
		case k < 2:
			p = towns[rng.IntN(len(towns))]
		case k < 6:
			c := towns[rng.IntN(len(towns))]
			p = geo.Point{Lon: c.Lon + rng.NormFloat64()*0.02, Lat: c.Lat + rng.NormFloat64()*0.015}
		default:
			p = geo.Point{Lon: 22 + rng.Float64()*19, Lat: 44 + rng.Float64()*9}
		}
		start := t0.Add(time.Duration(rng.IntN(31*24*60)) * time.Minute)
		r := &truce.Report{ID: truce.ReportID(fmt.Sprintf("s%05d", i)), Source: "truce", SourceID: fmt.Sprint(i),
			Outlet: fmt.Sprintf("outlet-%d", rng.IntN(4)), Start: start, End: start.Add(time.Hour), Precision: truce.PrecisionHour,
			Location: p, Place: fmt.Sprintf("place %d", rng.IntN(20)), Text: texts[rng.IntN(len(texts))]}
		if rng.IntN(3) == 0 {
			r.Text = fmt.Sprintf("Strike number %d reported", i)
		}
		switch rng.IntN(3) {
		case 0:
			own = append(own, r)
		case 1:
			other = append(other, r)
		default:
			published = append(published, r)
		}
		o, perp := outcomes[rng.IntN(len(outcomes))], parties[rng.IntN(len(parties))]
		var phases []truce.PhaseID
		for _, ph := range a.Phases {
			if rng.IntN(3) == 0 {
				phases = append(phases, ph.ID)
			}
		}
		js = append(js, judgement(r.ID, o, perp, fmt.Sprintf("explanation %d", i), phases...))
	}
	mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, published...)
	mustPutReports(t, e, partyRU, truce.PutOptions{SubmittedBy: "RU"}, own...)
	mustPutReports(t, e, monitor, truce.PutOptions{}, other...)
	mustJudge(t, e, version, js...)
}

// BriefBackfill checks the upgrade of a database judged before briefs
// were kept (migration 10): the briefs table is dropped and migration 10
// marked as not applied, as in such a database; the next open must write
// every judgement's brief, once, so that the database verifies and the
// period summary counts what it counted before.
func BriefBackfill(t *testing.T, reopen Reopener) {
	c := &clock{t: T0}
	s, exec, done := reopen(t, c.Now)
	e := &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	a := scenarioAgreement(t)
	v := mustAgreement(t, e, bundleV1)
	manyJudged(t, e, a, v.Version, 300)
	summary := func() string {
		sum := report.NewSummary(a, v.Version)
		must(t, sum.AddJudgements(e.ctx, e.s, agreementID, v.Version, truce.ReportFilter{}))
		var b bytes.Buffer
		must(t, report.WriteSummary(&b, sum, "json"))
		return b.String()
	}
	want := summary()
	_, rc := mustVerify(t, e)
	exec(t, `DROP TABLE judgement_briefs`)
	exec(t, `DELETE FROM schema_migrations WHERE version = 10`)
	done()

	s, exec, done = reopen(t, c.Now)
	e = &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	_, got := mustVerify(t, e)
	if got.Briefs != rc.Briefs || got.Briefs != got.Judgements {
		t.Errorf("after the backfill VerifyRows checked %d briefs of %d judgements, want %d", got.Briefs, got.Judgements, rc.Briefs)
	}
	if diff := cmp.Diff(want, summary()); diff != "" {
		t.Errorf("summary after the backfill (-before +after):\n%s", diff)
	}
	// Once only: a brief removed later is not silently written again
	// on the next open, it is reported.
	exec(t, `DELETE FROM judgement_briefs WHERE report_id = (SELECT min(report_id) FROM judgement_briefs)`)
	done()
	s, exec, done = reopen(t, c.Now)
	defer done()
	e = &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	if _, _, err := verify(t, e); err == nil || !strings.Contains(err.Error(), "brief") {
		t.Errorf("verify after a brief was removed = %v, want the missing brief reported", err)
	}
}
