package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"truce/internal/httpapi"
)

// serve replaces the fixture's server with one built with opt.
func (f *fixture) serve(t *testing.T, opt httpapi.Options) {
	t.Helper()
	f.api = httpapi.New(f.st, opt)
	f.srv = httptest.NewServer(f.api)
	t.Cleanup(f.srv.Close)
}

// send is do with extra request headers, returning the response headers
// too. who is a fixture token name, "public", or "secret:<token>".
func (f *fixture) send(t *testing.T, who, method, path, ct string, body []byte, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if secret, ok := strings.CutPrefix(who, "secret:"); ok {
		req.Header.Set("Authorization", "Bearer "+secret)
	} else if who != "public" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b.String()
}

type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string          `json:"message"`
		Location string          `json:"location"`
		Value    json.RawMessage `json:"value"`
	} `json:"errors"`
}

// TestBoundedErrors (issue 12, item 1): an error response is small
// whatever the body: at most 20 errors, then "and N more", and no echoed
// location or value longer than 200 bytes.
func TestBoundedErrors(t *testing.T) {
	f := newFixture(t)
	unknownKeys := func(n int) []byte {
		var b strings.Builder
		b.WriteString(`{"kind":"denial","text":"x"`)
		for i := range n {
			fmt.Fprintf(&b, `,"k%d":1`, i)
		}
		b.WriteString("}")
		return []byte(b.String())
	}
	for _, tt := range []struct {
		name, path string
		body       []byte
		wantMore   string
	}{
		{"item 1: 4000 unknown keys on a response to a non-existent incident", "/api/v1/incidents/x/responses", unknownKeys(4000), "and 3980 more"},
		{"item 1: a long unknown key", "/api/v1/incidents/acc-ua/responses", []byte(`{"kind":"denial","text":"x","` + strings.Repeat("k", 100000) + `":1}`), ""},
		{"item 1: a long invalid value", "/api/v1/incidents/acc-ua/responses", []byte(`{"kind":"` + strings.Repeat("<", 100000) + `","text":"x"}`), ""},
		{"item 1: a long invalid value and many keys", "/api/v1/incidents/acc-ua/responses", []byte(`{"kind":"` + strings.Repeat("\\u0001", 30000) + `",` + strings.TrimPrefix(string(unknownKeys(100)), `{"kind":"denial",`)), "and 81 more"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			st, _, body := f.send(t, "party:UA", "POST", tt.path, "application/json", tt.body, nil)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if st != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %.300s", st, body)
			}
			if len(body) >= 16<<10 {
				t.Fatalf("the response is %d bytes, want < 16 KiB", len(body))
			}
			var p problem
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) == 0 || len(p.Errors) > 21 {
				t.Fatalf("%d errors, want 1 to 21", len(p.Errors))
			}
			for _, e := range p.Errors {
				if len(e.Location) > 200 || len(e.Value) > 202 || len(e.Message) > 200 {
					t.Errorf("an error echoes too much: location %d bytes, value %d, message %d", len(e.Location), len(e.Value), len(e.Message))
				}
			}
			if last := p.Errors[len(p.Errors)-1].Message; tt.wantMore != "" && last != tt.wantMore {
				t.Errorf("last error %q, want %q", last, tt.wantMore)
			}
		})
	}
}

// TestEvidenceDownload (issue 12, item 5b): evidence is always a download,
// with nosniff, in its own type only if that type is on the safe list.
func TestEvidenceDownload(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name, mediaType, content, wantType string
	}{
		{"item 5b: text/javascript is served as bytes", "text/javascript", "alert(document.cookie)", "application/octet-stream"},
		{"item 5b: text/html is served as bytes", "text/html", "<script>alert(1)</script>", "application/octet-stream"},
		{"item 5b: image/svg+xml is served as bytes", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`, "application/octet-stream"},
		{"item 5b: text/plain stays text, as UTF-8", "text/plain", "a statement", "text/plain; charset=utf-8"},
		{"item 5b: image/png stays an image", "image/png", "\x89PNG\r\n\x1a\n", "image/png"},
		{"item 5b: application/pdf stays a PDF", "application/pdf", "%PDF-1.4", "application/pdf"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _, body := f.send(t, "party:UA", "POST", "/api/v1/incidents/acc-ua/evidence", "application/json",
				jsonBody(map[string]string{"media_type": tt.mediaType, "content": base64.StdEncoding.EncodeToString([]byte(tt.content))}), nil)
			if st != http.StatusCreated {
				t.Fatalf("upload: %d %s", st, body)
			}
			for _, who := range []string{"public", "monitor"} {
				st, h, got := f.send(t, who, "GET", "/api/v1/incidents/acc-ua/evidence/sha256:"+sha(tt.content), "", nil, nil)
				if st != http.StatusOK || got != tt.content {
					t.Fatalf("%s download: %d %q", who, st, got)
				}
				if ct := h.Get("Content-Type"); ct != tt.wantType {
					t.Errorf("%s: Content-Type %q, want %q", who, ct, tt.wantType)
				}
				if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
					t.Errorf("%s: Content-Disposition %q, want an attachment", who, cd)
				}
				if h.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s: X-Content-Type-Options %q, want nosniff", who, h.Get("X-Content-Type-Options"))
				}
			}
		})
	}
	t.Run("item 5b: evidence of an incident the caller may not read is not found", func(t *testing.T) {
		st, _, body := f.send(t, "party:UA", "POST", "/api/v1/reports", "application/json",
			jsonBody(map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50.4, "text": "unpublished"}), nil)
		if st != http.StatusCreated {
			t.Fatalf("submit: %d %s", st, body)
		}
		var rep struct {
			Incident string `json:"incident"`
		}
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		const content = "<html>own submission</html>"
		path := "/api/v1/incidents/" + rep.Incident + "/evidence"
		if st, _, body := f.send(t, "party:UA", "POST", path, "application/json",
			jsonBody(map[string]string{"media_type": "text/html", "content": base64.StdEncoding.EncodeToString([]byte(content))}), nil); st != http.StatusCreated {
			t.Fatalf("upload: %d %s", st, body)
		}
		for who, want := range map[string]int{"public": 404, "observer": 404, "party:RU": 404, "party:UA": 200, "monitor": 200} {
			if st, h, _ := f.send(t, who, "GET", path+"/sha256:"+sha(content), "", nil, nil); st != want || (st == 200 && h.Get("Content-Type") != "application/octet-stream") {
				t.Errorf("%s: %d %q, want %d", who, st, h.Get("Content-Type"), want)
			}
		}
	})
}

// TestRateLimitBuckets (issue 12, item 6): signed-in clients are limited
// per token, the public per address, and neither locks out the other.
func TestRateLimitBuckets(t *testing.T) {
	note := func() []byte { return jsonBody(map[string]string{"text": "n"}) }
	t.Run("item 6: 20 bad tokens from an address do not lock out a valid token", func(t *testing.T) {
		f := newFixture(t)
		f.serve(t, httpapi.Options{})
		for i := range 20 {
			if st, _, body := f.send(t, "secret:truce_bad", "GET", "/api/v1/incidents", "", nil, nil); st != http.StatusUnauthorized {
				t.Fatalf("bad token %d: %d %s, want 401", i, st, body)
			}
		}
		if st, h, _ := f.send(t, "secret:truce_bad", "GET", "/api/v1/incidents", "", nil, nil); st != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Errorf("21st bad token: %d (Retry-After %q), want 429 with Retry-After", st, h.Get("Retry-After"))
		}
		if st, _, body := f.send(t, "monitor", "GET", "/api/v1/incidents", "", nil, nil); st != http.StatusOK {
			t.Errorf("monitor read from the same address: %d %s", st, body)
		}
		if st, _, body := f.send(t, "monitor", "POST", "/api/v1/incidents/acc-ru/notes", "application/json", note(), nil); st != http.StatusCreated {
			t.Errorf("monitor write from the same address: %d %s", st, body)
		}
		if st, _, body := f.send(t, "party:UA", "GET", "/api/v1/incidents/acc-ua", "", nil, nil); st != http.StatusOK {
			t.Errorf("party read from the same address: %d %s", st, body)
		}
	})
	t.Run("item 6: 300 anonymous writes do not use up a monitor's writes", func(t *testing.T) {
		f := newFixture(t)
		f.serve(t, httpapi.Options{})
		limited := 0
		for range 300 {
			st, _, _ := f.send(t, "public", "POST", "/api/v1/incidents/acc-ru/notes", "application/json", note(), nil)
			if st == http.StatusTooManyRequests {
				limited++
			} else if st != http.StatusUnauthorized {
				t.Fatalf("anonymous write: %d, want 401 or 429", st)
			}
		}
		if limited == 0 {
			t.Errorf("300 anonymous writes at once were never limited")
		}
		if st, _, body := f.send(t, "monitor", "POST", "/api/v1/incidents/acc-ru/notes", "application/json", note(), nil); st != http.StatusCreated {
			t.Errorf("monitor write after the anonymous ones: %d %s, want 201", st, body)
		}
	})
	t.Run("item 6: a token's writes are limited per token, not per address", func(t *testing.T) {
		f := newFixture(t)
		f.serve(t, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: 0.01, WriteBurst: 2, AuthFailuresPerMinute: 1, AuthFailureBurst: 2}})
		for i := range 2 {
			if st, _, body := f.send(t, "monitor", "POST", "/api/v1/incidents/acc-ru/notes", "application/json", note(), nil); st != http.StatusCreated {
				t.Fatalf("monitor write %d: %d %s", i, st, body)
			}
		}
		if st, _, _ := f.send(t, "monitor", "POST", "/api/v1/incidents/acc-ru/notes", "application/json", note(), nil); st != http.StatusTooManyRequests {
			t.Errorf("third monitor write: %d, want 429", st)
		}
		if st, _, body := f.send(t, "admin", "POST", "/api/v1/incidents/acc-ru/notes", "application/json", note(), nil); st != http.StatusCreated {
			t.Errorf("admin write from the same address: %d %s, want 201", st, body)
		}
	})

	lim := &httpapi.Limits{WritesPerSecond: 100, WriteBurst: 100, AuthFailuresPerMinute: 0.01, AuthFailureBurst: 2}
	badFrom := func(f *fixture, xff string) int {
		st, _, _ := f.send(t, "secret:truce_bad", "GET", "/api/v1/incidents", "", nil, map[string]string{"X-Forwarded-For": xff})
		return st
	}
	t.Run("item 6: X-Forwarded-For is ignored from an untrusted peer", func(t *testing.T) {
		f := newFixture(t)
		f.serve(t, httpapi.Options{Limits: lim, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
		got := []int{badFrom(f, "203.0.113.1"), badFrom(f, "203.0.113.2"), badFrom(f, "203.0.113.3")}
		if want := []int{401, 401, 429}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("bad tokens claiming three addresses: %v, want %v (one peer, one bucket)", got, want)
		}
	})
	t.Run("item 6: X-Forwarded-For is honoured from a trusted proxy", func(t *testing.T) {
		f := newFixture(t)
		f.serve(t, httpapi.Options{Limits: lim, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
		got := []int{badFrom(f, "203.0.113.1"), badFrom(f, "203.0.113.1"), badFrom(f, "203.0.113.1"),
			badFrom(f, "203.0.113.2"),
			// A client that sends its own header cannot pick its address:
			// the proxy appends the real one, and that one counts.
			badFrom(f, "203.0.113.2, 203.0.113.1"),
			// Another trusted proxy on the way is skipped.
			badFrom(f, "203.0.113.1, 127.0.0.2")}
		if want := []int{401, 401, 429, 401, 429, 429}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("statuses %v, want %v", got, want)
		}
		if st, _, body := f.send(t, "monitor", "GET", "/api/v1/incidents", "", nil, map[string]string{"X-Forwarded-For": "203.0.113.1"}); st != http.StatusOK {
			t.Errorf("a valid token from the limited client: %d %s", st, body)
		}
	})
}

// TestEvidenceQuota (issue 12, item 10): a party token may store only so
// many bytes of evidence a day; monitors have no quota.
func TestEvidenceQuota(t *testing.T) {
	if got, want := httpapi.DefaultLimits.EvidenceBytesPerDay, int64(256<<20); got != want {
		t.Errorf("default evidence quota %d, want %d (docs/api.md)", got, want)
	}
	f := newFixture(t)
	f.serve(t, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: -1, EvidenceBytesPerDay: 100}})
	n := 0
	evidence := func(size int) []byte {
		n++
		content := fmt.Sprintf("%03d", n) + strings.Repeat("x", size-3)
		return jsonBody(map[string]string{"media_type": "text/plain", "content": base64.StdEncoding.EncodeToString([]byte(content))})
	}
	for _, tt := range []struct {
		name, who, incident string
		size, want          int
		detail              string
	}{
		{"item 10: a party stores evidence within its quota", "party:UA", "acc-ua", 60, http.StatusCreated, ""},
		{"item 10: beyond the day's quota the party gets 429", "party:UA", "acc-ua", 60, http.StatusTooManyRequests, "evidence quota reached: this token has stored 60 of its 100 bytes"},
		{"item 10: the rest of the quota is still usable", "party:UA", "acc-ua", 40, http.StatusCreated, ""},
		{"item 10: a file larger than the whole quota gets 413", "party:UA", "acc-ua", 101, http.StatusRequestEntityTooLarge, "more than a party token's evidence quota"},
		{"item 10: another party token has its own quota", "party:RU", "acc-ru", 60, http.StatusCreated, ""},
		{"item 10: monitors have no quota", "monitor", "acc-ua", 150, http.StatusCreated, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := f.st.LogSize(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			st, h, body := f.send(t, tt.who, "POST", "/api/v1/incidents/"+tt.incident+"/evidence", "application/json", evidence(tt.size), nil)
			if st != tt.want || !strings.Contains(body, tt.detail) {
				t.Fatalf("status %d %s, want %d mentioning %q", st, body, tt.want, tt.detail)
			}
			if st == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
			if after, _ := f.st.LogSize(t.Context()); st >= 400 && after != before {
				t.Errorf("a refused evidence item changed the log (%d -> %d)", before, after)
			}
		})
	}
}

// TestSummaryBuilds (issue 12, item 10): the public may have only so many
// summaries built per address; a cached summary costs nothing, and
// signed-in callers and other addresses are not held back.
func TestSummaryBuilds(t *testing.T) {
	f := newFixture(t)
	f.serve(t, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: -1, SummaryBuildsPerMinute: 0.01, SummaryBuildBurst: 2},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	from := func(day int) string { return fmt.Sprintf("/api/v1/summary?from=2025-04-%02d&to=2025-04-30", day) }
	for _, tt := range []struct {
		name, who, path, addr string
		want                  int
	}{
		{"item 10: a first summary is built", "public", from(1), "203.0.113.1", http.StatusOK},
		{"item 10: a second summary is built", "public", from(2), "203.0.113.1", http.StatusOK},
		{"item 10: a third new summary from the same address is refused", "public", from(3), "203.0.113.1", http.StatusTooManyRequests},
		{"item 10: a cached summary is served", "public", from(1), "203.0.113.1", http.StatusOK},
		{"item 10: another address may have one built", "public", from(4), "203.0.113.2", http.StatusOK},
		{"item 10: a signed-in caller is not limited", "observer", from(5), "203.0.113.1", http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, h, body := f.send(t, tt.who, "GET", tt.path, "", nil, map[string]string{"X-Forwarded-For": tt.addr})
			if st != tt.want {
				t.Fatalf("status %d, want %d: %.300s", st, tt.want, body)
			}
			if st == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
		})
	}
}
