package ledger_test

import (
	"context"
	"testing"

	"truce/internal/ledger"
)

// BenchmarkAppend measures Append (record check, hashing and the in-memory
// hash writes) on a growing log.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	recs := make([][]byte, 1024)
	for i := range recs {
		r := testRecord(i)
		data, err := r.Bytes()
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = data
	}
	m := &memLog{}
	var n int64
	for b.Loop() {
		size, _, err := ledger.Append(ctx, m, n, recs[n%int64(len(recs))])
		if err != nil {
			b.Fatal(err)
		}
		n = size
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkSignTree measures signing a checkpoint, which a store does after
// every append.
func BenchmarkSignTree(b *testing.B) {
	skey, _ := MustKey(b, testOrigin)
	m := MustLog(b, 100_000, skey)
	for b.Loop() {
		if _, _, err := ledger.SignTree(context.Background(), m, skey, 100_000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures Verify of a 100,000-record log with a checkpoint
// every 1,000 records.
func BenchmarkVerify(b *testing.B) {
	const n = 100_000
	skey, vkey := MustKey(b, testOrigin)
	signAt := make([]int, 0, n/1000)
	for s := 1000; s <= n; s += 1000 {
		signAt = append(signAt, s)
	}
	m := MustLog(b, n, skey, signAt...)
	runs := 0
	for b.Loop() {
		rep, err := ledger.Verify(context.Background(), m, vkey)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Records != n {
			b.Fatalf("Verify checked %d records, want %d", rep.Records, n)
		}
		runs++
	}
	b.ReportMetric(float64(runs*n)/b.Elapsed().Seconds(), "records/s")
}
