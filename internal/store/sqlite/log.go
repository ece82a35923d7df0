package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// writeTx is one write transaction: domain rows and their log records
// commit together, and a checkpoint of the new tree is signed before the
// commit. It is the sqlstore.WriteTx of the store's Core.
type writeTx struct {
	conn
	tx  *sql.Tx
	s   *Store
	now time.Time
	// The tree size when the transaction first read it (at its first
	// append, or Size), and now; both -1 before.
	start, size int64
	ctx         context.Context
	// Prepared log statements, and the hashes written in this transaction,
	// which later appends read back from memory.
	insRecord, insHash, selHash *sql.Stmt
	written                     map[int64]tlog.Hash
	// Refresh's statements.
	refreshSel, refreshUpd *sql.Stmt
}

var _ sqlstore.WriteTx = (*writeTx)(nil)

// Now is the time the transaction began.
func (w *writeTx) Now() time.Time { return w.now }

// Size returns the tree size, reading it at the first call.
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

// prepare readies the log statements of the transaction.
func (w *writeTx) prepare() error {
	if w.insRecord != nil {
		return nil
	}
	var err error
	if w.insRecord, err = w.tx.PrepareContext(w.ctx, `INSERT INTO log_records (idx, data) VALUES (?, ?)`); err != nil {
		return fmt.Errorf("sqlite: log: %w", err)
	}
	if w.insHash, err = w.tx.PrepareContext(w.ctx, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`); err != nil {
		return fmt.Errorf("sqlite: log: %w", err)
	}
	if w.selHash, err = w.tx.PrepareContext(w.ctx, `SELECT hash FROM log_hashes WHERE idx = ?`); err != nil {
		return fmt.Errorf("sqlite: log: %w", err)
	}
	w.written = map[int64]tlog.Hash{}
	return nil
}

func (w *writeTx) closeStmts() {
	for _, st := range []*sql.Stmt{w.insRecord, w.insHash, w.selHash, w.refreshSel, w.refreshUpd} {
		if st != nil {
			st.Close()
		}
	}
}

// ReadHashes implements ledger.HashReader within the transaction.
func (w *writeTx) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		if h, ok := w.written[idx]; ok {
			out[i] = h
			continue
		}
		var b []byte
		err := w.selHash.QueryRowContext(ctx, idx).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("stored hash %d is missing: %w", idx, ledger.ErrLedgerDiverged)
		} else if err != nil {
			return nil, fmt.Errorf("sqlite: read hash %d: %w", idx, err)
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("stored hash %d has %d bytes: %w", idx, len(b), ledger.ErrLedgerDiverged)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// WriteHashes implements ledger.HashStore within the transaction.
func (w *writeTx) WriteHashes(ctx context.Context, start int64, hs []tlog.Hash) error {
	for i, h := range hs {
		if _, err := w.insHash.ExecContext(ctx, start+int64(i), h[:]); err != nil {
			return fmt.Errorf("sqlite: write hash %d: %w", start+int64(i), err)
		}
		w.written[start+int64(i)] = h
	}
	return nil
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

// write runs fn in one IMMEDIATE transaction. SQLite then has one writer at
// a time, so log appends are serialised and the tree cannot fork.
func (s *Store) write(ctx context.Context, fn func(w *writeTx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		w := &writeTx{conn: conn{tx}, tx: tx, s: s, now: s.Now().UTC(), start: -1, size: -1, ctx: ctx}
		defer w.closeStmts()
		if err := fn(w); err != nil {
			return err
		}
		if w.Appended() {
			return w.checkpoint()
		}
		return nil
	})
}

// writeCore is write for the Core.
func (s *Store) writeCore(ctx context.Context, fn func(sqlstore.WriteTx) error) error {
	return s.write(ctx, func(w *writeTx) error { return fn(w) })
}

// tx runs fn in a transaction that does not log (sessions).
func (s *Store) tx(ctx context.Context, fn func(sqlstore.DB) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(conn{tx}) })
}

// inTx runs fn in one write transaction, this process's writers taking
// turns (lockWriter), and commits it if fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
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
	return nil
}

// snapshot begins a read transaction: SQLite's WAL gives it one snapshot.
func (s *Store) snapshot(ctx context.Context) (sqlstore.DB, func(), error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: %w", err)
	}
	return conn{tx}, func() { _ = tx.Rollback() }, nil
}

// Log writes rec to log_records and its hashes to log_hashes, and returns
// its index.
func (w *writeTx) Log(rec *ledger.Record, recErr error) (int64, error) {
	data, err := sqlstore.RecordBytes(rec, recErr)
	if err != nil {
		return 0, err
	}
	n, err := w.Size()
	if err != nil {
		return 0, err
	}
	if _, err := w.insRecord.ExecContext(w.ctx, n, data); err != nil {
		return 0, fmt.Errorf("sqlite: log append: %w", err)
	}
	if w.size, _, err = ledger.Append(w.ctx, w, n, data); err != nil {
		return 0, err
	}
	return n, nil
}

// checkpoint signs the tree as it stands at the end of the transaction.
func (w *writeTx) checkpoint() error {
	_, signer, _, err := w.s.key(w.ctx)
	if err != nil {
		return err
	}
	note, _, err := ledger.SignTree(w.ctx, w, signer, w.size)
	if err != nil {
		return err
	}
	if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO log_checkpoints (size, note, created_ns) VALUES (?, ?, ?)
		ON CONFLICT (size) DO NOTHING`, w.size, note, w.now.UnixNano()); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return nil
}

// key returns the log's origin and keys, generating them on first use.
func (s *Store) key(ctx context.Context) (origin, signer, verifier string, err error) {
	return s.keys.Get(ctx, conn{s.db}, s.LogOrigin)
}
