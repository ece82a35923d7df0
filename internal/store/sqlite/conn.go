package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"truce/internal/store/sqlstore"
)

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	// QueryContext runs a query that returns rows.
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	// QueryRowContext runs a query for one row.
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	// ExecContext runs a statement.
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// conn adapts a database handle or transaction to sqlstore.DB. With a
// statement cache, it runs the statements it has run before prepared.
type conn struct {
	q     queryer
	tx    *sql.Tx    // q, when it is a transaction
	cache *stmtCache // nil: prepare every statement each time
	// keep runs statements whatever their context says: the
	// transaction is shared by writes that commit together, and SQLite
	// rolls a whole transaction back when one of its writes is
	// interrupted.
	keep bool
}

// queryer returns what runs q: its cached statement (bound to c's
// transaction, if any) or c's handle.
func (c conn) queryer(ctx context.Context, q string) queryer {
	if c.cache == nil {
		return c.q
	}
	st := c.cache.stmt(ctx, q, c.tx == nil)
	switch {
	case st == nil:
		return c.q
	case c.tx != nil:
		return stmtQueryer{c.tx.StmtContext(ctx, st)}
	}
	return stmtQueryer{st}
}

// context is ctx, or ctx without its cancellation when c keeps going.
func (c conn) context(ctx context.Context) context.Context {
	if c.keep {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Query runs a query.
func (c conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	ctx = c.context(ctx)
	rows, err := c.queryer(ctx, q).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	return sqlRows{rows}, nil
}

// QueryRow runs a query for one row.
func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Scanner {
	ctx = c.context(ctx)
	return sqlRow{c.queryer(ctx, q).QueryRowContext(ctx, q, args...)}
}

// Exec runs a statement and returns how many rows it affected.
func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	ctx = c.context(ctx)
	res, err := c.queryer(ctx, q).ExecContext(ctx, q, args...)
	if err != nil {
		return 0, classify(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	return n, nil
}

type sqlRows struct{ *sql.Rows }

// Close closes the rows; database/sql reports their errors through Err.
func (r sqlRows) Close() { _ = r.Rows.Close() }

type sqlRow struct{ *sql.Row }

// Scan reads the row, classifying its errors.
func (r sqlRow) Scan(dest ...any) error { return classify(r.Row.Scan(dest...)) }

// classify wraps err in the sqlstore error it is, by its SQLite result
// code, never by its message.
func classify(err error) error {
	var se interface{ Code() int }
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %w: %w", sqlstore.ErrNoRows, err)
	case !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT:
		return fmt.Errorf("sqlite: %w", err)
	case se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("sqlite: %w: %w", sqlstore.ErrForeignKey, err)
	}
	// A key violation, or another constraint SQLite checks: the store
	// answers all of them as a conflict with what is stored.
	return fmt.Errorf("sqlite: %w: %w", sqlstore.ErrUnique, err)
}

// stmtCache keeps the statements a store runs prepared, so that SQLite
// parses each once per connection rather than each time it runs (about a
// tenth of a write's CPU went to parsing). database/sql keeps a cached
// statement prepared on every connection that has run it, and binds it to
// a transaction on the transaction's connection.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
	// preparing holds the statements first run in a transaction, being
	// prepared on the database by a goroutine of their own: preparing on
	// the database takes a connection, which a transaction must not wait
	// for while it holds one.
	preparing map[string]bool
	// The background preparations: close cancels them and waits.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

// maxStmts bounds the cache: statements with a list of placeholders as
// long as their arguments come in many lengths.
const maxStmts = 1024

func newStmtCache(db *sql.DB) *stmtCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, preparing: map[string]bool{}, ctx: ctx, cancel: cancel}
}

// stmt returns q prepared, or nil if it is not (yet). now says q may be
// prepared before returning (outside a transaction); else it is prepared
// in the background for the next time.
func (c *stmtCache) stmt(ctx context.Context, q string, now bool) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[q]
	full := len(c.m)+len(c.preparing) >= maxStmts
	wait := !ok && !full && !c.preparing[q] && !c.closed
	if wait && !now {
		c.preparing[q] = true
		c.wg.Add(1)
	}
	c.mu.Unlock()
	switch {
	case ok:
		return st
	case !wait:
		return nil
	case now:
		return c.prepare(ctx, q)
	}
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
		defer cancel()
		c.prepare(ctx, q)
	}()
	return nil
}

// prepare prepares q on the database and keeps it; nil if it cannot be
// (the statement then runs unprepared, and its error is reported then).
func (c *stmtCache) prepare(ctx context.Context, q string) *sql.Stmt {
	st, err := c.db.PrepareContext(ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, q)
	if err != nil {
		return nil
	}
	if c.closed {
		_ = st.Close()
		return nil
	}
	if old, ok := c.m[q]; ok {
		_ = st.Close()
		return old
	}
	c.m[q] = st
	return st
}

// close stops the preparations under way, waits for them and closes
// the cached statements.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}

// stmtQueryer runs a prepared statement as a queryer (its query text
// already bound).
type stmtQueryer struct{ st *sql.Stmt }

func (s stmtQueryer) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return s.st.QueryContext(ctx, args...)
}

func (s stmtQueryer) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, args...)
}

func (s stmtQueryer) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, args...)
}
