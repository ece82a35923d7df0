package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// writeTx is one write transaction: domain rows and their log records
// commit together. The records are sequenced (stored with their index),
// not integrated: the store's integrator hashes them into the tree and
// signs a checkpoint later, in batches (sqlstore.Core.Integrate). It is
// the sqlstore.WriteTx of the store's Core.
type writeTx struct {
	conn
	tx  *sql.Tx
	s   *Store
	now time.Time
	// The log size when the transaction first read it (at its first
	// append, or Size), and now; both -1 before.
	start, size int64
	ctx         context.Context
	// The prepared record insert.
	insRecord *sql.Stmt
	// Refresh's statements.
	refreshSel, refreshUpd, refreshVerdict *sql.Stmt
}

var _ sqlstore.WriteTx = (*writeTx)(nil)

// Now is the time the transaction began.
func (w *writeTx) Now() time.Time { return w.now }

// Size returns the log size (records sequenced, integrated or not),
// reading it at the first call.
func (w *writeTx) Size() (int64, error) {
	if w.size >= 0 {
		return w.size, nil
	}
	if err := w.prepare(); err != nil {
		return 0, err
	}
	if err := w.tx.QueryRowContext(w.ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`).Scan(&w.size); err != nil {
		return 0, fmt.Errorf("sqlite: log size: %w", err)
	}
	w.start = w.size
	return w.size, nil
}

// Appended reports whether the transaction has appended a record.
func (w *writeTx) Appended() bool { return w.size > w.start }

// ExecLater runs a statement at once: in process, a statement costs no
// round trip to wait for.
func (w *writeTx) ExecLater(ctx context.Context, fail func(error) error, sql string, args ...any) error {
	if _, err := w.Exec(ctx, sql, args...); err != nil {
		return fail(err)
	}
	return nil
}

// QueryRowLater runs a query at once, as ExecLater does. The query's own
// error fails the write even if scan makes do without a row.
func (w *writeTx) QueryRowLater(ctx context.Context, fail func(error) error, scan func(sqlstore.Scanner) error, sql string, args ...any) error {
	if err := sqlstore.ScanHeld(scan, w.QueryRow(ctx, sql, args...)); err != nil {
		return fail(err)
	}
	return nil
}

// prepare readies the log statement of the transaction.
func (w *writeTx) prepare() error {
	if w.insRecord != nil {
		return nil
	}
	var err error
	if w.insRecord, err = w.prepared(`INSERT INTO log_records (idx, data) VALUES (?, ?)`); err != nil {
		return fmt.Errorf("sqlite: log: %w", err)
	}
	return nil
}

func (w *writeTx) closeStmts() {
	for _, st := range []*sql.Stmt{w.insRecord, w.refreshSel, w.refreshUpd, w.refreshVerdict} {
		if st != nil {
			st.Close()
		}
	}
}

// lockWriter waits for this process's turn to write; call the returned
// function when the transaction is over.
func (s *Store) lockWriter(ctx context.Context) (func(), error) {
	select {
	case s.writer <- struct{}{}:
		return func() { <-s.writer }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// write runs fn in an IMMEDIATE transaction. SQLite then has one writer
// at a time, so log appends (and integrations, which are writes too) are
// serialised and the log cannot fork. Once a transaction that appended
// records has committed, the integrator is kicked: the write is
// acknowledged without waiting for it.
//
// Concurrent writes commit together (group commit, sqlstore.Group): each runs
// in a savepoint of one transaction, in turn, and only a write that fails
// is rolled back; one commit, one fsync of the WAL, serves them all, and
// each write returns only once that commit is done. A write whose context
// is done before its turn is not run; once it runs, it runs to its end.
func (s *Store) write(ctx context.Context, fn func(w *writeTx) error) error {
	return s.group.Run(ctx, fn, maxGroupWrites, s.commitGroup)
}

// maxGroupWrites bounds the writes of one transaction.
const maxGroupWrites = 64

// commitGroup runs the writes in one transaction, each in a savepoint,
// and returns their errors.
func (s *Store) commitGroup(batch *sqlstore.Batch[func(*writeTx) error]) []error {
	fail := func(err error) []error { return make(sqlstore.Errs, len(batch.Writes)).Fail(err) }
	// The transaction serves every write: no one write's context ends it.
	ctx := context.Background()
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return fail(err)
	}
	defer unlock()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fail(fmt.Errorf("sqlite: begin: %w", err))
	}
	defer tx.Rollback()
	// The writes queued while this transaction waited for the writer (an
	// integration storing its hashes) or for the file's write lock (another
	// process) run in it too.
	batch.More()
	appended := false
	errs, err := sqlstore.Savepoints(batch.Writes, func(q string) error {
		_, err := tx.ExecContext(ctx, q)
		return err
	}, func(pw *sqlstore.Pending[func(*writeTx) error]) error {
		w := &writeTx{conn: s.writeConn(tx), tx: tx, s: s, now: sqlstore.WriteTime(pw.Ctx, s.Now().UTC()), start: -1, size: -1,
			ctx: context.WithoutCancel(pw.Ctx)}
		w.keep = true
		err := sqlstore.RunWrite(func() error { return pw.Fn(w) })
		w.closeStmts()
		appended = appended || (err == nil && w.Appended())
		return err
	})
	if err != nil {
		return errs.Fail(fmt.Errorf("sqlite: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return errs.Fail(fmt.Errorf("sqlite: commit: %w", err))
	}
	s.ckpt.wake()
	if appended {
		s.keys.Kick(s.Integrate)
	}
	return errs
}

// writeCore is write for the Core.
func (s *Store) writeCore(ctx context.Context, fn func(sqlstore.WriteTx) error) error {
	return s.write(ctx, func(w *writeTx) error { return fn(w) })
}

// tx runs fn in a transaction that does not log (sessions).
func (s *Store) tx(ctx context.Context, fn func(sqlstore.DB) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(s.writeConn(tx)) })
}

// inTx runs fn in one write transaction, this process's writers taking
// turns (lockWriter), and commits it if fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	s.ckpt.wake()
	return nil
}

// snapshot begins a read transaction: SQLite's WAL gives it one snapshot.
func (s *Store) snapshot(ctx context.Context) (sqlstore.DB, func(), error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: %w", err)
	}
	return s.txConn(tx), func() { _ = tx.Rollback() }, nil
}

// Log sequences rec: it writes it to log_records at the next index and
// returns the index. Its hashes and a checkpoint covering it are written
// by a later integration.
func (w *writeTx) Log(rec *ledger.Record, recErr error) (int64, error) {
	data, err := sqlstore.EncodeRecord(rec, recErr)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	return w.LogEncoded(data)
}

// LogEncoded sequences a record sqlstore.EncodeRecord returned.
func (w *writeTx) LogEncoded(data []byte) (int64, error) {
	n, err := w.Size()
	if err != nil {
		return 0, err
	}
	if _, err := w.insRecord.ExecContext(w.ctx, n, data); err != nil {
		return 0, fmt.Errorf("sqlite: log append: %w", err)
	}
	w.size = n + 1
	return n, nil
}

// key returns the log's origin and keys, generating them on first use.
func (s *Store) key(ctx context.Context) (origin, signer, verifier string, err error) {
	return s.keys.Get(ctx, s.conn(), s.LogOrigin)
}

// prepared returns q prepared for the transaction: the cached statement
// bound to it, or, the first time, prepared for it alone (and cached for
// the next transaction).
func (w *writeTx) prepared(q string) (*sql.Stmt, error) {
	if st := w.cache.stmt(w.ctx, q, false); st != nil {
		return w.tx.StmtContext(w.ctx, st), nil
	}
	return w.tx.PrepareContext(w.ctx, q)
}
