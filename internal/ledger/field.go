package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"truce"
)

// Record kinds of field monitoring (issue 19). An observation and a
// restriction are logged with every field a store keeps, so that
// VerifyRows can rebuild each row from the log, as it does for claims.
const (
	// KindObservation logs a new observation: the whole observation as
	// stored.
	KindObservation = "observation.created"
	// KindObservationPublished logs an observation made readable by
	// everyone.
	KindObservationPublished = "observation.published"
	// KindRestriction logs a new restriction of the monitors' access.
	KindRestriction = "restriction.created"
	// KindRestrictionPublished logs a restriction made readable by
	// everyone.
	KindRestrictionPublished = "restriction.published"
)

// ObservationBody is the logged form of an observation.
type ObservationBody struct {
	ID          string  `json:"id"`
	Monitor     string  `json:"monitor,omitempty"`
	Means       string  `json:"means"`
	Sensed      string  `json:"sensed"`
	Start       string  `json:"start"`
	End         string  `json:"end"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`
	Area        string  `json:"area,omitempty"`
	Region      string  `json:"region,omitempty"`
	Direction   string  `json:"direction,omitempty"`
	DistanceMin float64 `json:"distance_min_m,omitempty"`
	DistanceMax float64 `json:"distance_max_m,omitempty"`
	Kind        string  `json:"kind"`
	Explosion   string  `json:"explosion,omitempty"`
	Count       int     `json:"count"`
	Weapon      string  `json:"weapon,omitempty"`
	Party       string  `json:"party,omitempty"`
	Note        string  `json:"note,omitempty"`
	Published   bool    `json:"published,omitempty"`
	File        string  `json:"file,omitempty"`
	Line        int     `json:"line,omitempty"`
}

func observationBody(o *truce.Observation) ObservationBody {
	return ObservationBody{ID: string(o.ID), Monitor: o.Monitor, Means: string(o.Means), Sensed: string(o.Sensed),
		Start: rfc3339(o.Start), End: rfc3339(o.End), Lon: o.Position.Lon, Lat: o.Position.Lat, Area: o.Area, Region: o.Region,
		Direction: o.Direction, DistanceMin: o.DistanceMinMeters, DistanceMax: o.DistanceMaxMeters, Kind: string(o.Kind),
		Explosion: string(o.Explosion), Count: o.Count, Weapon: o.Weapon, Party: string(o.Party), Note: o.Note,
		Published: o.Published, File: o.File, Line: o.Line}
}

// RestrictionBody is the logged form of a restriction of access.
type RestrictionBody struct {
	ID         string  `json:"id"`
	Kind       string  `json:"kind"`
	Start      string  `json:"start"`
	DurationS  int64   `json:"duration_s,omitempty"`
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	Area       string  `json:"area,omitempty"`
	Region     string  `json:"region,omitempty"`
	Means      string  `json:"means"`
	PatrolSize int     `json:"patrol_size,omitempty"`
	Reason     string  `json:"reason,omitempty"`
	Party      string  `json:"party,omitempty"`
	Note       string  `json:"note,omitempty"`
	Published  bool    `json:"published,omitempty"`
	File       string  `json:"file,omitempty"`
	Line       int     `json:"line,omitempty"`
}

func restrictionBody(r *truce.AccessRestriction) RestrictionBody {
	return RestrictionBody{ID: string(r.ID), Kind: string(r.Kind), Start: rfc3339(r.Start), DurationS: int64(r.Duration.Seconds()),
		Lon: r.Location.Lon, Lat: r.Location.Lat, Area: r.Area, Region: r.Region, Means: string(r.Means), PatrolSize: r.PatrolSize,
		Reason: r.Reason, Party: string(r.Party), Note: r.Note, Published: r.Published, File: r.File, Line: r.Line}
}

// ObservationRecord is the record of a new observation; its body is the
// whole observation as stored, Published as it was when it was put.
func ObservationRecord(by truce.Principal, at time.Time, o *truce.Observation) (*Record, error) {
	return newRecord(KindObservation, by, at, string(o.ID), observationBody(o))
}

// RestrictionRecord is the record of a new restriction of access.
func RestrictionRecord(by truce.Principal, at time.Time, r *truce.AccessRestriction) (*Record, error) {
	return newRecord(KindRestriction, by, at, string(r.ID), restrictionBody(r))
}

// FieldPublishedBody is the logged form of an observation or restriction
// published.
type FieldPublishedBody struct {
	ID string `json:"id"`
}

// ObservationPublishedRecord is the record of observation id made
// readable by everyone.
func ObservationPublishedRecord(by truce.Principal, at time.Time, id truce.ObservationID) (*Record, error) {
	return newRecord(KindObservationPublished, by, at, string(id), FieldPublishedBody{ID: string(id)})
}

// RestrictionPublishedRecord is the record of restriction id made
// readable by everyone.
func RestrictionPublishedRecord(by truce.Principal, at time.Time, id truce.RestrictionID) (*Record, error) {
	return newRecord(KindRestrictionPublished, by, at, string(id), FieldPublishedBody{ID: string(id)})
}

// SameObservation reports whether a and b are the same observation,
// whether or not either has been published since.
func SameObservation(a, b *truce.Observation) bool {
	x, y := observationBody(a), observationBody(b)
	x.Published, y.Published = false, false
	return x == y
}

// SameRestriction reports whether a and b are the same restriction,
// whether or not either has been published since.
func SameRestriction(a, b *truce.AccessRestriction) bool {
	x, y := restrictionBody(a), restrictionBody(b)
	x.Published, y.Published = false, false
	return x == y
}

// FieldState is an observation or a restriction as the log says it must
// be stored.
type FieldState struct {
	Body      json.RawMessage // canonical body, Published as put
	Published bool            // put published, or published since
	Index     int64           // the record that created it
}

// applyField replays record idx of an observation or a restriction, new
// or published.
func (st *State) applyField(rec *Record, idx int64) error {
	switch rec.Kind {
	case KindObservation:
		b, err := body[ObservationBody](rec, "observation")
		if err != nil {
			return err
		}
		return addField(st.Observations, truce.ObservationID(b.ID), "observation", rec, b.Published, idx)
	case KindRestriction:
		b, err := body[RestrictionBody](rec, "restriction")
		if err != nil {
			return err
		}
		return addField(st.Restrictions, truce.RestrictionID(b.ID), "restriction", rec, b.Published, idx)
	case KindObservationPublished:
		return publishField(st.Observations, "observation", rec)
	case KindRestrictionPublished:
		return publishField(st.Restrictions, "restriction", rec)
	}
	return nil
}

func addField[K ~string](m map[K]*FieldState, id K, what string, rec *Record, published bool, idx int64) error {
	if m[id] != nil {
		return fmt.Errorf("%s record for %s %s, which the log has already", what, what, id)
	}
	m[id] = &FieldState{Body: rec.Body, Published: published, Index: idx}
	return nil
}

func publishField[K ~string](m map[K]*FieldState, what string, rec *Record) error {
	b, err := body[FieldPublishedBody](rec, what+" publication")
	if err != nil {
		return err
	}
	f := m[K(b.ID)]
	if f == nil {
		return fmt.Errorf("publication of %s %s, which the log does not have", what, b.ID)
	}
	f.Published = true
	return nil
}

// fieldRows checks the observations and restrictions against the state
// the log replays to.
func (v *rowVerifier) fieldRows(ctx context.Context, src RowSource) error {
	seen := map[truce.ObservationID]bool{}
	err := src.Observations(ctx, func(o *truce.Observation) error {
		b := observationBody(o)
		published := b.Published
		if err := checkField(v.st.Observations[o.ID], "observation "+string(o.ID), published, func(put bool) any {
			b.Published = put
			return b
		}); err != nil {
			return err
		}
		seen[o.ID] = true
		v.rc.Observations++
		return nil
	})
	if err != nil {
		return err
	}
	if err := deletedRow("observation", v.st.Observations, seen, func(f *FieldState) int64 { return f.Index }); err != nil {
		return err
	}
	seenR := map[truce.RestrictionID]bool{}
	err = src.Restrictions(ctx, func(r *truce.AccessRestriction) error {
		b := restrictionBody(r)
		published := b.Published
		if err := checkField(v.st.Restrictions[r.ID], "restriction "+string(r.ID), published, func(put bool) any {
			b.Published = put
			return b
		}); err != nil {
			return err
		}
		seenR[r.ID] = true
		v.rc.Restrictions++
		return nil
	})
	if err != nil {
		return err
	}
	return deletedRow("restriction", v.st.Restrictions, seenR, func(f *FieldState) int64 { return f.Index })
}

// checkField compares a row with its logged state: the body the row
// gives with Published as it was put (withPut) must be the logged body,
// and the row's publication (published) what the log says now.
func checkField(logged *FieldState, what string, published bool, withPut func(put bool) any) error {
	if logged == nil {
		return diverged("%s is not in the log: it was not stored through the store", what)
	}
	var put struct {
		Published bool `json:"published"`
	}
	if err := json.Unmarshal(logged.Body, &put); err != nil {
		return diverged("%s: log record %d does not decode", what, logged.Index)
	}
	mine, err := Canonical(withPut(put.Published))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !bytes.Equal(mine, logged.Body) {
		return diverged("%s does not match log record %d", what, logged.Index)
	}
	if published != logged.Published {
		return diverged("%s: its publication does not match the log", what)
	}
	return nil
}
