package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"truce"
	"truce/internal/importer"
)

// ObservationOut is a monitors' observation as the API shows it.
type ObservationOut struct {
	ID          string  `json:"id"`
	Monitor     string  `json:"monitor,omitempty"`
	Means       string  `json:"means" enum:"patrol,camera,uav"`
	Sensed      string  `json:"sensed" enum:"seen,heard,seen_heard"`
	Start       string  `json:"start" doc:"RFC 3339, UTC"`
	End         string  `json:"end" doc:"RFC 3339, UTC; equal to start for a single sighting"`
	Lon         float64 `json:"lon" doc:"the observer's position"`
	Lat         float64 `json:"lat"`
	Area        string  `json:"area,omitempty"`
	Region      string  `json:"region,omitempty" doc:"the first-level administrative unit (oblast), as the monitors named it"`
	Direction   string  `json:"direction,omitempty" doc:"a compass point from the observer"`
	DistanceMin float64 `json:"distance_min_km,omitempty"`
	DistanceMax float64 `json:"distance_max_km,omitempty"`
	Kind        string  `json:"kind" enum:"explosion,projectile,muzzle_flash,illumination,burst"`
	Explosion   string  `json:"explosion,omitempty" enum:"impact,airburst,outgoing,undetermined"`
	Count       int     `json:"count"`
	Weapon      string  `json:"weapon,omitempty"`
	Party       string  `json:"party,omitempty" doc:"the side the monitors attribute it to"`
	Note        string  `json:"note,omitempty"`
	Published   bool    `json:"published"`
	FieldVerdict
}

// FieldVerdict is how an observation or a restriction stands against the
// current agreement, judged when it is read (internal/adjudicate:
// JudgeObservation, JudgeRestriction).
type FieldVerdict struct {
	Outcome     string `json:"outcome,omitempty" enum:"violation,disputed,undetermined,not_prohibited" doc:"under the current agreement; absent before any agreement is uploaded"`
	Explanation string `json:"explanation,omitempty" doc:"what was observed and how it stands against the terms in force at its time and place"`
}

func verdictOf(jd truce.Judgement) FieldVerdict {
	return FieldVerdict{Outcome: jd.Outcome.String(), Explanation: jd.Explanation}
}

func observationOut(o *truce.Observation) ObservationOut {
	return ObservationOut{ID: string(o.ID), Monitor: o.Monitor, Means: string(o.Means), Sensed: string(o.Sensed),
		Start: o.Start.UTC().Format(time.RFC3339), End: o.End.UTC().Format(time.RFC3339), Lon: o.Position.Lon, Lat: o.Position.Lat,
		Area: o.Area, Region: o.Region, Direction: o.Direction, DistanceMin: o.DistanceMinMeters / 1000, DistanceMax: o.DistanceMaxMeters / 1000,
		Kind: string(o.Kind), Explosion: string(o.Explosion), Count: o.Count, Weapon: o.Weapon, Party: string(o.Party),
		Note: o.Note, Published: o.Published}
}

// RestrictionOut is a restriction of the monitors' access as the API
// shows it.
type RestrictionOut struct {
	ID          string  `json:"id"`
	Kind        string  `json:"kind" enum:"denial,delay,conditional"`
	Start       string  `json:"start" doc:"RFC 3339, UTC"`
	DurationMin int64   `json:"duration_min,omitempty"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`
	Area        string  `json:"area,omitempty"`
	Region      string  `json:"region,omitempty" doc:"the first-level administrative unit (oblast), as named"`
	Means       string  `json:"means" enum:"patrol,camera,uav"`
	PatrolSize  int     `json:"patrol_size,omitempty"`
	Reason      string  `json:"reason,omitempty" doc:"the reason given, as given"`
	Party       string  `json:"party,omitempty" doc:"the side responsible"`
	Note        string  `json:"note,omitempty"`
	Published   bool    `json:"published"`
	FieldVerdict
}

func restrictionOut(r *truce.AccessRestriction) RestrictionOut {
	return RestrictionOut{ID: string(r.ID), Kind: string(r.Kind), Start: r.Start.UTC().Format(time.RFC3339),
		DurationMin: int64(r.Duration / time.Minute), Lon: r.Location.Lon, Lat: r.Location.Lat, Area: r.Area, Region: r.Region, Means: string(r.Means),
		PatrolSize: r.PatrolSize, Reason: r.Reason, Party: string(r.Party), Note: r.Note, Published: r.Published}
}

// ObservationIn is one observation recorded through the API, in the
// fields of the field format (docs/field-format.md), read by the same
// reader.
type ObservationIn struct {
	ID          string   `json:"id,omitempty" maxLength:"200" doc:"the observation's id, also its idempotency key: sending the same observation again stores nothing new (default: one the server assigns)"`
	Monitor     string   `json:"monitor,omitempty" maxLength:"500"`
	Means       string   `json:"means" enum:"patrol,camera,uav"`
	Sensed      string   `json:"sensed" enum:"seen,heard,seen_heard"`
	Start       string   `json:"start" maxLength:"40" doc:"RFC 3339, or YYYY-MM-DD HH:MM in UTC"`
	End         string   `json:"end,omitempty" maxLength:"40"`
	Lat         float64  `json:"lat" minimum:"-90" maximum:"90" doc:"the observer's position"`
	Lon         float64  `json:"lon" minimum:"-180" maximum:"180"`
	Area        string   `json:"area,omitempty" maxLength:"500"`
	Region      string   `json:"region,omitempty" maxLength:"500" doc:"the first-level administrative unit (oblast)"`
	Direction   string   `json:"direction,omitempty" maxLength:"3"`
	DistanceMin *float64 `json:"distance_min_km,omitempty" minimum:"0" maximum:"100"`
	DistanceMax *float64 `json:"distance_max_km,omitempty" minimum:"0" maximum:"100"`
	Kind        string   `json:"kind" enum:"explosion,projectile,muzzle_flash,illumination,burst"`
	Explosion   string   `json:"explosion,omitempty" enum:"impact,airburst,outgoing,undetermined,"`
	Count       int      `json:"count,omitempty" minimum:"0" maximum:"100000" doc:"default 1"`
	Weapon      string   `json:"weapon,omitempty" maxLength:"500"`
	Party       string   `json:"party,omitempty" maxLength:"64"`
	Note        string   `json:"note,omitempty" maxLength:"5000"`
	Published   bool     `json:"published,omitempty" doc:"publish at once (default: unpublished until a monitor publishes it)"`
}

// RestrictionIn is one restriction of access recorded through the API.
type RestrictionIn struct {
	ID          string  `json:"id,omitempty" maxLength:"200" doc:"the restriction's id, also its idempotency key (default: one the server assigns)"`
	Kind        string  `json:"kind" enum:"denial,delay,conditional"`
	Start       string  `json:"start" maxLength:"40" doc:"RFC 3339, or YYYY-MM-DD HH:MM in UTC"`
	DurationMin int     `json:"duration_min,omitempty" minimum:"0" maximum:"43200"`
	Lat         float64 `json:"lat" minimum:"-90" maximum:"90"`
	Lon         float64 `json:"lon" minimum:"-180" maximum:"180"`
	Area        string  `json:"area,omitempty" maxLength:"500"`
	Region      string  `json:"region,omitempty" maxLength:"500" doc:"the first-level administrative unit (oblast)"`
	Means       string  `json:"means,omitempty" enum:"patrol,camera,uav," doc:"default patrol"`
	PatrolSize  int     `json:"patrol_size,omitempty" minimum:"0" maximum:"10000"`
	Reason      string  `json:"reason,omitempty" maxLength:"5000"`
	Party       string  `json:"party,omitempty" maxLength:"64"`
	Note        string  `json:"note,omitempty" maxLength:"5000"`
	Published   bool    `json:"published,omitempty" doc:"publish at once (default: unpublished until a monitor publishes it)"`
}

// The inputs and outputs of the field operations.
type (
	createObservationIn  struct{ Body ObservationIn }
	createObservationOut struct {
		Location string `header:"Location"`
		Body     ObservationOut
	}
	createRestrictionIn  struct{ Body RestrictionIn }
	createRestrictionOut struct {
		Location string `header:"Location"`
		Body     RestrictionOut
	}
	fieldBulkIn struct {
		Kind      string `query:"kind" enum:"observations,restrictions" default:"observations"`
		Strict    bool   `query:"strict" doc:"refuse the whole file at the first bad row"`
		Published bool   `query:"published" doc:"publish at once"`
		Name      string `query:"name" maxLength:"200" doc:"the file's name, used in messages; default upload-HASH"`
		RawBody   []byte `contentType:"text/csv"`
	}
	fieldBulkOut struct{ Body FieldBulkResult }
	fieldListIn  struct {
		From  string `query:"from" maxLength:"40" doc:"RFC 3339 or YYYY-MM-DD: only records starting at or after it"`
		To    string `query:"to" maxLength:"40" doc:"RFC 3339 or YYYY-MM-DD: only records starting before it"`
		Party string `query:"party" maxLength:"64" doc:"only the records attributed to this party"`
	}
	observationsOut struct{ Body []ObservationOut }
	restrictionsOut struct{ Body []RestrictionOut }
	fieldIDIn       struct {
		ID string `path:"id" maxLength:"200"`
	}
	observationBody struct{ Body ObservationOut }
	restrictionBody struct{ Body RestrictionOut }
)

// FieldBulkResult reports an upload of observations or restrictions.
type FieldBulkResult struct {
	Read     int      `json:"read"`
	Accepted int      `json:"accepted"`
	Rejected int      `json:"rejected"`
	Added    int      `json:"added" doc:"new records stored (the rest were already stored)"`
	Errors   []string `json:"errors" doc:"the first 100 bad rows, as FILE:LINE: message"`
}

// fieldLine is the JSON Lines form of an API body: the field format's
// fields as strings, empty ones left out.
func fieldLine(vals map[string]string) []byte {
	obj := map[string]string{}
	for k, v := range vals {
		if v != "" {
			obj[k] = v
		}
	}
	b, _ := json.Marshal(obj) // a map of strings always encodes
	return append(b, '\n')
}

func optKm(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func optInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func coord(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// bodyError turns a strict read's row error into the API's EINVALID.
func bodyError(err error, what string) error {
	var re importer.RowError
	if errors.As(err, &re) {
		return truce.Errorf(truce.EINVALID, "%s", truce.ErrorMessage(re.Err))
	}
	if err != nil {
		return err
	}
	return truce.Errorf(truce.EINVALID, "no %s in the body", what)
}

// parseObservationIn turns the API form into an observation through the
// field format's reader, so that both mean the same.
func parseObservationIn(in *ObservationIn) (*truce.Observation, error) {
	line := fieldLine(map[string]string{"observation_id": in.ID, "monitor": in.Monitor, "means": in.Means, "sensed": in.Sensed,
		"start": in.Start, "end": in.End, "lat": coord(in.Lat), "lon": coord(in.Lon), "area": in.Area, "region": in.Region, "direction": in.Direction,
		"distance_min_km": optKm(in.DistanceMin), "distance_max_km": optKm(in.DistanceMax), "kind": in.Kind, "explosion": in.Explosion,
		"count": optInt(in.Count), "weapon": in.Weapon, "party": in.Party, "note": in.Note})
	var o *truce.Observation
	_, err := importer.ReadObservations(bytes.NewReader(line), importer.FieldOptions{File: "body", Strict: true, Published: in.Published},
		func(got *truce.Observation) error { o = got; return nil }, nil)
	if err != nil || o == nil {
		return nil, bodyError(err, "observation")
	}
	o.File, o.Line = "", 0 // recorded, not imported
	return o, nil
}

// parseRestrictionIn turns the API form into a restriction through the
// field format's reader.
func parseRestrictionIn(in *RestrictionIn) (*truce.AccessRestriction, error) {
	line := fieldLine(map[string]string{"restriction_id": in.ID, "kind": in.Kind, "start": in.Start,
		"duration_min": optInt(in.DurationMin), "lat": coord(in.Lat), "lon": coord(in.Lon), "area": in.Area, "region": in.Region, "means": in.Means,
		"patrol_size": optInt(in.PatrolSize), "reason": in.Reason, "party": in.Party, "note": in.Note})
	var r *truce.AccessRestriction
	_, err := importer.ReadRestrictions(bytes.NewReader(line), importer.FieldOptions{File: "body", Strict: true, Published: in.Published},
		func(got *truce.AccessRestriction) error { r = got; return nil }, nil)
	if err != nil || r == nil {
		return nil, bodyError(err, "restriction")
	}
	r.File, r.Line = "", 0
	return r, nil
}

// checkParty refuses a party the current agreement does not have, when
// one is stored.
func (s *Server) checkParty(ctx context.Context, loc, party string) error {
	if party == "" {
		return nil
	}
	_, a, err := s.currentAgreement(ctx)
	switch {
	case truce.ErrorCode(err) == truce.ENOTFOUND:
		return nil
	case err != nil:
		return err
	}
	if _, ok := a.Party(truce.PartyID(party)); !ok {
		return fieldError(loc, "not a party of the current agreement", party)
	}
	return nil
}
