package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// InsertReports stores the reports not yet stored, each opening an
// incident of its own with its created event (and its prepared figures), and logs
// them, with statements prepared once per connection (the statement
// cache).
func (w *writeTx) InsertReports(by truce.Principal, rs []*truce.Report, opt truce.PutOptions, pre *sqlstore.Prepared) ([]bool, error) {
	if pre == nil {
		pre = &sqlstore.Prepared{}
	}
	ctx := w.ctx
	exists, err := w.prepared(`SELECT 1 FROM reports WHERE id = ?`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer exists.Close()
	ins, err := w.prepared(`INSERT INTO reports (` + sqlstore.ReportCols + `, created_ns, incident_id, submitted_by, log_index)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer ins.Close()
	inc, err := w.prepared(`INSERT INTO incidents (id, status, published, submitted_by, created_ns, updated_ns, start_ns, lon, lat,
		outcome, parties, phases, explanation) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer inc.Close()
	ev, err := w.prepared(`INSERT INTO incident_events (incident, at_ns, actor, kind, to_status, log_index) VALUES (?,?,?,?,?,?)`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: put reports: %w", err)
	}
	defer ev.Close()
	stored := make([]bool, len(rs))
	figs := pre.NewFigures() // queries held before run at once here
	for i, r := range rs {
		var one int
		switch err := exists.QueryRowContext(ctx, string(r.ID)).Scan(&one); {
		case err == nil:
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("sqlite: put report %s: %w", r.ID, err)
		}
		var idx int64
		if pre.Records != nil {
			idx, err = w.LogEncoded(pre.Records[i])
		} else {
			idx, err = w.Log(ledger.ReportRecord(by, w.now, r, opt))
		}
		if err != nil {
			return nil, err
		}
		if _, err := ins.ExecContext(ctx, string(r.ID), r.Source, r.SourceID, r.Outlet, r.File, r.Line, r.Original,
			r.Start.UnixNano(), r.End.UnixNano(), int(r.Precision), r.Location.Lon, r.Location.Lat, r.LocationPrecisionMeters,
			r.Place, r.Actor1, r.Actor2, string(r.Perpetrator), joinActions(r.Actions), r.EventType, string(r.Category),
			string(r.Site), r.Text, r.Fatalities, w.now.UnixNano(), string(r.ID), string(opt.SubmittedBy), idx); err != nil {
			return nil, fmt.Errorf("sqlite: put report %s: %w", r.ID, err)
		}
		f := ledger.Figures{Start: r.Start, Location: r.Location}
		if figs != nil {
			f = figs[i]
		}
		v := sqlstore.FigureValues(dialect{}, f)
		if _, err := inc.ExecContext(ctx, string(r.ID), string(truce.StatusReported), opt.Published, string(opt.SubmittedBy),
			w.now.UnixNano(), w.now.UnixNano(), v[0], v[1], v[2], v[3], v[4], v[5], v[6]); err != nil {
			if errors.Is(classify(err), sqlstore.ErrUnique) {
				return nil, truce.Errorf(truce.ECONFLICT, "report %s: an incident with that id already exists", r.ID)
			}
			return nil, fmt.Errorf("sqlite: incident %s: %w", r.ID, err)
		}
		if _, err := ev.ExecContext(ctx, string(r.ID), w.now.UnixNano(), by.String(), string(truce.EventCreated), string(truce.StatusReported), idx); err != nil {
			return nil, fmt.Errorf("sqlite: incident %s: %w", r.ID, err)
		}
		stored[i] = true
	}
	return stored, nil
}

func joinActions(as []truce.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, "|")
}
