package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"truce/internal/store/sqlstore"
)

// pipe is a write transaction's connection. Statements whose outcome
// nothing waits for yet are held back and sent in one pipelined batch with
// the next statement, one round trip for all: the transaction's BEGIN
// (sent with the lock, as is its SET LOCAL: flushAfterCommit), the
// statements a group commit runs between its writes (SAVEPOINT,
// RELEASE, ROLLBACK TO), its log records (sent with its COMMIT:
// commit), a write's own statements that return nothing it
// reads (later, for sqlstore.WriteTx.ExecLater), and its queries whose
// row it reads only once the next statement has run (laterRow, for
// QueryRowLater). A group
// holds the log lock, across every server, for as long as it runs, and on
// a busy machine each round trip also waits for both processes to be
// scheduled (measured on 7 December: a group of ~4 writes held the lock
// 14–20 ms over ~17 round trips, of which an evidence upload took four;
// now one, and a group of ~7 writes ~11 round trips).
//
// Errors keep their order: a held statement that fails fails the
// statement it was sent with (and the rest of that batch is not run).
// A write's own held statement fails its write, wherever the failure is
// reported: the error is a *sqlstore.LaterError, which no code between
// the failing statement and the end of the write mistakes for another,
// and commitGroup fails the write with the statement's own error. The
// write's held statements are sent at its end at the latest (endWrite),
// so a failure is never reported to the next write.
//
// If statements between writes did not all run — one failed, or the
// batch failed before running anything, as when the server cannot prepare
// a statement of it — the pipe is broken: which savepoints exist is no
// longer known, and a ROLLBACK TO could undo a write before the one that
// failed. Every later statement then fails, and so does the group's
// commit: all its writes return the error and none is kept (they were not
// acknowledged, and a client retries). That happens only when a statement
// cannot be prepared or its arguments encoded — a bug, or a schema out of
// step with the code — not on bad input, which fails in a statement the
// database runs, after the held ones: then only its own write is rolled
// back.
type pipe struct {
	tx   pipeConn
	held []heldStmt
	// ran counts the held statements of the batch in flight that ran;
	// broken is set once statements between writes did not run; failed
	// is the error of the write's own held statement that failed, if any
	// (endWrite returns it).
	ran    int
	broken error
	failed error
	// flush is set by flushAfterCommit.
	flush bool
}

// flushStmt is a transaction that writes one WAL record and so, when it
// commits synchronously, flushes the WAL up to its commit, and every
// commit before it, to disk. A logical decoding message (prefix
// "truce", empty content) is the smallest such record any role may write
// (EXECUTE is granted to PUBLIC) at any wal_level; logical decoding
// clients, if any, see it and skip it by its prefix. A transaction
// that only takes a transaction id writes none and commits without a
// flush.
const flushStmt = `SELECT pg_logical_emit_message(true, 'truce', '')`

// flushAfterCommit makes the pipe's transaction commit asynchronously
// (SET LOCAL synchronous_commit TO off, sent with its BEGIN) and its
// commit send flushStmt after the COMMIT, in the same round trip: the
// COMMIT returns, and the transaction's locks are released, once its
// commit record is written; flushStmt then waits, in a transaction of its
// own, until the WAL is on disk up to its own commit, which comes after.
// commit returns only after that, so a caller that waits for commit
// never acknowledges a write that a crash of the database could lose.
// Others see the transaction's rows from its COMMIT on; a crash before
// the flush loses them, with any transaction that read them (a later
// commit is later in the WAL), and they were not acknowledged. (The
// trade PostgreSQL's synchronous_commit documentation describes, with
// the acknowledgement kept after the flush.)
func (p *pipe) flushAfterCommit() {
	p.hold(`SET LOCAL synchronous_commit TO off`)
	p.flush = true
}

// pipeConn is the connection a pipe sends its statements on: a pooled
// connection in a transaction the pipe began (Store.pipeTx), or a pgx.Tx.
type pipeConn interface {
	querier
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// heldStmt is a statement held for the next batch.
type heldStmt struct {
	sql  string
	args []any
	// check, if not nil, checks the statement's result (a row count).
	check func(pgconn.CommandTag) error
	// fail, for a write's own statement, turns its error into the
	// write's; nil for a statement between writes.
	fail func(error) error
	// scan, for a query (laterRow), is called with its row.
	scan func(sqlstore.Scanner) error
}

// run runs the held statement's part of a batch's results: its check,
// or its scan, and counts it in ran if it ran and they accept it.
func (p *pipe) run(h heldStmt, br pgx.BatchResults) error {
	if h.scan != nil {
		// The query's result is read to its end whatever scan reads of
		// it, so that the next statement's is read as its own; and its
		// own error fails it even if scan makes do without a row: in a
		// failed batch, what follows did not run.
		rows, err := br.Query()
		if err != nil {
			rows.Close()
			return err
		}
		err = sqlstore.ScanHeld(h.scan, sqlstore.ScanFunc(func(dest ...any) error {
			if !rows.Next() {
				if err := rows.Err(); err != nil {
					return classify(err)
				}
				return classify(pgx.ErrNoRows)
			}
			return classify(rows.Scan(dest...))
		}))
		rows.Close()
		if qerr := rows.Err(); err == nil {
			err = qerr
		}
		if err != nil {
			return err
		}
	} else {
		ct, err := br.Exec()
		if err == nil && h.check != nil {
			err = h.check(ct)
		}
		if err != nil {
			return err
		}
	}
	p.ran++
	return nil
}

// hold queues sql, a statement between writes without arguments or a
// result, to be sent with the next one.
func (p *pipe) hold(sql string) { p.held = append(p.held, heldStmt{sql: sql}) }

// later queues a write's own statement, whose result nothing reads but
// check, to be sent with the write's next statement or at its end; its
// error, or check's, fails the write with fail(err).
func (p *pipe) later(fail func(error) error, check func(pgconn.CommandTag) error, sql string, args ...any) {
	p.held = append(p.held, heldStmt{sql: sql, args: args, check: check, fail: fail})
}

// laterRow queues a write's own query for one row, whose row scan reads
// when it has run, as later's statements are sent.
func (p *pipe) laterRow(fail func(error) error, scan func(sqlstore.Scanner) error, sql string, args ...any) {
	p.held = append(p.held, heldStmt{sql: sql, args: args, fail: fail, scan: scan})
}

// batch returns b with the held statements first, each counting in ran
// when it has run, and them; it forgets them.
func (p *pipe) batch(b *pgx.Batch) (*pgx.Batch, []heldStmt) {
	held := p.held
	p.ran = 0
	if len(held) == 0 {
		return b, nil
	}
	out := &pgx.Batch{}
	for _, h := range held {
		qq := out.Queue(h.sql, h.args...)
		qq.Fn = func(br pgx.BatchResults) error { return p.run(h, br) }
	}
	out.QueuedQueries = append(out.QueuedQueries, b.QueuedQueries...)
	p.held = nil
	return out, held
}

// check returns the error of a batch that sent held and failed with err:
// a held statement of a write that failed gives a *sqlstore.LaterError;
// statements between writes that did not run break the pipe.
func (p *pipe) check(held []heldStmt, err error) error {
	if err == nil || p.ran >= len(held) {
		return err
	}
	for _, h := range held[p.ran:] {
		if h.fail == nil && p.broken == nil {
			p.broken = fmt.Errorf("%d statements between writes did not run: %w", len(held)-p.ran, err)
		}
	}
	if h := held[p.ran]; h.fail != nil {
		err = &sqlstore.LaterError{Err: h.fail(classify(err))}
		p.failed = err
	}
	return err
}

// endWrite ends a write whose function returned err: if it succeeded, its
// held statements are sent now (one round trip, none if it has none),
// and their failure is its error; if it failed, its held statements are
// dropped, since its savepoint is rolled back. The error returned is the
// write's, a failed held statement's own.
func (p *pipe) endWrite(ctx context.Context, err error) error {
	if err == nil && p.failed == nil && slices.ContainsFunc(p.held, func(h heldStmt) bool { return h.fail != nil }) {
		err = p.SendBatch(ctx, &pgx.Batch{})
	}
	if err == nil {
		err = p.failed
	}
	if err != nil {
		p.held = slices.DeleteFunc(p.held, func(h heldStmt) bool { return h.fail != nil })
	}
	p.failed = nil
	var le *sqlstore.LaterError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// SendBatch sends the held statements and b's, and runs b's callbacks.
func (p *pipe) SendBatch(ctx context.Context, b *pgx.Batch) error {
	if p.broken != nil {
		return p.broken
	}
	b, held := p.batch(b)
	return p.check(held, p.tx.SendBatch(ctx, b).Close())
}

// commit sends the held statements and COMMIT, in one round trip, and
// then, when flushAfterCommit was called, flushStmt in the same one.
func (p *pipe) commit(ctx context.Context) error {
	b := &pgx.Batch{}
	committed := false
	b.Queue(`COMMIT`).Exec(func(ct pgconn.CommandTag) error {
		// A transaction that failed, its function having gone on after
		// the statement that failed, answers COMMIT with ROLLBACK: that
		// is a failure, as pgx's Commit reports it.
		if ct.String() != "COMMIT" {
			return fmt.Errorf("commit: the transaction was rolled back (%s)", ct)
		}
		committed = true
		return nil
	})
	if p.flush {
		b.Queue(flushStmt)
	}
	if err := p.SendBatch(ctx, b); err != nil {
		if committed {
			// Committed, and seen by others, but not known to be on
			// disk: its writes fail as when a COMMIT's answer is lost.
			return fmt.Errorf("postgres: commit: committed, but the flush to disk was not confirmed: %w", err)
		}
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
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
	held := p.held
	p.held, p.ran = nil, 0
	b := &pgx.Batch{}
	for _, h := range held {
		b.Queue(h.sql, h.args...)
	}
	b.Queue(sql, args...)
	br := p.tx.SendBatch(ctx, b)
	for _, h := range held {
		if err := p.run(h, br); err != nil {
			_ = br.Close()
			return nil, p.check(held, err)
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
