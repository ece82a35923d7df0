package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"truce"
)

// judgementDetail is the stored JSON form of a judgement's facts and
// findings. It is versioned: V changes when the shape does.
type judgementDetail struct {
	V        int             `json:"v"`
	Facts    truce.Facts     `json:"facts"`
	Findings []truce.Finding `json:"findings"`
}

// PutJudgements replaces the judgements of the given reports under one
// agreement version, in one transaction.
func (s *Store) PutJudgements(ctx context.Context, id truce.AgreementID, version int, js []truce.Judgement) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: put judgements: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO judgements (report_id, agreement, version, outcome, explanation, detail)
		VALUES (?,?,?,?,?,?) ON CONFLICT (agreement, version, report_id) DO UPDATE SET
		outcome = excluded.outcome, explanation = excluded.explanation, detail = excluded.detail`)
	if err != nil {
		return fmt.Errorf("sqlite: put judgements: %w", err)
	}
	defer stmt.Close()
	for i := range js {
		j := &js[i]
		detail, err := json.Marshal(judgementDetail{V: 1, Facts: j.Facts, Findings: j.Findings})
		if err != nil {
			return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
		}
		if _, err := stmt.ExecContext(ctx, string(j.Report), string(id), version, int(j.Outcome), j.Explanation, string(detail)); err != nil {
			return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: put judgements: %w", err)
	}
	return nil
}

// Judgements calls fn with each report and its judgement under one
// agreement version, in (start, id) order.
func (s *Store) Judgements(ctx context.Context, id truce.AgreementID, version int, f truce.ReportFilter, fn func(*truce.Report, *truce.Judgement) error) error {
	where, args := filterSQL(f, "r.")
	if where == "" {
		where = " WHERE "
	} else {
		where += " AND "
	}
	where += "j.agreement = ? AND j.version = ?"
	args = append(args, string(id), version)
	rows, err := s.db.QueryContext(ctx, `SELECT r.`+prefixed(reportCols, "r.")+`, j.outcome, j.explanation, j.detail
		FROM judgements j JOIN reports r ON r.id = j.report_id`+where+` ORDER BY r.start_ns, r.id`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: judgements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var jd truce.Judgement
		var outcome int
		var detail string
		r, err := scanReport(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &outcome, &jd.Explanation, &detail)...)
		}))
		if err != nil {
			return fmt.Errorf("sqlite: judgements: %w", err)
		}
		var d judgementDetail
		if err := json.Unmarshal([]byte(detail), &d); err != nil {
			return fmt.Errorf("sqlite: judgement %s detail: %w", r.ID, err)
		}
		jd.Report, jd.Outcome, jd.Facts, jd.Findings = r.ID, truce.Outcome(outcome), d.Facts, d.Findings
		if err := fn(r, &jd); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: judgements: %w", err)
	}
	return nil
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// prefixed qualifies every column of a comma-separated list after the
// first (the caller writes the first one's prefix).
func prefixed(cols, prefix string) string {
	out := []byte{}
	for i := 0; i < len(cols); i++ {
		out = append(out, cols[i])
		if cols[i] == ',' {
			for i+1 < len(cols) && (cols[i+1] == ' ' || cols[i+1] == '\n' || cols[i+1] == '\t') {
				i++
				out = append(out, cols[i])
			}
			out = append(out, prefix...)
		}
	}
	return string(out)
}
