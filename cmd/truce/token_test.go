package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce/internal/httpapi"
)

// TestTokenCreateRefuses: a token for a party the stored agreement does
// not have, a name that would forge a line of `token list`, and a party on
// a non-party role are refused, and nothing is stored (issue 12, item 11).
func TestTokenCreateRefuses(t *testing.T) {
	heavy(t)
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"party not in the agreement", []string{"--role", "party", "--party", "XX"}, `--party "XX": not a party of the current agreement`},
		{"party role without a party", []string{"--role", "party"}, "the party role needs a party"},
		{"party on a monitor token", []string{"--role", "monitor", "--party", "UA"}, "only a party token acts for a party"},
		{"line break in the name", []string{"--role", "observer", "--name", "ok\ntok_forged  admin"}, "control or non-printing character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runTruce(t, append([]string{"token", "create", "--db", db}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	out, _ := mustRun(t, "token", "list", "--db", db)
	if n := strings.Count(strings.TrimSpace(out), "\n"); n != 0 {
		t.Errorf("token list shows %d tokens after refused creations:\n%s", n, out)
	}
	mustRun(t, "token", "create", "--db", db, "--role", "party", "--party", "UA", "--name", "UA liaison")
}

// TestServeRevocationBound: a token revoked by another process (`truce
// token revoke` on the server's database) is refused by a running server,
// on the API and through the dashboard's routes alike, once
// httpapi.TokenCacheTTL has passed since the revocation, as
// docs/operations.md promises, and never accepted after.
func TestServeRevocationBound(t *testing.T) {
	db := filepath.Join(t.TempDir(), "truce.db")
	secret := mustToken(t, db, "monitor", "")
	out, _ := mustRun(t, "token", "list", "--db", db)
	id := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])[0]
	base := testServer(t, db)
	c := client{t: t, base: base, token: secret}
	paths := map[string]int{"/api/v1/incidents": http.StatusOK, "/api/v1/incidents/nope": http.StatusNotFound}
	for p, want := range paths {
		if st, b := c.do("GET", p, "", nil); st != want {
			t.Fatalf("GET %s before revocation: %d, want %d: %s", p, st, want, b)
		}
	}
	cached := time.Now()
	mustRun(t, "token", "revoke", "--db", db, id)
	revoked := time.Now()
	if st, _ := c.do("GET", "/api/v1/incidents", "", nil); st != http.StatusOK && time.Since(cached) < httpapi.TokenCacheTTL/2 {
		t.Errorf("right after the revocation by another process: %d, want 200 from the server's token cache", st)
	}
	time.Sleep(time.Until(revoked.Add(httpapi.TokenCacheTTL)))
	for range 3 {
		for p := range paths {
			if st, b := c.do("GET", p, "", nil); st != http.StatusUnauthorized {
				t.Fatalf("GET %s %v after the revocation: %d, want 401: %s", p, time.Since(revoked), st, b)
			}
		}
		time.Sleep(httpapi.TokenCacheTTL / 3)
	}
}
