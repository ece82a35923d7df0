// Package sqlite is truce's embedded store: one SQLite file, opened with
// WAL, foreign keys and a busy timeout, with numbered migrations embedded
// in the binary. It uses the pure-Go modernc.org/sqlite driver, so truce
// builds with CGO_ENABLED=0.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"truce"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is a truce.Store backed by one SQLite file.
type Store struct {
	db   *sql.DB
	path string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// LogOrigin names the log in its checkpoints when its key is first
	// generated; later changes have no effect.
	LogOrigin string

	keyMu                    sync.Mutex
	origin, signer, verifier string
}

var _ truce.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	s, err := open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	// The log key is read (or generated, on first start) now, outside any
	// write transaction: every write signs a checkpoint with it.
	if _, _, _, err := s.key(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: database path required")
	}
	q := url.Values{}
	// WAL lets readers proceed while a writer commits; foreign keys are off
	// by default in SQLite; the busy timeout makes a second writer wait for
	// the lock instead of failing at once; IMMEDIATE transactions take the
	// write lock at BEGIN, so two writers never deadlock upgrading a read
	// lock; synchronous=FULL fsyncs the WAL on every commit, so an
	// acknowledged write survives a power cut.
	// A 64 MiB page cache per connection keeps the log's hashes and the
	// indexes in memory during bulk writes.
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(FULL)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &Store{db: db, path: path, Now: time.Now}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the database handle for tests and tools that must reach
// below the store (e.g. to tamper with a row on purpose).
func (s *Store) DB() *sql.DB { return s.db }

type migration struct {
	version int
	name    string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("sqlite: migration %s: name must start with a number", n)
		}
		ms = append(ms, migration{v, n})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and records it in schema_migrations.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ns INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, m migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile(m.name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_ns) VALUES (?, ?)`, m.version, s.Now().UnixNano()); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return tx.Commit()
}

// SchemaUpToDate reports whether every embedded migration is applied.
func (s *Store) SchemaUpToDate(ctx context.Context) (bool, error) {
	ms, err := migrations()
	if err != nil {
		return false, err
	}
	var max sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&max); err != nil {
		return false, fmt.Errorf("sqlite: schema version: %w", err)
	}
	return len(ms) == 0 || (max.Valid && int(max.Int64) >= ms[len(ms)-1].version), nil
}
