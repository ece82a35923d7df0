package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"truce"
	"truce/internal/httpapi"
	"truce/internal/report"
	"truce/internal/store/sqlite"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestTokenCache checks the bounds docs/operations.md promises of the
// token cache, on a real SQLite store: a token revoked by another process
// is refused once TokenCacheTTL has passed and never after; one revoked
// through the API at once; an expired one at its expiry; an unknown one is
// not remembered as unknown.
func TestTokenCache(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &fakeClock{t: time.Now()}
	api := httpapi.New(httpapi.CacheTokens(st, httpapi.TokenCacheTTL, clock.Now), httpapi.Options{Now: clock.Now, Limits: &httpapi.Limits{WritesPerSecond: -1}})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	newToken := func(t *testing.T, role truce.Role, ttl time.Duration) (secret string, tok *truce.Token) {
		t.Helper()
		secret, tok = truce.NewToken(role, "", "cache test", ttl, clock.Now())
		if err := st.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		return secret, tok
	}
	get := func(t *testing.T, secret, method, path string) int {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const path = "/api/v1/incidents"

	t.Run("revoked by another process: refused once the bound has passed, and ever after", func(t *testing.T) {
		secret, tok := newToken(t, truce.RoleMonitor, 0)
		if st := get(t, secret, "GET", path); st != http.StatusOK {
			t.Fatalf("before revocation: %d, want 200", st)
		}
		// The command line revokes on the database, past this server's cache.
		if err := st.RevokeToken(ctx, tok.ID, clock.Now()); err != nil {
			t.Fatal(err)
		}
		clock.Add(httpapi.TokenCacheTTL - time.Millisecond)
		if st := get(t, secret, "GET", path); st != http.StatusOK {
			t.Fatalf("within the bound: %d, want 200 from the cache (is the cache in use?)", st)
		}
		clock.Add(time.Millisecond)
		for i := range 3 {
			if st := get(t, secret, "GET", path); st != http.StatusUnauthorized {
				t.Fatalf("request %d once the bound has passed: %d, want 401", i, st)
			}
			clock.Add(httpapi.TokenCacheTTL / 2)
		}
	})

	t.Run("revoked through the API: refused at once", func(t *testing.T) {
		admin, _ := newToken(t, truce.RoleAdmin, 0)
		secret, tok := newToken(t, truce.RoleObserver, 0)
		if st := get(t, secret, "GET", path); st != http.StatusOK {
			t.Fatalf("before revocation: %d, want 200", st)
		}
		if st := get(t, admin, "DELETE", "/api/v1/tokens/"+tok.ID); st != http.StatusNoContent {
			t.Fatalf("revoke: %d, want 204", st)
		}
		if st := get(t, secret, "GET", path); st != http.StatusUnauthorized {
			t.Fatalf("after revocation, same instant: %d, want 401", st)
		}
	})

	t.Run("expired: refused at its expiry, not the cache's bound", func(t *testing.T) {
		secret, _ := newToken(t, truce.RoleMonitor, 10*time.Second)
		clock.Add(10*time.Second - time.Millisecond)
		if st := get(t, secret, "GET", path); st != http.StatusOK {
			t.Fatalf("just before expiry: %d, want 200", st)
		}
		clock.Add(time.Millisecond)
		if st := get(t, secret, "GET", path); st != http.StatusUnauthorized {
			t.Fatalf("at expiry, the token cached a millisecond ago: %d, want 401", st)
		}
	})

	t.Run("unknown, then created: signs in at once", func(t *testing.T) {
		secret, tok := truce.NewToken(truce.RoleMonitor, "", "late", 0, clock.Now())
		if st := get(t, secret, "GET", path); st != http.StatusUnauthorized {
			t.Fatalf("before creation: %d, want 401", st)
		}
		if err := st.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if st := get(t, secret, "GET", path); st != http.StatusOK {
			t.Fatalf("after creation, same instant: %d, want 200", st)
		}
	})
}

// revokingStore is the real store whose TokenByHash calls during once,
// after reading the token and before returning it: a revocation that
// commits while a lookup is under way, which the real store cannot be
// made to interleave on demand.
type revokingStore struct {
	httpapi.Store
	once   sync.Once
	during func()
}

func (s *revokingStore) TokenByHash(ctx context.Context, hash string) (*truce.Token, error) {
	t, err := s.Store.TokenByHash(ctx, hash)
	s.once.Do(s.during)
	return t, err
}

// TestTokenCacheRevokedDuringLookup checks that a token read before a
// revocation through the cache is not kept once the revocation is done,
// though the read finished after it.
func TestTokenCacheRevokedDuringLookup(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	secret, tok := truce.NewToken(truce.RoleMonitor, "", "raced", 0, time.Now())
	if err := st.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	rs := &revokingStore{Store: st}
	cache := httpapi.CacheTokens(rs, time.Hour, nil)
	rs.during = func() {
		if err := cache.RevokeToken(ctx, tok.ID, time.Now()); err != nil {
			t.Error(err)
		}
	}
	if _, err := truce.Authenticate(ctx, cache, secret, time.Now()); err != nil {
		t.Fatalf("the lookup that began before the revocation: %v, want the token", err)
	}
	_, err = truce.Authenticate(ctx, cache, secret, time.Now())
	if truce.ErrorCode(err) != truce.EUNAUTHORIZED {
		t.Fatalf("after the revocation: %v, want EUNAUTHORIZED", err)
	}
}

// TestTokenCacheUnwraps checks that the cache hands on the store it wraps:
// the period summary reads the SQL stores' briefs through it
// (report.SummarySource), and would read every judgement whole otherwise.
func TestTokenCacheUnwraps(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := httpapi.CacheTokens(st, httpapi.TokenCacheTTL, nil)
	u, ok := c.(interface{ Unwrap() truce.Store })
	if !ok || u.Unwrap() != truce.Store(st) {
		t.Fatal("the token cache does not unwrap to its store")
	}
	if _, ok := u.Unwrap().(report.SummarySource); !ok {
		t.Fatal("the SQLite store is not a report.SummarySource")
	}
}
