package ledger

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// bundleFormat names the bundle format in its header line.
const bundleFormat = "truce-ledger-bundle"

// bundleHeader is the first line of a bundle.
type bundleHeader struct {
	Type        string `json:"type"` // "header"
	Format      string `json:"format"`
	V           int    `json:"v"`
	VerifierKey string `json:"verifier_key"`
	Records     int64  `json:"records"`
	Checkpoints int    `json:"checkpoints"`
}

// bundleCheckpoint is one signed checkpoint.
type bundleCheckpoint struct {
	Type  string `json:"type"` // "checkpoint"
	Index int    `json:"index"`
	Note  string `json:"note"`
}

// bundleRecord is one record with the hashes stored for it. The bytes are in
// Record when they are a canonical record (they are then valid, compact JSON
// and embed exactly), in Raw otherwise, and in neither if the record was
// missing from the source.
type bundleRecord struct {
	Type   string          `json:"type"` // "record"
	Index  int64           `json:"index"`
	Hashes []tlog.Hash     `json:"hashes"`
	Record json.RawMessage `json:"record,omitempty"`
	Raw    []byte          `json:"raw,omitempty"`
}

// ExportBundle writes everything needed to verify the log without its
// database: the verifier key, every signed checkpoint and every record with
// its stored hashes. The output is JSON Lines, one object per line:
//
//	{"type":"header","format":"truce-ledger-bundle","v":1,"verifier_key":"…","records":N,"checkpoints":M}
//	{"type":"checkpoint","index":0,"note":"<signed note>"}                  M lines, oldest first
//	{"type":"record","index":0,"hashes":["<base64>",…],"record":{…}}     N lines, in index order
//
// "hashes" holds the stored hashes at indexes tlog.StoredHashIndex(0, i) up
// to tlog.StoredHashIndex(0, i+1); the first is the record's leaf hash.
// "record" is the record bytes embedded verbatim; a record that is not
// canonical JSON is written as "raw" (base64) instead, and a missing one with
// neither, so that a damaged log can still be exported and examined. The
// output depends only on the source's contents. ExportBundle does not verify
// the log: run VerifyBundle on the result.
func ExportBundle(ctx context.Context, src Source, verifierKey string, w io.Writer) error {
	if _, err := note.NewVerifier(verifierKey); err != nil {
		return fmt.Errorf("ledger: export bundle: verifier key: %w", err)
	}
	n, err := src.Len(ctx)
	if err != nil {
		return fmt.Errorf("ledger: export bundle: %w", err)
	}
	cps, err := src.Checkpoints(ctx)
	if err != nil {
		return fmt.Errorf("ledger: export bundle: read checkpoints: %w", err)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	// Record bytes are embedded verbatim; HTML escaping would rewrite them.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(bundleHeader{Type: "header", Format: bundleFormat, V: 1, VerifierKey: verifierKey, Records: n, Checkpoints: len(cps)}); err != nil {
		return fmt.Errorf("ledger: export bundle: %w", err)
	}
	for j, c := range cps {
		if err := enc.Encode(bundleCheckpoint{Type: "checkpoint", Index: j, Note: string(c)}); err != nil {
			return fmt.Errorf("ledger: export bundle: checkpoint %d: %w", j, err)
		}
	}
	for lo := int64(0); lo < n; lo += verifyBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+verifyBatch, n)
		recs, err := src.Records(ctx, lo, hi)
		if err != nil {
			return fmt.Errorf("ledger: export bundle: read records [%d, %d): %w", lo, hi, err)
		}
		if int64(len(recs)) != hi-lo {
			return fmt.Errorf("ledger: export bundle: source returned %d records for [%d, %d)", len(recs), lo, hi)
		}
		first, end := tlog.StoredHashIndex(0, lo), tlog.StoredHashIndex(0, hi)
		indexes := make([]int64, end-first)
		for i := range indexes {
			indexes[i] = first + int64(i)
		}
		stored, err := src.ReadHashes(ctx, indexes)
		if err != nil {
			return fmt.Errorf("ledger: export bundle: read stored hashes for records [%d, %d): %w", lo, hi, err)
		}
		if len(stored) != len(indexes) {
			return fmt.Errorf("ledger: export bundle: source returned %d hashes for %d indexes", len(stored), len(indexes))
		}
		for i, data := range recs {
			k := lo + int64(i)
			from, to := tlog.StoredHashIndex(0, k)-first, tlog.StoredHashIndex(0, k+1)-first
			line := bundleRecord{Type: "record", Index: k, Hashes: stored[from:to]}
			if data != nil {
				if _, err := DecodeRecord(data); err == nil {
					line.Record = data
				} else {
					line.Raw = data
				}
			}
			if err := enc.Encode(line); err != nil {
				return fmt.Errorf("ledger: export bundle: record %d: %w", k, err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ledger: export bundle: %w", err)
	}
	return nil
}

// VerifyBundle checks a bundle written by ExportBundle as Verify checks a
// stored log, reading it once from r and holding only the recomputed hashes
// in memory. If trustedKey is "", it verifies the checkpoints with the key in
// the bundle and sets Report.KeyFromBundle: that proves the bundle is
// internally consistent, not that it comes from the log you think. Otherwise
// the bundle's key must equal trustedKey.
//
// A bundle only proves the records up to its newest checkpoint: compare
// Report.Latest with a checkpoint obtained independently to detect a bundle
// that stops early.
func VerifyBundle(r io.Reader, trustedKey string) (Report, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var h bundleHeader
	if err := dec.Decode(&h); err != nil {
		return Report{}, fmt.Errorf("ledger: bundle header: %w", err)
	}
	if h.Type != "header" || h.Format != bundleFormat {
		return Report{}, fmt.Errorf("ledger: not a %s", bundleFormat)
	}
	if h.V != 1 {
		return Report{}, fmt.Errorf("ledger: bundle version %d not supported", h.V)
	}
	if h.Records < 0 || h.Checkpoints < 0 {
		return Report{}, errors.New("ledger: bundle header: negative count")
	}
	key := trustedKey
	if key == "" {
		key = h.VerifierKey
	} else if h.VerifierKey != trustedKey {
		return Report{}, fmt.Errorf("%w: bundle is for verifier key %q, not the trusted key", ErrBadCheckpoint, h.VerifierKey)
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return Report{}, fmt.Errorf("ledger: verifier key: %w", err)
	}
	rep := Report{Origin: v.Name(), VerifierKey: key, KeyFromBundle: trustedKey == ""}

	cps := make([][]byte, 0, min(h.Checkpoints, 1<<16))
	for j := range h.Checkpoints {
		var c bundleCheckpoint
		if err := dec.Decode(&c); err != nil {
			return rep, fmt.Errorf("ledger: bundle checkpoint %d: %w", j, unexpectedEOF(err))
		}
		if c.Type != "checkpoint" || c.Index != j {
			return rep, fmt.Errorf("%w: checkpoint %d: bundle line has type %q, index %d", ErrBadCheckpoint, j, c.Type, c.Index)
		}
		cps = append(cps, []byte(c.Note))
	}
	var t treeChecker
	for i := range h.Records {
		var line bundleRecord
		if err := dec.Decode(&line); err != nil {
			return t.report(rep), fmt.Errorf("ledger: bundle record %d: %w", i, unexpectedEOF(err))
		}
		if line.Type != "record" || line.Index != i {
			return t.report(rep), fmt.Errorf("%w: record %d: bundle line has type %q, index %d", ErrLedgerDiverged, i, line.Type, line.Index)
		}
		var data []byte
		switch {
		case line.Record != nil && line.Raw != nil:
			return t.report(rep), fmt.Errorf("ledger: bundle record %d: both record and raw", i)
		case line.Record != nil:
			data = line.Record
		case line.Raw != nil:
			data = line.Raw
		}
		if err := t.add(data, line.Hashes); err != nil {
			return t.report(rep), err
		}
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return t.report(rep), fmt.Errorf("ledger: bundle: unexpected data after record %d", h.Records-1)
	}
	return t.checkCheckpoints(t.report(rep), v, cps)
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// BundleCheckpoints reads the signed checkpoints of a bundle (the lines
// after its header), oldest first, without verifying anything: run
// VerifyBundle for that.
func BundleCheckpoints(r io.Reader) ([][]byte, error) {
	dec := json.NewDecoder(r)
	var h bundleHeader
	if err := dec.Decode(&h); err != nil || h.Type != "header" || h.Format != bundleFormat {
		return nil, fmt.Errorf("ledger: not a %s", bundleFormat)
	}
	cps := make([][]byte, 0, min(max(h.Checkpoints, 0), 1<<16))
	for j := range h.Checkpoints {
		var c bundleCheckpoint
		if err := dec.Decode(&c); err != nil || c.Type != "checkpoint" {
			return nil, fmt.Errorf("ledger: bundle checkpoint %d: %w", j, unexpectedEOF(err))
		}
		cps = append(cps, []byte(c.Note))
	}
	return cps, nil
}
