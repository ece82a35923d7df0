package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/httpapi"
	"truce/internal/store/pgtest"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
	"truce/internal/web"
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
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" || sess.Secure || len(sess.Value) < 40 {
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

// signInNext signs in with secret through the form, asking to return to
// next, and returns the answer to the form.
func signInNext(t *testing.T, s *testServer, secret, next string) *http.Response {
	t.Helper()
	resp, body := s.do(t, "GET", "/signin", "", "", nil)
	m := loginCSRF.FindSubmatch(body)
	login := cookieNamed(resp, "truce_login")
	if m == nil || login == nil {
		t.Fatalf("GET /signin: %d, no form token", resp.StatusCode)
	}
	form := url.Values{"csrf": {string(m[1])}, "token": {secret}, "next": {next}}.Encode()
	resp, body = s.do(t, "POST", "/signin", "", "application/x-www-form-urlencoded", []byte(form), "Cookie", cookieHeader(login))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /signin: %d %.300s", resp.StatusCode, body)
	}
	return resp
}

var nextField = regexp.MustCompile(`name="next" value="([^"]*)"`)

// TestSignInRedirect checks where signing in returns to: a clean path on
// this site, and "/" for anything a browser could read as another site
// (issue 12, item 8). Each next is the value the server receives, after
// the form's or the query's own decoding; the encoded cases are an
// attacker's second layer of encoding.
func TestSignInRedirect(t *testing.T) {
	s := newTestServer(t, false)
	for _, tt := range []struct {
		name, next, want string
	}{
		{"empty", "", "/"},
		{"page", "/review", "/review"},
		{"incident", "/incidents/UKR200101", "/incidents/UKR200101"},
		{"encoded slash inside", "/incidents/a%2Fb", "/incidents/a%2Fb"},
		{"query and fragment", "/figures?from=2025-03-01&to=2025-03-31#by-party", "/figures?from=2025-03-01&to=2025-03-31#by-party"},
		{"tab after the slash", "/\t/evil.example/x", "/"},
		{"tab inside", "/review\t/x", "/"},
		{"newline", "/\n/evil.example", "/"},
		{"CR LF", "/\r\n/evil.example", "/"},
		{"NUL", "/\x00/evil.example", "/"},
		{"space", "/ /evil.example", "/"},
		{"no-break space", "/\u00a0/evil.example", "/"},
		{"line separator", "/\u2028/evil.example", "/"},
		{"invalid UTF-8", "/\xff/evil.example", "/"},
		{"backslash", "/\\evil.example", "/"},
		{"slash backslash", "/\\/evil.example", "/"},
		{"backslashes", "\\\\evil.example", "/"},
		{"backslash inside", "/review\\x", "/"},
		{"protocol-relative", "//evil.example/x", "/"},
		{"three slashes", "///evil.example", "/"},
		{"slash tab slash", "/\t/", "/"},
		{"encoded tab", "/%09/evil.example/x", "/"},
		{"encoded newline", "/%0a/evil.example", "/"},
		{"encoded CR LF", "/%0D%0A/evil.example", "/"},
		{"encoded space", "/%20/evil.example", "/"},
		{"encoded backslash", "/%5Cevil.example", "/"},
		{"encoded slash", "/%2F/evil.example", "/"},
		{"encoded slashes", "/%2f%2fevil.example", "/"},
		{"bad escape", "/%zz", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"https", "https://evil.example/", "/"},
		{"scheme without slashes", "http:evil.example", "/"},
		{"relative", "evil.example/x", "/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The form keeps the target...
			_, body := s.do(t, "GET", "/signin?next="+url.QueryEscape(tt.next), "", "", nil)
			m := nextField.FindSubmatch(body)
			if m == nil {
				t.Fatal("no next field in the sign-in form")
			}
			if got := html.UnescapeString(string(m[1])); got != tt.want {
				t.Errorf("form next = %q, want %q", got, tt.want)
			}
			// ...and signing in goes there.
			resp := signInNext(t, s, s.tokens["monitor"], tt.next)
			if got := resp.Header.Get("Location"); got != tt.want {
				t.Errorf("Location = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSessionCookieIsNotTheToken checks that the session cookie holds a
// random session id, neither the API token nor anything computed from it
// (issue 12, item 9): two sign-ins with one token get unrelated ids.
func TestSessionCookieIsNotTheToken(t *testing.T) {
	s := newTestServer(t, false)
	secret := s.tokens["monitor"]
	a := signIn(t, s, secret)["truce_session"]
	b := signIn(t, s, secret)["truce_session"]
	if a == nil || b == nil {
		t.Fatal("no session cookie")
	}
	sum := sha256.Sum256([]byte(secret))
	for _, c := range []*http.Cookie{a, b} {
		for _, derived := range []string{secret, truce.HashToken(secret), hex.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:]),
			base64.StdEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(secret))} {
			if strings.Contains(c.Value, derived) || strings.Contains(derived, c.Value) {
				t.Errorf("the session cookie %q holds the token or its hash %q", c.Value, derived)
			}
		}
		if strings.Contains(c.Value, strings.TrimPrefix(secret, "truce_")) {
			t.Errorf("the session cookie %q holds the token's secret part", c.Value)
		}
	}
	if a.Value == b.Value {
		t.Errorf("two sign-ins with one token got the same session %q: it is computed from the token", a.Value)
	}
	// Both sessions work, each on its own.
	for _, c := range []*http.Cookie{a, b} {
		_, body := s.do(t, "GET", "/review", "", "", nil, "Cookie", cookieHeader(c))
		if !strings.Contains(string(body), `data-role="monitor"`) {
			t.Errorf("session %s does not sign the page in", c.Value)
		}
	}
}

// sessionStores are the stores the session tests run on: SQLite, and
// PostgreSQL when TRUCE_TEST_POSTGRES_DSN is set.
var sessionStores = []struct {
	name string
	open func(t *testing.T) truce.Store
}{
	{"sqlite", func(t *testing.T) truce.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
	{"postgres", func(t *testing.T) truce.Store {
		st, err := postgres.OpenWith(context.Background(), pgtest.Schema(t), postgres.Options{LogOrigin: "truce.test/web"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
}

// newServers serves n dashboards, each in front of its own API, on one
// store, as several `truce serve` processes on one database do. They
// share the tokens "admin", "monitor", "UA" and "observer".
func newServers(t *testing.T, st truce.Store, n int, opt web.Options) []*testServer {
	t.Helper()
	tokens := map[string]string{}
	for _, tk := range []struct {
		key   string
		role  truce.Role
		party truce.PartyID
	}{{"admin", truce.RoleAdmin, ""}, {"monitor", truce.RoleMonitor, ""}, {"UA", truce.RoleParty, "UA"}, {"observer", truce.RoleObserver, ""}} {
		secret, tok := truce.NewToken(tk.role, tk.party, "test "+tk.key, 0, time.Now())
		if err := st.CreateToken(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		tokens[tk.key] = secret
	}
	var out []*testServer
	for range n {
		ts := httptest.NewServer(web.Handler(httpapi.New(st, httpapi.Options{}), st, opt))
		t.Cleanup(ts.Close)
		c := ts.Client()
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		out = append(out, &testServer{URL: ts.URL, tokens: tokens, client: c})
	}
	return out
}

// TestStolenSession checks, on both stores and across two servers on one
// database, that a copy of a session cookie is worth nothing once its
// session is over: after sign-out, and after its token is revoked (issue
// 12, item 9).
func TestStolenSession(t *testing.T) {
	report := []byte(`{"time":"2025-04-02","lon":36.1,"lat":49.9,"text":"test"}`)
	for _, sto := range sessionStores {
		t.Run(sto.name, func(t *testing.T) {
			st := sto.open(t)
			srv := newServers(t, st, 2, web.Options{})
			a, b := srv[0], srv[1]
			// works says whether a copy of the cookies signs requests in,
			// on server s: a page, an API read and an API write.
			works := func(t *testing.T, s *testServer, cs map[string]*http.Cookie) bool {
				t.Helper()
				jar := cookieHeader(cs["truce_session"], cs["truce_csrf"])
				_, page := s.do(t, "GET", "/submit", "", "", nil, "Cookie", jar)
				read, _ := s.do(t, "GET", "/api/v1/incidents", "", "", nil, "Cookie", jar)
				write, _ := s.do(t, "POST", "/api/v1/reports", "", "application/json", report, "Cookie", jar, "X-CSRF-Token", cs["truce_csrf"].Value)
				signedIn := strings.Contains(string(page), `data-role="party"`)
				if signedIn != (write.StatusCode == http.StatusCreated) || (read.StatusCode == http.StatusOK) != signedIn {
					t.Errorf("page signed in %v, but API read %d, write %d", signedIn, read.StatusCode, write.StatusCode)
				}
				if !signedIn && (read.StatusCode != http.StatusUnauthorized || write.StatusCode != http.StatusUnauthorized) {
					t.Errorf("an ended session's API requests: read %d, write %d; want 401 (never the public)", read.StatusCode, write.StatusCode)
				}
				return signedIn
			}

			t.Run("sign-out", func(t *testing.T) {
				cs := signIn(t, a, a.tokens["UA"])
				stolen := map[string]*http.Cookie{"truce_session": cs["truce_session"], "truce_csrf": cs["truce_csrf"]}
				if !works(t, a, stolen) || !works(t, b, stolen) {
					t.Fatal("the session does not work on both servers")
				}
				form := url.Values{"csrf": {cs["truce_csrf"].Value}}.Encode()
				resp, _ := b.do(t, "POST", "/signout", "", "application/x-www-form-urlencoded", []byte(form), "Cookie", cookieHeader(cs["truce_session"], cs["truce_csrf"]))
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("sign-out: %d", resp.StatusCode)
				}
				if works(t, a, stolen) || works(t, b, stolen) {
					t.Error("a copy of the session cookie still works after sign-out")
				}
			})

			t.Run("revoked token", func(t *testing.T) {
				cs := signIn(t, a, a.tokens["UA"])
				if !works(t, b, cs) {
					t.Fatal("the session does not work")
				}
				toks, err := st.Tokens(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range toks {
					if tk.Party == "UA" {
						if err := st.RevokeToken(t.Context(), tk.ID, time.Now()); err != nil {
							t.Fatal(err)
						}
					}
				}
				if works(t, a, cs) || works(t, b, cs) {
					t.Error("the session of a revoked token still works")
				}
			})
		})
	}
}

// TestSessionBehindProxy checks that cookies are Secure when a trusted
// proxy says the browser used HTTPS, and only then (issue 12, item 9).
func TestSessionBehindProxy(t *testing.T) {
	st := sessionStores[0].open(t)
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	srv := newServers(t, st, 1, web.Options{TrustedProxies: []netip.Prefix{proxy}})[0]
	h := web.Handler(httpapi.New(st, httpapi.Options{}), st, web.Options{TrustedProxies: []netip.Prefix{proxy, netip.MustParsePrefix("fd00::/8")}})
	for _, tt := range []struct {
		name, peer, proto string
		secure            bool
	}{
		{"trusted proxy, https", "10.1.2.3:4567", "https", true},
		{"trusted proxy, HTTPS", "10.1.2.3:4567", "HTTPS", true},
		{"trusted proxy, https then http", "10.1.2.3:4567", "https, http", true},
		{"trusted IPv6 proxy, https", "[fd00::1]:4567", "https", true},
		{"trusted IPv4-mapped proxy, https", "[::ffff:10.1.2.3]:4567", "https", true},
		{"trusted proxy, http", "10.1.2.3:4567", "http", false},
		{"trusted proxy, no header", "10.1.2.3:4567", "", false},
		{"other peer, https", "192.0.2.7:4567", "https", false},
		{"loopback, https", "127.0.0.1:4567", "https", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The sign-in form's cookie, then a whole sign-in.
			req := httptest.NewRequest("GET", "/signin", nil)
			req.RemoteAddr = tt.peer
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			login := cookieNamed(rec.Result(), "truce_login")
			m := loginCSRF.FindSubmatch(rec.Body.Bytes())
			if login == nil || m == nil {
				t.Fatalf("GET /signin: %d", rec.Code)
			}
			if login.Secure != tt.secure {
				t.Errorf("login cookie Secure = %v, want %v", login.Secure, tt.secure)
			}
			form := url.Values{"csrf": {string(m[1])}, "token": {srv.tokens["monitor"]}, "next": {"/review"}}.Encode()
			req = httptest.NewRequest("POST", "/signin", strings.NewReader(form))
			req.RemoteAddr = tt.peer
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", cookieHeader(login))
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("POST /signin: %d %.300s", rec.Code, rec.Body)
			}
			for _, name := range []string{"truce_session", "truce_csrf"} {
				if c := cookieNamed(rec.Result(), name); c == nil || c.Secure != tt.secure {
					t.Errorf("cookie %s: %+v, want Secure %v", name, c, tt.secure)
				}
			}
		})
	}
}
