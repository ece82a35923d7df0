package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// InsertReports stores the reports not yet stored, each opening an
// incident of its own with its created event (and its prepared figures), and
// logs them: one INSERT per table, each column sent as an array
// (insertFresh).
func (w *writeTx) InsertReports(by truce.Principal, rs []*truce.Report, opt truce.PutOptions, pre *sqlstore.Prepared) ([]bool, error) {
	if pre == nil {
		pre = &sqlstore.Prepared{}
	}
	// Read ahead of the write (sqlstore.Driver.ReadAhead), or now.
	stored := pre.Unstored
	ahead := stored != nil
	if ahead && len(stored) != len(rs) {
		return nil, fmt.Errorf("postgres: put reports: %d reports read ahead for %d", len(stored), len(rs))
	}
	var err error
	if !ahead {
		if stored, err = w.unstored(rs); err != nil {
			return nil, err
		}
	}
	var fresh []*truce.Report
	var ffigs []ledger.Figures
	var recs [][]byte
	figs := pre.NewFigures() // after unstored's round trip, which ran the queries held before it
	for i, ok := range stored {
		if !ok {
			continue
		}
		fresh = append(fresh, rs[i])
		f := ledger.Figures{Start: rs[i].Start, Location: rs[i].Location}
		if figs != nil {
			f = figs[i]
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
	if err := w.insertFresh(by, opt, fresh, idx, ffigs, ahead); err != nil {
		return nil, err
	}
	return stored, nil
}

// unstored returns which reports of rs are new: not stored yet, and the
// first copy of their id in rs.
func (w *writeTx) unstored(rs []*truce.Report) ([]bool, error) {
	first, ids := sqlstore.FirstCopies(rs)
	if len(ids) == 0 {
		return first, nil
	}
	stored, err := storedReports(w.ctx, w.tx, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: put reports: %w", err)
	}
	return sqlstore.NotStored(rs, first, stored), nil
}

// storedReports returns which of ids are stored reports, read with q (a
// write's pipe, or the pool: sqlstore.Driver.ReadAhead).
func storedReports(ctx context.Context, q querier, ids []string) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT id FROM reports WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(stored))
	for _, id := range stored {
		m[id] = true
	}
	return m, nil
}

// insertFresh inserts the new reports, their incidents and their created
// events with the write's next round trip (pipe.later): three INSERT ...
// SELECT FROM unnest, each column one array parameter, so that a write
// sends three statements whatever its number of reports. (A text[] column
// travels as array literals, arrayLiteral: unnest cannot take an array of
// arrays of different lengths.)
//
// With ahead, which reports are new was read ahead of the write: a report
// another write stored since is skipped by ON CONFLICT, and the count
// fails the write with sqlstore.ErrStale, to run again.
func (w *writeTx) insertFresh(by truce.Principal, opt truce.PutOptions, fresh []*truce.Report, idx []int64, figs []ledger.Figures, ahead bool) error {
	n := len(fresh)
	texts := func() []string { return make([]string, n) }
	var (
		id, source, sourceID, outlet, file, original, place, actor1, actor2, perpetrator, actions, eventType, category, site, text = texts(),
			texts(), texts(), texts(), texts(), texts(), texts(), texts(), texts(), texts(), texts(), texts(), texts(), texts(), texts()
		line, fatalities             = make([]int32, n), make([]int32, n)
		start, end                   = make([]int64, n), make([]int64, n)
		precision, outcome           = make([]int16, n), make([]int16, n)
		lon, lat, locPrec            = make([]float64, n), make([]float64, n), make([]float64, n)
		parties, phases, explanation = texts(), texts(), texts()
	)
	for i, r := range fresh {
		id[i], source[i], sourceID[i], outlet[i], file[i], original[i] = string(r.ID), r.Source, r.SourceID, r.Outlet, r.File, r.Original
		place[i], actor1[i], actor2[i], perpetrator[i] = r.Place, r.Actor1, r.Actor2, string(r.Perpetrator)
		actions[i], eventType[i], category[i], site[i], text[i] = arrayLiteral(sqlstore.Texts(r.Actions)), r.EventType, string(r.Category), string(r.Site), r.Text
		line[i], fatalities[i], start[i], end[i], precision[i] = int32(r.Line), int32(r.Fatalities), r.Start.UnixNano(), r.End.UnixNano(), int16(r.Precision)
		lon[i], lat[i], locPrec[i] = r.Location.Lon, r.Location.Lat, r.LocationPrecisionMeters
		f := figs[i]
		outcome[i], parties[i], phases[i], explanation[i] = int16(f.Outcome), arrayLiteral(sqlstore.Texts(f.Parties)), arrayLiteral(sqlstore.Texts(f.Phases)), f.Explanation
	}
	now := w.now.UnixNano()
	fail := func(err error) error {
		if errors.Is(err, sqlstore.ErrUnique) {
			return truce.Errorf(truce.ECONFLICT, "put reports: an incident with the id of a new report already exists")
		}
		return sqlstore.TextError(err, "put reports")
	}
	// Read in the write, under the lock, the new reports cannot be stored
	// by another write: ON CONFLICT stays as a guard, and the count below
	// turns a skipped row into an error rather than a record without its
	// row. Read ahead, they can: the write runs again.
	w.tx.later(fail, func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != int64(n) {
			err := fmt.Errorf("%d of %d new reports inserted", ct.RowsAffected(), n)
			if ahead {
				err = fmt.Errorf("%w: %w", sqlstore.ErrStale, err)
			}
			return err
		}
		return nil
	}, `INSERT INTO reports (`+sqlstore.ReportCols+`, created_ns, incident_id, submitted_by, log_index)
		SELECT id, source, source_id, outlet, file, line, original, start_ns, end_ns, precision, lon, lat, loc_prec_m,
			place, actor1, actor2, perpetrator, actions::text[], event_type, category, site, text, fatalities, $24, id, $25, log_index
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::bigint[], $9::bigint[],
			$10::smallint[], $11::float8[], $12::float8[], $13::float8[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
			$19::text[], $20::text[], $21::text[], $22::text[], $23::integer[], $26::bigint[])
			AS u(id, source, source_id, outlet, file, line, original, start_ns, end_ns, precision, lon, lat, loc_prec_m,
			place, actor1, actor2, perpetrator, actions, event_type, category, site, text, fatalities, log_index)
		ON CONFLICT (id) DO NOTHING`,
		id, source, sourceID, outlet, file, line, original, start, end, precision, lon, lat, locPrec,
		place, actor1, actor2, perpetrator, actions, eventType, category, site, text, fatalities, now, string(opt.SubmittedBy), idx)
	w.tx.later(fail, nil, `INSERT INTO incidents (id, status, published, submitted_by, created_ns, updated_ns, start_ns, lon, lat,
		outcome, parties, phases, explanation)
		SELECT id, $1, $2, $3, $4, $4, start_ns, lon, lat, outcome, parties::text[], phases::text[], explanation
		FROM unnest($5::text[], $6::bigint[], $7::float8[], $8::float8[], $9::smallint[], $10::text[], $11::text[], $12::text[])
			AS u(id, start_ns, lon, lat, outcome, parties, phases, explanation)`,
		string(truce.StatusReported), opt.Published, string(opt.SubmittedBy), now, id, start, lon, lat, outcome, parties, phases, explanation)
	// Event ids are given in the reports' order.
	w.tx.later(fail, nil, `INSERT INTO incident_events (incident, at_ns, actor, kind, to_status, log_index)
		SELECT id, $1, $2, $3, $4, log_index FROM unnest($5::text[], $6::bigint[]) WITH ORDINALITY AS u(id, log_index, ord)
		ORDER BY ord`,
		now, by.String(), string(truce.EventCreated), string(truce.StatusReported), id, idx)
	return nil
}
