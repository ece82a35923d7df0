package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/ledger"
)

func MustExport(tb testing.TB, src ledger.Source, vkey string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := ledger.ExportBundle(context.Background(), src, vkey, &buf); err != nil {
		tb.Fatalf("ExportBundle() = %v", err)
	}
	return buf.Bytes()
}

func TestBundleRoundTrip(t *testing.T) {
	ctx := context.Background()
	skey, vkey := MustKey(t, testOrigin)
	m := MustLog(t, 1500, skey, 1, 700, 1500)
	// A record full of characters JSON encoders like to escape.
	MustAppend(t, m, goldenRecord())
	MustCheckpoint(t, m, skey)

	bundle := MustExport(t, m, vkey)
	if again := MustExport(t, m, vkey); !bytes.Equal(bundle, again) {
		t.Error("ExportBundle() is not deterministic")
	}
	lines := strings.Split(string(bundle), "\n")
	if got, want := len(lines), 1+4+1501+1; got != want { // header, checkpoints, records, final ""
		t.Errorf("bundle has %d lines, want %d", got, want)
	}
	wantHeader := fmt.Sprintf(`{"type":"header","format":"truce-ledger-bundle","v":1,"verifier_key":%q,"records":1501,"checkpoints":4}`, vkey)
	if diff := cmp.Diff(wantHeader, lines[0]); diff != "" {
		t.Errorf("header line mismatch (-want +got):\n%s", diff)
	}
	for i, rec := range m.records {
		if !strings.Contains(lines[5+i], `,"record":`+string(rec)+`}`) {
			t.Fatalf("record line %d does not embed the record verbatim:\n%s\n%s", i, lines[5+i], rec)
		}
	}

	want, err := ledger.Verify(ctx, m, vkey)
	if err != nil {
		t.Fatalf("Verify() = %v", err)
	}
	got, err := ledger.VerifyBundle(bytes.NewReader(bundle), vkey)
	if err != nil {
		t.Fatalf("VerifyBundle(trusted key) = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("VerifyBundle(trusted key) report differs from Verify (-want +got):\n%s", diff)
	}
	got, err = ledger.VerifyBundle(bytes.NewReader(bundle), "")
	if err != nil {
		t.Fatalf("VerifyBundle(no key) = %v", err)
	}
	want.KeyFromBundle = true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("VerifyBundle(no key) report mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(got.String(), "not independently trusted") {
		t.Errorf("Report.String() = %q, does not warn that the key came from the bundle", got)
	}

	empty, err := ledger.VerifyBundle(bytes.NewReader(MustExport(t, &memLog{}, vkey)), vkey)
	if err != nil {
		t.Fatalf("VerifyBundle(empty log) = %v", err)
	}
	if empty.Records != 0 || empty.Checkpoints != 0 {
		t.Errorf("VerifyBundle(empty log) = %+v, want nothing checked", empty)
	}
}

// TestBundleOfTamperedLog exports each damaged log of tamperCases and checks
// that VerifyBundle finds what Verify finds.
func TestBundleOfTamperedLog(t *testing.T) {
	skey, vkey := MustKey(t, testOrigin)
	base := MustLog(t, tamperSize, skey, 5, 10, tamperSize)
	for _, tt := range tamperCases(t, skey) {
		t.Run(tt.name, func(t *testing.T) {
			m := base.clone()
			tt.tamper(m)
			var buf bytes.Buffer
			if err := ledger.ExportBundle(context.Background(), m, vkey, &buf); err != nil {
				// Only a store that cannot produce its hashes stops the export.
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ExportBundle() = %v", err)
				}
				return
			}
			_, err := ledger.VerifyBundle(&buf, vkey)
			checkVerifyErr(t, err, tt.wantErr, tt.wantMsg)
		})
	}
}

// TestTamperedBundle edits an exported bundle line by line.
func TestTamperedBundle(t *testing.T) {
	skey, vkey := MustKey(t, testOrigin)
	_, otherKey := MustKey(t, testOrigin)
	m := MustLog(t, 20, skey, 5, 10, 20)
	lines := strings.SplitAfter(string(MustExport(t, m, vkey)), "\n")
	lines = lines[:len(lines)-1] // drop the empty string after the final newline
	for _, tt := range append(bundleRecordEdits(), bundleHeaderEdits(vkey, otherKey)...) {
		t.Run(tt.name, func(t *testing.T) {
			edited := strings.Join(tt.edit(append([]string(nil), lines...)), "")
			key := vkey
			if tt.key != "" {
				key = tt.key
			}
			_, err := ledger.VerifyBundle(strings.NewReader(edited), key)
			if err == nil {
				t.Fatal("VerifyBundle() = nil error, want error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("VerifyBundle() = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("VerifyBundle() = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

// bundleEdit is a change to the lines of an exported bundle of 20 records
// with checkpoints at sizes 5, 10 and 20, and what VerifyBundle, with key
// or else the log's own, must say about it.
type bundleEdit struct {
	name    string
	edit    func(ls []string) []string
	key     string
	wantErr error // nil: any error
	wantMsg string
}

// bundleRecords is the index of the first record line: after the header
// and 3 checkpoints.
const bundleRecords = 4

// bundleRecordEdits change, drop or reorder record lines.
func bundleRecordEdits() []bundleEdit {
	const records = bundleRecords
	return []bundleEdit{
		{
			name: "flip a byte of record 3",
			edit: func(ls []string) []string {
				ls[records+3] = strings.Replace(ls[records+3], "shelling", "shelLing", 1)
				return ls
			},
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 3: stored hash does not match its bytes",
		},
		{
			name: "pretty-print record 3",
			edit: func(ls []string) []string {
				ls[records+3] = strings.Replace(ls[records+3], `"record":{"actor":`, `"record":{ "actor": `, 1)
				return ls
			},
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 3: stored hash does not match its bytes",
		},
		{
			name:    "delete record line 5",
			edit:    func(ls []string) []string { return append(ls[:records+5:records+5], ls[records+6:]...) },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 5: bundle line has type \"record\", index 6",
		},
		{
			name:    "swap record lines 4 and 5",
			edit:    func(ls []string) []string { ls[records+4], ls[records+5] = ls[records+5], ls[records+4]; return ls },
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 4:",
		},
		{
			name: "drop the last record and fix the count",
			edit: func(ls []string) []string {
				ls[0] = strings.Replace(ls[0], `"records":20`, `"records":19`, 1)
				return ls[:len(ls)-1]
			},
			wantErr: ledger.ErrLedgerDiverged, wantMsg: "record 19: missing: checkpoint 2 signs 20 records",
		},
		{
			name:    "cut the file short",
			edit:    func(ls []string) []string { return ls[:len(ls)-1] },
			wantMsg: "bundle record 19: unexpected EOF",
		},
	}
}

// bundleHeaderEdits change the header, the checkpoints or the key, or
// break the format.
func bundleHeaderEdits(vkey, otherKey string) []bundleEdit {
	const records = bundleRecords
	return []bundleEdit{
		{
			name:    "change a checkpoint",
			edit:    func(ls []string) []string { ls[2] = strings.Replace(ls[2], `\n10\n`, `\n11\n`, 1); return ls },
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "checkpoint 1: invalid signature",
		},
		{
			name:    "another key in the header",
			edit:    func(ls []string) []string { ls[0] = strings.Replace(ls[0], vkey, otherKey, 1); return ls },
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "not the trusted key",
		},
		{
			name:    "verify with another trusted key",
			edit:    func(ls []string) []string { return ls },
			key:     otherKey,
			wantErr: ledger.ErrBadCheckpoint, wantMsg: "not the trusted key",
		},
		{
			name:    "trailing data",
			edit:    func(ls []string) []string { return append(ls, "{}\n") },
			wantMsg: "unexpected data after record 19",
		},
		{
			name: "unknown field",
			edit: func(ls []string) []string {
				ls[records] = strings.Replace(ls[records], `"type":"record"`, `"type":"record","note":"x"`, 1)
				return ls
			},
			wantMsg: "unknown field",
		},
		{
			name:    "not a bundle",
			edit:    func([]string) []string { return []string{`{"type":"header","format":"something-else","v":1}`} },
			wantMsg: "not a truce-ledger-bundle",
		},
		{
			name:    "future version",
			edit:    func(ls []string) []string { ls[0] = strings.Replace(ls[0], `"v":1`, `"v":2`, 1); return ls },
			wantMsg: "version 2",
		},
		{
			name:    "empty input",
			edit:    func([]string) []string { return nil },
			wantMsg: "bundle header",
		},
	}
}

// TestBundleSelfSigned shows what trusting the bundle's own key means: a
// bundle forged end to end by someone with their own key verifies, and only
// the Report's key and KeyFromBundle tell it apart.
func TestBundleSelfSigned(t *testing.T) {
	_, vkey := MustKey(t, testOrigin)
	forgerSigner, forgerKey := MustKey(t, testOrigin)
	forged := MustLog(t, 10, forgerSigner, 10)
	rep, err := ledger.VerifyBundle(bytes.NewReader(MustExport(t, forged, forgerKey)), "")
	if err != nil {
		t.Fatalf("VerifyBundle(forged, no key) = %v", err)
	}
	if !rep.KeyFromBundle || rep.VerifierKey != forgerKey {
		t.Errorf("VerifyBundle(forged, no key) = %+v, want KeyFromBundle with the forger's key", rep)
	}
	if _, err := ledger.VerifyBundle(bytes.NewReader(MustExport(t, forged, forgerKey)), vkey); !errors.Is(err, ledger.ErrBadCheckpoint) {
		t.Errorf("VerifyBundle(forged, trusted key) = %v, want ErrBadCheckpoint", err)
	}
}

// TestBundleRawRecord checks that a record that is not canonical JSON is
// exported as base64 and still reported precisely.
func TestBundleRawRecord(t *testing.T) {
	skey, vkey := MustKey(t, testOrigin)
	m := MustLog(t, 5, skey, 5)
	m.records[2] = []byte("\xff not json")
	bundle := MustExport(t, m, vkey)
	var line struct {
		Raw []byte `json:"raw"`
	}
	if err := json.Unmarshal([]byte(strings.Split(string(bundle), "\n")[2+2]), &line); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(line.Raw, m.records[2]) {
		t.Errorf("raw = %q, want %q", line.Raw, m.records[2])
	}
	_, err := ledger.VerifyBundle(bytes.NewReader(bundle), vkey)
	checkVerifyErr(t, err, ledger.ErrLedgerDiverged, "record 2: stored hash does not match its bytes")
}
