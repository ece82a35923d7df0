package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipe is a write transaction's connection. The statements a group
// commit runs between its writes (SAVEPOINT, RELEASE, ROLLBACK TO) return
// nothing a write waits for: pipe holds them back and sends them in one
// pipelined batch with the next statement, one round trip for both. A
// group holds the log lock, across every server, for as long as it runs,
// and on a busy machine each round trip also waits for both processes to
// be scheduled: round trips, not the database's work, set the pace of
// writes (measured: a write held the lock ~4 ms, of which ~0.8 ms was
// statements' execution).
//
// Errors keep their order: a held statement that fails fails the
// statement it was sent with (and the rest of that batch is not run).
// If held statements did not all run — one failed, or the batch failed
// before running anything, as when the server cannot prepare a statement
// of it — the pipe is broken: which savepoints exist is no longer known,
// and a ROLLBACK TO could undo a write before the one that failed. Every
// later statement then fails, and so does the group's commit: all its
// writes return the error and none is kept (they were not acknowledged,
// and a client retries). That happens only when a statement cannot be
// prepared or its arguments encoded — a bug, or a schema out of step with
// the code — not on bad input, which fails in a statement the database
// runs, after the held ones: then only its own write is rolled back.
type pipe struct {
	tx   pgx.Tx
	held []string
	// ran counts the held statements of the batch in flight that ran;
	// broken is set once some did not.
	ran    int
	broken error
}

// hold queues sql, a statement without arguments or a result, to be sent
// with the next one.
func (p *pipe) hold(sql string) { p.held = append(p.held, sql) }

// batch returns b with the held statements first, each counting in ran
// when it has run, and the number of them; it forgets them.
func (p *pipe) batch(b *pgx.Batch) (*pgx.Batch, int) {
	n := len(p.held)
	p.ran = 0
	if n == 0 {
		return b, 0
	}
	out := &pgx.Batch{}
	for _, q := range p.held {
		out.Queue(q).Exec(func(pgconn.CommandTag) error { p.ran++; return nil })
	}
	out.QueuedQueries = append(out.QueuedQueries, b.QueuedQueries...)
	p.held = p.held[:0]
	return out, n
}

// check marks the pipe broken if fewer than n held statements ran, the
// batch having failed with err.
func (p *pipe) check(n int, err error) error {
	if err != nil && p.ran < n && p.broken == nil {
		p.broken = fmt.Errorf("%d statements between writes did not run: %w", n-p.ran, err)
	}
	return err
}

// SendBatch sends the held statements and b's, and runs b's callbacks.
func (p *pipe) SendBatch(ctx context.Context, b *pgx.Batch) error {
	if p.broken != nil {
		return p.broken
	}
	b, n := p.batch(b)
	return p.check(n, p.tx.SendBatch(ctx, b).Close())
}

// flush sends the held statements, if any.
func (p *pipe) flush(ctx context.Context) error {
	if len(p.held) == 0 {
		return nil
	}
	return p.SendBatch(ctx, &pgx.Batch{})
}

// Exec runs a statement after the held ones.
func (p *pipe) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if p.broken != nil {
		return pgconn.CommandTag{}, p.broken
	}
	if len(p.held) == 0 {
		return p.tx.Exec(ctx, sql, args...)
	}
	var tag pgconn.CommandTag
	b := &pgx.Batch{}
	b.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	return tag, p.SendBatch(ctx, b)
}

// Query runs a query after the held statements; closing its rows ends the
// batch.
func (p *pipe) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if p.broken != nil {
		return nil, p.broken
	}
	if len(p.held) == 0 {
		return p.tx.Query(ctx, sql, args...)
	}
	n := len(p.held)
	b := &pgx.Batch{}
	for _, q := range p.held {
		b.Queue(q)
	}
	p.held = p.held[:0]
	b.Queue(sql, args...)
	br := p.tx.SendBatch(ctx, b)
	for range n {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			p.ran = 0
			return nil, p.check(n, err)
		}
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

// QueryRow runs a query for one row after the held statements.
func (p *pipe) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if len(p.held) == 0 && p.broken == nil {
		return p.tx.QueryRow(ctx, sql, args...)
	}
	rows, err := p.Query(ctx, sql, args...)
	return rowFunc(func(dest ...any) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return pgx.ErrNoRows
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
}

// batchRows are the rows of a batch's last query: reading the last row,
// or closing them, closes the batch and frees the connection, as pgx's
// own rows do.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if r.br != nil {
		if err := r.br.Close(); err != nil && r.err == nil {
			r.err = err
		}
		r.br = nil
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// rowFunc is a pgx.Row scanned by a function.
type rowFunc func(dest ...any) error

func (f rowFunc) Scan(dest ...any) error { return f(dest...) }
