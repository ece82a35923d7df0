package ledger_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// sequencedLog is a memLog whose records from integrated on are sequenced
// but not integrated: they have no stored hashes yet.
type sequencedLog struct {
	*memLog
	integrated int64
}

var _ ledger.IntegratedSource = sequencedLog{}

func (s sequencedLog) Integrated(context.Context) (int64, error) { return s.integrated, nil }

// TestIntegrate checks that integrating records in one batch gives the
// tree that appending them one by one gives.
func TestIntegrate(t *testing.T) {
	ctx := context.Background()
	skey, _ := MustKey(t, "truce.test/integrate")
	want := MustLog(t, 10, skey)
	got := MustLog(t, 3, skey)
	var recs [][]byte
	for i := 3; i < 10; i++ {
		rec := testRecord(i)
		data, err := rec.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, data)
	}
	size, err := ledger.Integrate(ctx, got, 3, recs)
	if err != nil || size != 10 {
		t.Fatalf("Integrate = %d, %v; want 10", size, err)
	}
	if mustTreeHash(t, got, 10) != mustTreeHash(t, want, 10) {
		t.Error("batch integration gives another root than appends one by one")
	}
	if _, err := ledger.Integrate(ctx, got, 10, [][]byte{[]byte(`{"v":1}`)}); !errors.Is(err, ledger.ErrLedgerDiverged) {
		t.Errorf("Integrate of a record that is not canonical = %v, want ErrLedgerDiverged", err)
	}
}

// TestVerifySequenced checks Verify on a log with a sequenced tail: the
// integrated records are checked against their stored hashes, the others
// decoded, and the report counts them as unsigned.
func TestVerifySequenced(t *testing.T) {
	ctx := context.Background()
	skey, vkey := MustKey(t, "truce.test/sequenced")
	m := MustLog(t, 6, skey, 6)
	for i := 6; i < 9; i++ {
		rec := testRecord(i)
		data, err := rec.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		m.records = append(m.records, data)
	}
	rep, err := ledger.Verify(ctx, sequencedLog{m, 6}, vkey)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 9 || rep.Latest.Size != 6 || rep.Unsigned != 3 || rep.StoredHashes != tlog.StoredHashCount(6) {
		t.Errorf("Verify = %+v, want 9 records, 6 signed, 3 unsigned", rep)
	}
	// A sequenced record must still decode.
	bad := sequencedLog{m.clone(), 6}
	bad.records[7] = []byte(`{"v":1}`)
	if _, err := ledger.Verify(ctx, bad, vkey); !errors.Is(err, ledger.ErrLedgerDiverged) {
		t.Errorf("Verify with a bad sequenced record = %v, want ErrLedgerDiverged", err)
	}
	// A checkpoint over the sequenced records with no record under it.
	short := sequencedLog{MustLog(t, 6, skey, 6), 7}
	if _, err := ledger.Verify(ctx, short, vkey); err != nil {
		t.Errorf("Verify with integrated > records but checkpoints within = %v", err)
	}
}
