package pipeline_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/pipeline"
)

// releaseScenario stores, on the real SQLite store, the release fixture
// (internal/adjudicate/testdata/release.yaml) and two strikes: Ukraine's
// breach on 25 March 2025 and Russia's strike on 28 March, judged.
func releaseScenario(t *testing.T) (truce.Store, *truce.Agreement, *truce.AgreementVersion, *adjudicate.Judge) {
	t.Helper()
	ctx := context.Background()
	st := stores[0].open(t)
	bundle, a, err := agreement.BundleFile(filepath.Join("..", "adjudicate", "testdata", "release.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	strike := func(id truce.ReportID, p truce.PartyID, lon, lat float64, t time.Time) *truce.Report {
		return &truce.Report{
			ID: id, Source: "test", Text: "substation hit",
			Start: t.UTC(), End: t.Add(time.Minute).UTC(), Precision: truce.PrecisionMinute,
			Location: geo.Point{Lon: lon, Lat: lat}, Perpetrator: p, Actions: []truce.Action{truce.ActionDroneAttack},
		}
	}
	reports := []*truce.Report{
		strike("ua-breach", "UA", 35, 50, time.Date(2025, 3, 25, 9, 0, 0, 0, kyiv)),
		strike("ru-strike", "RU", 31.5, 51.5, time.Date(2025, 3, 28, 10, 0, 0, 0, kyiv)),
	}
	if _, err := st.PutReports(ctx, truce.System, reports, truce.PutOptions{Published: true}); err != nil {
		t.Fatal(err)
	}
	v, _, err := st.PutAgreement(ctx, truce.System, a.ID, bundle)
	if err != nil {
		t.Fatal(err)
	}
	j := adjudicate.New(a, nil)
	if _, err := pipeline.Stored(ctx, st, truce.System, j, a.ID, v.Version); err != nil {
		t.Fatal(err)
	}
	return st, a, v, j
}

// TestRejudgeUndoesRelease is issue 15's release test on the real SQLite
// store: a Russian strike judged after Ukraine's breach is released under
// Russia's reading once a monitor verifies the breach, and a violation
// again once the breach is dismissed on review; each re-judgement is
// stored and logged.
func TestRejudgeUndoesRelease(t *testing.T) {
	ctx := context.Background()
	st, a, v, j := releaseScenario(t)
	outcome := func(want truce.Outcome) {
		t.Helper()
		jd, err := st.Judgement(ctx, a.ID, v.Version, "ru-strike")
		if err != nil {
			t.Fatal(err)
		}
		if jd.Outcome != want {
			t.Errorf("ru-strike = %s, want %s\n%s", jd.Outcome, want, jd.Explanation)
		}
	}
	outcome(truce.OutcomeViolation) // the breach is not verified yet

	breach, err := st.IncidentOf(ctx, "ua-breach")
	if err != nil {
		t.Fatal(err)
	}
	move := func(to ...truce.Status) {
		t.Helper()
		for _, s := range to {
			if _, err := st.ChangeStatus(ctx, truce.System, breach, s, "review"); err != nil {
				t.Fatal(err)
			}
		}
		before, err := st.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := pipeline.Rejudge(ctx, st, truce.System, j, a.ID, v.Version, breach)
		if err != nil {
			t.Fatal(err)
		}
		after, err := st.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Changed != 1 || after <= before {
			t.Errorf("Rejudge changed %d judgements, log %d -> %d records; want 1 changed and logged", res.Changed, before, after)
		}
	}
	move(truce.StatusUnderReview, truce.StatusVerified)
	outcome(truce.OutcomeDisputed) // released under RU's reading only
	move(truce.StatusUnderReview, truce.StatusDismissed)
	outcome(truce.OutcomeViolation)
}

// TestNewReleased checks the write path: a report judged as it arrives
// (pipeline.New) after a monitor verified the other side's breach is
// released under Russia's reading, without New reading the whole record.
func TestNewReleased(t *testing.T) {
	ctx := context.Background()
	st, a, v, j := releaseScenario(t)
	breach, err := st.IncidentOf(ctx, "ua-breach")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []truce.Status{truce.StatusUnderReview, truce.StatusVerified} {
		if _, err := st.ChangeStatus(ctx, truce.System, breach, s, "review"); err != nil {
			t.Fatal(err)
		}
	}
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	at := time.Date(2025, 3, 29, 10, 0, 0, 0, kyiv)
	late := &truce.Report{ID: "ru-late", Source: "test", Text: "substation hit",
		Start: at.UTC(), End: at.Add(time.Minute).UTC(), Precision: truce.PrecisionMinute,
		Location: geo.Point{Lon: 31.5, Lat: 51.5}, Perpetrator: "RU", Actions: []truce.Action{truce.ActionDroneAttack}}
	if _, err := st.PutReports(ctx, truce.System, []*truce.Report{late}, truce.PutOptions{Published: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.New(ctx, st, truce.System, j, a.ID, v.Version, []*truce.Report{late}); err != nil {
		t.Fatal(err)
	}
	jd, err := st.Judgement(ctx, a.ID, v.Version, "ru-late")
	if err != nil {
		t.Fatal(err)
	}
	if jd.Outcome != truce.OutcomeDisputed || !strings.Contains(jd.Explanation, "released") {
		t.Errorf("a strike after the verified breach = %s, want disputed (released under RU's reading)\n%s", jd.Outcome, jd.Explanation)
	}
}
