package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

const (
	testOrigin = "truce.test/ledger"
	tamperSize = 2100 // spans three of Verify's batches
)

// tamperCases are ways to damage a log of tamperSize test records with
// checkpoints at sizes 5, 10 and tamperSize (checkpoints 0, 1 and 2), and
// what Verify must say about each. They are shared by the Verify and bundle
// tests. signerKey is the log's own key.
func tamperCases(tb testing.TB, signerKey string) []tamperCase {
	tb.Helper()
	return append(recordTamperCases(), checkpointTamperCases(tb, signerKey)...)
}

// recordTamperCases damage the records and the stored hashes.
func recordTamperCases() []tamperCase {
	return []tamperCase{
		{name: "untouched", tamper: func(*memLog) {}},
		{
			name:    "flip one byte of record 3",
			tamper:  func(m *memLog) { flipByte(m.records[3], []byte("shelling")) },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 3: stored hash does not match its bytes",
		},
		{
			name:    "flip one byte of record 2000 in a later batch",
			tamper:  func(m *memLog) { flipByte(m.records[2000], []byte("R-2000")) },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 2000: stored hash does not match its bytes",
		},
		{
			name:    "break the JSON of record 3",
			tamper:  func(m *memLog) { m.records[3][0] = '[' },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 3: stored hash does not match its bytes",
		},
		{
			name:    "delete record 7, leaving a gap",
			tamper:  func(m *memLog) { m.records[7] = nil },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 7: missing",
		},
		{
			name:    "delete record 7, renumbering the rest",
			tamper:  func(m *memLog) { m.records = slices.Delete(m.records, 7, 8) },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 7: stored hash does not match its bytes",
		},
		{
			name:    "truncate the last record",
			tamper:  func(m *memLog) { m.records = m.records[:tamperSize-1] },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: fmt.Sprintf("record %d: missing: checkpoint 2 signs %d records", tamperSize-1, tamperSize),
		},
		{
			name:    "swap records 4 and 5",
			tamper:  func(m *memLog) { m.records[4], m.records[5] = m.records[5], m.records[4] },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 4: stored hash does not match its bytes",
		},
		{
			name:    "change the stored leaf hash of record 9",
			tamper:  func(m *memLog) { m.hashes[tlog.StoredHashIndex(0, 9)][0] ^= 1 },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 9: stored hash does not match its bytes",
		},
		{
			name:    "change the stored hash of records 8-11",
			tamper:  func(m *memLog) { m.hashes[tlog.StoredHashIndex(2, 2)][31] ^= 0x80 },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: fmt.Sprintf("record 11: stored hash %d (tree level 2) does not match the recomputed tree", tlog.StoredHashIndex(2, 2)),
		},
		{
			name:    "lose stored hashes",
			tamper:  func(m *memLog) { m.hashes = m.hashes[:len(m.hashes)-1] },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "stored hash",
		},
	}
}

// checkpointTamperCases rewrite the log or damage its checkpoints.
func checkpointTamperCases(tb testing.TB, signerKey string) []tamperCase {
	tb.Helper()
	impostor, _ := MustKey(tb, testOrigin) // same name, different key
	// fork is the same log with record 3 changed and every hash and
	// checkpoint recomputed: a consistent rewrite.
	fork := &memLog{}
	for i := range tamperSize {
		r := testRecord(i)
		if i == 3 {
			r.Subject = "R-9999"
		}
		MustAppend(tb, fork, r)
	}
	forkCheckpoint, _, err := ledger.SignTree(context.Background(), fork, signerKey, 10)
	if err != nil {
		tb.Fatal(err)
	}
	return []tamperCase{
		{
			name: "rewrite records and hashes consistently",
			tamper: func(m *memLog) {
				f := fork.clone()
				m.records, m.hashes = f.records, f.hashes
			},
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 0: root",
		},
		{
			name:    "forge checkpoint 1 with another key",
			tamper:  func(m *memLog) { m.checkpoints[1] = mustSignTree(tb, m, impostor, 10) },
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 1: not signed by key " + testOrigin,
		},
		{
			name: "sign checkpoint 1 with a wrong root",
			tamper: func(m *memLog) {
				wrong := ledger.Checkpoint{Origin: testOrigin, Size: 10, Hash: mustTreeHash(tb, m, 9)}
				m.checkpoints[1] = mustSign(tb, signerKey, wrong)
			},
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 1: root",
		},
		{
			name:    "checkpoint 1 for a tree that is not a prefix",
			tamper:  func(m *memLog) { m.checkpoints[1] = forkCheckpoint },
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 1: root",
		},
		{
			name: "change checkpoint 0's size",
			tamper: func(m *memLog) {
				m.checkpoints[0] = bytes.Replace(m.checkpoints[0], []byte("\n5\n"), []byte("\n4\n"), 1)
			},
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 0: invalid signature",
		},
		{
			name:    "checkpoints out of order",
			tamper:  func(m *memLog) { m.checkpoints[1], m.checkpoints[2] = m.checkpoints[2], m.checkpoints[1] },
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 2: size 10 is smaller",
		},
		{
			name:    "garbage checkpoint",
			tamper:  func(m *memLog) { m.checkpoints = append(m.checkpoints, []byte("hello\n")) },
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 3: malformed",
		},
		{
			// A log cut after its newest checkpoint still verifies:
			// only a checkpoint held elsewhere can show it was longer.
			name: "truncate records and the checkpoint that covered them",
			tamper: func(m *memLog) {
				m.records = m.records[:tamperSize-1]
				m.checkpoints = m.checkpoints[:2]
			},
		},
	}
}

type tamperCase struct {
	name    string
	tamper  func(m *memLog)
	wantErr error  // nil: verification succeeds
	wantMsg string // substring of the error
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	skey, vkey := MustKey(t, testOrigin)
	base := MustLog(t, tamperSize, skey, 5, 10, tamperSize)
	for _, tt := range tamperCases(t, skey) {
		t.Run(tt.name, func(t *testing.T) {
			m := base.clone()
			tt.tamper(m)
			rep, err := ledger.Verify(ctx, m, vkey)
			checkVerifyErr(t, err, tt.wantErr, tt.wantMsg)
			if tt.wantErr == nil && rep.Records != int64(len(m.records)) {
				t.Errorf("Report.Records = %d, want %d", rep.Records, len(m.records))
			}
		})
	}
}

func checkVerifyErr(t *testing.T, err, wantErr error, wantMsg string) {
	t.Helper()
	if wantErr == nil {
		if err != nil {
			t.Fatalf("Verify() = %v, want success", err)
		}
		return
	}
	if !errors.Is(err, wantErr) {
		t.Fatalf("Verify() = %v, want %v", err, wantErr)
	}
	if !strings.Contains(err.Error(), wantMsg) {
		t.Errorf("Verify() = %q, want it to contain %q", err, wantMsg)
	}
}

func TestVerifyReport(t *testing.T) {
	ctx := context.Background()
	skey, vkey := MustKey(t, testOrigin)
	m := MustLog(t, 30, skey, 5, 10, 20)
	root20 := mustTreeHash(t, m, 20)
	want := ledger.Report{
		Origin:       testOrigin,
		VerifierKey:  vkey,
		Records:      30,
		StoredHashes: tlog.StoredHashCount(30),
		Checkpoints:  3,
		Size:         30,
		Root:         mustTreeHash(t, m, 30),
		Latest:       ledger.Checkpoint{Origin: testOrigin, Size: 20, Hash: root20},
		Unsigned:     10,
	}
	got, err := ledger.Verify(ctx, m, vkey)
	if err != nil {
		t.Fatalf("Verify() = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Verify() report mismatch (-want +got):\n%s", diff)
	}
	for _, line := range []string{"records:       30", "checkpoints:   3", "unsigned:      10", root20.String()} {
		if !strings.Contains(got.String(), line) {
			t.Errorf("Report.String() = %q, missing %q", got.String(), line)
		}
	}

	empty, err := ledger.Verify(ctx, &memLog{}, vkey)
	if err != nil {
		t.Fatalf("Verify(empty) = %v", err)
	}
	wantEmpty := ledger.Report{Origin: testOrigin, VerifierKey: vkey, Root: mustTreeHash(t, &memLog{}, 0)}
	if diff := cmp.Diff(wantEmpty, empty); diff != "" {
		t.Errorf("Verify(empty) mismatch (-want +got):\n%s", diff)
	}
}

func TestVerifyErrors(t *testing.T) {
	skey, vkey := MustKey(t, testOrigin)
	_, otherKey := MustKey(t, "other.log")
	m := MustLog(t, 10, skey, 10)

	if _, err := ledger.Verify(context.Background(), m, otherKey); !errors.Is(err, ledger.ErrBadCheckpoint) {
		t.Errorf("Verify(other key) = %v, want ErrBadCheckpoint", err)
	}
	if _, err := ledger.Verify(context.Background(), m, "garbage"); err == nil || errors.Is(err, ledger.ErrBadCheckpoint) {
		t.Errorf("Verify(malformed key) = %v, want a plain error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ledger.Verify(ctx, m, vkey); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify(cancelled) = %v, want context.Canceled", err)
	}

	// A record that is not canonical but whose hashes were computed from
	// its bytes (Append would have refused it).
	bad := &memLog{}
	MustAppend(t, bad, testRecord(0))
	data := append(slices.Clone(bad.records[0]), ' ')
	hs, err := tlog.StoredHashes(1, data, tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) {
		return bad.ReadHashes(context.Background(), x)
	}))
	if err != nil {
		t.Fatal(err)
	}
	bad.hashes = append(bad.hashes, hs...)
	bad.records = append(bad.records, data)
	_, err = ledger.Verify(context.Background(), bad, vkey)
	checkVerifyErr(t, err, ledger.ErrLedgerDiverged, "record 1: ledger: decode record: not in canonical form")
}

func flipByte(b, near []byte) {
	i := bytes.Index(b, near)
	if i < 0 {
		panic(fmt.Sprintf("%q not in %q", near, b))
	}
	b[i+1] ^= 0x01
}

func mustTreeHash(tb testing.TB, m *memLog, size int64) tlog.Hash {
	tb.Helper()
	h, err := ledger.TreeHash(context.Background(), m, size)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func mustSign(tb testing.TB, skey string, c ledger.Checkpoint) []byte {
	tb.Helper()
	b, err := ledger.Sign(skey, c)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustSignTree(tb testing.TB, m *memLog, skey string, size int64) []byte {
	tb.Helper()
	b, _, err := ledger.SignTree(context.Background(), m, skey, size)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
