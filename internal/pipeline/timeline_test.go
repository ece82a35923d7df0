package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/pipeline"
)

// TestTimelineStored builds the timeline from the real SQLite store: a
// Ukrainian breach a monitor verified releases Russia under Russia's
// reading, and Russia's later strike, re-judged, is shown judged
// released; before verification the breach is only a violation verdict,
// labelled not verified.
func TestTimelineStored(t *testing.T) {
	ctx := context.Background()
	st, a, v, j := releaseScenario(t)
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
