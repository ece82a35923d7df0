package postgres_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
	"truce/internal/store/pgtest"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlitetest"
	"truce/internal/store/storetest"
)

func dsn(t *testing.T) string { return pgtest.DSN(t) }

func schema(t *testing.T) string { return pgtest.Schema(t) }

func mustOpen(t *testing.T, dsn string, o storetest.Options) *postgres.Store {
	t.Helper()
	return pgtest.OpenStore(t, dsn, o)
}

// TestConformance runs the backend-independent suite, each subtest on a
// schema of its own.
func TestConformance(t *testing.T) {
	dsn(t)
	storetest.Run(t, pgtest.Open)
}

// TestSameLogAsSQLite checks that the same writes log the same records in
// both backends, and that a log copied from one verifies in the other.
func TestSameLogAsSQLite(t *testing.T) {
	dsn(t)
	storetest.SameLog(t, sqlitetest.Open, pgtest.Open)
}

// TestGroupCommit checks PostgreSQL's group commit
// (storetest.GroupCommit): a failed statement aborts the shared
// transaction until its write's savepoint is rolled back, and a cancelled
// request's statement would break the connection under the others were
// it not kept.
func TestGroupCommit(t *testing.T) {
	s := mustOpen(t, schema(t), storetest.Options{})
	storetest.GroupCommit(t, postgres.GroupWriter(t, s))
}

// TestBackfill checks that a database written before sites, tokens and
// the current agreement were logged is brought up to date when opened.
func TestBackfill(t *testing.T) {
	storetest.Backfill(t, pgtest.Reopener(t))
}

// TestBriefBackfill checks that a database judged before briefs were kept
// gets them when opened.
func TestBriefBackfill(t *testing.T) {
	storetest.BriefBackfill(t, pgtest.Reopener(t))
}

// TestUnstorableText checks that text PostgreSQL cannot hold (a NUL byte)
// is refused as invalid input, not an internal error.
func TestUnstorableText(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, schema(t), storetest.Options{})
	r := &truce.Report{ID: "nul", Source: "viina", Start: time.Date(2025, 3, 18, 22, 0, 0, 0, time.UTC),
		End: time.Date(2025, 3, 19, 22, 0, 0, 0, time.UTC), Precision: truce.PrecisionDay, Location: geo.Point{Lon: 30.52, Lat: 50.45},
		Text: "before\x00after"}
	_, err := s.PutReports(ctx, truce.System, []*truce.Report{r}, truce.PutOptions{})
	if truce.ErrorCode(err) != truce.EINVALID {
		t.Fatalf("PutReports(text with NUL) = %v, want EINVALID", err)
	}
	if n, err := s.LogSize(ctx); err != nil || n != 0 {
		t.Errorf("LogSize = %d, %v after a refused report, want 0", n, err)
	}
}

// TestMigrate checks that migrations are recorded, idempotent and safe to
// run concurrently, and that SchemaUpToDate notices a missing one.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	d := schema(t)
	s := mustOpen(t, d, storetest.Options{})
	ok, err := s.SchemaUpToDate(ctx)
	if err != nil || !ok {
		t.Fatalf("SchemaUpToDate = %v, %v after Open, want true", ok, err)
	}
	// Migrating again, and from another process at once, changes nothing.
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Migrate(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	var n int
	if err := s.DB().QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Errorf("schema_migrations has %d rows (%v), want %d, one per migration", n, err, len(files))
	}
	// An empty schema is not up to date.
	empty := mustOpenRaw(t, schema(t))
	if ok, err := empty.SchemaUpToDate(ctx); err != nil || ok {
		t.Errorf("SchemaUpToDate on a schema with a dropped migration table = %v, %v; want false", ok, err)
	}
}

// mustOpenRaw opens a store and then removes its migration record, as if
// the schema were older than the code.
func mustOpenRaw(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s := mustOpen(t, dsn, storetest.Options{})
	if _, err := s.DB().Exec(context.Background(), `DROP TABLE schema_migrations`); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTwoProcesses writes through two stores (two pools, as two processes
// would) on one database at once: the advisory lock serialises their
// appends, so the log verifies and every record has one index.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	d := schema(t)
	a := mustOpen(t, d, storetest.Options{LogOrigin: "truce.test/two"})
	b := mustOpen(t, d, storetest.Options{LogOrigin: "truce.test/two"})
	base := &truce.Report{ID: "x", Source: "viina", Start: time.Date(2025, 3, 18, 22, 0, 0, 0, time.UTC),
		End: time.Date(2025, 3, 19, 22, 0, 0, 0, time.UTC), Precision: truce.PrecisionDay, Location: geo.Point{Lon: 30.52, Lat: 50.45}}
	const perStore, notes = 4, 6
	var wg sync.WaitGroup
	for i, s := range []*postgres.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range perStore {
				r := *base
				r.ID = truce.ReportID(fmt.Sprintf("viina_incidents_202503.csv:%d", 100*i+k))
				if _, err := s.PutReports(ctx, truce.System, []*truce.Report{&r}, truce.PutOptions{}); err != nil {
					t.Error(err)
					return
				}
				for n := range notes {
					if _, err := s.AddNote(ctx, truce.System, truce.IncidentID(r.ID), fmt.Sprint("note ", n)); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	want := int64(4 * perStore * (1 + notes))
	size, err := a.LogSize(ctx)
	if err != nil || size != want {
		t.Fatalf("LogSize = %d, %v; want %d", size, err, want)
	}
	_, vk, err := b.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, vk2, _ := a.LogKey(ctx); vk2 != vk {
		t.Fatalf("the two stores use different keys: %s, %s", vk, vk2)
	}
	src, done, err := a.LogSource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	rep, err := ledger.Verify(ctx, src, vk)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != want || rep.Unsigned != 0 {
		t.Errorf("verify: %+v", rep)
	}
	if _, err := b.VerifyRows(ctx); err != nil {
		t.Error(err)
	}
}

// TestBBoxIndex checks that the bounding-box filter can use the GiST index
// on incidents (the planner prefers a scan on a tiny table, so scans are
// disabled here).
func TestBBoxIndex(t *testing.T) {
	plan := explain(t, `SELECT id FROM incidents WHERE merged_into = '' AND geog::geometry && ST_MakeEnvelope($1, $2, $3, $4, 4326)
		AND lon >= $1 AND lon <= $3 AND lat >= $2 AND lat <= $4 ORDER BY start_ns, id`, 30.0, 46.0, 40.0, 52.0)
	if !strings.Contains(plan, "incidents_geom") {
		t.Errorf("the bbox filter does not use incidents_geom:\n%s", plan)
	}
}

// explain returns PostgreSQL's plan of query on a new store's schema,
// with sequential scans off, as if the tables were large.
func explain(t *testing.T, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, schema(t), storetest.Options{})
	conn, err := s.DB().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.Exec(ctx, `RESET enable_seqscan`) }()
	rows, err := conn.Query(ctx, `EXPLAIN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestStatusIndex checks that listing the incidents of one review status
// other than "reported" reads the partial index incidents_status: judging
// each new report lists the verified ones.
func TestStatusIndex(t *testing.T) {
	plan := explain(t, `SELECT id FROM incidents WHERE merged_into = '' AND status = 'verified' ORDER BY start_ns, id`)
	if !strings.Contains(plan, "incidents_status") {
		t.Errorf("the status filter does not use incidents_status:\n%s", plan)
	}
}
