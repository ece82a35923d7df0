package httpapi

import (
	"context"
	"sync"
	"time"

	"truce"
)

// TokenCacheTTL is how long CacheTokens keeps a token looked up by its
// hash: a token revoked by another process sharing the database (`truce
// token revoke`, another API server) is refused at most this long after
// the revocation commits. A revocation through the same store is seen at
// once, and expiry is always exact (the token's expiry is cached with it
// and checked at every request).
const TokenCacheTTL = time.Second

// maxCachedTokens bounds the cache. Only tokens that exist are kept, so
// unknown secrets cannot grow it; past the bound it starts again.
const maxCachedTokens = 4096

// CacheTokens returns st with its token lookups (TokenByHash) kept for
// ttl after they are read, so that a client sending many requests with
// one token reads its row once a ttl instead of once a request; every
// other method is st's. now is the clock the age of an entry is measured
// with (nil: time.Now). Revoking a token through the returned store
// empties the cache. A lookup that fails (an unknown token, an error) is
// never kept: a token created in another process signs in at once.
//
// The returned store MUST be the one every transport authenticates
// through (the API and the dashboard), or a revocation through one would
// not empty the other's cache.
func CacheTokens(st Store, ttl time.Duration, now func() time.Time) Store {
	if now == nil {
		now = time.Now
	}
	return &tokenCache{Store: st, ttl: ttl, now: now, m: map[string]cachedToken{}}
}

type tokenCache struct {
	Store
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]cachedToken // by secret hash
	// gen counts revocations: a token read before one is not kept after
	// it, though the read ended later.
	gen uint64
}

type cachedToken struct {
	t    truce.Token
	read time.Time
}

// Unwrap returns the store the cache wraps, for the optional interfaces
// it implements (report.SummarySource).
func (c *tokenCache) Unwrap() truce.Store { return c.Store }

// TokenByHash returns the token read within the last ttl, or reads it.
func (c *tokenCache) TokenByHash(ctx context.Context, hash string) (*truce.Token, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[hash]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.read) < c.ttl && !now.Before(e.read) {
		t := e.t
		return &t, nil
	}
	t, err := c.Store.TokenByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(c.m) >= maxCachedTokens {
			c.m = map[string]cachedToken{}
		}
		c.m[hash] = cachedToken{t: *t, read: now}
	}
	c.mu.Unlock()
	return t, nil
}

// RevokeToken revokes the token and empties the cache, so that this
// process refuses the token from the next request on.
func (c *tokenCache) RevokeToken(ctx context.Context, id string, at time.Time) error {
	err := c.Store.RevokeToken(ctx, id, at)
	c.mu.Lock()
	c.m = map[string]cachedToken{}
	c.gen++
	c.mu.Unlock()
	return err
}
