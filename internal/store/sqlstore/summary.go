package sqlstore

import (
	"context"
	"fmt"

	"truce"
)

// SummaryJudgements calls fn with every report f selects and its
// judgement under one agreement version, in (start, id) order, as a
// period summary reads them: from their briefs (EncodeBrief), which hold
// only the fields report.Summary.Add reads. fn may keep the report, not
// the judgement: its memory is reused after fn returns. Counted the same as
// Judgements, and far cheaper: one short row per report, read in the
// order of the briefs' primary key. The reports and incidents are read
// only to apply f's incidents and visibility.
func (c Core) SummaryJudgements(ctx context.Context, id truce.AgreementID, version int, f truce.ReportFilter, fn func(r *truce.Report, j *truce.Judgement, textKey string) error) error {
	// The period on the briefs' own start; the rest of f on the reports.
	when, args := ReportWhere(truce.ReportFilter{Since: f.Since, Until: f.Until}, "b.", []any{string(id), version})
	where := append([]string{"b.agreement = $1", "b.version = $2"}, when...)
	var of []string
	of, args = ReportWhere(truce.ReportFilter{Incidents: f.Incidents, Visible: f.Visible}, "r.", args)
	if len(of) > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM reports r"+Where(append([]string{"r.id = b.report_id"}, of...))+")")
	}
	// The rows are read on a goroutine of their own, in batches, while
	// the caller's goroutine decodes and counts those read before: two
	// cores, one summary. A batch keeps its rows' briefs in one buffer;
	// its buffers are reused once fn has seen its rows. The reports are
	// fn's to keep, the judgements are not.
	type row struct {
		id       string
		at       int64
		from, to int // the brief: raw[from:to]
	}
	type batch struct {
		rows     []row
		raw      []byte
		js       []truce.Judgement
		findings []truce.Finding
	}
	const batchSize = 512
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches, free := make(chan *batch, 4), make(chan *batch, 8)
	read := make(chan error, 1)
	go func() {
		defer close(batches)
		var b *batch
		start := func() {
			select {
			case b = <-free:
				b.rows, b.raw = b.rows[:0], b.raw[:0]
			default:
				b = &batch{rows: make([]row, 0, batchSize), raw: make([]byte, 0, 256*batchSize),
					js: make([]truce.Judgement, batchSize), findings: make([]truce.Finding, 8*batchSize)}
			}
		}
		send := func() error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		start()
		err := Each(ctx, c.d.DB, "summary", func(s Scanner) (row, error) {
			var r row
			var brief []byte
			if err := s.Scan(&r.id, &r.at, c.d.Dialect.Borrow(&brief)); err != nil {
				return r, err
			}
			r.from = len(b.raw)
			b.raw = append(b.raw, brief...)
			r.to = len(b.raw)
			return r, nil
		}, func(r row) error {
			if b.rows = append(b.rows, r); len(b.rows) < batchSize {
				return nil
			}
			if err := send(); err != nil {
				return err
			}
			start()
			return nil
		}, `SELECT b.report_id, b.start_ns, b.brief FROM judgement_briefs b`+Where(where)+` ORDER BY b.agreement, b.version, b.start_ns, b.report_id`, args...)
		if err == nil && len(b.rows) > 0 {
			err = send()
		}
		read <- err
	}()
	fail := func(err error) error {
		cancel()
		for range batches {
		}
		return err
	}
	sc := &briefScratch{interned: map[string]string{}}
	for b := range batches {
		reports := make([]truce.Report, len(b.rows))
		sc.findings = b.findings
		for k, rw := range b.rows {
			r, j := &reports[k], &b.js[k]
			key, err := decodeBrief(truce.ReportID(rw.id), rw.at, b.raw[rw.from:rw.to], sc, r, j)
			if err != nil {
				return fail(fmt.Errorf("summary: %w", err))
			}
			if err := fn(r, j, key); err != nil {
				return fail(err) // fn's, as it is
			}
		}
		select {
		case free <- b:
		default:
		}
	}
	return <-read
}
