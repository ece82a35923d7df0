package ledger_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"truce"
	"truce/internal/ledger"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenRecord exercises every encoding rule: unsorted and nested keys,
// whitespace, escapes, non-ASCII text, HTML characters, U+2028, numbers in
// unusual spellings, and a time with nanoseconds in a non-UTC zone.
func goldenRecord() ledger.Record {
	kyiv := time.FixedZone("EET", 2*60*60)
	return ledger.Record{
		V:       1,
		Kind:    "status.changed",
		At:      time.Date(2025, 3, 1, 14, 5, 6, 123456789, kyiv),
		Actor:   "role:monitor/\"Ä\"",
		Subject: "R-0042",
		Body: json.RawMessage(`{
			"to": "verified", "from": "reported",
			"note": "line1\nline2\ttab \u0001 \"q\" \\ \/ <b>&amp;</b> \u2028 Київ 🕊",
			"lat": 48.4500, "lon": 3.5e1, "count": -0, "big": 12345678901234567890,
			"nested": {"z": [3, 2, {"b": true, "a": null}], "a": {}, "é": [], "e": false}
		}`),
	}
}

func TestRecordGolden(t *testing.T) {
	rec := goldenRecord()
	got, err := rec.Bytes()
	if err != nil {
		t.Fatalf("Bytes() = %v", err)
	}
	path := filepath.Join("testdata", "record_v1.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Bytes() mismatch (-want +got):\n%s", diff)
	}

	dec, err := ledger.DecodeRecord(want)
	if err != nil {
		t.Fatalf("DecodeRecord(golden) = %v", err)
	}
	wantRec := rec
	wantRec.At = rec.At.UTC().Truncate(time.Microsecond)
	wantRec.Body = json.RawMessage(`{"big":12345678901234567890,"count":-0,"from":"reported","lat":48.4500,"lon":3.5e1,"nested":{"a":{},"e":false,"z":[3,2,{"a":null,"b":true}],"é":[]},"note":"line1\nline2\ttab \u0001 \"q\" \\ / <b>&amp;</b> ` + "\u2028" + ` Київ 🕊","to":"verified"}`)
	if diff := cmp.Diff(&wantRec, dec, cmpopts.IgnoreUnexported(ledger.Record{})); diff != "" {
		t.Errorf("DecodeRecord(golden) mismatch (-want +got):\n%s", diff)
	}
	if dec.At.Location() != time.UTC {
		t.Errorf("DecodeRecord(golden).At location = %v, want UTC", dec.At.Location())
	}
}

func TestRecordRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		rec  ledger.Record
	}{
		{name: "golden", rec: goldenRecord()},
		{name: "system actor, empty subject", rec: ledger.Record{V: 1, Kind: "agreement.version", At: baseTime, Body: json.RawMessage(`{}`)}},
		{name: "array body", rec: ledger.Record{V: 1, Kind: "judgement", At: baseTime, Subject: "I-1", Body: json.RawMessage(` [ 1 , "x" ] `)}},
		{name: "scalar body", rec: ledger.Record{V: 1, Kind: "note.added", At: baseTime, Body: json.RawMessage(`"text"`)}},
		{name: "year 1", rec: ledger.Record{V: 1, Kind: "x", At: time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), Body: json.RawMessage(`null`)}},
		{name: "year 9999", rec: ledger.Record{V: 1, Kind: "x", At: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), Body: json.RawMessage(`0`)}},
		{name: "test record", rec: testRecord(7)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.rec.Bytes()
			if err != nil {
				t.Fatalf("Bytes() = %v", err)
			}
			dec, err := ledger.DecodeRecord(b)
			if err != nil {
				t.Fatalf("DecodeRecord(%s) = %v", b, err)
			}
			b2, err := dec.Bytes()
			if err != nil {
				t.Fatalf("Bytes() after decode = %v", err)
			}
			if diff := cmp.Diff(string(b), string(b2)); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
			if !dec.At.Equal(tt.rec.At.Truncate(time.Microsecond)) {
				t.Errorf("At = %v, want %v", dec.At, tt.rec.At.Truncate(time.Microsecond))
			}
		})
	}
}

func TestRecordBytesErrors(t *testing.T) {
	ok := ledger.Record{V: 1, Kind: "report.created", At: baseTime, Body: json.RawMessage(`{}`)}
	for _, tt := range []struct {
		name   string
		modify func(r *ledger.Record)
		want   string
	}{
		{name: "version 0", modify: func(r *ledger.Record) { r.V = 0 }, want: "version 0"},
		{name: "version 2", modify: func(r *ledger.Record) { r.V = 2 }, want: "version 2"},
		{name: "empty kind", modify: func(r *ledger.Record) { r.Kind = "" }, want: "kind is empty"},
		{name: "upper-case kind", modify: func(r *ledger.Record) { r.Kind = "Report.Created" }, want: "invalid character"},
		{name: "kind with space", modify: func(r *ledger.Record) { r.Kind = "report created" }, want: "invalid character"},
		{name: "zero time", modify: func(r *ledger.Record) { r.At = time.Time{} }, want: "time is zero"},
		{name: "year 10000", modify: func(r *ledger.Record) { r.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, want: "year 10000"},
		{name: "invalid UTF-8 actor", modify: func(r *ledger.Record) { r.Actor = "\xff" }, want: "actor"},
		{name: "invalid UTF-8 subject", modify: func(r *ledger.Record) { r.Subject = "a\xc3" }, want: "subject"},
		{name: "nil body", modify: func(r *ledger.Record) { r.Body = nil }, want: "body is empty"},
		{name: "invalid JSON body", modify: func(r *ledger.Record) { r.Body = json.RawMessage(`{"a":}`) }, want: "body"},
		{name: "two values in body", modify: func(r *ledger.Record) { r.Body = json.RawMessage(`{} {}`) }, want: "after value"},
		{name: "duplicate key", modify: func(r *ledger.Record) { r.Body = json.RawMessage(`{"a":1,"b":2,"a":3}`) }, want: "duplicate"},
		{name: "lone surrogate", modify: func(r *ledger.Record) { r.Body = json.RawMessage(`"\ud800"`) }, want: "surrogate"},
		{name: "invalid UTF-8 in body", modify: func(r *ledger.Record) { r.Body = json.RawMessage("\"\xff\"") }, want: "UTF-8"},
		{name: "raw control character in body", modify: func(r *ledger.Record) { r.Body = json.RawMessage("\"a\nb\"") }, want: "control"},
		{name: "leading zero", modify: func(r *ledger.Record) { r.Body = json.RawMessage(`01`) }, want: "after value"},
		{name: "bare dot", modify: func(r *ledger.Record) { r.Body = json.RawMessage(`1.`) }, want: "invalid number"},
		{name: "NaN", modify: func(r *ledger.Record) { r.Body = json.RawMessage(`NaN`) }, want: "unexpected character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.modify(&r)
			_, err := r.Bytes()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Bytes() = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeRecordRejectsNonCanonical(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "record_v1.golden"))
	if err != nil {
		t.Fatal(err)
	}
	g := string(golden)
	simple := `{"actor":"","at":"2025-03-01T12:00:00.000000Z","body":{"a":1},"kind":"note.added","subject":"R-1","v":1}`
	if _, err := ledger.DecodeRecord([]byte(simple)); err != nil {
		t.Fatalf("DecodeRecord(simple) = %v", err)
	}
	for _, tt := range []struct {
		name string
		in   string
	}{
		{name: "empty", in: ``},
		{name: "null", in: `null`},
		{name: "array", in: `[]`},
		{name: "trailing newline", in: g + "\n"},
		{name: "leading space", in: " " + g},
		{name: "trailing value", in: g + "{}"},
		{name: "space after colon", in: strings.Replace(simple, `"actor":""`, `"actor": ""`, 1)},
		{name: "keys out of order", in: `{"at":"2025-03-01T12:00:00.000000Z","actor":"","body":{"a":1},"kind":"note.added","subject":"R-1","v":1}`},
		{name: "missing actor", in: `{"at":"2025-03-01T12:00:00.000000Z","body":{"a":1},"kind":"note.added","subject":"R-1","v":1}`},
		{name: "duplicate field", in: strings.Replace(simple, `"actor":""`, `"actor":"","actor":""`, 1)},
		{name: "upper-case key", in: strings.Replace(simple, `"v":1`, `"V":1`, 1)},
		{name: "unknown field", in: strings.Replace(simple, `"v":1}`, `"v":1,"x":0}`, 1)},
		{name: "version 2", in: strings.Replace(simple, `"v":1`, `"v":2`, 1)},
		{name: "version 1.0", in: strings.Replace(simple, `"v":1`, `"v":1.0`, 1)},
		{name: "version as string", in: strings.Replace(simple, `"v":1`, `"v":"1"`, 1)},
		{name: "time without fraction", in: strings.Replace(simple, `12:00:00.000000Z`, `12:00:00Z`, 1)},
		{name: "time with nanoseconds", in: strings.Replace(simple, `12:00:00.000000Z`, `12:00:00.000000001Z`, 1)},
		{name: "time with offset", in: strings.Replace(simple, `12:00:00.000000Z`, `14:00:00.000000+02:00`, 1)},
		{name: "time lower-case z", in: strings.Replace(simple, `12:00:00.000000Z`, `12:00:00.000000z`, 1)},
		{name: "time not RFC 3339", in: strings.Replace(simple, `2025-03-01T12:00:00.000000Z`, `1 Mar 2025`, 1)},
		{name: "body with space", in: strings.Replace(simple, `{"a":1}`, `{"a": 1}`, 1)},
		{name: "body keys out of order", in: strings.Replace(simple, `{"a":1}`, `{"b":2,"a":1}`, 1)},
		{name: "body duplicate key", in: strings.Replace(simple, `{"a":1}`, `{"a":1,"a":1}`, 1)},
		{name: "body nested keys out of order", in: strings.Replace(simple, `{"a":1}`, `{"a":[{"y":1,"x":2}]}`, 1)},
		{name: "escaped solidus", in: strings.Replace(simple, `"R-1"`, `"R\/1"`, 1)},
		{name: "needless unicode escape", in: strings.Replace(simple, `"R-1"`, `"R\u002d1"`, 1)},
		{name: "upper-case hex escape", in: strings.Replace(simple, `{"a":1}`, `{"a":"\u001F"}`, 1)},
		{name: "unicode escape for newline", in: strings.Replace(simple, `{"a":1}`, `{"a":"\u000a"}`, 1)},
		{name: "HTML-escaped body", in: strings.Replace(simple, `{"a":1}`, `{"a":"\u003c"}`, 1)},
		{name: "invalid UTF-8", in: strings.Replace(simple, `"R-1"`, "\"R\xff1\"", 1)},
		{name: "kind with capital", in: strings.Replace(simple, `note.added`, `Note.added`, 1)},
		{name: "empty kind", in: strings.Replace(simple, `"note.added"`, `""`, 1)},
		{name: "missing body", in: strings.Replace(simple, `"body":{"a":1},`, ``, 1)},
		{name: "null body spelled with space", in: strings.Replace(simple, `{"a":1}`, `null `, 1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := ledger.DecodeRecord([]byte(tt.in)); err == nil {
				t.Errorf("DecodeRecord(%q) = %+v, want error", tt.in, r)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	type inner struct {
		Z string `json:"z"`
		A int    `json:"a"`
	}
	for _, tt := range []struct {
		name string
		in   any
		want string
	}{
		{name: "struct fields sorted", in: inner{Z: "z", A: 1}, want: `{"a":1,"z":"z"}`},
		{name: "map", in: map[string]int{"b": 2, "a": 1, "c": 3}, want: `{"a":1,"b":2,"c":3}`},
		{name: "HTML not escaped", in: "<a href=\"x\">&</a>", want: `"<a href=\"x\">&</a>"`},
		{name: "line separator literal", in: "a\u2028b", want: "\"a\u2028b\""},
		{name: "control characters", in: "\x00\x08\x0c\n\r\t\x1f\x7f", want: `"\u0000\b\f\n\r\t\u001f` + "\x7f" + `"`},
		{name: "non-ASCII literal", in: "Донецьк ✓", want: `"Донецьк ✓"`},
		{name: "float", in: 0.1, want: `0.1`},
		{name: "large float", in: 1e21, want: `1e+21`},
		{name: "raw number kept as written", in: json.RawMessage(`{"n":1.500E+02}`), want: `{"n":1.500E+02}`},
		{name: "keys by UTF-8 bytes", in: map[string]int{"é": 1, "z": 2, "Z": 3, "": 4, "a b": 5}, want: `{"":4,"Z":3,"a b":5,"z":2,"é":1}`},
		{name: "nested and arrays", in: json.RawMessage(` { "b" : [ { "y":1 , "x":2 } ] , "a" : { } } `), want: `{"a":{},"b":[{"x":2,"y":1}]}`},
		{name: "time", in: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), want: `"2025-01-02T03:04:05.000006Z"`},
		{name: "nil", in: nil, want: `null`},
		{name: "surrogate pair escape decoded", in: json.RawMessage(`"\ud83d\udd4a"`), want: `"🕊"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ledger.Canonical(tt.in)
			if err != nil {
				t.Fatalf("Canonical() = %v", err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Canonical() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ledger.Canonical(json.RawMessage(`{"a":1,"a":2}`)); err == nil {
		t.Error("Canonical(duplicate keys) = nil error, want error")
	}
	if _, err := ledger.Canonical(func() {}); err == nil {
		t.Error("Canonical(func) = nil error, want error")
	}
	deep := json.RawMessage(strings.Repeat("[", 10001) + strings.Repeat("]", 10001))
	if _, err := ledger.Canonical(deep); err == nil {
		t.Error("Canonical(10001 nested arrays) = nil error, want error")
	}
}

func FuzzDecodeRecord(f *testing.F) {
	if golden, err := os.ReadFile(filepath.Join("testdata", "record_v1.golden")); err == nil {
		f.Add(golden)
	}
	for i := range 5 {
		r := testRecord(i)
		b, err := r.Bytes()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"actor":"","at":"2025-03-01T12:00:00.000000Z","body":{"a":[1,2.5e3,"\u0001"]},"kind":"x","subject":"","v":1}`))
	f.Add([]byte(`{"actor":"","at":"2025-03-01T12:00:00.000000Z","body":"\ud83d\udd4a","kind":"x","subject":"","v":1}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ledger.DecodeRecord(in)
		if err != nil {
			return
		}
		out, err := r.Bytes()
		if err != nil {
			t.Fatalf("DecodeRecord accepted %q but Bytes() = %v", in, err)
		}
		if !bytes.Equal(in, out) {
			t.Fatalf("round trip changed bytes:\n in: %q\nout: %q", in, out)
		}
		if !json.Valid(out) {
			t.Fatalf("accepted record is not valid JSON: %q", out)
		}
	})
}

// FuzzCanonical checks the canonicaliser against encoding/json: its output
// is valid JSON with the same meaning, and canonicalising it again changes
// nothing.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[true,false,null]}`, `"\u00e9\n"`, `-0.5e-3`, `[{"x":{"y":{}}}]`, `"\ud83d\udd4a<>&"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		out, err := ledger.Canonical(json.RawMessage(in))
		if err != nil {
			return // duplicate keys, lone surrogates, invalid UTF-8
		}
		if !json.Valid(out) {
			t.Fatalf("Canonical(%q) = %q, not valid JSON", in, out)
		}
		again, err := ledger.Canonical(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("Canonical not idempotent: %q -> %q -> %q (%v)", in, out, again, err)
		}
		var want, got any
		if err := decodeNumbers(in, &want); err != nil {
			t.Fatal(err)
		}
		if err := decodeNumbers(out, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Canonical(%q) = %q changed meaning (-want +got):\n%s", in, out, diff)
		}
	})
}

func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// FuzzRecordBytes checks what lets a store sequence what Record.Bytes
// returns without decoding it again (sqlstore.EncodeRecord): whatever
// record Bytes encodes, DecodeRecord accepts the bytes and gives back the
// same record, so the integrator, which decodes every record it hashes,
// never stops on one a write logged. Records are built by hand (Bytes
// canonicalises the body) and by a record builder (whose canonical body
// Bytes copies as it is).
func FuzzRecordBytes(f *testing.F) {
	f.Add("status.changed", "role:monitor", "R-0042", int64(1740830400), int64(123456789), []byte(`{"b":1,"a":"\u00e9 <&>"}`), "line1\nline2")
	f.Add("x", "", "", int64(-62135596800), int64(0), []byte(`"\ud83d\udd4a"`), "")
	f.Add("judgement", "tok\x01\"", "é\u2028", int64(253402300799), int64(999999999), []byte(` [1, 2.50e3, -0, {"z":{},"a":null}] `), "\xff")
	f.Fuzz(func(t *testing.T, kind, actor, subject string, sec, nsec int64, body []byte, text string) {
		at := time.Unix(sec, nsec%1e9)
		roundTrip(t, &ledger.Record{V: ledger.RecordVersion, Kind: kind, At: at, Actor: actor, Subject: subject, Body: body})
		by := truce.Principal{TokenID: actor, Role: truce.RoleMonitor}
		e := &truce.Event{ID: sec, Incident: truce.IncidentID(subject), At: at, Kind: truce.EventKind(kind), Reason: text}
		if rec, err := ledger.EventRecord(by, e, &truce.Evidence{ID: text, Description: string(body)}); err == nil {
			roundTrip(t, rec)
		}
	})
}

// roundTrip checks that the bytes of rec, if it encodes, decode to rec.
func roundTrip(t *testing.T, rec *ledger.Record) {
	t.Helper()
	b, err := rec.Bytes()
	if err != nil {
		return
	}
	dec, err := ledger.DecodeRecord(b)
	if err != nil {
		t.Fatalf("Bytes gave %q, which DecodeRecord refuses: %v", b, err)
	}
	if dec.Kind != rec.Kind || dec.Actor != rec.Actor || dec.Subject != rec.Subject || !dec.At.Equal(rec.At.Truncate(time.Microsecond)) {
		t.Fatalf("%q decoded to %+v, not %+v", b, dec, rec)
	}
	again, err := dec.Bytes()
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("%q decoded and encoded again gave %q, %v", b, again, err)
	}
}
