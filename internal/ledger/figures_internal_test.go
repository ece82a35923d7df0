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
	own := &figReport{ReportFigures: ReportFigures{Report: "a", Start: day(20), Location: at(30)}}
	for _, tt := range []struct {
		name string
		held []*figReport
		want Figures
	}{
		{"merged away: no judgement, its own report's time and place", nil, Figures{Start: day(20), Location: at(30)}},
		{"not judged under the current agreement", []*figReport{{ReportFigures: ReportFigures{Report: "a", Start: day(20), Location: at(30)}}},
			Figures{Start: day(20), Location: at(30)}},
		{"earliest report's time and place, ties by id", []*figReport{
			{ReportFigures: ReportFigures{Report: "c", Start: day(19), Location: at(33), Outcome: truce.OutcomeUndetermined, Explanation: "c"}},
			{ReportFigures: ReportFigures{Report: "b", Start: day(19), Location: at(32), Outcome: truce.OutcomeUndetermined, Explanation: "b"}},
			{ReportFigures: ReportFigures{Report: "a", Start: day(20), Location: at(30)}},
		}, Figures{Start: day(19), Location: at(32), Outcome: truce.OutcomeUndetermined, Explanation: "b"}},
		{"most severe outcome, first explanation for it, every party and phase", []*figReport{
			{ReportFigures: ReportFigures{Report: "a", Start: day(18), Outcome: truce.OutcomeDisputed, Perpetrator: "UA", Phases: []truce.PhaseID{"energy"}, Explanation: "disputed"}},
			{ReportFigures: ReportFigures{Report: "b", Start: day(19), Outcome: truce.OutcomeViolation, Perpetrator: "RU", Phases: []truce.PhaseID{"black_sea", "energy"}}},
			{ReportFigures: ReportFigures{Report: "c", Start: day(20), Outcome: truce.OutcomeViolation, Perpetrator: "RU", Explanation: "second violation"}},
			{ReportFigures: ReportFigures{Report: "d", Start: day(21), Outcome: truce.OutcomeNotProhibited, Perpetrator: "BY", Explanation: "not prohibited"}},
		}, Figures{Start: day(18), Outcome: truce.OutcomeViolation, Parties: []truce.PartyID{"BY", "RU", "UA"},
			Phases: []truce.PhaseID{"black_sea", "energy"}, Explanation: "second violation"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, incidentFigures(own, tt.held)); diff != "" {
				t.Errorf("incidentFigures mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
