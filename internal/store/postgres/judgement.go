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
		var detail []byte
		err := sc.Scan(&l.report, &outcome, &l.Explanation, &detail, &l.LogIndex)
		l.Outcome, l.Detail = truce.Outcome(outcome), sqlstore.ComparableDetail(detail)
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

// PutJudgementRows upserts the rows and their briefs with two statements
// in one round trip, whatever their number: each column is sent as one
// array and unnest turns the arrays back into rows. A bulk upload's
// hundreds of judgements were as many statements, each parsed, planned
// and run on its own while the write held the log lock. A row whose key
// comes again later in rows is left out: the later one is what a row-by-row
// upsert would have left, and one statement may not upsert a row twice.
func (w *writeTx) PutJudgementRows(rows []sqlstore.JudgementWrite) error {
	if len(rows) == 0 {
		return nil
	}
	type key struct {
		agreement truce.AgreementID
		version   int
		report    truce.ReportID
	}
	last := make(map[key]int, len(rows))
	for i, j := range rows {
		last[key{j.Agreement, j.Version, j.Report}] = i
	}
	n := len(last)
	var (
		reports, agreements, explanations, perpetrators, phases = make([]string, 0, n), make([]string, 0, n),
			make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		details  = make([][]byte, 0, n)
		versions = make([]int32, 0, n)
		outcomes = make([]int16, 0, n)
		indexes  = make([]int64, 0, n)
		starts   = make([]int64, 0, n)
		briefs   = make([][]byte, 0, n)
	)
	for i, j := range rows {
		if last[key{j.Agreement, j.Version, j.Report}] != i {
			continue
		}
		reports, agreements, versions = append(reports, string(j.Report)), append(agreements, string(j.Agreement)), append(versions, int32(j.Version))
		outcomes, explanations, details = append(outcomes, int16(j.Outcome)), append(explanations, j.Explanation), append(details, j.Stored)
		perpetrators, phases, indexes = append(perpetrators, string(j.Perpetrator)), append(phases, arrayLiteral(sqlstore.Texts(j.Phases))), append(indexes, j.LogIndex)
		starts, briefs = append(starts, j.Start), append(briefs, j.Brief)
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO judgements (report_id, agreement, version, outcome, explanation, detail, perpetrator, phases, log_index)
		SELECT r, a, v, o, e, d, p, ph::text[], x
		FROM unnest($1::text[], $2::text[], $3::integer[], $4::smallint[], $5::text[], $6::bytea[], $7::text[], $8::text[], $9::bigint[])
			AS u(r, a, v, o, e, d, p, ph, x)
		ON CONFLICT (agreement, version, report_id) DO UPDATE SET
		outcome = excluded.outcome, explanation = excluded.explanation, detail = excluded.detail,
		perpetrator = excluded.perpetrator, phases = excluded.phases, log_index = excluded.log_index`,
		reports, agreements, versions, outcomes, explanations, details, perpetrators, phases, indexes)
	b.Queue(`INSERT INTO judgement_briefs (agreement, version, start_ns, report_id, brief)
		SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::text[], $5::bytea[])
		ON CONFLICT (agreement, version, start_ns, report_id) DO UPDATE SET brief = excluded.brief`,
		agreements, versions, starts, reports, briefs)
	if err := w.tx.SendBatch(w.ctx, b); err != nil {
		if pgCode(err) == codeForeignKeyViolation {
			return truce.Errorf(truce.ENOTFOUND, "judgements under %s version %d: no such report or agreement version", rows[0].Agreement, rows[0].Version)
		}
		return sqlstore.TextError(classify(err), "put judgements")
	}
	return nil
}

// arrayLiteral writes ss as a PostgreSQL array literal, every element
// quoted, for a text[] column sent as text: unnest cannot take an array of
// arrays of different lengths.
func arrayLiteral(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, c := range []byte(s) {
			if c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
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
	if err := w.tx.SendBatch(w.ctx, b); err != nil {
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
