package storetest

import (
	"bytes"
	"testing"

	"truce/internal/ledger"
)

// SameLog makes the same writes, with the same clock, on a store opened by
// a and one opened by b (typically two backends), and checks that
//
//   - they log byte-identical records, so their trees have the same roots:
//     every backend builds its records with the ledger's record builders;
//   - each store's rows verify against the other's log copied in, records,
//     checkpoints and verifier key included.
func SameLog(t *testing.T, a, b Opener) {
	ea, eb := newEnv(t, a), newEnv(t, b)
	populate(t, ea)
	populate(t, eb)
	ra, rb := records(t, ea), records(t, eb)
	if len(ra) != len(rb) {
		t.Fatalf("logs of %d and %d records", len(ra), len(rb))
	}
	for i := range ra {
		if !bytes.Equal(ra[i], rb[i]) {
			t.Fatalf("record %d differs:\n%s\n%s", i, ra[i], rb[i])
		}
	}
	if ca, cb := checkpoint(t, ea), checkpoint(t, eb); ca.Hash != cb.Hash || ca.Size != cb.Size {
		t.Fatalf("checkpoints of different trees: %+v, %+v", ca, cb)
	}
	type logCopy struct {
		vk   string
		cps  [][]byte
		recs [][]byte
	}
	copyOf := func(e *env) logCopy {
		_, vk, err := e.s.LogKey(e.ctx)
		must(t, err)
		src, done, err := e.s.LogSource(e.ctx)
		must(t, err)
		defer done()
		cps, err := src.Checkpoints(e.ctx)
		must(t, err)
		return logCopy{vk, cps, records(t, e)}
	}
	la, lb := copyOf(ea), copyOf(eb)
	for _, c := range []struct {
		name string
		from logCopy
		to   *env
	}{{"a's log in b", la, eb}, {"b's log in a", lb, ea}} {
		t.Run(c.name, func(t *testing.T) {
			vk, cps, recs := c.from.vk, c.from.cps, c.from.recs
			c.to.exec(t, `DELETE FROM log_checkpoints`)
			for _, note := range cps {
				cp, err := ledger.Open(vk, note)
				must(t, err)
				c.to.exec(t, `INSERT INTO log_checkpoints (size, note, created_ns) VALUES ($1, $2, $3)`, cp.Size, note, T0.UnixNano())
			}
			for i, data := range recs {
				c.to.exec(t, `UPDATE log_records SET data = $1 WHERE idx = $2`, data, int64(i))
			}
			dst, done, err := c.to.s.LogSource(c.to.ctx)
			must(t, err)
			rep, err := ledger.Verify(c.to.ctx, dst, vk)
			done()
			if err != nil {
				t.Fatalf("the copied log does not verify: %v", err)
			}
			if rep.Checkpoints != len(cps) || rep.Records != int64(len(recs)) {
				t.Errorf("verified %d checkpoints and %d records, want %d and %d", rep.Checkpoints, rep.Records, len(cps), len(recs))
			}
			if _, err := c.to.s.VerifyRows(c.to.ctx); err != nil {
				t.Errorf("rows do not verify against the copied log: %v", err)
			}
		})
	}
}
