package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
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
	"truce/internal/store/sqlstore"
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

// TestJSONDetails checks the upgrade of a database whose judgement details
// are JSON text (before migration 14): the migration turns the column into
// bytea, and the details stored before read, verify and compare as packed
// ones do.
func TestJSONDetails(t *testing.T) {
	storetest.JSONDetails(t, pgtest.Reopener(t),
		`ALTER TABLE judgements ALTER COLUMN detail TYPE text USING convert_from(detail, 'UTF8')`,
		`ALTER TABLE judgements ALTER COLUMN detail SET STORAGE EXTENDED`,
		`ALTER TABLE judgements RESET (toast_tuple_target)`,
		`DELETE FROM schema_migrations WHERE version = 14`)
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

// TestPutJudgementRows checks the one-statement upsert of judgement rows:
// every column comes back as sent, phases included whatever characters
// they hold (they travel as array literals); a key given twice keeps its
// last row, as row-by-row upserts did; a row of a report not stored is
// refused as not found, and nothing of its batch is kept.
func TestPutJudgementRows(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, schema(t), storetest.Options{})
	day := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	var rs []*truce.Report
	for _, id := range []string{"r1", "r2"} {
		rs = append(rs, &truce.Report{ID: truce.ReportID(id), Source: "viina", Start: day, End: day.Add(24 * time.Hour),
			Precision: truce.PrecisionDay, Location: geo.Point{Lon: 30.52, Lat: 50.45}})
	}
	if _, err := s.PutReports(ctx, truce.System, rs, truce.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(ctx, `INSERT INTO agreements (id, version, sha256, bundle, created_ns, log_index) VALUES ('a', 1, 'x', '\x00', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	odd := []truce.PhaseID{`q"uote`, `back\slash`, `{br,ace}`, "NULL", "", "sp ace", "ünï"}
	row := func(report string, outcome truce.Outcome, phases []truce.PhaseID, idx int64, brief string) sqlstore.JudgementWrite {
		return sqlstore.JudgementWrite{JudgementRow: ledger.JudgementRow{Report: truce.ReportID(report), Agreement: "a", Version: 1, Outcome: outcome,
			Explanation: "why " + report, Detail: []byte(`{"d":"` + report + `"}`), Perpetrator: "RU", Phases: phases, LogIndex: idx},
			Stored: sqlstore.PackDetail([]byte(`{"d":"` + report + `"}`)), Start: day.UnixNano(), Brief: []byte(brief)}
	}
	if err := postgres.PutJudgementRows(ctx, s, []sqlstore.JudgementWrite{
		row("r1", truce.OutcomeViolation, odd, 5, "b1"),
		row("r2", truce.OutcomeDisputed, nil, 6, "b2"),
		row("r1", truce.OutcomeNotProhibited, []truce.PhaseID{"energy"}, 7, "b1 again"),
	}); err != nil {
		t.Fatal(err)
	}
	// r2 again, alone: an upsert of a stored row.
	if err := postgres.PutJudgementRows(ctx, s, []sqlstore.JudgementWrite{row("r2", truce.OutcomeViolation, odd, 8, "b2 again")}); err != nil {
		t.Fatal(err)
	}
	type got struct {
		outcome          int16
		explanation, det string
		perpetrator      string
		phases           []string
		idx              int64
		brief            string
	}
	want := map[string]got{
		"r1": {int16(truce.OutcomeNotProhibited), "why r1", `{"d":"r1"}`, "RU", []string{"energy"}, 7, "b1 again"},
		"r2": {int16(truce.OutcomeViolation), "why r2", `{"d":"r2"}`, "RU", sqlstore.Texts(odd), 8, "b2 again"},
	}
	rows, err := s.DB().Query(ctx, `SELECT j.report_id, j.outcome, j.explanation, j.detail, j.perpetrator, j.phases, j.log_index, b.brief
		FROM judgements j JOIN judgement_briefs b USING (agreement, version, report_id) ORDER BY j.report_id`)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var id string
		var g got
		var brief, det []byte
		if err := rows.Scan(&id, &g.outcome, &g.explanation, &det, &g.perpetrator, &g.phases, &g.idx, &brief); err != nil {
			t.Fatal(err)
		}
		// The detail is stored as sent: packed (Stored), not its JSON.
		if !bytes.Equal(det, sqlstore.PackDetail([]byte(want[id].det))) {
			t.Errorf("report %s: stored detail %q, want it packed", id, det)
		}
		g.det = sqlstore.ComparableDetail(det)
		g.brief = string(brief)
		seen++
		if w := want[id]; fmt.Sprintf("%#v", g) != fmt.Sprintf("%#v", w) {
			t.Errorf("report %s stored %+v, want %+v", id, g, w)
		}
	}
	if err := rows.Err(); err != nil || seen != 2 {
		t.Fatalf("read %d judgements (%v), want 2", seen, err)
	}
	// Details arrive packed (migration 14): a bytea column that PostgreSQL
	// neither compresses again nor moves out of a row of up to ~4 KB.
	var typ, storage string
	var opts []string
	if err := s.DB().QueryRow(ctx, `SELECT format_type(a.atttypid, a.atttypmod), a.attstorage::text, COALESCE(c.reloptions, '{}')
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE a.attrelid = 'judgements'::regclass AND a.attname = 'detail'`).Scan(&typ, &storage, &opts); err != nil {
		t.Fatal(err)
	}
	if typ != "bytea" || storage != "e" || !slices.Contains(opts, "toast_tuple_target=4080") {
		t.Errorf("judgements.detail is %s, storage %q, table options %q; want bytea, e (external), toast_tuple_target=4080", typ, storage, opts)
	}
	// A judgement of a report not stored: not found, and its batch's other row is not kept.
	err = postgres.PutJudgementRows(ctx, s, []sqlstore.JudgementWrite{row("r1", truce.OutcomeDisputed, nil, 9, "x"), row("nope", truce.OutcomeViolation, nil, 10, "y")})
	if truce.ErrorCode(err) != truce.ENOTFOUND {
		t.Errorf("PutJudgementRows(unknown report) = %v, want ENOTFOUND", err)
	}
	var outcome int16
	if err := s.DB().QueryRow(ctx, `SELECT outcome FROM judgements WHERE report_id = 'r1'`).Scan(&outcome); err != nil || outcome != int16(truce.OutcomeNotProhibited) {
		t.Errorf("r1's outcome after a refused batch = %d, %v; want %d", outcome, err, truce.OutcomeNotProhibited)
	}
}

// pipeWithTable begins a transaction in a new schema, creates the
// temporary table name (n integer PRIMARY KEY) in it and returns it with
// its pipe; the transaction is rolled back when the test ends.
func pipeWithTable(t *testing.T, name string) (pgx.Tx, *postgres.Pipe) {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, schema(t), storetest.Options{})
	tx, err := s.DB().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(ctx) })
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE `+name+` (n integer PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return tx, postgres.NewPipe(tx)
}

// TestPipe checks that held statements run, in order, before the next
// statement of every kind, and that their errors and the statement's own
// come back from that statement.
func TestPipe(t *testing.T) {
	ctx := context.Background()
	_, p := pipeWithTable(t, "pipe_t")
	count := func() int {
		var n int
		if err := p.QueryRow(ctx, `SELECT count(*) FROM pipe_t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Exec after held statements: both ran, in order.
	p.Hold(`SAVEPOINT a`)
	p.Hold(`INSERT INTO pipe_t VALUES (1)`)
	if tag, err := p.Exec(ctx, `INSERT INTO pipe_t VALUES ($1), ($2)`, 2, 3); err != nil || tag.RowsAffected() != 2 {
		t.Fatalf("Exec after held statements = %v, %v; want 2 rows", tag, err)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d rows after Exec, want 3", n)
	}
	// Query after a held statement: every row, and the batch ends with the rows.
	p.Hold(`RELEASE SAVEPOINT a`)
	rows, err := p.Query(ctx, `SELECT n FROM pipe_t ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil || fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("Query after a held statement = %v, %v; want [1 2 3]", got, err)
	}
	// Rows read to their end free the connection, closed or not.
	p.Hold(`SAVEPOINT a2`)
	rows, err = p.Query(ctx, `SELECT n FROM pipe_t`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if _, err := p.Exec(ctx, `RELEASE SAVEPOINT a2`); err != nil {
		t.Fatalf("a statement after rows read to their end: %v", err)
	}
	// QueryRow of no row after a held statement: no rows, the held one ran.
	p.Hold(`SAVEPOINT b`)
	var n int32
	if err := p.QueryRow(ctx, `SELECT n FROM pipe_t WHERE n > 10`).Scan(&n); !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("QueryRow of no row = %v, want pgx.ErrNoRows", err)
	}
	// SendBatch: held statements first, then the batch's callbacks.
	b := &pgx.Batch{}
	var max int32
	b.Queue(`SELECT max(n) FROM pipe_t`).QueryRow(func(r pgx.Row) error { return r.Scan(&max) })
	p.Hold(`INSERT INTO pipe_t VALUES (4)`)
	if err := p.SendBatch(ctx, b); err != nil || max != 4 {
		t.Fatalf("SendBatch after a held insert: max %d, %v; want 4", max, err)
	}
	// A statement that fails after held ones: the held ones ran, and the
	// transaction goes on after a ROLLBACK TO.
	p.Hold(`INSERT INTO pipe_t VALUES (6)`)
	p.Hold(`SAVEPOINT c`)
	if _, err := p.Exec(ctx, `INSERT INTO pipe_t VALUES (1)`); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	if _, err := p.Exec(ctx, `ROLLBACK TO SAVEPOINT c`); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 5 {
		t.Errorf("%d rows after a failed statement, want 5 (1-4 and 6)", n)
	}
	// A held statement that fails fails the statement sent with it, which
	// does not run, and breaks the pipe: what the held statements left is
	// not known, so every later statement fails.
	p.Hold(`INSERT INTO pipe_t VALUES (1)`)
	if _, err := p.Exec(ctx, `INSERT INTO pipe_t VALUES (7)`); err == nil || !strings.Contains(err.Error(), "23505") {
		t.Fatalf("Exec after a held duplicate insert = %v, want the unique violation", err)
	}
	if _, err := p.Exec(ctx, `ROLLBACK TO SAVEPOINT c`); err == nil || !strings.Contains(err.Error(), "did not run") {
		t.Errorf("Exec on a broken pipe = %v, want the error that broke it", err)
	}
	if _, err := p.Query(ctx, `SELECT 1`); err == nil || !strings.Contains(err.Error(), "did not run") {
		t.Errorf("Query on a broken pipe = %v, want the error that broke it", err)
	}
	if err := p.QueryRow(ctx, `SELECT 1`).Scan(&n); err == nil || !strings.Contains(err.Error(), "did not run") {
		t.Errorf("QueryRow on a broken pipe = %v, want the error that broke it", err)
	}
	if err := p.SendBatch(ctx, &pgx.Batch{}); err == nil || !strings.Contains(err.Error(), "did not run") {
		t.Errorf("SendBatch on a broken pipe = %v, want the error that broke it", err)
	}
}

// TestPipeUnsentHeld checks that statements held before a statement that
// fails before anything runs (one the server cannot prepare) are not lost
// silently: a ROLLBACK TO sent next would otherwise find the savepoint of
// the write before, and undo that write.
func TestPipeUnsentHeld(t *testing.T) {
	ctx := context.Background()
	tx, p := pipeWithTable(t, "pipe_u")
	// The first write: its savepoint, its row.
	if _, err := tx.Exec(ctx, `SAVEPOINT write`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pipe_u VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	// The second: its savepoint held with the first's release, then a
	// statement the server cannot prepare.
	p.Hold(`RELEASE SAVEPOINT write`)
	p.Hold(`SAVEPOINT write`)
	if _, err := p.Exec(ctx, `INSERT INTO pipe_no_such_table VALUES ($1)`, 2); err == nil {
		t.Fatal("insert into a missing table succeeded")
	}
	if _, err := p.Exec(ctx, `ROLLBACK TO SAVEPOINT write`); err == nil {
		t.Fatal("ROLLBACK TO after held statements that never ran succeeded: it rolled back the write before")
	}
}

// TestPipeTx checks the transactions whose BEGIN and COMMIT go with their
// statements: what a committed one held is stored; one that fails — in
// its last round trip, in fn, or in a statement fn went on after —
// stores nothing, is reported, and leaves no connection of the pool in a
// transaction; its connection is rolled back and kept, not replaced.
func TestPipeTx(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, schema(t), storetest.Options{})
	value := func(key string) string {
		var v string
		if err := s.DB().QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		return v
	}
	insert := func(key, value string) string {
		return fmt.Sprintf(`INSERT INTO settings (key, value) VALUES ('%s', '%s')`, key, value)
	}
	// Held statements only: they go with the COMMIT, and are stored.
	if err := postgres.PipeTx(ctx, s, func(p *postgres.Pipe) error {
		p.Hold(insert("pipetx.a", "1"))
		return nil
	}); err != nil || value("pipetx.a") != "1" {
		t.Fatalf("a committed transaction: %v, stored %q; want 1", err, value("pipetx.a"))
	}
	conns := s.DB().Stat().NewConnsCount()
	for _, c := range []struct {
		name string
		fn   func(p *postgres.Pipe) error
		want string
	}{
		{"a held statement fails with the COMMIT", func(p *postgres.Pipe) error {
			p.Hold(insert("pipetx.b", "1"))
			p.Hold(insert("pipetx.a", "2"))
			return nil
		}, "23505"},
		{"fn fails after a statement ran", func(p *postgres.Pipe) error {
			if _, err := p.Exec(ctx, insert("pipetx.b", "1")); err != nil {
				return err
			}
			return errors.New("fn failed")
		}, "fn failed"},
		{"fn goes on after a failed statement", func(p *postgres.Pipe) error {
			if _, err := p.Exec(ctx, insert("pipetx.b", "1")); err != nil {
				return err
			}
			_, _ = p.Exec(ctx, insert("pipetx.a", "2"))
			return nil
		}, "rolled back"},
	} {
		err := postgres.PipeTx(ctx, s, c.fn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
		if v := value("pipetx.b"); v != "" {
			t.Errorf("%s: its row was stored", c.name)
		}
		if v := value("pipetx.a"); v != "1" {
			t.Errorf("%s: the committed row is %q, want 1", c.name, v)
		}
		for _, pc := range s.DB().AcquireAllIdle(ctx) {
			if st := pc.Conn().PgConn().TxStatus(); st != 'I' {
				t.Errorf("%s: a pooled connection is in transaction state %c", c.name, st)
			}
			pc.Release()
		}
	}
	if n := s.DB().Stat().NewConnsCount() - conns; n != 0 {
		t.Errorf("%d connections opened after the failed transactions, want none (theirs rolled back and kept)", n)
	}
}

// TestReadAhead checks what PutJudgedReports reads ahead of its write
// against the writes that commit in between (storetest.ReadAhead).
func TestReadAhead(t *testing.T) {
	dsn(t)
	storetest.ReadAhead(t, pgtest.Open, func(t *testing.T, s storetest.Store) storetest.GroupWriter {
		return postgres.GroupWriter(t, s.(*postgres.Store))
	})
}
