package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"truce"
)

// SummaryCols are the columns of a report r and its judgement j that a
// period summary reads (ScanSummarized): report.Summary.Add reads no
// other field of either.
const SummaryCols = `r.id, r.source, r.outlet, r.start_ns, r.end_ns, r.precision, r.lon, r.lat, r.place, r.text, j.outcome, j.detail`

// summaryDetail is the part of a stored judgement detail (judgementDetail)
// that a period summary reads: decoding into it skips the evidence, the
// readings and the notes, most of the detail's bytes.
type summaryDetail struct {
	Facts struct {
		Perpetrator truce.PartyID
		Category    truce.CategoryID
		Site        *truce.SiteMatch
	}
	Findings []struct {
		Commitment  truce.CommitmentID
		Phase       truce.PhaseID
		Party       truce.PartyID
		Outcome     truce.Outcome
		Explanation string
	}
}

// ScanSummarized reads SummaryCols: a report and its judgement holding
// only the fields a period summary reads (the report's id, source,
// outlet, times, precision, location, place and text; the judgement's
// outcome, perpetrator, category, site and its findings' commitment,
// phase, party, outcome and explanation).
func ScanSummarized(sc Scanner) (*truce.Report, *truce.Judgement, error) {
	var r truce.Report
	var id, detail string
	var start, end int64
	var prec, outcome int
	if err := sc.Scan(&id, &r.Source, &r.Outlet, &start, &end, &prec, &r.Location.Lon, &r.Location.Lat, &r.Place, &r.Text,
		&outcome, &detail); err != nil {
		return nil, nil, err
	}
	r.ID, r.Start, r.End, r.Precision = truce.ReportID(id), unixUTC(start), unixUTC(end), truce.TimePrecision(prec)
	var d summaryDetail
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return nil, nil, fmt.Errorf("judgement %s detail: %w", id, err)
	}
	j := &truce.Judgement{Report: r.ID, Outcome: truce.Outcome(outcome), Findings: make([]truce.Finding, len(d.Findings))}
	j.Facts.Perpetrator, j.Facts.Category, j.Facts.Site = d.Facts.Perpetrator, d.Facts.Category, d.Facts.Site
	for i, f := range d.Findings {
		j.Findings[i] = truce.Finding{Commitment: f.Commitment, Phase: f.Phase, Party: f.Party, Outcome: f.Outcome, Explanation: f.Explanation}
	}
	return &r, j, nil
}

// EachSummarized runs query, which selects SummaryCols, and calls fn with
// every report and its judgement as ScanSummarized reads them, stopping at
// fn's first error.
func EachSummarized(ctx context.Context, db DB, fn func(*truce.Report, *truce.Judgement) error, query string, args ...any) error {
	type judged struct {
		r  *truce.Report
		jd *truce.Judgement
	}
	return Each(ctx, db, "summary", func(sc Scanner) (judged, error) {
		r, jd, err := ScanSummarized(sc)
		return judged{r, jd}, err
	}, func(j judged) error { return fn(j.r, j.jd) }, query, args...)
}
