package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"truce"
	"truce/internal/geo"
)

// ReportFigures is what an incident's figures take from one of its
// reports: the report's time and place, and its judgement under the
// current agreement version (zero values if it has none).
type ReportFigures struct {
	Report      truce.ReportID
	Start       time.Time
	Location    geo.Point
	Outcome     truce.Outcome
	Perpetrator truce.PartyID
	Phases      []truce.PhaseID
	Explanation string
}

// Figures are what an incident shows of its reports' judgements under the
// current agreement version: the columns the listings filter and sort on.
type Figures struct {
	Start       time.Time
	Location    geo.Point
	Outcome     truce.Outcome // 0 if none of its reports is judged
	Parties     []truce.PartyID
	Phases      []truce.PhaseID
	Explanation string
}

// IncidentFigures derives the figures of an incident from the reports it
// holds, which MUST not be empty: the earliest report's (by start, then
// id) start and location; the most severe outcome and the explanation of
// the first report with it that has one; every perpetrator and phase,
// sorted. It is the one rule: the stores' refresh computes the figures
// they keep with it, and VerifyRows checks them against it. (An incident
// that holds no reports, merged away, shows no judgement at its own
// report's time and place; see VerifyRows.)
func IncidentFigures(held []ReportFigures) Figures {
	held = slices.Clone(held)
	slices.SortFunc(held, func(a, b ReportFigures) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Report, b.Report)) })
	f := Figures{Start: held[0].Start, Location: held[0].Location}
	for _, r := range held {
		switch {
		case r.Outcome > f.Outcome:
			f.Outcome, f.Explanation = r.Outcome, r.Explanation
		case r.Outcome == f.Outcome && f.Explanation == "":
			f.Explanation = r.Explanation
		}
		if r.Perpetrator != "" && !slices.Contains(f.Parties, r.Perpetrator) {
			f.Parties = append(f.Parties, r.Perpetrator)
		}
		for _, p := range r.Phases {
			if p != "" && !slices.Contains(f.Phases, p) {
				f.Phases = append(f.Phases, p)
			}
		}
	}
	slices.Sort(f.Parties)
	slices.Sort(f.Phases)
	return f
}

// figReport is one stored report as the figures of the incident that
// holds it see it.
type figReport struct {
	ReportFigures
	incident truce.IncidentID
}

// incidentFigures derives the figures of an incident whose own report is
// own from the reports it holds: IncidentFigures, or, holding none, no
// judgement at own's time and place.
func incidentFigures(own *figReport, held []*figReport) Figures {
	if len(held) == 0 {
		return Figures{Start: own.Start, Location: own.Location}
	}
	rs := make([]ReportFigures, len(held))
	for i, r := range held {
		rs[i] = r.ReportFigures
	}
	return IncidentFigures(rs)
}

func (v *rowVerifier) incidentRows(ctx context.Context, src RowSource) error {
	held := map[truce.IncidentID][]*figReport{}
	for _, r := range v.reports {
		held[r.incident] = append(held[r.incident], r)
	}
	seen := map[truce.IncidentID]bool{}
	cur := v.st.Current
	err := src.Incidents(ctx, func(row *IncidentRow) error {
		in := row.Incident
		what := "incident " + string(in.ID)
		want := v.st.Incidents[in.ID]
		if want == nil {
			return diverged("%s is not opened by any log record", what)
		}
		seen[in.ID] = true
		if in.Status != want.Status || in.Published != want.Published || in.SubmittedBy != want.SubmittedBy ||
			!slices.Equal(in.ContestedBy, want.ContestedBy) || row.MergedInto != want.MergedInto {
			return diverged("%s: its status, publication, submitter, contestants or merge do not match the log", what)
		}
		if !sameTime(in.CreatedAt, want.Created) || !sameTime(in.UpdatedAt, want.Updated) {
			return diverged("%s: its creation or update time does not match the log", what)
		}
		own := v.reports[truce.ReportID(in.ID)]
		if own == nil {
			return diverged("%s: its report %s is missing", what, in.ID)
		}
		f := incidentFigures(own, held[in.ID])
		got := Figures{Start: in.Start, Location: in.Location, Outcome: in.Outcome, Parties: in.Parties, Phases: in.Phases, Explanation: in.Explanation}
		if diff := figuresDiff(got, f); diff != "" {
			return diverged("%s: %s, but its reports' judgements under %s version %d make it %s", what, diff, cur.Agreement, cur.Version, figuresDiff(f, got))
		}
		v.rc.Incidents++
		return nil
	})
	if err != nil {
		return err
	}
	if len(seen) != len(v.st.Incidents) {
		for _, id := range sortedKeys(v.st.Incidents) {
			if !seen[id] {
				return diverged("incident %s is opened by the log but has no row: it was deleted", id)
			}
		}
	}
	return nil
}

// figuresDiff describes the figures of a that differ from b's, "" if none.
func figuresDiff(a, b Figures) string {
	var d []string
	if !a.Start.Equal(b.Start) {
		d = append(d, "start "+a.Start.UTC().Format(time.RFC3339Nano))
	}
	if a.Location != b.Location {
		d = append(d, fmt.Sprintf("location %g,%g", a.Location.Lon, a.Location.Lat))
	}
	if a.Outcome != b.Outcome {
		o := "none"
		if a.Outcome != 0 {
			o = a.Outcome.String()
		}
		d = append(d, "outcome "+o)
	}
	if !slices.Equal(a.Parties, b.Parties) && (len(a.Parties) > 0 || len(b.Parties) > 0) {
		d = append(d, fmt.Sprintf("parties %v", a.Parties))
	}
	if !slices.Equal(a.Phases, b.Phases) && (len(a.Phases) > 0 || len(b.Phases) > 0) {
		d = append(d, fmt.Sprintf("phases %v", a.Phases))
	}
	if a.Explanation != b.Explanation {
		d = append(d, fmt.Sprintf("explanation %q", a.Explanation))
	}
	return strings.Join(d, ", ")
}
