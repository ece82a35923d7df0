package witness_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"truce/internal/witness"
)

// TestClient submits a growing log through the client, from a fresh client
// whose idea of the witness's size is wrong, and merges the cosignature.
func TestClient(t *testing.T) {
	ctx := context.Background()
	l := newMemLog(t, "truce.example/log").add("r", 4)
	w := mustStartWitness(t, "witness.example/w1", l)
	c := mustClient(t, w.Witness, l)
	for _, grow := range []int{0, 3, 1, 0, 9} {
		l.add("r", grow)
		cosig, err := c.AddCheckpoint(ctx, l.checkpoint())
		if err != nil {
			t.Fatalf("AddCheckpoint at size %d: %v", l.n, err)
		}
		mustVerifyCosignature(t, l.checkpoint(), string(cosig), w.VerifierKey)
	}

	t.Run("OK/409 then retry from the witness's size", func(t *testing.T) {
		fresh := mustClient(t, w.Witness, l) // believes the witness is at 0
		l.add("r", 2)
		cosig, err := fresh.AddCheckpoint(ctx, l.checkpoint())
		if err != nil {
			t.Fatalf("AddCheckpoint: %v", err)
		}
		signed, err := witness.MergeCosignatures(l.checkpoint(), cosig)
		if err != nil {
			t.Fatal(err)
		}
		p := witness.Policy{Witnesses: []witness.Witness{w.Witness}, Threshold: 1}
		if err := p.Verify(signed, l.vkey); err != nil {
			t.Fatalf("Verify merged checkpoint: %v", err)
		}
	})
	t.Run("ErrConflict/witness ahead of the checkpoint", func(t *testing.T) {
		old := l.fork().add("r", 3) // a consistent prefix, but older than the witness
		_, err := mustClient(t, w.Witness, l).AddCheckpoint(ctx, old.checkpoint())
		var conflict *witness.ConflictError
		if !errors.As(err, &conflict) || conflict.Size != l.n {
			t.Fatalf("AddCheckpoint of an old checkpoint = %v, want ConflictError with size %d", err, l.n)
		}
	})
	t.Run("ErrSplitView", func(t *testing.T) {
		other := l.fork().add("other", int(l.n))
		_, err := c.AddCheckpoint(ctx, other.checkpoint())
		if !errors.Is(err, witness.ErrSplitView) || !strings.Contains(err.Error(), "witness.example/w1") {
			t.Fatalf("AddCheckpoint of a fork = %v, want ErrSplitView naming the witness", err)
		}
	})
	t.Run("ErrUnknownLog", func(t *testing.T) {
		stranger := newMemLog(t, "stranger.example/log").add("s", 1)
		if _, err := mustClient(t, w.Witness, stranger).AddCheckpoint(ctx, stranger.checkpoint()); !errors.Is(err, witness.ErrUnknownLog) {
			t.Fatalf("AddCheckpoint = %v, want ErrUnknownLog", err)
		}
	})
	t.Run("OK/cosignatures by other keys dropped", func(t *testing.T) {
		// A witness answering with an extra line by another key, which a
		// real truce witness never sends: the real witness behind a proxy
		// that appends w2's cosignature.
		w2 := mustStartWitness(t, "witness.example/w2", l)
		extra := mustPost(t, w2.URL, l.body(0)).body
		proxy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got := mustPost(t, w.URL, body)
			if got.status == http.StatusOK {
				got.body += extra
			}
			rw.Header().Set("Content-Type", got.contentType)
			rw.WriteHeader(got.status)
			if _, err := io.WriteString(rw, got.body); err != nil {
				t.Error(err)
			}
		}))
		defer proxy.Close()
		cosig, err := mustClient(t, witness.Witness{Name: "w1", VerifierKey: w.VerifierKey, URL: proxy.URL}, l).AddCheckpoint(ctx, l.checkpoint())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(cosig), "witness.example/w2") || !strings.HasPrefix(string(cosig), "— witness.example/w1 ") || strings.Count(string(cosig), "\n") != 1 {
			t.Fatalf("AddCheckpoint = %q, want only w1's line", cosig)
		}
	})
	t.Run("wrong witness key", func(t *testing.T) {
		_, vkey, err := witness.GenerateKey("witness.example/w1")
		if err != nil {
			t.Fatal(err)
		}
		impostor := witness.Witness{Name: "w1", VerifierKey: vkey, URL: w.URL}
		l.add("r", 1)
		_, err = mustClient(t, impostor, l).AddCheckpoint(ctx, l.checkpoint())
		if err == nil || !strings.Contains(err.Error(), "cosignature does not verify") {
			t.Fatalf("AddCheckpoint with the wrong witness key = %v, want a verification error", err)
		}
	})
}
