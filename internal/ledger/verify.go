package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrLedgerDiverged is returned (wrapped) when the stored log is not what its
// records say it should be: a stored hash does not match the hash recomputed
// from the record bytes, a record is missing or not canonical, or a signed
// checkpoint covers records the log no longer has. The message names the
// first bad record, e.g. "record 17: stored hash does not match its bytes".
var ErrLedgerDiverged = errors.New("ledger: stored tree does not match records")

// verifyBatch is how many records Verify and ExportBundle request at a time.
const verifyBatch = 1024

// A Source gives read access to a stored log, for Verify and ExportBundle.
// Stores implement it on one read-only transaction (a snapshot), so that the
// size, records, hashes and checkpoints it reports belong together.
type Source interface {
	HashReader
	// Len returns the number of records in the log (the tree size).
	Len(ctx context.Context) (int64, error)
	// Records returns the stored bytes of records start, start+1, ...,
	// end-1, exactly as written, in index order: a slice of length
	// end-start. A record that is absent MUST be returned as nil, not as
	// an error, so that Verify can report the gap.
	Records(ctx context.Context, start, end int64) ([][]byte, error)
	// Checkpoints returns every stored signed checkpoint, oldest first.
	Checkpoints(ctx context.Context) ([][]byte, error)
}

// An IntegratedSource is a Source whose log may hold records that are
// sequenced but not yet integrated: stored with their index, but without
// their tree hashes, which the store's integrator writes later together
// with a checkpoint covering them.
type IntegratedSource interface {
	Source
	// Integrated returns the number of records integrated into the tree,
	// at most Len: the records before it MUST all have their stored
	// hashes; the records from it on MUST NOT be covered by any
	// checkpoint.
	Integrated(ctx context.Context) (int64, error)
}

// A Report summarises what Verify or VerifyBundle checked. On error it
// describes what had been checked before the problem was found.
type Report struct {
	Origin      string // the verifier key's name, the log's origin
	VerifierKey string // the key the checkpoints were verified with
	// KeyFromBundle reports that VerifyBundle was given no trusted key and
	// used the key stored in the bundle: the checks then prove only that
	// the bundle is internally consistent. Compare VerifierKey with a key
	// obtained independently.
	KeyFromBundle bool
	Records       int64      // records hashed, decoded and compared with the stored hashes
	StoredHashes  int64      // stored hashes compared with recomputed ones
	Checkpoints   int        // signed checkpoints verified
	Size          int64      // the tree size, equal to Records when verification succeeds
	Root          tlog.Hash  // the recomputed root of the tree of Size records
	Latest        Checkpoint // the newest checkpoint; zero if there is none
	// Unsigned counts the records after the newest checkpoint, not yet
	// covered by a signature: in a store, records sequenced but not yet
	// integrated, which its integrator hashes and signs within tens of
	// milliseconds.
	Unsigned int64
}

// String formats the report for people, one fact per line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "origin:        %s\n", r.Origin)
	fmt.Fprintf(&b, "verifier key:  %s", r.VerifierKey)
	if r.KeyFromBundle {
		b.WriteString(" (taken from the bundle itself, not independently trusted)")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "records:       %d\n", r.Records)
	fmt.Fprintf(&b, "stored hashes: %d\n", r.StoredHashes)
	fmt.Fprintf(&b, "checkpoints:   %d\n", r.Checkpoints)
	fmt.Fprintf(&b, "tree:          size %d, root %s\n", r.Size, r.Root)
	if r.Checkpoints > 0 {
		fmt.Fprintf(&b, "latest signed: size %d, root %s\n", r.Latest.Size, r.Latest.Hash)
	}
	fmt.Fprintf(&b, "unsigned:      %d\n", r.Unsigned)
	return b.String()
}

// Verify checks a whole stored log against its records and signatures. It
// streams the records, recomputes every leaf hash and the whole tree in
// memory (about 64 bytes per record), and checks that
//
//   - every record decodes canonically (DecodeRecord);
//   - every stored hash equals the recomputed one;
//   - every checkpoint is signed by verifierKey, covers no more records than
//     the log holds, has the recomputed root at its size, and is a
//     consistent extension of the checkpoint before it.
//
// If src is an IntegratedSource, the stored hashes of records from
// Integrated on are not read (they are not written yet); those records
// are still decoded and hashed, and no checkpoint may cover them.
//
// It stops at the first problem. Problems with records and stored hashes wrap
// ErrLedgerDiverged and name the first bad record; problems with checkpoints
// wrap ErrBadCheckpoint and name the checkpoint by its position in
// Source.Checkpoints. A checkpoint whose root differs from the recomputed one
// is reported as ErrBadCheckpoint even when it was genuinely signed: the
// stored hashes alone cannot tell a forged root from records and hashes that
// were rewritten together. Other errors come from src.
func Verify(ctx context.Context, src Source, verifierKey string) (Report, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Report{}, fmt.Errorf("ledger: verifier key: %w", err)
	}
	rep := Report{Origin: v.Name(), VerifierKey: verifierKey}
	n, err := src.Len(ctx)
	if err != nil {
		return rep, fmt.Errorf("ledger: verify: %w", err)
	}
	if n < 0 {
		return rep, fmt.Errorf("ledger: verify: source reports negative length %d", n)
	}
	integrated := n
	if is, ok := src.(IntegratedSource); ok {
		if integrated, err = is.Integrated(ctx); err != nil {
			return rep, fmt.Errorf("ledger: verify: %w", err)
		}
		if integrated < 0 {
			return rep, fmt.Errorf("ledger: verify: source reports %d integrated records", integrated)
		}
		// More integrated records than records: some are missing, which
		// the checkpoints covering them report below.
		integrated = min(integrated, n)
	}
	// Size the recomputed tree up front, but do not trust a huge Len
	// enough to allocate for it before any record has been read.
	t := treeChecker{hashes: make([]tlog.Hash, 0, min(tlog.StoredHashCount(n), 1<<22))}
	for lo := int64(0); lo < n; lo += verifyBatch {
		if err := ctx.Err(); err != nil {
			return t.report(rep), err
		}
		hi := min(lo+verifyBatch, n)
		recs, err := src.Records(ctx, lo, hi)
		if err != nil {
			return t.report(rep), fmt.Errorf("ledger: verify: read records [%d, %d): %w", lo, hi, err)
		}
		if int64(len(recs)) != hi-lo {
			return t.report(rep), fmt.Errorf("ledger: verify: source returned %d records for [%d, %d)", len(recs), lo, hi)
		}
		// Records from integrated on have no stored hashes yet.
		first, end := tlog.StoredHashIndex(0, lo), tlog.StoredHashIndex(0, min(hi, max(integrated, lo)))
		indexes := make([]int64, end-first)
		for i := range indexes {
			indexes[i] = first + int64(i)
		}
		var stored []tlog.Hash
		if len(indexes) > 0 {
			stored, err = src.ReadHashes(ctx, indexes)
		}
		if err != nil {
			return t.report(rep), fmt.Errorf("ledger: verify: read stored hashes for records [%d, %d): %w", lo, hi, err)
		}
		if len(stored) != len(indexes) {
			return t.report(rep), fmt.Errorf("ledger: verify: source returned %d hashes for %d indexes", len(stored), len(indexes))
		}
		for i, data := range recs {
			k := lo + int64(i)
			var mine []tlog.Hash // nil: not integrated, nothing to compare
			if k < integrated {
				mine = stored[tlog.StoredHashIndex(0, k)-first : tlog.StoredHashIndex(0, k+1)-first]
			}
			if err := t.add(data, mine); err != nil {
				return t.report(rep), err
			}
		}
	}
	cps, err := src.Checkpoints(ctx)
	if err != nil {
		return t.report(rep), fmt.Errorf("ledger: verify: read checkpoints: %w", err)
	}
	return t.checkCheckpoints(t.report(rep), v, cps)
}

// treeChecker recomputes a log's stored hashes record by record and compares
// them with the stored ones.
type treeChecker struct {
	n      int64       // records added
	hashes []tlog.Hash // recomputed stored hashes, by stored index
	stored int64       // stored hashes compared
}

// ReadHashes returns recomputed stored hashes, for tlog.
func (t *treeChecker) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("ledger: stored hash %d not computed", x)
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

// add checks record t.n, given its bytes (nil if absent) and the hashes
// stored for it at indexes StoredHashIndex(0, t.n) onwards; stored is nil
// for a record not yet integrated, which has none.
func (t *treeChecker) add(data []byte, stored []tlog.Hash) error {
	i := t.n
	if data == nil {
		return fmt.Errorf("%w: record %d: missing", ErrLedgerDiverged, i)
	}
	computed, err := tlog.StoredHashes(i, data, t)
	if err != nil {
		return fmt.Errorf("ledger: record %d: %w", i, err)
	}
	if stored == nil {
		if _, err := DecodeRecord(data); err != nil {
			return fmt.Errorf("%w: record %d: %w", ErrLedgerDiverged, i, err)
		}
		t.hashes = append(t.hashes, computed...)
		t.n++
		return nil
	}
	if len(stored) != len(computed) {
		return fmt.Errorf("%w: record %d: %d stored hashes, want %d", ErrLedgerDiverged, i, len(stored), len(computed))
	}
	if stored[0] != computed[0] {
		return fmt.Errorf("%w: record %d: stored hash does not match its bytes", ErrLedgerDiverged, i)
	}
	for j := 1; j < len(computed); j++ {
		if stored[j] != computed[j] {
			x := tlog.StoredHashIndex(0, i) + int64(j)
			level, _ := tlog.SplitStoredHashIndex(x)
			return fmt.Errorf("%w: record %d: stored hash %d (tree level %d) does not match the recomputed tree", ErrLedgerDiverged, i, x, level)
		}
	}
	if _, err := DecodeRecord(data); err != nil {
		return fmt.Errorf("%w: record %d: %w", ErrLedgerDiverged, i, err)
	}
	t.hashes = append(t.hashes, computed...)
	t.stored += int64(len(stored))
	t.n++
	return nil
}

func (t *treeChecker) report(rep Report) Report {
	rep.Records = t.n
	rep.StoredHashes = t.stored
	rep.Size = t.n
	if root, err := tlog.TreeHash(t.n, t); err == nil {
		rep.Root = root
	}
	rep.Unsigned = t.n - rep.Latest.Size
	return rep
}

// checkCheckpoints verifies the signed checkpoints cps, oldest first, against
// the recomputed tree, after all records have been added.
func (t *treeChecker) checkCheckpoints(rep Report, v note.Verifier, cps [][]byte) (Report, error) {
	var prev Checkpoint
	for j, signed := range cps {
		c, err := openCheckpoint(v, signed)
		if err != nil {
			return rep, fmt.Errorf("%w: checkpoint %d: %w", ErrBadCheckpoint, j, err)
		}
		if c.Size > t.n {
			return rep, fmt.Errorf("%w: record %d: missing: checkpoint %d signs %d records, the log has %d", ErrLedgerDiverged, t.n, j, c.Size, t.n)
		}
		root, err := tlog.TreeHash(c.Size, t)
		if err != nil {
			return rep, fmt.Errorf("ledger: checkpoint %d: %w", j, err)
		}
		if root != c.Hash {
			return rep, fmt.Errorf("%w: checkpoint %d: root %s for size %d, recomputed root is %s", ErrBadCheckpoint, j, c.Hash, c.Size, root)
		}
		if j > 0 {
			if c.Size < prev.Size {
				return rep, fmt.Errorf("%w: checkpoint %d: size %d is smaller than the previous checkpoint's %d", ErrBadCheckpoint, j, c.Size, prev.Size)
			}
			if err := checkConsistent(t, prev, c); err != nil {
				return rep, fmt.Errorf("%w: checkpoint %d: not consistent with checkpoint %d: %w", ErrBadCheckpoint, j, j-1, err)
			}
		}
		prev = c
		rep.Checkpoints = j + 1
		rep.Latest = c
		rep.Unsigned = t.n - c.Size
	}
	return rep, nil
}

// checkConsistent proves, with a consistency proof built from the recomputed
// hashes, that checkpoint c extends checkpoint old.
func checkConsistent(r tlog.HashReader, old, c Checkpoint) error {
	if old.Size == 0 {
		return nil // every tree extends the empty tree
	}
	if old.Size == c.Size {
		if old.Hash != c.Hash {
			return errors.New("same size, different roots")
		}
		return nil
	}
	p, err := tlog.ProveTree(c.Size, old.Size, r)
	if err != nil {
		return err
	}
	return tlog.CheckTree(p, c.Size, c.Hash, old.Size, old.Hash)
}
