package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"truce/internal/adjudicate"
	"truce/internal/pipeline"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"truce"
)

// Store is what the API needs of a backend: the domain store alone (the
// log views of store.Backend are the CLI's).
type Store = truce.Store

// Options configure a Server.
type Options struct {
	Log *slog.Logger
	Now func() time.Time
	// Version is reported in the OpenAPI document.
	Version string
	// License is the API's licence in the OpenAPI document; nil means
	// "All rights reserved".
	License *huma.License
	// Limits rate-limit writes, failed sign-ins and the public's summary
	// builds, and cap the evidence a party may store; nil means
	// DefaultLimits. Set WritesPerSecond < 0 to disable the write and
	// sign-in limits (load tests).
	Limits *Limits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client. From any other peer the header is ignored.
	TrustedProxies []netip.Prefix
}

// Server is the HTTP API. It is an http.Handler.
type Server struct {
	store   Store
	log     *slog.Logger
	now     func() time.Time
	api     huma.API
	handler http.Handler
	judges  *judges
	metrics *metrics
	mu      sync.Mutex // serialises re-adjudication after an agreement upload
	// Rate limits: writes per token, the anonymous public's writes and
	// summary builds per address, failed sign-ins per address.
	writesByToken, anonWrites, authFailures, anonSummaries *limiter
	// evidence is the daily quota of evidence bytes per party token.
	evidence *quota
	trusted  []netip.Prefix
	// corr caches the corroboration of incidents of several reports.
	corr corroborations
	// details keeps incident pages' reports, history and evidence
	// while their incidents' marks stay the same (incidentcache.go).
	details incidentDetails
	// summaries caches the period summaries by log size.
	summaries summaryCache
	// claimChecks caches the claims checked against the record, by log
	// size and audience.
	claimChecks checkedCache[*pipeline.Checked]
	// timelines caches the timeline per reading, by log size and
	// audience.
	timelines checkedCache[adjudicate.Timeline]
	// created group-commits the reports of concurrent create-report
	// requests.
	created reportGroups
	// judging admits requests to the judge (admitJudging).
	judging chan struct{}
}

// New builds the API on st.
func New(st Store, opt Options) *Server {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Version == "" {
		opt.Version = "1.0.0"
	}
	s := &Server{store: st, log: opt.Log, now: opt.Now, judges: &judges{st: st}, metrics: newMetrics(), trusted: opt.TrustedProxies}
	s.created.write = s.putReports
	s.judging = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))
	lim := DefaultLimits
	if opt.Limits != nil {
		lim = *opt.Limits
	}
	if lim.WritesPerSecond >= 0 {
		// Separate buckets: the anonymous public can never use up what a
		// signed-in client may write.
		s.writesByToken = newLimiter(lim.WritesPerSecond, lim.WriteBurst)
		s.anonWrites = newLimiter(lim.WritesPerSecond, lim.WriteBurst)
		s.authFailures = newLimiter(lim.AuthFailuresPerMinute/60, lim.AuthFailureBurst)
	}
	s.anonSummaries = newLimiter(lim.SummaryBuildsPerMinute/60, max(1, lim.SummaryBuildBurst))
	s.evidence = &quota{limit: lim.EvidenceBytesPerDay}
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("truce API", opt.Version)
	cfg.Info.Description = "Ceasefire monitoring and verification: agreements as code, reports, adjudication, the review workflow and the tamper-evident log."
	// The API is served where the document is: a relative server lets
	// clients resolve paths against the URL they fetched it from.
	cfg.Servers = []*huma.Server{{URL: "/", Description: "this server"}}
	cfg.Info.License = opt.License
	if cfg.Info.License == nil {
		// The project publishes no licence: the law's default, as an SPDX
		// expression (a LicenseRef names a licence outside SPDX's list).
		cfg.Info.License = &huma.License{Name: "All rights reserved", Identifier: "LicenseRef-All-Rights-Reserved"}
	}
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "a token from `truce token create`"},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}, {}}
	// No $schema links in responses: clients get plain JSON.
	cfg.CreateHooks = nil
	cfg.Transformers = []huma.Transformer{boundErrors}
	s.api = humago.New(mux, cfg)
	// Authorise before huma parses and validates the input, so a caller
	// who may not call an operation learns nothing from its validation.
	s.api.UseMiddleware(func(hc huma.Context, next func(huma.Context)) {
		op, _ := hc.Operation().Metadata["op"].(Op)
		if op == "" {
			next(hc)
			return
		}
		if err := authorize(principal(hc.Context()), op); err != nil {
			ferr := s.fail(hc.Context(), err)
			var se huma.StatusError
			if errors.As(ferr, &se) {
				var he huma.HeadersError
				if errors.As(ferr, &he) {
					for k, vs := range he.GetHeaders() {
						for _, v := range vs {
							hc.AppendHeader(k, v)
						}
					}
				}
				_ = huma.WriteErr(s.api, hc, se.GetStatus(), truce.ErrorMessage(err))
			}
			return
		}
		next(hc)
	})
	s.routes()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.handler = s.recoverer(s.requestLog(s.authenticate(etags(routed(mux)))))
	return s
}

// routed notes the pattern mux matched (that of the huma operation, or
// GET /metrics) for requestLog, which sees only a copy of the request.
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r) // sets r.Pattern
		if ri, ok := r.Context().Value(routeKey).(*routeInfo); ok {
			ri.pattern = r.Pattern
		}
	})
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// API returns the huma API, e.g. to print its OpenAPI document.
func (s *Server) API() huma.API { return s.api }

// Wrap puts what f returns (the web dashboard) in front of the API,
// counted and logged as Instrument says.
func (s *Server) Wrap(f func(api http.Handler) http.Handler) { s.handler = s.Instrument(f(s.handler)) }

// Instrument counts and logs the requests of h, a handler in front of
// the API (the dashboard), in the API's metrics: each by the pattern of
// h's ServeMux that matched it (e.g. "/incidents/{id}"), and a request h
// passes on to the API once, by the API's route. The server MUST then be
// reached only through the handler Instrument returns, or requests h
// does not pass on go uncounted.
func (s *Server) Instrument(h http.Handler) http.Handler { return s.recoverer(s.requestLog(h)) }

type ctxKey int

const (
	requestIDKey ctxKey = iota
	clientAddrKey
	routeKey
)

// routeInfo is where the API's ServeMux notes the pattern it matched, for
// requestLog; a request counted by Instrument carries one already.
type routeInfo struct{ pattern string }

// principal is the caller authenticate (or the web layer) put in ctx.
func principal(ctx context.Context) truce.Principal { return truce.PrincipalFrom(ctx) }

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// authenticate resolves the bearer token of API requests. A request with a
// bad token is refused, not downgraded to the public.
//
// Limits follow who is asking: a signed-in client's writes are counted
// per token, the anonymous public's per address, in separate buckets.
// Failed sign-ins are counted per address, but a token is always checked
// first: a valid token is never refused for what others behind the same
// address (one proxy, one NAT) did; a bad one beyond the limit answers 429
// instead of 401.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		addr := s.clientAddr(r)
		r = r.WithContext(context.WithValue(r.Context(), clientAddrKey, addr))
		h := r.Header.Get("Authorization")
		if h == "" {
			// A request the web layer authenticated from a session carries
			// its principal already: limit it by its token, not as the
			// anonymous public.
			if p := principal(r.Context()); p.Role != "" && p.TokenID != "" {
				if isWrite(r.Method) {
					if ok, wait := s.writesByToken.allow(p.TokenID, now); !ok {
						tooMany(w, wait, "writes with this token")
						return
					}
				}
				next.ServeHTTP(w, r)
				return
			}
			if isWrite(r.Method) {
				if ok, wait := s.anonWrites.allow(addr, now); !ok {
					tooMany(w, wait, "writes without a token from this address")
					return
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			writeProblem(w, http.StatusUnauthorized, "Authorization must be \"Bearer <token>\"")
			return
		}
		p, err := truce.Authenticate(r.Context(), s.store, strings.TrimSpace(secret), s.now())
		if truce.ErrorCode(err) == truce.EINTERNAL {
			s.log.ErrorContext(r.Context(), "authentication failed", "request_id", requestID(r.Context()), "err", err)
			writeProblem(w, http.StatusInternalServerError, "internal error (request "+requestID(r.Context())+")")
			return
		} else if err != nil {
			s.metrics.authFailures.Inc()
			if ok, wait := s.authFailures.allow(addr, now); !ok {
				tooMany(w, wait, "failed sign-ins from this address")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="truce", error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, truce.ErrorMessage(err))
			return
		}
		if isWrite(r.Method) {
			if ok, wait := s.writesByToken.allow(p.TokenID, now); !ok {
				tooMany(w, wait, "writes with this token")
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(truce.WithPrincipal(r.Context(), p)))
	})
}

func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	b, _ := jsonMarshal(map[string]any{"status": status, "title": http.StatusText(status), "detail": detail})
	_, _ = w.Write(b)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// requestLog gives each request an id, logs it and counts it by route:
// the pattern the API's ServeMux matched (a huma operation's path), or
// else that of the ServeMux of the handler in front (Instrument). A
// request an outer requestLog counts already is not counted again.
func (s *Server) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Value(routeKey).(*routeInfo); ok {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rid := newRequestID()
		w.Header().Set("X-Request-Id", rid)
		ri := &routeInfo{}
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey, rid), routeKey, ri)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(ctx)
		next.ServeHTTP(sw, r) // an outer ServeMux sets r.Pattern
		d := time.Since(start)
		route := ri.pattern
		if route == "" {
			route = r.Pattern
		}
		if _, path, ok := strings.Cut(route, " "); ok {
			route = path // the method has a label of its own
		}
		if route == "" {
			route = "unmatched"
		}
		s.metrics.requests.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(r.Method, route).Observe(d.Seconds())
		s.log.InfoContext(ctx, "request", "request_id", rid, "method", r.Method, "path", r.URL.Path,
			"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000)
	})
}

// recoverer turns a panic into a 500 without details, logged with the
// request id.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "request_id", requestID(r.Context()), "panic", v, "stack", string(debug.Stack()))
				writeProblem(w, http.StatusInternalServerError, "internal error (request "+requestID(r.Context())+")")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	authFailures prometheus.Counter
	logAppends   prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "truce_http_requests_total", Help: "HTTP requests by method, route and status."},
			[]string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "truce_http_request_duration_seconds", Help: "HTTP request latency.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"method", "route"}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "truce_auth_failures_total", Help: "Requests refused for a bad token."}),
		logAppends:   prometheus.NewCounter(prometheus.CounterOpts{Name: "truce_api_writes_total", Help: "Accepted write requests."}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.authFailures, m.logAppends,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
