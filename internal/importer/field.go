package importer

import (
	"io"
	"strconv"
	"strings"
	"time"

	"truce"
)

// The columns (CSV) or fields (JSON Lines) of truce's field monitoring
// formats, docs/field-format.md: the monitors' observations and the
// restrictions of their access (issue 19).
var (
	observationColumns = []string{"observation_id", "monitor", "means", "sensed", "start", "end", "lat", "lon", "area",
		"region", "direction", "distance_min_km", "distance_max_km", "kind", "explosion", "count", "weapon", "party", "note"}
	observationRequired = []string{"observation_id", "means", "sensed", "start", "lat", "lon", "kind"}
	restrictionColumns  = []string{"restriction_id", "kind", "start", "duration_min", "lat", "lon", "area", "region", "means",
		"patrol_size", "reason", "party", "note"}
	restrictionRequired = []string{"restriction_id", "kind", "start", "lat", "lon"}
)

// FieldOptions control a read of observations or restrictions.
type FieldOptions struct {
	// File is the base name used in messages; a path is cut to its base
	// name.
	File   string
	Strict bool // the first bad row is fatal
	// TZ is the zone of times given without an offset; nil means UTC.
	TZ *time.Location
	// Published marks every record read as published.
	Published bool
}

func (o FieldOptions) claimOptions() ClaimOptions {
	return ClaimOptions{File: o.File, Strict: o.Strict, TZ: o.TZ, Published: o.Published}
}

// ReadObservations reads monitors' observations in truce's field format
// (CSV with a header, or JSON Lines; docs/field-format.md) from r and
// calls emit for each good one, in input order. Every observation passed
// to emit is normalised and has passed (*truce.Observation).Validate,
// and no two share an id. Bad rows are reported to bad as "FILE:LINE:
// column X: message" (in strict mode the first one ends the read).
func ReadObservations(r io.Reader, opt FieldOptions, emit func(*truce.Observation) error, bad func(RowError)) (Stats, error) {
	copt := opt.claimOptions()
	rn, src, isJSON, err := startClaims(r, &copt, bad, "observations")
	if err != nil {
		return Stats{}, err
	}
	accept := func(line int, f fields) error {
		rn.stats.Read++
		o, err := parseObservation(f, line, rn, copt)
		if err == nil {
			o.Normalize()
			err = o.Validate()
		}
		if err == nil {
			err = rn.claim(string(o.ID), line)
		}
		if err != nil {
			return rn.reject(line, err)
		}
		rn.stats.Accepted++
		return emit(o)
	}
	if isJSON {
		err = readFieldsJSON(src, rn, observationColumns, accept)
	} else {
		err = readFieldsCSV(src, rn, observationRequired, observationColumns, accept)
	}
	return rn.stats, err
}

// ReadRestrictions reads restrictions of the monitors' access in truce's
// field format; see ReadObservations.
func ReadRestrictions(r io.Reader, opt FieldOptions, emit func(*truce.AccessRestriction) error, bad func(RowError)) (Stats, error) {
	copt := opt.claimOptions()
	rn, src, isJSON, err := startClaims(r, &copt, bad, "restrictions")
	if err != nil {
		return Stats{}, err
	}
	accept := func(line int, f fields) error {
		rn.stats.Read++
		x, err := parseRestriction(f, line, rn, copt)
		if err == nil {
			x.Normalize()
			err = x.Validate()
		}
		if err == nil {
			err = rn.claim(string(x.ID), line)
		}
		if err != nil {
			return rn.reject(line, err)
		}
		rn.stats.Accepted++
		return emit(x)
	}
	if isJSON {
		err = readFieldsJSON(src, rn, restrictionColumns, accept)
	} else {
		err = readFieldsCSV(src, rn, restrictionRequired, restrictionColumns, accept)
	}
	return rn.stats, err
}

// fieldTimeLayouts are the forms a time may take: RFC 3339 with an
// offset, or a local time in the file's zone.
var fieldTimeLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// instant parses name, a time, in UTC; ok is false when it is empty.
func (f fields) instant(name string, loc *time.Location) (time.Time, bool, error) {
	v := f.get(name)
	if v == "" {
		return time.Time{}, false, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), true, nil
	}
	for _, layout := range fieldTimeLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, f.invalid(name, "%q is not a time (RFC 3339, or YYYY-MM-DD HH:MM in the file's zone)", v)
}

// integer parses name, a whole number, def when it is empty.
func (f fields) integer(name string, def int) (int, error) {
	v := f.get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, f.invalid(name, "%q is not a whole number", v)
	}
	return n, nil
}

// km parses name, a distance in kilometres, in metres (0 when empty).
func (f fields) km(name string) (float64, error) {
	v := f.get(name)
	if v == "" {
		return 0, nil
	}
	x, err := parseFloat(name, v)
	if err != nil || x < 0 {
		return 0, f.invalid(name, "%q is not a distance in km", v)
	}
	return x * 1000, nil
}

// optParty parses name, a party id, "" when it is empty.
func (f fields) optParty(name string) (truce.PartyID, error) {
	if f.get(name) == "" {
		return "", nil
	}
	return f.party(name)
}

// placeAndParty reads the lat, lon and party columns both formats share.
func placeAndParty(f fields) (lon, lat float64, party truce.PartyID, err error) {
	p, ok, err := f.point()
	if err != nil {
		return 0, 0, "", err
	} else if !ok {
		return 0, 0, "", f.invalid("lat", "missing value")
	}
	party, err = f.optParty("party")
	return p.Lon, p.Lat, party, err
}

func parseObservation(f fields, line int, rn *runner, opt ClaimOptions) (*truce.Observation, error) {
	id, err := f.required("observation_id")
	if err != nil {
		return nil, err
	}
	o := &truce.Observation{ID: truce.ObservationID(id), Monitor: f.get("monitor"), Means: truce.ObservationMeans(f.get("means")),
		Sensed: truce.Sensed(f.get("sensed")), Area: f.get("area"), Region: f.get("region"), Direction: strings.ToUpper(f.get("direction")),
		Kind: truce.ObservedKind(f.get("kind")), Explosion: truce.ExplosionKind(f.get("explosion")), Weapon: f.get("weapon"),
		Note: f.get("note"), Published: opt.Published, File: rn.srcFile, Line: line}
	var ok bool
	if o.Start, ok, err = f.instant("start", opt.TZ); err != nil {
		return nil, err
	} else if !ok {
		return nil, f.invalid("start", "missing value")
	}
	if o.End, ok, err = f.instant("end", opt.TZ); err != nil {
		return nil, err
	} else if !ok {
		o.End = o.Start
	}
	if o.Position.Lon, o.Position.Lat, o.Party, err = placeAndParty(f); err != nil {
		return nil, err
	}
	if o.DistanceMinMeters, err = f.km("distance_min_km"); err != nil {
		return nil, err
	}
	if o.DistanceMaxMeters, err = f.km("distance_max_km"); err != nil {
		return nil, err
	}
	if o.Count, err = f.integer("count", 1); err != nil {
		return nil, err
	}
	return o, nil
}

func parseRestriction(f fields, line int, rn *runner, opt ClaimOptions) (*truce.AccessRestriction, error) {
	id, err := f.required("restriction_id")
	if err != nil {
		return nil, err
	}
	x := &truce.AccessRestriction{ID: truce.RestrictionID(id), Kind: truce.RestrictionKind(f.get("kind")),
		Means: truce.ObservationMeans(f.get("means")), Area: f.get("area"), Region: f.get("region"), Reason: f.get("reason"), Note: f.get("note"),
		Published: opt.Published, File: rn.srcFile, Line: line}
	if x.Means == "" {
		x.Means = truce.MeansPatrol
	}
	var ok bool
	if x.Start, ok, err = f.instant("start", opt.TZ); err != nil {
		return nil, err
	} else if !ok {
		return nil, f.invalid("start", "missing value")
	}
	if x.Location.Lon, x.Location.Lat, x.Party, err = placeAndParty(f); err != nil {
		return nil, err
	}
	minutes, err := f.integer("duration_min", 0)
	if err != nil {
		return nil, err
	} else if minutes > 30*24*60 {
		return nil, f.invalid("duration_min", "%d minutes is more than 30 days", minutes)
	}
	x.Duration = time.Duration(minutes) * time.Minute
	if x.PatrolSize, err = f.integer("patrol_size", 0); err != nil {
		return nil, err
	}
	return x, nil
}
