package report

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/ledger"
)

// Gather gathers what the HTML and PDF reports show besides the
// summary: the previous period's figures (when the period is given), the
// claimed-vs-found section (GatherClaims, over what f.Visible may read),
// the sites for the map, and the signed checkpoint the report was built
// from.
// f restricts the previous period's reports as it did the summary's (its
// time bounds are replaced); from and to are the period's days.
func Gather(ctx context.Context, st truce.Store, a *truce.Agreement, v *truce.AgreementVersion, s *Summary, f truce.ReportFilter, from, to string) (*ReportData, error) {
	d := &ReportData{Summary: s}
	if from != "" || to != "" {
		d.Period = Period{From: cmp.Or(from, s.From), To: cmp.Or(to, s.To)}
		if d.Period.From != "" && d.Period.To != "" {
			pp, err := d.Period.Previous()
			if err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			since, err1 := agreement.ParseTime(pp.From, a.Timezone, false)
			until, err2 := agreement.ParseTime(pp.To, a.Timezone, true)
			if err := cmp.Or(err1, err2); err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			prev := NewSummary(a, v.Version)
			f.Since, f.Until = &since, &until
			if err := prev.AddJudgements(ctx, st, v.ID, v.Version, f); err != nil {
				return nil, err
			}
			d.Previous = prev
		}
	}
	if err := GatherClaims(ctx, st, a, v, s, f, from, to); err != nil {
		return nil, err
	}
	sites, err := st.Sites(ctx)
	if err != nil {
		return nil, err
	}
	d.Sites = sites
	// Read after the judgements: the checkpoint covers every record counted.
	cp, err := st.LatestCheckpoint(ctx)
	if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
		return nil, err
	}
	d.Checkpoint = string(cp)
	if _, d.VerifierKey, err = st.LogKey(ctx); err != nil {
		return nil, err
	}
	if d.CheckpointTime, err = checkpointTime(ctx, st, d.VerifierKey, cp); err != nil {
		return nil, err
	}
	return d, nil
}

// checkpointTime returns when the signed checkpoint was made: the time of
// the last record it covers, in whose transaction the store signed it.
// Zero if there is no checkpoint or it does not verify (building the
// report then fails on it) or covers no record.
func checkpointTime(ctx context.Context, st truce.LogStore, key string, signed []byte) (time.Time, error) {
	if len(signed) == 0 {
		return time.Time{}, nil
	}
	c, err := ledger.Open(key, signed)
	if err != nil || c.Size == 0 {
		return time.Time{}, nil
	}
	b, err := st.LogRecord(ctx, c.Size-1)
	if err != nil {
		return time.Time{}, err
	}
	rec, err := ledger.DecodeRecord(b)
	if err != nil {
		return time.Time{}, fmt.Errorf("report: checkpoint time: record %d: %w", c.Size-1, err)
	}
	return rec.At, nil
}

// SummarySource is a store that can read the judgements a summary counts
// holding only the fields Summary.Add reads, each report with its text
// key (adjudicate.TextKey) in place of its text (both SQL stores can):
// cheaper than Judgements, which decodes each judgement whole, and
// counted the same. fn may keep the report but not the judgement, whose
// memory the store may reuse once fn returns.
type SummarySource interface {
	SummaryJudgements(ctx context.Context, id truce.AgreementID, version int, f truce.ReportFilter, fn func(r *truce.Report, j *truce.Judgement, textKey string) error) error
}

// AddJudgements adds every report f selects, with its judgement under
// agreement version (id, version) read from st: through SummaryJudgements
// when st is a SummarySource, else through Judgements.
func (s *Summary) AddJudgements(ctx context.Context, st truce.Store, id truce.AgreementID, version int, f truce.ReportFilter) error {
	if ss, ok := truce.StoreAs[SummarySource](st); ok {
		return ss.SummaryJudgements(ctx, id, version, f, func(r *truce.Report, j *truce.Judgement, key string) error {
			s.AddKeyed(r, j, key)
			return nil
		})
	}
	return st.Judgements(ctx, id, version, f, func(r *truce.Report, j *truce.Judgement) error {
		s.Add(r, j)
		return nil
	})
}

// Explainer returns a Summary.Explain that renders the judgements of
// agreement version v in lang with j, a judge of that version's agreement
// and the stored sites (adjudicate.Judge.Explain: from the same findings).
// A summary reads reports and judgements without what it does not count
// (their texts), so each case's report and judgement are read whole from
// st first; one that cannot be read keeps its English explanations.
func Explainer(ctx context.Context, st truce.Store, v *truce.AgreementVersion, j *adjudicate.Judge, lang string) func(*truce.Report, *truce.Judgement) *truce.Judgement {
	return func(r *truce.Report, jd *truce.Judgement) *truce.Judgement {
		full, err1 := st.Report(ctx, r.ID)
		stored, err2 := st.Judgement(ctx, v.ID, v.Version, r.ID)
		if err1 != nil || err2 != nil {
			return jd
		}
		x := j.Explain(full, stored, lang)
		out := *jd
		out.Explanation = x.Explanation
		out.Findings = make([]truce.Finding, len(jd.Findings))
		for i, f := range jd.Findings {
			for _, xf := range x.Findings {
				if xf.Commitment == f.Commitment && xf.Phase == f.Phase {
					f.Explanation = xf.Explanation
				}
			}
			out.Findings[i] = f
		}
		return &out
	}
}
