package httpapi_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExportHandlers exercises the summary and the incident export
// (exports.go).
func TestExportHandlers(t *testing.T) {
	f := newFixture(t)
	type summary struct {
		Agreement string         `json:"agreement"`
		From      string         `json:"from"`
		To        string         `json:"to"`
		Reports   int            `json:"reports"`
		Incidents int            `json:"incidents"`
		Totals    map[string]int `json:"totals"`
		Cases     []any          `json:"cases"`
	}
	all := []string{"acc-ru", "acc-ua", "extra-1", "extra-2"}
	f.run(t, []call{
		// get-summary
		{name: "summary/json", who: "public", method: "GET", path: "/api/v1/summary", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, h http.Header, body []byte) {
				got := decode[summary](t, body)
				got.Cases = nil
				want := summary{Agreement: "energy-ceasefire-2025", From: "2025-04-10", To: "2025-04-10", Reports: 4, Incidents: 4,
					Totals: map[string]int{"violation": 2, "disputed": 0, "undetermined": 0, "not_prohibited": 2}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("summary mismatch (-want +got):\n%s", diff)
				}
				header(t, h, "Content-Type", "application/json")
			}},
		{name: "summary/json without cases", who: "public", method: "GET", path: "/api/v1/summary?cases=false", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				if got := decode[summary](t, body); got.Cases == nil || len(got.Cases) != 0 || got.Reports != 4 {
					t.Errorf("summary %+v, want the counts and an empty list of cases", got)
				}
			}},
		{name: "summary/a period without reports", who: "public", method: "GET", path: "/api/v1/summary?from=2025-05-01&to=2025-05-31", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				if got := decode[summary](t, body); got.Reports != 0 || got.Incidents != 0 {
					t.Errorf("summary of May %+v, want no reports", got)
				}
			}},
		{name: "summary/markdown", who: "public", method: "GET", path: "/api/v1/summary?format=md", status: http.StatusOK,
			check: wantText(`(?s)^#.*Test agreement`, "text/markdown; charset=utf-8")},
		{name: "summary/unknown format", who: "public", method: "GET", path: "/api/v1/summary?format=xml", status: http.StatusUnprocessableEntity,
			detail: "validation failed", location: "query.format"},
		{name: "summary/a day that does not exist", who: "public", method: "GET", path: "/api/v1/summary?from=2025-02-30", status: http.StatusUnprocessableEntity,
			detail: "validation failed", location: "query.from"},
		{name: "summary/not a day", who: "public", method: "GET", path: "/api/v1/summary?to=30.04.2025", status: http.StatusUnprocessableEntity,
			detail: "validation failed", location: "query.to"},

		// export-incidents
		{name: "export/csv", who: "public", method: "GET", path: "/api/v1/exports/incidents", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, h http.Header, body []byte) {
				rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, r := range rows[1:] {
					ids = append(ids, r[0])
				}
				if diff := cmp.Diff(all, ids); diff != "" || rows[0][0] != "id" || rows[0][12] != "corroboration" {
					t.Errorf("csv header %q; ids mismatch (-want +got):\n%s", rows[0], diff)
				}
				header(t, h, "Content-Type", "text/csv; charset=utf-8")
				header(t, h, "Content-Disposition", `attachment; filename="incidents.csv"`)
			}},
		{name: "export/json, filtered", who: "public", method: "GET", path: "/api/v1/exports/incidents?format=json&outcome=violation", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				var ids []string
				for _, in := range decode[[]struct {
					ID string `json:"id"`
				}](t, body) {
					ids = append(ids, in.ID)
				}
				if diff := cmp.Diff([]string{"acc-ru", "acc-ua"}, ids); diff != "" {
					t.Errorf("ids mismatch (-want +got):\n%s", diff)
				}
			}},
		{name: "export/geojson", who: "public", method: "GET", path: "/api/v1/exports/incidents?format=geojson&party=RU", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, h http.Header, body []byte) {
				fc := decode[struct {
					Type     string `json:"type"`
					Features []struct {
						ID       string `json:"id"`
						Geometry struct {
							Coordinates []float64 `json:"coordinates"`
						} `json:"geometry"`
					} `json:"features"`
				}](t, body)
				if fc.Type != "FeatureCollection" || len(fc.Features) != 1 || fc.Features[0].ID != "acc-ru" || !cmp.Equal(fc.Features[0].Geometry.Coordinates, []float64{36.1, 49.97}) {
					t.Errorf("geojson %+v, want acc-ru at 36.1, 49.97", fc)
				}
				header(t, h, "Content-Type", "application/geo+json")
			}},
		{name: "export/bad box", who: "public", method: "GET", path: "/api/v1/exports/incidents?bbox=a,b,c,d", status: http.StatusUnprocessableEntity,
			detail: "validation failed", location: "query.bbox"},
		{name: "export/unknown format", who: "public", method: "GET", path: "/api/v1/exports/incidents?format=xlsx", status: http.StatusUnprocessableEntity,
			detail: "validation failed", location: "query.format"},
		{name: "export/a revoked token", who: "revoked", method: "GET", path: "/api/v1/exports/incidents", status: http.StatusUnauthorized,
			detail: "token expired or revoked"},
	})
}
