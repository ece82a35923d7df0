package witness

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// schemaVersion is the witness database's PRAGMA user_version. The witness
// has one table, so a version number stands in for a migrations table.
const schemaVersion = 1

const schema = `
CREATE TABLE cosigned (
	origin     TEXT PRIMARY KEY,
	size       INTEGER NOT NULL CHECK (size >= 0),
	root       BLOB NOT NULL CHECK (length(root) = 32),
	checkpoint BLOB NOT NULL, -- the signed note as submitted
	updated_at TEXT NOT NULL  -- RFC 3339, UTC
) STRICT;
PRAGMA user_version = 1;
`

// A State is the latest checkpoint a witness cosigned for one log.
type State struct {
	Origin     string
	Size       int64
	Root       tlog.Hash
	Checkpoint []byte // the signed checkpoint as the log submitted it
	UpdatedAt  time.Time
}

// A Store is a witness's durable state: per log origin, the latest
// cosigned checkpoint. It is a SQLite file of its own.
type Store struct {
	db   *sql.DB
	path string
	// Now is the clock for UpdatedAt; tests may replace it.
	Now func() time.Time
}

// OpenStore opens (creating if needed) the witness database at path.
func OpenStore(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("witness: database path required")
	}
	q := url.Values{}
	// WAL lets a reader (an operator's backup) proceed during a commit;
	// synchronous=FULL fsyncs the WAL at every commit, so a cosignature is
	// only sent for a state that survives a crash or power cut; the busy
	// timeout makes a second writer wait for the lock; IMMEDIATE
	// transactions take the write lock at BEGIN, so the read of the old
	// state and the write of the new one are one compare-and-swap, even
	// between two processes on the same file.
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("witness: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, Now: time.Now}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// init creates the schema in a new file and refuses a newer one.
func (s *Store) init(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("witness: open %s: %w", s.path, err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("witness: open %s: schema version: %w", s.path, err)
	}
	switch v {
	case schemaVersion:
		return nil
	case 0:
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return fmt.Errorf("witness: open %s: create schema: %w", s.path, err)
		}
		return tx.Commit()
	default:
		return fmt.Errorf("witness: open %s: schema version %d is newer than this truce (%d)", s.path, v, schemaVersion)
	}
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// State returns the latest cosigned checkpoint of the log, or an error
// wrapping ErrNoState if the witness never cosigned one.
func (s *Store) State(ctx context.Context, origin string) (State, error) {
	st, found, err := readState(ctx, s.db, origin)
	if err != nil {
		return State{}, err
	}
	if !found {
		return State{}, fmt.Errorf("%w: %q", ErrNoState, origin)
	}
	return st, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readState reports found=false when there is no row: the caller decides
// whether that is an error (State) or the empty starting state (Advance).
func readState(ctx context.Context, q queryer, origin string) (st State, found bool, err error) {
	st.Origin = origin
	var root []byte
	var updated string
	err = q.QueryRowContext(ctx, `SELECT size, root, checkpoint, updated_at FROM cosigned WHERE origin = ?`, origin).
		Scan(&st.Size, &root, &st.Checkpoint, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, fmt.Errorf("witness: read state of %q: %w", origin, err)
	}
	if len(root) != tlog.HashSize {
		return State{}, false, fmt.Errorf("witness: read state of %q: root of %d bytes", origin, len(root))
	}
	st.Root = tlog.Hash(root)
	if st.UpdatedAt, err = time.Parse(time.RFC3339Nano, updated); err != nil {
		return State{}, false, fmt.Errorf("witness: read state of %q: updated_at: %w", origin, err)
	}
	return st, true, nil
}

// Advance replaces the log's state in one transaction: it reads the current
// state (nil if none), calls next with it, and stores what next returns.
// If next returns an error, nothing changes and Advance returns it. The
// transaction holds the write lock from the read to the commit, so two
// Advance calls on the same file (from any process) never both see the same
// old state. When Advance returns nil, the new state is durable.
func (s *Store) Advance(ctx context.Context, origin string, next func(prev *State) (State, error)) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("witness: advance %q: begin: %w", origin, err)
	}
	defer tx.Rollback()
	cur, found, err := readState(ctx, tx, origin)
	if err != nil {
		return err
	}
	var prev *State
	if found {
		prev = &cur
	}
	st, err := next(prev)
	if err != nil {
		return err
	}
	if st.Origin != origin {
		return fmt.Errorf("witness: advance %q: new state is for %q", origin, st.Origin)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cosigned (origin, size, root, checkpoint, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root,
			checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
		origin, st.Size, st.Root[:], st.Checkpoint, s.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("witness: advance %q to size %d: %w", origin, st.Size, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("witness: advance %q to size %d: commit: %w", origin, st.Size, err)
	}
	return nil
}
