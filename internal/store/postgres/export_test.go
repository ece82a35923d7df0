package postgres

import (
	"context"
	"testing"

	"truce/internal/store/storetest"
)

// GroupWriter gives storetest.GroupCommit the store's write path.
func GroupWriter(t *testing.T, s *Store) storetest.GroupWriter {
	return storetest.GroupWriter{
		Write: func(ctx context.Context, fn func(db storetest.Execer, tx any) error) error {
			return s.write(ctx, func(w *writeTx) error { return fn(w, w.tx) })
		},
		Queued: s.group.Queued,
		Count: func(key string) int {
			var n int
			if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM settings WHERE key = $1`, key).Scan(&n); err != nil {
				t.Error(err)
			}
			return n
		},
	}
}
