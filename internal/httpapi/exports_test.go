package httpapi_test

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/httpapi"
	"truce/internal/store/sqlite"
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

// failingStore is the fixture's store whose incident listing fails after
// pages pages: a fault a real store cannot produce on demand midway
// through an export. Each page before it repeats the store's first page
// copies times, so the export outgrows what etags buffers and its 200
// is on the wire before it fails.
type failingStore struct {
	*sqlite.Store
	pages, copies int
	calls         int
}

func (s *failingStore) Incidents(ctx context.Context, f truce.IncidentFilter) ([]truce.IncidentSummary, string, error) {
	if s.calls++; s.calls > s.pages {
		return nil, "", errors.New("disk on fire")
	}
	f.After = ""
	page, _, err := s.Store.Incidents(ctx, f)
	var out []truce.IncidentSummary
	for range s.copies {
		out = append(out, page...)
	}
	return out, "more", err
}

// TestExportFailsMidway checks that an export that fails after it started
// is visibly incomplete to an HTTP client: the response is aborted, so
// reading it fails, instead of ending like a whole file.
func TestExportFailsMidway(t *testing.T) {
	for _, tt := range []struct {
		name          string
		pages, copies int
		sent          bool // the 200 and part of the body are on the wire
	}{
		{name: "after the first page", pages: 1, copies: 1},
		{name: "after 8 MiB were sent", pages: 40, copies: 250, sent: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, format := range []string{"csv", "json", "geojson"} {
				srv := httptest.NewServer(httpapi.New(&failingStore{Store: f.st, pages: tt.pages, copies: tt.copies}, httpapi.Options{}))
				t.Cleanup(srv.Close)
				resp, err := srv.Client().Get(srv.URL + "/api/v1/exports/incidents?format=" + format)
				if err != nil {
					if tt.sent {
						t.Fatalf("%s: %v, want a 200 whose body fails", format, err)
					}
					continue // aborted before anything was sent: as detectable
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("%s: status %d, %d bytes read, error %v; want io.ErrUnexpectedEOF", format, resp.StatusCode, len(b), err)
				}
				if tt.sent && (resp.StatusCode != http.StatusOK || len(b) < 1<<20) {
					t.Errorf("%s: status %d and %d bytes before the failure, want 200 and megabytes", format, resp.StatusCode, len(b))
				}
			}
		})
	}
}
