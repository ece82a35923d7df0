package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"

	// Faster than compress/gzip at the speed level the API's answers
	// are compressed at, for the same format.
	"github.com/klauspost/compress/gzip"

	"truce"
)

// serveAPI passes a request to the API. A request signed in by the session
// cookie (and without an Authorization header of its own) is passed on as
// the session's principal; if it changes state, it must come from this
// origin and carry the session's CSRF token, or it is refused with 403. A
// cookie that names no active session is refused with 401, never
// downgraded to the public. Responses are compressed with gzip when the
// client accepts it: a page of 1,000 incidents is half a megabyte of
// JSON, and a tenth of that compressed.
func (h *handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	r, _, ok := h.apiSession(w, r)
	if !ok {
		return
	}
	h.forwardAPI(w, r)
}

// apiSession resolves the session cookie of an API request, as serveAPI
// says, and returns the request to pass on with the session's principal
// (the public without a session); false if it answered the request.
func (h *handler) apiSession(w http.ResponseWriter, r *http.Request) (*http.Request, truce.Principal, bool) {
	id := cookieValue(r, sessionCookie)
	if id == "" || r.Header.Get("Authorization") != "" {
		return r, truce.Anonymous, true
	}
	if isUnsafe(r.Method) {
		if err := h.xorig.Check(r); err != nil {
			writeProblem(w, http.StatusForbidden, "cross-origin request refused")
			return nil, truce.Anonymous, false
		}
		if !sameToken(r.Header.Get(csrfHeader), csrfToken(id)) {
			writeProblem(w, http.StatusForbidden, "missing or wrong "+csrfHeader+" header: a request signed in by the session cookie must carry the token of the "+csrfCookie+" cookie")
			return nil, truce.Anonymous, false
		}
	}
	p, err := h.sessionOf(r)
	if truce.ErrorCode(err) == truce.EUNAUTHORIZED {
		h.clearSession(w, r)
		writeProblem(w, http.StatusUnauthorized, truce.ErrorMessage(err))
		return nil, truce.Anonymous, false
	} else if err != nil {
		h.log.ErrorContext(r.Context(), "web: session lookup failed", "err", err)
		writeProblem(w, http.StatusInternalServerError, "internal error")
		return nil, truce.Anonymous, false
	}
	return r.WithContext(truce.WithPrincipal(r.Context(), p)), p, true
}

// forwardAPI passes a request to the API, compressing the response.
func (h *handler) forwardAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && acceptsGzip(r) && r.Header.Get("Range") == "" {
		if inm := r.Header.Get("If-None-Match"); strings.Contains(inm, gzipTagSuffix) {
			// The client holds the tag of the compressed form; the API
			// knows only the plain one.
			r = r.Clone(r.Context())
			r.Header.Set("If-None-Match", strings.ReplaceAll(inm, gzipTagSuffix, `"`))
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		w = gw
	}
	if r.Method == http.MethodPost && r.URL.Path == "/api/v1/agreements" {
		// A new agreement version: prepare its map zones in the background.
		sw := &statusRecorder{ResponseWriter: w}
		h.api.ServeHTTP(sw, r)
		if sw.status == http.StatusCreated {
			h.zones.invalidate()
			go h.zones.warm()
		}
		return
	}
	h.api.ServeHTTP(w, r)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// gzipTagSuffix marks the entity tag of a compressed response: the two
// forms are different representations and must not share a strong tag.
const gzipTagSuffix = `-gz"`

// gzipWriter compresses a response whose type is text or JSON and that is
// not compressed already; it decides when the header is written.
type gzipWriter struct {
	http.ResponseWriter
	decided bool
	gz      *gzip.Writer
}

func compressible(ctype string) bool {
	ct := strings.ToLower(ctype)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "csv")
}

func (g *gzipWriter) decide(code int) {
	if g.decided {
		return
	}
	g.decided = true
	hd := g.Header()
	if hd.Get("Content-Encoding") != "" || !compressible(hd.Get("Content-Type")) {
		return
	}
	hd.Add("Vary", "Accept-Encoding")
	if tag := hd.Get("ETag"); strings.HasSuffix(tag, `"`) {
		hd.Set("ETag", strings.TrimSuffix(tag, `"`)+gzipTagSuffix)
	}
	if code != http.StatusOK {
		return
	}
	hd.Set("Content-Encoding", "gzip")
	hd.Del("Content-Length")
	g.gz = fastGzip.get(g.ResponseWriter)
}

func (g *gzipWriter) WriteHeader(code int) {
	g.decide(code)
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// Flush sends what is compressed so far (streamed exports).
func (g *gzipWriter) Flush() {
	if g.gz != nil {
		_ = g.gz.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) close() {
	if g.gz != nil {
		_ = g.gz.Close()
		fastGzip.put(g.gz)
		g.gz = nil
	}
}

// gzipPool reuses gzip writers of one level. A new writer allocates
// about a megabyte of compressor state, which made up a tenth of the
// server's CPU time under the API load test (bench/load.sh): the
// allocation, clearing the memory, and collecting it again.
type gzipPool struct {
	level int
	pool  sync.Pool
}

var (
	fastGzip = &gzipPool{level: gzip.BestSpeed}       // responses compressed as they are written
	bestGzip = &gzipPool{level: gzip.BestCompression} // bodies compressed once and kept, or small ones
)

// get returns a writer compressing to w.
func (p *gzipPool) get(w io.Writer) *gzip.Writer {
	if zw, ok := p.pool.Get().(*gzip.Writer); ok {
		zw.Reset(w)
		return zw
	}
	zw, _ := gzip.NewWriterLevel(w, p.level) // the level is valid
	return zw
}

// bytes returns b compressed.
func (p *gzipPool) bytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := p.get(&buf)
	_, _ = zw.Write(b) // a bytes.Buffer takes every write
	_ = zw.Close()
	p.put(zw)
	return buf.Bytes()
}

// put returns a closed writer for reuse. The caller MUST NOT use it after.
func (p *gzipPool) put(zw *gzip.Writer) {
	zw.Reset(io.Discard) // drop the reference to the response
	p.pool.Put(zw)
}
