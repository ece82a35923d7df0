package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/ledger"
)

// DefaultLogOrigin names the log in its checkpoints when none is
// configured.
const DefaultLogOrigin = "truce.local/log"

// sizeQuery reads the log's size.
const sizeQuery = `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_records`

// Key is a store's log state in this process: the log's signing key, read
// from the log_key table once and then kept (every integration signs a
// checkpoint with it), and the background integrator (Kick).
type Key struct {
	mu                       sync.Mutex
	origin, signer, verifier string
	integ                    integrator
}

// Get returns the log's origin and keys. The first call on a database
// without a key generates one named origin, or DefaultLogOrigin if that
// is ""; several processes may race to, and the first insert wins:
// everyone reads it back.
func (k *Key) Get(ctx context.Context, db DB, origin string) (string, string, string, error) {
	if origin == "" {
		origin = DefaultLogOrigin
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.signer != "" {
		return k.origin, k.signer, k.verifier, nil
	}
	const q = `SELECT origin, signer, verifier FROM log_key WHERE id = 1`
	err := db.QueryRow(ctx, q).Scan(&k.origin, &k.signer, &k.verifier)
	if errors.Is(err, ErrNoRows) {
		sk, vk, gerr := ledger.GenerateKey(origin)
		if gerr != nil {
			return "", "", "", gerr
		}
		if _, err := db.Exec(ctx, `INSERT INTO log_key (id, origin, signer, verifier) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING`,
			origin, sk, vk); err != nil {
			return "", "", "", fmt.Errorf("log key: %w", err)
		}
		err = db.QueryRow(ctx, q).Scan(&k.origin, &k.signer, &k.verifier)
	}
	if err != nil {
		k.signer = ""
		return "", "", "", fmt.Errorf("log key: %w", err)
	}
	return k.origin, k.signer, k.verifier, nil
}

// LogKey returns the log's origin and verifier key.
func (c Core) LogKey(ctx context.Context) (string, string, error) {
	origin, _, verifier, err := c.d.Key(ctx)
	return origin, verifier, err
}

// LogSize returns the number of log records, integrated or not.
func (c Core) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := c.d.DB.QueryRow(ctx, sizeQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return n, nil
}

// LogRecord returns record i as stored. ENOTFOUND if absent.
func (c Core) LogRecord(ctx context.Context, i int64) ([]byte, error) {
	var b []byte
	if err := c.d.DB.QueryRow(ctx, `SELECT data FROM log_records WHERE idx = $1`, i).Scan(&b); err != nil {
		return nil, NotFound(err, "log record", "log record %d not found", i)
	}
	return b, nil
}

// LatestCheckpoint returns the newest signed checkpoint as stored.
// ENOTFOUND if none is stored yet. It never integrates, so it never waits
// for the log lock behind writers: it covers the integrated records only,
// and a write acknowledged less than an integration ago (IntegrateDelay
// plus the integration) may be sequenced beyond it. Proofs at a larger
// size answer ErrNotIntegrated until the integrator catches up.
func (c Core) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var b []byte
	if err := c.d.DB.QueryRow(ctx, `SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&b); err != nil {
		return nil, NotFound(err, "checkpoint", "the log is empty: no checkpoint yet")
	}
	return b, nil
}

// ProveRecord returns the inclusion proof of record i in the tree of
// size. EINVALID if either is out of range.
func (c Core) ProveRecord(ctx context.Context, size, i int64) ([][32]byte, error) {
	return c.proof(ctx, size, func() error {
		if i < 0 || i >= size {
			return truce.Errorf(truce.EINVALID, "record %d is not in a tree of size %d", i, size)
		}
		return nil
	}, func(hr ledger.HashReader) ([]tlog.Hash, error) {
		return ledger.ProveRecord(ctx, hr, size, i)
	})
}

// ProveTree returns the consistency proof between two tree sizes.
// EINVALID if either is out of range.
func (c Core) ProveTree(ctx context.Context, size, oldSize int64) ([][32]byte, error) {
	return c.proof(ctx, size, func() error {
		if oldSize < 1 || oldSize > size {
			return truce.Errorf(truce.EINVALID, "old tree size %d out of range 1..%d", oldSize, size)
		}
		return nil
	}, func(hr ledger.HashReader) ([]tlog.Hash, error) {
		return ledger.ProveTree(ctx, hr, size, oldSize)
	})
}

// proof checks size against the tree's, and the other arguments with
// check, and builds a proof with prove, on one snapshot.
func (c Core) proof(ctx context.Context, size int64, check func() error, prove func(hr ledger.HashReader) ([]tlog.Hash, error)) ([][32]byte, error) {
	db, done, err := c.d.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("proof: %w", err)
	}
	defer done()
	var n, m int64
	if err := db.QueryRow(ctx, `SELECT (`+sizeQuery+`), (`+integratedQuery+`)`).Scan(&n, &m); err != nil {
		return nil, fmt.Errorf("log size: %w", err)
	}
	if size < 1 || size > n {
		return nil, truce.Errorf(truce.EINVALID, "tree size %d out of range 1..%d", size, n)
	}
	if err := check(); err != nil {
		return nil, err
	}
	if size > m {
		return nil, fmt.Errorf("%w: tree size %d, integrated %d of %d records", ledger.ErrNotIntegrated, size, m, n)
	}
	p, err := prove(source{db, c.d.Dialect})
	if err != nil {
		return nil, err
	}
	out := make([][32]byte, len(p))
	for i, h := range p {
		out[i] = h
	}
	return out, nil
}

// LogSource returns the whole log on one read-only snapshot, for
// ledger.Verify and ledger.ExportBundle, after integrating the records
// sequenced so far. Call the returned function when done. Records
// sequenced after the integration are in the snapshot without hashes: the
// source is a ledger.IntegratedSource.
func (c Core) LogSource(ctx context.Context) (ledger.Source, func(), error) {
	if err := c.catchUp(ctx); err != nil {
		return nil, nil, err
	}
	db, done, err := c.d.Snapshot(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("log source: %w", err)
	}
	return source{db, c.d.Dialect}, done, nil
}

// catchUp integrates the sequenced records if any are not integrated.
func (c Core) catchUp(ctx context.Context) error {
	var n, m int64
	if err := c.d.DB.QueryRow(ctx, `SELECT (`+sizeQuery+`), (`+integratedQuery+`)`).Scan(&n, &m); err != nil {
		return fmt.Errorf("log size: %w", err)
	}
	if m >= n {
		return nil
	}
	_, err := c.Integrate(ctx)
	return err
}

// source implements ledger.IntegratedSource on a snapshot.
type source struct {
	db DB
	d  Dialect
}

var _ ledger.IntegratedSource = source{}

// Integrated returns the integrated size, the newest checkpoint's.
func (src source) Integrated(ctx context.Context) (int64, error) {
	var n int64
	if err := src.db.QueryRow(ctx, integratedQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("integrated size: %w", err)
	}
	return n, nil
}

// ReadHashes reads stored hashes with the driver's Dialect.ReadHashes.
func (src source) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return src.d.ReadHashes(ctx, src.db, indexes)
}

// Len returns the number of records.
func (src source) Len(ctx context.Context) (int64, error) {
	var n int64
	if err := src.db.QueryRow(ctx, sizeQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("log size: %w", err)
	}
	return n, nil
}

// Records returns records [start, end); an absent record is nil, a
// present one never is.
func (src source) Records(ctx context.Context, start, end int64) ([][]byte, error) {
	out := make([][]byte, end-start)
	err := Each(ctx, src.db, "log records", scanRecord, func(r record) error {
		out[r.idx-start] = r.data
		return nil
	}, `SELECT idx, data FROM log_records WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
	return out, err
}

// Checkpoints returns every signed checkpoint, oldest first, each with
// the witnesses' cosignatures stored for it (extra signature lines after
// the log's, by witness name).
func (src source) Checkpoints(ctx context.Context) ([][]byte, error) {
	type sized struct {
		size int64
		b    []byte
	}
	scan := func(sc Scanner) (sized, error) {
		var s sized
		return s, sc.Scan(&s.size, &s.b)
	}
	var out [][]byte
	at := map[int64]int{}
	err := Each(ctx, src.db, "checkpoints", scan, func(s sized) error {
		at[s.size] = len(out)
		out = append(out, s.b)
		return nil
	}, `SELECT size, note FROM log_checkpoints ORDER BY size`)
	if err != nil {
		return nil, err
	}
	return out, Each(ctx, src.db, "cosignatures", scan, func(s sized) error {
		if i, ok := at[s.size]; ok {
			out[i] = append(out[i], s.b...)
		}
		return nil
	}, `SELECT size, line FROM log_cosignatures ORDER BY size, witness`)
}

// record is one log record as stored.
type record struct {
	idx  int64
	data []byte
}

func scanRecord(sc Scanner) (record, error) {
	var r record
	if err := sc.Scan(&r.idx, &r.data); err != nil {
		return record{}, err
	}
	if r.data == nil {
		r.data = []byte{} // present but empty: not the nil of an absent record
	}
	return r, nil
}

// EncodeRecord returns the bytes of rec, a record built by a ledger record
// builder that returned err: what WriteTx.LogEncoded appends (WriteTx.Log
// starts with it). They are canonical by construction — Record.Bytes
// writes what ledger.DecodeRecord accepts, for any record it encodes
// (ledger's FuzzRecordBytes) — so they are not decoded again here: the
// integrator, which decodes every record it hashes, would refuse one that
// is not and the log would stop there.
func EncodeRecord(rec *ledger.Record, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return rec.Bytes()
}

type writeTimeKey struct{}

// WithWriteTime returns ctx for a write whose time (WriteTx.Now) is t: its
// log records were built with t before the write (EncodeRecord), so that
// the store's writer, which every write waits for, does not build them.
func WithWriteTime(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, writeTimeKey{}, t)
}

// WriteTime returns the time a write run with ctx takes: the one
// WithWriteTime gave it, else now.
func WriteTime(ctx context.Context, now time.Time) time.Time {
	if t, ok := ctx.Value(writeTimeKey{}).(time.Time); ok {
		return t
	}
	return now
}

// StoredHash checks one stored hash as read: a missing (nil) or malformed
// one is tampering or corruption.
func StoredHash(idx int64, b []byte) (tlog.Hash, error) {
	if b == nil {
		return tlog.Hash{}, fmt.Errorf("stored hash %d is missing: %w", idx, ledger.ErrLedgerDiverged)
	}
	if len(b) != tlog.HashSize {
		return tlog.Hash{}, fmt.Errorf("stored hash %d has %d bytes: %w", idx, len(b), ledger.ErrLedgerDiverged)
	}
	return tlog.Hash(b), nil
}
