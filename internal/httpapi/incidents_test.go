package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce/internal/httpapi"
)

// incidentIDs are the ids of a page of incidents.
func incidentIDs(t *testing.T, body []byte) []string {
	t.Helper()
	page := decode[httpapi.IncidentPage](t, body)
	ids := []string{}
	for _, in := range page.Incidents {
		ids = append(ids, in.ID)
	}
	return ids
}

// wantIncidents checks a page of incidents: its ids, in order, and
// whether it says there is a next page.
func wantIncidents(want []string, more bool) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
		t.Helper()
		if diff := cmp.Diff(want, incidentIDs(t, body)); diff != "" {
			t.Errorf("incidents mismatch (-want +got):\n%s", diff)
		}
		if next := decode[httpapi.IncidentPage](t, body).Next; (next != "") != more {
			t.Errorf("next %q, want a next page: %v", next, more)
		}
	}
}

// wantEvent checks the event an operation answers with.
func wantEvent(want httpapi.EventOut) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
		t.Helper()
		got := decode[httpapi.EventOut](t, body)
		if got.ID == 0 || got.At.IsZero() || got.Actor == "" || got.LogIndex <= 0 {
			t.Errorf("event %+v: want an id, a time, an actor and a log record", got)
		}
		got.ID, got.At, got.Actor, got.LogIndex = 0, time.Time{}, "", 0
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("event mismatch (-want +got):\n%s", diff)
		}
	}
}

// detailOf summarises an incident's record for comparison.
type detailOf struct {
	Status      string
	Published   bool
	Parties     []string
	ContestedBy []string
	MergedInto  string
	Reports     []string
	Events      []string
	Evidence    int
}

func summarise(d httpapi.IncidentDetail) detailOf {
	s := detailOf{Status: d.Status, Published: d.Published, Parties: d.Parties, ContestedBy: d.ContestedBy, MergedInto: d.MergedInto,
		Reports: []string{}, Events: []string{}, Evidence: len(d.Evidence)}
	for _, r := range d.ReportList {
		s.Reports = append(s.Reports, r.ID)
	}
	for _, e := range d.Events {
		s.Events = append(s.Events, e.Kind)
	}
	return s
}

// wantDetail checks an incident's record.
func wantDetail(want detailOf) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
		t.Helper()
		if diff := cmp.Diff(want, summarise(decode[httpapi.IncidentDetail](t, body))); diff != "" {
			t.Errorf("incident mismatch (-want +got):\n%s", diff)
		}
	}
}

func evidenceBody(content string) map[string]string {
	return map[string]string{"media_type": "text/plain", "content": base64.StdEncoding.EncodeToString([]byte(content))}
}

// TestIncidentHandlers exercises the incident operations (incidents.go):
// the listing and the record, the review workflow, notes, responses,
// evidence, publication and merges, in that order on one fixture.
func TestIncidentHandlers(t *testing.T) {
	f := newFixture(t)
	f.run(t, slices.Concat(incidentReadCalls(), incidentReviewCalls(), incidentEvidenceCalls(), incidentPublishMergeCalls()))
}

// incidentReadCalls are the calls of list-incidents and get-incident on the fixture.
func incidentReadCalls() []call {
	all := []string{"acc-ru", "acc-ua", "extra-1", "extra-2"}
	return []call{
		// list-incidents
		{name: "list/everything published", who: "public", method: "GET", path: "/api/v1/incidents", status: http.StatusOK, check: wantIncidents(all, false)},
		{name: "list/by perpetrator", who: "public", method: "GET", path: "/api/v1/incidents?party=UA", status: http.StatusOK, check: wantIncidents([]string{"acc-ua"}, false)},
		{name: "list/by outcome", who: "observer", method: "GET", path: "/api/v1/incidents?outcome=violation", status: http.StatusOK, check: wantIncidents([]string{"acc-ru", "acc-ua"}, false)},
		{name: "list/by box", who: "public", method: "GET", path: "/api/v1/incidents?bbox=29,49,31,51", status: http.StatusOK, check: wantIncidents([]string{"extra-1", "extra-2"}, false)},
		{name: "list/a page", who: "public", method: "GET", path: "/api/v1/incidents?limit=2", status: http.StatusOK, check: wantIncidents([]string{"acc-ru", "acc-ua"}, true)},
		{name: "list/nothing in the period", who: "public", method: "GET", path: "/api/v1/incidents?from=2025-05-01", status: http.StatusOK, check: wantIncidents([]string{}, false)},
		{name: "list/bad box", who: "public", method: "GET", path: "/api/v1/incidents?bbox=1,2,3", status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.bbox"},
		{name: "list/box out of range", who: "public", method: "GET", path: "/api/v1/incidents?bbox=-200,0,10,10", status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.bbox"},
		{name: "list/to before from", who: "public", method: "GET", path: "/api/v1/incidents?from=2025-04-11&to=2025-04-10", status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.to"},
		{name: "list/bad date", who: "public", method: "GET", path: "/api/v1/incidents?from=April", status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.from"},
		{name: "list/unknown status", who: "public", method: "GET", path: "/api/v1/incidents?status=bogus", status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.status"},
		{name: "list/limit too large", who: "public", method: "GET", path: "/api/v1/incidents?limit=5000", status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.limit"},

		// get-incident
		{name: "get/record", who: "public", method: "GET", path: "/api/v1/incidents/acc-ua", status: http.StatusOK,
			check: wantDetail(detailOf{Status: "reported", Published: true, Parties: []string{"UA"}, ContestedBy: []string{}, Reports: []string{"acc-ua"}, Events: []string{"created", "evidence"}, Evidence: 1})},
		{name: "get/not found", who: "public", method: "GET", path: "/api/v1/incidents/nope", status: http.StatusNotFound, detail: "incident nope not found"},
	}
}

// incidentReviewCalls are the calls of change-status, add-note and respond.
func incidentReviewCalls() []call {
	return []call{
		// change-status
		{name: "status/triage", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ru/status", body: map[string]string{"status": "under_review", "reason": "triage"},
			status: http.StatusOK, check: wantEvent(httpapi.EventOut{Kind: "status", From: "reported", To: "under_review", Reason: "triage"})},
		{name: "status/a move the workflow does not allow", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ua/status", body: map[string]string{"status": "verified", "reason": "skip review"},
			status: http.StatusConflict, detail: "incident acc-ua is reported: it cannot move to verified"},
		{name: "status/unknown status", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ru/status", body: map[string]string{"status": "bogus", "reason": "x"},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.status"},
		{name: "status/no reason", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ru/status", body: map[string]string{"status": "verified"},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body"},
		{name: "status/not found", who: "monitor", method: "POST", path: "/api/v1/incidents/nope/status", body: map[string]string{"status": "under_review", "reason": "x"},
			status: http.StatusNotFound, detail: "incident nope not found"},
		{name: "status/a party may not", who: "party:RU", method: "POST", path: "/api/v1/incidents/acc-ru/status", body: map[string]string{"status": "dismissed", "reason": "not us"},
			status: http.StatusForbidden, detail: "the party role may not review"},
		{name: "status/the public must sign in", who: "public", method: "POST", path: "/api/v1/incidents/acc-ru/status", body: map[string]string{"status": "dismissed", "reason": "x"},
			status: http.StatusUnauthorized, detail: "sign in with a token to review"},
		{name: "status/recorded", who: "public", method: "GET", path: "/api/v1/incidents/acc-ru", status: http.StatusOK,
			check: wantDetail(detailOf{Status: "under_review", Published: true, Parties: []string{"RU"}, ContestedBy: []string{}, Reports: []string{"acc-ru"}, Events: []string{"created", "status"}})},

		// add-note
		{name: "note/added", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ru/notes", body: map[string]string{"text": "two sources"},
			status: http.StatusCreated, check: wantEvent(httpapi.EventOut{Kind: "note", Reason: "two sources"})},
		{name: "note/empty", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ru/notes", body: map[string]string{"text": ""},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.text"},
		{name: "note/not JSON", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ru/notes", body: []byte("{"), ct: "application/json",
			status: http.StatusBadRequest, detail: "validation failed", location: "body"},
		{name: "note/not found", who: "admin", method: "POST", path: "/api/v1/incidents/nope/notes", body: map[string]string{"text": "x"},
			status: http.StatusNotFound, detail: "incident nope not found"},
		{name: "note/an observer may not", who: "observer", method: "POST", path: "/api/v1/incidents/acc-ru/notes", body: map[string]string{"text": "x"},
			status: http.StatusForbidden, detail: "the observer role may not note"},

		// respond
		{name: "respond/the accused party denies", who: "party:UA", method: "POST", path: "/api/v1/incidents/acc-ua/responses", body: map[string]string{"kind": "denial", "text": "not us"},
			status: http.StatusCreated, check: wantEvent(httpapi.EventOut{Kind: "response", Party: "UA", Response: "denial", Reason: "not us"})},
		{name: "respond/the incident is contested", who: "public", method: "GET", path: "/api/v1/incidents/acc-ua", status: http.StatusOK,
			check: wantDetail(detailOf{Status: "reported", Published: true, Parties: []string{"UA"}, ContestedBy: []string{"UA"}, Reports: []string{"acc-ua"}, Events: []string{"created", "evidence", "response"}, Evidence: 1})},
		{name: "respond/not accused", who: "party:UA", method: "POST", path: "/api/v1/incidents/acc-ru/responses", body: map[string]string{"kind": "denial", "text": "x"},
			status: http.StatusForbidden, detail: "incident acc-ru does not accuse UA"},
		{name: "respond/unknown kind", who: "party:UA", method: "POST", path: "/api/v1/incidents/acc-ua/responses", body: map[string]string{"kind": "shrug", "text": "x"},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.kind"},
		{name: "respond/not found", who: "party:UA", method: "POST", path: "/api/v1/incidents/nope/responses", body: map[string]string{"kind": "denial", "text": "x"},
			status: http.StatusNotFound, detail: "incident nope not found"},
		{name: "respond/a monitor may not", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ua/responses", body: map[string]string{"kind": "denial", "text": "x"},
			status: http.StatusForbidden, detail: "the monitor role may not respond"},
	}
}

// incidentEvidenceCalls are the calls of add-evidence and get-evidence.
func incidentEvidenceCalls() []call {
	return []call{
		// add-evidence and get-evidence
		{name: "evidence/added by the accused", who: "party:UA", method: "POST", path: "/api/v1/incidents/acc-ua/evidence", body: evidenceBody("a photo"),
			status: http.StatusCreated, check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				got := decode[struct {
					Event    httpapi.EventOut    `json:"event"`
					Evidence httpapi.EvidenceOut `json:"evidence"`
				}](t, body)
				id := "sha256:" + sha("a photo")
				if got.Event.Kind != "evidence" || got.Event.Evidence != id || got.Evidence.ID != id || got.Evidence.Size != 7 || got.Evidence.MediaType != "text/plain" {
					t.Errorf("evidence answer %+v, want the evidence event and item %s of 7 bytes", got, id)
				}
			}},
		{name: "evidence/the same file again", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ua/evidence", body: evidenceBody("a photo"),
			status: http.StatusConflict, detail: "incident acc-ua already has evidence sha256:" + sha("a photo")},
		{name: "evidence/not base64", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ua/evidence", body: map[string]string{"media_type": "text/plain", "content": "%%%"},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.content"},
		{name: "evidence/bad media type", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ua/evidence", body: map[string]string{"media_type": "text", "content": "eA=="},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.media_type"},
		{name: "evidence/neither submitted by nor accusing the party", who: "party:RU", method: "POST", path: "/api/v1/incidents/acc-ua/evidence", body: evidenceBody("x"),
			status: http.StatusForbidden, detail: "a party may add evidence only to its own submissions and to accusations against it"},
		{name: "evidence/not found", who: "monitor", method: "POST", path: "/api/v1/incidents/nope/evidence", body: evidenceBody("x"),
			status: http.StatusNotFound, detail: "incident nope not found"},
		{name: "evidence/download", who: "public", method: "GET", path: "/api/v1/incidents/acc-ua/evidence/sha256:" + sha("statement"), status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, h http.Header, body []byte) {
				if string(body) != "statement" {
					t.Errorf("content %q, want %q", body, "statement")
				}
				header(t, h, "Content-Type", "text/plain; charset=utf-8")
				header(t, h, "Content-Disposition", `attachment; filename="evidence.txt"`)
			}},
		{name: "evidence/download of an unknown item", who: "public", method: "GET", path: "/api/v1/incidents/acc-ua/evidence/sha256:00", status: http.StatusNotFound,
			detail: "evidence sha256:00 of incident acc-ua not found"},
	}
}

// incidentPublishMergeCalls are the calls of publish-incident and merge-incidents, on
// two reports a monitor uploads unpublished and on the fixture.
func incidentPublishMergeCalls() []call {
	unpublished := []byte("time,lon,lat,text\n2025-04-11,30.5,50.4,first unpublished\n2025-04-12,30.6,50.5,second unpublished\n")
	return []call{
		// publish-incident, on reports a monitor uploaded unpublished
		{name: "publish/setup: two unpublished reports", who: "monitor", method: "POST", path: "/api/v1/reports/bulk?published=false&name=unpub.csv", body: unpublished, ct: "text/csv",
			status: http.StatusOK},
		{name: "publish/unpublished is not found by the public", who: "public", method: "GET", path: "/api/v1/incidents/unpub.csv:2", status: http.StatusNotFound, detail: "incident unpub.csv:2 not found"},
		{name: "publish/published", who: "monitor", method: "POST", path: "/api/v1/incidents/unpub.csv:2/publish", status: http.StatusOK,
			check: wantEvent(httpapi.EventOut{Kind: "published"})},
		{name: "publish/now public", who: "public", method: "GET", path: "/api/v1/incidents/unpub.csv:2", status: http.StatusOK,
			check: wantDetail(detailOf{Status: "reported", Published: true, Parties: []string{}, ContestedBy: []string{}, Reports: []string{"unpub.csv:2"}, Events: []string{"created", "published"}})},
		{name: "publish/again", who: "monitor", method: "POST", path: "/api/v1/incidents/unpub.csv:2/publish", status: http.StatusConflict, detail: "incident unpub.csv:2 is already published"},
		{name: "publish/not found", who: "monitor", method: "POST", path: "/api/v1/incidents/nope/publish", status: http.StatusNotFound, detail: "incident nope not found"},
		{name: "publish/a party may not", who: "party:UA", method: "POST", path: "/api/v1/incidents/unpub.csv:3/publish", status: http.StatusForbidden, detail: "the party role may not review"},

		// merge-incidents
		{name: "merge/merged", who: "monitor", method: "POST", path: "/api/v1/incidents/extra-1/merge", body: map[string]string{"source": "extra-2", "reason": "same event"},
			status: http.StatusOK, check: wantEvent(httpapi.EventOut{Kind: "merged", Other: "extra-2", Reason: "same event"})},
		{name: "merge/the target holds both reports", who: "public", method: "GET", path: "/api/v1/incidents/extra-1", status: http.StatusOK,
			check: wantDetail(detailOf{Status: "reported", Published: true, Parties: []string{}, ContestedBy: []string{}, Reports: []string{"extra-1", "extra-2"}, Events: []string{"created", "merged"}})},
		{name: "merge/the source says where it went", who: "public", method: "GET", path: "/api/v1/incidents/extra-2", status: http.StatusOK,
			check: wantDetail(detailOf{Status: "reported", Published: true, Parties: []string{}, ContestedBy: []string{}, MergedInto: "extra-1", Reports: []string{}, Events: []string{"created", "merged_into"}})},
		{name: "merge/the source leaves the listing", who: "public", method: "GET", path: "/api/v1/incidents?bbox=29,49,31,51", status: http.StatusOK,
			check: wantIncidents([]string{"extra-1", "unpub.csv:2"}, false)},
		{name: "merge/again", who: "monitor", method: "POST", path: "/api/v1/incidents/extra-1/merge", body: map[string]string{"source": "extra-2", "reason": "again"},
			status: http.StatusConflict, detail: "incident extra-2 was merged into extra-1"},
		{name: "merge/a merged-away incident takes no notes", who: "monitor", method: "POST", path: "/api/v1/incidents/extra-2/notes", body: map[string]string{"text": "x"},
			status: http.StatusConflict, detail: "incident extra-2 was merged into extra-1"},
		{name: "merge/into itself", who: "monitor", method: "POST", path: "/api/v1/incidents/acc-ua/merge", body: map[string]string{"source": "acc-ua", "reason": "x"},
			status: http.StatusUnprocessableEntity, detail: "cannot merge incident acc-ua into itself"},
		{name: "merge/across audiences", who: "monitor", method: "POST", path: "/api/v1/incidents/extra-1/merge", body: map[string]string{"source": "unpub.csv:3", "reason": "x"},
			status: http.StatusConflict, detail: "visible to different readers"},
		{name: "merge/unknown source", who: "monitor", method: "POST", path: "/api/v1/incidents/extra-1/merge", body: map[string]string{"source": "nope", "reason": "x"},
			status: http.StatusNotFound, detail: "incident nope not found"},
		{name: "merge/no source", who: "monitor", method: "POST", path: "/api/v1/incidents/extra-1/merge", body: map[string]string{"reason": "x"},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body"},
		{name: "merge/a party may not", who: "party:UA", method: "POST", path: "/api/v1/incidents/acc-ua/merge", body: map[string]string{"source": "acc-ru", "reason": "x"},
			status: http.StatusForbidden, detail: "the party role may not merge-split"},
	}
}
