package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// LatestJudgements reads each report's latest judgement, incident and
// brief fields with two statements prepared once: lookups by key are what
// SQLite does fastest.
func (w *writeTx) LatestJudgements(reports []truce.ReportID) (map[truce.ReportID]sqlstore.StoredJudgement, map[truce.ReportID]sqlstore.JudgedReport, error) {
	prev, err := w.prepared(`SELECT outcome, explanation, detail, log_index FROM judgements
		WHERE report_id = ? ORDER BY log_index DESC LIMIT 1`)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: put judgements: %w", err)
	}
	defer prev.Close()
	inc, err := w.prepared(`SELECT ` + sqlstore.JudgedReportCols + ` FROM reports WHERE id = ?`)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: put judgements: %w", err)
	}
	defer inc.Close()
	latest, stored := map[truce.ReportID]sqlstore.StoredJudgement{}, map[truce.ReportID]sqlstore.JudgedReport{}
	for _, r := range reports {
		jr, err := sqlstore.ScanJudgedReport(inc.QueryRowContext(w.ctx, string(r)), r)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("sqlite: judgement %s: %w", r, err)
		}
		stored[r] = jr
		var p sqlstore.StoredJudgement
		var detail []byte
		switch err := prev.QueryRowContext(w.ctx, string(r)).Scan(&p.Outcome, &p.Explanation, &detail, &p.LogIndex); {
		case err == nil:
			p.Detail = sqlstore.ComparableDetail(detail)
			latest[r] = p
		case !errors.Is(err, sql.ErrNoRows):
			return nil, nil, fmt.Errorf("sqlite: judgement %s: %w", r, err)
		}
	}
	return latest, stored, nil
}

// PutJudgementRows upserts the rows and their briefs with two prepared
// statements.
func (w *writeTx) PutJudgementRows(rows []sqlstore.JudgementWrite) error {
	put, err := w.prepared(`INSERT INTO judgements (report_id, agreement, version, outcome, explanation, detail, perpetrator, phases, log_index)
		VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (agreement, version, report_id) DO UPDATE SET
		outcome = excluded.outcome, explanation = excluded.explanation, detail = excluded.detail,
		perpetrator = excluded.perpetrator, phases = excluded.phases, log_index = excluded.log_index`)
	if err != nil {
		return fmt.Errorf("sqlite: put judgements: %w", err)
	}
	defer put.Close()
	brief, err := w.prepared(`INSERT INTO judgement_briefs (agreement, version, start_ns, report_id, brief) VALUES (?,?,?,?,?)
		ON CONFLICT (agreement, version, start_ns, report_id) DO UPDATE SET brief = excluded.brief`)
	if err != nil {
		return fmt.Errorf("sqlite: put judgements: %w", err)
	}
	defer brief.Close()
	for _, j := range rows {
		if _, err := put.ExecContext(w.ctx, string(j.Report), string(j.Agreement), j.Version, int(j.Outcome), j.Explanation, j.Stored,
			string(j.Perpetrator), bars(sqlstore.Texts(j.Phases)), j.LogIndex); err != nil {
			if errors.Is(classify(err), sqlstore.ErrForeignKey) {
				return truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", j.Report)
			}
			return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
		}
		if _, err := brief.ExecContext(w.ctx, string(j.Agreement), j.Version, j.Start, string(j.Report), j.Brief); err != nil {
			return fmt.Errorf("sqlite: judgement %s: %w", j.Report, err)
		}
	}
	return nil
}

// Refresh recomputes the figures of incidents one at a time, with two
// statements prepared for the transaction: setting the current agreement
// refreshes them all.
func (w *writeTx) Refresh(agreement truce.AgreementID, version int, ids []truce.IncidentID) error {
	var err error
	if w.refreshSel == nil {
		if w.refreshSel, err = w.prepared(`SELECT r.id, r.start_ns, r.lon, r.lat, COALESCE(j.outcome, 0), COALESCE(j.perpetrator, ''),
			COALESCE(j.phases, ''), COALESCE(j.explanation, '')
			FROM reports r LEFT JOIN judgements j ON j.report_id = r.id AND j.agreement = ? AND j.version = ?
			WHERE r.incident_id = ? ORDER BY r.start_ns, r.id`); err != nil {
			return fmt.Errorf("sqlite: refresh incidents: %w", err)
		}
		if w.refreshUpd, err = w.prepared(`UPDATE incidents SET start_ns = ?, lon = ?, lat = ?, outcome = ?, parties = ?, phases = ?,
			explanation = ? WHERE id = ?`); err != nil {
			return fmt.Errorf("sqlite: refresh incidents: %w", err)
		}
		if w.refreshVerdict, err = w.prepared(`UPDATE incidents SET outcome = ?, parties = ?, phases = ?, explanation = ?
			WHERE id = ? AND start_ns = ? AND lon = ? AND lat = ?`); err != nil {
			return fmt.Errorf("sqlite: refresh incidents: %w", err)
		}
	}
	for _, id := range ids {
		if err := w.refresh(id, string(agreement), version); err != nil {
			return fmt.Errorf("sqlite: incident %s: %w", id, err)
		}
	}
	return nil
}

// refresh recomputes one incident's figures under agreement version
// (agreement, version).
func (w *writeTx) refresh(id truce.IncidentID, agreement string, version int) error {
	rows, err := w.refreshSel.QueryContext(w.ctx, agreement, version, string(id))
	if err != nil {
		return err
	}
	held, err := sqlstore.Collect(sqlRows{rows}, func(sc sqlstore.Scanner) (ledger.ReportFigures, error) {
		return sqlstore.ScanFigures(dialect{}, sc)
	})
	if err != nil || len(held) == 0 {
		return err // no reports left: a merged-away incident keeps its figures (clearFigures)
	}
	// Most refreshes (a new report judged, a report judged again) leave
	// the incident's start and place as they were: SQLite rewrites the
	// entries of every index on a column an UPDATE sets, equal or not, so
	// those set the verdict alone (one index), and the rest all figures.
	v := sqlstore.FigureValues(dialect{}, ledger.IncidentFigures(held))
	res, err := w.refreshVerdict.ExecContext(w.ctx, v[3], v[4], v[5], v[6], string(id), v[0], v[1], v[2])
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	_, err = w.refreshUpd.ExecContext(w.ctx, append(v, string(id))...)
	return err
}

// Judgements calls fn with each report and its judgement under one
// agreement version, in (start, id) order.
//
// CROSS JOIN makes reports the outer loop (SQLite keeps the order given):
// the filter on reports and their (start, id) index drive the query, and
// each judgement is found by its primary key, rather than every judgement
// of the version being read to find the few of one incident.
func (s *Store) Judgements(ctx context.Context, id truce.AgreementID, version int, f truce.ReportFilter, fn func(*truce.Report, *truce.Judgement) error) error {
	where, args := sqlstore.ReportWhere(f, "r.", []any{string(id), version})
	where = append(where, "j.agreement = $1", "j.version = $2")
	return sqlstore.EachJudged(ctx, s.conn(), dialect{}, fn, `SELECT `+sqlstore.Prefixed(sqlstore.ReportCols, "r.")+`, j.outcome, j.explanation, j.detail
		FROM reports r CROSS JOIN judgements j ON j.report_id = r.id`+sqlstore.Where(where)+` ORDER BY r.start_ns, r.id`, args...)
}
