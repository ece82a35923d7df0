package witness_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/witness"
)

// TestAddCheckpoint walks one log through a witness and checks every
// C2SP tlog-witness status.
func TestAddCheckpoint(t *testing.T) {
	l := newMemLog(t, "truce.example/log").add("r", 5)
	w := mustStartWitness(t, "witness.example/w1", l)
	wantStatus := func(t *testing.T, body []byte, status int, bodyHas string) response {
		t.Helper()
		got := mustPost(t, w.URL, body)
		if got.status != status || !strings.Contains(got.body, bodyHas) {
			t.Fatalf("POST = %d %q, want %d with %q", got.status, got.body, status, bodyHas)
		}
		return got
	}

	t.Run("OK/first checkpoint from 0", func(t *testing.T) {
		got := wantStatus(t, l.body(0), http.StatusOK, "— witness.example/w1 ")
		mustVerifyCosignature(t, l.checkpoint(), got.body, w.VerifierKey)
	})
	t.Run("OK/same checkpoint again, carrying another witness's cosignature", func(t *testing.T) {
		other := mustStartWitness(t, "witness.example/w2", l)
		cosig := mustPost(t, other.URL, l.body(0))
		signed, err := witness.MergeCosignatures(l.checkpoint(), []byte(cosig.body))
		if err != nil {
			t.Fatal(err)
		}
		got := wantStatus(t, witness.AddCheckpoint{OldSize: 5, Checkpoint: signed}.Bytes(), http.StatusOK, "— witness.example/w1 ")
		mustVerifyCosignature(t, l.checkpoint(), got.body, w.VerifierKey)
	})
	l.add("r", 4) // size 9
	t.Run("ErrConflict/stale old size", func(t *testing.T) {
		got := wantStatus(t, l.body(3), http.StatusConflict, "")
		if got.contentType != "text/x.tlog.size" || got.body != "5\n" {
			t.Fatalf("409 = %q %q, want text/x.tlog.size \"5\\n\"", got.contentType, got.body)
		}
	})
	t.Run("ErrBadProof", func(t *testing.T) {
		req, err := witness.ParseAddCheckpoint(l.body(5))
		if err != nil {
			t.Fatal(err)
		}
		req.Proof[0][0] ^= 1
		wantStatus(t, req.Bytes(), http.StatusUnprocessableEntity, "consistency proof does not verify")
	})
	t.Run("ErrBadProof/proof missing", func(t *testing.T) {
		wantStatus(t, witness.AddCheckpoint{OldSize: 5, Checkpoint: l.checkpoint()}.Bytes(), http.StatusUnprocessableEntity, "from size 5")
	})
	t.Run("OK/extend with proof", func(t *testing.T) {
		wantStatus(t, l.body(5), http.StatusOK, "— witness.example/w1 ")
		st, err := w.Store.State(context.Background(), l.origin)
		if err != nil || st.Size != 9 || st.Root != l.root(9) || !bytes.Equal(st.Checkpoint, l.checkpoint()) {
			t.Fatalf("State = %+v, %v; want size 9, root %s", st, err, l.root(9))
		}
	})
	t.Run("ErrSplitView/same size other root", func(t *testing.T) {
		other := l.fork().add("other", 9)
		got := wantStatus(t, other.body(9), http.StatusConflict, "split view")
		for _, want := range []string{`"truce.example/log"`, "size 9", l.root(9).String(), other.root(9).String()} {
			if !strings.Contains(got.body, want) {
				t.Errorf("409 body %q does not name %s", got.body, want)
			}
		}
	})
	t.Run("ErrMalformed/smaller checkpoint", func(t *testing.T) {
		small := l.fork().add("r", 7)
		wantStatus(t, small.body(9), http.StatusBadRequest, "larger than the checkpoint size 7")
	})
	t.Run("ErrUnknownLog", func(t *testing.T) {
		stranger := newMemLog(t, "stranger.example/log").add("s", 2)
		wantStatus(t, stranger.body(0), http.StatusNotFound, "stranger.example/log")
	})
	t.Run("ErrNotSigned/other key", func(t *testing.T) {
		impostor := newMemLog(t, l.origin).add("r", 9)
		wantStatus(t, impostor.body(9), http.StatusForbidden, "no signature by key truce.example/log+")
	})
	t.Run("ErrNotSigned/bad signature", func(t *testing.T) {
		cp := l.checkpoint()
		i := bytes.LastIndexByte(cp[:len(cp)-1], ' ') + 1
		sig, err := base64.StdEncoding.DecodeString(string(cp[i : len(cp)-1]))
		if err != nil {
			t.Fatal(err)
		}
		sig[10] ^= 1 // in the Ed25519 signature, after the 4-byte key hash
		bad := append(cp[:i:i], base64.StdEncoding.EncodeToString(sig)+"\n"...)
		wantStatus(t, witness.AddCheckpoint{OldSize: 9, Checkpoint: bad}.Bytes(), http.StatusForbidden, "invalid signature by key truce.example/log+")
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		cp := string(l.checkpoint())
		for _, body := range []string{
			"",
			"old 9\n" + cp,               // no blank line
			"old 09\n\n" + cp,            // leading zero
			"old -1\n\n" + cp,            // sign
			"new 9\n\n" + cp,             // wrong keyword
			"old 9\nnot base64\n\n" + cp, // bad proof line
			"old 0\n" + l.root(1).String() + "\n\n" + cp, // proof from 0
			"old 9\n\nnot a note\n",                      // no signatures
			"old 9\n" + strings.Repeat(l.root(1).String()+"\n", 64) + "\n" + cp,
		} {
			if got := mustPost(t, w.URL, []byte(body)); got.status != http.StatusBadRequest {
				t.Errorf("POST %q = %d %q, want 400", clipped(body), got.status, got.body)
			}
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		// One byte over the bound is refused unread; at the bound the body
		// is read and judged (here: malformed).
		over := bytes.Repeat([]byte("x"), witness.MaxBodyBytes+1)
		if got := mustPost(t, w.URL, over); got.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("POST %d bytes = %d %q, want 413", len(over), got.status, got.body)
		}
		if got := mustPost(t, w.URL, over[1:]); got.status != http.StatusBadRequest {
			t.Fatalf("POST %d bytes = %d %q, want 400", len(over)-1, got.status, got.body)
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		resp, err := http.Get(w.URL + "/add-checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET = %d, want 405", resp.StatusCode)
		}
	})
}

func clipped(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// mustVerifyCosignature checks a cosignature line with sumdb/note and
// torchwood's verifier for the witness key.
func mustVerifyCosignature(tb testing.TB, checkpoint []byte, cosig, vkey string) {
	tb.Helper()
	v := mustCosignatureVerifier(tb, vkey)
	text := checkpoint[:bytes.LastIndex(checkpoint, []byte("\n\n"))+1]
	n, err := note.Open(append(append(bytes.Clone(text), '\n'), cosig...), note.VerifierList(v))
	if err != nil {
		tb.Fatalf("cosignature %q does not verify: %v", cosig, err)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		tb.Fatalf("cosignature response %q: %d verified, %d other signatures; want 1, 0", cosig, len(n.Sigs), len(n.UnverifiedSigs))
	}
}

// TestAddCheckpointRace sends many extensions of the same cosigned size at
// once: the compare-and-swap lets exactly one through, the others get 409
// with the winner's size.
func TestAddCheckpointRace(t *testing.T) {
	l := newMemLog(t, "truce.example/log").add("r", 3)
	w := mustStartWitness(t, "witness.example/w1", l)
	if got := mustPost(t, w.URL, l.body(0)); got.status != http.StatusOK {
		t.Fatalf("first POST = %d %q", got.status, got.body)
	}
	const n = 8
	var bodies [n][]byte
	for i := range bodies {
		l.add("r", 1)
		bodies[i] = l.body(3) // sizes 4 … 11, all from 3
	}
	var wg sync.WaitGroup
	var got [n]response
	for i := range bodies {
		wg.Go(func() { got[i] = mustPost(t, w.URL, bodies[i]) })
	}
	wg.Wait()
	winner := -1
	for i, r := range got {
		if r.status == http.StatusOK {
			if winner >= 0 {
				t.Fatalf("requests %d and %d from size 3 were both cosigned", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no request cosigned: %+v", got)
	}
	for i, r := range got {
		if i != winner && (r.status != http.StatusConflict || r.body != fmt.Sprintf("%d\n", 4+winner)) {
			t.Errorf("request %d = %d %q, want 409 %d", i, r.status, r.body, 4+winner)
		}
	}
	st, err := w.Store.State(context.Background(), l.origin)
	if err != nil || st.Size != int64(4+winner) {
		t.Fatalf("State = size %d, %v; want %d", st.Size, err, 4+winner)
	}
}

// TestStoreRestart closes the witness database and opens it again: the
// cosigned state is kept and a restarted server goes on from it.
func TestStoreRestart(t *testing.T) {
	ctx := context.Background()
	l := newMemLog(t, "truce.example/log").add("r", 6)
	w := mustStartWitness(t, "witness.example/w1", l)
	if got := mustPost(t, w.URL, l.body(0)); got.status != http.StatusOK {
		t.Fatalf("POST = %d %q", got.status, got.body)
	}
	if err := w.Store.Close(); err != nil {
		t.Fatal(err)
	}
	st := mustOpenStore(t, w.DB)
	got, err := st.State(ctx, l.origin)
	if err != nil || got.Size != 6 || got.Root != l.root(6) {
		t.Fatalf("State after reopen = %+v, %v; want size 6 root %s", got, err, l.root(6))
	}
	skey, _, err := witness.GenerateKey("witness.example/w2")
	if err != nil {
		t.Fatal(err)
	}
	srv := mustServer(t, st, skey, l)
	l.add("r", 2)
	if _, err := srv.AddCheckpoint(ctx, l.body(0)); !errors.Is(err, witness.ErrConflict) {
		t.Fatalf("AddCheckpoint from 0 after restart = %v, want ErrConflict", err)
	}
	if _, err := srv.AddCheckpoint(ctx, l.body(6)); err != nil {
		t.Fatalf("AddCheckpoint from 6 after restart = %v", err)
	}
	if _, err := st.State(ctx, "other.example/log"); !errors.Is(err, witness.ErrNoState) {
		t.Fatalf("State of an unseen log = %v, want ErrNoState", err)
	}
}

// TestStoreAdvanceError checks that a refused advance changes nothing.
func TestStoreAdvanceError(t *testing.T) {
	ctx := context.Background()
	st := mustOpenStore(t, t.TempDir()+"/w.db")
	h := tlog.RecordHash([]byte("x"))
	if err := st.Advance(ctx, "o", func(*witness.State) (witness.State, error) {
		return witness.State{Origin: "o", Size: 1, Root: h, Checkpoint: []byte("c")}, nil
	}); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	err := st.Advance(ctx, "o", func(prev *witness.State) (witness.State, error) {
		if prev == nil || prev.Size != 1 || prev.Root != h {
			t.Errorf("prev = %+v, want size 1", prev)
		}
		return witness.State{}, refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Advance = %v, want the callback's error", err)
	}
	if got, err := st.State(ctx, "o"); err != nil || got.Size != 1 {
		t.Fatalf("State = %+v, %v; want size 1", got, err)
	}
}
