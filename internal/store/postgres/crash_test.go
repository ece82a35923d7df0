package postgres_test

import (
	"bytes"
	"context"
	"fmt"
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

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
	"truce/internal/store/pgtest"
	"truce/internal/store/postgres"
)

// pgScript runs scripts/pg.sh cmd for the cluster in dir and returns
// the DSN it prints.
func pgScript(t *testing.T, dir, cmd string, env ...string) string {
	t.Helper()
	c := exec.Command("bash", "../../../scripts/pg.sh", cmd)
	c.Env = append(append(os.Environ(), "TRUCE_PG_DIR="+dir), env...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		t.Fatalf("scripts/pg.sh %s: %v\n%s", cmd, err, errb.String())
	}
	_, dsn, _ := strings.Cut(strings.TrimSpace(out.String()), "TRUCE_TEST_POSTGRES_DSN=")
	return dsn
}

// crashServer kills the cluster's server as a crash would: SIGQUIT to the
// postmaster, whose processes then exit at once, writing nothing more
// (what is in WAL buffers and not yet written is lost); it returns once
// the postmaster is gone.
func crashServer(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	if err := syscall.Kill(pid, syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the postmaster did not exit after SIGQUIT")
		}
	}
}

// TestCrashKeepsAcknowledged kills PostgreSQL itself right after writes
// were acknowledged, in several rounds, and checks after each that every
// acknowledged report is there and the log verifies. A group commit's
// transaction commits without waiting for its WAL to reach the disk, so
// that the log lock is not held over the flush; the write is acknowledged
// only once a flush that covers its commit is done (pipe.flushAfterCommit).
// The cluster is one of the test's own (crashing the shared one would
// fail the other tests). Killing it loses what PostgreSQL had not yet
// written out of its WAL buffers (what it wrote but did not sync is lost
// only when the machine crashes); with its WAL writer slowed down, only
// the flush writes a group's commit out soon after it returns, and
// without it every round loses its writes. That the flush also reaches
// the disk is PostgreSQL's synchronous commit. The last rounds run as a
// role that may not write the flush's WAL record, whose store must
// commit synchronously instead.
func TestCrashKeepsAcknowledged(t *testing.T) {
	pgtest.DSN(t) // skipped, or required, as the other PostgreSQL tests
	dir := fmt.Sprintf("/tmp/truce-pgcrash-%d", os.Getpid())
	dsn := pgScript(t, dir, "start", "TRUCE_PG_PORT=56432", "TRUCE_PG_OPTS=-c wal_writer_delay=10s")
	t.Cleanup(func() { pgScript(t, dir, "stop") })
	ctx := context.Background()
	// A role of its own, in its own schema, that may not run
	// pg_logical_emit_message.
	setup, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC`,
		`REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, bytea) FROM PUBLIC`,
		`CREATE ROLE app LOGIN`,
		`CREATE SCHEMA app AUTHORIZATION app`,
	} {
		if _, err := setup.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(t, setup.Close(ctx))
	appDSN := pgtest.WithSearchPath(t, strings.Replace(dsn, "postgres://postgres@", "postgres://app@", 1), "app")

	day := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	acked := map[string]map[truce.ReportID]bool{dsn: {}, appDSN: {}}
	for round := range 6 {
		db, wantFlushAfter := dsn, true
		if round >= 4 {
			db, wantFlushAfter = appDSN, false
		}
		s, err := postgres.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if got := postgres.FlushesAfterCommit(s); got != wantFlushAfter {
			t.Errorf("round %d: the store flushes after commit: %v, want %v", round, got, wantFlushAfter)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 48 {
			wg.Go(func() {
				r := &truce.Report{ID: truce.ReportID(fmt.Sprintf("crash-%d-%d", round, i)), Source: "viina", Start: day, End: day.Add(24 * time.Hour),
					Precision: truce.PrecisionDay, Location: geo.Point{Lon: 30.52, Lat: 50.45}, Text: "a substation was struck"}
				if _, err := s.PutReports(ctx, truce.System, []*truce.Report{r}, truce.PutOptions{}); err == nil {
					mu.Lock()
					acked[db][r.ID] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		crashServer(t, dir)
		_ = s.Close() // its connections are gone
		pgScript(t, dir, "recover")

		s, err = postgres.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		lost := 0
		for id := range acked[db] {
			if _, err := s.Report(ctx, id); truce.ErrorCode(err) == truce.ENOTFOUND {
				lost++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if lost > 0 || len(acked[db]) < 24 {
			t.Errorf("round %d: %d of %d acknowledged reports lost in the crash", round, lost, len(acked[db]))
		}
		_, vk, err := s.LogKey(ctx)
		must(t, err)
		src, done, err := s.LogSource(ctx)
		must(t, err)
		if _, err := ledger.Verify(ctx, src, vk); err != nil {
			t.Errorf("round %d: the log does not verify after the crash: %v", round, err)
		}
		done()
		if _, err := s.VerifyRows(ctx); err != nil {
			t.Errorf("round %d: the rows do not verify after the crash: %v", round, err)
		}
		must(t, s.Close())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
