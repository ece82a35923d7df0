package witness_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/witness"
)

// TestSplitView forks a log (same origin and key, two histories of the same
// size). One witness refuses the second history; two witnesses shown one
// history each both cosign, and DetectFork names the conflict.
func TestSplitView(t *testing.T) {
	ctx := context.Background()
	a := newMemLog(t, "truce.example/log").add("shared", 3)
	b := a.fork().add("shared", 3)
	a.add("history A", 4)
	b.add("history B", 4)
	if a.n != b.n || a.root(a.n) == b.root(b.n) {
		t.Fatalf("not a fork: sizes %d %d, roots %s %s", a.n, b.n, a.root(a.n), b.root(b.n))
	}
	w1 := mustStartWitness(t, "witness.example/w1", a)
	w2 := mustStartWitness(t, "witness.example/w2", a)
	w1.Name, w2.Name = "w1", "w2"

	cosigA1, err := mustClient(t, w1.Witness, a).AddCheckpoint(ctx, a.checkpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("one witness refuses the second history", func(t *testing.T) {
		got := mustPost(t, w1.URL, b.body(a.n))
		if got.status != http.StatusConflict || !strings.Contains(got.body, "split view") {
			t.Fatalf("POST history B at the same size = %d %q, want 409 split view", got.status, got.body)
		}
		// From the shared prefix, B's proof cannot reach A's cosigned tree.
		if got := mustPost(t, w1.URL, b.body(3)); got.status != http.StatusConflict {
			t.Fatalf("POST history B from size 3 = %d %q, want 409", got.status, got.body)
		}
		st, err := w1.Store.State(ctx, a.origin)
		if err != nil || st.Root != a.root(a.n) {
			t.Fatalf("w1 state = %+v, %v; want history A", st, err)
		}
	})

	cosigB2, err := mustClient(t, w2.Witness, b).AddCheckpoint(ctx, b.checkpoint())
	if err != nil {
		t.Fatal(err)
	}
	signedA, err := witness.MergeCosignatures(a.checkpoint(), cosigA1)
	if err != nil {
		t.Fatal(err)
	}
	signedB, err := witness.MergeCosignatures(b.checkpoint(), cosigB2)
	if err != nil {
		t.Fatal(err)
	}
	ws := []witness.Witness{w1.Witness, w2.Witness}
	t.Run("DetectFork names the conflict", func(t *testing.T) {
		err := witness.DetectFork(signedA, signedB, nil, a.vkey, ws)
		var sv *witness.SplitViewError
		if !errors.As(err, &sv) || !errors.Is(err, witness.ErrSplitView) {
			t.Fatalf("DetectFork = %v, want a SplitViewError", err)
		}
		want := &witness.SplitViewError{Origin: a.origin, Size: a.n, RootA: a.root(a.n), RootB: b.root(b.n),
			SignersA: []string{"log", "w1"}, SignersB: []string{"log", "w2"}}
		if diff := cmp.Diff(want, sv); diff != "" {
			t.Errorf("SplitViewError (-want +got):\n%s", diff)
		}
		for _, s := range []string{"truce.example/log", "size 7", a.root(7).String(), b.root(7).String(), "w1", "w2"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q does not name %s", err, s)
			}
		}
	})
	t.Run("DetectFork consistent checkpoints", func(t *testing.T) {
		if err := witness.DetectFork(signedA, signedA, nil, a.vkey, ws); err != nil {
			t.Fatalf("DetectFork of one checkpoint with itself = %v", err)
		}
		older := a.fork().add("shared", 3)
		p, err := a.proof(ctx, 3, a.n)
		if err != nil {
			t.Fatal(err)
		}
		if err := witness.DetectFork(older.checkpoint(), signedA, p, a.vkey, ws); err != nil {
			t.Fatalf("DetectFork of a prefix with its proof = %v", err)
		}
		if err := witness.DetectFork(older.checkpoint(), signedB, p, a.vkey, ws); !errors.Is(err, witness.ErrBadProof) {
			t.Fatalf("DetectFork with A's proof against B = %v, want ErrBadProof", err)
		}
		if err := witness.DetectFork(older.checkpoint(), signedA, tlog.TreeProof{}, a.vkey, ws); !errors.Is(err, witness.ErrBadProof) {
			t.Fatalf("DetectFork of different sizes without proof = %v, want ErrBadProof", err)
		}
	})
	t.Run("DetectFork needs the log's signature", func(t *testing.T) {
		impostor := newMemLog(t, a.origin).add("x", int(a.n))
		if err := witness.DetectFork(signedA, impostor.checkpoint(), nil, a.vkey, ws); !errors.Is(err, witness.ErrNotSigned) {
			t.Fatalf("DetectFork with a checkpoint by another key = %v, want ErrNotSigned", err)
		}
	})
	t.Run("a 2-of-2 policy never accepts both", func(t *testing.T) {
		p := witness.Policy{Witnesses: ws, Threshold: 2}
		if p.Verify(signedA, a.vkey) == nil || p.Verify(signedB, a.vkey) == nil {
			t.Fatal("a 2-of-2 policy accepted a checkpoint cosigned by one witness")
		}
	})
}
