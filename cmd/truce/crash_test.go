package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store/pgtest"
)

// startServer starts a `truce serve` process and waits until it answers.
func startServer(t *testing.T, bin, db string) (*exec.Cmd, string) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--write-rate", "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, base)
	return cmd, base
}

// crashTest kills the server with SIGKILL at random moments while clients
// write, and checks that every acknowledged write survived, the log
// verifies, and every checkpoint seen is consistent with the final tree.
func crashTest(t *testing.T, db string, rounds int) {
	bin, err := buildTruce()
	if err != nil {
		t.Fatal(err)
	}
	monitor := mustToken(t, db, "monitor", "")
	mustRun(t, "adjudicate", "--db", db, "--agreement", scenario)
	rng := rand.New(rand.NewPCG(7, uint64(rounds)))
	var mu sync.Mutex
	acked := map[string]bool{}
	var seen []ledger.Checkpoint
	_, key, err := func() (string, string, error) {
		st, err := openStore(context.Background(), db)
		if err != nil {
			return "", "", err
		}
		defer st.Close()
		return st.LogKey(context.Background())
	}()
	if err != nil {
		t.Fatal(err)
	}
	for round := range rounds {
		cmd, base := startServer(t, bin, db)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					body := fmt.Sprintf(`{"time":"2025-04-02T10:00:00Z","lon":30.%d,"lat":50.%d,"text":"crash round %d writer %d report %d: shelling"}`, w, i%100, round, w, i)
					req, _ := http.NewRequest("POST", base+"/api/v1/reports", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+monitor)
					resp, err := httpClient.Do(req)
					if err != nil {
						return // the server died: this write was not acknowledged
					}
					var out struct {
						ID string `json:"id"`
					}
					err = json.NewDecoder(resp.Body).Decode(&out)
					resp.Body.Close()
					if err == nil && resp.StatusCode == http.StatusCreated {
						mu.Lock()
						acked[out.ID] = true
						mu.Unlock()
					} else if err == nil {
						t.Errorf("write refused: %d", resp.StatusCode)
						return
					}
					resp, err = httpClient.Get(base + "/api/v1/log/checkpoint")
					if err != nil {
						return
					}
					note, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						continue
					}
					if cp, err := ledger.Open(key, note); err == nil {
						mu.Lock()
						seen = append(seen, cp)
						mu.Unlock()
					} else {
						t.Errorf("a checkpoint does not verify: %v", err)
					}
				}
			}()
		}
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		close(stop)
		wg.Wait()
	}
	if len(acked) < rounds {
		t.Fatalf("only %d writes were acknowledged in %d rounds", len(acked), rounds)
	}
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for id := range acked {
		if _, err := st.Report(ctx, truce.ReportID(id)); err != nil {
			t.Errorf("acknowledged report %s is lost: %v", id, err)
		}
	}
	size, err := st.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Records sequenced after the last integration before the crash are
	// integrated by the next one (serve does one at start).
	if _, err := st.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	final, err := st.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := ledger.Open(key, final)
	if err != nil || fc.Size != size {
		t.Fatalf("the latest checkpoint (%v) does not cover the log of %d records: %v", fc.Size, size, err)
	}
	for _, cp := range seen {
		if cp.Size == fc.Size {
			if cp.Hash != fc.Hash {
				t.Fatalf("two roots for tree size %d", cp.Size)
			}
			continue
		}
		hs, err := st.ProveTree(ctx, fc.Size, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		var p [][]byte
		for _, h := range hs {
			p = append(p, h[:])
		}
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(cp.Size), uint64(fc.Size), p, cp.Hash[:], fc.Hash[:]); err != nil {
			t.Fatalf("checkpoint of size %d seen before a crash is not consistent with the final tree: %v", cp.Size, err)
		}
	}
	out, _ := mustRun(t, "log", "verify", "--db", db)
	if !strings.Contains(out, "log verified") {
		t.Fatal(out)
	}
	t.Logf("%d crashes survived, %d acknowledged writes checked, %d checkpoints checked for consistency, log of %d records verified",
		rounds, len(acked), len(seen), size)
}

func TestCrashSQLite(t *testing.T) {
	heavy(t)
	crashTest(t, filepath.Join(t.TempDir(), "truce.db"), 20)
}

func TestCrashPostgres(t *testing.T) {
	heavy(t)
	crashTest(t, pgtest.Schema(t), 20)
}

// TestImportKilledMidway kills a bulk import with SIGKILL and runs it
// again: the second run completes it, with no duplicates.
func TestImportKilledMidway(t *testing.T) {
	heavy(t)
	bin, err := buildTruce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, file := filepath.Join(dir, "truce.db"), filepath.Join(dir, "reports.csv")
	var b strings.Builder
	b.WriteString("id,time,lon,lat,text\n")
	const n = 60000
	for i := range n {
		fmt.Fprintf(&b, "r%d,2025-04-%02d,%.4f,%.4f,report %d of shelling\n", i, 1+i%28, 30+float64(i%1000)/1000, 50+float64(i%700)/1000, i)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "import", "--db", db, file)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var before int
	_ = st.Reports(context.Background(), truce.ReportFilter{}, func(*truce.Report) error { before++; return nil })
	st.Close()
	if before == 0 || before == n {
		t.Logf("the import was killed after %d of %d reports (timing-dependent)", before, n)
	}
	_, errs := mustRun(t, "import", "--db", db, file)
	if !strings.Contains(errs, fmt.Sprintf("%d new reports stored, %d already stored", n-before, before)) {
		t.Errorf("re-run: %s (had %d before)", errs, before)
	}
	st, err = openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	after := 0
	_ = st.Reports(context.Background(), truce.ReportFilter{}, func(*truce.Report) error { after++; return nil })
	if after != n {
		t.Errorf("%d reports stored, want %d", after, n)
	}
	mustRun(t, "log", "verify", "--db", db)
}

// TestBackupWhileWriting backs up a database while a server writes to
// it, restores the backup into a new file and into PostgreSQL, and
// verifies both.
func TestBackupWhileWriting(t *testing.T) {
	heavy(t)
	bin, err := buildTruce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "truce.db")
	monitor := mustToken(t, db, "monitor", "")
	mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
	cmd, base := startServer(t, bin, db)
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := client{t: t, base: base, token: monitor}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c.do("POST", "/api/v1/reports", "application/json", []byte(fmt.Sprintf(`{"time":"2025-04-02","lon":30.5,"lat":50.4,"text":"during backup %d"}`, i)))
		}
	}()
	time.Sleep(300 * time.Millisecond)
	backup := filepath.Join(dir, "backup.db")
	out, _ := mustRun(t, "backup", "--db", db, "--out", backup)
	close(stop)
	wg.Wait()
	if !strings.Contains(out, "verified") {
		t.Fatalf("backup: %s", out)
	}
	out, _ = mustRun(t, "restore", "--from", backup, "--db", filepath.Join(dir, "restored.db"))
	if !strings.Contains(out, "verified") {
		t.Errorf("restore: %s", out)
	}
	if os.Getenv("TRUCE_TEST_POSTGRES_DSN") != "" {
		out, _ = mustRun(t, "restore", "--from", backup, "--db", pgtest.Schema(t))
		if !strings.Contains(out, "verified") {
			t.Errorf("restore into PostgreSQL: %s", out)
		}
	}
}
