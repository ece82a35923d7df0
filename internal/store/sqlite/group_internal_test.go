package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"truce/internal/store/storetest"
)

// TestGroupCommit checks SQLite's group commit (storetest.GroupCommit).
// The mid-write cancellation matters most here: SQLite rolls a whole
// transaction back when a statement of it is interrupted, which would
// fail every write of the group.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	s, err := OpenWith(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.GroupCommit(t, storetest.GroupWriter{
		Write: func(ctx context.Context, fn func(db storetest.Execer, tx any) error) error {
			return s.write(ctx, func(w *writeTx) error { return fn(w, w.tx) })
		},
		Queued: s.group.Queued,
		Block: func(t *testing.T) func() {
			other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			tx, err := other.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			return func() {
				_ = tx.Rollback()
				_ = other.Close()
			}
		},
		Count: func(key string) int {
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = $1`, key).Scan(&n); err != nil {
				t.Error(err)
			}
			return n
		},
	})
}
