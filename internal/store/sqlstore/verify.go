package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"truce"
	"truce/internal/ledger"
)

// VerifyRows checks the stored rows against the log on one read-only
// snapshot: the driver's own checks (Driver.CheckRows) first, then
// ledger.VerifyRows, which does the checking for both stores alike. A
// mismatch is an error wrapping ledger.ErrLedgerDiverged that names the
// table and the row.
func (c Core) VerifyRows(ctx context.Context) (ledger.RowCheck, error) {
	db, done, err := c.d.Snapshot(ctx)
	if err != nil {
		return ledger.RowCheck{}, fmt.Errorf("verify rows: %w", err)
	}
	defer done()
	if c.d.CheckRows != nil {
		if err := c.d.CheckRows(ctx, db); err != nil {
			return ledger.RowCheck{}, err
		}
	}
	rc, err := ledger.VerifyRows(ctx, rowSource{db, c.d.Dialect})
	if err != nil {
		return rc, err
	}
	// The briefs are derived from rows just checked against the log.
	rc.Briefs, err = checkBriefs(ctx, db)
	return rc, err
}

// rowSource implements ledger.RowSource on a snapshot. Each row comes
// with its log record, joined by its log index (the records' primary
// key).
type rowSource struct {
	db DB
	d  Dialect
}

const verifying = "verify rows"

// recordJoin selects cols of table ("name alias") and then the log record
// its log_index names, ordered by order.
func recordJoin(table, cols, order string) string {
	alias := table[strings.IndexByte(table, ' ')+1:]
	return `SELECT ` + Prefixed(cols, alias+".") + `, l.data FROM ` + table +
		` LEFT JOIN log_records l ON l.idx = ` + alias + `.log_index ORDER BY ` + order
}

// withRecord returns a scan function that reads what scan reads and then
// the log record joined to it, and makes the row with row.
func withRecord[T, R any](scan func(Scanner) (*T, error), row func(*T, []byte) *R) func(Scanner) (*R, error) {
	return func(sc Scanner) (*R, error) {
		var rec []byte
		v, err := scan(WithExtra(sc, &rec))
		if err != nil {
			return nil, err
		}
		return row(v, rec), nil
	}
}

// Records calls fn with every log record, in index order.
func (src rowSource) Records(ctx context.Context, fn func(int64, []byte) error) error {
	return Each(ctx, src.db, verifying, scanRecord, func(r record) error { return fn(r.idx, r.data) },
		`SELECT idx, data FROM log_records ORDER BY idx`)
}

// Reports calls fn with every report.
func (src rowSource) Reports(ctx context.Context, fn func(*ledger.ReportRow) error) error {
	return Each(ctx, src.db, verifying, func(sc Scanner) (*ledger.ReportRow, error) {
		var row ledger.ReportRow
		var sub, inc string
		var created int64
		r, err := ScanReport(src.d, sc, &sub, &inc, &created, &row.LogIndex, &row.Record)
		if err != nil {
			return nil, err
		}
		row.Report, row.SubmittedBy, row.Incident, row.CreatedAt = r, truce.PartyID(sub), truce.IncidentID(inc), unixUTC(created)
		return &row, nil
	}, fn, recordJoin("reports r", ReportCols+", submitted_by, incident_id, created_ns, log_index", "r.log_index"))
}

// Agreements calls fn with every agreement version.
func (src rowSource) Agreements(ctx context.Context, fn func(*ledger.AgreementRow) error) error {
	row := func(v *truce.AgreementVersion, rec []byte) *ledger.AgreementRow {
		return &ledger.AgreementRow{Version: v, Record: rec}
	}
	return Each(ctx, src.db, verifying, withRecord(scanAgreement, row), fn, recordJoin("agreements a", agreementCols, "a.log_index"))
}

// Evidence calls fn with every evidence item, with its bytes.
func (src rowSource) Evidence(ctx context.Context, fn func(*ledger.EvidenceRow) error) error {
	return Each(ctx, src.db, verifying, func(sc Scanner) (*ledger.EvidenceRow, error) {
		var row ledger.EvidenceRow
		ev, err := scanEvidence(WithExtra(sc, &row.Content, &row.LogIndex))
		row.Evidence = ev
		return &row, err
	}, fn, `SELECT `+evidenceCols+`, content, log_index FROM evidence`)
}

// Judgements calls fn with every judgement.
func (src rowSource) Judgements(ctx context.Context, fn func(*ledger.JudgementRow) error) error {
	return Each(ctx, src.db, verifying, func(sc Scanner) (*ledger.JudgementRow, error) {
		var row ledger.JudgementRow
		var report, agreement, perp string
		var detail []byte
		var phases []string
		var outcome int
		if err := sc.Scan(&report, &agreement, &row.Version, &outcome, &row.Explanation, &detail, &perp, src.d.List(&phases),
			&row.LogIndex, &row.Record); err != nil {
			return nil, err
		}
		row.Report, row.Agreement, row.Outcome = truce.ReportID(report), truce.AgreementID(agreement), truce.Outcome(outcome)
		// The JSON is what the record hashes; a packed detail that does not
		// unpack is checked as stored, and fails.
		row.Detail = detail
		if b, err := UnpackDetail(detail); err == nil {
			row.Detail = b
		}
		row.Perpetrator, row.Phases = truce.PartyID(perp), typed[truce.PhaseID](phases)
		var jd truce.Judgement
		if DecodeJudgement(&jd, row.Report, outcome, detail) == nil {
			row.Judgement = &jd
		}
		return &row, nil
	}, fn, recordJoin("judgements j", "report_id, agreement, version, outcome, explanation, detail, perpetrator, phases, log_index",
		"j.log_index, j.agreement, j.version, j.report_id"))
}

// Events calls fn with every incident event.
func (src rowSource) Events(ctx context.Context, fn func(*ledger.EventRow) error) error {
	row := func(e *truce.Event, rec []byte) *ledger.EventRow { return &ledger.EventRow{Event: e, Record: rec} }
	return Each(ctx, src.db, verifying, withRecord(ScanEvent, row), fn, recordJoin("incident_events e", EventCols, "e.id"))
}

// Incidents calls fn with every incident.
func (src rowSource) Incidents(ctx context.Context, fn func(*ledger.IncidentRow) error) error {
	return Each(ctx, src.db, verifying, func(sc Scanner) (*ledger.IncidentRow, error) {
		in, into, err := ScanIncident(src.d, sc)
		return &ledger.IncidentRow{Incident: in, MergedInto: into}, err
	}, fn, `SELECT `+IncidentCols+` FROM incidents ORDER BY id`)
}

// Sites calls fn with every site.
func (src rowSource) Sites(ctx context.Context, fn func(*truce.Site) error) error {
	return Each(ctx, src.db, verifying, scanSite, fn, `SELECT `+siteCols+` FROM sites ORDER BY id`)
}

// Tokens calls fn with every token.
func (src rowSource) Tokens(ctx context.Context, fn func(*truce.Token) error) error {
	return Each(ctx, src.db, verifying, scanToken, fn,
		`SELECT `+tokenCols+` FROM tokens ORDER BY id`)
}

// Current returns the current agreement version as stored.
func (src rowSource) Current(ctx context.Context) (truce.AgreementID, int, bool, error) {
	return storedCurrent(ctx, src.db)
}
