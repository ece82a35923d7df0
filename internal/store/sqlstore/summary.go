package sqlstore

import (
	"context"
	"fmt"

	"truce"
)

// SummaryJudgements calls fn with every report f selects and its
// judgement under one agreement version, in (start, id) order, as a
// period summary reads them: from their briefs (EncodeBrief), which hold
// only the fields report.Summary.Add reads. Counted the same as
// Judgements, and far cheaper: one short row per report, read in the
// order of the briefs' primary key. The reports and incidents are read
// only to apply f's incidents and visibility.
func (c Core) SummaryJudgements(ctx context.Context, id truce.AgreementID, version int, f truce.ReportFilter, fn func(r *truce.Report, j *truce.Judgement, textKey string) error) error {
	args := []any{string(id), version}
	where := []string{"b.agreement = $1", "b.version = $2"}
	if f.Since != nil {
		args = append(args, f.Since.UnixNano())
		where = append(where, fmt.Sprintf("b.start_ns >= $%d", len(args)))
	}
	if f.Until != nil {
		args = append(args, f.Until.UnixNano())
		where = append(where, fmt.Sprintf("b.start_ns < $%d", len(args)))
	}
	var of []string
	of, args = ReportWhere(truce.ReportFilter{Incidents: f.Incidents, Visible: f.Visible}, "r.", args)
	if len(of) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM reports r"+Where(append([]string{"r.id = b.report_id"}, of...))+")")
	}
	type judged struct {
		r   *truce.Report
		jd  *truce.Judgement
		key string
	}
	// The rows are read and decoded on a goroutine of their own, in
	// batches, while fn counts those read before: two cores, one summary.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const batchSize = 512
	batches := make(chan []judged, 4)
	read := make(chan error, 1)
	go func() {
		defer close(batches)
		send := func(b []judged) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		batch := make([]judged, 0, batchSize)
		interned := map[string]string{}
		err := Each(ctx, c.d.DB, "summary", func(sc Scanner) (judged, error) {
			var rid string
			var start int64
			var brief []byte
			if err := sc.Scan(&rid, &start, &brief); err != nil {
				return judged{}, err
			}
			r, jd, key, err := decodeBrief(truce.ReportID(rid), start, brief, interned)
			return judged{r, jd, key}, err
		}, func(j judged) error {
			if batch = append(batch, j); len(batch) < batchSize {
				return nil
			}
			err := send(batch)
			batch = make([]judged, 0, batchSize)
			return err
		}, `SELECT b.report_id, b.start_ns, b.brief FROM judgement_briefs b`+Where(where)+` ORDER BY b.agreement, b.version, b.start_ns, b.report_id`, args...)
		if err == nil && len(batch) > 0 {
			err = send(batch)
		}
		read <- err
	}()
	for b := range batches {
		for _, j := range b {
			if err := fn(j.r, j.jd, j.key); err != nil {
				cancel()
				for range batches {
				}
				return err
			}
		}
	}
	return <-read
}
