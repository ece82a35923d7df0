package sqlstore

import (
	"context"
	"fmt"
	"time"

	"truce"
	"truce/internal/ledger"
)

// Column lists of the field monitoring tables (issue 19), in the order of
// the scan functions that read them; both drivers' schemas use these
// names.
const (
	observationCols = `id, monitor, means, sensed, start_ns, end_ns, lon, lat, area, region, direction, dist_min_m, dist_max_m, kind,
	explosion, count, weapon, party, note, published, file, line`
	restrictionCols = `id, kind, start_ns, duration_s, lon, lat, area, region, means, patrol_size, reason, party, note, published, file, line`
)

func scanObservation(sc Scanner) (*truce.Observation, error) {
	var o truce.Observation
	var id, means, sensed, kind, explosion, party string
	var start, end int64
	if err := sc.Scan(&id, &o.Monitor, &means, &sensed, &start, &end, &o.Position.Lon, &o.Position.Lat, &o.Area, &o.Region, &o.Direction,
		&o.DistanceMinMeters, &o.DistanceMaxMeters, &kind, &explosion, &o.Count, &o.Weapon, &party, &o.Note, &o.Published,
		&o.File, &o.Line); err != nil {
		return nil, err
	}
	o.ID, o.Means, o.Sensed, o.Kind = truce.ObservationID(id), truce.ObservationMeans(means), truce.Sensed(sensed), truce.ObservedKind(kind)
	o.Explosion, o.Party, o.Start, o.End = truce.ExplosionKind(explosion), truce.PartyID(party), unixUTC(start), unixUTC(end)
	return &o, nil
}

func scanRestriction(sc Scanner) (*truce.AccessRestriction, error) {
	var r truce.AccessRestriction
	var id, kind, means, party string
	var start, dur int64
	if err := sc.Scan(&id, &kind, &start, &dur, &r.Location.Lon, &r.Location.Lat, &r.Area, &r.Region, &means, &r.PatrolSize, &r.Reason,
		&party, &r.Note, &r.Published, &r.File, &r.Line); err != nil {
		return nil, err
	}
	r.ID, r.Kind, r.Means, r.Party = truce.RestrictionID(id), truce.RestrictionKind(kind), truce.ObservationMeans(means), truce.PartyID(party)
	r.Start, r.Duration = unixUTC(start), time.Duration(dur)*time.Second
	return &r, nil
}

// PutObservations stores the observations whose ids are not stored yet
// and logs each one (observation.created), in one transaction. One
// already stored is left as it is if it is the same observation
// (ledger.SameObservation), ECONFLICT if not. EINVALID if one fails
// Validate.
func (c Core) PutObservations(ctx context.Context, by truce.Principal, os []*truce.Observation) (int, error) {
	return putOnce(ctx, c, by, os, once[*truce.Observation]{
		what: "observation",
		id:   func(o *truce.Observation) string { return string(o.ID) },
		get: func(ctx context.Context, w WriteTx, id string) (*truce.Observation, error) {
			return scanObservation(w.QueryRow(ctx, `SELECT `+observationCols+` FROM observations WHERE id = $1`, id))
		},
		same:   ledger.SameObservation,
		record: ledger.ObservationRecord,
		insert: func(ctx context.Context, w WriteTx, o *truce.Observation) error {
			_, err := w.Exec(ctx, `INSERT INTO observations (`+observationCols+`) VALUES (`+Placeholders(1, 22)+`)`,
				string(o.ID), o.Monitor, string(o.Means), string(o.Sensed), o.Start.UnixNano(), o.End.UnixNano(), o.Position.Lon,
				o.Position.Lat, o.Area, o.Region, o.Direction, o.DistanceMinMeters, o.DistanceMaxMeters, string(o.Kind), string(o.Explosion),
				o.Count, o.Weapon, string(o.Party), o.Note, o.Published, o.File, o.Line)
			return err
		},
	})
}

// PutRestrictions stores the restrictions whose ids are not stored yet
// and logs each one (restriction.created), as PutObservations does.
func (c Core) PutRestrictions(ctx context.Context, by truce.Principal, rs []*truce.AccessRestriction) (int, error) {
	return putOnce(ctx, c, by, rs, once[*truce.AccessRestriction]{
		what: "restriction",
		id:   func(r *truce.AccessRestriction) string { return string(r.ID) },
		get: func(ctx context.Context, w WriteTx, id string) (*truce.AccessRestriction, error) {
			return scanRestriction(w.QueryRow(ctx, `SELECT `+restrictionCols+` FROM access_restrictions WHERE id = $1`, id))
		},
		same:   ledger.SameRestriction,
		record: ledger.RestrictionRecord,
		insert: func(ctx context.Context, w WriteTx, r *truce.AccessRestriction) error {
			_, err := w.Exec(ctx, `INSERT INTO access_restrictions (`+restrictionCols+`) VALUES (`+Placeholders(1, 16)+`)`,
				string(r.ID), string(r.Kind), r.Start.UnixNano(), int64(r.Duration/time.Second), r.Location.Lon, r.Location.Lat,
				r.Area, r.Region, string(r.Means), r.PatrolSize, r.Reason, string(r.Party), r.Note, r.Published, r.File, r.Line)
			return err
		},
	})
}

// Observation returns one observation. ENOTFOUND if absent.
func (c Core) Observation(ctx context.Context, id truce.ObservationID) (*truce.Observation, error) {
	o, err := scanObservation(c.d.DB.QueryRow(ctx, `SELECT `+observationCols+` FROM observations WHERE id = $1`, string(id)))
	if err != nil {
		return nil, NotFound(err, "observation "+string(id), "observation %s not found", id)
	}
	return o, nil
}

// Restriction returns one restriction. ENOTFOUND if absent.
func (c Core) Restriction(ctx context.Context, id truce.RestrictionID) (*truce.AccessRestriction, error) {
	r, err := scanRestriction(c.d.DB.QueryRow(ctx, `SELECT `+restrictionCols+` FROM access_restrictions WHERE id = $1`, string(id)))
	if err != nil {
		return nil, NotFound(err, "restriction "+string(id), "restriction %s not found", id)
	}
	return r, nil
}

// fieldWhere is the SQL condition and arguments of f's time bounds and
// party; the principal's visibility is decided by truce.CanReadField.
func fieldWhere(f truce.FieldFilter) (string, []any) {
	var where []string
	var args []any
	if f.Since != nil {
		args = append(args, f.Since.UnixNano())
		where = append(where, fmt.Sprintf("start_ns >= $%d", len(args)))
	}
	if f.Until != nil {
		args = append(args, f.Until.UnixNano())
		where = append(where, fmt.Sprintf("start_ns < $%d", len(args)))
	}
	if f.Party != "" {
		args = append(args, string(f.Party))
		where = append(where, fmt.Sprintf("party = $%d", len(args)))
	}
	return Where(where), args
}

// Observations calls fn for every observation matching f, in (start, id)
// order, stopping at fn's first error.
func (c Core) Observations(ctx context.Context, f truce.FieldFilter, fn func(*truce.Observation) error) error {
	where, args := fieldWhere(f)
	return Each(ctx, c.d.DB, "observations", scanObservation, func(o *truce.Observation) error {
		if f.Visible != nil && !truce.CanReadField(*f.Visible, o.Party, o.Published) {
			return nil
		}
		return fn(o)
	}, `SELECT `+observationCols+` FROM observations`+where+` ORDER BY start_ns, id`, args...)
}

// Restrictions calls fn for every restriction matching f, in (start, id)
// order, stopping at fn's first error.
func (c Core) Restrictions(ctx context.Context, f truce.FieldFilter, fn func(*truce.AccessRestriction) error) error {
	where, args := fieldWhere(f)
	return Each(ctx, c.d.DB, "restrictions", scanRestriction, func(r *truce.AccessRestriction) error {
		if f.Visible != nil && !truce.CanReadField(*f.Visible, r.Party, r.Published) {
			return nil
		}
		return fn(r)
	}, `SELECT `+restrictionCols+` FROM access_restrictions`+where+` ORDER BY start_ns, id`, args...)
}

// PublishObservation makes an observation readable by everyone and logs
// it (observation.published); publishing a published one does nothing.
// ENOTFOUND if absent.
func (c Core) PublishObservation(ctx context.Context, by truce.Principal, id truce.ObservationID) error {
	return c.publishField(ctx, "observations", "observation", string(id), func(at time.Time) (*ledger.Record, error) {
		return ledger.ObservationPublishedRecord(by, at, id)
	})
}

// PublishRestriction makes a restriction readable by everyone and logs it
// (restriction.published); publishing a published one does nothing.
// ENOTFOUND if absent.
func (c Core) PublishRestriction(ctx context.Context, by truce.Principal, id truce.RestrictionID) error {
	return c.publishField(ctx, "access_restrictions", "restriction", string(id), func(at time.Time) (*ledger.Record, error) {
		return ledger.RestrictionPublishedRecord(by, at, id)
	})
}

// publishField sets published on row id of table (a constant of this
// file, never input) and logs the record rec makes.
func (c Core) publishField(ctx context.Context, table, what, id string, rec func(time.Time) (*ledger.Record, error)) error {
	return c.d.Write(ctx, func(w WriteTx) error {
		var published bool
		if err := w.QueryRow(ctx, `SELECT published FROM `+table+` WHERE id = $1`, id).Scan(&published); err != nil {
			return NotFound(err, "publish "+what+" "+id, "%s %s not found", what, id)
		}
		if published {
			return nil
		}
		if _, err := w.Log(rec(w.Now())); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `UPDATE `+table+` SET published = $1 WHERE id = $2`, true, id); err != nil {
			return fmt.Errorf("publish %s %s: %w", what, id, err)
		}
		return nil
	})
}

// Observations calls fn with every observation, for VerifyRows.
func (src rowSource) Observations(ctx context.Context, fn func(*truce.Observation) error) error {
	return Each(ctx, src.db, verifying, scanObservation, fn, `SELECT `+observationCols+` FROM observations ORDER BY id`)
}

// Restrictions calls fn with every restriction, for VerifyRows.
func (src rowSource) Restrictions(ctx context.Context, fn func(*truce.AccessRestriction) error) error {
	return Each(ctx, src.db, verifying, scanRestriction, fn, `SELECT `+restrictionCols+` FROM access_restrictions ORDER BY id`)
}
