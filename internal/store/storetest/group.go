package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"truce/internal/store/sqlstore"
)

// GroupWriter is what GroupCommit needs of a driver's write path, from
// its package's internal tests.
type GroupWriter struct {
	// Write runs fn as one write of the store (the driver's write, with
	// its group commit): db runs statements in that write's transaction,
	// and tx identifies the transaction.
	Write func(ctx context.Context, fn func(db Execer, tx any) error) error
	// Queued returns the writes waiting for a transaction and whether one
	// is running (the driver's sqlstore.Group).
	Queued func() (int, bool)
	// Count counts the committed settings rows with key, outside any
	// write.
	Count func(key string) int
	// Block makes the store's next write transaction wait, after it has
	// begun, for the lock it takes before its writes run (another
	// session holding the log lock, another connection holding the
	// file's write lock), until unblock is called.
	Block func(t *testing.T) (unblock func())
}

// Execer runs a statement (a driver's write transaction does).
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
}

// GroupCommit checks a driver's group commit: concurrent writes commit
// together, each in a savepoint; one that fails, panics or is cancelled
// before its turn leaves nothing, the others commit, and every write
// returns only once its transaction has ended. A write whose request is
// cancelled in the middle of its statements does not interrupt the
// transaction it shares: it runs to its end, and so do the others.
func GroupCommit(t *testing.T, g GroupWriter) {
	t.Run("savepoints", func(t *testing.T) { groupSavepoints(t, g) })
	t.Run("cancel mid-write", func(t *testing.T) { groupCancelMidWrite(t, g) })
	t.Run("unpreparable statement", func(t *testing.T) { groupUnpreparable(t, g) })
	t.Run("later statements", func(t *testing.T) { groupLater(t, g) })
	t.Run("queued while it waits", func(t *testing.T) { groupJoin(t, g) })
}

// groupJoin checks that the writes queued while a transaction waits for
// its lock run in that transaction, not in the next one.
func groupJoin(t *testing.T, g GroupWriter) {
	ctx := context.Background()
	unblock := g.Block(t)
	var mu sync.Mutex
	txs := map[any]bool{}
	keys := []string{"j-first", "j-a", "j-b", "j-c"}
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Go(func() {
			errs[i] = g.Write(ctx, func(db Execer, tx any) error {
				mu.Lock()
				txs[tx] = true
				mu.Unlock()
				return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ($1, '')`, key)
			})
		})
		// The first is taken and waits for the lock; the others queue.
		waitQueued(g, i)
	}
	unblock()
	wg.Wait()
	for i, key := range keys {
		if errs[i] != nil || g.Count(key) != 1 {
			t.Errorf("write %s: %v, %d rows", key, errs[i], g.Count(key))
		}
	}
	if len(txs) != 1 {
		t.Errorf("%d writes ran in %d transactions: those queued while the first waited for the lock did not join it", len(keys), len(txs))
	}
}

// LaterExecer runs a statement whose result the write does not read
// (sqlstore.WriteTx.ExecLater).
type LaterExecer interface {
	ExecLater(ctx context.Context, fail func(error) error, sql string, args ...any) error
	QueryRowLater(ctx context.Context, fail func(error) error, scan func(sqlstore.Scanner) error, sql string, args ...any) error
}

// errLater is what a failed later statement's fail function returns.
var errLater = errors.New("later statement failed")

// groupLater checks statements run with ExecLater, which a driver may
// send with the write's next statement or at its end: in one group, a
// write whose later statement fails fails with that statement's own
// error (fail's) wherever the failure is reported — by the write's next
// statement, at its end, or after the write swallowed the error of the
// statement that reported it — and leaves nothing; a write that fails
// for its own reasons leaves nothing of its later statements; and the
// writes around them commit. Queries run with QueryRowLater have been
// read once the write's next statement returns, a missing row reads as
// ErrNoRows, and a query whose scan refuses what it read, or that fails
// in the database even though its scan makes do, fails its write.
func groupLater(t *testing.T, g GroupWriter) {
	ctx := context.Background()
	hold := make(chan struct{})
	first := holdFirst(g, hold, "l-first")
	laterOn := func(db Execer) LaterExecer {
		le, ok := db.(LaterExecer)
		if !ok {
			t.Fatalf("%T has no ExecLater", db)
		}
		return le
	}
	failLater := func(err error) error { return fmt.Errorf("%w: %w", errLater, err) }
	later := func(db Execer, key string) error {
		return laterOn(db).ExecLater(ctx, failLater, `INSERT INTO settings (key, value) VALUES ($1, '')`, key)
	}
	// query holds a read of key's value; read says what it found, an
	// error if it has not run yet.
	query := func(db Execer, key string) (read func() (string, error), err error) {
		var value string
		var found error
		ran := false
		err = laterOn(db).QueryRowLater(ctx, failLater, func(sc sqlstore.Scanner) error {
			ran = true
			found = sc.Scan(&value)
			return nil
		}, `SELECT value FROM settings WHERE key = $1`, key)
		return func() (string, error) {
			if !ran {
				return "", errors.New("the held query has not been read")
			}
			return value, found
		}, err
	}
	refused := errors.New("refused")
	errScan := errors.New("scan refused the row")
	writes := []struct {
		name string
		fn   func(db Execer) error
		want error // nil: committed
		keys []string
	}{
		{"later then next", func(db Execer) error {
			if err := later(db, "l-a1"); err != nil {
				return err
			}
			return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-a2', '')`)
		}, nil, []string{"l-a1", "l-a2"}},
		{"failed later reported by next", func(db Execer) error {
			if err := later(db, "l-b1"); err != nil {
				return err
			}
			if err := later(db, "l-first"); err != nil { // a duplicate key
				return err
			}
			return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-b2', '')`)
		}, errLater, []string{"l-b1", "l-b2"}},
		{"failed later at the end", func(db Execer) error {
			if err := execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-c1', '')`); err != nil {
				return err
			}
			return later(db, "l-a1") // a duplicate key, last
		}, errLater, []string{"l-c1"}},
		{"failed later, report swallowed", func(db Execer) error {
			if err := later(db, "l-first"); err != nil {
				return err
			}
			_ = execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-d1', '')`)
			return nil
		}, errLater, []string{"l-d1"}},
		{"write refused with later held", func(db Execer) error {
			if err := execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-e1', '')`); err != nil {
				return err
			}
			if err := later(db, "l-e2"); err != nil {
				return err
			}
			if err := later(db, "l-first"); err != nil { // would fail, if sent
				return refused
			}
			return refused
		}, refused, []string{"l-e1", "l-e2"}},
		{"query read by the next statement", func(db Execer) error {
			if err := later(db, "l-g1"); err != nil {
				return err
			}
			if _, err := db.Exec(ctx, `UPDATE settings SET value = 'seen' WHERE key = 'l-g1'`); err != nil {
				return err
			}
			read, err := query(db, "l-g1")
			if err != nil {
				return err
			}
			if err := execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-g2', '')`); err != nil {
				return err
			}
			if v, err := read(); err != nil || v != "seen" {
				return fmt.Errorf("held query read %q, %w; want %q", v, err, "seen")
			}
			return nil
		}, nil, []string{"l-g1", "l-g2"}},
		{"query of a missing row", func(db Execer) error {
			read, err := query(db, "l-none")
			if err != nil {
				return err
			}
			if err := execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-h1', '')`); err != nil {
				return err
			}
			if _, err := read(); !errors.Is(err, sqlstore.ErrNoRows) {
				return fmt.Errorf("held query of a missing row read %w, want ErrNoRows", err)
			}
			return nil
		}, nil, []string{"l-h1"}},
		{"query whose row is not read", func(db Execer) error {
			if err := laterOn(db).QueryRowLater(ctx, failLater, func(sqlstore.Scanner) error { return nil },
				`SELECT value FROM settings WHERE key = 'l-first'`); err != nil {
				return err
			}
			if err := later(db, "l-k1"); err != nil {
				return err
			}
			read, err := query(db, "l-first")
			if err != nil {
				return err
			}
			if err := execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-k2', '')`); err != nil {
				return err
			}
			if _, err := read(); err != nil {
				return fmt.Errorf("a held query after one whose row was not read: %w", err)
			}
			return nil
		}, nil, []string{"l-k1", "l-k2"}},
		{"query whose scan refuses", func(db Execer) error {
			if err := later(db, "l-i1"); err != nil {
				return err
			}
			if err := laterOn(db).QueryRowLater(ctx, failLater, func(sc sqlstore.Scanner) error {
				var v string
				if err := sc.Scan(&v); err != nil {
					return err
				}
				return errScan
			}, `SELECT value FROM settings WHERE key = 'l-first'`); err != nil {
				return err
			}
			return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-i2', '')`)
		}, errScan, []string{"l-i1", "l-i2"}},
		{"query failing in the database", func(db Execer) error {
			// Out of bigint's range when run, in either database; the
			// scan makes do without a row, and the write must fail anyway.
			if err := laterOn(db).QueryRowLater(ctx, failLater, func(sc sqlstore.Scanner) error {
				var v int64
				_ = sc.Scan(&v)
				return nil
			}, `SELECT abs(CAST($1 AS bigint))`, int64(math.MinInt64)); err != nil {
				return err
			}
			return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-j1', '')`)
		}, errLater, []string{"l-j1"}},
		{"later last", func(db Execer) error {
			if err := execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('l-f1', '')`); err != nil {
				return err
			}
			return later(db, "l-f2")
		}, nil, []string{"l-f1", "l-f2"}},
	}
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Go(func() { errs[i] = g.Write(ctx, func(db Execer, _ any) error { return w.fn(db) }) })
		waitQueued(g, i+1) // in this order
	}
	close(hold)
	wg.Wait()
	if err := <-first; err != nil {
		t.Errorf("first write: %v", err)
	}
	for i, w := range writes {
		switch {
		case w.want == nil && errs[i] != nil:
			t.Errorf("%s: %v", w.name, errs[i])
		case w.want != nil && !errors.Is(errs[i], w.want):
			t.Errorf("%s: error %v, want %v", w.name, errs[i], w.want)
		}
		for _, k := range w.keys {
			if want := map[bool]int{true: 1, false: 0}[w.want == nil]; g.Count(k) != want {
				t.Errorf("%s: %d rows of %s committed, want %d", w.name, g.Count(k), k, want)
			}
		}
	}
}

// groupUnpreparable checks a group in which a write runs a statement the
// database cannot prepare (a missing table) after another write: every
// write that returns nil is committed, and one that returns an error left
// nothing, whichever way the store handles it. (On PostgreSQL the failed
// statement went in one batch with the statements between the writes,
// which then never ran: rolling back "to the savepoint" would have undone
// the write before it.)
func groupUnpreparable(t *testing.T, g GroupWriter) {
	ctx := context.Background()
	hold := make(chan struct{})
	first := holdFirst(g, hold, "u-first")
	keys := []string{"u-a", "u-b", "u-c"}
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, key := range keys {
		wg.Go(func() {
			errs[i] = g.Write(ctx, func(db Execer, _ any) error {
				if key == "u-b" { // its first statement
					if err := execOn(ctx, db, `INSERT INTO no_such_table (key) VALUES ($1)`, key); err != nil {
						return err
					}
				}
				return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ($1, '')`, key)
			})
		})
		waitQueued(g, i+1) // in this order
	}
	close(hold)
	wg.Wait()
	if err := <-first; err != nil {
		t.Errorf("first write: %v", err)
	}
	if errs[1] == nil {
		t.Errorf("the write with a missing table returned no error")
	}
	for i, key := range keys {
		if want := map[bool]int{true: 1, false: 0}[errs[i] == nil]; g.Count(key) != want {
			t.Errorf("write %s returned %v with %d rows committed", key, errs[i], g.Count(key))
		}
	}
}

// waitQueued waits until n writes are queued behind a running one.
func waitQueued(g GroupWriter, n int) {
	for {
		if q, leading := g.Queued(); q == n && leading {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// holdFirst starts a write that holds its transaction until hold is
// closed, and returns once it runs, with its result's channel. Its
// function has begun, so its transaction has taken the writes it takes
// (sqlstore.Batch.More): those queued from now on wait for the next.
func holdFirst(g GroupWriter, hold chan struct{}, key string) chan error {
	first := make(chan error, 1)
	running := make(chan struct{})
	go func() {
		first <- g.Write(context.Background(), func(db Execer, _ any) error {
			close(running)
			<-hold
			return execOn(context.Background(), db, `INSERT INTO settings (key, value) VALUES ($1, '')`, key)
		})
	}()
	<-running
	waitQueued(g, 0)
	return first
}

func groupSavepoints(t *testing.T, g GroupWriter) {
	ctx := context.Background()
	const n = 24
	hold := make(chan struct{})
	first := holdFirst(g, hold, "g-first")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var mu sync.Mutex
	txs := map[any]bool{}
	errs := make([]error, n)
	var wg sync.WaitGroup
	key := func(i int) string { return fmt.Sprintf("g%02d", i) }
	for i := range n {
		wctx := ctx
		if i == 5 {
			wctx = cancelled
		}
		wg.Go(func() {
			errs[i] = g.Write(wctx, func(db Execer, tx any) error {
				mu.Lock()
				txs[tx] = true
				mu.Unlock()
				if err := execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ($1, '')`, key(i)); err != nil {
					return err
				}
				switch i {
				case 7:
					return errors.New("refused")
				case 9:
					panic("broken")
				case 11:
					// A failing statement: PostgreSQL aborts the
					// transaction until its savepoint is rolled back.
					return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ($1, '')`, key(i))
				}
				return nil
			})
			// Returned: the write is committed (or refused) for good.
			if want := map[bool]int{true: 1, false: 0}[errs[i] == nil]; g.Count(key(i)) != want {
				t.Errorf("write %d returned %v with %d rows committed", i, errs[i], g.Count(key(i)))
			}
		})
	}
	waitQueued(g, n)
	close(hold)
	wg.Wait()
	if err := <-first; err != nil {
		t.Errorf("first write: %v", err)
	}
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
		case 9, 11:
			if err == nil {
				t.Errorf("write %d: no error", i)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	committed := 0
	for i := range n {
		committed += g.Count(key(i))
	}
	if committed != n-4 {
		t.Errorf("%d writes committed, want %d", committed, n-4)
	}
	if len(txs) >= n-1 {
		t.Errorf("%d writes ran in %d transactions: no group commit", n-1, len(txs))
	}
}

func groupCancelMidWrite(t *testing.T, g GroupWriter) {
	ctx := context.Background()
	hold := make(chan struct{})
	first := holdFirst(g, hold, "first")
	cctx, cancel := context.WithCancel(ctx)
	cancelled := make(chan error, 1)
	go func() {
		cancelled <- g.Write(cctx, func(db Execer, _ any) error {
			if err := execOn(cctx, db, `INSERT INTO settings (key, value) VALUES ('a', '')`); err != nil {
				return err
			}
			cancel() // the client goes away in the middle of its write
			// A statement long enough to be interrupted, were it not kept.
			return execOn(cctx, db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200000)
				INSERT INTO settings (key, value) SELECT 'b', CAST(count(*) AS TEXT) FROM n`)
		})
	}()
	last := make(chan error, 1)
	go func() {
		last <- g.Write(ctx, func(db Execer, _ any) error {
			return execOn(ctx, db, `INSERT INTO settings (key, value) VALUES ('last', '')`)
		})
	}()
	waitQueued(g, 2)
	close(hold)
	for name, ch := range map[string]chan error{"first": first, "cancelled mid-write": cancelled, "last": last} {
		if err := <-ch; err != nil {
			t.Errorf("%s write: %v", name, err)
		}
	}
	for _, k := range []string{"first", "a", "b", "last"} {
		if g.Count(k) != 1 {
			t.Errorf("row %q not committed: a write cancelled mid-way broke the group's transaction", k)
		}
	}
}

// execOn runs a statement with db.
func execOn(ctx context.Context, db Execer, q string, args ...any) error {
	_, err := db.Exec(ctx, q, args...)
	return err
}
