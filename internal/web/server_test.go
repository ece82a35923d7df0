package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/agreement"
	"truce/internal/httpapi"
	"truce/internal/store/sqlite"
	"truce/internal/web"
)

const (
	scenarioDir = "../../examples/energy-ceasefire-2025"
	sitesFile   = scenarioDir + "/sites/gppd_v1.3.0_selected_countries.csv"
	viinaApr    = scenarioDir + "/reports/viina_incidents_202504.csv"
	acledSample = "../../cmd/truce/testdata/acled_sample.csv"
)

// testServer is the dashboard in front of the real API on a real SQLite
// store in a temporary directory.
type testServer struct {
	URL    string
	store  *sqlite.Store
	tokens map[string]string // "admin", "monitor", "UA", "RU" → secret
	client *http.Client
}

// newTestServer serves web.Handler(httpapi.New(store)) with httptest;
// tls serves it over HTTPS.
func newTestServer(t *testing.T, tls bool) *testServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &testServer{store: st, tokens: map[string]string{}}
	for _, tk := range []struct {
		key   string
		role  truce.Role
		party truce.PartyID
	}{{"admin", truce.RoleAdmin, ""}, {"monitor", truce.RoleMonitor, ""}, {"UA", truce.RoleParty, "UA"}, {"RU", truce.RoleParty, "RU"}} {
		secret, tok := truce.NewToken(tk.role, tk.party, "test "+tk.key, 0, time.Now())
		if err := st.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		s.tokens[tk.key] = secret
	}
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	h := web.Handler(httpapi.New(st, httpapi.Options{Log: log}), st, web.Options{Log: log})
	var ts *httptest.Server
	if tls {
		ts = httptest.NewTLSServer(h)
	} else {
		ts = httptest.NewServer(h)
	}
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	s.client = ts.Client()
	s.client.Timeout = 5 * time.Minute
	s.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return s
}

// do sends a request with the token of who ("" for the public) and returns
// the response with its body read.
func (s *testServer) do(t *testing.T, method, p, who, ctype string, body []byte, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+p, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[who])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, p, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// must sends a request, requires the status and decodes JSON into out.
func (s *testServer) must(t *testing.T, want int, method, p, who string, in, out any) {
	t.Helper()
	var body []byte
	ct := ""
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
		ct = "application/json"
	}
	resp, b := s.do(t, method, p, who, ct, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s as %q: status %d, want %d: %.500s", method, p, who, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %.300s", method, p, err, b)
		}
	}
}

func (s *testServer) upload(t *testing.T, p, ctype, file string) {
	t.Helper()
	start := time.Now()
	if err := s.uploadFile(p, ctype, file); err != nil {
		t.Fatal(err)
	}
	t.Logf("uploaded %s in %v", filepath.Base(file), time.Since(start).Round(time.Millisecond))
}

// uploadFile posts a file as the admin; it may run in its own goroutine.
func (s *testServer) uploadFile(p, ctype, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("POST", s.URL+p, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+s.tokens["admin"])
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("upload %s: %d %.500s", file, resp.StatusCode, b)
	}
	return nil
}

// scenarioBundle zips the scenario's agreement and the zone files it names,
// as `truce` bundles it (the server parses and checks it on upload).
func scenarioBundle(t *testing.T) []byte {
	t.Helper()
	// The bundle as truce builds it: the agreement and every file it names
	// (zones, the gazetteer).
	data, _, err := agreement.BundleFile(filepath.Join(scenarioDir, "agreement.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func (s *testServer) uploadAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("works on the full scenario: runs in the full pass of scripts/test.sh")
	}
	t.Helper()
	start := time.Now()
	resp, b := s.do(t, "POST", "/api/v1/agreements", "admin", "application/zip", scenarioBundle(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload agreement: %d %.500s", resp.StatusCode, b)
	}
	t.Logf("uploaded the agreement in %v", time.Since(start).Round(time.Millisecond))
}

// incident is the part of an incident the tests read.
type incident struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	Published   bool     `json:"published"`
	Outcome     string   `json:"outcome"`
	Parties     []string `json:"parties"`
	SubmittedBy string   `json:"submitted_by"`
	Start       string   `json:"start"`
	Events      []struct {
		Kind   string `json:"kind"`
		To     string `json:"to"`
		Reason string `json:"reason"`
	} `json:"events"`
}

// incidents lists every incident that who may read matching query.
func (s *testServer) incidents(t *testing.T, who, query string) []incident {
	t.Helper()
	var all []incident
	cursor := ""
	for {
		var page struct {
			Incidents []incident `json:"incidents"`
			Next      string     `json:"next"`
		}
		q := query + "&limit=1000"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		s.must(t, http.StatusOK, "GET", "/api/v1/incidents?"+strings.TrimPrefix(q, "&"), who, nil, &page)
		all = append(all, page.Incidents...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
}
