package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/httpapi"
)

// reportOf summarises a report as the API answers it.
type reportOf struct {
	Incident, Source, Outlet, Text, Perpetrator string
	Outcome                                     string // of its judgement; "" without one
}

func summariseReport(r httpapi.ReportOut) reportOf {
	s := reportOf{Incident: r.Incident, Source: r.Source, Outlet: r.Outlet, Text: r.Text, Perpetrator: r.Perpetrator}
	if r.Judgement != nil {
		s.Outcome = r.Judgement.Outcome
	}
	return s
}

// wantReport checks a report answer. An incident "=id" is the report's
// own id; saveAs keeps that id in vars.
func wantReport(want reportOf, idPrefix, saveAs string) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
		t.Helper()
		r := decode[httpapi.ReportOut](t, body)
		if !strings.HasPrefix(r.ID, idPrefix) {
			t.Errorf("report id %q, want the prefix %q", r.ID, idPrefix)
		}
		if want.Incident == "=id" {
			want.Incident = r.ID
		}
		if diff := cmp.Diff(want, summariseReport(r)); diff != "" {
			t.Errorf("report mismatch (-want +got):\n%s", diff)
		}
		if saveAs != "" {
			vars[saveAs] = r.ID
			header(t, h, "Location", "/api/v1/reports/"+r.ID)
		}
	}
}

// wantBulk checks a bulk upload's result.
func wantBulk(want httpapi.BulkResult) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
		t.Helper()
		if diff := cmp.Diff(want, decode[httpapi.BulkResult](t, body)); diff != "" {
			t.Errorf("bulk result mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestReportHandlers exercises the report operations (reports.go): one
// report, a file of reports, a report with its judgement, and splitting a
// report out of its incident.
func TestReportHandlers(t *testing.T) {
	f := newFixture(t)
	report := func(extra map[string]any) map[string]any {
		r := map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50.4, "text": "Drones hit a substation"}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	csv := func(rows ...string) []byte {
		return []byte("time,lon,lat,text\n" + strings.Join(rows, "\n") + "\n")
	}
	f.run(t, []call{
		// create-report
		{name: "create/by a monitor", who: "monitor", method: "POST", path: "/api/v1/reports", body: report(nil), status: http.StatusCreated,
			check: wantReport(reportOf{Incident: "=id", Source: "api", Text: "Drones hit a substation", Outcome: "undetermined"}, "api-", "monitor")},
		{name: "create/by a party, attributed to it", who: "party:UA", method: "POST", path: "/api/v1/reports", body: report(map[string]any{"outlet": "Kyiv Post", "perpetrator": "RU"}),
			status: http.StatusCreated, check: wantReport(reportOf{Incident: "=id", Source: "api", Outlet: "UA", Text: "Drones hit a substation", Perpetrator: "RU", Outcome: "violation"}, "api-UA-", "ua")},
		{name: "create/a party's report is its own", who: "party:RU", method: "GET", path: "/api/v1/reports/{ua}", status: http.StatusNotFound, detail: "report {ua} not found"},
		{name: "create/unknown perpetrator", who: "monitor", method: "POST", path: "/api/v1/reports", body: report(map[string]any{"perpetrator": "XX"}),
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.perpetrator"},
		{name: "create/no time", who: "monitor", method: "POST", path: "/api/v1/reports", body: map[string]any{"lon": 30.5, "lat": 50.4},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body"},
		{name: "create/latitude out of range", who: "monitor", method: "POST", path: "/api/v1/reports", body: report(map[string]any{"lat": 95}),
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.lat"},
		{name: "create/a time that is no time", who: "monitor", method: "POST", path: "/api/v1/reports", body: report(map[string]any{"time": "the day before"}),
			status: http.StatusUnprocessableEntity, detail: "the day before"},
		{name: "create/an observer may not", who: "observer", method: "POST", path: "/api/v1/reports", body: report(nil),
			status: http.StatusForbidden, detail: "the observer role may not submit-report"},
		{name: "create/the public must sign in", who: "public", method: "POST", path: "/api/v1/reports", body: report(nil),
			status: http.StatusUnauthorized, detail: "sign in with a token to submit-report"},

		// upload-reports
		{name: "bulk/bad rows are listed", who: "monitor", method: "POST", path: "/api/v1/reports/bulk?name=b.csv", ct: "text/csv",
			body: csv("2025-04-02,30.5,50.4,one", "not a date,30.5,50.4,two"), status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				got := decode[httpapi.BulkResult](t, body)
				if got.Read != 2 || got.Accepted != 1 || got.Rejected != 1 || got.Added != 1 || len(got.Errors) != 1 || !strings.HasPrefix(got.Errors[0], "b.csv:3: ") {
					t.Errorf("bulk result %+v, want 2 read, 1 accepted and added, 1 rejected as b.csv:3", got)
				}
			}},
		{name: "bulk/the stored report", who: "public", method: "GET", path: "/api/v1/reports/b.csv:2", status: http.StatusOK,
			check: wantReport(reportOf{Incident: "b.csv:2", Source: "truce", Text: "one", Outcome: "not_prohibited"}, "b.csv:2", "")},
		{name: "bulk/the same file adds nothing", who: "monitor", method: "POST", path: "/api/v1/reports/bulk?name=b.csv", ct: "text/csv",
			body: csv("2025-04-02,30.5,50.4,one"), status: http.StatusOK, check: wantBulk(httpapi.BulkResult{Read: 1, Accepted: 1, Errors: []string{}})},
		{name: "bulk/another report under a stored id", who: "monitor", method: "POST", path: "/api/v1/reports/bulk?name=b.csv", ct: "text/csv",
			body: csv("2025-04-03,31,51,not one"), status: http.StatusConflict, detail: "b.csv:2"},
		{name: "bulk/strict refuses a bad row", who: "monitor", method: "POST", path: "/api/v1/reports/bulk?name=s.csv&strict=true", ct: "text/csv",
			body: csv("2025-04-02,30.5,50.4,one", "2025-04-02,300,50.4,two"), status: http.StatusUnprocessableEntity, detail: "s.csv:3: column lon: 300 is out of range [-180, 180]"},
		{name: "bulk/strict stored nothing", who: "public", method: "GET", path: "/api/v1/reports/s.csv:2", status: http.StatusNotFound, detail: "report s.csv:2 not found"},
		{name: "bulk/unknown format", who: "monitor", method: "POST", path: "/api/v1/reports/bulk?format=xls", ct: "text/csv",
			body: csv("2025-04-02,30.5,50.4,one"), status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.format"},
		{name: "bulk/a party may not", who: "party:UA", method: "POST", path: "/api/v1/reports/bulk", ct: "text/csv",
			body: csv("2025-04-02,30.5,50.4,one"), status: http.StatusForbidden, detail: "the party role may not bulk-upload"},

		// get-report
		{name: "get/with its judgement", who: "public", method: "GET", path: "/api/v1/reports/acc-ua", status: http.StatusOK,
			check: wantReport(reportOf{Incident: "acc-ua", Source: "test", Perpetrator: "UA", Outcome: "violation"}, "acc-ua", "")},
		{name: "get/not found", who: "public", method: "GET", path: "/api/v1/reports/nope", status: http.StatusNotFound, detail: "report nope not found"},
		{name: "get/the submitting party reads its own", who: "party:UA", method: "GET", path: "/api/v1/reports/{ua}", status: http.StatusOK,
			check: wantReport(reportOf{Incident: "=id", Source: "api", Outlet: "UA", Text: "Drones hit a substation", Perpetrator: "RU", Outcome: "violation"}, "api-UA-", "")},

		// split-report
		{name: "split/a report alone in its incident", who: "monitor", method: "POST", path: "/api/v1/reports/extra-1/split", body: map[string]string{"reason": "x"},
			status: http.StatusConflict, detail: "report extra-1 already has an incident of its own (extra-1)"},
		{name: "split/setup: merge extra-2 into extra-1", who: "monitor", method: "POST", path: "/api/v1/incidents/extra-1/merge", body: map[string]string{"source": "extra-2", "reason": "same event"},
			status: http.StatusOK},
		{name: "split/split out", who: "monitor", method: "POST", path: "/api/v1/reports/extra-2/split", body: map[string]string{"reason": "another event"},
			status: http.StatusOK, check: wantEvent(httpapi.EventOut{Kind: "split", Other: "extra-2", Reason: "another event"})},
		{name: "split/the report's incident is back, merged no more", who: "public", method: "GET", path: "/api/v1/incidents/extra-2", status: http.StatusOK,
			check: wantDetail(detailOf{Status: "reported", Published: true, Parties: []string{}, ContestedBy: []string{}, Reports: []string{"extra-2"}, Events: []string{"created", "merged_into", "split_from"}})},
		{name: "split/not found", who: "monitor", method: "POST", path: "/api/v1/reports/nope/split", body: map[string]string{"reason": "x"},
			status: http.StatusNotFound, detail: "report nope not found"},
		{name: "split/no reason", who: "monitor", method: "POST", path: "/api/v1/reports/extra-2/split", body: map[string]string{"reason": ""},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.reason"},
		{name: "split/a party may not", who: "party:UA", method: "POST", path: "/api/v1/reports/acc-ua/split", body: map[string]string{"reason": "x"},
			status: http.StatusForbidden, detail: "the party role may not merge-split"},
	})
}
