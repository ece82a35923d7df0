package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/ledger"
)

// DefaultLogOrigin names the log in its checkpoints when none is configured.
const DefaultLogOrigin = "truce.local/log"

// writeTx is one write transaction: domain rows and their log records
// commit together, and a checkpoint of the new tree is signed before the
// commit.
type writeTx struct {
	*sql.Tx
	s    *Store
	now  time.Time
	size int64 // the tree size, read at the first append; -1 before
	ctx  context.Context
	// Prepared log statements, and the hashes written in this transaction,
	// which later appends read back from memory.
	insRecord, insHash, selHash *sql.Stmt
	written                     map[int64]tlog.Hash
	// refreshIncident's statements and the current agreement version.
	refreshSel, refreshUpd *sql.Stmt
	curID                  truce.AgreementID
	curVer                 int
	curLoaded              bool
}

// prepare readies the log statements of the transaction.
func (w *writeTx) prepare() error {
	if w.insRecord != nil {
		return nil
	}
	var err error
	if w.insRecord, err = w.PrepareContext(w.ctx, `INSERT INTO log_records (idx, data) VALUES (?, ?)`); err != nil {
		return fmt.Errorf("sqlite: log: %w", err)
	}
	if w.insHash, err = w.PrepareContext(w.ctx, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`); err != nil {
		return fmt.Errorf("sqlite: log: %w", err)
	}
	if w.selHash, err = w.PrepareContext(w.ctx, `SELECT hash FROM log_hashes WHERE idx = ?`); err != nil {
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

// write runs fn in one IMMEDIATE transaction. SQLite then has one writer at
// a time, so log appends are serialised and the tree cannot fork.
func (s *Store) write(ctx context.Context, fn func(w *writeTx) error) error {
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
	w := &writeTx{Tx: tx, s: s, now: s.Now().UTC(), size: -1, ctx: ctx}
	defer w.closeStmts()
	if err := fn(w); err != nil {
		return err
	}
	if w.size >= 0 {
		if err := w.checkpoint(); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// log appends rec to the log and returns its index.
func (w *writeTx) log(rec *ledger.Record, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	if w.size < 0 {
		if err := w.prepare(); err != nil {
			return 0, err
		}
		if err := w.QueryRowContext(w.ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`).Scan(&w.size); err != nil {
			return 0, fmt.Errorf("sqlite: log size: %w", err)
		}
	}
	data, err := rec.Bytes()
	if err != nil {
		return 0, err
	}
	n := w.size
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
	if _, err := w.ExecContext(w.ctx, `INSERT INTO log_checkpoints (size, note, created_ns) VALUES (?, ?, ?)
		ON CONFLICT (size) DO NOTHING`, w.size, note, w.now.UnixNano()); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return nil
}

// txHashes stores the tree's hashes in log_hashes within one transaction.
type txHashes struct{ q queryer }

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func (h txHashes) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		rows, err := h.q.QueryContext(ctx, `SELECT hash FROM log_hashes WHERE idx = ?`, idx)
		if err != nil {
			return nil, fmt.Errorf("sqlite: read hash %d: %w", idx, err)
		}
		found := false
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: read hash %d: %w", idx, err)
			}
			if len(b) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("stored hash %d has %d bytes: %w", idx, len(b), ledger.ErrLedgerDiverged)
			}
			copy(out[i][:], b)
			found = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sqlite: read hash %d: %w", idx, err)
		}
		if !found {
			return nil, fmt.Errorf("stored hash %d is missing: %w", idx, ledger.ErrLedgerDiverged)
		}
	}
	return out, nil
}

func (h txHashes) WriteHashes(ctx context.Context, start int64, hs []tlog.Hash) error {
	for i, hash := range hs {
		if _, err := h.q.ExecContext(ctx, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`, start+int64(i), hash[:]); err != nil {
			return fmt.Errorf("sqlite: write hash %d: %w", start+int64(i), err)
		}
	}
	return nil
}

// key returns the log's origin and keys, generating them on first use.
// Several processes may race to create the key: the first insert wins and
// everyone reads it back.
func (s *Store) key(ctx context.Context) (origin, signer, verifier string, err error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.signer != "" {
		return s.origin, s.signer, s.verifier, nil
	}
	row := s.db.QueryRowContext(ctx, `SELECT origin, signer, verifier FROM log_key WHERE id = 1`)
	err = row.Scan(&origin, &signer, &verifier)
	if errors.Is(err, sql.ErrNoRows) {
		name := s.LogOrigin
		if name == "" {
			name = DefaultLogOrigin
		}
		sk, vk, gerr := ledger.GenerateKey(name)
		if gerr != nil {
			return "", "", "", gerr
		}
		if _, err := s.db.ExecContext(ctx, `INSERT INTO log_key (id, origin, signer, verifier) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, name, sk, vk); err != nil {
			return "", "", "", fmt.Errorf("sqlite: log key: %w", err)
		}
		err = s.db.QueryRowContext(ctx, `SELECT origin, signer, verifier FROM log_key WHERE id = 1`).Scan(&origin, &signer, &verifier)
	}
	if err != nil {
		return "", "", "", fmt.Errorf("sqlite: log key: %w", err)
	}
	s.origin, s.signer, s.verifier = origin, signer, verifier
	return origin, signer, verifier, nil
}

// LogKey returns the log's origin and verifier key.
func (s *Store) LogKey(ctx context.Context) (string, string, error) {
	origin, _, verifier, err := s.key(ctx)
	return origin, verifier, err
}

// LogSize returns the number of log records.
func (s *Store) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: log size: %w", err)
	}
	return n, nil
}

// LogRecord returns record i as stored.
func (s *Store) LogRecord(ctx context.Context, i int64) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM log_records WHERE idx = ?`, i).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "log record %d not found", i)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: log record %d: %w", i, err)
	}
	return b, nil
}

// LatestCheckpoint returns the newest signed checkpoint.
func (s *Store) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "the log is empty: no checkpoint yet")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return b, nil
}

func (s *Store) checkSize(ctx context.Context, size int64) error {
	n, err := s.LogSize(ctx)
	if err != nil {
		return err
	}
	if size < 1 || size > n {
		return truce.Errorf(truce.EINVALID, "tree size %d out of range 1..%d", size, n)
	}
	return nil
}

// ProveRecord returns the inclusion proof of record i in the tree of size.
func (s *Store) ProveRecord(ctx context.Context, size, i int64) ([][32]byte, error) {
	if err := s.checkSize(ctx, size); err != nil {
		return nil, err
	}
	if i < 0 || i >= size {
		return nil, truce.Errorf(truce.EINVALID, "record %d is not in a tree of size %d", i, size)
	}
	p, err := ledger.ProveRecord(ctx, txHashes{s.db}, size, i)
	if err != nil {
		return nil, err
	}
	return hashes(p), nil
}

// ProveTree returns the consistency proof between two tree sizes.
func (s *Store) ProveTree(ctx context.Context, size, oldSize int64) ([][32]byte, error) {
	if err := s.checkSize(ctx, size); err != nil {
		return nil, err
	}
	if oldSize < 1 || oldSize > size {
		return nil, truce.Errorf(truce.EINVALID, "old tree size %d out of range 1..%d", oldSize, size)
	}
	p, err := ledger.ProveTree(ctx, txHashes{s.db}, size, oldSize)
	if err != nil {
		return nil, err
	}
	return hashes(p), nil
}

func hashes(hs []tlog.Hash) [][32]byte {
	out := make([][32]byte, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}

// LogSource returns a view of the whole log on one read transaction, for
// ledger.Verify and ledger.ExportBundle. Call the returned close function
// when done.
func (s *Store) LogSource(ctx context.Context) (ledger.Source, func(), error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: log source: %w", err)
	}
	return &source{tx: tx, txHashes: txHashes{tx}}, func() { _ = tx.Rollback() }, nil
}

type source struct {
	tx *sql.Tx
	txHashes
}

func (src *source) Len(ctx context.Context) (int64, error) {
	var n int64
	err := src.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`).Scan(&n)
	return n, err
}

func (src *source) Records(ctx context.Context, start, end int64) ([][]byte, error) {
	out := make([][]byte, end-start)
	rows, err := src.tx.QueryContext(ctx, `SELECT idx, data FROM log_records WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var b []byte
		if err := rows.Scan(&i, &b); err != nil {
			return nil, err
		}
		out[i-start] = b
	}
	return out, rows.Err()
}

func (src *source) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := src.tx.QueryContext(ctx, `SELECT note FROM log_checkpoints ORDER BY size`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
