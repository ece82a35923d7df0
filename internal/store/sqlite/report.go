package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"truce"
	"truce/internal/ledger"
)

// isConstraint reports whether err is a SQLite constraint violation,
// classified by its extended result code, never by its message.
func isConstraint(err error) bool {
	var se interface{ Code() int }
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

const reportCols = `id, source, source_id, outlet, file, line, original, start_ns, end_ns, precision, lon, lat, loc_prec_m,
	place, actor1, actor2, perpetrator, actions, event_type, category, site, text, fatalities`

// PutReports stores the reports not yet stored, each opening an incident
// of its own, and logs them, in one transaction.
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
	exists, err := w.PrepareContext(ctx, `SELECT 1 FROM reports WHERE id = ?`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer exists.Close()
	ins, err := w.PrepareContext(ctx, `INSERT INTO reports (`+reportCols+`, created_ns, incident_id, submitted_by, log_index)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer ins.Close()
	inc, err := w.PrepareContext(ctx, `INSERT INTO incidents (id, status, published, submitted_by, created_ns, updated_ns, start_ns, lon, lat)
		VALUES (?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer inc.Close()
	ev, err := w.PrepareContext(ctx, `INSERT INTO incident_events (incident, at_ns, actor, kind, to_status, log_index) VALUES (?,?,?,?,?,?)`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer ev.Close()
	added := 0
	for _, r := range rs {
		var one int
		switch err := exists.QueryRowContext(ctx, string(r.ID)).Scan(&one); {
		case err == nil:
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("sqlite: put report %s: %w", r.ID, err)
		}
		idx, err := w.log(ledger.ReportRecord(by, w.now, r, opt))
		if err != nil {
			return 0, err
		}
		if _, err := ins.ExecContext(ctx, string(r.ID), r.Source, r.SourceID, r.Outlet, r.File, r.Line, r.Original,
			r.Start.UnixNano(), r.End.UnixNano(), int(r.Precision), r.Location.Lon, r.Location.Lat, r.LocationPrecisionMeters,
			r.Place, r.Actor1, r.Actor2, string(r.Perpetrator), joinActions(r.Actions), r.EventType, string(r.Category),
			string(r.Site), r.Text, r.Fatalities, w.now.UnixNano(), string(r.ID), string(opt.SubmittedBy), idx); err != nil {
			return 0, fmt.Errorf("sqlite: put report %s: %w", r.ID, err)
		}
		if _, err := inc.ExecContext(ctx, string(r.ID), string(truce.StatusReported), opt.Published, string(opt.SubmittedBy),
			w.now.UnixNano(), w.now.UnixNano(), r.Start.UnixNano(), r.Location.Lon, r.Location.Lat); err != nil {
			if isConstraint(err) {
				return 0, truce.Errorf(truce.ECONFLICT, "report %s: an incident with that id already exists", r.ID)
			}
			return 0, fmt.Errorf("sqlite: incident %s: %w", r.ID, err)
		}
		if _, err := ev.ExecContext(ctx, string(r.ID), w.now.UnixNano(), by.String(), string(truce.EventCreated), string(truce.StatusReported), idx); err != nil {
			return 0, fmt.Errorf("sqlite: incident %s: %w", r.ID, err)
		}
		added++
	}
	return added, nil
}

func joinActions(as []truce.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, "|")
}

func splitActions(s string) []truce.Action {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "|")
	as := make([]truce.Action, len(parts))
	for i, p := range parts {
		as[i] = truce.Action(p)
	}
	return as
}

type scanner interface{ Scan(dest ...any) error }

func scanReport(sc scanner) (*truce.Report, error) {
	var r truce.Report
	var id, perp, actions, cat, site string
	var start, end int64
	var prec int
	if err := sc.Scan(&id, &r.Source, &r.SourceID, &r.Outlet, &r.File, &r.Line, &r.Original, &start, &end, &prec,
		&r.Location.Lon, &r.Location.Lat, &r.LocationPrecisionMeters, &r.Place, &r.Actor1, &r.Actor2, &perp, &actions,
		&r.EventType, &cat, &site, &r.Text, &r.Fatalities); err != nil {
		return nil, err
	}
	r.ID, r.Perpetrator, r.Category, r.Site = truce.ReportID(id), truce.PartyID(perp), truce.CategoryID(cat), truce.SiteID(site)
	r.Start, r.End = time.Unix(0, start).UTC(), time.Unix(0, end).UTC()
	r.Precision = truce.TimePrecision(prec)
	r.Actions = splitActions(actions)
	return &r, nil
}

// Report returns one report by id.
func (s *Store) Report(ctx context.Context, id truce.ReportID) (*truce.Report, error) {
	r, err := scanReport(s.db.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports WHERE id = ?`, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "report %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: report %s: %w", id, err)
	}
	return r, nil
}

func filterSQL(f truce.ReportFilter, alias string) (string, []any) {
	var where []string
	var args []any
	if f.Since != nil {
		where = append(where, alias+"start_ns >= ?")
		args = append(args, f.Since.UnixNano())
	}
	if f.Until != nil {
		where = append(where, alias+"start_ns < ?")
		args = append(args, f.Until.UnixNano())
	}
	if len(f.Incidents) > 0 {
		where = append(where, alias+"incident_id IN (?"+strings.Repeat(",?", len(f.Incidents)-1)+")")
		for _, id := range f.Incidents {
			args = append(args, string(id))
		}
	}
	if p := f.Visible; p != nil {
		switch p.Role {
		case truce.RoleAdmin, truce.RoleMonitor:
		case truce.RoleParty:
			where = append(where, "EXISTS (SELECT 1 FROM incidents i WHERE i.id = "+alias+"incident_id AND (i.published = 1 OR i.submitted_by = ?))")
			args = append(args, string(p.Party))
		default:
			where = append(where, "EXISTS (SELECT 1 FROM incidents i WHERE i.id = "+alias+"incident_id AND i.published = 1)")
		}
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// Reports calls fn for every matching report in (start, id) order.
func (s *Store) Reports(ctx context.Context, f truce.ReportFilter, fn func(*truce.Report) error) error {
	where, args := filterSQL(f, "")
	rows, err := s.db.QueryContext(ctx, `SELECT `+reportCols+` FROM reports`+where+` ORDER BY start_ns, id`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return fmt.Errorf("sqlite: reports: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: reports: %w", err)
	}
	return nil
}
