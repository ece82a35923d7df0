package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"golang.org/x/time/rate"
)

// Limits for writes, failed sign-ins, the public's summary builds and
// stored evidence. Reads are not limited here: a reverse proxy is the place
// to shape public read traffic.
type Limits struct {
	// WritesPerSecond and WriteBurst limit state-changing requests: a
	// signed-in client's per token, the anonymous public's per address, in
	// separate buckets.
	WritesPerSecond float64
	WriteBurst      int
	// AuthFailuresPerMinute limits failed authentications per address.
	// Beyond it a bad token answers 429; a valid one is never refused.
	AuthFailuresPerMinute float64
	AuthFailureBurst      int
	// SummaryBuildsPerMinute and SummaryBuildBurst limit, per address, the
	// summaries the anonymous public has built (a cached one costs
	// nothing); 0: no limit.
	SummaryBuildsPerMinute float64
	SummaryBuildBurst      int
	// EvidenceBytesPerDay is how many bytes of evidence one party token
	// may store in a day (UTC); 0: no quota. Monitors and admins have none.
	EvidenceBytesPerDay int64
}

// DefaultLimits allow a steady 20 writes a second with bursts of 100 (a
// monitor working through the review queue, a script uploading), 10
// failed sign-ins a minute with bursts of 20 per address, 30 summary
// builds a minute with bursts of 10 per address of the anonymous public
// (the figures page builds two per period shown), and 256 MiB of evidence
// a day per party token.
var DefaultLimits = Limits{WritesPerSecond: 20, WriteBurst: 100, AuthFailuresPerMinute: 10, AuthFailureBurst: 20,
	SummaryBuildsPerMinute: 30, SummaryBuildBurst: 10, EvidenceBytesPerDay: 256 << 20}

// limiter keeps one token bucket per key, forgetting idle keys.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{every: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// allow takes one token for key, or says how long until one is free.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil || l.every <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientAddr is the address limits are counted by: the peer's, or, when
// the peer is a trusted proxy, the nearest address in X-Forwarded-For that
// is not itself a trusted proxy (the left-most if all are). A client
// cannot choose it by sending the header itself: hops are read from the
// right, and only trusted proxies are believed about the hop before them.
// An IPv6 client counts as its /64, the block a single host is given.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0 && s.isTrusted(a); i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0 && s.isTrusted(a); j-- {
			next, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return addrKey(a) // a garbled hop: believe nothing beyond it
			}
			a = next.Unmap()
		}
	}
	return addrKey(a)
}

func (s *Server) isTrusted(a netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func addrKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}

// clientAddrOf is the client address authenticate found for a request.
func clientAddrOf(ctx context.Context) string {
	a, _ := ctx.Value(clientAddrKey).(string)
	return a
}

// retryAfter is a 429 for a huma handler, with its Retry-After.
func retryAfter(wait time.Duration, detail string) error {
	secs := int(wait/time.Second) + 1
	return huma.ErrorWithHeaders(huma.NewError(http.StatusTooManyRequests, detail+"; retry in "+strconv.Itoa(secs)+" s"),
		http.Header{"Retry-After": {strconv.Itoa(secs)}})
}

// quota counts bytes per key over a day (UTC) and refuses what would pass
// the limit. It is kept in memory: a restart forgives the day's use.
type quota struct {
	mu    sync.Mutex
	limit int64
	day   time.Time
	used  map[string]int64
}

// reserve takes n bytes of key's allowance for the day of now, or says how
// many the key has used and how long until the next day.
func (q *quota) reserve(key string, n int64, now time.Time) (ok bool, used int64, wait time.Duration) {
	if q == nil || q.limit <= 0 {
		return true, 0, 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	day := now.UTC().Truncate(24 * time.Hour)
	if !day.Equal(q.day) {
		q.day, q.used = day, map[string]int64{}
	}
	used = q.used[key]
	if used+n > q.limit {
		return false, used, day.Add(24 * time.Hour).Sub(now)
	}
	q.used[key] = used + n
	return true, used + n, 0
}

// release gives back a reservation that was not used.
func (q *quota) release(key string, n int64, now time.Time) {
	if q == nil || q.limit <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if now.UTC().Truncate(24*time.Hour).Equal(q.day) && q.used[key] >= n {
		q.used[key] -= n
	}
}

func tooMany(w http.ResponseWriter, wait time.Duration, what string) {
	secs := int(wait/time.Second) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeProblem(w, http.StatusTooManyRequests, "too many "+what+"; retry in "+strconv.Itoa(secs)+" s")
}

func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}
