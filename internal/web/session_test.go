package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": wantCSP,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
}

var loginCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn posts a token to the sign-in form, as a browser would, and
// returns the cookies the server set.
func signIn(t *testing.T, s *testServer, secret string) map[string]*http.Cookie {
	t.Helper()
	resp, body := s.do(t, "GET", "/signin", "", "", nil)
	m := loginCSRF.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET /signin: %d, form token found: %v", resp.StatusCode, m != nil)
	}
	login := cookieNamed(resp, "truce_login")
	if login == nil || !login.HttpOnly || login.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login cookie: %+v", login)
	}
	form := url.Values{"csrf": {string(m[1])}, "token": {secret}, "next": {"/review"}}.Encode()
	resp, body = s.do(t, "POST", "/signin", "", "application/x-www-form-urlencoded", []byte(form), "Cookie", login.Name+"="+login.Value)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/review" {
		t.Fatalf("POST /signin: %d to %q: %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	out := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		out[c.Name] = c
	}
	return out
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func cookieHeader(cs ...*http.Cookie) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// TestSession checks the security of the browser session without a
// browser: headers, the sign-in form, the session and CSRF cookies, and
// the CSRF check on requests that the cookie signs in.
func TestSession(t *testing.T) {
	s := newTestServer(t, false)
	report := []byte(`{"time":"2025-04-02","lon":36.1,"lat":49.9,"text":"test"}`)

	t.Run("headers", func(t *testing.T) {
		resp, body := s.do(t, "GET", "/", "", "", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="map"`) {
			t.Fatalf("GET /: %d %.200s", resp.StatusCode, body)
		}
		checkSecurityHeaders(t, "GET /", resp.Header)
		if strings.Contains(string(body), "<script>") || strings.Contains(string(body), "style=") {
			t.Error("the page has an inline script or style")
		}
		css := regexp.MustCompile(`/static/[0-9a-f]+/css/app\.css`).Find(body)
		if css == nil {
			t.Fatal("no style sheet link")
		}
		resp, _ = s.do(t, "GET", string(css), "", "", nil, "Accept-Encoding", "gzip")
		checkSecurityHeaders(t, "GET "+string(css), resp.Header)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s: %d %v", css, resp.StatusCode, resp.Header)
		}
		for _, p := range []string{"/signin", "/incidents/x", "/agreement", "/nowhere", "/map/zones.geojson", "/api/v1/log/key", "/healthz"} {
			resp, _ := s.do(t, "GET", p, "", "", nil)
			checkSecurityHeaders(t, "GET "+p, resp.Header)
		}
		if resp, _ := s.do(t, "GET", "/nowhere", "", "", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /nowhere: %d", resp.StatusCode)
		}
		var fc struct {
			Type     string `json:"type"`
			Features []any  `json:"features"`
		}
		s.must(t, http.StatusOK, "GET", "/map/zones.geojson", "", nil, &fc)
		if fc.Type != "FeatureCollection" || len(fc.Features) != 0 {
			t.Errorf("zones before any agreement: %+v", fc)
		}
	})

	t.Run("gzip", func(t *testing.T) {
		_, plain := s.do(t, "GET", "/api/v1/log/key", "", "", nil, "Accept-Encoding", "identity")
		resp, body := s.do(t, "GET", "/api/v1/log/key", "", "", nil, "Accept-Encoding", "gzip")
		tag := resp.Header.Get("ETag")
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.HasSuffix(tag, `-gz"`) {
			t.Fatalf("gzip: %v", resp.Header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, plain) || len(plain) == 0 {
			t.Errorf("gunzipped %q (%v), want %q", got, err, plain)
		}
		if resp, _ := s.do(t, "GET", "/api/v1/log/key", "", "", nil, "Accept-Encoding", "gzip", "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d, want 304", tag, resp.StatusCode)
		}
	})

	t.Run("sign-in form needs its CSRF token", func(t *testing.T) {
		resp, _ := s.do(t, "GET", "/signin", "", "", nil)
		login := cookieNamed(resp, "truce_login")
		form := url.Values{"csrf": {"forged"}, "token": {s.tokens["monitor"]}}.Encode()
		resp, _ = s.do(t, "POST", "/signin", "", "application/x-www-form-urlencoded", []byte(form), "Cookie", cookieHeader(login))
		if resp.StatusCode != http.StatusForbidden || cookieNamed(resp, "truce_session") != nil {
			t.Errorf("sign-in with a forged form token: %d, cookies %v", resp.StatusCode, resp.Cookies())
		}
		form = url.Values{"csrf": {login.Value}, "token": {"truce_not-a-token"}}.Encode()
		resp, body := s.do(t, "POST", "/signin", "", "application/x-www-form-urlencoded", []byte(form), "Cookie", cookieHeader(login))
		if resp.StatusCode != http.StatusUnauthorized || cookieNamed(resp, "truce_session") != nil || !strings.Contains(string(body), "not valid") {
			t.Errorf("sign-in with a bad token: %d, cookies %v", resp.StatusCode, resp.Cookies())
		}
	})

	t.Run("cookies", func(t *testing.T) {
		cs := signIn(t, s, s.tokens["monitor"])
		sess, csrf := cs["truce_session"], cs["truce_csrf"]
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" || sess.Secure || sess.Value != s.tokens["monitor"] {
			t.Errorf("session cookie: %+v", sess)
		}
		if csrf == nil || csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Path != "/" || len(csrf.Value) < 40 {
			t.Errorf("CSRF cookie: %+v", csrf)
		}
		// The page knows who is signed in.
		resp, body := s.do(t, "GET", "/review", "", "", nil, "Cookie", cookieHeader(sess, csrf))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-role="monitor"`) || !strings.Contains(string(body), `id="queue"`) {
			t.Errorf("review page as a monitor: %d", resp.StatusCode)
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		cs := signIn(t, s, s.tokens["UA"])
		sess, csrf := cs["truce_session"], cs["truce_csrf"]
		jar := cookieHeader(sess, csrf)
		// A GET signed in by the cookie needs no token, and is the party's.
		resp, _ := s.do(t, "GET", "/api/v1/incidents", "", "", nil, "Cookie", jar)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("cookie GET: %d", resp.StatusCode)
		}
		for _, tc := range []struct {
			name string
			hdr  []string
			want int
		}{
			{"no CSRF header", []string{"Cookie", jar}, http.StatusForbidden},
			{"wrong CSRF header", []string{"Cookie", jar, "X-CSRF-Token", "x" + csrf.Value}, http.StatusForbidden},
			{"another session's token", []string{"Cookie", jar, "X-CSRF-Token", signIn(t, s, s.tokens["RU"])["truce_csrf"].Value}, http.StatusForbidden},
			{"cross-site with the token", []string{"Cookie", jar, "X-CSRF-Token", csrf.Value, "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
			{"cross-origin with the token", []string{"Cookie", jar, "X-CSRF-Token", csrf.Value, "Origin", "https://evil.example"}, http.StatusForbidden},
			{"right CSRF header", []string{"Cookie", jar, "X-CSRF-Token", csrf.Value, "Sec-Fetch-Site", "same-origin"}, http.StatusCreated},
		} {
			resp, body := s.do(t, "POST", "/api/v1/reports", "", "application/json", report, tc.hdr...)
			if resp.StatusCode != tc.want {
				t.Errorf("%s: status %d, want %d: %.300s", tc.name, resp.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusForbidden {
				var p struct {
					Detail string `json:"detail"`
				}
				if json.Unmarshal(body, &p) != nil || p.Detail == "" {
					t.Errorf("%s: the refusal does not say why: %s", tc.name, body)
				}
			}
		}
		// A bearer token of its own needs no CSRF token: no browser adds one.
		if resp, body := s.do(t, "POST", "/api/v1/reports", "UA", "application/json", report, "Cookie", jar); resp.StatusCode != http.StatusCreated {
			t.Errorf("bearer POST with a cookie: %d %.300s", resp.StatusCode, body)
		}
		// No session: the API decides (401).
		if resp, _ := s.do(t, "POST", "/api/v1/reports", "", "application/json", report); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous POST: %d", resp.StatusCode)
		}
	})

	t.Run("sign-out", func(t *testing.T) {
		cs := signIn(t, s, s.tokens["monitor"])
		jar := cookieHeader(cs["truce_session"], cs["truce_csrf"])
		resp, _ := s.do(t, "POST", "/signout", "", "application/x-www-form-urlencoded", []byte("csrf=forged"), "Cookie", jar)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("sign-out without the CSRF token: %d", resp.StatusCode)
		}
		form := url.Values{"csrf": {cs["truce_csrf"].Value}}.Encode()
		resp, _ = s.do(t, "POST", "/signout", "", "application/x-www-form-urlencoded", []byte(form), "Cookie", jar)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", resp.StatusCode)
		}
		for _, name := range []string{"truce_session", "truce_csrf"} {
			if c := cookieNamed(resp, name); c == nil || c.MaxAge >= 0 || c.Value != "" {
				t.Errorf("sign-out leaves cookie %s: %+v", name, c)
			}
		}
	})

	t.Run("revoked token", func(t *testing.T) {
		cs := signIn(t, s, s.tokens["RU"])
		toks, err := s.store.Tokens(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range toks {
			if tk.Party == "RU" {
				if err := s.store.RevokeToken(t.Context(), tk.ID, tk.CreatedAt); err != nil {
					t.Fatal(err)
				}
			}
		}
		resp, body := s.do(t, "GET", "/", "", "", nil, "Cookie", cookieHeader(cs["truce_session"]))
		if c := cookieNamed(resp, "truce_session"); c == nil || c.MaxAge >= 0 || strings.Contains(string(body), `data-role="party"`) {
			t.Errorf("a revoked session is not cleared: %v", resp.Cookies())
		}
	})
}

// TestSignInLimit checks that failed sign-ins through the form count
// against the API's limit per address, like bad bearer tokens.
func TestSignInLimit(t *testing.T) {
	s := newTestServer(t, false)
	status := 0
	for i := 0; i < 40 && status != http.StatusTooManyRequests; i++ {
		resp, body := s.do(t, "GET", "/signin", "", "", nil)
		m := loginCSRF.FindSubmatch(body)
		login := cookieNamed(resp, "truce_login")
		if m == nil || login == nil {
			t.Fatal("no sign-in form")
		}
		form := url.Values{"csrf": {string(m[1])}, "token": {"truce_guess"}}.Encode()
		resp, _ = s.do(t, "POST", "/signin", "", "application/x-www-form-urlencoded", []byte(form), "Cookie", cookieHeader(login))
		status = resp.StatusCode
		if status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
			t.Fatalf("guess %d: status %d", i, status)
		}
		if status == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if status != http.StatusTooManyRequests {
		t.Errorf("40 bad tokens in a row were all checked; want 429 from the API's limit")
	}
}

// TestSessionTLS checks that cookies are Secure when the request came over
// TLS.
func TestSessionTLS(t *testing.T) {
	s := newTestServer(t, true)
	cs := signIn(t, s, s.tokens["admin"])
	for _, name := range []string{"truce_session", "truce_csrf"} {
		if c := cs[name]; c == nil || !c.Secure {
			t.Errorf("cookie %s over TLS is not Secure: %+v", name, c)
		}
	}
}
