package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// RecordVersion is the only record encoding version this package writes and
// accepts.
const RecordVersion = 1

// timeLayout is RFC 3339 with exactly six fractional digits. Applied to a UTC
// time it always ends in "Z", so every instant has one spelling.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// Record is one log entry. Its encoding (see Bytes) is what the tree hashes,
// so the encoding MUST NOT change for a given version: a new encoding gets a
// new V.
type Record struct {
	V       int             // encoding version; MUST be RecordVersion
	Kind    string          // what happened, e.g. "report.created", "status.changed", "judgement"; [a-z0-9._-]+
	At      time.Time       // when; encoded in UTC, truncated to microseconds
	Actor   string          // who: a token id or "role:party"; "" for the system
	Subject string          // the id of the thing the record is about, e.g. a report id or "AG-1@3"
	Body    json.RawMessage // the change as JSON; canonicalised by Bytes (see Canonical) unless a builder made it

	// canon is Body as a record builder made it, canonical already:
	// while Body is still that slice, Bytes copies it instead of
	// canonicalising it again. A Body replaced by another is
	// canonicalised as any other; a builder's Body MUST NOT be changed
	// in place (assign another slice instead).
	canon json.RawMessage
}

// Bytes returns the canonical encoding of r: a JSON object with the keys
// actor, at, body, kind, subject and v in that (sorted) order, no
// insignificant whitespace, At as RFC 3339 UTC with six fractional digits,
// and Body in canonical form (see Canonical). Bytes fails if V is not
// RecordVersion, Kind is not [a-z0-9._-]+, At is zero or outside years
// 1–9999, a string is not valid UTF-8, or Body is empty or not valid JSON.
func (r *Record) Bytes() ([]byte, error) {
	b, err := r.encode()
	if err != nil {
		return nil, fmt.Errorf("ledger: encode record: %w", err)
	}
	return b, nil
}

func (r *Record) encode() ([]byte, error) { return r.encodeBody(r.builtBody()) }

// builtBody reports whether Body is the canonical body its builder made
// (the same bytes in the same place).
func (r *Record) builtBody() bool {
	return len(r.canon) > 0 && len(r.Body) == len(r.canon) && &r.Body[0] == &r.canon[0]
}

// encodeBody is encode; bodyCanonical says r.Body is known to be in
// canonical form already (DecodeRecord has just built its canonical form
// and found it equal), so it is copied as it is instead of built again.
func (r *Record) encodeBody(bodyCanonical bool) ([]byte, error) {
	if r.V != RecordVersion {
		return nil, fmt.Errorf("version %d not supported", r.V)
	}
	if err := checkKind(r.Kind); err != nil {
		return nil, err
	}
	// Zero once truncated, as it is written and read back: a time less
	// than a microsecond after the zero time would not decode.
	at := r.At.UTC().Truncate(time.Microsecond)
	if at.IsZero() {
		return nil, errors.New("time is zero")
	}
	if y := at.Year(); y < 1 || y > 9999 {
		return nil, fmt.Errorf("year %d out of range", y)
	}
	if !utf8.ValidString(r.Actor) {
		return nil, errors.New("actor is not valid UTF-8")
	}
	if !utf8.ValidString(r.Subject) {
		return nil, errors.New("subject is not valid UTF-8")
	}
	if len(r.Body) == 0 {
		return nil, errors.New("body is empty")
	}

	b := make([]byte, 0, 96+len(r.Kind)+len(r.Actor)+len(r.Subject)+len(r.Body))
	b = append(b, `{"actor":`...)
	b = appendString(b, r.Actor)
	b = append(b, `,"at":"`...)
	b = at.AppendFormat(b, timeLayout)
	b = append(b, `","body":`...)
	if bodyCanonical {
		b = append(b, r.Body...)
	} else {
		var err error
		if b, err = canonicalJSON(b, r.Body); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
	}
	b = append(b, `,"kind":`...)
	b = appendString(b, r.Kind)
	b = append(b, `,"subject":`...)
	b = appendString(b, r.Subject)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, int64(r.V), 10)
	b = append(b, '}')
	return b, nil
}

func checkKind(kind string) error {
	if kind == "" {
		return errors.New("kind is empty")
	}
	for i := 0; i < len(kind); i++ {
		switch c := kind[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return fmt.Errorf("kind %q: invalid character %q", kind, c)
		}
	}
	return nil
}

// wireRecord is the JSON shape of a Record, used only for decoding.
type wireRecord struct {
	Actor   string          `json:"actor"`
	At      string          `json:"at"`
	Body    json.RawMessage `json:"body"`
	Kind    string          `json:"kind"`
	Subject string          `json:"subject"`
	V       int             `json:"v"`
}

// DecodeRecord parses a record encoded by Bytes. It is strict: unknown
// fields, versions other than RecordVersion and any input that is not
// byte-for-byte what Bytes would produce for the decoded record (missing
// fields, extra whitespace, unsorted keys, other escapes or time formats) are
// rejected. The returned At is in UTC.
func DecodeRecord(b []byte) (*Record, error) {
	r, ok, bodyCanonical := parseRecord(b)
	if !ok {
		// Not even the shape of a canonical record: decode it loosely
		// to explain what is wrong.
		var err error
		if r, err = decodeLoose(b); err != nil {
			return nil, fmt.Errorf("ledger: decode record: %w", err)
		}
	}
	canon, err := r.encodeBody(bodyCanonical)
	if err != nil {
		return nil, fmt.Errorf("ledger: decode record: %w", err)
	}
	if !bytes.Equal(canon, b) {
		return nil, fmt.Errorf("ledger: decode record: not in canonical form (first difference at byte %d)", firstDiff(canon, b))
	}
	return r, nil
}

// parseRecord reads b, assuming it has the layout Bytes writes. It reports
// false if b does not; DecodeRecord then checks that re-encoding the result
// gives b back, so parseRecord need not check canonical details itself.
// bodyCanonical reports whether the body is in canonical form: parsing it
// builds its canonical form, which is compared with it here rather than
// built a second time by the re-encoding.
func parseRecord(b []byte) (r *Record, ok, bodyCanonical bool) {
	// The body's canonical form is built only to be compared; size the
	// buffer so that it is built without growing.
	c := canonicalizer{src: b, out: make([]byte, 0, len(b))}
	expect := func(lit string) bool {
		if !bytes.HasPrefix(c.src[c.pos:], []byte(lit)) {
			return false
		}
		c.pos += len(lit)
		return true
	}
	str := func() (string, bool) {
		if c.pos >= len(c.src) || c.src[c.pos] != '"' {
			return "", false
		}
		s, err := c.str()
		return string(s), err == nil
	}
	var rec Record
	r = &rec
	if !expect(`{"actor":`) {
		return nil, false, false
	}
	if r.Actor, ok = str(); !ok || !expect(`,"at":`) {
		return nil, false, false
	}
	at, ok := str()
	if !ok || !expect(`,"body":`) {
		return nil, false, false
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil, false, false
	}
	r.At = t.UTC()
	start, out := c.pos, len(c.out)
	if err := c.value(0); err != nil {
		return nil, false, false
	}
	r.Body = bytes.Clone(b[start:c.pos])
	bodyCanonical = bytes.Equal(c.out[out:], r.Body)
	if !expect(`,"kind":`) {
		return nil, false, false
	}
	if r.Kind, ok = str(); !ok || !expect(`,"subject":`) {
		return nil, false, false
	}
	if r.Subject, ok = str(); !ok || !expect(`,"v":`) {
		return nil, false, false
	}
	end := bytes.IndexByte(c.src[c.pos:], '}')
	if end < 0 || c.pos+end != len(c.src)-1 {
		return nil, false, false
	}
	if r.V, err = strconv.Atoi(string(c.src[c.pos : c.pos+end])); err != nil {
		return nil, false, false
	}
	return r, true, bodyCanonical
}

// decodeLoose decodes b with encoding/json, rejecting unknown fields and
// unsupported versions with specific errors.
func decodeLoose(b []byte) (*Record, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w wireRecord
	if err := dec.Decode(&w); err != nil {
		return nil, err
	}
	if w.V != RecordVersion {
		return nil, fmt.Errorf("version %d not supported", w.V)
	}
	at, err := time.Parse(time.RFC3339Nano, w.At)
	if err != nil {
		return nil, fmt.Errorf("at: %w", err)
	}
	return &Record{V: w.V, Kind: w.Kind, At: at.UTC(), Actor: w.Actor, Subject: w.Subject, Body: w.Body}, nil
}

func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
