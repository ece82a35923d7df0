package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// etagLimit is the largest response etags buffers to hash; larger ones
// stream without an ETag.
const etagLimit = 8 << 20

// etags adds a strong ETag to successful GET responses of the API and
// answers a matching If-None-Match with 304 Not Modified.
func etags(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/api/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferWriter{w: w, header: w.Header()}
		next.ServeHTTP(bw, r)
		if bw.passthrough {
			return
		}
		status := bw.status
		if status == 0 {
			status = http.StatusOK
		}
		if status == http.StatusOK {
			sum := sha256.Sum256(bw.buf.Bytes())
			tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
			w.Header().Set("ETag", tag)
			if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, tag) {
				w.Header().Del("Content-Length")
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.WriteHeader(status)
		_, _ = w.Write(bw.buf.Bytes())
	})
}

func etagMatch(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}

// bufferWriter holds a response until it is complete, or passes it
// through once it outgrows etagLimit.
type bufferWriter struct {
	w           http.ResponseWriter
	header      http.Header
	buf         bytes.Buffer
	status      int
	passthrough bool
}

func (b *bufferWriter) Header() http.Header { return b.header }

func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.passthrough {
		return b.w.Write(p)
	}
	if b.buf.Len()+len(p) > etagLimit {
		b.passthrough = true
		if b.status == 0 {
			b.status = http.StatusOK
		}
		b.w.WriteHeader(b.status)
		if _, err := b.w.Write(b.buf.Bytes()); err != nil {
			return 0, err
		}
		b.buf.Reset()
		return b.w.Write(p)
	}
	return b.buf.Write(p)
}

func (b *bufferWriter) Flush() {}
