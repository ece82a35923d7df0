package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
	"truce/internal/httpapi"
)

// TestIncidentReportsAsReadAlone checks an incident's report_list, which
// reads the judged reports with their judgements in one query and the
// others apart, against each report read alone (GET /api/v1/reports/{id}),
// for an incident holding a judged and an unjudged report, in English and
// in Ukrainian.
func TestIncidentReportsAsReadAlone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	day := time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)
	late := &truce.Report{ID: "unjudged", Source: "test", Start: day, End: day.Add(24 * time.Hour), Precision: truce.PrecisionDay,
		Location: geo.Point{Lon: 39.06, Lat: 45.02}, Perpetrator: "UA", Actions: []truce.Action{truce.ActionDroneAttack}, Category: "energy.refinery"}
	if _, err := f.st.PutReports(ctx, truce.System, []*truce.Report{late}, truce.PutOptions{Published: true}); err != nil {
		t.Fatal(err)
	}
	into, err := f.st.IncidentOf(ctx, "acc-ua")
	if err != nil {
		t.Fatal(err)
	}
	from, err := f.st.IncidentOf(ctx, "unjudged")
	if err != nil {
		t.Fatal(err)
	}
	if from != into {
		if st, b := f.do(t, "monitor", "POST", "/api/v1/incidents/"+string(into)+"/merge", "application/json",
			jsonBody(map[string]string{"source": string(from), "reason": "same strike"})); st != http.StatusOK {
			t.Fatalf("merge: %d %s", st, b)
		}
	}
	for _, lang := range []string{"en", "uk"} {
		st, body := f.do(t, "monitor", "GET", "/api/v1/incidents/"+string(into)+"?lang="+lang, "", nil)
		if st != http.StatusOK {
			t.Fatalf("incident %s: %d %s", into, st, body)
		}
		d := decode[httpapi.IncidentDetail](t, []byte(body))
		judged := 0
		var ids []string
		for _, got := range d.ReportList {
			ids = append(ids, got.ID)
			if got.Judgement != nil {
				judged++
			}
			st, body := f.do(t, "monitor", "GET", "/api/v1/reports/"+got.ID+"?lang="+lang, "", nil)
			if st != http.StatusOK {
				t.Fatalf("report %s: %d %s", got.ID, st, body)
			}
			var want httpapi.ReportOut
			if err := json.Unmarshal([]byte(body), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: report %s in the incident differs from the report read alone (-alone +incident):\n%s", lang, got.ID, diff)
			}
		}
		if len(ids) != 2 || judged != 1 {
			t.Errorf("%s: report_list %v with %d judged, want acc-ua judged and unjudged not", lang, ids, judged)
		}
	}
}
