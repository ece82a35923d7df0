package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"truce"
	"truce/internal/ledger"
)

// RowCheck counts what VerifyRows compared.
type RowCheck struct {
	Reports, Agreements, Events, Evidence, Judgements int
}

// VerifyRows checks the stored rows against the log: every report,
// agreement version, incident event, evidence item and judgement must
// match the record its log_index names, and every report, agreement and
// event record must still have its row. A mismatch is returned as an error
// wrapping ledger.ErrLedgerDiverged that names the table and the row.
func (s *Store) VerifyRows(ctx context.Context) (RowCheck, error) {
	var rc RowCheck
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return rc, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	defer tx.Rollback()
	record := func(idx int64, kind, subject string) (*ledger.Record, error) {
		var data []byte
		if err := tx.QueryRowContext(ctx, `SELECT data FROM log_records WHERE idx = ?`, idx).Scan(&data); err != nil {
			return nil, fmt.Errorf("log record %d is missing: %w", idx, ledger.ErrLedgerDiverged)
		}
		rec, err := ledger.DecodeRecord(data)
		if err != nil {
			return nil, fmt.Errorf("log record %d: %w: %w", idx, err, ledger.ErrLedgerDiverged)
		}
		if rec.Kind != kind || rec.Subject != subject {
			return nil, fmt.Errorf("log record %d is %s %q, not %s %q: %w", idx, rec.Kind, rec.Subject, kind, subject, ledger.ErrLedgerDiverged)
		}
		return rec, nil
	}
	diverged := func(what string, idx int64) error {
		return fmt.Errorf("%s does not match log record %d: %w", what, idx, ledger.ErrLedgerDiverged)
	}

	// Reports.
	rows, err := tx.QueryContext(ctx, `SELECT `+reportCols+`, submitted_by, log_index FROM reports ORDER BY log_index`)
	if err != nil {
		return rc, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	type reportRow struct {
		r   *truce.Report
		sub string
		idx int64
	}
	var reps []reportRow
	for rows.Next() {
		var rr reportRow
		rr.r, err = scanReport(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &rr.sub, &rr.idx)...) }))
		if err != nil {
			rows.Close()
			return rc, fmt.Errorf("sqlite: verify rows: %w", err)
		}
		reps = append(reps, rr)
	}
	rows.Close()
	for _, rr := range reps {
		rec, err := record(rr.idx, ledger.KindReport, string(rr.r.ID))
		if err != nil {
			return rc, fmt.Errorf("report %s: %w", rr.r.ID, err)
		}
		var logged ledger.ReportBody
		if err := json.Unmarshal(rec.Body, &logged); err != nil {
			return rc, diverged("report "+string(rr.r.ID), rr.idx)
		}
		mine, err := ledger.ReportRecord(truce.System, rec.At, rr.r, truce.PutOptions{SubmittedBy: truce.PartyID(rr.sub), Published: logged.Published})
		if err != nil {
			return rc, err
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return rc, diverged("report "+string(rr.r.ID), rr.idx)
		}
		rc.Reports++
	}

	// Agreements.
	rows, err = tx.QueryContext(ctx, `SELECT id, version, sha256, bundle, created_ns, log_index FROM agreements ORDER BY log_index`)
	if err != nil {
		return rc, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	var vs []truce.AgreementVersion
	for rows.Next() {
		var v truce.AgreementVersion
		var id string
		var created int64
		if err := rows.Scan(&id, &v.Version, &v.SHA256, &v.Bundle, &created, &v.LogIndex); err != nil {
			rows.Close()
			return rc, fmt.Errorf("sqlite: verify rows: %w", err)
		}
		v.ID, v.CreatedAt = truce.AgreementID(id), time.Unix(0, created).UTC()
		vs = append(vs, v)
	}
	rows.Close()
	for _, v := range vs {
		what := fmt.Sprintf("agreement %s version %d", v.ID, v.Version)
		rec, err := record(v.LogIndex, ledger.KindAgreement, fmt.Sprintf("%s@%d", v.ID, v.Version))
		if err != nil {
			return rc, fmt.Errorf("%s: %w", what, err)
		}
		sum := sha256.Sum256(v.Bundle)
		if hex.EncodeToString(sum[:]) != v.SHA256 {
			return rc, fmt.Errorf("%s: its bundle does not match its SHA-256: %w", what, ledger.ErrLedgerDiverged)
		}
		mine, err := ledger.AgreementRecord(truce.System, rec.At, &v)
		if err != nil {
			return rc, err
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return rc, diverged(what, v.LogIndex)
		}
		rc.Agreements++
	}

	// Incident events, with their evidence.
	rows, err = tx.QueryContext(ctx, `SELECT `+eventCols+` FROM incident_events WHERE kind != 'created' ORDER BY id`)
	if err != nil {
		return rc, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	var evs []truce.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			rows.Close()
			return rc, fmt.Errorf("sqlite: verify rows: %w", err)
		}
		evs = append(evs, *e)
	}
	rows.Close()
	for i := range evs {
		e := &evs[i]
		what := fmt.Sprintf("event %d of incident %s", e.ID, e.Incident)
		rec, err := record(e.LogIndex, ledger.KindEvent, string(e.Incident))
		if err != nil {
			return rc, fmt.Errorf("%s: %w", what, err)
		}
		var ev *truce.Evidence
		if e.Kind == truce.EventEvidence {
			ev = &truce.Evidence{}
			var content []byte
			if err := tx.QueryRowContext(ctx, `SELECT id, sha256, media_type, size, description, content FROM evidence WHERE incident = ? AND id = ?`,
				string(e.Incident), e.Evidence).Scan(&ev.ID, &ev.SHA256, &ev.MediaType, &ev.Size, &ev.Description, &content); err != nil {
				return rc, fmt.Errorf("evidence %s of incident %s is missing: %w", e.Evidence, e.Incident, ledger.ErrLedgerDiverged)
			}
			if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != ev.SHA256 || int64(len(content)) != ev.Size {
				return rc, fmt.Errorf("evidence %s of incident %s: its bytes do not match its SHA-256: %w", e.Evidence, e.Incident, ledger.ErrLedgerDiverged)
			}
			rc.Evidence++
		}
		e.At = rec.At
		mine, err := ledger.EventRecord(truce.System, e, ev)
		if err != nil {
			return rc, err
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return rc, diverged(what, e.LogIndex)
		}
		rc.Events++
	}

	// Judgements: each row's content must match the record it points at
	// (a later version may point at the record of an earlier identical one).
	rows, err = tx.QueryContext(ctx, `SELECT report_id, agreement, version, outcome, explanation, detail, perpetrator, phases, log_index FROM judgements ORDER BY log_index, agreement, version`)
	if err != nil {
		return rc, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	type jrow struct {
		report, agreement, expl, detail, perp, phases string
		version, outcome                              int
		idx                                           int64
	}
	var js []jrow
	for rows.Next() {
		var j jrow
		if err := rows.Scan(&j.report, &j.agreement, &j.version, &j.outcome, &j.expl, &j.detail, &j.perp, &j.phases, &j.idx); err != nil {
			rows.Close()
			return rc, fmt.Errorf("sqlite: verify rows: %w", err)
		}
		js = append(js, j)
	}
	rows.Close()
	for _, j := range js {
		what := fmt.Sprintf("judgement of report %s under %s version %d", j.report, j.agreement, j.version)
		rec, err := record(j.idx, ledger.KindJudgement, j.report)
		if err != nil {
			return rc, fmt.Errorf("%s: %w", what, err)
		}
		var logged ledger.JudgementBody
		if err := json.Unmarshal(rec.Body, &logged); err != nil {
			return rc, diverged(what, j.idx)
		}
		sum := sha256.Sum256([]byte(j.detail))
		if logged.Outcome != truce.Outcome(j.outcome).String() || logged.Explanation != j.expl || logged.DetailSHA256 != hex.EncodeToString(sum[:]) {
			return rc, diverged(what, j.idx)
		}
		// The columns the filters use must agree with the verified detail.
		var jd truce.Judgement
		if err := decodeJudgement(&jd, truce.ReportID(j.report), j.outcome, j.detail); err != nil {
			return rc, diverged(what, j.idx)
		}
		if string(jd.Facts.Perpetrator) != j.perp || phasesOf(&jd) != j.phases {
			return rc, fmt.Errorf("%s: its perpetrator or phases columns do not match its detail: %w", what, ledger.ErrLedgerDiverged)
		}
		rc.Judgements++
	}

	// Every report, agreement and event record still has its row, and the
	// incidents' workflow state and the reports' incidents are what the
	// log's records replay to.
	state := ledger.NewState()
	recRows, err := tx.QueryContext(ctx, `SELECT idx, data FROM log_records ORDER BY idx`)
	if err != nil {
		return rc, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	defer recRows.Close()
	for recRows.Next() {
		var idx int64
		var data []byte
		if err := recRows.Scan(&idx, &data); err != nil {
			return rc, fmt.Errorf("sqlite: verify rows: %w", err)
		}
		rec, err := ledger.DecodeRecord(data)
		if err != nil {
			return rc, fmt.Errorf("log record %d: %w: %w", idx, err, ledger.ErrLedgerDiverged)
		}
		if err := state.Apply(rec); err != nil {
			return rc, fmt.Errorf("log record %d: %w: %w", idx, err, ledger.ErrLedgerDiverged)
		}
		var q string
		switch rec.Kind {
		case ledger.KindReport:
			q = `SELECT COUNT(*) FROM reports WHERE log_index = ?`
		case ledger.KindAgreement:
			q = `SELECT COUNT(*) FROM agreements WHERE log_index = ?`
		case ledger.KindEvent:
			q = `SELECT COUNT(*) FROM incident_events WHERE log_index = ?`
		default:
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, q, idx).Scan(&n); err != nil {
			return rc, fmt.Errorf("sqlite: verify rows: %w", err)
		}
		if n == 0 {
			return rc, fmt.Errorf("log record %d (%s %s) has no row: it was deleted: %w", idx, rec.Kind, rec.Subject, ledger.ErrLedgerDiverged)
		}
	}
	if err := recRows.Err(); err != nil {
		return rc, fmt.Errorf("sqlite: verify rows: %w", err)
	}
	recRows.Close()
	return rc, verifyState(ctx, tx, state)
}

// verifyState compares the incident rows and the reports' incidents with
// the state the log replays to.
func verifyState(ctx context.Context, tx *sql.Tx, st *ledger.State) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, status, published, submitted_by, contested_by, merged_into FROM incidents ORDER BY id`)
	if err != nil {
		return fmt.Errorf("sqlite: verify rows: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, status, sub, contested, merged string
		var published bool
		if err := rows.Scan(&id, &status, &published, &sub, &contested, &merged); err != nil {
			return fmt.Errorf("sqlite: verify rows: %w", err)
		}
		want := st.Incidents[truce.IncidentID(id)]
		if want == nil {
			return fmt.Errorf("incident %s is not opened by any log record: %w", id, ledger.ErrLedgerDiverged)
		}
		if string(want.Status) != status || want.Published != published || string(want.SubmittedBy) != sub ||
			bars(strs(want.ContestedBy)) != contested || string(want.MergedInto) != merged {
			return fmt.Errorf("incident %s: its status, publication, submitter, contestants or merge do not match the log: %w", id, ledger.ErrLedgerDiverged)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: verify rows: %w", err)
	}
	if n != len(st.Incidents) {
		return fmt.Errorf("%d incidents are stored but the log opens %d: %w", n, len(st.Incidents), ledger.ErrLedgerDiverged)
	}
	rrows, err := tx.QueryContext(ctx, `SELECT id, incident_id FROM reports`)
	if err != nil {
		return fmt.Errorf("sqlite: verify rows: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var id, inc string
		if err := rrows.Scan(&id, &inc); err != nil {
			return fmt.Errorf("sqlite: verify rows: %w", err)
		}
		if st.ReportOf[truce.ReportID(id)] != truce.IncidentID(inc) {
			return fmt.Errorf("report %s: it belongs to incident %s, but the log puts it in %s: %w", id, inc, st.ReportOf[truce.ReportID(id)], ledger.ErrLedgerDiverged)
		}
	}
	return rrows.Err()
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
