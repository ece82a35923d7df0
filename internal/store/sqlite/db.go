// Package sqlite is truce's embedded store: one SQLite file, opened with
// WAL, foreign keys and a busy timeout, with numbered migrations embedded
// in the binary. It uses the pure-Go modernc.org/sqlite driver, so truce
// builds with CGO_ENABLED=0.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"truce"
	"truce/internal/store"
	"truce/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DefaultLogOrigin names the log in its checkpoints when none is configured.
const DefaultLogOrigin = sqlstore.DefaultLogOrigin

// Options configure OpenWith.
type Options = sqlstore.Options

var _ store.Backend = (*Store)(nil)

// Store is a truce.Store backed by one SQLite file. The methods whose
// SQL is the same in both stores are its sqlstore.Core's.
type Store struct {
	sqlstore.Core
	// db serves reads; wdb is the one connection every write
	// transaction of this process runs on (see open).
	db, wdb *sql.DB
	path    string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// LogOrigin names the log in its checkpoints when its key is first
	// generated; later changes have no effect.
	LogOrigin string
	keys      sqlstore.Key

	// stmts keeps the statements run through conn and txConn prepared,
	// wstmts those of write transactions (writeConn).
	stmts, wstmts *stmtCache

	// writer admits one write transaction of this process at a time.
	// SQLite has one writer anyway; the others wait here, holding no
	// connection, rather than in SQLite's busy handler holding one, so
	// reads always find a connection. Other processes on the same file
	// (a CLI import while serving) still wait in the busy handler.
	writer chan struct{}
	// group queues the writes that commit together (write).
	group sqlstore.Group[func(*writeTx) error]
	// ckpt checkpoints the WAL in the background after commits.
	ckpt *checkpointer
}

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opt Options) (*Store, error) {
	s, err := open(ctx, path)
	if err != nil {
		return nil, err
	}
	s.LogOrigin = opt.LogOrigin
	if err := s.start(ctx, opt.RequireCurrentSchema); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// start readies an opened store: its schema, its log key and the backfill
// of migration 3.
func (s *Store) start(ctx context.Context, requireCurrent bool) error {
	if requireCurrent {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: schema version: %w", err)
		}
		if n > 0 {
			if ok, err := s.SchemaUpToDate(ctx); err != nil {
				return err
			} else if !ok {
				return truce.Errorf(truce.ECONFLICT, "the database schema of %s is older than this truce: run truce migrate first", s.path)
			}
		}
	}
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	// The log key is read (or generated, on first start) now, outside any
	// write transaction: every write signs a checkpoint with it.
	if _, _, _, err := s.key(ctx); err != nil {
		return err
	}
	if err := sqlstore.Backfill(ctx, s.Core); err != nil {
		return err
	}
	return sqlstore.BackfillBriefs(ctx, s.Core)
}

// Page cache sizes, in KiB. The writer's is smaller on purpose. When
// SQLite rebalances B-tree pages it may swap two pages' numbers through a
// temporary number far past the end of the file (the lock-byte page);
// the page cache then believes it holds a page that far out, and the
// commit that ends the transaction scans the cache's whole hash table to
// drop it. With a 64 MiB cache that scan was ~13% of the writer's CPU in a
// write-only run (profiled: pcache1TruncateUnsafe under the commit);
// 16 MiB still holds the inner pages of every index of a database of
// about a gigabyte and a half, and the scan costs a quarter as much.
const (
	readCacheKiB  = 64 << 10
	writeCacheKiB = 16 << 10
)

func open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: database path required")
	}
	// WAL lets readers proceed while a writer commits; foreign keys are off
	// by default in SQLite; the busy timeout makes a second writer wait for
	// the lock instead of failing at once; IMMEDIATE transactions take the
	// write lock at BEGIN, so two writers never deadlock upgrading a read
	// lock; synchronous=FULL fsyncs the WAL on every commit, so an
	// acknowledged write survives a power cut.
	// A page cache of 64 MiB per read connection and 16 MiB for the writer
	// (see writeCacheKiB) keeps the log's hashes and the indexes' inner
	// pages in memory. Checkpoints run in the background, not in the
	// writer's commits (checkpoint.go). Temporary storage stays in memory:
	// each write of a group commit runs in a savepoint, whose sub-journal
	// (the pages it changed, as they were) otherwise spilled to a
	// temporary file past 64 KiB.
	pragmas := func(cacheKiB int) string {
		q := url.Values{}
		for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(FULL)",
			fmt.Sprintf("cache_size(-%d)", cacheKiB), "wal_autocheckpoint(0)", "temp_store(MEMORY)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		return q.Encode()
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas(readCacheKiB))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Reads take any of eight connections,
	db.SetMaxOpenConns(8)
	// and they stay open: database/sql keeps two idle by default and
	// closes the rest, and a new connection costs its pragmas, an empty
	// page cache and every statement prepared again.
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Writes run on a connection of their own. In WAL mode a connection
	// drops its whole page cache when another has committed since its
	// last transaction: a write on whichever pooled connection was free
	// started cold (the indexes it updates read again from the file),
	// while one connection that alone commits keeps its cache from one
	// write to the next.
	wdb, err := sql.Open("sqlite", "file:"+path+"?"+pragmas(writeCacheKiB))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	if err := wdb.PingContext(ctx); err != nil {
		db.Close()
		wdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{db: db, wdb: wdb, path: path, Now: time.Now, writer: make(chan struct{}, 1), stmts: newStmtCache(db), wstmts: newStmtCache(wdb),
		ckpt: newCheckpointer(db)}
	s.Core = sqlstore.NewCore(sqlstore.Driver{DB: s.conn(), Dialect: dialect{}, Now: func() time.Time { return s.Now() },
		Write: s.writeCore, HashOnSnapshot: true, PackDetails: true, Tx: s.tx, Snapshot: s.snapshot, Key: s.key, CheckRows: checkRows})
	return s, nil
}

// Create creates a new database at path with the current schema and no
// log key yet, for restoring a backup into. It refuses an existing file.
func Create(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, truce.Errorf(truce.ECONFLICT, "%s already exists", path)
	}
	s, err := open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Backup writes a consistent copy of the database to path (which must not
// exist) while others keep reading and writing: SQLite's VACUUM INTO reads
// one snapshot.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return truce.Errorf(truce.ECONFLICT, "%s already exists", path)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.keys.Stop()
	s.ckpt.close()
	s.stmts.close()
	s.wstmts.close()
	return errors.Join(s.wdb.Close(), s.db.Close())
}

// DB exposes the database handle for tests and tools that must reach
// below the store (e.g. to tamper with a row on purpose).
func (s *Store) DB() *sql.DB { return s.db }

// Migrate applies every migration not yet applied, each in its own
// transaction, and records it in schema_migrations.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ns INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return sqlstore.Migrate(migrationFS, func(m sqlstore.Migration) error { return s.apply(ctx, m) })
}

func (s *Store) apply(ctx context.Context, m sqlstore.Migration) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer tx.Rollback()
	if err := sqlstore.Apply(ctx, conn{q: tx}, migrationFS, m, s.Now().UnixNano()); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.ckpt.wake()
	return nil
}

// SchemaUpToDate reports whether every embedded migration is applied.
func (s *Store) SchemaUpToDate(ctx context.Context) (bool, error) {
	ok, err := sqlstore.UpToDate(ctx, conn{q: s.db}, migrationFS)
	if err != nil {
		return false, fmt.Errorf("sqlite: %w", err)
	}
	return ok, nil
}

// conn is the database handle, running statements through the cache.
func (s *Store) conn() conn { return conn{q: s.db, cache: s.stmts} }

// txConn is read transaction tx, running statements through the cache.
func (s *Store) txConn(tx *sql.Tx) conn { return conn{q: tx, tx: tx, cache: s.stmts} }

// writeConn is write transaction tx (on s.wdb), running statements
// through the writer's cache.
func (s *Store) writeConn(tx *sql.Tx) conn { return conn{q: tx, tx: tx, cache: s.wstmts} }
