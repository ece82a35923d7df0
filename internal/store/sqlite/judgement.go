package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"truce"
	"truce/internal/ledger"
)

// judgementDetail is the stored JSON form of a judgement's facts and
// findings. It is versioned: V changes when the shape does.
type judgementDetail struct {
	V        int             `json:"v"`
	Facts    truce.Facts     `json:"facts"`
	Findings []truce.Finding `json:"findings"`
}

func encodeDetail(j *truce.Judgement) ([]byte, error) {
	return json.Marshal(judgementDetail{V: 1, Facts: j.Facts, Findings: j.Findings})
}

// phasesOf lists, as |a|b|, the phases with a finding other than
// not_prohibited.
func phasesOf(j *truce.Judgement) string {
	var ps []string
	for _, f := range j.Findings {
		if f.Outcome != truce.OutcomeNotProhibited && !slices.Contains(ps, string(f.Phase)) {
			ps = append(ps, string(f.Phase))
		}
	}
	if len(ps) == 0 {
		return ""
	}
	return "|" + strings.Join(ps, "|") + "|"
}

// PutJudgements stores judgements under one agreement version. A judgement
// that differs from the report's latest stored one (under any version) is
// logged; an unchanged one points at the record that already holds it.
// When the version is the current agreement, the incidents of the reports
// take their figures from these judgements.
func (s *Store) PutJudgements(ctx context.Context, by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement) (int, error) {
	changed := 0
	err := s.write(ctx, func(w *writeTx) error {
		prev, err := w.PrepareContext(ctx, `SELECT outcome, explanation, detail, log_index FROM judgements
			WHERE report_id = ? ORDER BY log_index DESC LIMIT 1`)
		if err != nil {
			return fmt.Errorf("sqlite: put judgements: %w", err)
		}
		defer prev.Close()
		put, err := w.PrepareContext(ctx, `INSERT INTO judgements (report_id, agreement, version, outcome, explanation, detail, perpetrator, phases, log_index)
			VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (agreement, version, report_id) DO UPDATE SET
			outcome = excluded.outcome, explanation = excluded.explanation, detail = excluded.detail,
			perpetrator = excluded.perpetrator, phases = excluded.phases, log_index = excluded.log_index`)
		if err != nil {
			return fmt.Errorf("sqlite: put judgements: %w", err)
		}
		defer put.Close()
		incidents := map[string]bool{}
		for i := range js {
			j := &js[i]
			detail, err := encodeDetail(j)
			if err != nil {
				return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
			}
			var pOutcome int
			var pExpl, pDetail string
			var idx int64
			err = prev.QueryRowContext(ctx, string(j.Report)).Scan(&pOutcome, &pExpl, &pDetail, &idx)
			same := err == nil && pOutcome == int(j.Outcome) && pExpl == j.Explanation && pDetail == string(detail)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
			}
			if !same {
				if idx, err = w.log(ledger.JudgementRecord(by, w.now, id, version, j, detail)); err != nil {
					return err
				}
				changed++
			}
			if _, err := put.ExecContext(ctx, string(j.Report), string(id), version, int(j.Outcome), j.Explanation, string(detail),
				string(j.Facts.Perpetrator), phasesOf(j), idx); err != nil {
				if isConstraint(err) {
					return truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", j.Report)
				}
				return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
			}
			var inc string
			if err := w.QueryRowContext(ctx, `SELECT incident_id FROM reports WHERE id = ?`, string(j.Report)).Scan(&inc); err != nil {
				return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
			}
			incidents[inc] = true
		}
		// The incidents show the current agreement's judgements: judging
		// under another version leaves their figures as they are.
		if err := w.loadCurrent(); err != nil {
			return err
		}
		if w.curID != id || w.curVer != version {
			return nil
		}
		ids := make([]string, 0, len(incidents))
		for inc := range incidents {
			ids = append(ids, inc)
		}
		slices.Sort(ids)
		for _, inc := range ids {
			if err := w.refreshIncident(inc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}

// setCurrent makes agreement version (id, version) the current one: the
// version whose judgements the incident figures and every reader show.
// When that changes the current version, every incident is refreshed
// under it: the version adjudicated again after another shows its own
// judgements at once, and a new one none until its reports are judged.
func (w *writeTx) setCurrent(id truce.AgreementID, version int) error {
	prevID, prevVer, err := current(w.ctx, w.Tx)
	if err != nil {
		return err
	}
	if err := w.logCurrent(id, version); err != nil {
		return err
	}
	for k, v := range map[string]string{"current_agreement": string(id), "current_version": strconv.Itoa(version)} {
		if _, err := w.ExecContext(w.ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("sqlite: settings: %w", err)
		}
	}
	w.curID, w.curVer, w.curLoaded = id, version, true
	if prevID == id && prevVer == version {
		return nil
	}
	var ids []string
	rows, err := w.QueryContext(w.ctx, `SELECT DISTINCT incident_id FROM reports ORDER BY incident_id`)
	if err != nil {
		return fmt.Errorf("sqlite: refresh incidents: %w", err)
	}
	for rows.Next() {
		var inc string
		if err := rows.Scan(&inc); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: refresh incidents: %w", err)
		}
		ids = append(ids, inc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: refresh incidents: %w", err)
	}
	for _, inc := range ids {
		if err := w.refreshIncident(inc); err != nil {
			return err
		}
	}
	return nil
}

// loadCurrent reads the current agreement version into w once.
func (w *writeTx) loadCurrent() error {
	if w.curLoaded {
		return nil
	}
	id, ver, err := current(w.ctx, w.Tx)
	if err != nil {
		return err
	}
	w.curID, w.curVer, w.curLoaded = id, ver, true
	return nil
}

// current returns the current agreement version: the one most recently
// put (PutAgreement), or, in a database where none was put since the
// store kept track, the most recently stored one; version 0 when no
// agreement is stored.
func current(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (truce.AgreementID, int, error) {
	var id, ver sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT (SELECT value FROM settings WHERE key = 'current_agreement'),
		(SELECT value FROM settings WHERE key = 'current_version')`).Scan(&id, &ver); err != nil {
		return "", 0, fmt.Errorf("sqlite: settings: %w", err)
	}
	if v, err := strconv.Atoi(ver.String); id.Valid && err == nil {
		return truce.AgreementID(id.String), v, nil
	}
	var aid string
	var v int
	err := q.QueryRowContext(ctx, `SELECT id, version FROM agreements ORDER BY log_index DESC LIMIT 1`).Scan(&aid, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	} else if err != nil {
		return "", 0, fmt.Errorf("sqlite: current agreement: %w", err)
	}
	return truce.AgreementID(aid), v, nil
}

// refreshIncident recomputes an incident's figures from its reports and
// their judgements under the current agreement version.
func (w *writeTx) refreshIncident(inc string) error {
	if w.refreshSel == nil {
		if err := w.loadCurrent(); err != nil {
			return err
		}
		var err error
		if w.refreshSel, err = w.PrepareContext(w.ctx, `SELECT r.start_ns, r.lon, r.lat, COALESCE(j.outcome, 0), COALESCE(j.perpetrator, ''), COALESCE(j.phases, ''), COALESCE(j.explanation, '')
		FROM reports r LEFT JOIN judgements j ON j.report_id = r.id AND j.agreement = ? AND j.version = ?
		WHERE r.incident_id = ? ORDER BY r.start_ns, r.id`); err != nil {
			return fmt.Errorf("sqlite: incident %s: %w", inc, err)
		}
		if w.refreshUpd, err = w.PrepareContext(w.ctx, `UPDATE incidents SET start_ns = ?, lon = ?, lat = ?, outcome = ?, parties = ?, phases = ?, explanation = ? WHERE id = ?`); err != nil {
			return fmt.Errorf("sqlite: incident %s: %w", inc, err)
		}
	}
	rows, err := w.refreshSel.QueryContext(w.ctx, string(w.curID), w.curVer, inc)
	if err != nil {
		return fmt.Errorf("sqlite: incident %s: %w", inc, err)
	}
	defer rows.Close()
	first := true
	var start int64
	var lon, lat float64
	best, expl := 0, ""
	var parties, phases []string
	for rows.Next() {
		var s int64
		var x, y float64
		var o int
		var perp, ph, e string
		if err := rows.Scan(&s, &x, &y, &o, &perp, &ph, &e); err != nil {
			return fmt.Errorf("sqlite: incident %s: %w", inc, err)
		}
		if first {
			start, lon, lat, first = s, x, y, false
		}
		if o > best || expl == "" {
			if o > best {
				best = o
			}
			if o == best {
				expl = e
			}
		}
		if perp != "" && !slices.Contains(parties, perp) {
			parties = append(parties, perp)
		}
		for _, p := range strings.Split(strings.Trim(ph, "|"), "|") {
			if p != "" && !slices.Contains(phases, p) {
				phases = append(phases, p)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: incident %s: %w", inc, err)
	}
	if first {
		return nil // no reports left: a merged-away incident keeps its last figures
	}
	slices.Sort(parties)
	slices.Sort(phases)
	_, err = w.refreshUpd.ExecContext(w.ctx, start, lon, lat, best, bars(parties), bars(phases), expl, inc)
	if err != nil {
		return fmt.Errorf("sqlite: incident %s: %w", inc, err)
	}
	return nil
}

func bars(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return "|" + strings.Join(ss, "|") + "|"
}

func unbars(s string) []string {
	s = strings.Trim(s, "|")
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// Judgements calls fn with each report and its judgement under one
// agreement version, in (start, id) order.
//
// CROSS JOIN makes reports the outer loop (SQLite keeps the order given):
// the filter on reports and their (start, id) index drive the query, and
// each judgement is found by its primary key, rather than every judgement
// of the version being read to find the few of one incident.
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
		FROM reports r CROSS JOIN judgements j ON j.report_id = r.id`+where+` ORDER BY r.start_ns, r.id`, args...)
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
		if err := decodeJudgement(&jd, r.ID, outcome, detail); err != nil {
			return err
		}
		if err := fn(r, &jd); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: judgements: %w", err)
	}
	return nil
}

func decodeJudgement(jd *truce.Judgement, id truce.ReportID, outcome int, detail string) error {
	var d judgementDetail
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return fmt.Errorf("sqlite: judgement %s detail: %w", id, err)
	}
	jd.Report, jd.Outcome, jd.Facts, jd.Findings = id, truce.Outcome(outcome), d.Facts, d.Findings
	return nil
}

// Judgement returns one report's judgement under one version.
func (s *Store) Judgement(ctx context.Context, id truce.AgreementID, version int, report truce.ReportID) (*truce.Judgement, error) {
	var jd truce.Judgement
	var outcome int
	var detail string
	err := s.db.QueryRowContext(ctx, `SELECT outcome, explanation, detail FROM judgements WHERE agreement = ? AND version = ? AND report_id = ?`,
		string(id), version, string(report)).Scan(&outcome, &jd.Explanation, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "no judgement of report %s under %s version %d", report, id, version)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: judgement %s: %w", report, err)
	}
	if err := decodeJudgement(&jd, report, outcome, detail); err != nil {
		return nil, err
	}
	return &jd, nil
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
