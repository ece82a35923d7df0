package witness_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/witness"
)

// FuzzParseAddCheckpoint checks that the body parser never panics, accepts
// only what it can write back byte for byte, and keeps the proof bound.
func FuzzParseAddCheckpoint(f *testing.F) {
	h := tlog.RecordHash([]byte("x")).String()
	cp := "truce.example/log\n5\n" + h + "\n\n— truce.example/log AAAA\n"
	for _, seed := range []string{
		"old 0\n\n" + cp,
		"old 3\n" + h + "\n" + h + "\n\n" + cp,
		"old 03\n\n" + cp,
		"old 3\n" + h + "\n",
		"old 3\n" + strings.Repeat(h+"\n", 64) + "\n" + cp,
		"old -0\n\n" + cp,
		"\n\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := witness.ParseAddCheckpoint(body)
		if err != nil {
			return
		}
		if got := req.Bytes(); !bytes.Equal(got, body) {
			t.Fatalf("Bytes() = %q, want the parsed body %q", got, body)
		}
		if len(req.Proof) > 63 || req.OldSize < 0 || len(req.Checkpoint) == 0 {
			t.Fatalf("parsed %+v out of bounds", req)
		}
	})
}
