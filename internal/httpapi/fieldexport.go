package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/report"
)

// Exchange formats of the field records (issue 19): CSV, with an optional
// row of HXL hashtags (the Humanitarian Exchange Language,
// https://hxlstandard.org) under the header so that HXL tools read the
// columns by meaning, and GeoJSON that QGIS and GDAL open as it is.

// column is one column of an export: its header, its HXL hashtag and its
// value in a row.
type column[T any] struct {
	name, tag string
	get       func(*T) string
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// observationColumns are the columns of the observations export. The
// observer's position is #geo+lat/#geo+lon; where the observed event lies
// (adjudicate.ObservedPlace) is #geo+lat+event/#geo+lon+event.
var observationColumns = []column[observationRow]{
	{"id", "#event+id", func(r *observationRow) string { return r.ID }},
	{"start", "#date+start", func(r *observationRow) string { return r.Start }},
	{"end", "#date+end", func(r *observationRow) string { return r.End }},
	{"lat", "#geo+lat", func(r *observationRow) string { return num(r.Lat) }},
	{"lon", "#geo+lon", func(r *observationRow) string { return num(r.Lon) }},
	{"event_lat", "#geo+lat+event", func(r *observationRow) string { return num(r.EventLat) }},
	{"event_lon", "#geo+lon+event", func(r *observationRow) string { return num(r.EventLon) }},
	{"event_precision_m", "#geo+precision+event", func(r *observationRow) string { return num(r.EventPrecision) }},
	{"area", "#loc+name", func(r *observationRow) string { return r.Area }},
	{"direction", "#x_direction", func(r *observationRow) string { return r.Direction }},
	{"distance_min_km", "#x_distance+min", func(r *observationRow) string { return num(r.DistanceMin) }},
	{"distance_max_km", "#x_distance+max", func(r *observationRow) string { return num(r.DistanceMax) }},
	{"kind", "#event+type", func(r *observationRow) string { return r.Kind }},
	{"explosion", "#event+type+explosion", func(r *observationRow) string { return r.Explosion }},
	{"count", "#indicator+num", func(r *observationRow) string { return strconv.Itoa(r.Count) }},
	{"weapon", "#item+weapon", func(r *observationRow) string { return r.Weapon }},
	{"party", "#actor+name", func(r *observationRow) string { return r.Party }},
	{"monitor", "#org+monitor", func(r *observationRow) string { return r.Monitor }},
	{"means", "#x_means", func(r *observationRow) string { return r.Means }},
	{"sensed", "#x_sensed", func(r *observationRow) string { return r.Sensed }},
	{"published", "#status+published", func(r *observationRow) string { return strconv.FormatBool(r.Published) }},
	{"outcome", "#status+outcome", func(r *observationRow) string { return r.Outcome }},
	{"explanation", "#description", func(r *observationRow) string { return r.Explanation }},
	{"note", "#description+note", func(r *observationRow) string { return r.Note }},
}

// restrictionColumns are the columns of the restrictions export.
var restrictionColumns = []column[RestrictionOut]{
	{"id", "#event+id", func(r *RestrictionOut) string { return r.ID }},
	{"start", "#date+start", func(r *RestrictionOut) string { return r.Start }},
	{"duration_min", "#x_duration+minutes", func(r *RestrictionOut) string { return strconv.FormatInt(r.DurationMin, 10) }},
	{"lat", "#geo+lat", func(r *RestrictionOut) string { return num(r.Lat) }},
	{"lon", "#geo+lon", func(r *RestrictionOut) string { return num(r.Lon) }},
	{"area", "#loc+name", func(r *RestrictionOut) string { return r.Area }},
	{"kind", "#event+type", func(r *RestrictionOut) string { return r.Kind }},
	{"means", "#x_means", func(r *RestrictionOut) string { return r.Means }},
	{"patrol_size", "#indicator+num+monitors", func(r *RestrictionOut) string { return strconv.Itoa(r.PatrolSize) }},
	{"reason", "#description+reason", func(r *RestrictionOut) string { return r.Reason }},
	{"party", "#actor+name", func(r *RestrictionOut) string { return r.Party }},
	{"published", "#status+published", func(r *RestrictionOut) string { return strconv.FormatBool(r.Published) }},
	{"outcome", "#status+outcome", func(r *RestrictionOut) string { return r.Outcome }},
	{"explanation", "#description", func(r *RestrictionOut) string { return r.Explanation }},
	{"note", "#description+note", func(r *RestrictionOut) string { return r.Note }},
}

// observationRow is an observation as exported: the API form and where
// the observed event lies.
type observationRow struct {
	ObservationOut
	EventLon       float64 `json:"event_lon" doc:"where the observed event lies: the middle of the distance band in the given direction"`
	EventLat       float64 `json:"event_lat"`
	EventPrecision float64 `json:"event_precision_m" doc:"the event lies within this distance of event_lon, event_lat"`
}

// writeCSV writes rows under a header, with the HXL hashtag row when hxl.
// Text that a spreadsheet would run as a formula is prefixed with a quote.
func writeCSV[T any](cols []column[T], rows []T, hxl bool) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head, tags := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		head[i], tags[i] = c.name, c.tag
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	if hxl {
		if err := w.Write(tags); err != nil {
			return nil, err
		}
	}
	rec := make([]string, len(cols))
	for i := range rows {
		for j, c := range cols {
			rec[j] = c.get(&rows[i])
			if c.name != "lat" && c.name != "lon" && c.name != "event_lat" && c.name != "event_lon" {
				rec[j] = report.SafeCell(rec[j])
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// writeGeoJSON writes rows as an RFC 7946 FeatureCollection of points,
// each with its row as properties.
func writeGeoJSON[T any](rows []T, id func(*T) string, point func(*T) [2]float64) ([]byte, error) {
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
		p := point(&rows[i])
		fc.Features = append(fc.Features, feature{Type: "Feature", ID: id(&rows[i]),
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{p[0], p[1]}}, Properties: &rows[i]})
	}
	b, err := json.Marshal(fc)
	return append(b, '\n'), err
}

type (
	fieldExportIn struct {
		Format string `query:"format" enum:"csv,geojson,json" default:"csv"`
		HXL    bool   `query:"hxl" doc:"csv: a second row of HXL hashtags (#date, #geo+lat, #geo+lon, #loc+name, #event+type, #actor+name, ...) under the header"`
		fieldListIn
	}
	fieldExportOut struct {
		ContentType string `header:"Content-Type"`
		Disposition string `header:"Content-Disposition"`
		Body        []byte
	}
)

// exportObservations serves export-observations: the observations the
// caller may read, judged under the current agreement, with where each
// observed event lies.
func (s *Server) exportObservations(ctx context.Context, p truce.Principal, in *fieldExportIn) (*fieldExportOut, error) {
	f, err := fieldFilter(&p, &in.fieldListIn)
	if err != nil {
		return nil, err
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	rows := []observationRow{}
	err = s.store.Observations(ctx, f, func(o *truce.Observation) error {
		pt, prec := adjudicate.ObservedPlace(o)
		rows = append(rows, observationRow{ObservationOut: judgedObservation(j, o), EventLon: pt.Lon, EventLat: pt.Lat, EventPrecision: prec})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fieldExport(in, "observations", rows, observationColumns, func(r *observationRow) string { return r.ID },
		func(r *observationRow) [2]float64 { return [2]float64{r.Lon, r.Lat} })
}

// exportRestrictions serves export-restrictions: the restrictions of
// access the caller may read, judged under the current agreement.
func (s *Server) exportRestrictions(ctx context.Context, p truce.Principal, in *fieldExportIn) (*fieldExportOut, error) {
	f, err := fieldFilter(&p, &in.fieldListIn)
	if err != nil {
		return nil, err
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	rows := []RestrictionOut{}
	err = s.store.Restrictions(ctx, f, func(r *truce.AccessRestriction) error {
		rows = append(rows, judgedRestriction(j, r))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fieldExport(in, "restrictions", rows, restrictionColumns, func(r *RestrictionOut) string { return r.ID },
		func(r *RestrictionOut) [2]float64 { return [2]float64{r.Lon, r.Lat} })
}

// fieldExport writes rows in the requested format.
func fieldExport[T any](in *fieldExportIn, name string, rows []T, cols []column[T], id func(*T) string, point func(*T) [2]float64) (*fieldExportOut, error) {
	var (
		b   []byte
		err error
	)
	out := &fieldExportOut{Disposition: `attachment; filename="` + name + `.` + in.Format + `"`}
	switch in.Format {
	case "geojson":
		out.ContentType = "application/geo+json"
		b, err = writeGeoJSON(rows, id, point)
	case "json":
		out.ContentType = "application/json"
		b, err = json.Marshal(rows)
	default:
		out.ContentType = "text/csv; charset=utf-8"
		b, err = writeCSV(cols, rows, in.HXL)
	}
	out.Body = b
	return out, err
}

// fieldExportAnswers are the media types of export-observations and
// export-restrictions, whose rows are of type row.
func (s *Server) fieldExportAnswers(row reflect.Type) func(*huma.Operation) {
	props := s.schemaOf(row, row.Name())
	return answers(map[string]*huma.Schema{
		"text/csv; charset=utf-8": text("one record a row, after a header row (and, with hxl=true, a row of HXL hashtags)"),
		"application/json":        {Type: huma.TypeArray, Items: props},
		"application/geo+json": {
			Type: huma.TypeObject, Description: "an RFC 7946 FeatureCollection of points", Required: []string{"type", "features"},
			Properties: map[string]*huma.Schema{
				"type": {Type: huma.TypeString, Enum: []any{"FeatureCollection"}},
				"features": {Type: huma.TypeArray, Items: &huma.Schema{
					Type: huma.TypeObject, Required: []string{"type", "id", "geometry", "properties"},
					Properties: map[string]*huma.Schema{
						"type": {Type: huma.TypeString, Enum: []any{"Feature"}},
						"id":   {Type: huma.TypeString},
						"geometry": {Type: huma.TypeObject, Required: []string{"type", "coordinates"}, Properties: map[string]*huma.Schema{
							"type":        {Type: huma.TypeString, Enum: []any{"Point"}},
							"coordinates": {Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeNumber}, MinItems: ptr(2), MaxItems: ptr(2)},
						}},
						"properties": props,
					},
				}},
			},
		},
	})
}
