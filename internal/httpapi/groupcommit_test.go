package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"truce"
	"truce/internal/ledger"
)

// TestGroupCommit creates reports from many concurrent requests of two
// principals (a monitor, a party) and checks that every one is answered
// with its own report, stored once, judged, logged as who sent it, and
// that the log verifies.
func TestGroupCommit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before, err := f.st.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			who := []string{"monitor", "party:UA"}[i%2]
			body := jsonBody(map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50 + float64(i)/1000,
				"text": fmt.Sprintf("group commit report %d: shelling near a substation", i)})
			code, resp := f.do(t, who, "POST", "/api/v1/reports", "application/json", body)
			if code != http.StatusCreated {
				t.Errorf("report %d by %s: %d %s", i, who, code, resp)
				return
			}
			var out struct {
				ID        string           `json:"id"`
				Judgement *json.RawMessage `json:"judgement"`
			}
			if err := json.Unmarshal([]byte(resp), &out); err != nil || out.Judgement == nil {
				t.Errorf("report %d: %v, no judgement in %s", i, err, resp)
			}
			ids[i] = out.ID
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("report %d: id %q (empty or given twice)", i, id)
		}
		seen[id] = true
		r, err := f.st.Report(ctx, truce.ReportID(id))
		if err != nil || r.Text != fmt.Sprintf("group commit report %d: shelling near a substation", i) {
			t.Fatalf("report %d (%s) as stored: %+v, %v", i, id, r, err)
		}
		if party := (i%2 == 1); party != (r.Outlet == "UA") {
			t.Errorf("report %d (%s) stored with outlet %q: grouped with another principal's reports?", i, id, r.Outlet)
		}
	}
	after, err := f.st.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 2*n { // each report and its judgement at least
		t.Errorf("the log grew by %d records for %d reports", after-before, n)
	}
	waitIntegrated(t, f.st)
	src, done, err := f.st.LogSource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	_, vk, _ := f.st.LogKey(ctx)
	if _, err := ledger.Verify(ctx, src, vk); err != nil {
		t.Errorf("log verify: %v", err)
	}
}
