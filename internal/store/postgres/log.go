package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/ledger"
)

// DefaultLogOrigin names the log in its checkpoints when none is configured.
const DefaultLogOrigin = "truce.local/log"

// logLock is the advisory lock class of log appends; the object is the OID
// of the log_records table (resolved through search_path), so each log has
// its own lock.
const logLock = 0x74726c67 // "trlg"

// writeTx is one write transaction: domain rows and their log records
// commit together, and a checkpoint of the new tree is signed before the
// commit.
type writeTx struct {
	pgx.Tx
	ctx    context.Context
	now    time.Time
	signer string

	start, size int64       // the tree size when the transaction began, and now
	records     [][]byte    // records start..size-1, not yet written
	pending     []tlog.Hash // stored hashes from StoredHashIndex(0, start), not yet written
	read        map[int64]tlog.Hash
}

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
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	w := &writeTx{Tx: tx, ctx: ctx, now: s.Now().UTC(), signer: signer, read: map[int64]tlog.Hash{}}
	// Two statements, not one: a statement's snapshot is taken before the
	// lock is granted, so the size must be read by a later statement to see
	// the previous holder's commit. A batch sends both in one round trip.
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
	if w.size > w.start {
		if err := w.flush(); err != nil {
			return err
		}
		if err := w.checkpoint(); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// log appends rec to the log and returns its index.
func (w *writeTx) log(rec *ledger.Record, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	data, err := rec.Bytes()
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
		if err := readHashes(ctx, w.Tx, missing, w.read); err != nil {
			return nil, err
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
	if _, err := w.CopyFrom(w.ctx, pgx.Identifier{"log_records"}, []string{"idx", "data"},
		pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) { return []any{w.start + int64(i), recs[i]}, nil })); err != nil {
		return fmt.Errorf("postgres: log append: %w", err)
	}
	first, hs := tlog.StoredHashIndex(0, w.start), w.pending
	if _, err := w.CopyFrom(w.ctx, pgx.Identifier{"log_hashes"}, []string{"idx", "hash"},
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
	if _, err := w.Exec(w.ctx, `INSERT INTO log_checkpoints (size, note, created_ns) VALUES ($1, $2, $3)
		ON CONFLICT (size) DO NOTHING`, w.size, note, w.now.UnixNano()); err != nil {
		return fmt.Errorf("postgres: checkpoint: %w", err)
	}
	return nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readHashes reads the stored hashes at indexes into into, in one query. A
// missing or malformed hash is tampering or corruption.
func readHashes(ctx context.Context, q querier, indexes []int64, into map[int64]tlog.Hash) error {
	rows, err := q.Query(ctx, `SELECT idx, hash FROM log_hashes WHERE idx = ANY($1)`, indexes)
	if err != nil {
		return fmt.Errorf("postgres: read hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return fmt.Errorf("postgres: read hashes: %w", err)
		}
		if len(b) != tlog.HashSize {
			return fmt.Errorf("stored hash %d has %d bytes: %w", idx, len(b), ledger.ErrLedgerDiverged)
		}
		into[idx] = tlog.Hash(b)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: read hashes: %w", err)
	}
	for _, x := range indexes {
		if _, ok := into[x]; !ok {
			return fmt.Errorf("stored hash %d is missing: %w", x, ledger.ErrLedgerDiverged)
		}
	}
	return nil
}

// hashReader reads stored hashes outside a write transaction.
type hashReader struct{ q querier }

func (h hashReader) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	got := make(map[int64]tlog.Hash, len(indexes))
	if err := readHashes(ctx, h.q, indexes, got); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = got[x]
	}
	return out, nil
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
	const q = `SELECT origin, signer, verifier FROM log_key WHERE id = 1`
	err = s.pool.QueryRow(ctx, q).Scan(&origin, &signer, &verifier)
	if errors.Is(err, pgx.ErrNoRows) {
		name := s.LogOrigin
		if name == "" {
			name = DefaultLogOrigin
		}
		sk, vk, gerr := ledger.GenerateKey(name)
		if gerr != nil {
			return "", "", "", gerr
		}
		if _, err := s.pool.Exec(ctx, `INSERT INTO log_key (id, origin, signer, verifier) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING`, name, sk, vk); err != nil {
			return "", "", "", fmt.Errorf("postgres: log key: %w", err)
		}
		err = s.pool.QueryRow(ctx, q).Scan(&origin, &signer, &verifier)
	}
	if err != nil {
		return "", "", "", fmt.Errorf("postgres: log key: %w", err)
	}
	s.origin, s.signer, s.verifier = origin, signer, verifier
	return origin, signer, verifier, nil
}

// LogKey returns the log's origin and verifier key.
func (s *Store) LogKey(ctx context.Context) (string, string, error) {
	origin, _, verifier, err := s.key(ctx)
	return origin, verifier, err
}

const sizeQuery = `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`

// LogSize returns the number of log records.
func (s *Store) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, sizeQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: log size: %w", err)
	}
	return n, nil
}

// LogRecord returns record i as stored.
func (s *Store) LogRecord(ctx context.Context, i int64) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM log_records WHERE idx = $1`, i).Scan(&b)
	if err != nil {
		return nil, notFound(err, "log record", "log record %d not found", i)
	}
	return b, nil
}

// LatestCheckpoint returns the newest signed checkpoint.
func (s *Store) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&b)
	if err != nil {
		return nil, notFound(err, "checkpoint", "the log is empty: no checkpoint yet")
	}
	return b, nil
}

// proof checks size (and, with check, the other arguments) against the tree
// size and builds a proof with prove, on one read-only snapshot.
func (s *Store) proof(ctx context.Context, size int64, check func(n int64) error, prove func(hr ledger.HashReader) ([]tlog.Hash, error)) ([][32]byte, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("postgres: proof: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var n int64
	if err := tx.QueryRow(ctx, sizeQuery).Scan(&n); err != nil {
		return nil, fmt.Errorf("postgres: log size: %w", err)
	}
	if size < 1 || size > n {
		return nil, truce.Errorf(truce.EINVALID, "tree size %d out of range 1..%d", size, n)
	}
	if err := check(n); err != nil {
		return nil, err
	}
	p, err := prove(hashReader{tx})
	if err != nil {
		return nil, err
	}
	out := make([][32]byte, len(p))
	for i, h := range p {
		out[i] = h
	}
	return out, nil
}

// ProveRecord returns the inclusion proof of record i in the tree of size.
func (s *Store) ProveRecord(ctx context.Context, size, i int64) ([][32]byte, error) {
	return s.proof(ctx, size, func(int64) error {
		if i < 0 || i >= size {
			return truce.Errorf(truce.EINVALID, "record %d is not in a tree of size %d", i, size)
		}
		return nil
	}, func(hr ledger.HashReader) ([]tlog.Hash, error) {
		return ledger.ProveRecord(ctx, hr, size, i)
	})
}

// ProveTree returns the consistency proof between two tree sizes.
func (s *Store) ProveTree(ctx context.Context, size, oldSize int64) ([][32]byte, error) {
	return s.proof(ctx, size, func(int64) error {
		if oldSize < 1 || oldSize > size {
			return truce.Errorf(truce.EINVALID, "old tree size %d out of range 1..%d", oldSize, size)
		}
		return nil
	}, func(hr ledger.HashReader) ([]tlog.Hash, error) {
		return ledger.ProveTree(ctx, hr, size, oldSize)
	})
}

// LogSource returns a view of the whole log on one read-only snapshot
// (REPEATABLE READ), for ledger.Verify and ledger.ExportBundle. Call the
// returned close function when done.
func (s *Store) LogSource(ctx context.Context) (ledger.Source, func(), error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: log source: %w", err)
	}
	return &source{tx: tx, hashReader: hashReader{tx}}, func() { _ = tx.Rollback(context.Background()) }, nil
}

type source struct {
	tx pgx.Tx
	hashReader
}

func (src *source) Len(ctx context.Context) (int64, error) {
	var n int64
	if err := src.tx.QueryRow(ctx, sizeQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: log size: %w", err)
	}
	return n, nil
}

// Records returns records [start, end); an absent record is nil.
func (src *source) Records(ctx context.Context, start, end int64) ([][]byte, error) {
	out := make([][]byte, end-start)
	rows, err := src.tx.Query(ctx, `SELECT idx, data FROM log_records WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
	if err != nil {
		return nil, fmt.Errorf("postgres: log records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var b []byte
		if err := rows.Scan(&i, &b); err != nil {
			return nil, fmt.Errorf("postgres: log records: %w", err)
		}
		if b == nil {
			b = []byte{} // present but empty: not the nil of an absent record
		}
		out[i-start] = b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: log records: %w", err)
	}
	return out, nil
}

func (src *source) Checkpoints(ctx context.Context) ([][]byte, error) {
	rows, err := src.tx.Query(ctx, `SELECT note FROM log_checkpoints ORDER BY size`)
	if err != nil {
		return nil, fmt.Errorf("postgres: checkpoints: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("postgres: checkpoints: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: checkpoints: %w", err)
	}
	return out, nil
}
