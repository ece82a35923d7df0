package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"truce"
	"truce/internal/adjudicate"
)

// Exchange formats of the field records (issue 19): CSV, with an optional
// row of HXL hashtags (the Humanitarian Exchange Language,
// https://hxlstandard.org) under the header so that HXL tools read the
// columns by meaning, and GeoJSON that QGIS and GDAL open as it is. The
// API's exports and truce export write the same files.

// ObservationRow is an observation as exported: its fields, where the
// observed event lies (adjudicate.ObservedPlace) and its judgement.
type ObservationRow struct {
	ID             string  `json:"id"`
	Monitor        string  `json:"monitor,omitempty"`
	Means          string  `json:"means"`
	Sensed         string  `json:"sensed"`
	Start          string  `json:"start" doc:"RFC 3339, UTC"`
	End            string  `json:"end" doc:"RFC 3339, UTC"`
	Lon            float64 `json:"lon" doc:"the observer's position"`
	Lat            float64 `json:"lat"`
	EventLon       float64 `json:"event_lon" doc:"where the observed event lies: the middle of the distance band in the given direction"`
	EventLat       float64 `json:"event_lat"`
	EventPrecision float64 `json:"event_precision_m" doc:"the event lies within this distance of event_lon, event_lat"`
	Area           string  `json:"area,omitempty"`
	Region         string  `json:"region,omitempty" doc:"the first-level administrative unit, as the monitors named it"`
	Direction      string  `json:"direction,omitempty"`
	DistanceMin    float64 `json:"distance_min_km,omitempty"`
	DistanceMax    float64 `json:"distance_max_km,omitempty"`
	Kind           string  `json:"kind"`
	Explosion      string  `json:"explosion,omitempty"`
	Count          int     `json:"count"`
	Weapon         string  `json:"weapon,omitempty"`
	Party          string  `json:"party,omitempty"`
	Note           string  `json:"note,omitempty"`
	Published      bool    `json:"published"`
	Outcome        string  `json:"outcome,omitempty" doc:"under the current agreement"`
	Explanation    string  `json:"explanation,omitempty"`
}

// RestrictionRow is a restriction of access as exported, with its
// judgement.
type RestrictionRow struct {
	ID          string  `json:"id"`
	Kind        string  `json:"kind"`
	Start       string  `json:"start" doc:"RFC 3339, UTC"`
	DurationMin int64   `json:"duration_min,omitempty"`
	Lon         float64 `json:"lon"`
	Lat         float64 `json:"lat"`
	Area        string  `json:"area,omitempty"`
	Region      string  `json:"region,omitempty"`
	Means       string  `json:"means"`
	PatrolSize  int     `json:"patrol_size,omitempty"`
	Reason      string  `json:"reason,omitempty"`
	Party       string  `json:"party,omitempty"`
	Note        string  `json:"note,omitempty"`
	Published   bool    `json:"published"`
	Outcome     string  `json:"outcome,omitempty" doc:"under the current agreement"`
	Explanation string  `json:"explanation,omitempty"`
}

// NewObservationRow is o as exported, judged by j (none when j is nil).
func NewObservationRow(j *adjudicate.Judge, o *truce.Observation) ObservationRow {
	p, prec := adjudicate.ObservedPlace(o)
	r := ObservationRow{ID: string(o.ID), Monitor: o.Monitor, Means: string(o.Means), Sensed: string(o.Sensed),
		Start: o.Start.UTC().Format(time.RFC3339), End: o.End.UTC().Format(time.RFC3339), Lon: o.Position.Lon, Lat: o.Position.Lat,
		EventLon: round6(p.Lon), EventLat: round6(p.Lat), EventPrecision: prec, Area: o.Area, Region: o.Region, Direction: o.Direction,
		DistanceMin: o.DistanceMinMeters / 1000, DistanceMax: o.DistanceMaxMeters / 1000, Kind: string(o.Kind),
		Explosion: string(o.Explosion), Count: o.Count, Weapon: o.Weapon, Party: string(o.Party), Note: o.Note, Published: o.Published}
	if j != nil {
		jd := j.JudgeObservation(o)
		r.Outcome, r.Explanation = jd.Outcome.String(), jd.Explanation
	}
	return r
}

// NewRestrictionRow is x as exported, judged by j (none when j is nil).
func NewRestrictionRow(j *adjudicate.Judge, x *truce.AccessRestriction) RestrictionRow {
	r := RestrictionRow{ID: string(x.ID), Kind: string(x.Kind), Start: x.Start.UTC().Format(time.RFC3339),
		DurationMin: int64(x.Duration / time.Minute), Lon: x.Location.Lon, Lat: x.Location.Lat, Area: x.Area, Region: x.Region, Means: string(x.Means),
		PatrolSize: x.PatrolSize, Reason: x.Reason, Party: string(x.Party), Note: x.Note, Published: x.Published}
	if j != nil {
		jd := j.JudgeRestriction(x)
		r.Outcome, r.Explanation = jd.Outcome.String(), jd.Explanation
	}
	return r
}

// column is one column of an export: its header, its HXL hashtag and its
// value in a row. Numbers are written as they are; text that a
// spreadsheet would run as a formula is prefixed with a quote.
type column[T any] struct {
	name, tag string
	num       bool
	get       func(*T) string
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// observationColumns are the columns of the observations CSV. The
// observer's position is #geo+lat/#geo+lon; where the observed event lies
// is #geo+lat+event/#geo+lon+event.
var observationColumns = []column[ObservationRow]{
	{"id", "#event+id", false, func(r *ObservationRow) string { return r.ID }},
	{"start", "#date+start", false, func(r *ObservationRow) string { return r.Start }},
	{"end", "#date+end", false, func(r *ObservationRow) string { return r.End }},
	{"lat", "#geo+lat", true, func(r *ObservationRow) string { return num(r.Lat) }},
	{"lon", "#geo+lon", true, func(r *ObservationRow) string { return num(r.Lon) }},
	{"event_lat", "#geo+lat+event", true, func(r *ObservationRow) string { return num(r.EventLat) }},
	{"event_lon", "#geo+lon+event", true, func(r *ObservationRow) string { return num(r.EventLon) }},
	{"event_precision_m", "#geo+precision+event", true, func(r *ObservationRow) string { return num(r.EventPrecision) }},
	{"area", "#loc+name", false, func(r *ObservationRow) string { return r.Area }},
	{"region", "#adm1+name", false, func(r *ObservationRow) string { return r.Region }},
	{"direction", "#x_direction", false, func(r *ObservationRow) string { return r.Direction }},
	{"distance_min_km", "#x_distance+min", true, func(r *ObservationRow) string { return num(r.DistanceMin) }},
	{"distance_max_km", "#x_distance+max", true, func(r *ObservationRow) string { return num(r.DistanceMax) }},
	{"kind", "#event+type", false, func(r *ObservationRow) string { return r.Kind }},
	{"explosion", "#event+type+explosion", false, func(r *ObservationRow) string { return r.Explosion }},
	{"count", "#indicator+num", true, func(r *ObservationRow) string { return strconv.Itoa(r.Count) }},
	{"weapon", "#item+weapon", false, func(r *ObservationRow) string { return r.Weapon }},
	{"party", "#actor+name", false, func(r *ObservationRow) string { return r.Party }},
	{"monitor", "#org+monitor", false, func(r *ObservationRow) string { return r.Monitor }},
	{"means", "#x_means", false, func(r *ObservationRow) string { return r.Means }},
	{"sensed", "#x_sensed", false, func(r *ObservationRow) string { return r.Sensed }},
	{"published", "#status+published", false, func(r *ObservationRow) string { return strconv.FormatBool(r.Published) }},
	{"outcome", "#status+outcome", false, func(r *ObservationRow) string { return r.Outcome }},
	{"explanation", "#description", false, func(r *ObservationRow) string { return r.Explanation }},
	{"note", "#description+note", false, func(r *ObservationRow) string { return r.Note }},
}

// restrictionColumns are the columns of the restrictions CSV.
var restrictionColumns = []column[RestrictionRow]{
	{"id", "#event+id", false, func(r *RestrictionRow) string { return r.ID }},
	{"start", "#date+start", false, func(r *RestrictionRow) string { return r.Start }},
	{"duration_min", "#x_duration+minutes", true, func(r *RestrictionRow) string { return strconv.FormatInt(r.DurationMin, 10) }},
	{"lat", "#geo+lat", true, func(r *RestrictionRow) string { return num(r.Lat) }},
	{"lon", "#geo+lon", true, func(r *RestrictionRow) string { return num(r.Lon) }},
	{"area", "#loc+name", false, func(r *RestrictionRow) string { return r.Area }},
	{"region", "#adm1+name", false, func(r *RestrictionRow) string { return r.Region }},
	{"kind", "#event+type", false, func(r *RestrictionRow) string { return r.Kind }},
	{"means", "#x_means", false, func(r *RestrictionRow) string { return r.Means }},
	{"patrol_size", "#indicator+num+monitors", true, func(r *RestrictionRow) string { return strconv.Itoa(r.PatrolSize) }},
	{"reason", "#description+reason", false, func(r *RestrictionRow) string { return r.Reason }},
	{"party", "#actor+name", false, func(r *RestrictionRow) string { return r.Party }},
	{"published", "#status+published", false, func(r *RestrictionRow) string { return strconv.FormatBool(r.Published) }},
	{"outcome", "#status+outcome", false, func(r *RestrictionRow) string { return r.Outcome }},
	{"explanation", "#description", false, func(r *RestrictionRow) string { return r.Explanation }},
	{"note", "#description+note", false, func(r *RestrictionRow) string { return r.Note }},
}

// WriteObservationsCSV writes observations as CSV under a header, with
// the HXL hashtag row when hxl.
func WriteObservationsCSV(w io.Writer, rows []ObservationRow, hxl bool) error {
	return writeColumns(w, observationColumns, rows, hxl)
}

// WriteRestrictionsCSV writes restrictions as CSV under a header, with
// the HXL hashtag row when hxl.
func WriteRestrictionsCSV(w io.Writer, rows []RestrictionRow, hxl bool) error {
	return writeColumns(w, restrictionColumns, rows, hxl)
}

func writeColumns[T any](out io.Writer, cols []column[T], rows []T, hxl bool) error {
	w := csv.NewWriter(out)
	head, tags := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		head[i], tags[i] = c.name, c.tag
	}
	if err := w.Write(head); err != nil {
		return err
	}
	if hxl {
		if err := w.Write(tags); err != nil {
			return err
		}
	}
	rec := make([]string, len(cols))
	for i := range rows {
		for j, c := range cols {
			if rec[j] = c.get(&rows[i]); !c.num {
				rec[j] = SafeCell(rec[j])
			}
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// WriteObservationsGeoJSON writes observations as an RFC 7946
// FeatureCollection of points at the observers' positions, each with its
// row as properties.
func WriteObservationsGeoJSON(w io.Writer, rows []ObservationRow) error {
	return writePoints(w, rows, func(r *ObservationRow) (string, float64, float64) { return r.ID, r.Lon, r.Lat })
}

// WriteRestrictionsGeoJSON writes restrictions as an RFC 7946
// FeatureCollection of points.
func WriteRestrictionsGeoJSON(w io.Writer, rows []RestrictionRow) error {
	return writePoints(w, rows, func(r *RestrictionRow) (string, float64, float64) { return r.ID, r.Lon, r.Lat })
}

func writePoints[T any](w io.Writer, rows []T, at func(*T) (id string, lon, lat float64)) error {
	type feature struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties *T             `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: make([]feature, 0, len(rows))}
	for i := range rows {
		id, lon, lat := at(&rows[i])
		fc.Features = append(fc.Features, feature{Type: "Feature", ID: id,
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{lon, lat}}, Properties: &rows[i]})
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
