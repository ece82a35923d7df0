package storetest

import (
	"bytes"
	"testing"

	"truce"
)

// cosignatureCases check the witnesses' cosignatures: kept per checkpoint
// and witness, the first line kept, none for a checkpoint the log never
// signed, and the newest checkpoint that meets a threshold found.
var cosignatureCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		populate(t, e)
		c := checkpoint(t, e)
		signed, err := e.s.Checkpoint(e.ctx, c.Size)
		must(t, err)
		latest, err := e.s.LatestCheckpoint(e.ctx)
		must(t, err)
		if !bytes.Equal(signed, latest) {
			t.Errorf("Checkpoint(%d) is not the latest checkpoint of that size", c.Size)
		}
		for _, w := range []string{"w.b", "w.a"} {
			must(t, e.s.AddCosignature(e.ctx, truce.Cosignature{Size: c.Size, Witness: w, Line: []byte("— " + w + " AAAA\n"), At: T0}))
		}
		// A second line by the same witness is ignored.
		must(t, e.s.AddCosignature(e.ctx, truce.Cosignature{Size: c.Size, Witness: "w.a", Line: []byte("— w.a BBBB\n"), At: T0}))
		got, err := e.s.Cosignatures(e.ctx, c.Size)
		must(t, err)
		if len(got) != 2 || got[0].Witness != "w.a" || string(got[0].Line) != "— w.a AAAA\n" || got[1].Witness != "w.b" || !got[0].At.Equal(T0) {
			t.Errorf("Cosignatures(%d) = %+v, want w.a's first line and w.b's, by name", c.Size, got)
		}
		size, err := e.s.CosignedSize(e.ctx, []string{"w.a", "w.b", "w.c"}, 2)
		must(t, err)
		if size != c.Size {
			t.Errorf("CosignedSize(2 of a, b, c) = %d, want %d", size, c.Size)
		}
		// Cosignatures by witnesses outside the policy do not count.
		_, err = e.s.CosignedSize(e.ctx, []string{"w.a", "w.c"}, 2)
		wantCode(t, err, truce.ENOTFOUND)
		_, err = e.s.CosignedSize(e.ctx, []string{"w.a"}, 0)
		wantCode(t, err, truce.EINVALID)
	}},
	{"NoCheckpoint", func(t *testing.T, e *env) {
		_, err := e.s.Checkpoint(e.ctx, 7)
		wantCode(t, err, truce.ENOTFOUND)
		err = e.s.AddCosignature(e.ctx, truce.Cosignature{Size: 7, Witness: "w.a", Line: []byte("— w.a AAAA\n"), At: T0})
		wantCode(t, err, truce.ENOTFOUND)
		got, err := e.s.Cosignatures(e.ctx, 7)
		if err != nil || len(got) != 0 {
			t.Errorf("Cosignatures(7) = %v, %v; want none", got, err)
		}
		err = e.s.AddCosignature(e.ctx, truce.Cosignature{Size: 7, At: T0})
		wantCode(t, err, truce.EINVALID)
	}},
}
