package witness_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/witness"
)

// memLog is a real RFC 6962 log kept in memory, signing checkpoints with a
// real note key through the ledger package.
type memLog struct {
	tb                 testing.TB
	origin, skey, vkey string
	stored             []tlog.Hash
	n                  int64
}

func newMemLog(tb testing.TB, origin string) *memLog {
	tb.Helper()
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		tb.Fatal(err)
	}
	return &memLog{tb: tb, origin: origin, skey: skey, vkey: vkey}
}

// fork returns an empty log with l's origin and key: a second history.
func (l *memLog) fork() *memLog {
	return &memLog{tb: l.tb, origin: l.origin, skey: l.skey, vkey: l.vkey}
}

func (l *memLog) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = l.stored[x]
		}
		return out, nil
	})
}

// add appends n records "<prefix> <index>".
func (l *memLog) add(prefix string, n int) *memLog {
	l.tb.Helper()
	for range n {
		hs, err := tlog.StoredHashes(l.n, []byte(prefix+" "+strconv.FormatInt(l.n, 10)), l.reader())
		if err != nil {
			l.tb.Fatal(err)
		}
		l.stored = append(l.stored, hs...)
		l.n++
	}
	return l
}

func (l *memLog) root(size int64) tlog.Hash {
	l.tb.Helper()
	h, err := tlog.TreeHash(size, l.reader())
	if err != nil {
		l.tb.Fatal(err)
	}
	return h
}

// checkpoint signs a checkpoint of the current size.
func (l *memLog) checkpoint() []byte {
	l.tb.Helper()
	msg, err := ledger.Sign(l.skey, ledger.Checkpoint{Origin: l.origin, Size: l.n, Hash: l.root(l.n)})
	if err != nil {
		l.tb.Fatal(err)
	}
	return msg
}

func (l *memLog) proof(_ context.Context, old, size int64) ([]tlog.Hash, error) {
	return tlog.ProveTree(size, old, l.reader())
}

// body returns an add-checkpoint body from old to the current size.
func (l *memLog) body(old int64) []byte {
	l.tb.Helper()
	req := witness.AddCheckpoint{OldSize: old, Checkpoint: l.checkpoint()}
	if old > 0 && old < l.n {
		p, err := l.proof(context.Background(), old, l.n)
		if err != nil {
			l.tb.Fatal(err)
		}
		req.Proof = p
	}
	return req.Bytes()
}

// testWitness is a witness server on loopback with a real SQLite file.
type testWitness struct {
	witness.Witness
	Store *witness.Store
	DB    string
}

func mustStartWitness(tb testing.TB, name string, logs ...*memLog) *testWitness {
	tb.Helper()
	db := filepath.Join(tb.TempDir(), "witness.db")
	skey, vkey, err := witness.GenerateKey(name)
	if err != nil {
		tb.Fatal(err)
	}
	st := mustOpenStore(tb, db)
	srv := mustServer(tb, st, skey, logs...)
	if srv.VerifierKey() != vkey {
		tb.Fatalf("server verifier key %q, GenerateKey said %q", srv.VerifierKey(), vkey)
	}
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return &testWitness{Witness: witness.Witness{Name: name, VerifierKey: vkey, URL: hs.URL}, Store: st, DB: db}
}

func mustOpenStore(tb testing.TB, path string) *witness.Store {
	tb.Helper()
	st, err := witness.OpenStore(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func mustServer(tb testing.TB, st *witness.Store, skey string, logs ...*memLog) *witness.Server {
	tb.Helper()
	var cfg []witness.Log
	for _, l := range logs {
		cfg = append(cfg, witness.Log{Origin: l.origin, VerifierKey: l.vkey})
	}
	srv, err := witness.NewServer(st, skey, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

type response struct {
	status      int
	contentType string
	body        string
}

func mustPost(tb testing.TB, url string, body []byte) response {
	tb.Helper()
	resp, err := http.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

func mustClient(tb testing.TB, w witness.Witness, l *memLog) *witness.Client {
	tb.Helper()
	c, err := witness.NewClient(w, l.proof, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func mustCosignatureVerifier(tb testing.TB, vkey string) *torchwood.CosignatureVerifier {
	tb.Helper()
	v, err := torchwood.NewCosignatureVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
