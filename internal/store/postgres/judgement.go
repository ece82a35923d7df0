package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// LatestJudgements reads the reports' incidents, brief fields and latest
// judgements in two queries, whatever their number.
func (w *writeTx) LatestJudgements(reports []truce.ReportID) (map[truce.ReportID]sqlstore.StoredJudgement, map[truce.ReportID]sqlstore.JudgedReport, error) {
	ids := make([]string, len(reports))
	for i, r := range reports {
		ids[i] = string(r)
	}
	incs, err := sqlstore.List(w.ctx, w, "postgres: put judgements", func(sc sqlstore.Scanner) (*sqlstore.JudgedReport, error) {
		var id string
		r, err := sqlstore.ScanJudgedReport(sqlstore.WithExtra(sc, &id), "")
		r.Report.ID = truce.ReportID(id)
		return &r, err
	}, `SELECT `+sqlstore.JudgedReportCols+`, id FROM reports WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, err
	}
	judged := make(map[truce.ReportID]sqlstore.JudgedReport, len(incs))
	for _, r := range incs {
		judged[r.Report.ID] = r
	}
	type latest struct {
		report string
		sqlstore.StoredJudgement
	}
	prev, err := sqlstore.List(w.ctx, w, "postgres: put judgements", func(sc sqlstore.Scanner) (*latest, error) {
		var l latest
		var outcome int
		err := sc.Scan(&l.report, &outcome, &l.Explanation, &l.Detail, &l.LogIndex)
		l.Outcome = truce.Outcome(outcome)
		return &l, err
	}, `SELECT DISTINCT ON (report_id) report_id, outcome, explanation, detail, log_index
		FROM judgements WHERE report_id = ANY($1) ORDER BY report_id, log_index DESC`, ids)
	if err != nil {
		return nil, nil, err
	}
	stored := make(map[truce.ReportID]sqlstore.StoredJudgement, len(prev))
	for _, l := range prev {
		stored[truce.ReportID(l.report)] = l.StoredJudgement
	}
	return stored, judged, nil
}

// PutJudgementRows upserts the rows and their briefs in one batch.
func (w *writeTx) PutJudgementRows(rows []sqlstore.JudgementWrite) error {
	b := &pgx.Batch{}
	for _, j := range rows {
		b.Queue(`INSERT INTO judgements (report_id, agreement, version, outcome, explanation, detail, perpetrator, phases, log_index)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (agreement, version, report_id) DO UPDATE SET
			outcome = excluded.outcome, explanation = excluded.explanation, detail = excluded.detail,
			perpetrator = excluded.perpetrator, phases = excluded.phases, log_index = excluded.log_index`,
			string(j.Report), string(j.Agreement), int32(j.Version), int16(j.Outcome), j.Explanation, string(j.Detail),
			string(j.Perpetrator), dialect{}.ListValue(sqlstore.Texts(j.Phases)), j.LogIndex)
		b.Queue(`INSERT INTO judgement_briefs (agreement, version, start_ns, report_id, brief) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (agreement, version, start_ns, report_id) DO UPDATE SET brief = excluded.brief`,
			string(j.Agreement), int32(j.Version), j.Start, string(j.Report), j.Brief)
	}
	if err := w.tx.SendBatch(w.ctx, b).Close(); err != nil {
		if pgCode(err) == codeForeignKeyViolation && len(rows) > 0 {
			return truce.Errorf(truce.ENOTFOUND, "judgements under %s version %d: no such report or agreement version", rows[0].Agreement, rows[0].Version)
		}
		return sqlstore.TextError(classify(err), "put judgements")
	}
	return nil
}

// Refresh recomputes the figures of incidents in one query and one batch
// of updates, whatever their number.
func (w *writeTx) Refresh(agreement truce.AgreementID, version int, ids []truce.IncidentID) error {
	type held struct {
		incident string
		ledger.ReportFigures
	}
	rows, err := sqlstore.List(w.ctx, w, "postgres: refresh incidents", func(sc sqlstore.Scanner) (*held, error) {
		var h held
		r, err := sqlstore.ScanFigures(dialect{}, sqlstore.WithExtra(sc, &h.incident))
		h.ReportFigures = r
		return &h, err
	}, `SELECT r.id, r.start_ns, r.lon, r.lat, COALESCE(j.outcome, 0), COALESCE(j.perpetrator, ''), COALESCE(j.phases, '{}'),
			COALESCE(j.explanation, ''), r.incident_id
		FROM reports r LEFT JOIN judgements j ON j.report_id = r.id AND j.agreement = $1 AND j.version = $2
		WHERE r.incident_id = ANY($3) ORDER BY r.incident_id, r.start_ns, r.id`, string(agreement), int32(version), sqlstore.Texts(ids))
	if err != nil {
		return err
	}
	var order []string
	byIncident := map[string][]ledger.ReportFigures{}
	for _, h := range rows {
		if byIncident[h.incident] == nil {
			order = append(order, h.incident)
		}
		byIncident[h.incident] = append(byIncident[h.incident], h.ReportFigures)
	}
	// An incident without reports (merged away) keeps its figures.
	b := &pgx.Batch{}
	for _, inc := range order {
		b.Queue(`UPDATE incidents SET start_ns = $1, lon = $2, lat = $3, outcome = $4, parties = $5, phases = $6, explanation = $7 WHERE id = $8`,
			append(sqlstore.FigureValues(dialect{}, ledger.IncidentFigures(byIncident[inc])), inc)...)
	}
	if err := w.tx.SendBatch(w.ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: refresh incidents: %w", err)
	}
	return nil
}

// Judgements calls fn with each report and its judgement under one
// agreement version, in (start, id) order.
func (s *Store) Judgements(ctx context.Context, id truce.AgreementID, version int, f truce.ReportFilter, fn func(*truce.Report, *truce.Judgement) error) error {
	where, args := sqlstore.ReportWhere(f, "r.", []any{string(id), int32(version)})
	cols := sqlstore.Prefixed(sqlstore.ReportCols, "r.")
	var q string
	if len(f.Incidents) > 0 {
		// A few incidents' reports: they drive the query and each finds its
		// judgement by key, whatever the planner's statistics say (a
		// freshly loaded table has none).
		q = `SELECT ` + cols + `, j.outcome, j.explanation, j.detail
		FROM reports r CROSS JOIN LATERAL (SELECT outcome, explanation, detail FROM judgements
			WHERE agreement = $1 AND version = $2 AND report_id = r.id) j WHERE ` + strings.Join(where, " AND ")
	} else {
		q = `SELECT ` + cols + `, j.outcome, j.explanation, j.detail
		FROM judgements j JOIN reports r ON r.id = j.report_id` + sqlstore.Where(append([]string{"j.agreement = $1", "j.version = $2"}, where...))
	}
	return sqlstore.EachJudged(ctx, conn{q: s.pool}, dialect{}, fn, q+` ORDER BY r.start_ns, r.id`, args...)
}
