package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/httpapi"
)

// TestPagesByRole opens every page with every role, no session, an
// expired and a revoked session, and checks the exact set allowed: the
// public is sent to sign in, other roles get 403.
func TestPagesByRole(t *testing.T) {
	s := newTestServer(t, false)
	ctx := context.Background()
	for _, extra := range []struct {
		key  string
		role truce.Role
	}{{"observer", truce.RoleObserver}, {"expired", truce.RoleMonitor}, {"revoked", truce.RoleMonitor}} {
		ttl := time.Duration(0)
		if extra.key == "expired" {
			ttl = time.Hour
		}
		secret, tok := httpapi.NewToken(extra.role, "", extra.key, ttl, time.Now().Add(-2*time.Hour))
		if err := s.store.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		s.tokens[extra.key] = secret
	}
	// Sign in while the tokens are good, then revoke one: its cookie
	// outlives it, as a stolen cookie would.
	sessions := map[string]string{"public": ""}
	for _, who := range []string{"observer", "UA", "monitor", "admin", "revoked"} {
		cs := signIn(t, s, s.tokens[who])
		sessions[who] = cookieHeader(cs["truce_session"], cs["truce_csrf"])
	}
	sessions["expired"] = "truce_session=" + s.tokens["expired"]
	toks, err := s.store.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.Name == "revoked" {
			if err := s.store.RevokeToken(ctx, tk.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	everyone := []string{"public", "observer", "UA", "monitor", "admin", "expired", "revoked"}
	for _, tt := range []struct {
		page    string
		allowed []string
	}{
		{"/", everyone},
		{"/agreement", everyone},
		{"/figures", everyone},
		{"/signin", everyone},
		{"/incidents/any-id", everyone}, // the shell; the API decides what it shows
		{"/review", []string{"monitor", "admin"}},
		{"/submit", []string{"UA", "monitor", "admin"}},
	} {
		for _, who := range everyone {
			t.Run(strings.TrimPrefix(tt.page, "/")+"/"+who, func(t *testing.T) {
				var hdr []string
				if c := sessions[who]; c != "" {
					hdr = []string{"Cookie", c}
				}
				resp, body := s.do(t, "GET", tt.page, "", "", nil, hdr...)
				allowed := false
				for _, a := range tt.allowed {
					allowed = allowed || a == who
				}
				anonymous := who == "public" || who == "expired" || who == "revoked"
				switch {
				case allowed && resp.StatusCode != http.StatusOK:
					t.Errorf("status %d, want 200: %.200s", resp.StatusCode, body)
				case !allowed && anonymous && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin?next=")):
					t.Errorf("status %d (Location %q), want 303 to /signin", resp.StatusCode, resp.Header.Get("Location"))
				case !allowed && !anonymous && resp.StatusCode != http.StatusForbidden:
					t.Errorf("status %d, want 403", resp.StatusCode)
				}
				if resp.Header.Get("Content-Security-Policy") == "" && resp.StatusCode == http.StatusOK {
					t.Error("no Content-Security-Policy")
				}
			})
		}
	}
}
