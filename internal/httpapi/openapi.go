package httpapi

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"truce/internal/report"
)

// What the OpenAPI document says beyond what huma derives from the Go
// types: the media types of answers built from raw bytes, and the errors
// each operation can answer with.

// text is the schema of a text answer.
func text(desc string) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Description: desc}
}

// binary is the schema of a binary answer of media type mt.
func binary(mt string) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Extensions: map[string]any{"contentMediaType": mt}}
}

// answers declares the media types (and their schemas) of an operation's
// successful answer, for an answer huma cannot see in the Go type: raw
// bytes or a stream.
func answers(content map[string]*huma.Schema) func(*huma.Operation) {
	return func(o *huma.Operation) {
		st := o.DefaultStatus
		if st == 0 {
			st = http.StatusOK
		}
		if o.Responses == nil {
			o.Responses = map[string]*huma.Response{}
		}
		r := &huma.Response{Description: http.StatusText(st), Content: map[string]*huma.MediaType{}}
		for mt, sc := range content {
			r.Content[mt] = &huma.MediaType{Schema: sc}
		}
		o.Responses[strconv.Itoa(st)] = r
	}
}

// mayAnswer declares error statuses an operation can answer with besides
// those declareErrors derives.
func mayAnswer(codes ...int) func(*huma.Operation) {
	return func(o *huma.Operation) { o.Errors = append(o.Errors, codes...) }
}

// declareErrors lists on o the errors it can answer with, each a problem
// document (huma's ErrorModel): 401 (a bad token), 429 (too many failed
// sign-ins or writes) and 500 everywhere; 403 where a signed-in role may
// not call it; 404 for a path naming something; 409 for writes, and 400
// and 413 for those with a body;
// 422 when it takes input; and 304 for a GET (If-None-Match).
func declareErrors(o *huma.Operation, op Op, in reflect.Type) {
	codes := append(o.Errors, http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusInternalServerError)
	if len(permissions[op]) < 5 {
		codes = append(codes, http.StatusForbidden)
	}
	if strings.Contains(o.Path, "{") {
		codes = append(codes, http.StatusNotFound)
	}
	if o.Method != http.MethodGet {
		// A write signed in by the dashboard's session cookie needs its
		// CSRF token (internal/web): 403 without it.
		codes = append(codes, http.StatusForbidden, http.StatusConflict)
		_, body := in.FieldByName("Body")
		_, raw := in.FieldByName("RawBody")
		if body || raw {
			// 400: a body huma cannot parse (broken JSON).
			codes = append(codes, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
		}
	}
	if in.Kind() == reflect.Struct && in.NumField() > 0 {
		codes = append(codes, http.StatusUnprocessableEntity)
	}
	o.Errors = nil
	for _, c := range codes {
		if !containsInt(o.Errors, c) {
			o.Errors = append(o.Errors, c)
		}
	}
	if o.Method == http.MethodGet {
		if o.Responses == nil {
			o.Responses = map[string]*huma.Response{}
		}
		o.Responses["304"] = &huma.Response{Description: "Not Modified: the answer has the ETag sent in If-None-Match"}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// schemaOf is the schema of Go type T in the document's components.
func (s *Server) schemaOf(t reflect.Type, hint string) *huma.Schema {
	return s.api.OpenAPI().Components.Schemas.Schema(t, true, hint)
}

// reportSchema is the schema of t, a type of package report, in the
// document's components under names prefixed "Report": report's type
// names (Item, Case) would clash with the API's.
func (s *Server) reportSchema(t reflect.Type) *huma.Schema {
	reg := huma.NewMapRegistry("#/components/schemas/", func(t reflect.Type, hint string) string {
		return "Report" + huma.DefaultSchemaNamer(t, hint)
	})
	sc := reg.Schema(t, true, "")
	all := s.api.OpenAPI().Components.Schemas.Map()
	for name, c := range reg.Map() {
		all[name] = c
	}
	return sc
}

// logRecordSchema is the schema of a log record (ledger.Record.Bytes).
func logRecordSchema() *huma.Schema {
	return &huma.Schema{
		Type:        huma.TypeObject,
		Description: "A log record in canonical JSON: the keys in sorted order, no insignificant whitespace.",
		Required:    []string{"actor", "at", "body", "kind", "subject", "v"},
		Properties: map[string]*huma.Schema{
			"actor":   {Type: huma.TypeString, Description: "a token id or role:party; empty for the system"},
			"at":      {Type: huma.TypeString, Format: "date-time"},
			"body":    {Description: "the change, as JSON"},
			"kind":    {Type: huma.TypeString, Pattern: "^[a-z0-9._-]+$"},
			"subject": {Type: huma.TypeString},
			"v":       {Type: huma.TypeInteger, Minimum: ptr(1.0)},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// logText is the answer of log-key and log-checkpoint.
func logText(desc string) func(*huma.Operation) {
	return answers(map[string]*huma.Schema{"text/plain; charset=utf-8": text(desc)})
}

// summaryAnswers are the media types of get-summary.
func (s *Server) summaryAnswers() func(*huma.Operation) {
	return answers(map[string]*huma.Schema{
		"application/json":             s.reportSchema(reflect.TypeFor[report.Summary]()),
		"text/markdown; charset=utf-8": text("the summary in Markdown"),
		"text/csv; charset=utf-8":      text("the figures as CSV: section, phase, party, day, outcome, count"),
		"text/html; charset=utf-8":     text("the period report, a self-contained HTML page"),
		"application/pdf":              binary("application/pdf"),
	})
}

// exportAnswers are the media types of export-incidents.
func (s *Server) exportAnswers() func(*huma.Operation) {
	inc := s.schemaOf(reflect.TypeFor[IncidentOut](), "IncidentOut")
	return answers(map[string]*huma.Schema{
		"text/csv; charset=utf-8": text("one incident a row, after a header row"),
		"application/json":        {Type: huma.TypeArray, Items: inc},
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
						"properties": inc,
					},
				}},
			},
		},
	})
}

// evidenceAnswers are the media types of get-evidence.
func evidenceAnswers() func(*huma.Operation) {
	m := map[string]*huma.Schema{"application/octet-stream": binary("application/octet-stream")}
	for _, t := range safeTypes {
		m[t.ct] = binary(t.ct)
	}
	return answers(m)
}
