package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
)

// TestCorroboration: an incident's corroboration counts independent
// sources (distinct outlets, a repost once) and sensor alerts, in the list
// and on the incident's page, and follows merges.
func TestCorroboration(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	day := time.Date(2025, 4, 11, 0, 0, 0, 0, time.UTC)
	rep := func(id, source, outlet, text string) *truce.Report {
		return &truce.Report{ID: truce.ReportID(id), Source: source, Outlet: outlet, Text: text, Start: day, End: day.Add(24 * time.Hour),
			Precision: truce.PrecisionDay, Location: geo.Point{Lon: 31, Lat: 49}}
	}
	reps := []*truce.Report{
		rep("c-1", "viina", "", "Drones struck the substation near the town overnight"),
		rep("c-2", "viina", "", "drones struck the substation near the town, overnight!"), // a repost
		rep("c-3", "acled", "Suspilne", "Substation hit"),
		rep("c-4", "firms", "", "hotspot 1.2 km from the substation"),
		rep("c-5", "test", "", "alone"),
	}
	if _, err := f.st.PutReports(ctx, truce.System, reps, truce.PutOptions{Published: true}); err != nil {
		t.Fatal(err)
	}
	get := func(path string) map[string]int {
		t.Helper()
		st, body := f.do(t, "monitor", "GET", path, "", nil)
		if st != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, st, body)
		}
		var page struct {
			Incidents []struct {
				ID            string `json:"id"`
				Corroboration int    `json:"corroboration"`
			} `json:"incidents"`
			ID            string `json:"id"`
			Corroboration int    `json:"corroboration"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		if page.ID != "" {
			out[page.ID] = page.Corroboration
		}
		for _, in := range page.Incidents {
			out[in.ID] = in.Corroboration
		}
		return out
	}
	if got := get("/api/v1/incidents?from=2025-04-11&to=2025-04-11"); got["c-1"] != 1 || got["c-5"] != 1 || len(got) != 5 {
		t.Fatalf("before merging: %v, want every incident corroborated once", got)
	}
	for _, src := range []string{"c-2", "c-3", "c-4"} {
		if st, body := f.do(t, "monitor", "POST", "/api/v1/incidents/c-1/merge", "application/json",
			jsonBody(map[string]string{"source": src, "reason": "same event"})); st != http.StatusOK {
			t.Fatalf("merge %s: %d %s", src, st, body)
		}
	}
	// c-1 and its repost c-2 are one source, Suspilne another, plus one
	// sensor alert.
	if got := get("/api/v1/incidents?from=2025-04-11&to=2025-04-11"); got["c-1"] != 3 || got["c-5"] != 1 {
		t.Errorf("list after merging: %v, want c-1 corroborated by 3, c-5 by 1", got)
	}
	if got := get("/api/v1/incidents/c-1"); got["c-1"] != 3 {
		t.Errorf("incident page after merging: %v, want 3", got)
	}
	if st, body := f.do(t, "monitor", "POST", "/api/v1/reports/c-3/split", "application/json",
		jsonBody(map[string]string{"reason": "a different strike"})); st != http.StatusOK {
		t.Fatalf("split: %d %s", st, body)
	}
	if got := get("/api/v1/incidents/c-1"); got["c-1"] != 2 {
		t.Errorf("after splitting Suspilne's report off: %v, want 2", got)
	}
}
