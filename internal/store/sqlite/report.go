package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"truce"
)

const reportCols = `id, source, source_id, outlet, file, line, original, start_ns, end_ns, precision, lon, lat, loc_prec_m,
	place, actor1, actor2, perpetrator, actions, event_type, category, site, text, fatalities`

// PutReports stores the reports not yet stored, in one transaction.
func (s *Store) PutReports(ctx context.Context, rs []*truce.Report) (int, error) {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return 0, err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer tx.Rollback()
	added, err := insertReports(ctx, tx, rs, s.Now())
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: put reports: %w", err)
	}
	return added, nil
}

func insertReports(ctx context.Context, tx *sql.Tx, rs []*truce.Report, now time.Time) (int, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO reports (`+reportCols+`, created_ns)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer stmt.Close()
	added := 0
	for _, r := range rs {
		res, err := stmt.ExecContext(ctx, string(r.ID), r.Source, r.SourceID, r.Outlet, r.File, r.Line, r.Original,
			r.Start.UnixNano(), r.End.UnixNano(), int(r.Precision), r.Location.Lon, r.Location.Lat, r.LocationPrecisionMeters,
			r.Place, r.Actor1, r.Actor2, string(r.Perpetrator), joinActions(r.Actions), r.EventType, string(r.Category),
			string(r.Site), r.Text, r.Fatalities, now.UnixNano())
		if err != nil {
			return 0, fmt.Errorf("sqlite: put report %s: %w", r.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("sqlite: put report %s: %w", r.ID, err)
		}
		added += int(n)
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
