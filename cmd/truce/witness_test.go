package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/witness"
)

// TestWitnessKeygen writes a key file and checks that only the verifier
// key is printed and the file is private.
func TestWitnessKeygen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "witness.key")
	out, _ := mustRun(t, "witness", "keygen", "--name", "witness.example/w1", "--out", path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vkey, err := witness.VerifierKey(string(b))
	if err != nil || out != vkey+"\n" {
		t.Fatalf("keygen printed %q; the key file's verifier key is %q (%v)", out, vkey, err)
	}
	if strings.Contains(out, "PRIVATE") {
		t.Fatal("keygen --out printed the signer key")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if _, _, err := runTruce(t, "witness", "keygen", "--name", "witness.example/w1", "--out", path); err == nil {
		t.Fatal("keygen overwrote an existing key file")
	}
}

// TestWitnessConfigErrors checks that a bad configuration names what is
// wrong and never prints the signer key.
func TestWitnessConfigErrors(t *testing.T) {
	dir := t.TempDir()
	skey, _, err := witness.GenerateKey("witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	seed := strings.SplitN(skey, "+", 5)[4] // the private key material
	good := filepath.Join(dir, "good.key")
	bad := filepath.Join(dir, "bad.key")
	for path, data := range map[string]string{good: skey + "\n", bad: skey[:len(skey)-4] + "\n"} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, logV, err := ledger.GenerateKey("truce.example/log")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no logs", []string{"--key", good}, "no logs to witness"},
		{"bad --log", []string{"--key", good, "--log", "truce.example/log"}, "want <origin>=<verifier key>"},
		{"bad log key", []string{"--key", good, "--log", "truce.example/log=nonsense"}, `log "truce.example/log": verifier key`},
		{"bad signer key", []string{"--key", bad, "--log", "truce.example/log=" + logV}, "--key " + bad},
		{"missing --logs file", []string{"--key", good, "--logs", filepath.Join(dir, "none")}, "--logs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, err := runTruce(t, append([]string{"witness", "--db", db, "--addr", "127.0.0.1:0"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("truce witness = %v, want an error naming %q", err, tt.want)
			}
			if strings.Contains(err.Error()+errs, seed[:16]) {
				t.Fatalf("the error or log shows the signer key: %v %s", err, errs)
			}
		})
	}
}

// witnessProc is a running `truce witness` process.
type witnessProc struct {
	cmd *exec.Cmd
	url string
}

func startWitness(t *testing.T, bin string, args ...string) witnessProc {
	t.Helper()
	return startWitnessAt(t, bin, fmt.Sprintf("127.0.0.1:%d", freePort(t)), args...)
}

// startWitnessAt starts `truce witness` listening on addr.
func startWitnessAt(t *testing.T, bin, addr string, args ...string) witnessProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"witness", "--addr", addr}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // already dead after a SIGKILL round
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return witnessProc{cmd: cmd, url: "http://" + addr}
		}
	}
	t.Fatalf("truce witness did not listen on %s:\n%s", addr, stderr.String())
	return witnessProc{}
}

// memTree is a log of n records held in memory, read-only once built.
type memTree struct{ stored []tlog.Hash }

func newMemTree(t *testing.T, n int64) *memTree {
	m := &memTree{}
	for i := range n {
		hs, err := tlog.StoredHashes(i, fmt.Appendf(nil, "record %d", i), m)
		if err != nil {
			t.Fatal(err)
		}
		m.stored = append(m.stored, hs...)
	}
	return m
}

func (m *memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.stored[x]
	}
	return out, nil
}

func (m *memTree) root(t *testing.T, size int64) tlog.Hash {
	h, err := tlog.TreeHash(size, m)
	if err != nil {
		t.Error(err)
	}
	return h
}

// TestWitnessKilled runs the real binary, kills it with SIGKILL while a
// log submits ever larger checkpoints, and checks after each kill that the
// witness's file holds at least every size it acknowledged (at most the
// one in flight more), with the right root, and that a restarted witness
// goes on from there.
func TestWitnessKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the truce binary: runs in the full pass of scripts/test.sh")
	}
	bin, err := buildTruce()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, keyFile := filepath.Join(dir, "witness.db"), filepath.Join(dir, "witness.key")
	out, _ := mustRun(t, "witness", "keygen", "--name", "witness.example/w1", "--out", keyFile)
	const origin = "truce.example/log"
	lskey, lvkey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	tree := newMemTree(t, 2000)
	checkpoint := func(size int64) []byte {
		msg, err := ledger.Sign(lskey, ledger.Checkpoint{Origin: origin, Size: size, Hash: tree.root(t, size)})
		if err != nil {
			t.Error(err)
		}
		return msg
	}
	proof := func(_ context.Context, old, size int64) ([]tlog.Hash, error) { return tlog.ProveTree(size, old, tree) }
	var acked int64
	for round := range 4 {
		p := startWitness(t, bin, "--db", db, "--key", keyFile, "--log", origin+"="+lvkey)
		c, err := witness.NewClient(witness.Witness{Name: "w1", VerifierKey: strings.TrimSpace(out), URL: p.url}, proof, nil)
		if err != nil {
			t.Fatal(err)
		}
		killAt := time.Now().Add(time.Duration(50+40*round) * time.Millisecond)
		go func() {
			time.Sleep(time.Until(killAt))
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Errorf("round %d: SIGKILL: %v", round, err)
			}
		}()
		for size := acked + 1; size < int64(len(tree.stored)); size += 1 + size%3 {
			if _, err := c.AddCheckpoint(ctx, checkpoint(size)); err != nil {
				if time.Now().Before(killAt) {
					t.Fatalf("round %d: AddCheckpoint at size %d before the kill: %v", round, size, err)
				}
				break
			}
			acked = size
		}
		_ = p.cmd.Wait() // "signal: killed"
		st, err := witness.OpenStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.State(ctx, origin)
		st.Close()
		if err != nil || got.Size < acked || got.Size > acked+3 || got.Root != tree.root(t, got.Size) {
			t.Fatalf("round %d: state after SIGKILL = size %d root %s (%v); acknowledged size %d", round, got.Size, got.Root, err, acked)
		}
		t.Logf("round %d: acknowledged %d, stored %d", round, acked, got.Size)
		acked = got.Size
	}
	p := startWitness(t, bin, "--db", db, "--key", keyFile, "--log", origin+"="+lvkey)
	c, err := witness.NewClient(witness.Witness{Name: "w1", VerifierKey: strings.TrimSpace(out), URL: p.url}, proof, nil)
	if err != nil {
		t.Fatal(err)
	}
	var conflict *witness.ConflictError
	if _, err := c.AddCheckpoint(ctx, checkpoint(acked-1)); !errors.As(err, &conflict) || conflict.Size != acked {
		t.Fatalf("after restarts, a checkpoint older than the state = %v, want 409 with size %d", err, acked)
	}
	if _, err := c.AddCheckpoint(ctx, checkpoint(acked+5)); err != nil {
		t.Fatalf("after restarts, AddCheckpoint from the stored size: %v", err)
	}
}
