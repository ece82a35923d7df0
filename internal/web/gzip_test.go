package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"sync"
	"testing"
)

// TestGzipReusedWriters checks that API responses compressed by reused
// gzip writers each decompress to their own plain form, many at once: a
// writer returned to the pool while still in use, or not reset, would mix
// one response's bytes into another's.
func TestGzipReusedWriters(t *testing.T) {
	s := newTestServer(t, false)
	paths := []string{"/api/v1/log/key", "/api/v1/log/checkpoint", "/api/v1/openapi.json", "/api/v1/tokens"}
	plain := map[string][]byte{}
	for _, p := range paths {
		resp, b := s.do(t, "GET", p, "admin", "", nil, "Accept-Encoding", "identity")
		if resp.StatusCode != http.StatusOK || len(b) == 0 {
			t.Fatalf("GET %s: %d, %d bytes", p, resp.StatusCode, len(b))
		}
		plain[p] = b
	}
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := paths[i%len(paths)]
			resp, body := s.do(t, "GET", p, "admin", "", nil, "Accept-Encoding", "gzip")
			if resp.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("GET %s: Content-Encoding %q, want gzip", p, resp.Header.Get("Content-Encoding"))
				return
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Errorf("GET %s: %v", p, err)
				return
			}
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, plain[p]) {
				t.Errorf("GET %s: gunzipped %d bytes (%v), want the %d of the plain answer", p, len(got), err, len(plain[p]))
			}
		}()
	}
	wg.Wait()
}

// gunzip decompresses a gzip body.
func gunzip(t *testing.T, gz []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
