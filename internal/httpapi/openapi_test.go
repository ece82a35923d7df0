package httpapi_test

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIDoc fetches the server's OpenAPI document and, when
// TRUCE_OPENAPI_OUT names a file, writes it there (scripts/test.sh lints
// it with redocly).
func openAPIDoc(t *testing.T, f *fixture) []byte {
	t.Helper()
	st, _, body := f.send(t, "public", "GET", "/api/v1/openapi.json", "", nil, nil)
	if st != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: status %d", st)
	}
	if out := os.Getenv("TRUCE_OPENAPI_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return []byte(body)
}

// TestOpenAPIDocument checks the document's header: a relative server,
// a licence, and a problem document for the errors of every operation.
func TestOpenAPIDocument(t *testing.T) {
	var doc struct {
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Info struct {
			License struct {
				Name       string `json:"name"`
				Identifier string `json:"identifier"`
			} `json:"license"`
		} `json:"info"`
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc(t, newBareFixture(t)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers %+v, want one, at /", doc.Servers)
	}
	if doc.Info.License.Name == "" || doc.Info.License.Identifier == "" {
		t.Errorf("license %+v, want a name and an SPDX identifier", doc.Info.License)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			n := 0
			for code, r := range op.Responses {
				if code >= "400" && code < "500" {
					n++
					if _, ok := r.Content["application/problem+json"]; !ok {
						t.Errorf("%s %s: %s has no problem document", method, path, code)
					}
				}
			}
			if n == 0 {
				t.Errorf("%s %s declares no 4xx response", method, path)
			}
		}
	}
}

// TestOpenAPIResponses replays a session of requests, one or more for
// every operation, successes and errors, against a server on SQLite and
// checks every answer against the OpenAPI document the server serves:
// its status is declared for the operation, its media type is declared
// for that status, and a JSON body validates against the declared schema
// (JSON Schema 2020-12, as OpenAPI 3.1 says).
func TestOpenAPIResponses(t *testing.T) {
	f := newFixture(t)
	raw := openAPIDoc(t, f)
	docv, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("openapi.json", docv); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Responses   map[string]struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	type route struct {
		re     *regexp.Regexp
		method string
		path   string
	}
	var routes []route
	for p, ops := range doc.Paths {
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$")
		for m := range ops {
			routes = append(routes, route{re, m, p})
		}
	}
	// A literal path (/api/v1/claims/figures) wins over a template that
	// also matches it (/api/v1/claims/{id}), as in the server's ServeMux.
	match := func(method, path string) (string, bool) {
		best, found := "", false
		for _, r := range routes {
			if r.method == strings.ToLower(method) && r.re.MatchString(path) &&
				(!found || strings.Count(r.path, "{") < strings.Count(best, "{")) {
				best, found = r.path, true
			}
		}
		return best, found
	}

	ev := evidenceOf(t, f, "acc-ua")
	report := map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50.4, "text": "Drones hit a substation"}
	sites := []byte("id,name,lon,lat,category\ns1,Plant,30.1,50.1,energy.power_plant\n")
	seen := map[string]bool{}
	for _, r := range []struct {
		who, method, path string
		body              any
		ct                string
	}{
		{"public", "GET", "/api/v1/agreement", nil, ""},
		{"public", "GET", "/api/v1/obligations", nil, ""},
		{"public", "GET", "/api/v1/positions", nil, ""},
		{"public", "GET", "/api/v1/timeline", nil, ""},
		{"public", "GET", "/api/v1/positions?party=" + strings.Repeat("x", 100), nil, ""},
		{"public", "GET", "/api/v1/agreements/energy-ceasefire-2025/versions", nil, ""},
		{"public", "GET", "/api/v1/agreements/energy-ceasefire-2025/versions/1/bundle", nil, ""},
		{"public", "GET", "/api/v1/agreements/energy-ceasefire-2025/versions/9/bundle", nil, ""},
		{"admin", "POST", "/api/v1/agreements", f.bundle, "application/zip"},
		{"monitor", "POST", "/api/v1/agreements", f.bundle, "application/zip"},
		{"admin", "POST", "/api/v1/agreements", []byte("PK\x03\x04 and nothing more"), "application/zip"},
		{"public", "GET", "/api/v1/sites", nil, ""},
		{"admin", "POST", "/api/v1/sites", sites, "text/csv"},
		{"monitor", "POST", "/api/v1/reports", report, ""},
		{"monitor", "POST", "/api/v1/reports", map[string]any{"lon": 500}, ""},
		{"public", "POST", "/api/v1/reports", report, ""},
		{"monitor", "POST", "/api/v1/reports/bulk", []byte("time,lon,lat,text\n2025-04-02,30.5,50.4,shelling\n"), "text/csv"},
		{"public", "GET", "/api/v1/reports/acc-ru", nil, ""},
		{"public", "GET", "/api/v1/reports/nope", nil, ""},
		{"monitor", "POST", "/api/v1/reports/extra-1/split", map[string]string{"reason": "x"}, ""},
		{"public", "GET", "/api/v1/incidents", nil, ""},
		{"public", "GET", "/api/v1/incidents?bbox=a,b,c,d", nil, ""},
		{"monitor", "GET", "/api/v1/incidents/acc-ua", nil, ""},
		{"public", "GET", "/api/v1/incidents/nope", nil, ""},
		{"monitor", "POST", "/api/v1/incidents/acc-ru/status", map[string]string{"status": "under_review", "reason": "triage"}, ""},
		{"monitor", "POST", "/api/v1/incidents/acc-ua/status", map[string]string{"status": "verified", "reason": "skip"}, ""},
		{"party:RU", "POST", "/api/v1/incidents/acc-ru/status", map[string]string{"status": "dismissed", "reason": "x"}, ""},
		{"monitor", "POST", "/api/v1/incidents/acc-ru/notes", map[string]string{"text": "two sources"}, ""},
		{"monitor", "POST", "/api/v1/incidents/acc-ru/notes", []byte("{"), "application/json"},
		{"party:UA", "POST", "/api/v1/incidents/acc-ua/responses", map[string]string{"kind": "denial", "text": "not us"}, ""},
		{"party:UA", "POST", "/api/v1/incidents/acc-ua/evidence", evidenceBody("a photo"), ""},
		{"public", "GET", "/api/v1/incidents/acc-ua/evidence/" + ev, nil, ""},
		{"public", "GET", "/api/v1/incidents/acc-ua/evidence/nope", nil, ""},
		{"monitor", "POST", "/api/v1/incidents/acc-ru/publish", nil, ""},
		{"monitor", "POST", "/api/v1/incidents/extra-1/merge", map[string]string{"source": "extra-2", "reason": "same event"}, ""},
		{"public", "GET", "/api/v1/log/key", nil, ""},
		{"public", "GET", "/api/v1/log/checkpoint", nil, ""},
		{"public", "GET", "/api/v1/log/checkpoint/final", nil, ""},
		{"public", "GET", "/api/v1/log/records/0", nil, ""},
		{"public", "GET", "/api/v1/log/records/100000", nil, ""},
		{"public", "GET", "/api/v1/log/proofs/inclusion?index=0&size=2", nil, ""},
		{"public", "GET", "/api/v1/log/proofs/inclusion?index=0", nil, ""},
		{"public", "GET", "/api/v1/log/proofs/consistency?old=1&size=2", nil, ""},
		{"admin", "POST", "/api/v1/tokens", map[string]string{"role": "observer", "name": "replay"}, ""},
		{"admin", "GET", "/api/v1/tokens", nil, ""},
		{"observer", "GET", "/api/v1/tokens", nil, ""},
		{"admin", "DELETE", "/api/v1/tokens/tok_nope", nil, ""},
		{"public", "GET", "/api/v1/summary", nil, ""},
		{"public", "GET", "/api/v1/summary?format=md", nil, ""},
		{"public", "GET", "/api/v1/summary?format=csv", nil, ""},
		{"public", "GET", "/api/v1/summary?format=xml", nil, ""},
		{"public", "GET", "/api/v1/exports/incidents", nil, ""},
		{"public", "GET", "/api/v1/exports/incidents?format=json", nil, ""},
		{"public", "GET", "/api/v1/exports/incidents?format=geojson", nil, ""},
		{"revoked", "GET", "/api/v1/exports/incidents", nil, ""},
		{"party:UA", "POST", "/api/v1/claims", map[string]any{"statement_date": "2025-04-10", "accused": "RU", "lon": 36.1, "lat": 49.97}, ""},
		{"party:UA", "POST", "/api/v1/claims", map[string]any{"statement_date": "2025-04-10", "accused": "RU", "claimant": "RU"}, ""},
		{"monitor", "POST", "/api/v1/claims", map[string]any{"statement_date": "2025-04-10", "accused": "UA"}, ""},
		{"monitor", "POST", "/api/v1/claims", map[string]any{"id": "RU-T1", "claimant": "RU", "statement_date": "2025-04-11", "accused": "UA"}, ""},
		{"monitor", "POST", "/api/v1/claims/bulk", []byte("claim_id,claimant,statement_date,accused\nT-1,RU,2025-04-10,UA\nT-2,RU,bad,UA\n"), "text/csv"},
		{"monitor", "POST", "/api/v1/claims/bulk?kind=tallies", []byte("claimant,statement_date,count\nRU,2025-04-10,101\n"), "text/csv"},
		{"monitor", "POST", "/api/v1/claims/bulk", []byte("nope\n1\n"), "text/csv"},
		{"public", "GET", "/api/v1/claims", nil, ""},
		{"monitor", "GET", "/api/v1/claims?status=unverified", nil, ""},
		{"public", "GET", "/api/v1/claims/RU-T1", nil, ""},
		{"public", "GET", "/api/v1/claims/UA-T1", nil, ""},
		{"public", "GET", "/api/v1/claims/figures?from=2025-04-01&to=2025-04-17", nil, ""},
		{"public", "GET", "/api/v1/claims/figures?from=2025-04-01", nil, ""},
		{"public", "GET", "/api/v1/claims/figures?from=2020-01-01&to=2020-01-02", nil, ""},
		{"monitor", "POST", "/api/v1/claims/UA-T1/publish", nil, ""},
		{"party:UA", "POST", "/api/v1/claims/UA-T1/publish", nil, ""},
		{"monitor", "POST", "/api/v1/claims/nope/publish", nil, ""},
		{"monitor", "POST", "/api/v1/claims/RU-T1/matches", map[string]string{"incident": "acc-ua", "decision": "rejected", "note": "another refinery"}, ""},
		{"monitor", "POST", "/api/v1/claims/RU-T1/matches", map[string]string{"incident": "nope", "decision": "rejected"}, ""},
		{"monitor", "POST", "/api/v1/claims/RU-T1/matches", map[string]string{"incident": "acc-ua", "decision": "maybe"}, ""},
		{"public", "GET", "/api/v1/tallies", nil, ""},
		{"monitor", "POST", "/api/v1/observations", map[string]any{"id": "R-1", "means": "uav", "sensed": "seen", "start": "2025-04-10T20:00:00Z", "lat": 48.3, "lon": 38.0, "kind": "explosion", "explosion": "airburst", "count": 2}, ""},
		{"monitor", "POST", "/api/v1/observations", map[string]any{"id": "R-1", "means": "uav", "sensed": "seen", "start": "2025-04-10T20:00:00Z", "lat": 48.3, "lon": 38.0, "kind": "burst"}, ""},
		{"monitor", "POST", "/api/v1/observations", map[string]any{"means": "uav", "sensed": "seen", "start": "yesterday", "lat": 48.3, "lon": 38.0, "kind": "burst"}, ""},
		{"party:RU", "POST", "/api/v1/observations", map[string]any{"means": "uav", "sensed": "seen", "start": "2025-04-10", "lat": 48.3, "lon": 38.0, "kind": "burst"}, ""},
		{"public", "GET", "/api/v1/observations", nil, ""},
		{"public", "GET", "/api/v1/observations?from=2025-04-10&to=nope", nil, ""},
		{"public", "GET", "/api/v1/observations/OBS-T1", nil, ""},
		{"public", "GET", "/api/v1/observations/OBS-T2", nil, ""},
		{"monitor", "POST", "/api/v1/observations/OBS-T2/publish", nil, ""},
		{"monitor", "POST", "/api/v1/restrictions", map[string]any{"kind": "conditional", "start": "2025-04-10T09:00:00Z", "lat": 48.0, "lon": 37.9, "reason": "escort required"}, ""},
		{"public", "GET", "/api/v1/restrictions", nil, ""},
		{"public", "GET", "/api/v1/restrictions/FOM-T1", nil, ""},
		{"monitor", "POST", "/api/v1/restrictions/FOM-T2/publish", nil, ""},
		{"monitor", "POST", "/api/v1/restrictions/nope/publish", nil, ""},
		{"monitor", "POST", "/api/v1/field/bulk", []byte("observation_id,means,sensed,start,lat,lon,kind\nB-1,patrol,seen,2025-04-10 08:00,48,38,burst\nB-2,patrol,seen,bad,48,38,burst\n"), "text/csv"},
		{"monitor", "POST", "/api/v1/field/bulk?kind=restrictions", []byte("nope\n1\n"), "text/csv"},
		{"public", "GET", "/api/v1/daily?date=2025-04-10", nil, ""},
		{"public", "GET", "/api/v1/exports/observations?hxl=true", nil, ""},
		{"monitor", "GET", "/api/v1/exports/observations?format=json", nil, ""},
		{"public", "GET", "/api/v1/exports/observations?format=geojson", nil, ""},
		{"party:UA", "GET", "/api/v1/exports/restrictions?format=json", nil, ""},
		{"public", "GET", "/api/v1/exports/restrictions?format=geojson", nil, ""},
		{"public", "GET", "/api/v1/exports/restrictions?format=kml", nil, ""},
		{"public", "GET", "/api/v1/exports/incidents?hxl=true", nil, ""},
		{"party:RU", "GET", "/api/v1/daily?date=2025-04-10&format=html", nil, ""},
		{"monitor", "GET", "/api/v1/daily?date=2025-04-10&format=pdf", nil, ""},
		{"public", "GET", "/api/v1/daily?date=10-04-2025", nil, ""},
		// Summaries with the claimed-vs-found section, now that claims and
		// tallies are stored: its JSON must match the declared schema too.
		{"public", "GET", "/api/v1/summary?from=2025-04-01&to=2025-04-17", nil, ""},
		{"monitor", "GET", "/api/v1/summary?from=2025-04-01&to=2025-04-17&cases=true", nil, ""},
	} {
		name := r.who + " " + r.method + " " + r.path
		var body []byte
		ct := r.ct
		switch b := r.body.(type) {
		case nil:
		case []byte:
			body = b
		default:
			body, ct = jsonBody(b), "application/json"
		}
		st, h, got := f.send(t, r.who, r.method, r.path, ct, body, nil)
		path, ok := match(r.method, strings.SplitN(r.path, "?", 2)[0])
		if !ok {
			t.Errorf("%s: no operation in the document", name)
			continue
		}
		op := doc.Paths[path][strings.ToLower(r.method)]
		seen[op.OperationID] = true
		code := strconv.Itoa(st)
		resp, ok := op.Responses[code]
		if !ok {
			if resp, ok = op.Responses["default"]; !ok {
				t.Errorf("%s: status %d is not declared for %s: %.300s", name, st, op.OperationID, got)
				continue
			}
			code = "default"
		}
		if len(got) == 0 && len(resp.Content) == 0 {
			continue
		}
		answered, _, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil {
			t.Errorf("%s: Content-Type %q: %v", name, h.Get("Content-Type"), err)
			continue
		}
		declared := ""
		for mt := range resp.Content {
			if base, _, _ := mime.ParseMediaType(mt); base == answered {
				declared = mt
			}
		}
		if declared == "" {
			t.Errorf("%s: %d answered %s, not declared for %s (%d media types)", name, st, answered, op.OperationID, len(resp.Content))
			continue
		}
		if !strings.HasSuffix(answered, "json") {
			continue
		}
		ptr := "#/paths/" + escapePointer(path) + "/" + strings.ToLower(r.method) + "/responses/" + code + "/content/" + escapePointer(declared) + "/schema"
		sch, err := c.Compile("openapi.json" + ptr)
		if err != nil {
			t.Fatalf("%s: compile %s: %v", name, ptr, err)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(got))
		if err != nil {
			t.Errorf("%s: %s body is not JSON: %v", name, answered, err)
			continue
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %d %s does not match the document: %v", name, st, answered, err)
		}
	}
	for _, ops := range doc.Paths {
		for _, op := range ops {
			if !seen[op.OperationID] {
				t.Errorf("the session calls no %s", op.OperationID)
			}
		}
	}
}

// escapePointer escapes s as a JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// evidenceOf is the id of the first evidence item of incident id.
func evidenceOf(t *testing.T, f *fixture, id string) string {
	t.Helper()
	_, _, body := f.send(t, "monitor", "GET", "/api/v1/incidents/"+id, "", nil, nil)
	d := decode[struct {
		Evidence []struct {
			ID string `json:"id"`
		} `json:"evidence"`
	}](t, []byte(body))
	if len(d.Evidence) == 0 {
		t.Fatalf("incident %s has no evidence", id)
	}
	return d.Evidence[0].ID
}
