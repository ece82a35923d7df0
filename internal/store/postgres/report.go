package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"truce"
	"truce/internal/ledger"
)

// reportCols are the report's own columns, in scanReport's order.
const reportCols = `id, source, source_id, outlet, file, line, original, start_ns, end_ns, precision, lon, lat, loc_prec_m,
	place, actor1, actor2, perpetrator, actions, event_type, category, site, text, fatalities`

var reportColNames = []string{"id", "source", "source_id", "outlet", "file", "line", "original", "start_ns", "end_ns", "precision",
	"lon", "lat", "loc_prec_m", "place", "actor1", "actor2", "perpetrator", "actions", "event_type", "category", "site", "text", "fatalities"}

// reportValues returns r's values in reportColNames order.
func reportValues(r *truce.Report) []any {
	actions := make([]string, len(r.Actions))
	for i, a := range r.Actions {
		actions[i] = string(a)
	}
	return []any{string(r.ID), r.Source, r.SourceID, r.Outlet, r.File, int32(r.Line), r.Original, r.Start.UnixNano(), r.End.UnixNano(),
		int16(r.Precision), r.Location.Lon, r.Location.Lat, r.LocationPrecisionMeters, r.Place, r.Actor1, r.Actor2,
		string(r.Perpetrator), actions, r.EventType, string(r.Category), string(r.Site), r.Text, int32(r.Fatalities)}
}

// stagingDDL creates the table PutReports copies new reports into. It lives
// until the end of the transaction.
const stagingDDL = `CREATE TEMPORARY TABLE report_staging (
	id text, source text, source_id text, outlet text, file text, line integer, original text,
	start_ns bigint, end_ns bigint, precision smallint, lon double precision, lat double precision, loc_prec_m double precision,
	place text, actor1 text, actor2 text, perpetrator text, actions text[], event_type text, category text, site text,
	text text, fatalities integer, ord integer, log_index bigint
) ON COMMIT DROP`

// PutReports stores the reports not yet stored, each opening an incident
// of its own, and logs them, in one transaction. New reports go through
// COPY into a staging table and one INSERT ... SELECT per table.
func (s *Store) PutReports(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions) (int, error) {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return 0, err
		}
	}
	added := 0
	err := s.write(ctx, func(w *writeTx) error {
		n, err := w.insertReports(rs, by, opt)
		added = n
		return err
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

func (w *writeTx) insertReports(rs []*truce.Report, by truce.Principal, opt truce.PutOptions) (int, error) {
	ctx := w.ctx
	// The first copy of each id in the batch, unless already stored.
	seen := make(map[truce.ReportID]bool, len(rs))
	batch := make([]*truce.Report, 0, len(rs))
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		if !seen[r.ID] {
			seen[r.ID] = true
			batch = append(batch, r)
			ids = append(ids, string(r.ID))
		}
	}
	if len(batch) == 0 {
		return 0, nil
	}
	rows, err := w.Query(ctx, `SELECT id FROM reports WHERE id = ANY($1)`, ids)
	if err != nil {
		return 0, fmt.Errorf("postgres: put reports: %w", err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("postgres: put reports: %w", err)
	}
	for _, id := range stored {
		seen[truce.ReportID(id)] = false
	}
	fresh := batch[:0]
	for _, r := range batch {
		if seen[r.ID] {
			fresh = append(fresh, r)
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}

	// One record per new report, in batch order.
	idx := make([]int64, len(fresh))
	for i, r := range fresh {
		if idx[i], err = w.log(ledger.ReportRecord(by, w.now, r, opt)); err != nil {
			return 0, err
		}
	}

	if _, err := w.Exec(ctx, stagingDDL); err != nil {
		return 0, fmt.Errorf("postgres: put reports: %w", err)
	}
	cols := append(append([]string(nil), reportColNames...), "ord", "log_index")
	if _, err := w.CopyFrom(ctx, pgx.Identifier{"report_staging"}, cols, pgx.CopyFromSlice(len(fresh), func(i int) ([]any, error) {
		return append(reportValues(fresh[i]), int32(i), idx[i]), nil
	})); err != nil {
		return 0, textError(err, "put reports")
	}
	now := w.now.UnixNano()
	b := &pgx.Batch{}
	// The lock makes ON CONFLICT unreachable; it stays as a guard, and the
	// count below turns a skipped row into an error rather than a record
	// without its row.
	b.Queue(`INSERT INTO reports (`+reportCols+`, created_ns, incident_id, submitted_by, log_index)
		SELECT `+reportCols+`, $1, id, $2, log_index FROM report_staging ORDER BY ord
		ON CONFLICT (id) DO NOTHING`, now, string(opt.SubmittedBy)).Exec(func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != int64(len(fresh)) {
			return fmt.Errorf("postgres: put reports: %d of %d new reports inserted", ct.RowsAffected(), len(fresh))
		}
		return nil
	})
	b.Queue(`INSERT INTO incidents (id, status, published, submitted_by, created_ns, updated_ns, start_ns, lon, lat)
		SELECT id, $1, $2, $3, $4, $4, start_ns, lon, lat FROM report_staging ORDER BY ord`,
		string(truce.StatusReported), opt.Published, string(opt.SubmittedBy), now)
	b.Queue(`INSERT INTO incident_events (incident, at_ns, actor, kind, to_status, log_index)
		SELECT id, $1, $2, $3, $4, log_index FROM report_staging ORDER BY ord`,
		now, by.String(), string(truce.EventCreated), string(truce.StatusReported))
	if err := w.SendBatch(ctx, b).Close(); err != nil {
		if pgCode(err) == codeUniqueViolation {
			return 0, truce.Errorf(truce.ECONFLICT, "put reports: an incident with the id of a new report already exists")
		}
		return 0, textError(err, "put reports")
	}
	return len(fresh), nil
}

type scanner interface{ Scan(dest ...any) error }

func scanReport(sc scanner, extra ...any) (*truce.Report, error) {
	var r truce.Report
	var id, perp, cat, site string
	var actions []string
	var start, end int64
	var prec int16
	var line, fatalities int32
	dest := []any{&id, &r.Source, &r.SourceID, &r.Outlet, &r.File, &line, &r.Original, &start, &end, &prec,
		&r.Location.Lon, &r.Location.Lat, &r.LocationPrecisionMeters, &r.Place, &r.Actor1, &r.Actor2, &perp, &actions,
		&r.EventType, &cat, &site, &r.Text, &fatalities}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	r.ID, r.Perpetrator, r.Category, r.Site = truce.ReportID(id), truce.PartyID(perp), truce.CategoryID(cat), truce.SiteID(site)
	r.Line, r.Fatalities = int(line), int(fatalities)
	r.Start, r.End = time.Unix(0, start).UTC(), time.Unix(0, end).UTC()
	r.Precision = truce.TimePrecision(prec)
	for _, a := range actions {
		r.Actions = append(r.Actions, truce.Action(a))
	}
	return &r, nil
}

// Report returns one report by id.
func (s *Store) Report(ctx context.Context, id truce.ReportID) (*truce.Report, error) {
	r, err := scanReport(s.pool.QueryRow(ctx, `SELECT `+reportCols+` FROM reports WHERE id = $1`, string(id)))
	if err != nil {
		return nil, notFound(err, "report", "report %s not found", id)
	}
	return r, nil
}

// filterSQL returns the WHERE conditions of f on reports aliased a, and
// args with their arguments appended (placeholders number on from args).
func filterSQL(f truce.ReportFilter, a string, args []any) ([]string, []any) {
	var where []string
	if f.Since != nil {
		args = append(args, f.Since.UnixNano())
		where = append(where, fmt.Sprintf("%sstart_ns >= $%d", a, len(args)))
	}
	if f.Until != nil {
		args = append(args, f.Until.UnixNano())
		where = append(where, fmt.Sprintf("%sstart_ns < $%d", a, len(args)))
	}
	if len(f.Incidents) > 0 {
		ids := make([]string, len(f.Incidents))
		for i, id := range f.Incidents {
			ids[i] = string(id)
		}
		args = append(args, ids)
		where = append(where, fmt.Sprintf("%sincident_id = ANY($%d)", a, len(args)))
	}
	if p := f.Visible; p != nil {
		switch p.Role {
		case truce.RoleAdmin, truce.RoleMonitor:
		case truce.RoleParty:
			args = append(args, string(p.Party))
			where = append(where, fmt.Sprintf("EXISTS (SELECT 1 FROM incidents i WHERE i.id = %sincident_id AND (i.published OR i.submitted_by = $%d))", a, len(args)))
		default:
			where = append(where, fmt.Sprintf("EXISTS (SELECT 1 FROM incidents i WHERE i.id = %sincident_id AND i.published)", a))
		}
	}
	return where, args
}

// Reports calls fn for every matching report in (start, id) order.
func (s *Store) Reports(ctx context.Context, f truce.ReportFilter, fn func(*truce.Report) error) error {
	where, args := filterSQL(f, "", nil)
	q := `SELECT ` + reportCols + ` FROM reports`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY start_ns, id`, args...)
	if err != nil {
		return fmt.Errorf("postgres: reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return fmt.Errorf("postgres: reports: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: reports: %w", err)
	}
	return nil
}
