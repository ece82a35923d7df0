// Package postgres is truce's PostgreSQL store: the same truce.Store as the
// embedded SQLite store, with its own SQL and migrations, on pgx v5 and
// PostGIS.
//
// Design:
//
//   - Every write transaction first takes a transaction-level advisory lock
//     on the log (pg_advisory_xact_lock, keyed by the log_records table's
//     OID, so two schemas in one database do not contend) and only then
//     reads the tree size, in a later statement, whose READ COMMITTED
//     snapshot sees the commit of the previous holder. Writes are thus
//     serialised across connections and processes, as SQLite's single
//     writer serialises them: the log cannot fork, and read-modify-write
//     workflow moves cannot lose updates. Record and hash indexes are
//     primary keys, so a bug in that discipline fails loudly.
//   - Log records are buffered in the transaction and written at its end,
//     with one INSERT ... SELECT FROM unnest; integrations store the hashes
//     and the checkpoint that covers them in a transaction of their own.
//   - A group commit's transaction runs on a pipe (pipe.go): the
//     savepoint statements between its writes go with the next statement,
//     and new reports, their incidents and events, judgements and briefs
//     are each one INSERT ... SELECT FROM unnest of column arrays, so a
//     write costs a few round trips whatever its number of reports.
//   - Reports and incidents have a geography(Point, 4326) column generated
//     from lon/lat; incidents have a GiST index on geog::geometry (the
//     indexes on geog itself, which no query used, were dropped in
//     migration 12). The Incidents bounding box is a box
//     in degrees, edges included (geo.BBox.Contains), not a geodesic
//     polygon: a geography && would compare geocentric boxes of geodesic
//     edges and miss points near the box's parallels. The filter is
//     therefore two-phase: the GiST index on geog::geometry finds
//     candidates with && (PostGIS rounds index boxes outward, so it never
//     misses one), then exact lon/lat comparisons decide.
//   - Driver errors are classified by SQLSTATE (pgconn.PgError.Code), never
//     by message.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"truce"
	"truce/internal/store"
	"truce/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is a truce.Store backed by a PostgreSQL database with PostGIS.
// The methods whose SQL is the same in both stores are its
// sqlstore.Core's.
type Store struct {
	sqlstore.Core
	pool *pgxpool.Pool
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// LogOrigin names the log in its checkpoints. The log key is generated
	// at the first write or LogKey call, not by Open, so setting
	// LogOrigin after Open takes effect on a new database; once the key
	// exists, changing LogOrigin has no effect.
	LogOrigin string
	keys      sqlstore.Key

	// group queues this process's writes, which commit together, one
	// transaction at a time (write): they queue on the log lock one at a
	// time anyway, and a burst of writes holds one pooled connection, not
	// every one, while it waits for the lock.
	group sqlstore.Group[func(*writeTx) error]

	// flushAfter is set when the database lets a session flush the WAL
	// (flushStmt): a group commit then commits without waiting for its
	// WAL to reach the disk, and flushes it after the log lock is
	// released, before its writes are acknowledged (commitGroup).
	flushAfter bool
}

var _ store.Backend = (*Store)(nil)

// DefaultLogOrigin names the log in its checkpoints when none is configured.
const DefaultLogOrigin = sqlstore.DefaultLogOrigin

// Options configure OpenWith.
type Options = sqlstore.Options

// Open connects to the database at dsn (a postgres:// URL or key=value
// string; search_path may be given as a parameter) and applies any pending
// migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opt Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgx's default (4 on two cores) queues concurrent readers behind
		// one writer holding the log lock; a server needs more.
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{pool: pool, Now: time.Now, LogOrigin: opt.LogOrigin}
	s.Core = sqlstore.NewCore(sqlstore.Driver{DB: conn{q: pool}, Dialect: dialect{}, Now: func() time.Time { return s.Now() }, PackDetails: true,
		Write: s.writeCore, Integrate: s.integrate, Tx: s.tx, Snapshot: s.snapshot, Key: s.key,
		ReadAhead: func(ctx context.Context, ids []string) (map[string]bool, error) { return storedReports(ctx, pool, ids) }})
	if err := s.start(ctx, opt.RequireCurrentSchema); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// start readies an opened store: its schema and the backfill of
// migration 3.
func (s *Store) start(ctx context.Context, requireCurrent bool) error {
	exists, err := s.migrationsTable(ctx)
	if err != nil {
		return err
	}
	if requireCurrent && exists {
		if ok, err := s.SchemaUpToDate(ctx); err != nil {
			return err
		} else if !ok {
			return truce.Errorf(truce.ECONFLICT, "the database schema is older than this truce: run truce migrate first")
		}
	} else if err := s.Migrate(ctx); err != nil {
		return err
	}
	if err := sqlstore.Backfill(ctx, s.Core); err != nil {
		return err
	}
	if err := sqlstore.BackfillBriefs(ctx, s.Core); err != nil {
		return err
	}
	// A role that may not run flushStmt (a DBA revoked it), or any
	// other failure of it here, keeps every group committing
	// synchronously, the lock held over the flush: a write is never
	// acknowledged before its commit is on disk.
	_, err = s.pool.Exec(ctx, flushStmt)
	s.flushAfter = err == nil
	return nil
}

// migrationsTable reports whether the schema_migrations table exists.
func (s *Store) migrationsTable(ctx context.Context) (bool, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return false, fmt.Errorf("postgres: schema version: %w", err)
	}
	return exists, nil
}

// Close closes every connection.
func (s *Store) Close() error {
	s.keys.Stop()
	s.pool.Close()
	return nil
}

// DB exposes the connection pool for tests and tools that must reach below
// the store (e.g. to tamper with a row on purpose).
func (s *Store) DB() *pgxpool.Pool { return s.pool }

// migrateLock is the advisory lock class of migrations; the object is the
// schema, so that migrations of one schema run one at a time.
const migrateLock = 0x74726d67 // "trmg"

// Migrate applies every migration not yet applied, each in its own
// transaction under an advisory lock, and records it in schema_migrations.
func (s *Store) Migrate(ctx context.Context) error {
	return sqlstore.Migrate(migrationFS, func(m sqlstore.Migration) error { return s.apply(ctx, m) })
}

func (s *Store) apply(ctx context.Context, m sqlstore.Migration) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// Two processes may migrate at once: the lock makes the second wait
	// and then find the migration applied.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, migrateLock); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_ns bigint NOT NULL)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if err := sqlstore.Apply(ctx, conn{q: tx}, migrationFS, m, s.Now().UnixNano()); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// SchemaUpToDate reports whether every embedded migration is applied.
func (s *Store) SchemaUpToDate(ctx context.Context) (bool, error) {
	exists, err := s.migrationsTable(ctx)
	if err != nil {
		return false, err
	} else if !exists {
		ms, err := sqlstore.Migrations(migrationFS)
		return err == nil && len(ms) == 0, err
	}
	ok, err := sqlstore.UpToDate(ctx, conn{q: s.pool}, migrationFS)
	if err != nil {
		return false, fmt.Errorf("postgres: %w", err)
	}
	return ok, nil
}

// Analyze refreshes the planner's statistics of the tables that bulk
// imports and adjudication fill, so that the queries that follow are
// planned on the real sizes rather than waiting for autovacuum.
func (s *Store) Analyze(ctx context.Context) error {
	for _, t := range []string{"reports", "incidents", "judgements", "incident_events", "log_records", "log_hashes"} {
		if _, err := s.pool.Exec(ctx, `ANALYZE `+t); err != nil {
			return fmt.Errorf("postgres: analyze %s: %w", t, err)
		}
	}
	return nil
}
