package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// logLock is the advisory lock class of log appends; the object is the OID
// of the log_records table (resolved through search_path), so each log has
// its own lock.
const logLock = 0x74726c67 // "trlg"

// writeTx is one write transaction: domain rows and their log records
// commit together, and a checkpoint of the new tree is signed before the
// commit. It is the sqlstore.WriteTx of the store's Core.
type writeTx struct {
	conn
	tx     pgx.Tx
	ctx    context.Context
	now    time.Time
	signer string

	start, size int64       // the tree size when the transaction began, and now
	records     [][]byte    // records start..size-1, not yet written
	pending     []tlog.Hash // stored hashes from StoredHashIndex(0, start), not yet written
	read        map[int64]tlog.Hash
}

var _ sqlstore.WriteTx = (*writeTx)(nil)

// Now is the time the transaction began.
func (w *writeTx) Now() time.Time { return w.now }

// Size returns the tree size, read when the transaction took the log lock.
func (w *writeTx) Size() (int64, error) { return w.size, nil }

// Appended reports whether the transaction has appended a record.
func (w *writeTx) Appended() bool { return w.size > w.start }

// write runs fn in one transaction that holds the log lock from its start.
func (s *Store) write(ctx context.Context, fn func(w *writeTx) error) error {
	// The key is read (or generated, the first time) outside the
	// transaction: every write signs a checkpoint with it.
	_, signer, _, err := s.key(ctx)
	if err != nil {
		return err
	}
	select {
	case s.writers <- struct{}{}:
		defer func() { <-s.writers }()
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		w := &writeTx{conn: conn{tx}, tx: tx, ctx: ctx, now: s.Now().UTC(), signer: signer, read: map[int64]tlog.Hash{}}
		// Two statements, not one: a statement's snapshot is taken before
		// the lock is granted, so the size must be read by a later
		// statement to see the previous holder's commit. A batch sends
		// both in one round trip.
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1, 'log_records'::regclass::oid::integer)`, logLock)
		b.Queue(`SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`).QueryRow(func(row pgx.Row) error { return row.Scan(&w.start) })
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("postgres: log lock: %w", err)
		}
		w.size = w.start
		if err := fn(w); err != nil {
			return err
		}
		if !w.Appended() {
			return nil
		}
		if err := w.flush(); err != nil {
			return err
		}
		return w.checkpoint()
	})
}

// writeCore is write for the Core.
func (s *Store) writeCore(ctx context.Context, fn func(sqlstore.WriteTx) error) error {
	return s.write(ctx, func(w *writeTx) error { return fn(w) })
}

// tx runs fn in a transaction that does not log (sessions).
func (s *Store) tx(ctx context.Context, fn func(sqlstore.DB) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return fn(conn{tx}) })
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
	return conn{tx}, func() { _ = tx.Rollback(context.Background()) }, nil
}

// Log appends rec to the log in memory (flush writes the records and
// hashes at the end of the transaction) and returns its index.
func (w *writeTx) Log(rec *ledger.Record, err error) (int64, error) {
	data, err := sqlstore.RecordBytes(rec, err)
	if err != nil {
		return 0, err
	}
	n := w.size
	if w.size, _, err = ledger.Append(w.ctx, w, n, data); err != nil {
		return 0, err
	}
	w.records = append(w.records, data)
	return n, nil
}

// ReadHashes reads stored hashes: those appended in this transaction from
// memory, the others from log_hashes in one query.
func (w *writeTx) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	first := tlog.StoredHashIndex(0, w.start)
	var missing []int64
	for _, x := range indexes {
		if _, ok := w.read[x]; !ok && x < first {
			missing = append(missing, x)
		}
	}
	if len(missing) > 0 {
		hs, err := dialect{}.ReadHashes(ctx, w.conn, missing)
		if err != nil {
			return nil, err
		}
		for i, x := range missing {
			w.read[x] = hs[i]
		}
	}
	for i, x := range indexes {
		if x >= first {
			if x-first >= int64(len(w.pending)) {
				return nil, fmt.Errorf("postgres: read hash %d: not written yet", x)
			}
			out[i] = w.pending[x-first]
			continue
		}
		out[i] = w.read[x]
	}
	return out, nil
}

// WriteHashes keeps hashes in memory until flush; Append writes them in
// index order, so they stay contiguous.
func (w *writeTx) WriteHashes(ctx context.Context, start int64, hs []tlog.Hash) error {
	if want := tlog.StoredHashIndex(0, w.start) + int64(len(w.pending)); start != want {
		return fmt.Errorf("postgres: write hashes at %d, want %d", start, want)
	}
	w.pending = append(w.pending, hs...)
	return nil
}

// flush writes the pending records and hashes with COPY.
func (w *writeTx) flush() error {
	recs := w.records
	if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{"log_records"}, []string{"idx", "data"},
		pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) { return []any{w.start + int64(i), recs[i]}, nil })); err != nil {
		return fmt.Errorf("postgres: log append: %w", err)
	}
	first, hs := tlog.StoredHashIndex(0, w.start), w.pending
	if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{"log_hashes"}, []string{"idx", "hash"},
		pgx.CopyFromSlice(len(hs), func(i int) ([]any, error) { return []any{first + int64(i), hs[i][:]}, nil })); err != nil {
		return fmt.Errorf("postgres: log hashes: %w", err)
	}
	return nil
}

// checkpoint signs the tree as it stands at the end of the transaction.
func (w *writeTx) checkpoint() error {
	note, _, err := ledger.SignTree(w.ctx, w, w.signer, w.size)
	if err != nil {
		return err
	}
	if _, err := w.tx.Exec(w.ctx, `INSERT INTO log_checkpoints (size, note, created_ns) VALUES ($1, $2, $3)
		ON CONFLICT (size) DO NOTHING`, w.size, note, w.now.UnixNano()); err != nil {
		return fmt.Errorf("postgres: checkpoint: %w", err)
	}
	return nil
}

// key returns the log's origin and keys, generating them on first use.
func (s *Store) key(ctx context.Context) (origin, signer, verifier string, err error) {
	return s.keys.Get(ctx, conn{s.pool}, s.LogOrigin)
}
