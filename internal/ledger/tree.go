package ledger

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// A HashReader reads stored hashes, which are laid out as in tlog: the hash
// of the subtree at (level, n) is stored at index tlog.StoredHashIndex(level, n).
type HashReader interface {
	// ReadHashes returns the hashes stored at the given indexes, in the
	// order requested. It MUST return exactly len(indexes) hashes or an
	// error. A hash that should exist but does not is tampering or
	// corruption: return an error that wraps ErrLedgerDiverged.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
}

// A HashStore reads and writes stored hashes. Stores implement it on their
// database transaction so that hashes commit with the records they cover.
type HashStore interface {
	HashReader
	// WriteHashes stores hs[i] at index start+i. The indexes MUST NOT
	// already hold hashes: a store should make the index a primary key so
	// that two transactions appending the same record number conflict.
	WriteHashes(ctx context.Context, start int64, hs []tlog.Hash) error
}

// hashReader adapts r to tlog's context-free interface for one call.
func hashReader(ctx context.Context, r HashReader) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return r.ReadHashes(ctx, indexes)
	})
}

// Append adds data as record number n, where n is the current tree size, and
// returns the new size n+1 and the record's leaf hash, tlog.RecordHash(data).
// data MUST be a canonical record (see Record.Bytes); Append checks this so
// that a bad record fails the caller's transaction instead of a later Verify.
//
// Append writes the 1 + k hashes (k = trailing zero bits of n+1, one on
// average) at stored indexes tlog.StoredHashIndex(0, n) up to, not including,
// tlog.StoredHashIndex(0, n+1), after reading at most k earlier hashes. The
// caller MUST store data as record n in the same transaction, byte for byte,
// and MUST serialise appends: two appends for the same n must not both
// commit.
func Append(ctx context.Context, hs HashStore, n int64, data []byte) (size int64, leaf tlog.Hash, err error) {
	if n < 0 {
		return 0, tlog.Hash{}, fmt.Errorf("ledger: append: negative tree size %d", n)
	}
	if _, err := DecodeRecord(data); err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("ledger: append record %d: %w", n, err)
	}
	return appendChecked(ctx, hs, n, data)
}

// appendChecked is Append of a record already checked to be canonical.
func appendChecked(ctx context.Context, hs HashStore, n int64, data []byte) (size int64, leaf tlog.Hash, err error) {
	hashes, err := tlog.StoredHashes(n, data, hashReader(ctx, hs))
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("ledger: append record %d: %w", n, err)
	}
	if err := hs.WriteHashes(ctx, tlog.StoredHashIndex(0, n), hashes); err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("ledger: append record %d: write hashes: %w", n, err)
	}
	return n + 1, hashes[0], nil
}

// ErrNotIntegrated is returned (wrapped) when a tree size or record asked
// for is sequenced, stored with its index, but not yet integrated into the
// tree: its hashes and a checkpoint covering it are written by the next
// integration, a few tens of milliseconds later. Callers retry.
var ErrNotIntegrated = errors.New("ledger: not yet integrated")

// Integrate appends records, the stored bytes of records start,
// start+1, ..., to the tree of size start whose hashes hs holds, and
// returns the new size. It is Append in a loop, for a store's integrator:
// the records were sequenced (stored with their index) by earlier
// transactions and are hashed now, in one batch.
//
// A record that does not decode canonically is tampering or corruption
// between its sequencing and now: the error wraps ErrLedgerDiverged and
// nothing after it is integrated. The caller MUST pass every record from
// start on, in index order and byte for byte as stored, MUST hold the
// store's integration lock so that no other integration of the same
// records commits, and MUST commit the hashes with the checkpoint that
// covers them (SignTree at the returned size) in one transaction.
func Integrate(ctx context.Context, hs HashStore, start int64, records [][]byte) (int64, error) {
	n := start
	for _, data := range records {
		if data == nil {
			return 0, fmt.Errorf("%w: record %d: missing", ErrLedgerDiverged, n)
		}
		if _, err := DecodeRecord(data); err != nil {
			return 0, fmt.Errorf("%w: record %d: %w", ErrLedgerDiverged, n, err)
		}
		var err error
		if n, _, err = appendChecked(ctx, hs, n, data); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// TreeHash returns the root hash of the tree of the given size, reading at
// most 1 + log₂ size stored hashes in one ReadHashes call. The empty tree's
// hash is SHA-256 of nothing, as in RFC 6962.
func TreeHash(ctx context.Context, hr HashReader, size int64) (tlog.Hash, error) {
	if size < 0 {
		return tlog.Hash{}, fmt.Errorf("ledger: tree hash: negative size %d", size)
	}
	h, err := tlog.TreeHash(size, hashReader(ctx, hr))
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("ledger: tree hash at size %d: %w", size, err)
	}
	return h, nil
}

// ProveRecord returns the proof that the tree of the given size contains
// record index (an RFC 6962 inclusion proof, or audit path).
func ProveRecord(ctx context.Context, hr HashReader, size, index int64) (tlog.RecordProof, error) {
	if index < 0 || index >= size {
		return nil, fmt.Errorf("ledger: prove record %d: not in a tree of size %d", index, size)
	}
	p, err := tlog.ProveRecord(size, index, hashReader(ctx, hr))
	if err != nil {
		return nil, fmt.Errorf("ledger: prove record %d in tree of size %d: %w", index, size, err)
	}
	return p, nil
}

// ProveTree returns the proof that the tree of the given size contains the
// tree of size oldSize as a prefix (an RFC 6962 consistency proof). It
// requires 1 ≤ oldSize ≤ size; every tree trivially extends the empty tree.
func ProveTree(ctx context.Context, hr HashReader, size, oldSize int64) (tlog.TreeProof, error) {
	if oldSize < 1 || oldSize > size {
		return nil, fmt.Errorf("ledger: prove tree: need 1 <= old size (%d) <= size (%d)", oldSize, size)
	}
	p, err := tlog.ProveTree(size, oldSize, hashReader(ctx, hr))
	if err != nil {
		return nil, fmt.Errorf("ledger: prove tree %d from %d: %w", size, oldSize, err)
	}
	return p, nil
}

// VerifyInclusion checks that proof shows the record leafData at index is in
// the tree described by c. Open c from a signed checkpoint first: the proof
// is only as good as the checkpoint it ends in.
func VerifyInclusion(leafData []byte, index int64, proof tlog.RecordProof, c Checkpoint) error {
	if index < 0 || index >= c.Size {
		return fmt.Errorf("ledger: record %d is not in a tree of size %d", index, c.Size)
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Hash, index, tlog.RecordHash(leafData)); err != nil {
		return fmt.Errorf("ledger: record %d is not included in %s checkpoint of size %d: %w", index, c.Origin, c.Size, err)
	}
	return nil
}
