package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/httpapi"
)

// TestIncidentPageReuse checks the incident pages a server reuses
// (incidentcache.go) against the pages a server that has never served one
// builds from the database, after each kind of write: through this
// server, through another server on the same database, and below the
// API (as the CLI writes). Every page must be byte for byte what the
// fresh server answers, in every language and for every audience.
func TestIncidentPageReuse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// The other server, on the same database: its writes are not this
	// one's.
	other := httptest.NewServer(httpapi.New(f.st, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: -1}}))
	t.Cleanup(other.Close)
	ids := []string{"acc-ua", "acc-ru", "extra-1", "extra-2", "api-new"}
	type view struct{ who, lang string }
	views := []view{{"monitor", "en"}, {"monitor", "uk"}, {"public", "en"}, {"party:RU", "uk"}}
	get := func(t *testing.T, base, who, path, lang string) (int, string, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", lang)
		if who != "public" {
			req.Header.Set("Authorization", "Bearer "+f.tokens[who])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header.Get("ETag"), string(b)
	}
	// compare reads every page through the server that reuses pages,
	// twice, and through a new server.
	compare := func(t *testing.T, step string) {
		t.Helper()
		fresh := httptest.NewServer(httpapi.New(f.st, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: -1}}))
		defer fresh.Close()
		for _, id := range ids {
			for _, v := range views {
				path := "/api/v1/incidents/" + id
				wantStatus, wantTag, want := get(t, fresh.URL, v.who, path, v.lang)
				for range 2 {
					status, tag, got := get(t, f.srv.URL, v.who, path, v.lang)
					if status != wantStatus || tag != wantTag || got != want {
						t.Fatalf("%s: %s as %s in %s: %d %s\n%s\nwant %d %s\n%s", step, id, v.who, v.lang, status, tag, got, wantStatus, wantTag, want)
					}
				}
			}
		}
	}
	write := func(t *testing.T, base, who, path string, body any, want int) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(jsonBody(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if got, _ := io.ReadAll(resp.Body); resp.StatusCode != want {
			t.Fatalf("POST %s as %s: %d, want %d: %s", path, who, resp.StatusCode, want, got)
		}
	}
	compare(t, "at the start")
	steps := []struct {
		name  string
		write func(t *testing.T)
	}{
		{"status", func(t *testing.T) {
			write(t, f.srv.URL, "monitor", "/api/v1/incidents/acc-ru/status", map[string]string{"status": "under_review", "reason": "triage"}, 200)
		}},
		{"note on the other server", func(t *testing.T) {
			write(t, other.URL, "monitor", "/api/v1/incidents/acc-ru/notes", map[string]string{"text": "asked the operator"}, 201)
		}},
		{"response", func(t *testing.T) {
			write(t, f.srv.URL, "party:RU", "/api/v1/incidents/acc-ru/responses", map[string]string{"kind": "denial", "text": "not us"}, 201)
		}},
		{"evidence on the other server", func(t *testing.T) {
			write(t, other.URL, "monitor", "/api/v1/incidents/acc-ua/evidence", map[string]string{"media_type": "text/plain",
				"description": "operator statement", "content": base64.StdEncoding.EncodeToString([]byte("statement two"))}, 201)
		}},
		{"verified and published", func(t *testing.T) {
			write(t, f.srv.URL, "monitor", "/api/v1/incidents/acc-ua/status", map[string]string{"status": "under_review", "reason": "triage"}, 200)
			write(t, other.URL, "monitor", "/api/v1/incidents/acc-ua/status", map[string]string{"status": "verified", "reason": "photos"}, 200)
		}},
		{"merge", func(t *testing.T) {
			write(t, f.srv.URL, "monitor", "/api/v1/incidents/extra-1/merge", map[string]string{"source": "extra-2", "reason": "same strike"}, 200)
		}},
		{"split on the other server", func(t *testing.T) {
			write(t, other.URL, "monitor", "/api/v1/reports/extra-2/split", map[string]string{"reason": "not the same strike"}, 200)
		}},
		{"judged again below the API", func(t *testing.T) {
			// As `truce adjudicate` would: the same agreement version, a
			// new outcome for one report.
			_, a, err := agreement.BundleFile(scenario)
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.st.LatestAgreement(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.st.Report(ctx, "acc-ru")
			if err != nil {
				t.Fatal(err)
			}
			r.Perpetrator = ""
			j := adjudicate.New(a, nil).Judge(r)
			if _, err := f.st.PutJudgements(ctx, truce.System, a.ID, v.Version, []truce.Judgement{j}); err != nil {
				t.Fatal(err)
			}
		}},
		{"a new report joins an incident", func(t *testing.T) {
			day := time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)
			rep := &truce.Report{ID: "api-new", Source: "test", Start: day, End: day.Add(24 * time.Hour), Precision: truce.PrecisionDay,
				Location: geo.Point{Lon: 39.06, Lat: 45.02}, Perpetrator: "UA", Actions: []truce.Action{truce.ActionDroneAttack}, Category: "energy.refinery"}
			if _, err := f.st.PutReports(ctx, truce.System, []*truce.Report{rep}, truce.PutOptions{Published: true}); err != nil {
				t.Fatal(err)
			}
			write(t, f.srv.URL, "monitor", "/api/v1/incidents/acc-ua/merge", map[string]string{"source": "api-new", "reason": "same strike"}, 200)
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.write(t)
			compare(t, "after "+s.name)
		})
	}
	// Many readers of the kept pages while notes are written (run with
	// -race: the kept parts are shared by the requests that reuse them).
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 40 {
					id, v := ids[(g+i)%4], views[i%len(views)]
					if status, _, body := get(t, f.srv.URL, v.who, "/api/v1/incidents/"+id, v.lang); status == http.StatusOK {
						if d := decode[httpapi.IncidentDetail](t, []byte(body)); d.ID != id || len(d.ReportList) == 0 {
							t.Errorf("%s: id %q, %d reports", id, d.ID, len(d.ReportList))
						}
					} else if status != http.StatusNotFound {
						t.Errorf("%s as %s: %d", id, v.who, status)
					}
				}
			})
		}
		for i := range 10 {
			write(t, f.srv.URL, "monitor", "/api/v1/incidents/"+ids[i%4]+"/notes", map[string]string{"text": fmt.Sprint("note ", i)}, 201)
		}
		wg.Wait()
		compare(t, "after the concurrent reads and notes")
	})
}
