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

// TestTimelineStored builds the timeline from the real SQLite store: a
// Ukrainian breach a monitor verified releases Russia under Russia's
// reading, and Russia's later strike, re-judged, is shown judged
// released; before verification the breach is only a violation verdict,
// labelled not verified.
func TestTimelineStored(t *testing.T) {
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
	ruReading := func() adjudicate.ReadingTimeline {
		t.Helper()
		tl, err := pipeline.Timeline(ctx, st, j, a.ID, v.Version, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range tl.Readings {
			if rt.Parties[0] == "RU" {
				return rt
			}
		}
		t.Fatal("no reading of RU")
		return adjudicate.ReadingTimeline{}
	}
	kinds := func(rt adjudicate.ReadingTimeline) string {
		var ks []string
		for _, e := range rt.Events {
			ks = append(ks, string(e.Kind)+" "+string(e.Party))
		}
		return strings.Join(ks, ", ")
	}

	rt := ruReading()
	if got, want := kinds(rt), "obligations_begin RU, obligations_begin UA, first_violation UA, first_violation RU, obligations_end "; got != want {
		t.Errorf("before verification: events %q, want %q", got, want)
	}
	if !strings.Contains(rt.Summary, "No breach was verified by a monitor under this reading.") {
		t.Errorf("summary: %s", rt.Summary)
	}

	breach, err := st.IncidentOf(ctx, "ua-breach")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []truce.Status{truce.StatusUnderReview, truce.StatusVerified} {
		if _, err := st.ChangeStatus(ctx, truce.System, breach, s, "review"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pipeline.Rejudge(ctx, st, truce.System, j, a.ID, v.Version, breach); err != nil {
		t.Fatal(err)
	}
	rt = ruReading()
	if got, want := kinds(rt), "obligations_begin RU, obligations_begin UA, first_breach UA, released RU, released_act RU, obligations_end "; got != want {
		t.Errorf("after verification: events %q, want %q", got, want)
	}
	if !strings.Contains(rt.Summary, "UA breached first, as a monitor verified") || !strings.Contains(rt.Summary, "Released: RU from 25 March 2025 09:01 EET.") {
		t.Errorf("summary: %s", rt.Summary)
	}
}
