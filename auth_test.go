package truce_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/store/sqlite"
)

// TestNewToken: a secret of 256 random bits, of which the token keeps only
// the hash, and an expiry when asked for one.
func TestNewToken(t *testing.T) {
	now := time.Date(2025, 4, 1, 12, 0, 0, 0, time.FixedZone("EEST", 3*3600))
	secret, tok := truce.NewToken(truce.RoleParty, "UA", "liaison", 48*time.Hour, now)
	if !strings.HasPrefix(secret, "truce_") || len(secret) != len("truce_")+43 {
		t.Errorf("secret %q, want truce_ and 43 base64url characters", secret)
	}
	if tok.Hash != truce.HashToken(secret) || strings.Contains(tok.Hash, secret) {
		t.Errorf("hash %q, want HashToken(secret)", tok.Hash)
	}
	want := truce.Principal{TokenID: tok.ID, Role: truce.RoleParty, Party: "UA", Name: "liaison"}
	if diff := cmp.Diff(want, tok.Principal()); diff != "" {
		t.Errorf("Principal() mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(tok.ID, "tok_") || tok.CreatedAt != now.UTC() || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(now.Add(48*time.Hour)) {
		t.Errorf("token %+v, want id tok_…, created now (UTC), expiring in 48 hours", tok)
	}
	other, tok2 := truce.NewToken(truce.RoleObserver, "", "", 0, now)
	if other == secret || tok2.ID == tok.ID || tok2.ExpiresAt != nil {
		t.Errorf("a second token shares the first's secret or id, or expires without a ttl: %+v", tok2)
	}
}

// TestAuthenticate checks secrets against the tokens of a real store.
func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() }) // closed already by the last case, unless it did not run
	now := time.Now()
	secrets := map[string]string{}
	var monitor *truce.Token
	for _, tk := range []struct {
		name string
		ttl  time.Duration
	}{{"good", 0}, {"expired", time.Minute}, {"revoked", 0}} {
		secret, tok := truce.NewToken(truce.RoleMonitor, "", tk.name, tk.ttl, now.Add(-time.Hour))
		if err := st.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if tk.name == "revoked" {
			if err := st.RevokeToken(ctx, tok.ID, now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if tk.name == "good" {
			monitor = tok
		}
		secrets[tk.name] = secret
	}
	for _, tt := range []struct {
		name, secret string
		want         truce.Principal
		code, msg    string
	}{
		{name: "a good token", secret: secrets["good"], want: monitor.Principal()},
		{name: "an unknown token", secret: "truce_unknown", code: truce.EUNAUTHORIZED, msg: "invalid token"},
		{name: "no token", secret: "", code: truce.EUNAUTHORIZED, msg: "invalid token"},
		{name: "an oversized token", secret: strings.Repeat("x", truce.MaxTokenSecretBytes+1), code: truce.EUNAUTHORIZED, msg: "invalid token"},
		{name: "the hash instead of the secret", secret: truce.HashToken(secrets["good"]), code: truce.EUNAUTHORIZED, msg: "invalid token"},
		{name: "an expired token", secret: secrets["expired"], code: truce.EUNAUTHORIZED, msg: "token expired or revoked"},
		{name: "a revoked token", secret: secrets["revoked"], code: truce.EUNAUTHORIZED, msg: "token expired or revoked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := truce.Authenticate(ctx, st, tt.secret, now)
			if (err == nil) != (tt.code == "") || (err != nil && truce.ErrorCode(err) != tt.code) {
				t.Fatalf("Authenticate() error %v, want code %q", err, tt.code)
			}
			if err != nil && truce.ErrorMessage(err) != tt.msg {
				t.Errorf("Authenticate() error %q, want %q", truce.ErrorMessage(err), tt.msg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Authenticate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("a store that fails", func(t *testing.T) {
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		p, err := truce.Authenticate(ctx, st, secrets["good"], now)
		if err == nil || truce.ErrorCode(err) != truce.EINTERNAL || p != truce.Anonymous {
			t.Errorf("Authenticate() on a closed store: %v, %v; want an internal error and the public", p, err)
		}
	})
}

// TestPrincipalContext: a context carries the principal a transport put
// in it; one without carries the public.
func TestPrincipalContext(t *testing.T) {
	p := truce.Principal{TokenID: "tok_1", Role: truce.RoleParty, Party: "RU", Name: "liaison"}
	if got := truce.PrincipalFrom(truce.WithPrincipal(context.Background(), p)); got != p {
		t.Errorf("PrincipalFrom(WithPrincipal(p)) = %v, want %v", got, p)
	}
	if got := truce.PrincipalFrom(context.Background()); got != truce.Anonymous {
		t.Errorf("PrincipalFrom(empty context) = %v, want the public", got)
	}
}
