package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// TestRFC6962Vectors checks TreeHash against the RFC 6962 known answers
// published with github.com/transparency-dev/merkle.
func TestRFC6962Vectors(t *testing.T) {
	ctx := context.Background()
	m := &memLog{}
	roots := testonly.RootHashes()
	for size, leaf := range testonly.LeafInputs() {
		got, err := ledger.TreeHash(ctx, m, int64(size))
		if err != nil {
			t.Fatalf("TreeHash(%d) = %v", size, err)
		}
		if !bytes.Equal(got[:], roots[size]) {
			t.Errorf("TreeHash(%d) = %x, want %x", size, got, roots[size])
		}
		// The vectors are not records, so write their hashes directly.
		hs, err := tlog.StoredHashes(int64(size), leaf, tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) {
			return m.ReadHashes(ctx, x)
		}))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.WriteHashes(ctx, tlog.StoredHashIndex(0, int64(size)), hs); err != nil {
			t.Fatal(err)
		}
	}
	n := len(testonly.LeafInputs())
	got, err := ledger.TreeHash(ctx, m, int64(n))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:], roots[n]) {
		t.Errorf("TreeHash(%d) = %x, want %x", n, got, roots[n])
	}
}

func TestAppendRejectsNonCanonical(t *testing.T) {
	ctx := context.Background()
	m := &memLog{}
	MustAppend(t, m, testRecord(0))
	for _, data := range []string{``, `{}`, `not json`, `{"actor":"","at":"2025-03-01T12:00:00Z","body":{},"kind":"x","subject":"","v":1}`} {
		if _, _, err := ledger.Append(ctx, m, 1, []byte(data)); err == nil {
			t.Errorf("Append(%q) = nil error, want error", data)
		}
	}
	if got, want := len(m.hashes), int(tlog.StoredHashCount(1)); got != want {
		t.Errorf("after rejected appends: %d stored hashes, want %d", got, want)
	}
	if _, _, err := ledger.Append(ctx, m, -1, m.records[0]); err == nil {
		t.Error("Append(n=-1) = nil error, want error")
	}
}

// TestProofs appends 1,000 records and checks every inclusion proof and a
// set of consistency proofs with tlog and with the independent
// implementation in github.com/transparency-dev/merkle.
func TestProofs(t *testing.T) {
	pl := newProofLog(t, 1000)
	t.Run("inclusion", pl.testInclusion)
	t.Run("consistency", pl.testConsistency)
	t.Run("errors", pl.testErrors)
}

// proofLog is a log of n records, built beside a reference tree, with the
// root of every prefix and a signed checkpoint of the whole.
type proofLog struct {
	ctx    context.Context
	n      int64
	m      *memLog
	hasher *rfc6962.Hasher
	ref    *testonly.Tree
	roots  []tlog.Hash // roots[size]
	cp     ledger.Checkpoint
}

func newProofLog(t *testing.T, n int) *proofLog {
	ctx := context.Background()
	skey, vkey := MustKey(t, "truce.test/ledger")
	pl := &proofLog{ctx: ctx, n: int64(n), m: &memLog{}, hasher: rfc6962.DefaultHasher}
	pl.ref = testonly.New(pl.hasher)
	pl.roots = []tlog.Hash{hasherRoot(t, pl.ref)}
	for i := range n {
		leaf := MustAppend(t, pl.m, testRecord(i))
		data := pl.m.records[i]
		pl.ref.AppendData(data)
		if rh := tlog.RecordHash(data); leaf != rh {
			t.Fatalf("record %d: Append leaf %x, tlog.RecordHash %x", i, leaf, rh)
		}
		if want := pl.hasher.HashLeaf(data); !bytes.Equal(leaf[:], want) {
			t.Fatalf("record %d: leaf hash %x, rfc6962 HashLeaf %x", i, leaf, want)
		}
		root, err := ledger.TreeHash(ctx, pl.m, int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if want := pl.ref.Hash(); !bytes.Equal(root[:], want) {
			t.Fatalf("TreeHash(%d) = %x, reference tree %x", i+1, root, want)
		}
		pl.roots = append(pl.roots, root)
	}
	if got, want := int64(len(pl.m.hashes)), tlog.StoredHashCount(pl.n); got != want {
		t.Errorf("stored hashes = %d, want StoredHashCount(%d) = %d", got, n, want)
	}
	signed, _, err := ledger.SignTree(ctx, pl.m, skey, pl.n)
	if err != nil {
		t.Fatal(err)
	}
	if pl.cp, err = ledger.Open(vkey, signed); err != nil {
		t.Fatal(err)
	}
	return pl
}

func (pl *proofLog) testInclusion(t *testing.T) {
	n := pl.n
	for _, size := range []int64{1, 2, 3, 7, 8, 9, 255, 256, 257, 999, n} {
		for i := range size {
			p, err := ledger.ProveRecord(pl.ctx, pl.m, size, i)
			if err != nil {
				t.Fatalf("ProveRecord(%d, %d) = %v", size, i, err)
			}
			leaf := tlog.RecordHash(pl.m.records[i])
			if err := tlog.CheckRecord(p, size, pl.roots[size], i, leaf); err != nil {
				t.Fatalf("tlog.CheckRecord(size %d, record %d) = %v", size, i, err)
			}
			if err := proof.VerifyInclusion(pl.hasher, uint64(i), uint64(size), leaf[:], hashBytes(p), pl.roots[size][:]); err != nil {
				t.Fatalf("merkle VerifyInclusion(size %d, record %d) = %v", size, i, err)
			}
			// The reference tree rebuilds nodes from the leaves for
			// every proof; sample it on the larger trees.
			if size < 300 || i%25 == 0 {
				want, err := pl.ref.InclusionProof(uint64(i), uint64(size))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, hashBytes(p)); diff != "" {
					t.Fatalf("ProveRecord(%d, %d) differs from reference (-want +got):\n%s", size, i, diff)
				}
			}
			if size == n {
				if err := ledger.VerifyInclusion(pl.m.records[i], i, p, pl.cp); err != nil {
					t.Fatalf("VerifyInclusion(record %d) = %v", i, err)
				}
			}
		}
	}
}

func (pl *proofLog) testConsistency(t *testing.T) {
	n := pl.n
	for _, tt := range []struct{ oldSize, size int64 }{
		{1, 1}, {1, 2}, {1, n}, {2, 3}, {3, 7}, {4, 8}, {7, 8}, {8, 9},
		{255, 256}, {256, 257}, {100, 733}, {500, n}, {511, 512}, {512, n}, {999, n}, {n, n},
	} {
		t.Run(fmt.Sprintf("%d-%d", tt.oldSize, tt.size), func(t *testing.T) {
			p, err := ledger.ProveTree(pl.ctx, pl.m, tt.size, tt.oldSize)
			if err != nil {
				t.Fatalf("ProveTree = %v", err)
			}
			if err := tlog.CheckTree(p, tt.size, pl.roots[tt.size], tt.oldSize, pl.roots[tt.oldSize]); err != nil {
				t.Errorf("tlog.CheckTree = %v", err)
			}
			if err := proof.VerifyConsistency(pl.hasher, uint64(tt.oldSize), uint64(tt.size), hashBytes(p), pl.roots[tt.oldSize][:], pl.roots[tt.size][:]); err != nil {
				t.Errorf("merkle VerifyConsistency = %v", err)
			}
			want, err := pl.ref.ConsistencyProof(uint64(tt.oldSize), uint64(tt.size))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, hashBytes(p)); diff != "" {
				t.Errorf("ProveTree differs from reference (-want +got):\n%s", diff)
			}
			// A proof must not verify against another old root.
			if tt.oldSize > 1 {
				if err := tlog.CheckTree(p, tt.size, pl.roots[tt.size], tt.oldSize, pl.roots[tt.oldSize-1]); err == nil {
					t.Error("tlog.CheckTree accepted the wrong old root")
				}
			}
		})
	}
}

func (pl *proofLog) testErrors(t *testing.T) {
	ctx, m, n, cp := pl.ctx, pl.m, pl.n, pl.cp
	p, err := ledger.ProveRecord(ctx, m, n, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		err  error
	}{
		{name: "wrong record bytes", err: ledger.VerifyInclusion(m.records[6], 5, p, cp)},
		{name: "wrong index", err: ledger.VerifyInclusion(m.records[5], 6, p, cp)},
		{name: "index beyond size", err: ledger.VerifyInclusion(m.records[5], n, p, cp)},
		{name: "negative index", err: ledger.VerifyInclusion(m.records[5], -1, p, cp)},
		{name: "truncated proof", err: ledger.VerifyInclusion(m.records[5], 5, p[:len(p)-1], cp)},
		{name: "other checkpoint", err: ledger.VerifyInclusion(m.records[5], 5, p, ledger.Checkpoint{Origin: cp.Origin, Size: n, Hash: pl.roots[n-1]})},
		{name: "ProveRecord beyond size", err: second(ledger.ProveRecord(ctx, m, 10, 10))},
		{name: "ProveRecord negative", err: second(ledger.ProveRecord(ctx, m, 10, -1))},
		{name: "ProveTree from empty", err: second(ledger.ProveTree(ctx, m, 10, 0))},
		{name: "ProveTree shrinking", err: second(ledger.ProveTree(ctx, m, 10, 11))},
		{name: "ProveTree beyond stored", err: second(ledger.ProveTree(ctx, m, 2*n, n))},
		{name: "TreeHash beyond stored", err: second(ledger.TreeHash(ctx, m, n+1))},
		{name: "TreeHash negative", err: second(ledger.TreeHash(ctx, m, -1))},
	} {
		if tt.err == nil {
			t.Errorf("%s: nil error, want error", tt.name)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func hashBytes(hs []tlog.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

func hasherRoot(tb testing.TB, ref *testonly.Tree) tlog.Hash {
	tb.Helper()
	var h tlog.Hash
	if copy(h[:], ref.Hash()) != tlog.HashSize {
		tb.Fatal("reference root is not 32 bytes")
	}
	return h
}
