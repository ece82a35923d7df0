package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"truce"
	"truce/internal/ledger"
)

// RowCheck counts what VerifyRows compared.
type RowCheck = ledger.RowCheck

// VerifyRows checks the stored rows against the log on one read snapshot
// (ledger.VerifyRows does the checking): every row a page, an export or a
// permission decision reads must match the record it names or what the
// log's records derive it to. A mismatch is returned as an error wrapping
// ledger.ErrLedgerDiverged that names the table and the row.
func (s *Store) VerifyRows(ctx context.Context) (RowCheck, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return RowCheck{}, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	defer tx.Rollback()
	return ledger.VerifyRows(ctx, rowSource{tx})
}

// rowSource implements ledger.RowSource on a read transaction. Each row
// comes with its log record, joined by its log index (the records' primary
// key).
type rowSource struct{ tx *sql.Tx }

// each runs q and calls fn on every row.
func (src rowSource) each(ctx context.Context, q string, fn func(*sql.Rows) error) error {
	rows, err := src.tx.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("sqlite: verify rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: verify rows: %w", err)
	}
	return nil
}

func scanErr(err error) error { return fmt.Errorf("sqlite: verify rows: %w", err) }

func (src rowSource) Records(ctx context.Context, fn func(int64, []byte) error) error {
	return src.each(ctx, `SELECT idx, data FROM log_records ORDER BY idx`, func(rows *sql.Rows) error {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return scanErr(err)
		}
		return fn(idx, data)
	})
}

func (src rowSource) Reports(ctx context.Context, fn func(*ledger.ReportRow) error) error {
	return src.each(ctx, `SELECT r.`+prefixed(reportCols, "r.")+`, r.submitted_by, r.incident_id, r.created_ns, r.log_index, l.data
		FROM reports r LEFT JOIN log_records l ON l.idx = r.log_index ORDER BY r.log_index`, func(rows *sql.Rows) error {
		var row ledger.ReportRow
		var sub, inc string
		var created int64
		r, err := scanReport(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &sub, &inc, &created, &row.LogIndex, &row.Record)...)
		}))
		if err != nil {
			return scanErr(err)
		}
		row.Report, row.SubmittedBy, row.Incident, row.CreatedAt = r, truce.PartyID(sub), truce.IncidentID(inc), time.Unix(0, created).UTC()
		return fn(&row)
	})
}

func (src rowSource) Agreements(ctx context.Context, fn func(*ledger.AgreementRow) error) error {
	return src.each(ctx, `SELECT a.id, a.version, a.sha256, a.bundle, a.created_ns, a.log_index, l.data
		FROM agreements a LEFT JOIN log_records l ON l.idx = a.log_index ORDER BY a.log_index`, func(rows *sql.Rows) error {
		var v truce.AgreementVersion
		var row ledger.AgreementRow
		var id string
		var created int64
		if err := rows.Scan(&id, &v.Version, &v.SHA256, &v.Bundle, &created, &v.LogIndex, &row.Record); err != nil {
			return scanErr(err)
		}
		v.ID, v.CreatedAt = truce.AgreementID(id), time.Unix(0, created).UTC()
		row.Version = &v
		return fn(&row)
	})
}

func (src rowSource) Evidence(ctx context.Context, fn func(*ledger.EvidenceRow) error) error {
	return src.each(ctx, `SELECT id, incident, sha256, media_type, size, description, added_by, at_ns, content, log_index FROM evidence`, func(rows *sql.Rows) error {
		var ev truce.Evidence
		var row ledger.EvidenceRow
		var inc string
		var at int64
		if err := rows.Scan(&ev.ID, &inc, &ev.SHA256, &ev.MediaType, &ev.Size, &ev.Description, &ev.AddedBy, &at, &row.Content, &row.LogIndex); err != nil {
			return scanErr(err)
		}
		ev.Incident, ev.At = truce.IncidentID(inc), time.Unix(0, at).UTC()
		row.Evidence = &ev
		return fn(&row)
	})
}

func (src rowSource) Events(ctx context.Context, fn func(*ledger.EventRow) error) error {
	return src.each(ctx, `SELECT e.`+prefixed(eventCols, "e.")+`, l.data
		FROM incident_events e LEFT JOIN log_records l ON l.idx = e.log_index ORDER BY e.id`, func(rows *sql.Rows) error {
		var row ledger.EventRow
		e, err := scanEvent(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &row.Record)...) }))
		if err != nil {
			return scanErr(err)
		}
		row.Event = e
		return fn(&row)
	})
}

func (src rowSource) Judgements(ctx context.Context, fn func(*ledger.JudgementRow) error) error {
	return src.each(ctx, `SELECT j.report_id, j.agreement, j.version, j.outcome, j.explanation, j.detail, j.perpetrator, j.phases, j.log_index, l.data
		FROM judgements j LEFT JOIN log_records l ON l.idx = j.log_index ORDER BY j.log_index, j.agreement, j.version, j.report_id`, func(rows *sql.Rows) error {
		var row ledger.JudgementRow
		var report, agreement, detail, perp, phases string
		var outcome int
		if err := rows.Scan(&report, &agreement, &row.Version, &outcome, &row.Explanation, &detail, &perp, &phases, &row.LogIndex, &row.Record); err != nil {
			return scanErr(err)
		}
		row.Report, row.Agreement, row.Outcome, row.Detail, row.Perpetrator = truce.ReportID(report), truce.AgreementID(agreement),
			truce.Outcome(outcome), []byte(detail), truce.PartyID(perp)
		var jd truce.Judgement
		if decodeJudgement(&jd, row.Report, outcome, detail) == nil {
			row.Judgement = &jd
		}
		var err error
		if row.Phases, err = barsColumn[truce.PhaseID](phases); err != nil {
			return fmt.Errorf("judgement of report %s under %s version %d: phases: %w", report, agreement, row.Version, err)
		}
		return fn(&row)
	})
}

// barsColumn reads a |a|b| column, which must be in the form bars writes:
// the filters match |a| in it, so another spelling of the same list
// would read the same but filter differently.
func barsColumn[T ~string](s string) ([]T, error) {
	xs := unbars(s)
	if bars(xs) != s {
		return nil, fmt.Errorf("%q is not a |-delimited list: %w", s, ledger.ErrLedgerDiverged)
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out, nil
}

func (src rowSource) Incidents(ctx context.Context, fn func(*ledger.IncidentRow) error) error {
	return src.each(ctx, `SELECT `+incidentCols+`, merged_into, contested_by, parties, phases, published FROM incidents ORDER BY id`, func(rows *sql.Rows) error {
		var row ledger.IncidentRow
		var merged, contested, parties, phases string
		var published int64
		in, err := scanIncident(rows, &merged, &contested, &parties, &phases, &published)
		if err != nil {
			return scanErr(err)
		}
		// The filters read these columns raw: they must be in the one
		// form the store writes.
		for _, col := range []string{contested, parties, phases} {
			if _, err := barsColumn[string](col); err != nil {
				return fmt.Errorf("incident %s: %w", in.ID, err)
			}
		}
		if published != 0 && published != 1 {
			return fmt.Errorf("incident %s: published is %d, not 0 or 1: %w", in.ID, published, ledger.ErrLedgerDiverged)
		}
		row.Incident, row.MergedInto = in, truce.IncidentID(merged)
		return fn(&row)
	})
}

func (src rowSource) Sites(ctx context.Context, fn func(*truce.Site) error) error {
	return src.each(ctx, `SELECT `+siteCols+` FROM sites ORDER BY id`, func(rows *sql.Rows) error {
		site, err := scanSite(rows)
		if err != nil {
			return scanErr(err)
		}
		return fn(site)
	})
}

func (src rowSource) Tokens(ctx context.Context, fn func(*truce.Token) error) error {
	return src.each(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY id`, func(rows *sql.Rows) error {
		t, err := scanToken(rows)
		if err != nil {
			return scanErr(err)
		}
		return fn(t)
	})
}

func (src rowSource) Current(ctx context.Context) (truce.AgreementID, int, bool, error) {
	return storedCurrent(ctx, src.tx)
}

// storedCurrent reads the current agreement version as stored in
// settings, without the fallback the readers apply when there is none.
func storedCurrent(ctx context.Context, q queryer) (truce.AgreementID, int, bool, error) {
	var id truce.AgreementID
	version, ok := 0, false
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN ('current_agreement', 'current_version')`)
	if err != nil {
		return "", 0, false, fmt.Errorf("sqlite: settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return "", 0, false, fmt.Errorf("sqlite: settings: %w", err)
		}
		ok = true
		if k == "current_agreement" {
			id = truce.AgreementID(v)
		} else if version, err = strconv.Atoi(v); err != nil {
			version = -1
		}
	}
	if err := rows.Err(); err != nil {
		return "", 0, false, fmt.Errorf("sqlite: settings: %w", err)
	}
	return id, version, ok, nil
}
