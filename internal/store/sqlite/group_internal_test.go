package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit checks that concurrent writes commit together, each in
// a savepoint: one that fails, panics or is cancelled before its turn
// leaves nothing, the others commit, and every write returns only once
// its transaction has ended.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := OpenWith(ctx, filepath.Join(t.TempDir(), "truce.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 24
	queued := func() int {
		s.group.mu.Lock()
		defer s.group.mu.Unlock()
		return len(s.group.queue)
	}
	// The first write holds the transaction until every other is queued.
	hold := make(chan struct{})
	go func() {
		_ = s.write(ctx, func(w *writeTx) error {
			<-hold
			_, err := w.Exec(w.ctx, `INSERT INTO settings (key, value) VALUES ('first', '')`)
			return err
		})
	}()
	leading := func() bool {
		s.group.mu.Lock()
		defer s.group.mu.Unlock()
		return s.group.leading
	}
	for queued() != 0 || !leading() {
		time.Sleep(time.Millisecond)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var mu sync.Mutex
	txs := map[any]bool{}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wctx := ctx
		if i == 5 {
			wctx = cancelled
		}
		wg.Go(func() {
			errs[i] = s.write(wctx, func(w *writeTx) error {
				mu.Lock()
				txs[w.tx] = true
				mu.Unlock()
				if _, err := w.Exec(w.ctx, `INSERT INTO settings (key, value) VALUES ($1, '')`, fmt.Sprintf("k%02d", i)); err != nil {
					return err
				}
				switch i {
				case 7:
					return errors.New("refused")
				case 9:
					panic("broken")
				}
				return nil
			})
			// Returned: the write is committed (or refused) for good.
			var c int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = $1`, fmt.Sprintf("k%02d", i)).Scan(&c); err != nil {
				t.Error(err)
			}
			if want := map[bool]int{true: 1, false: 0}[errs[i] == nil]; c != want {
				t.Errorf("write %d returned %v with %d rows committed", i, errs[i], c)
			}
		})
	}
	for queued() < n {
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	for i, err := range errs {
		switch i {
		case 5:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("write cancelled before its turn: %v, want context.Canceled", err)
			}
		case 7:
			if err == nil || err.Error() != "refused" {
				t.Errorf("failing write: %v", err)
			}
		case 9:
			if err == nil {
				t.Error("panicking write: no error")
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	var rows int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key LIKE 'k%'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != n-3 {
		t.Errorf("%d writes committed, want %d", rows, n-3)
	}
	if len(txs) >= n-1 {
		t.Errorf("%d writes ran in %d transactions: no group commit", n-1, len(txs))
	}
}

// TestGroupCommitCancelMidWrite checks that a request cancelled while its
// write runs does not interrupt the transaction it shares: SQLite rolls
// a whole transaction back when a statement of it is interrupted, which
// would fail every write of the group. The write runs to its end.
func TestGroupCommitCancelMidWrite(t *testing.T) {
	ctx := context.Background()
	s, err := OpenWith(ctx, filepath.Join(t.TempDir(), "truce.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hold := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.write(ctx, func(w *writeTx) error {
			<-hold
			_, err := w.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('first', '')`)
			return err
		})
	}()
	for {
		s.group.mu.Lock()
		leading := s.group.leading
		s.group.mu.Unlock()
		if leading {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancelled := make(chan error, 1)
	go func() {
		cancelled <- s.write(cctx, func(w *writeTx) error {
			if _, err := w.Exec(cctx, `INSERT INTO settings (key, value) VALUES ('a', '')`); err != nil {
				return err
			}
			cancel() // the client goes away in the middle of its write
			// A statement long enough to be interrupted, were it not kept.
			_, err := w.Exec(cctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200000)
				INSERT INTO settings (key, value) SELECT 'b', count(*) FROM n`)
			return err
		})
	}()
	last := make(chan error, 1)
	go func() {
		last <- s.write(ctx, func(w *writeTx) error {
			_, err := w.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('last', '')`)
			return err
		})
	}()
	for {
		s.group.mu.Lock()
		n := len(s.group.queue)
		s.group.mu.Unlock()
		if n == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(hold)
	for name, ch := range map[string]chan error{"first": first, "cancelled mid-write": cancelled, "last": last} {
		if err := <-ch; err != nil {
			t.Errorf("%s write: %v", name, err)
		}
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key IN ('first', 'a', 'b', 'last')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d of 4 rows committed", n)
	}
}
