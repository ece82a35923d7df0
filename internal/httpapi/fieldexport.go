package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"truce"
	"truce/internal/report"
)

// The field records' exchange formats (CSV with HXL hashtags, GeoJSON,
// JSON) are written by internal/report, as truce export writes them.

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
	rows := []report.ObservationRow{}
	err = s.store.Observations(ctx, f, func(o *truce.Observation) error {
		rows = append(rows, report.NewObservationRow(j, o))
		return nil
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	out := fieldExportHead(in.Format, "observations")
	switch in.Format {
	case "geojson":
		err = report.WriteObservationsGeoJSON(&buf, rows)
	case "json":
		err = json.NewEncoder(&buf).Encode(rows)
	default:
		err = report.WriteObservationsCSV(&buf, rows, in.HXL)
	}
	out.Body = buf.Bytes()
	return out, err
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
	rows := []report.RestrictionRow{}
	err = s.store.Restrictions(ctx, f, func(x *truce.AccessRestriction) error {
		rows = append(rows, report.NewRestrictionRow(j, x))
		return nil
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	out := fieldExportHead(in.Format, "restrictions")
	switch in.Format {
	case "geojson":
		err = report.WriteRestrictionsGeoJSON(&buf, rows)
	case "json":
		err = json.NewEncoder(&buf).Encode(rows)
	default:
		err = report.WriteRestrictionsCSV(&buf, rows, in.HXL)
	}
	out.Body = buf.Bytes()
	return out, err
}

// fieldExportHead is the headers of an export of name in format.
func fieldExportHead(format, name string) *fieldExportOut {
	ct := map[string]string{"geojson": "application/geo+json", "json": "application/json"}[format]
	if ct == "" {
		ct = "text/csv; charset=utf-8"
	}
	return &fieldExportOut{ContentType: ct, Disposition: `attachment; filename="` + name + `.` + format + `"`}
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
