package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/ledger"
)

// judgementDetail is the stored JSON form of a judgement's facts and
// findings. It is versioned: V changes when the shape does. Its bytes are
// hashed into the judgement's log record, so it is kept as text.
type judgementDetail struct {
	V        int             `json:"v"`
	Facts    truce.Facts     `json:"facts"`
	Findings []truce.Finding `json:"findings"`
}

func encodeDetail(j *truce.Judgement) ([]byte, error) {
	return json.Marshal(judgementDetail{V: 1, Facts: j.Facts, Findings: j.Findings})
}

// phasesOf lists the phases with a finding other than not_prohibited, in
// the order of their first finding.
func phasesOf(j *truce.Judgement) []string {
	ps := []string{}
	for _, f := range j.Findings {
		if f.Outcome != truce.OutcomeNotProhibited && !slices.Contains(ps, string(f.Phase)) {
			ps = append(ps, string(f.Phase))
		}
	}
	return ps
}

// stored is a report's latest stored judgement, under any version.
type stored struct {
	outcome     int16
	explanation string
	detail      string
	logIndex    int64
}

// PutJudgements stores judgements under one agreement version. A judgement
// that differs from the report's latest stored one (under any version) is
// logged; an unchanged one points at the record that already holds it.
// The incidents of the reports take their figures from these judgements.
// ENOTFOUND if a report or the agreement version does not exist.
func (s *Store) PutJudgements(ctx context.Context, by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement) (int, error) {
	changed := 0
	err := s.write(ctx, func(w *writeTx) error {
		n, err := w.putJudgements(by, id, version, js)
		changed = n
		return err
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}

func (w *writeTx) putJudgements(by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement) (int, error) {
	ctx := w.ctx
	if len(js) > 0 {
		var ok bool
		if err := w.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agreements WHERE id = $1 AND version = $2)`, string(id), int32(version)).Scan(&ok); err != nil {
			return 0, fmt.Errorf("postgres: put judgements: %w", err)
		}
		if !ok {
			return 0, truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", js[0].Report)
		}
	}
	reports := make([]string, 0, len(js))
	for _, j := range js {
		reports = append(reports, string(j.Report))
	}
	incidentOf := make(map[string]string, len(js))
	rows, err := w.Query(ctx, `SELECT id, incident_id FROM reports WHERE id = ANY($1)`, reports)
	if err != nil {
		return 0, fmt.Errorf("postgres: put judgements: %w", err)
	}
	for rows.Next() {
		var r, inc string
		if err := rows.Scan(&r, &inc); err != nil {
			rows.Close()
			return 0, fmt.Errorf("postgres: put judgements: %w", err)
		}
		incidentOf[r] = inc
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("postgres: put judgements: %w", err)
	}
	prev := make(map[string]stored, len(js))
	rows, err = w.Query(ctx, `SELECT DISTINCT ON (report_id) report_id, outcome, explanation, detail, log_index
		FROM judgements WHERE report_id = ANY($1) ORDER BY report_id, log_index DESC`, reports)
	if err != nil {
		return 0, fmt.Errorf("postgres: put judgements: %w", err)
	}
	for rows.Next() {
		var r string
		var p stored
		if err := rows.Scan(&r, &p.outcome, &p.explanation, &p.detail, &p.logIndex); err != nil {
			rows.Close()
			return 0, fmt.Errorf("postgres: put judgements: %w", err)
		}
		prev[r] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("postgres: put judgements: %w", err)
	}

	changed := 0
	b := &pgx.Batch{}
	incidents := map[string]bool{}
	for i := range js {
		j := &js[i]
		inc, ok := incidentOf[string(j.Report)]
		if !ok {
			return 0, truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", j.Report)
		}
		incidents[inc] = true
		detail, err := encodeDetail(j)
		if err != nil {
			return 0, fmt.Errorf("postgres: judgement %s: %w", j.Report, err)
		}
		p, ok := prev[string(j.Report)]
		idx := p.logIndex
		if !ok || p.outcome != int16(j.Outcome) || p.explanation != j.Explanation || p.detail != string(detail) {
			if idx, err = w.log(ledger.JudgementRecord(by, w.now, id, version, j, detail)); err != nil {
				return 0, err
			}
			changed++
		}
		prev[string(j.Report)] = stored{int16(j.Outcome), j.Explanation, string(detail), idx}
		b.Queue(`INSERT INTO judgements (report_id, agreement, version, outcome, explanation, detail, perpetrator, phases, log_index)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (agreement, version, report_id) DO UPDATE SET
			outcome = excluded.outcome, explanation = excluded.explanation, detail = excluded.detail,
			perpetrator = excluded.perpetrator, phases = excluded.phases, log_index = excluded.log_index`,
			string(j.Report), string(id), int32(version), int16(j.Outcome), j.Explanation, string(detail),
			string(j.Facts.Perpetrator), phasesOf(j), idx)
	}
	if err := w.SendBatch(ctx, b).Close(); err != nil {
		if pgCode(err) == codeForeignKeyViolation {
			return 0, truce.Errorf(truce.ENOTFOUND, "judgements under %s version %d: no such report or agreement version", id, version)
		}
		return 0, textError(err, "put judgements")
	}
	// The incidents show the current agreement's judgements: judging under
	// another version leaves their figures as they are.
	cur, ver, err := current(ctx, w)
	if err != nil {
		return 0, err
	}
	if cur != id || ver != version {
		return changed, nil
	}
	ids := make([]string, 0, len(incidents))
	for inc := range incidents {
		ids = append(ids, inc)
	}
	slices.Sort(ids)
	if err := w.refreshIncidents(ids...); err != nil {
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
	prevID, prevVer, err := current(w.ctx, w)
	if err != nil {
		return err
	}
	if err := w.logCurrent(id, version); err != nil {
		return err
	}
	if _, err := w.Exec(w.ctx, `INSERT INTO settings (key, value) VALUES ('current_agreement', $1), ('current_version', $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(id), strconv.Itoa(version)); err != nil {
		return fmt.Errorf("postgres: settings: %w", err)
	}
	if prevID == id && prevVer == version {
		return nil
	}
	var ids []string
	rows, err := w.Query(w.ctx, `SELECT DISTINCT incident_id FROM reports`)
	if err != nil {
		return fmt.Errorf("postgres: refresh incidents: %w", err)
	}
	for rows.Next() {
		var inc string
		if err := rows.Scan(&inc); err != nil {
			rows.Close()
			return fmt.Errorf("postgres: refresh incidents: %w", err)
		}
		ids = append(ids, inc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: refresh incidents: %w", err)
	}
	slices.Sort(ids)
	return w.refreshIncidents(ids...)
}

// current returns the current agreement version: the one most recently
// put (PutAgreement), or, in a database where none was put since the
// store kept track, the most recently stored one; version 0 when no
// agreement is stored.
func current(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}) (truce.AgreementID, int, error) {
	var cur, ver *string
	if err := q.QueryRow(ctx, `SELECT (SELECT value FROM settings WHERE key = 'current_agreement'),
		(SELECT value FROM settings WHERE key = 'current_version')`).Scan(&cur, &ver); err != nil {
		return "", 0, fmt.Errorf("postgres: settings: %w", err)
	}
	if cur != nil && ver != nil {
		if v, err := strconv.Atoi(*ver); err == nil {
			return truce.AgreementID(*cur), v, nil
		}
	}
	var id string
	var v int32
	err := q.QueryRow(ctx, `SELECT id, version FROM agreements ORDER BY log_index DESC LIMIT 1`).Scan(&id, &v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, nil
	} else if err != nil {
		return "", 0, fmt.Errorf("postgres: current agreement: %w", err)
	}
	return truce.AgreementID(id), int(v), nil
}

// refreshIncidents recomputes incidents' figures from their reports and
// their judgements under the current agreement version: the earliest
// report's start and location, the most severe outcome and the
// explanation of the first most severe report (in start, id order) that
// has one, and every perpetrator and phase, sorted.
func (w *writeTx) refreshIncidents(ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	ctx := w.ctx
	agreement, version, err := current(ctx, w)
	if err != nil {
		return err
	}
	rows, err := w.Query(ctx, `SELECT r.incident_id, r.start_ns, r.lon, r.lat, COALESCE(j.outcome, 0), COALESCE(j.perpetrator, ''),
			COALESCE(j.phases, '{}'), COALESCE(j.explanation, '')
		FROM reports r LEFT JOIN judgements j ON j.report_id = r.id AND j.agreement = $1 AND j.version = $2
		WHERE r.incident_id = ANY($3) ORDER BY r.incident_id, r.start_ns, r.id`, string(agreement), int32(version), ids)
	if err != nil {
		return fmt.Errorf("postgres: refresh incidents: %w", err)
	}
	type figures struct {
		start          int64
		lon, lat       float64
		outcome        int16
		explanation    string
		parties, phase []string
	}
	var order []string
	figs := map[string]*figures{}
	for rows.Next() {
		var inc, perp, expl string
		var start int64
		var lon, lat float64
		var o int16
		var phases []string
		if err := rows.Scan(&inc, &start, &lon, &lat, &o, &perp, &phases, &expl); err != nil {
			rows.Close()
			return fmt.Errorf("postgres: refresh incidents: %w", err)
		}
		f := figs[inc]
		if f == nil {
			f = &figures{start: start, lon: lon, lat: lat, parties: []string{}, phase: []string{}}
			figs[inc] = f
			order = append(order, inc)
		}
		switch {
		case o > f.outcome:
			f.outcome, f.explanation = o, expl
		case o == f.outcome && f.explanation == "":
			f.explanation = expl
		}
		if perp != "" && !slices.Contains(f.parties, perp) {
			f.parties = append(f.parties, perp)
		}
		for _, p := range phases {
			if p != "" && !slices.Contains(f.phase, p) {
				f.phase = append(f.phase, p)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: refresh incidents: %w", err)
	}
	// An incident without reports (merged away) keeps its last figures.
	b := &pgx.Batch{}
	for _, inc := range order {
		f := figs[inc]
		slices.Sort(f.parties)
		slices.Sort(f.phase)
		b.Queue(`UPDATE incidents SET start_ns = $1, lon = $2, lat = $3, outcome = $4, parties = $5, phases = $6, explanation = $7 WHERE id = $8`,
			f.start, f.lon, f.lat, f.outcome, f.parties, f.phase, f.explanation, inc)
	}
	if err := w.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: refresh incidents: %w", err)
	}
	return nil
}

const judgementSelect = `SELECT outcome, explanation, detail FROM judgements`

func decodeJudgement(jd *truce.Judgement, id truce.ReportID, outcome int16, detail string) error {
	var d judgementDetail
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return fmt.Errorf("postgres: judgement %s detail: %w", id, err)
	}
	jd.Report, jd.Outcome, jd.Facts, jd.Findings = id, truce.Outcome(outcome), d.Facts, d.Findings
	return nil
}

// Judgements calls fn with each report and its judgement under one
// agreement version, in (start, id) order.
func (s *Store) Judgements(ctx context.Context, id truce.AgreementID, version int, f truce.ReportFilter, fn func(*truce.Report, *truce.Judgement) error) error {
	where, args := filterSQL(f, "r.", []any{string(id), int32(version)})
	var q string
	if len(f.Incidents) > 0 {
		// A few incidents' reports: they drive the query and each finds its
		// judgement by key, whatever the planner's statistics say (a
		// freshly loaded table has none).
		q = `SELECT ` + prefixed(reportCols, "r.") + `, j.outcome, j.explanation, j.detail
		FROM reports r CROSS JOIN LATERAL (SELECT outcome, explanation, detail FROM judgements
			WHERE agreement = $1 AND version = $2 AND report_id = r.id) j WHERE ` + strings.Join(where, " AND ")
	} else {
		where = append([]string{"j.agreement = $1", "j.version = $2"}, where...)
		q = `SELECT ` + prefixed(reportCols, "r.") + `, j.outcome, j.explanation, j.detail
		FROM judgements j JOIN reports r ON r.id = j.report_id WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY r.start_ns, r.id`, args...)
	if err != nil {
		return fmt.Errorf("postgres: judgements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var jd truce.Judgement
		var outcome int16
		var detail string
		r, err := scanReport(rows, &outcome, &jd.Explanation, &detail)
		if err != nil {
			return fmt.Errorf("postgres: judgements: %w", err)
		}
		if err := decodeJudgement(&jd, r.ID, outcome, detail); err != nil {
			return err
		}
		if err := fn(r, &jd); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: judgements: %w", err)
	}
	return nil
}

// Judgement returns one report's judgement under one version.
func (s *Store) Judgement(ctx context.Context, id truce.AgreementID, version int, report truce.ReportID) (*truce.Judgement, error) {
	var jd truce.Judgement
	var outcome int16
	var detail string
	err := s.pool.QueryRow(ctx, judgementSelect+` WHERE agreement = $1 AND version = $2 AND report_id = $3`,
		string(id), int32(version), string(report)).Scan(&outcome, &jd.Explanation, &detail)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "no judgement of report %s under %s version %d", report, id, version)
	} else if err != nil {
		return nil, fmt.Errorf("postgres: judgement %s: %w", report, err)
	}
	if err := decodeJudgement(&jd, report, outcome, detail); err != nil {
		return nil, err
	}
	return &jd, nil
}

// prefixed qualifies every column of a comma-separated list with prefix.
func prefixed(cols, prefix string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
