package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/store/pgtest"
	"truce/internal/witness"
)

// TestWitnessedLog runs one log server and three `truce witness`
// processes on loopback under a 2-of-3 witness policy, on both stores:
// every final checkpoint meets the policy; writes go on while witnesses
// are down; with one witness left no checkpoint becomes final; a
// restarted witness catches up from its stored state; the exported
// bundle verifies against the policy; and a forked checkpoint (the same
// size, another root, signed with the log's own key) is refused by a
// witness that cosigned the real one, while `truce log verify --against`
// names the split view.
func TestWitnessedLog(t *testing.T) {
	heavy(t)
	bin, err := buildTruce()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("sqlite", func(t *testing.T) { witnessedLog(t, bin, filepath.Join(t.TempDir(), "truce.db")) })
	t.Run("postgres", func(t *testing.T) { witnessedLog(t, bin, pgtest.Schema(t)) })
}

// witnessed is the running system of TestWitnessedLog.
type witnessed struct {
	t         *testing.T
	bin, db   string
	dir       string
	base      string
	origin    string
	logKey    string
	names     []string
	keys      []string // signer key files
	verifiers []string
	dbs       []string
	procs     []witnessProc
	policy    witness.Policy
	monitor   string
	written   int
	server    *exec.Cmd
}

func witnessedLog(t *testing.T, bin, db string) {
	w := &witnessed{t: t, bin: bin, db: db, dir: t.TempDir()}
	w.startServer()
	for i := range 3 {
		w.addWitness(fmt.Sprintf("witness.test/w%d", i+1))
	}
	agr := w.uploadAgreement(2)
	var seen sync.Map
	stop := w.watchFinal(&seen)
	defer stop()

	w.write(10)
	w.waitFinal(w.settledSize())
	w.kill(2) // writes go on; two witnesses still make a checkpoint final
	w.write(10)
	w.waitFinal(w.settledSize())
	w.kill(1) // one witness left: nothing more becomes final
	w.write(5)
	w.settledSize()
	final := w.finalSize()
	time.Sleep(1500 * time.Millisecond)
	if latest, now := w.latestSize(), w.finalSize(); now != final || latest <= final {
		t.Errorf("with one witness: final %d -> %d while the latest is %d; want the final checkpoint to stay", final, now, latest)
	}
	w.restart(1) // from its stored state: it needs a consistency proof
	last := w.latestSize()
	w.waitFinal(last)
	w.waitSeen(&seen, last) // the watcher checks the last final checkpoint too
	stop()
	if n := countSeen(&seen); n < 2 {
		t.Errorf("saw %d final checkpoints, want several", n)
	}

	bundle := filepath.Join(w.dir, "log.jsonl")
	mustRun(t, "log", "export", "--db", db, "--out", bundle)
	out, _ := mustRun(t, "log", "verify", "--bundle", bundle, "--policy", agr)
	if !strings.Contains(out, "final checkpoint: size") || !strings.Contains(out, "bundle verified") {
		t.Errorf("log verify --bundle --policy:\n%s", out)
	}
	// A party checks the log against its own witness's latest state.
	state, _ := mustRun(t, "witness", "state", "--db", w.dbs[0], "--origin", w.origin)
	statePath := filepath.Join(w.dir, "w1-state.note")
	if err := os.WriteFile(statePath, []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ = mustRun(t, "log", "verify", "--db", db, "--policy", agr, "--against", statePath)
	if !strings.Contains(out, "is consistent with this log") {
		t.Errorf("log verify --against the witness's state:\n%s", out)
	}
	w.fork(agr)
}

func (w *witnessed) startServer() {
	t := w.t
	port := freePort(t)
	cmd := exec.Command(w.bin, "serve", "--db", w.db, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--write-rate", "0")
	if p := os.Getenv("TRUCE_TEST_SERVE_LOG"); p != "" {
		f, _ := os.Create(p)
		cmd.Stderr = f
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	w.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	w.server = cmd
	waitHealthy(t, w.base)
	_, key := (client{t, w.base, ""}).do("GET", "/api/v1/log/key", "", nil)
	w.logKey = strings.TrimSpace(string(key))
	w.origin, _, _ = strings.Cut(w.logKey, "+")
	w.monitor = mustToken(t, w.db, "monitor", "")
}

func (w *witnessed) addWitness(name string) {
	i := len(w.names)
	keyFile := filepath.Join(w.dir, fmt.Sprintf("w%d.key", i+1))
	out, _ := mustRun(w.t, "witness", "keygen", "--name", name, "--out", keyFile)
	w.names = append(w.names, name)
	w.keys = append(w.keys, keyFile)
	w.verifiers = append(w.verifiers, strings.TrimSpace(out))
	w.dbs = append(w.dbs, filepath.Join(w.dir, fmt.Sprintf("w%d.db", i+1)))
	w.procs = append(w.procs, witnessProc{})
	w.restart(i)
}

// restart starts witness i on its state file, at its address.
func (w *witnessed) restart(i int) {
	args := []string{"--db", w.dbs[i], "--key", w.keys[i], "--log", w.origin + "=" + w.logKey}
	if w.procs[i].url == "" {
		w.procs[i] = startWitness(w.t, w.bin, args...)
		return
	}
	w.procs[i] = startWitnessAt(w.t, w.bin, strings.TrimPrefix(w.procs[i].url, "http://"), args...)
}

func (w *witnessed) kill(i int) {
	_ = w.procs[i].cmd.Process.Kill()
	_ = w.procs[i].cmd.Wait()
}

// uploadAgreement uploads the API tests' small agreement with a policy of
// threshold of the witnesses, and returns the file it wrote.
func (w *witnessed) uploadAgreement(threshold int) string {
	t := w.t
	src, err := os.ReadFile("../../internal/httpapi/testdata/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, _ := strings.Cut(string(src), "# One witness")
	doc += fmt.Sprintf("witnesses:\n  threshold: %d\n  list:\n", threshold)
	for i, n := range w.names {
		doc += fmt.Sprintf("    - {name: %s, key: %q, url: %q}\n", n, w.verifiers[i], w.procs[i].url)
		w.policy.Witnesses = append(w.policy.Witnesses, witness.Witness{Name: n, VerifierKey: w.verifiers[i], URL: w.procs[i].url})
	}
	w.policy.Threshold = threshold
	path := filepath.Join(w.dir, "agreement.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	admin := mustToken(t, w.db, "admin", "")
	if st, b := (client{t, w.base, admin}).do("POST", "/api/v1/agreements", "application/yaml", []byte(doc)); st != http.StatusCreated {
		t.Fatalf("upload agreement: %d %s", st, b)
	}
	return path
}

func (w *witnessed) write(n int) {
	c := client{w.t, w.base, w.monitor}
	for range n {
		w.written++
		body := fmt.Sprintf(`{"time":"2025-04-02T10:00:00Z","lon":30.5,"lat":50.%04d,"text":"witnessed report %d"}`, w.written, w.written)
		if st, b := c.do("POST", "/api/v1/reports", "application/json", []byte(body)); st != http.StatusCreated {
			w.t.Fatalf("write %d: %d %s", w.written, st, b)
		}
	}
}

func (w *witnessed) size(path string) int64 {
	st, b := (client{w.t, w.base, ""}).do("GET", path, "", nil)
	if st == http.StatusNotFound {
		return 0
	}
	c, err := ledger.Open(w.logKey, b)
	if err != nil {
		w.t.Fatalf("GET %s: %d %v\n%s", path, st, err, b)
	}
	return c.Size
}

func (w *witnessed) latestSize() int64 { return w.size("/api/v1/log/checkpoint") }

// settledSize waits until the writes made so far are integrated: a write
// is acknowledged once sequenced and integrated into the latest checkpoint
// tens of milliseconds later, so the size is read until it stops growing.
func (w *witnessed) settledSize() int64 {
	size := w.latestSize()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		now := w.latestSize()
		if now == size {
			return size
		}
		size = now
	}
	w.t.Fatalf("the latest checkpoint still grows after 30 s (size %d)", size)
	return 0
}

// waitSeen waits until the watcher has checked a final checkpoint of at
// least size: waitFinal may see it first.
func (w *witnessed) waitSeen(seen *sync.Map, size int64) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		found := false
		seen.Range(func(k, _ any) bool {
			lines := strings.Split(k.(string), "\n")
			if len(lines) > 1 {
				if n, err := strconv.ParseInt(lines[1], 10, 64); err == nil && n >= size {
					found = true
				}
			}
			return !found
		})
		if found {
			return
		}
	}
	w.t.Fatalf("the watcher saw no final checkpoint of size %d in 10 s", size)
}
func (w *witnessed) finalSize() int64 { return w.size("/api/v1/log/checkpoint/final") }

// waitFinal waits until the final checkpoint reaches size.
func (w *witnessed) waitFinal(size int64) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if w.finalSize() >= size {
			return
		}
	}
	_, latest := (client{w.t, w.base, ""}).do("GET", "/api/v1/log/checkpoint", "", nil)
	if os.Getenv("TRUCE_TEST_SERVE_LOG") != "" {
		_ = w.server.Process.Signal(syscall.SIGQUIT)
		time.Sleep(time.Second)
	}
	w.t.Fatalf("the final checkpoint did not reach size %d in 30 s (it is %d); the latest:\n%s", size, w.finalSize(), latest)
}

// watchFinal checks every final checkpoint served, until stopped: each
// must meet the 2-of-3 policy.
func (w *witnessed) watchFinal(seen *sync.Map) func() {
	done := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			st, b := (client{w.t, w.base, ""}).do("GET", "/api/v1/log/checkpoint/final", "", nil)
			if st != http.StatusOK {
				continue
			}
			if err := w.policy.Verify(b, w.logKey); err != nil {
				w.t.Errorf("a final checkpoint does not meet the policy: %v\n%s", err, b)
			}
			seen.Store(string(b[:strings.Index(string(b), "\n\n")]), true)
		}
	}()
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

func countSeen(m *sync.Map) int {
	n := 0
	m.Range(func(any, any) bool { n++; return true })
	return n
}

// fork signs, with the log's own key, a checkpoint of the final size with
// another root: what an operator showing one party a different history
// would do. A witness that cosigned the real checkpoint refuses it; a
// witness with no state (a fresh one under w3's key) cosigns it; and
// `truce log verify --against` names the split view.
func (w *witnessed) fork(agr string) {
	t := w.t
	ctx := context.Background()
	signer := w.logSigner()
	size := w.finalSize()
	forged, err := ledger.Sign(signer, ledger.Checkpoint{Origin: w.origin, Size: size, Hash: [32]byte{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	none := func(context.Context, int64, int64) ([]tlog.Hash, error) { return nil, nil }
	w1, err := witness.NewClient(w.policy.Witnesses[0], none, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w1.AddCheckpoint(ctx, forged); err == nil || !strings.Contains(err.Error(), "split view") {
		t.Errorf("witness w1 was shown a fork of size %d: got %v, want a refusal naming the split view", size, err)
	}
	fresh := startWitness(t, w.bin, "--db", filepath.Join(w.dir, "fresh.db"), "--key", w.keys[2], "--log", w.origin+"="+w.logKey)
	w3 := w.policy.Witnesses[2]
	w3.URL = fresh.url
	c3, err := witness.NewClient(w3, none, nil)
	if err != nil {
		t.Fatal(err)
	}
	line, err := c3.AddCheckpoint(ctx, forged)
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := witness.MergeCosignatures(forged, line)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(w.dir, "forged.note")
	if err := os.WriteFile(path, cosigned, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runTruce(t, "log", "verify", "--db", w.db, "--policy", agr, "--against", path)
	if err == nil || !strings.Contains(err.Error(), "split view") || !strings.Contains(err.Error(), fmt.Sprint(size)) {
		t.Errorf("log verify --against a fork: %v; want a split view at size %d", err, size)
	}
}

// logSigner reads the log's signer key from the database, as an
// operator (or whoever seized the server) could.
func (w *witnessed) logSigner() string {
	t := w.t
	var signer string
	if strings.HasPrefix(w.db, "postgres") {
		conn, err := pgx.Connect(context.Background(), w.db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if err := conn.QueryRow(context.Background(), `SELECT signer FROM log_key`).Scan(&signer); err != nil {
			t.Fatal(err)
		}
		return signer
	}
	db, err := sql.Open("sqlite", w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT signer FROM log_key`).Scan(&signer); err != nil {
		t.Fatal(err)
	}
	return signer
}
