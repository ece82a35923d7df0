package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"truce/internal/agreement"
	"truce/internal/ledger"
	"truce/internal/store/pgtest"
)

// TestMigrateToPostgres copies a SQLite database with a workflow history
// into PostgreSQL and checks the copy verifies and holds the same log.
func TestMigrateToPostgres(t *testing.T) {
	heavy(t)
	dsn := pgtest.Schema(t)
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "import", "--db", db, "--sites", gppd)
	mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	field := filepath.Join("..", "..", "internal", "importer", "testdata", "field")
	mustRun(t, "import", "--db", db, "--observations", filepath.Join(field, "observations.csv"))
	mustRun(t, "import", "--db", db, "--restrictions", "--unpublished", filepath.Join(field, "restrictions.csv"))
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.ChangeStatus(ctx, systemMonitor, "UKR200101", "under_review", "triage"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddNote(ctx, systemMonitor, "UKR200101", "cross-checked with FIRMS"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Merge(ctx, systemMonitor, "UKR200101", "UKR200107", "same plant"); err != nil {
		t.Fatal(err)
	}
	// The writes above integrate in the background; migrate integrates
	// before it copies, so compare with the fully integrated log.
	if _, err := st.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	srcSize, _ := st.LogSize(ctx)
	srcCP, _ := st.LatestCheckpoint(ctx)
	st.Close()

	out, _ := mustRun(t, "migrate", "--from", db, "--to", dsn)
	if !strings.Contains(out, "the copy verifies") {
		t.Fatalf("migrate: %s", out)
	}
	pg, err := openStore(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	dstSize, _ := pg.LogSize(ctx)
	dstCP, _ := pg.LatestCheckpoint(ctx)
	if dstSize != srcSize || string(dstCP) != string(srcCP) {
		t.Errorf("log size %d / checkpoint %q after migration, want %d / %q", dstSize, dstCP, srcSize, srcCP)
	}
	verified, _ := mustRun(t, "log", "verify", "--db", dsn)
	if !strings.Contains(verified, "log verified") || !strings.Contains(verified, "7 reports") ||
		!strings.Contains(verified, "3 observations, 2 access restrictions") {
		t.Errorf("log verify on PostgreSQL: %s", verified)
	}
	// The copy is a working store: writes continue the same log.
	if _, err := pg.AddNote(ctx, systemMonitor, "UKR200102", "after the move"); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "log", "verify", "--db", dsn)
	if _, _, err := runTruce(t, "migrate", "--from", db, "--to", dsn); err == nil || !strings.Contains(err.Error(), "already holds records") {
		t.Errorf("migrating into a non-empty database: %v", err)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// buildTruce builds the binary once per test run.
var buildTruce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "truce-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "truce")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return bin, nil
})

// TestSeveralServersOneLog runs three server processes against one
// PostgreSQL database, writes through all of them at once, checks that
// every checkpoint seen is consistent with the one before, and verifies
// the whole log at the end: no gaps, no forks.
func TestSeveralServersOneLog(t *testing.T) {
	heavy(t)
	dsn := pgtest.Schema(t)
	bin, err := buildTruce()
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, "import", "--db", dsn, "--sites", gppd)
	bundle, _, err := agreement.BundleFile(scenario)
	if err != nil {
		t.Fatal(err)
	}
	admin := mustToken(t, dsn, "admin", "")
	monitor := mustToken(t, dsn, "monitor", "")
	var bases []string
	for range 3 {
		port := freePort(t)
		cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", fmt.Sprintf("127.0.0.1:%d", port))
		cmd.Stderr = nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
		})
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		waitHealthy(t, base)
		bases = append(bases, base)
	}
	if st, b := (client{t, bases[0], admin}).do("POST", "/api/v1/agreements", "application/zip", bundle); st != http.StatusCreated {
		t.Fatalf("upload agreement: %d %s", st, b)
	}

	const writers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	stop := make(chan struct{})
	var checkpoints []ledger.Checkpoint
	var cpMu sync.Mutex
	_, keyText := (client{t, bases[0], ""}).do("GET", "/api/v1/log/key", "", nil)
	key := strings.TrimSpace(string(keyText))
	watch := func(base string) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			st, note := (client{t, base, ""}).do("GET", "/api/v1/log/checkpoint", "", nil)
			if st != http.StatusOK {
				continue
			}
			cp, err := ledger.Open(key, note)
			if err != nil {
				errs <- fmt.Errorf("%s: checkpoint: %w", base, err)
				return
			}
			cpMu.Lock()
			checkpoints = append(checkpoints, cp)
			cpMu.Unlock()
		}
	}
	for _, b := range bases {
		wg.Add(1)
		go watch(b)
	}
	var ww sync.WaitGroup
	for w := range writers {
		ww.Add(1)
		go func() {
			defer ww.Done()
			c := client{t, bases[w%len(bases)], monitor}
			for i := range each {
				body := fmt.Sprintf(`{"time":"2025-04-0%dT10:00:00Z","lon":%.4f,"lat":%.4f,"text":"writer %d report %d: shelling"}`, 1+i%9, 30+float64(w)/10, 50+float64(i)/100, w, i)
				st, b := c.do("POST", "/api/v1/reports", "application/json", []byte(body))
				if st != http.StatusCreated {
					errs <- fmt.Errorf("writer %d: %d %s", w, st, b)
				}
			}
		}()
	}
	ww.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Every pair of checkpoints seen, in size order, is consistent.
	c := client{t, bases[2], ""}
	cpMu.Lock()
	defer cpMu.Unlock()
	byRoot := map[int64]string{}
	var prev *ledger.Checkpoint
	for i := range checkpoints {
		cp := checkpoints[i]
		if r, ok := byRoot[cp.Size]; ok && r != string(cp.Hash[:]) {
			t.Fatalf("two different roots for tree size %d: a fork", cp.Size)
		}
		byRoot[cp.Size] = string(cp.Hash[:])
	}
	sizes := make([]int64, 0, len(byRoot))
	for s := range byRoot {
		sizes = append(sizes, s)
	}
	slices.Sort(sizes)
	for _, s := range sizes {
		cp := ledger.Checkpoint{Size: s}
		copy(cp.Hash[:], byRoot[s])
		if prev != nil {
			var pr Proof
			c.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/log/proofs/consistency?old=%d&size=%d", prev.Size, s), nil, &pr)
			var hs [][]byte
			for _, h := range pr.Hashes {
				b, _ := base64.StdEncoding.DecodeString(h)
				hs = append(hs, b)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(prev.Size), uint64(s), hs, prev.Hash[:], cp.Hash[:]); err != nil {
				t.Errorf("checkpoint %d is not consistent with %d: %v", s, prev.Size, err)
			}
		}
		p := cp
		prev = &p
	}
	if len(sizes) < 3 {
		t.Errorf("saw only %d distinct checkpoints while writing", len(sizes))
	}
	out, _ := mustRun(t, "log", "verify", "--db", dsn)
	if !strings.Contains(out, "log verified") || !strings.Contains(out, fmt.Sprintf("%d reports", writers*each)) {
		t.Errorf("log verify: %s", out)
	}
}

// Proof is the wire form of a proof.
type Proof struct {
	Hashes []string `json:"hashes"`
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not become healthy", base)
}
