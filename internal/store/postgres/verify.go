package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/ledger"
)

// RowCheck counts what VerifyRows compared.
type RowCheck struct {
	Reports, Agreements, Events, Evidence, Judgements int
}

// VerifyRows checks the stored rows against the log, on one read-only
// snapshot: every report, agreement version, incident event, evidence item
// and judgement must match the record its log_index names (rebuilt with
// the ledger's record builders, so a log copied from another backend
// verifies too), and every report, agreement and event record must still
// have its row. A mismatch is returned as an error wrapping
// ledger.ErrLedgerDiverged that names the table and the row.
func (s *Store) VerifyRows(ctx context.Context) (RowCheck, error) {
	var rc RowCheck
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return rc, fmt.Errorf("postgres: verify rows: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	v := verifier{ctx: ctx, tx: tx}
	for _, step := range []func(*RowCheck) error{v.reports, v.agreements, v.events, v.judgements, v.orphans, v.state} {
		if err := step(&rc); err != nil {
			return rc, err
		}
	}
	return rc, nil
}

type verifier struct {
	ctx context.Context
	tx  pgx.Tx
}

// record decodes log record idx, given its stored bytes (nil if the row is
// absent); it must be of the given kind and subject.
func record(idx int64, data []byte, kind, subject string) (*ledger.Record, error) {
	if data == nil {
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

func diverged(what string, idx int64) error {
	return fmt.Errorf("%s does not match log record %d: %w", what, idx, ledger.ErrLedgerDiverged)
}

// each streams the rows of q, each joined with the bytes of the record it
// points at, to check; one pass, no query per row.
func (v verifier) each(q string, check func(pgx.Rows) error) error {
	rows, err := v.tx.Query(v.ctx, q)
	if err != nil {
		return fmt.Errorf("postgres: verify rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := check(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: verify rows: %w", err)
	}
	return nil
}

func (v verifier) reports(rc *RowCheck) error {
	return v.each(`SELECT `+prefixed(reportCols, "r.")+`, r.submitted_by, r.log_index, l.data
		FROM reports r LEFT JOIN log_records l ON l.idx = r.log_index ORDER BY r.log_index`, func(rows pgx.Rows) error {
		var sub string
		var idx int64
		var data []byte
		r, err := scanReport(rows, &sub, &idx, &data)
		if err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		rec, err := record(idx, data, ledger.KindReport, string(r.ID))
		if err != nil {
			return fmt.Errorf("report %s: %w", r.ID, err)
		}
		var logged ledger.ReportBody
		if err := json.Unmarshal(rec.Body, &logged); err != nil {
			return diverged("report "+string(r.ID), idx)
		}
		mine, err := ledger.ReportRecord(truce.System, rec.At, r, truce.PutOptions{SubmittedBy: truce.PartyID(sub), Published: logged.Published})
		if err != nil {
			return err
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return diverged("report "+string(r.ID), idx)
		}
		rc.Reports++
		return nil
	})
}

func (v verifier) agreements(rc *RowCheck) error {
	return v.each(`SELECT a.id, a.version, a.sha256, a.bundle, a.created_ns, a.log_index, l.data
		FROM agreements a LEFT JOIN log_records l ON l.idx = a.log_index ORDER BY a.log_index`, func(rows pgx.Rows) error {
		var data []byte
		a, err := scanAgreement(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &data)...) }))
		if err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		what := fmt.Sprintf("agreement %s version %d", a.ID, a.Version)
		rec, err := record(a.LogIndex, data, ledger.KindAgreement, fmt.Sprintf("%s@%d", a.ID, a.Version))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if sum := sha256.Sum256(a.Bundle); hex.EncodeToString(sum[:]) != a.SHA256 {
			return fmt.Errorf("%s: its bundle does not match its SHA-256: %w", what, ledger.ErrLedgerDiverged)
		}
		mine, err := ledger.AgreementRecord(truce.System, rec.At, a)
		if err != nil {
			return err
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return diverged(what, a.LogIndex)
		}
		rc.Agreements++
		return nil
	})
}

// events checks every event but the "created" ones (whose record is the
// report's), with the evidence item of each evidence event.
func (v verifier) events(rc *RowCheck) error {
	return v.each(`SELECT `+prefixed(eventCols, "e.")+`, l.data,
			ev.id, ev.sha256, ev.media_type, ev.size, ev.description, ev.content
		FROM incident_events e
		LEFT JOIN log_records l ON l.idx = e.log_index
		LEFT JOIN evidence ev ON e.kind = 'evidence' AND ev.incident = e.incident AND ev.id = e.evidence
		WHERE e.kind <> 'created' ORDER BY e.id`, func(rows pgx.Rows) error {
		var data, content []byte
		var evID, evSHA, evType, evDesc *string
		var evSize *int64
		e, err := scanEvent(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &data, &evID, &evSHA, &evType, &evSize, &evDesc, &content)...)
		}))
		if err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		what := fmt.Sprintf("event %d of incident %s", e.ID, e.Incident)
		rec, err := record(e.LogIndex, data, ledger.KindEvent, string(e.Incident))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var ev *truce.Evidence
		if e.Kind == truce.EventEvidence {
			if evID == nil {
				return fmt.Errorf("evidence %s of incident %s is missing: %w", e.Evidence, e.Incident, ledger.ErrLedgerDiverged)
			}
			ev = &truce.Evidence{ID: *evID, SHA256: *evSHA, MediaType: *evType, Size: *evSize, Description: *evDesc}
			if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != ev.SHA256 || int64(len(content)) != ev.Size {
				return fmt.Errorf("evidence %s of incident %s: its bytes do not match its SHA-256: %w", e.Evidence, e.Incident, ledger.ErrLedgerDiverged)
			}
			rc.Evidence++
		}
		e.At = rec.At
		mine, err := ledger.EventRecord(truce.System, e, ev)
		if err != nil {
			return err
		}
		if !bytes.Equal(mine.Body, rec.Body) {
			return diverged(what, e.LogIndex)
		}
		rc.Events++
		return nil
	})
}

// judgements checks each row's content against the record it points at
// (a later version may point at the record of an earlier identical one).
func (v verifier) judgements(rc *RowCheck) error {
	return v.each(`SELECT j.report_id, j.agreement, j.version, j.outcome, j.explanation, j.detail, j.perpetrator, j.phases, j.log_index, l.data
		FROM judgements j LEFT JOIN log_records l ON l.idx = j.log_index
		ORDER BY j.log_index, j.agreement, j.version, j.report_id`, func(rows pgx.Rows) error {
		var report, agreement, expl, detail, perp string
		var phases []string
		var version int32
		var outcome int16
		var idx int64
		var data []byte
		if err := rows.Scan(&report, &agreement, &version, &outcome, &expl, &detail, &perp, &phases, &idx, &data); err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		what := fmt.Sprintf("judgement of report %s under %s version %d", report, agreement, version)
		rec, err := record(idx, data, ledger.KindJudgement, report)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var logged ledger.JudgementBody
		if err := json.Unmarshal(rec.Body, &logged); err != nil {
			return diverged(what, idx)
		}
		sum := sha256.Sum256([]byte(detail))
		if logged.Outcome != truce.Outcome(outcome).String() || logged.Explanation != expl || logged.DetailSHA256 != hex.EncodeToString(sum[:]) {
			return diverged(what, idx)
		}
		// The columns the filters use must agree with the verified detail.
		var jd truce.Judgement
		if err := decodeJudgement(&jd, truce.ReportID(report), outcome, detail); err != nil {
			return diverged(what, idx)
		}
		if string(jd.Facts.Perpetrator) != perp || !slices.Equal(phasesOf(&jd), phases) {
			return fmt.Errorf("%s: its perpetrator or phases columns do not match its detail: %w", what, ledger.ErrLedgerDiverged)
		}
		rc.Judgements++
		return nil
	})
}

// orphans checks that every report, agreement and event record still has
// its row. The records' kind is read in Go (DecodeRecord), not with SQL on
// the bytes, so the check does not depend on the encoding.
func (v verifier) orphans(*RowCheck) error {
	return v.each(`SELECT r.idx, r.data FROM log_records r
		WHERE NOT EXISTS (SELECT 1 FROM reports WHERE log_index = r.idx)
		AND NOT EXISTS (SELECT 1 FROM agreements WHERE log_index = r.idx)
		AND NOT EXISTS (SELECT 1 FROM incident_events WHERE log_index = r.idx)
		ORDER BY r.idx`, func(rows pgx.Rows) error {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		rec, err := ledger.DecodeRecord(data)
		if err != nil {
			return fmt.Errorf("log record %d: %w: %w", idx, err, ledger.ErrLedgerDiverged)
		}
		switch rec.Kind {
		case ledger.KindReport, ledger.KindAgreement, ledger.KindEvent:
			return fmt.Errorf("log record %d (%s %s) has no row: it was deleted: %w", idx, rec.Kind, rec.Subject, ledger.ErrLedgerDiverged)
		}
		return nil
	})
}

// state replays the log and compares the incidents' workflow state and the
// reports' incidents with the rows.
func (v verifier) state(*RowCheck) error {
	st := ledger.NewState()
	if err := v.each(`SELECT idx, data FROM log_records ORDER BY idx`, func(rows pgx.Rows) error {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		rec, err := ledger.DecodeRecord(data)
		if err == nil {
			err = st.Apply(rec)
		}
		if err != nil {
			return fmt.Errorf("log record %d: %w: %w", idx, err, ledger.ErrLedgerDiverged)
		}
		return nil
	}); err != nil {
		return err
	}
	n := 0
	if err := v.each(`SELECT id, status, published, submitted_by, contested_by, merged_into FROM incidents ORDER BY id`, func(rows pgx.Rows) error {
		var id, status, sub, merged string
		var contested []string
		var published bool
		if err := rows.Scan(&id, &status, &published, &sub, &contested, &merged); err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		want := st.Incidents[truce.IncidentID(id)]
		if want == nil {
			return fmt.Errorf("incident %s is not opened by any log record: %w", id, ledger.ErrLedgerDiverged)
		}
		got := slices.Clone(contested)
		slices.Sort(got)
		wantC := make([]string, len(want.ContestedBy))
		for i, p := range want.ContestedBy {
			wantC[i] = string(p)
		}
		if string(want.Status) != status || want.Published != published || string(want.SubmittedBy) != sub ||
			!slices.Equal(wantC, got) || string(want.MergedInto) != merged {
			return fmt.Errorf("incident %s: its status, publication, submitter, contestants or merge do not match the log: %w", id, ledger.ErrLedgerDiverged)
		}
		n++
		return nil
	}); err != nil {
		return err
	}
	if n != len(st.Incidents) {
		return fmt.Errorf("%d incidents are stored but the log opens %d: %w", n, len(st.Incidents), ledger.ErrLedgerDiverged)
	}
	return v.each(`SELECT id, incident_id FROM reports`, func(rows pgx.Rows) error {
		var id, inc string
		if err := rows.Scan(&id, &inc); err != nil {
			return fmt.Errorf("postgres: verify rows: %w", err)
		}
		if st.ReportOf[truce.ReportID(id)] != truce.IncidentID(inc) {
			return fmt.Errorf("report %s: it belongs to incident %s, but the log puts it in %s: %w", id, inc, st.ReportOf[truce.ReportID(id)], ledger.ErrLedgerDiverged)
		}
		return nil
	})
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
