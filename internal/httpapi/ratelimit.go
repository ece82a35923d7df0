package httpapi

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits for writes and failed sign-ins. Reads are not limited here: a
// reverse proxy is the place to shape public read traffic.
type Limits struct {
	// WritesPerSecond and WriteBurst limit state-changing requests, per
	// token and per client address.
	WritesPerSecond float64
	WriteBurst      int
	// AuthFailuresPerMinute limits failed authentications per address.
	AuthFailuresPerMinute float64
	AuthFailureBurst      int
}

// DefaultLimits allow a steady 20 writes a second with bursts of 100 (a
// monitor working through the review queue, a script uploading), and 10
// failed sign-ins a minute with bursts of 20 per address.
var DefaultLimits = Limits{WritesPerSecond: 20, WriteBurst: 100, AuthFailuresPerMinute: 10, AuthFailureBurst: 20}

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

// peek says whether key has a token left, without taking it.
func (l *limiter) peek(key string, now time.Time) (bool, time.Duration) {
	if l == nil || l.every <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		return true, 0
	}
	if t := b.l.TokensAt(now); t < 1 {
		return false, time.Duration((1 - t) / float64(l.every) * float64(time.Second))
	}
	return true, 0
}

// clientAddr is the request's remote address without the port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
