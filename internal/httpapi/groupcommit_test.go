package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
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

// TestCreateAnswersAsStored: the answer to creating a report is built from
// what the write stored, not read back; it must be exactly what reading
// the report then returns, for every kind of body and principal (times
// given with an offset, dates, unknown fields left empty, unpublished,
// a party's submission, judged as a violation or not).
func TestCreateAnswersAsStored(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		who  string
		body map[string]any
	}{
		{"monitor", map[string]any{"time": "2025-04-02T10:15:00+03:00", "lon": 36.1, "lat": 49.97, "perpetrator": "RU",
			"actions": []string{"drone_attack"}, "category": "energy.substation", "place": "Kharkiv", "location_precision_m": 250,
			"actor1": "Military Forces of Russia", "event_type": "Explosions/Remote violence", "fatalities": 2,
			"text": "A Russian drone struck a substation in Kharkiv.", "outlet": "Suspilne"}},
		{"monitor", map[string]any{"time": "2025-04-03", "lon": 30.5, "lat": 50.4, "published": false, "text": "Explosions were heard."}},
		{"monitor", map[string]any{"time": "2025-04-04T00:00:00Z", "time_precision": "hour", "lon": 39.06, "lat": 45.02, "perpetrator": "UA",
			"actions": []string{"drone_attack", "strike"}, "category": "energy.refinery", "text": "Drones hit the refinery."}},
		{"party:UA", map[string]any{"time": "2025-04-05", "lon": 36.2, "lat": 50.0, "perpetrator": "RU", "actions": []string{"missile_attack"},
			"text": "A missile hit a power line."}},
		{"party:RU", map[string]any{"time": "2025-03-20T23:59:59.123456789+02:00", "lon": 34.1, "lat": 45.3, "text": "An attack on a gas storage was repelled."}},
	}
	for i, c := range cases {
		code, created := f.do(t, c.who, "POST", "/api/v1/reports", "application/json", jsonBody(c.body))
		if code != http.StatusCreated {
			t.Fatalf("case %d: %d %s", i, code, created)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(created), &got); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		id, _ := got["id"].(string)
		if got["incident"] != id {
			t.Errorf("case %d: incident %v, want the report's own %s", i, got["incident"], id)
		}
		if _, ok := got["judgement"]; !ok {
			t.Errorf("case %d: no judgement in %s", i, created)
		}
		code, read := f.do(t, c.who, "GET", "/api/v1/reports/"+id, "", nil)
		if code != http.StatusOK {
			t.Fatalf("case %d: GET: %d %s", i, code, read)
		}
		var want map[string]any
		if err := json.Unmarshal([]byte(read), &want); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %d: created\n%s\nbut reading it gives\n%s", i, created, read)
		}
	}
}
