package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPublicPageShells checks the page shells rendered once for the
// public: the public gets the same page each time, in its language; a
// signed-in viewer always gets its own (its role, the sign-out form with
// its session's CSRF token), before and after the public's is cached, and
// the public never gets a signed-in viewer's.
func TestPublicPageShells(t *testing.T) {
	s := newTestServer(t, false)
	page := func(t *testing.T, path string, hdr ...string) string {
		t.Helper()
		resp, body := s.do(t, "GET", path, "", "", nil, hdr...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(body)
	}
	signedIn := func(body string) bool { return strings.Contains(body, `id="signout"`) }
	session := func(secret string) string {
		cs := signIn(t, s, secret)
		return cookieHeader(cs["truce_session"], cs["truce_csrf"])
	}
	monitor, party := session(s.tokens["monitor"]), session(s.tokens["UA"])
	for _, path := range []string{"/", "/agreement", "/figures", "/claims"} {
		mon := page(t, path, "Cookie", monitor)
		if !signedIn(mon) || !strings.Contains(mon, `data-role="monitor"`) {
			t.Fatalf("GET %s as a monitor, first: not the monitor's page", path)
		}
		en := page(t, path, "Accept-Language", "en")
		if signedIn(en) || !strings.Contains(en, `data-role=""`) {
			t.Errorf("GET %s for the public after a monitor: a signed-in page", path)
		}
		if again := page(t, path, "Accept-Language", "en"); again != en {
			t.Errorf("GET %s for the public twice: the pages differ", path)
		}
		// Compressed for a client that takes it: the same page.
		resp, gz := s.do(t, "GET", path, "", "", nil, "Accept-Language", "en", "Accept-Encoding", "gzip")
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("GET %s accepting gzip: Content-Encoding %q, Vary %q", path, resp.Header.Get("Content-Encoding"), resp.Header.Values("Vary"))
		} else if got := gunzip(t, gz); got != en {
			t.Errorf("GET %s accepting gzip: the page differs once decompressed", path)
		}
		uk := page(t, path, "Accept-Language", "uk")
		if uk == en || !strings.Contains(uk, `lang="uk"`) {
			t.Errorf("GET %s in Ukrainian: the English page, or not in Ukrainian", path)
		}
		for _, who := range []struct{ cookie, role string }{{monitor, `data-role="monitor"`}, {party, `data-role="party" data-party="UA"`}} {
			got := page(t, path, "Cookie", who.cookie, "Accept-Language", "en")
			if !signedIn(got) || !strings.Contains(got, who.role) {
				t.Errorf("GET %s signed in (%s) after the public's page is cached: not the viewer's own page", path, who.role)
			}
		}
	}
}
