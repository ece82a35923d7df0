package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/ledger"
)

// RowCheck counts what VerifyRows compared.
type RowCheck = ledger.RowCheck

// VerifyRows checks the stored rows against the log on one read-only
// snapshot (ledger.VerifyRows does the checking): every row a page, an
// export or a permission decision reads must match the record it names or
// what the log's records derive it to. A mismatch is returned as an error
// wrapping ledger.ErrLedgerDiverged that names the table and the row.
func (s *Store) VerifyRows(ctx context.Context) (RowCheck, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return RowCheck{}, fmt.Errorf("postgres: verify rows: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	return ledger.VerifyRows(ctx, rowSource{tx})
}

// rowSource implements ledger.RowSource on a read-only transaction. Each
// row comes with its log record, joined by its log index.
type rowSource struct{ tx pgx.Tx }

// each runs q and calls fn on every row.
func (src rowSource) each(ctx context.Context, q string, fn func(pgx.Rows) error) error {
	rows, err := src.tx.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("postgres: verify rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: verify rows: %w", err)
	}
	return nil
}

func scanErr(err error) error { return fmt.Errorf("postgres: verify rows: %w", err) }

func (src rowSource) Records(ctx context.Context, fn func(int64, []byte) error) error {
	return src.each(ctx, `SELECT idx, data FROM log_records ORDER BY idx`, func(rows pgx.Rows) error {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return scanErr(err)
		}
		return fn(idx, data)
	})
}

func (src rowSource) Reports(ctx context.Context, fn func(*ledger.ReportRow) error) error {
	return src.each(ctx, `SELECT `+prefixed(reportCols, "r.")+`, r.submitted_by, r.incident_id, r.created_ns, r.log_index, l.data
		FROM reports r LEFT JOIN log_records l ON l.idx = r.log_index ORDER BY r.log_index`, func(rows pgx.Rows) error {
		var row ledger.ReportRow
		var sub, inc string
		var created int64
		r, err := scanReport(rows, &sub, &inc, &created, &row.LogIndex, &row.Record)
		if err != nil {
			return scanErr(err)
		}
		row.Report, row.SubmittedBy, row.Incident, row.CreatedAt = r, truce.PartyID(sub), truce.IncidentID(inc), time.Unix(0, created).UTC()
		return fn(&row)
	})
}

func (src rowSource) Agreements(ctx context.Context, fn func(*ledger.AgreementRow) error) error {
	return src.each(ctx, `SELECT a.id, a.version, a.sha256, a.bundle, a.created_ns, a.log_index, l.data
		FROM agreements a LEFT JOIN log_records l ON l.idx = a.log_index ORDER BY a.log_index`, func(rows pgx.Rows) error {
		var row ledger.AgreementRow
		v, err := scanAgreement(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &row.Record)...) }))
		if err != nil {
			return scanErr(err)
		}
		row.Version = v
		return fn(&row)
	})
}

func (src rowSource) Evidence(ctx context.Context, fn func(*ledger.EvidenceRow) error) error {
	return src.each(ctx, `SELECT id, incident, sha256, media_type, size, description, added_by, at_ns, content, log_index FROM evidence`, func(rows pgx.Rows) error {
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
	return src.each(ctx, `SELECT `+prefixed(eventCols, "e.")+`, l.data
		FROM incident_events e LEFT JOIN log_records l ON l.idx = e.log_index ORDER BY e.id`, func(rows pgx.Rows) error {
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
		FROM judgements j LEFT JOIN log_records l ON l.idx = j.log_index ORDER BY j.log_index, j.agreement, j.version, j.report_id`, func(rows pgx.Rows) error {
		var row ledger.JudgementRow
		var report, agreement, detail, perp string
		var phases []string
		var version int32
		var outcome int16
		if err := rows.Scan(&report, &agreement, &version, &outcome, &row.Explanation, &detail, &perp, &phases, &row.LogIndex, &row.Record); err != nil {
			return scanErr(err)
		}
		row.Report, row.Agreement, row.Version, row.Outcome = truce.ReportID(report), truce.AgreementID(agreement), int(version), truce.Outcome(outcome)
		row.Detail, row.Perpetrator = []byte(detail), truce.PartyID(perp)
		for _, p := range phases {
			row.Phases = append(row.Phases, truce.PhaseID(p))
		}
		var jd truce.Judgement
		if decodeJudgement(&jd, row.Report, outcome, detail) == nil {
			row.Judgement = &jd
		}
		return fn(&row)
	})
}

func (src rowSource) Incidents(ctx context.Context, fn func(*ledger.IncidentRow) error) error {
	return src.each(ctx, `SELECT `+incidentCols+` FROM incidents ORDER BY id`, func(rows pgx.Rows) error {
		in, merged, err := scanIncident(rows)
		if err != nil {
			return scanErr(err)
		}
		return fn(&ledger.IncidentRow{Incident: in, MergedInto: truce.IncidentID(merged)})
	})
}

func (src rowSource) Sites(ctx context.Context, fn func(*truce.Site) error) error {
	return src.each(ctx, `SELECT `+siteCols+` FROM sites ORDER BY id`, func(rows pgx.Rows) error {
		site, err := scanSite(rows)
		if err != nil {
			return scanErr(err)
		}
		return fn(site)
	})
}

func (src rowSource) Tokens(ctx context.Context, fn func(*truce.Token) error) error {
	return src.each(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY id`, func(rows pgx.Rows) error {
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
func storedCurrent(ctx context.Context, q querier) (truce.AgreementID, int, bool, error) {
	var id truce.AgreementID
	version, ok := 0, false
	rows, err := q.Query(ctx, `SELECT key, value FROM settings WHERE key IN ('current_agreement', 'current_version')`)
	if err != nil {
		return "", 0, false, fmt.Errorf("postgres: settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return "", 0, false, fmt.Errorf("postgres: settings: %w", err)
		}
		ok = true
		if k == "current_agreement" {
			id = truce.AgreementID(v)
		} else if version, err = strconv.Atoi(v); err != nil {
			version = -1
		}
	}
	if err := rows.Err(); err != nil {
		return "", 0, false, fmt.Errorf("postgres: settings: %w", err)
	}
	return id, version, ok, nil
}

// scanFunc adapts a function to the scanner the scan helpers take, so
// that a query can select more columns than they read.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
