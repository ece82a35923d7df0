package ledger_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// memLog is an in-memory store: records, stored hashes and signed
// checkpoints in slices. It implements ledger.HashStore and ledger.Source.
type memLog struct {
	records     [][]byte
	hashes      []tlog.Hash
	checkpoints [][]byte
}

var (
	_ ledger.HashStore = (*memLog)(nil)
	_ ledger.Source    = (*memLog)(nil)
)

func (m *memLog) ReadHashes(_ context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("%w: stored hash %d absent", ledger.ErrLedgerDiverged, x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memLog) WriteHashes(_ context.Context, start int64, hs []tlog.Hash) error {
	if start != int64(len(m.hashes)) {
		return fmt.Errorf("write hashes at %d: have %d", start, len(m.hashes))
	}
	m.hashes = append(m.hashes, hs...)
	return nil
}

func (m *memLog) Len(context.Context) (int64, error) { return int64(len(m.records)), nil }

func (m *memLog) Records(_ context.Context, start, end int64) ([][]byte, error) {
	if start < 0 || end > int64(len(m.records)) || start > end {
		return nil, fmt.Errorf("records [%d, %d) out of range", start, end)
	}
	return m.records[start:end], nil
}

func (m *memLog) Checkpoints(context.Context) ([][]byte, error) { return m.checkpoints, nil }

// clone returns a deep copy, so tampering with it leaves m alone.
func (m *memLog) clone() *memLog {
	c := &memLog{hashes: slices.Clone(m.hashes)}
	for _, r := range m.records {
		c.records = append(c.records, slices.Clone(r))
	}
	for _, cp := range m.checkpoints {
		c.checkpoints = append(c.checkpoints, slices.Clone(cp))
	}
	return c
}

// MustAppend appends rec to m as a store would: encode, Append, keep bytes.
func MustAppend(tb testing.TB, m *memLog, rec ledger.Record) tlog.Hash {
	tb.Helper()
	data, err := rec.Bytes()
	if err != nil {
		tb.Fatalf("Bytes() = %v", err)
	}
	n := int64(len(m.records))
	size, leaf, err := ledger.Append(context.Background(), m, n, data)
	if err != nil {
		tb.Fatalf("Append(%d) = %v", n, err)
	}
	if size != n+1 {
		tb.Fatalf("Append(%d) size = %d, want %d", n, size, n+1)
	}
	m.records = append(m.records, data)
	return leaf
}

// MustCheckpoint signs the current tree and stores the checkpoint.
func MustCheckpoint(tb testing.TB, m *memLog, signerKey string) ledger.Checkpoint {
	tb.Helper()
	signed, c, err := ledger.SignTree(context.Background(), m, signerKey, int64(len(m.records)))
	if err != nil {
		tb.Fatalf("SignTree() = %v", err)
	}
	m.checkpoints = append(m.checkpoints, signed)
	return c
}

// MustKey returns a fresh key pair for name.
func MustKey(tb testing.TB, name string) (signerKey, verifierKey string) {
	tb.Helper()
	skey, vkey, err := ledger.GenerateKey(name)
	if err != nil {
		tb.Fatalf("GenerateKey(%q) = %v", name, err)
	}
	return skey, vkey
}

var baseTime = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testRecord returns a plausible, distinct record number i.
func testRecord(i int) ledger.Record {
	kinds := []string{"report.created", "evidence.added", "status.changed", "note.added", "judgement"}
	body, err := ledger.Canonical(map[string]any{
		"report": fmt.Sprintf("R-%04d", i),
		"seq":    i,
		"text":   fmt.Sprintf("shelling reported near checkpoint %d <zone & line>", i%7),
	})
	if err != nil {
		panic(err)
	}
	return ledger.Record{
		V:       1,
		Kind:    kinds[i%len(kinds)],
		At:      baseTime.Add(time.Duration(i) * time.Minute),
		Actor:   fmt.Sprintf("tok-%d", i%3),
		Subject: fmt.Sprintf("R-%04d", i),
		Body:    body,
	}
}

// MustLog builds a log of n test records, signing a checkpoint after each
// size in signAt.
func MustLog(tb testing.TB, n int, signerKey string, signAt ...int) *memLog {
	tb.Helper()
	m := &memLog{}
	for i := range n {
		MustAppend(tb, m, testRecord(i))
		if slices.Contains(signAt, i+1) {
			MustCheckpoint(tb, m, signerKey)
		}
	}
	return m
}
