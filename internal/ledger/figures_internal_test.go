package ledger

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
)

// TestIncidentFigures pins the rule the stores' incident refresh follows.
func TestIncidentFigures(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	at := func(lon float64) geo.Point { return geo.Point{Lon: lon, Lat: 50} }
	own := &figReport{id: "a", start: day(20), location: at(30)}
	for _, tt := range []struct {
		name string
		held []*figReport
		want figures
	}{
		{"merged away: no judgement, its own report's time and place", nil, figures{Start: day(20), Location: at(30)}},
		{"not judged under the current agreement", []*figReport{{id: "a", start: day(20), location: at(30)}},
			figures{Start: day(20), Location: at(30)}},
		{"earliest report's time and place, ties by id", []*figReport{
			{id: "c", start: day(19), location: at(33), outcome: truce.OutcomeUndetermined, expl: "c"},
			{id: "b", start: day(19), location: at(32), outcome: truce.OutcomeUndetermined, expl: "b"},
			{id: "a", start: day(20), location: at(30)},
		}, figures{Start: day(19), Location: at(32), Outcome: truce.OutcomeUndetermined, Explanation: "b"}},
		{"most severe outcome, first explanation for it, every party and phase", []*figReport{
			{id: "a", start: day(18), outcome: truce.OutcomeDisputed, perp: "UA", phases: []truce.PhaseID{"energy"}, expl: "disputed"},
			{id: "b", start: day(19), outcome: truce.OutcomeViolation, perp: "RU", phases: []truce.PhaseID{"black_sea", "energy"}},
			{id: "c", start: day(20), outcome: truce.OutcomeViolation, perp: "RU", expl: "second violation"},
			{id: "d", start: day(21), outcome: truce.OutcomeNotProhibited, perp: "BY", expl: "not prohibited"},
		}, figures{Start: day(18), Outcome: truce.OutcomeViolation, Parties: []truce.PartyID{"BY", "RU", "UA"},
			Phases: []truce.PhaseID{"black_sea", "energy"}, Explanation: "second violation"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, incidentFigures(own, tt.held)); diff != "" {
				t.Errorf("incidentFigures mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
