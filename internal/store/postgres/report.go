package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// reportColNames are sqlstore.ReportCols, as COPY takes them.
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

// stagingDDL creates the table PutReports copies new reports into, once
// per connection: creating a table writes to the catalogue (a millisecond
// under the log lock each time), so it stays, and is emptied by
// insertStaged and at commit.
const stagingDDL = `CREATE TEMPORARY TABLE IF NOT EXISTS report_staging (
	id text, source text, source_id text, outlet text, file text, line integer, original text,
	start_ns bigint, end_ns bigint, precision smallint, lon double precision, lat double precision, loc_prec_m double precision,
	place text, actor1 text, actor2 text, perpetrator text, actions text[], event_type text, category text, site text,
	text text, fatalities integer, ord integer, log_index bigint,
	outcome smallint, parties text[], phases text[], explanation text
) ON COMMIT DELETE ROWS`

// InsertReports stores the reports not yet stored, each opening an
// incident of its own with its created event (and its prepared figures), and
// logs them. New reports go through COPY into a staging table and one
// INSERT ... SELECT per table.
func (w *writeTx) InsertReports(by truce.Principal, rs []*truce.Report, opt truce.PutOptions, pre *sqlstore.Prepared) ([]bool, error) {
	if pre == nil {
		pre = &sqlstore.Prepared{}
	}
	stored, err := w.unstored(rs)
	if err != nil {
		return nil, err
	}
	var fresh []*truce.Report
	var ffigs []ledger.Figures
	var recs [][]byte
	for i, ok := range stored {
		if !ok {
			continue
		}
		fresh = append(fresh, rs[i])
		f := ledger.Figures{Start: rs[i].Start, Location: rs[i].Location}
		if pre.Figures != nil {
			f = pre.Figures[i]
		}
		ffigs = append(ffigs, f)
		if pre.Records != nil {
			recs = append(recs, pre.Records[i])
		}
	}
	if len(fresh) == 0 {
		return stored, nil
	}
	// One record per new report, in batch order.
	idx := make([]int64, len(fresh))
	for i, r := range fresh {
		if recs != nil {
			idx[i], err = w.LogEncoded(recs[i])
		} else {
			idx[i], err = w.Log(ledger.ReportRecord(by, w.now, r, opt))
		}
		if err != nil {
			return nil, err
		}
	}
	if err := w.stage(fresh, idx, ffigs); err != nil {
		return nil, err
	}
	if err := w.insertStaged(by, opt, len(fresh)); err != nil {
		return nil, err
	}
	return stored, nil
}

// unstored returns which reports of rs are new: not stored yet, and the
// first copy of their id in rs.
func (w *writeTx) unstored(rs []*truce.Report) ([]bool, error) {
	fresh := make([]bool, len(rs))
	seen := make(map[truce.ReportID]bool, len(rs))
	ids := make([]string, 0, len(rs))
	for i, r := range rs {
		if !seen[r.ID] {
			seen[r.ID] = true
			fresh[i] = true
			ids = append(ids, string(r.ID))
		}
	}
	if len(ids) == 0 {
		return fresh, nil
	}
	rows, err := w.tx.Query(w.ctx, `SELECT id FROM reports WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: put reports: %w", err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: put reports: %w", err)
	}
	old := make(map[truce.ReportID]bool, len(stored))
	for _, id := range stored {
		old[truce.ReportID(id)] = true
	}
	for i, r := range rs {
		if old[r.ID] {
			fresh[i] = false
		}
	}
	return fresh, nil
}

// stage copies the reports, with their order and log indexes, into the
// staging table, which insertStaged empties.
func (w *writeTx) stage(fresh []*truce.Report, idx []int64, figs []ledger.Figures) error {
	if _, err := w.tx.Exec(w.ctx, stagingDDL); err != nil {
		return fmt.Errorf("postgres: put reports: %w", err)
	}
	cols := append(append([]string(nil), reportColNames...), "ord", "log_index", "outcome", "parties", "phases", "explanation")
	if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{"report_staging"}, cols, pgx.CopyFromSlice(len(fresh), func(i int) ([]any, error) {
		f := figs[i]
		return append(reportValues(fresh[i]), int32(i), idx[i], int16(f.Outcome), dialect{}.ListValue(sqlstore.Texts(f.Parties)),
			dialect{}.ListValue(sqlstore.Texts(f.Phases)), f.Explanation), nil
	})); err != nil {
		return sqlstore.TextError(classify(err), "put reports")
	}
	return nil
}

// insertStaged inserts the n staged reports, their incidents and their
// created events, in one round trip.
func (w *writeTx) insertStaged(by truce.Principal, opt truce.PutOptions, n int) error {
	now := w.now.UnixNano()
	b := &pgx.Batch{}
	// The lock makes ON CONFLICT unreachable; it stays as a guard, and the
	// count below turns a skipped row into an error rather than a record
	// without its row.
	b.Queue(`INSERT INTO reports (`+sqlstore.ReportCols+`, created_ns, incident_id, submitted_by, log_index)
		SELECT `+sqlstore.ReportCols+`, $1, id, $2, log_index FROM report_staging ORDER BY ord
		ON CONFLICT (id) DO NOTHING`, now, string(opt.SubmittedBy)).Exec(func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != int64(n) {
			return fmt.Errorf("postgres: put reports: %d of %d new reports inserted", ct.RowsAffected(), n)
		}
		return nil
	})
	b.Queue(`INSERT INTO incidents (id, status, published, submitted_by, created_ns, updated_ns, start_ns, lon, lat,
		outcome, parties, phases, explanation)
		SELECT id, $1, $2, $3, $4, $4, start_ns, lon, lat, outcome, parties, phases, explanation FROM report_staging ORDER BY ord`,
		string(truce.StatusReported), opt.Published, string(opt.SubmittedBy), now)
	b.Queue(`INSERT INTO incident_events (incident, at_ns, actor, kind, to_status, log_index)
		SELECT id, $1, $2, $3, $4, log_index FROM report_staging ORDER BY ord`,
		now, by.String(), string(truce.EventCreated), string(truce.StatusReported))
	// Emptied now, not only at commit: the next write of a group commit
	// stages its reports in the same transaction.
	b.Queue(`DELETE FROM report_staging`)
	if err := w.tx.SendBatch(w.ctx, b).Close(); err != nil {
		if pgCode(err) == codeUniqueViolation {
			return truce.Errorf(truce.ECONFLICT, "put reports: an incident with the id of a new report already exists")
		}
		return sqlstore.TextError(classify(err), "put reports")
	}
	return nil
}
