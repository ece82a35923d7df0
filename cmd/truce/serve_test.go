package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	_ "modernc.org/sqlite"

	"truce/internal/agreement"
	"truce/internal/ledger"
	"truce/internal/report"
)

// testServer runs `truce serve` on 127.0.0.1:0 against db until the test ends.
func testServer(t *testing.T, db string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	go func() {
		done <- e.serve(ctx, serveConfig{DB: db, Addr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second, WriteRate: 100, ready: func(a string) { ready <- a }})
	}()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
		return "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("serve did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start in 30 s")
	}
	return ""
}

type client struct {
	t     *testing.T
	base  string
	token string
}

var httpClient = &http.Client{Timeout: 2 * time.Minute}

// do sends a request and returns the status and body.
func (c client) do(method, path, contentType string, body []byte) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// must sends a request, requires the status and decodes the JSON body into out.
func (c client) must(want int, method, path string, in any, out any) []byte {
	c.t.Helper()
	var body []byte
	ct := ""
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			c.t.Fatal(err)
		}
		ct = "application/json"
	}
	st, b := c.do(method, path, ct, body)
	if st != want {
		c.t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, c.token, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return b
}

func mustToken(t *testing.T, db, role, party string) string {
	t.Helper()
	args := []string{"token", "create", "--db", db, "--role", role}
	if party != "" {
		args = append(args, "--party", party)
	}
	out, _ := mustRun(t, args...)
	return strings.TrimSpace(out)
}

type incidentJSON struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	Published   bool     `json:"published"`
	Outcome     string   `json:"outcome"`
	Parties     []string `json:"parties"`
	ContestedBy []string `json:"contested_by"`
	ReportList  []struct {
		ID string `json:"id"`
	} `json:"report_list"`
	Events []struct {
		Kind     string `json:"kind"`
		Actor    string `json:"actor"`
		To       string `json:"to"`
		Reason   string `json:"reason"`
		LogIndex int64  `json:"log_index"`
	} `json:"events"`
	Evidence []struct {
		SHA256    string `json:"sha256"`
		MediaType string `json:"media_type"`
	} `json:"evidence"`
}

// TestServerStory walks the whole story through HTTP against a real server
// and a real database, then tampers with a row.
func TestServerStory(t *testing.T) {
	heavy(t)
	db := filepath.Join(t.TempDir(), "truce.db")
	adminTok := mustToken(t, db, "admin", "")
	monitorTok := mustToken(t, db, "monitor", "")
	uaTok := mustToken(t, db, "party", "UA")
	ruTok := mustToken(t, db, "party", "RU")
	observerTok := mustToken(t, db, "observer", "")
	base := testServer(t, db)
	admin, monitor := client{t, base, adminTok}, client{t, base, monitorTok}
	ua, ru, observer, public := client{t, base, uaTok}, client{t, base, ruTok}, client{t, base, observerTok}, client{t, base, ""}

	// The admin uploads the scenario agreement and the power plants.
	bundle, _, err := agreement.BundleFile(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if st, b := admin.do("POST", "/api/v1/agreements", "application/zip", bundle); st != http.StatusCreated {
		t.Fatalf("upload agreement: %d %s", st, b)
	}
	sites, err := os.ReadFile(gppd)
	if err != nil {
		t.Fatal(err)
	}
	if st, b := admin.do("POST", "/api/v1/sites", "text/csv", sites); st != http.StatusOK || !strings.Contains(string(b), `"added":1078`) {
		t.Fatalf("upload sites: %d %s", st, b)
	}
	// A monitor bulk-uploads reports from public sources.
	for _, f := range []string{"testdata/acled_sample.csv", viinaApr} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		st, b := monitor.do("POST", "/api/v1/reports/bulk?name="+filepath.Base(f), "text/csv", data)
		if st != http.StatusOK {
			t.Fatalf("bulk %s: %d %s", f, st, b)
		}
		if f == "testdata/acled_sample.csv" && !strings.Contains(string(b), `acled_sample.csv:9: column latitude`) {
			t.Errorf("bulk upload does not list the bad row: %s", b)
		}
	}
	// A party cannot bulk-upload, and a bad body is refused field by field.
	ua.must(http.StatusForbidden, "POST", "/api/v1/reports/bulk", nil, nil)
	if st, b := ua.do("POST", "/api/v1/reports", "application/json", []byte(`{"time":"2025-04-02","lon":"east","lat":50}`)); st != http.StatusUnprocessableEntity || !strings.Contains(string(b), "body.lon") {
		t.Errorf("bad report body: %d %s", st, b)
	}

	// UA submits a report accusing RU: unpublished until reviewed.
	var created struct {
		ID        string `json:"id"`
		Incident  string `json:"incident"`
		Judgement struct {
			Outcome string `json:"outcome"`
		} `json:"judgement"`
	}
	ua.must(http.StatusCreated, "POST", "/api/v1/reports", map[string]any{
		"time": "2025-04-02T03:10:00+03:00", "lon": 36.107, "lat": 49.972, "perpetrator": "RU",
		"actions": []string{"drone_attack"}, "text": "Shahed drones struck Kharkiv CHP-5 overnight; fire in the turbine hall",
	}, &created)
	if created.Judgement.Outcome != "violation" {
		t.Errorf("UA's report judged %q, want violation", created.Judgement.Outcome)
	}
	inc := "/api/v1/incidents/" + created.Incident
	ru.must(http.StatusNotFound, "GET", inc, nil, nil)
	observer.must(http.StatusNotFound, "GET", inc, nil, nil)
	public.must(http.StatusNotFound, "GET", inc, nil, nil)
	ua.must(http.StatusOK, "GET", inc, nil, nil)
	ua.must(http.StatusForbidden, "POST", inc+"/status", map[string]string{"status": "under_review", "reason": "mine"}, nil)

	// The monitor reviews and verifies it, which publishes it.
	monitor.must(http.StatusOK, "POST", inc+"/status", map[string]string{"status": "under_review", "reason": "triage"}, nil)
	monitor.must(http.StatusCreated, "POST", inc+"/notes", map[string]string{"text": "FIRMS shows a hotspot at the plant at 01:05 UTC"}, nil)
	monitor.must(http.StatusOK, "POST", inc+"/status", map[string]string{"status": "verified", "reason": "matches satellite imagery"}, nil)
	monitor.must(http.StatusConflict, "POST", inc+"/status", map[string]string{"status": "verified", "reason": "again"}, nil)

	// RU, accused, can now read it, deny it and attach evidence; a party
	// cannot change a status, so the evidence is attached for the
	// monitors and the incident stays verified (issue 12).
	var got incidentJSON
	ru.must(http.StatusOK, "GET", inc, nil, &got)
	ru.must(http.StatusCreated, "POST", inc+"/responses", map[string]string{"kind": "denial", "text": "No strikes on energy facilities were carried out."}, nil)
	doc := []byte("Ministry of Defence statement, 2 April 2025")
	ru.must(http.StatusCreated, "POST", inc+"/evidence", map[string]string{"media_type": "text/plain", "description": "MoD statement", "content": base64.StdEncoding.EncodeToString(doc)}, nil)
	ru.must(http.StatusForbidden, "POST", inc+"/notes", map[string]string{"text": "not allowed"}, nil)
	observer.must(http.StatusOK, "GET", inc, nil, &got)
	if got.Status != "verified" || !contains(got.ContestedBy, "RU") || len(got.Evidence) != 1 || got.Evidence[0].MediaType != "text/plain" {
		t.Errorf("after RU's answer: %+v", got)
	}
	// UA cannot answer an accusation against RU, but answers one against itself.
	ua.must(http.StatusForbidden, "POST", inc+"/responses", map[string]string{"kind": "counter_claim", "text": "x"}, nil)
	ua.must(http.StatusCreated, "POST", "/api/v1/incidents/UKR200103/responses", map[string]string{"kind": "denial", "text": "No drones were launched at Krasnodar on 10 April."}, nil)

	// The monitor marks another incident unverifiable.
	monitor.must(http.StatusOK, "POST", "/api/v1/incidents/UKR200106/status", map[string]string{"status": "under_review", "reason": "triage"}, nil)
	monitor.must(http.StatusOK, "POST", "/api/v1/incidents/UKR200106/status", map[string]string{"status": "unverifiable", "reason": "no independent source"}, nil)

	// A second UA submission stays unpublished: observers and RU do not see it.
	var second struct {
		Incident string `json:"incident"`
	}
	ua.must(http.StatusCreated, "POST", "/api/v1/reports", map[string]any{"time": "2025-04-03", "lon": 35.05, "lat": 48.46, "text": "Росіяни обстріляли підстанцію у Дніпрі"}, &second)
	for _, c := range []client{observer, public, ru} {
		path := "/api/v1/incidents?limit=1000"
		seen := 0
		for {
			var page struct {
				Incidents []incidentJSON `json:"incidents"`
				Next      string         `json:"next"`
			}
			c.must(http.StatusOK, "GET", path, nil, &page)
			for _, in := range page.Incidents {
				seen++
				if in.ID == second.Incident || !in.Published {
					t.Errorf("%q sees unpublished incident %s", c.token, in.ID)
				}
			}
			if page.Next == "" {
				break
			}
			path = "/api/v1/incidents?limit=1000&cursor=" + page.Next
		}
		if seen < 3000 {
			t.Errorf("%q sees %d published incidents, want every imported one", c.token, seen)
		}
	}

	// Filters and exports.
	var page struct {
		Incidents []incidentJSON `json:"incidents"`
	}
	public.must(http.StatusOK, "GET", "/api/v1/incidents?outcome=violation&party=RU&phase=energy&from=2025-03-18&to=2025-04-17&bbox=22,44,41,53", nil, &page)
	if len(page.Incidents) == 0 {
		t.Error("no RU violations in the energy phase")
	}
	for _, in := range page.Incidents {
		if in.Outcome != "violation" || !contains(in.Parties, "RU") {
			t.Errorf("filter leak: %+v", in)
		}
	}
	public.must(http.StatusUnprocessableEntity, "GET", "/api/v1/incidents?bbox=1,2,3", nil, nil)
	public.must(http.StatusUnprocessableEntity, "GET", "/api/v1/incidents?from=2025-13-01", nil, nil)
	public.must(http.StatusUnprocessableEntity, "GET", "/api/v1/incidents?cursor=zzz", nil, nil)
	if st, b := public.do("GET", "/api/v1/exports/incidents?format=csv&outcome=violation", "", nil); st != http.StatusOK || !strings.HasPrefix(string(b), "id,start,lon,lat") {
		t.Errorf("csv export: %d %.200s", st, b)
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	public.must(http.StatusOK, "GET", "/api/v1/exports/incidents?format=geojson&outcome=violation", nil, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(page.Incidents)+countViolationsOutside(t, public, page.Incidents) {
		t.Errorf("geojson export: %s with %d features", fc.Type, len(fc.Features))
	}

	// The summary matches `truce report` on the same database.
	var apiSum report.Summary
	admin.must(http.StatusOK, "GET", "/api/v1/summary", nil, &apiSum)
	cliOut, _ := mustRun(t, "report", "--db", db, "--format", "json")
	var cliSum report.Summary
	if err := json.Unmarshal([]byte(cliOut), &cliSum); err != nil {
		t.Fatal(err)
	}
	if apiSum.Totals != cliSum.Totals || apiSum.Reports != cliSum.Reports || len(apiSum.Cases) != len(cliSum.Cases) {
		t.Errorf("summary: API %+v (%d reports) vs truce report %+v (%d reports)", apiSum.Totals, apiSum.Reports, cliSum.Totals, cliSum.Reports)
	}
	var pubSum report.Summary
	public.must(http.StatusOK, "GET", "/api/v1/summary", nil, &pubSum)
	if pubSum.Reports != apiSum.Reports-1 {
		t.Errorf("the public summary counts %d reports, want %d (all but the unpublished one)", pubSum.Reports, apiSum.Reports-1)
	}

	// An inclusion proof of the verification event checks out against the
	// signed checkpoint with an independent RFC 6962 implementation.
	admin.must(http.StatusOK, "GET", inc, nil, &got)
	var idx int64 = -1
	for _, e := range got.Events {
		if e.Kind == "status" && e.To == "verified" {
			idx = e.LogIndex
		}
	}
	_, keyText := public.do("GET", "/api/v1/log/key", "", nil)
	// The checkpoint covers integrated records only: poll until the
	// integrator (tens of milliseconds after the write) has signed one
	// that includes the event.
	var cp ledger.Checkpoint
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, note := public.do("GET", "/api/v1/log/checkpoint", "", nil)
		var err error
		if cp, err = ledger.Open(strings.TrimSpace(string(keyText)), note); err != nil {
			t.Fatalf("checkpoint does not verify with the published key: %v", err)
		}
		if cp.Size > idx {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint covers record %d after 10s (newest: size %d)", idx, cp.Size)
		}
	}
	_, rec := public.do("GET", fmt.Sprintf("/api/v1/log/records/%d", idx), "", nil)
	var pr struct {
		Hashes []string `json:"hashes"`
	}
	public.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/log/proofs/inclusion?index=%d&size=%d", idx, cp.Size), nil, &pr)
	var hashes [][]byte
	for _, h := range pr.Hashes {
		b, _ := base64.StdEncoding.DecodeString(h)
		hashes = append(hashes, b)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(idx), uint64(cp.Size), rfc6962.DefaultHasher.HashLeaf(rec), hashes, cp.Hash[:]); err != nil {
		t.Errorf("inclusion proof of record %d does not verify: %v", idx, err)
	}
	// Records about unpublished incidents are not shown to the public.
	public.must(http.StatusForbidden, "GET", fmt.Sprintf("/api/v1/log/records/%d", lastEventIndex(t, admin, "/api/v1/incidents/"+second.Incident)), nil, nil)

	// The log verifies; altering a row breaks it, naming the row.
	out, _ := mustRun(t, "log", "verify", "--db", db)
	if !strings.Contains(out, "log verified") {
		t.Fatalf("log verify: %s", out)
	}
	sdb, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if _, err := sdb.Exec(`UPDATE reports SET text = 'nothing happened' WHERE id = 'UKR200101'`); err != nil {
		t.Fatal(err)
	}
	_, _, err = runTruce(t, "log", "verify", "--db", db)
	if err == nil || !strings.Contains(err.Error(), "report UKR200101 does not match log record") {
		t.Errorf("log verify after tampering: %v, want a complaint naming report UKR200101", err)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// countViolationsOutside counts the violations the bbox filter excluded.
func countViolationsOutside(t *testing.T, c client, inBox []incidentJSON) int {
	t.Helper()
	var page struct {
		Incidents []incidentJSON `json:"incidents"`
	}
	c.must(http.StatusOK, "GET", "/api/v1/incidents?outcome=violation&limit=1000", nil, &page)
	return len(page.Incidents) - len(inBox)
}

func lastEventIndex(t *testing.T, c client, path string) int64 {
	t.Helper()
	var in incidentJSON
	c.must(http.StatusOK, "GET", path, nil, &in)
	return in.Events[len(in.Events)-1].LogIndex
}

// TestServeRefusesOldSchema: the server does not migrate a database with
// an older schema; that is the operator's `truce migrate`.
func TestServeRefusesOldSchema(t *testing.T) {
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
	sdb, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	err = e.serve(context.Background(), serveConfig{DB: db, Addr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "run truce migrate first") {
		t.Errorf("serve on an old schema: %v", err)
	}
}
