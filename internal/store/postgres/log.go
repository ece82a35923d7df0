package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// logLock is the advisory lock class of log appends; the object is the OID
// of the log_records table (resolved through search_path), so each log has
// its own lock.
const logLock = 0x74726c67 // "trlg"

// writeTx is one write transaction: domain rows and their log records
// commit together. The records are sequenced (stored with their index)
// under the log lock, not integrated: an integrator, in this process or
// another server's, hashes them into the tree and signs a checkpoint
// later, in batches (sqlstore.Core.Integrate). It is the sqlstore.WriteTx
// of the store's Core.
type writeTx struct {
	conn
	tx  *pipe
	ctx context.Context
	now time.Time

	start, size int64    // the log size when the transaction took the lock, and now
	records     [][]byte // records start..size-1, not yet written
	integrating bool     // an integration: it may not append
}

var _ sqlstore.WriteTx = (*writeTx)(nil)

// Now is the time the transaction began.
func (w *writeTx) Now() time.Time { return w.now }

// Size returns the log size (records sequenced, integrated or not), read
// when the transaction took the log lock.
func (w *writeTx) Size() (int64, error) { return w.size, nil }

// Appended reports whether the transaction has appended a record.
func (w *writeTx) Appended() bool { return w.size > w.start }

// integrateLock is the advisory lock class of integrations, on the same
// object: one integration at a time, across every server, without
// holding up sequencing.
const integrateLock = 0x74726967 // "trig"

// maxGroupWrites bounds the writes of one transaction.
const maxGroupWrites = 64

// write runs fn in a transaction that holds the log lock from its start,
// so sequencing, across every server on the database, takes turns on the
// lock and the log cannot fork. Concurrent writes of this process commit
// together (group commit, sqlstore.Group): each runs in a savepoint of one
// transaction, in turn, and only a write that fails is rolled back (with
// the records it sequenced); the lock is taken once, the records of all
// are written with one COPY, and one commit serves them all. Each write
// returns once that commit is done; once a transaction that appended
// records has committed, the integrator is kicked: the write is
// acknowledged without waiting for it. A write whose context is done
// before its turn is not run; once it runs, it runs to its end.
func (s *Store) write(ctx context.Context, fn func(w *writeTx) error) error {
	return s.group.Run(ctx, fn, maxGroupWrites, s.commitGroup)
}

// commitGroup runs the writes in one transaction, each in a savepoint,
// and returns their errors. Its BEGIN goes with the lock and its COMMIT
// with the records (pipeTx): the lock is held over the writes' own round
// trips, the records' and the commit's one, nothing more. Its COMMIT
// does not wait for the disk (pipe.flushAfterCommit, when s.flushAfter):
// the lock is released as soon as the commit is recorded, and the flush
// that makes it durable, which took about a tenth of the time the lock
// was held (0.9 ms a group, measured on 7 December), is waited for after
// it, in the same round trip, before any write returns.
func (s *Store) commitGroup(batch *sqlstore.Batch[func(*writeTx) error]) []error {
	var errs sqlstore.Errs
	// The transaction serves every write: no one write's context ends it.
	ctx := context.Background()
	appended := false
	err := s.pipeTx(ctx, func(p *pipe) error {
		w := &writeTx{conn: conn{q: p, keep: true}, tx: p, ctx: ctx}
		if s.flushAfter {
			p.flushAfterCommit()
		}
		if err := w.lock(ctx, logLock); err != nil {
			return err
		}
		// The writes queued while this transaction waited for the lock —
		// about as long as the other servers held it — run in it too.
		batch.More()
		var err error
		// SAVEPOINT and RELEASE go with the next statement (pipe). A
		// ROLLBACK TO, after a write failed, is sent at once: the aborted
		// transaction would refuse to prepare the statements of a batch
		// sent with it.
		errs, err = sqlstore.Savepoints(batch.Writes, func(q string) error {
			if strings.HasPrefix(q, "ROLLBACK") {
				_, err := p.Exec(ctx, q)
				return err
			}
			p.hold(q)
			return nil
		}, func(pw *sqlstore.Pending[func(*writeTx) error]) error {
			w.ctx, w.now = context.WithoutCancel(pw.Ctx), sqlstore.WriteTime(pw.Ctx, s.Now().UTC())
			size, n := w.size, len(w.records)
			err := p.endWrite(ctx, sqlstore.RunWrite(func() error { return pw.Fn(w) }))
			if err != nil {
				w.size, w.records = size, w.records[:n] // its records go with its savepoint
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if w.Appended() {
			appended = true
			w.holdRecords()
		}
		return nil
	})
	if err != nil {
		if len(errs) != len(batch.Writes) {
			errs = make(sqlstore.Errs, len(batch.Writes))
		}
		return errs.Fail(err)
	}
	if appended {
		s.keys.Kick(s.Integrate)
	}
	return errs
}

// pipeTx runs fn in a transaction on a pooled connection of its own, and
// commits it if fn returns nil. Its BEGIN is held to go with fn's first
// statement, and its COMMIT goes with the statements fn left held: a
// transaction costs no round trip of its own (pgx's Begin and Commit
// cost one each, and a group commit sent its records in one and its
// COMMIT in another while it held the log lock). A transaction that did
// not commit is rolled back; a connection that cannot roll back is
// closed, not returned to the pool (pgxpool destroys one released in a
// transaction).
func (s *Store) pipeTx(ctx context.Context, fn func(p *pipe) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer c.Release()
	p := &pipe{tx: c}
	p.hold(`BEGIN`)
	err = fn(p)
	if err == nil {
		err = p.commit(ctx)
	}
	if st := c.Conn().PgConn().TxStatus(); st != 'I' && !c.Conn().IsClosed() {
		// Still in the transaction (T) or in its failed state (E).
		if _, rerr := c.Exec(context.WithoutCancel(ctx), `ROLLBACK`); rerr != nil {
			_ = c.Conn().Close(context.WithoutCancel(ctx))
		}
	}
	return err
}

// lock takes the advisory lock of class on the log and reads the log's
// size. Two statements, not one: a statement's snapshot is taken before
// the lock is granted, so the size must be read by a later statement to
// see the previous holder's commit. A batch sends both in one round trip.
func (w *writeTx) lock(ctx context.Context, class int) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1, 'log_records'::regclass::oid::integer)`, class)
	b.Queue(`SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`).QueryRow(func(row pgx.Row) error { return row.Scan(&w.start) })
	if err := w.tx.SendBatch(ctx, b); err != nil {
		return fmt.Errorf("postgres: log lock: %w", err)
	}
	w.size = w.start
	return nil
}

// integrate runs fn, an integration, in a transaction that holds the
// integration lock, not the log lock: writes go on sequencing while it
// hashes. The records it can read are a contiguous prefix of the log,
// since sequencing transactions commit one at a time in index order; the
// lock keeps integrations, on every server, from overlapping. fn MUST NOT
// append records.
func (s *Store) integrate(ctx context.Context, fn func(sqlstore.WriteTx) error) error {
	return s.pipeTx(ctx, func(p *pipe) error {
		w := &writeTx{conn: conn{q: p}, tx: p, ctx: ctx, now: s.Now().UTC(), integrating: true}
		if err := w.lock(ctx, integrateLock); err != nil {
			return err
		}
		return p.endWrite(ctx, fn(w))
	})
}

// writeCore is write for the Core.
func (s *Store) writeCore(ctx context.Context, fn func(sqlstore.WriteTx) error) error {
	return s.write(ctx, func(w *writeTx) error { return fn(w) })
}

// tx runs fn in a transaction that does not log (sessions).
func (s *Store) tx(ctx context.Context, fn func(sqlstore.DB) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return fn(conn{q: tx}) })
}

// inTx runs fn in one transaction and commits it if fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// snapshot begins a read-only REPEATABLE READ transaction: one snapshot.
func (s *Store) snapshot(ctx context.Context) (sqlstore.DB, func(), error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	return conn{q: tx}, func() { _ = tx.Rollback(context.Background()) }, nil
}

// Log sequences rec in memory (holdRecords writes the records at the end of the
// transaction) and returns its index. Its hashes and a checkpoint covering
// it are written by a later integration.
func (w *writeTx) Log(rec *ledger.Record, err error) (int64, error) {
	data, err := sqlstore.EncodeRecord(rec, err)
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", err)
	}
	return w.LogEncoded(data)
}

// ExecLater holds a statement of the write for its next round trip (pipe).
func (w *writeTx) ExecLater(_ context.Context, fail func(error) error, sql string, args ...any) error {
	w.tx.later(fail, nil, sql, args...)
	return nil
}

// QueryRowLater holds a query of the write for its next round trip
// (pipe).
func (w *writeTx) QueryRowLater(_ context.Context, fail func(error) error, scan func(sqlstore.Scanner) error, sql string, args ...any) error {
	w.tx.laterRow(fail, scan, sql, args...)
	return nil
}

// LogEncoded sequences a record sqlstore.EncodeRecord returned.
func (w *writeTx) LogEncoded(data []byte) (int64, error) {
	if w.integrating {
		return 0, fmt.Errorf("postgres: an integration appends no record")
	}
	n := w.size
	w.records = append(w.records, data)
	w.size = n + 1
	return n, nil
}

// holdRecords holds the insert of the pending records, with a check that
// it stored them all, for the transaction's last round trip (its COMMIT's).
func (w *writeTx) holdRecords() {
	w.tx.held = append(w.tx.held, heldStmt{
		sql:  `INSERT INTO log_records (idx, data) SELECT $1 + i - 1, d FROM unnest($2::bytea[]) WITH ORDINALITY AS u(d, i)`,
		args: []any{w.start, w.records},
		check: func(ct pgconn.CommandTag) error {
			if ct.RowsAffected() != int64(len(w.records)) {
				return fmt.Errorf("log append: %d of %d records inserted", ct.RowsAffected(), len(w.records))
			}
			return nil
		},
	})
}

// key returns the log's origin and keys, generating them on first use.
func (s *Store) key(ctx context.Context) (origin, signer, verifier string, err error) {
	return s.keys.Get(ctx, conn{q: s.pool}, s.LogOrigin)
}
