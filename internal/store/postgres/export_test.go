package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"truce/internal/store/sqlstore"
	"truce/internal/store/storetest"
)

// GroupWriter gives storetest.GroupCommit the store's write path.
func GroupWriter(t *testing.T, s *Store) storetest.GroupWriter {
	return storetest.GroupWriter{
		Write: func(ctx context.Context, fn func(db storetest.Execer, tx any) error) error {
			return s.write(ctx, func(w *writeTx) error { return fn(w, w.tx) })
		},
		Queued: s.group.Queued,
		Block: func(t *testing.T) func() {
			ctx := context.Background()
			tx, err := s.pool.Begin(ctx)
			if err == nil {
				_, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 'log_records'::regclass::oid::integer)`, logLock)
			}
			if err != nil {
				t.Fatal(err)
			}
			return func() { _ = tx.Rollback(ctx) }
		},
		Count: func(key string) int {
			var n int
			if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM settings WHERE key = $1`, key).Scan(&n); err != nil {
				t.Error(err)
			}
			return n
		},
	}
}

// PutJudgementRows runs writeTx.PutJudgementRows in a write of its own.
func PutJudgementRows(ctx context.Context, s *Store, rows []sqlstore.JudgementWrite) error {
	return s.write(ctx, func(w *writeTx) error { return w.PutJudgementRows(rows) })
}

// Pipe is the pipe of a write transaction, for its tests.
type Pipe = pipe

// NewPipe returns a pipe on tx.
func NewPipe(tx pgx.Tx) *Pipe { return &pipe{tx: tx} }

// Hold holds sql until the next statement.
func (p *pipe) Hold(sql string) { p.hold(sql) }

// PipeTx runs fn in s.pipeTx.
func PipeTx(ctx context.Context, s *Store, fn func(p *Pipe) error) error { return s.pipeTx(ctx, fn) }

// FlushesAfterCommit reports whether s's group commits flush after the
// log lock is released (Store.flushAfter).
func FlushesAfterCommit(s *Store) bool { return s.flushAfter }
