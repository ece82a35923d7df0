package sqlstore

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"truce"
)

// appendDetail appends the detail of j (judgementDetail) to dst exactly
// as encoding/json marshals it, byte for byte: the detail's SHA-256 is in
// the judgement's log record, and a judgement judged again is compared
// with the stored one by its bytes, so the encoding cannot change. It is
// written out by hand because it is on every judged report's path:
// ~6 KB of JSON a report, which encoding/json's reflection took ~14 µs
// to write (~7% of a server's request CPU in a write-only run; now ~9 µs,
// BenchmarkEncodeDetail).
// TestDetailEncoding and FuzzDetailEncoding compare it with
// encoding/json, and fail when one of the types gains a field that this
// function does not write.
//
// ok is false when j holds a value encoding/json refuses (a distance
// that is not a finite number): EncodeDetail then reports json's error.
func appendDetail(dst []byte, j *truce.Judgement) (_ []byte, ok bool) {
	f := &j.Facts
	dst = append(dst, `{"v":1,"facts":{"Perpetrator":`...)
	dst = appendJSONString(dst, string(f.Perpetrator))
	dst = append(dst, `,"PerpetratorBasis":`...)
	dst = appendJSONString(dst, string(f.PerpetratorBasis))
	dst = append(dst, `,"PerpetratorNote":`...)
	dst = appendJSONString(dst, f.PerpetratorNote)
	dst = append(dst, `,"Actions":`...)
	dst = appendStrings(dst, f.Actions)
	dst = append(dst, `,"ActionBasis":`...)
	dst = appendJSONString(dst, string(f.ActionBasis))
	dst = append(dst, `,"Category":`...)
	dst = appendJSONString(dst, string(f.Category))
	dst = append(dst, `,"CategoryBasis":`...)
	dst = appendJSONString(dst, string(f.CategoryBasis))
	dst = append(dst, `,"CategoryNote":`...)
	dst = appendJSONString(dst, f.CategoryNote)
	dst = append(dst, `,"Site":`...)
	if s := f.Site; s == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, `{"ID":`...)
		dst = appendJSONString(dst, string(s.ID))
		dst = append(dst, `,"Name":`...)
		dst = appendJSONString(dst, s.Name)
		dst = append(dst, `,"Category":`...)
		dst = appendJSONString(dst, string(s.Category))
		dst = append(dst, `,"DistanceMeters":`...)
		if dst, ok = appendJSONFloat(dst, s.DistanceMeters); !ok {
			return dst, false
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"Zones":`...)
	dst = appendStrings(dst, f.Zones)
	dst = append(dst, `,"Modality":`...)
	dst = appendJSONString(dst, f.Modality)
	dst = append(dst, `,"Attempted":`...)
	dst = strconv.AppendBool(dst, f.Attempted)
	dst = append(dst, `,"Place":`...)
	dst = appendJSONString(dst, f.Place)
	dst = append(dst, `,"Evidence":`...)
	if f.Evidence == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range f.Evidence {
			e := &f.Evidence[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"Fact":`...)
			dst = appendJSONString(dst, e.Fact)
			dst = append(dst, `,"Basis":`...)
			dst = appendJSONString(dst, string(e.Basis))
			dst = append(dst, `,"Words":`...)
			dst = appendJSONString(dst, e.Words)
			dst = append(dst, `,"Start":`...)
			dst = strconv.AppendInt(dst, int64(e.Start), 10)
			dst = append(dst, `,"End":`...)
			dst = strconv.AppendInt(dst, int64(e.End), 10)
			dst = append(dst, `,"Note":`...)
			dst = appendJSONString(dst, e.Note)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `},"findings":`...)
	if j.Findings == nil {
		return append(dst, "null}"...), true
	}
	dst = append(dst, '[')
	for i := range j.Findings {
		g := &j.Findings[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Commitment":`...)
		dst = appendJSONString(dst, string(g.Commitment))
		dst = append(dst, `,"Phase":`...)
		dst = appendJSONString(dst, string(g.Phase))
		dst = append(dst, `,"Party":`...)
		dst = appendJSONString(dst, string(g.Party))
		dst = append(dst, `,"Outcome":`...)
		dst = strconv.AppendUint(dst, uint64(g.Outcome), 10)
		dst = append(dst, `,"Readings":`...)
		if g.Readings == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '[')
			for k := range g.Readings {
				r := &g.Readings[k]
				if k > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"Parties":`...)
				dst = appendStrings(dst, r.Parties)
				dst = append(dst, `,"Outcome":`...)
				dst = strconv.AppendUint(dst, uint64(r.Outcome), 10)
				dst = append(dst, `,"Day":`...)
				dst = strconv.AppendInt(dst, int64(r.Day), 10)
				dst = append(dst, `,"Days":`...)
				dst = strconv.AppendInt(dst, int64(r.Days), 10)
				dst = append(dst, `,"Note":`...)
				dst = appendJSONString(dst, r.Note)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		dst = append(dst, `,"Missing":`...)
		dst = appendStrings(dst, g.Missing)
		dst = append(dst, `,"Reason":`...)
		dst = appendJSONString(dst, g.Reason)
		dst = append(dst, `,"Zone":`...)
		dst = appendJSONString(dst, string(g.Zone))
		dst = append(dst, `,"Explanation":`...)
		dst = appendJSONString(dst, g.Explanation)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...), true
}

// appendStrings appends a slice of strings as encoding/json does: null
// when nil.
func appendStrings[S ~string](dst []byte, ss []S) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, string(s))
	}
	return append(dst, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes a string
// (with its default HTML escaping): `"` and `\` escaped, \b \f \n \r \t
// by name, other control characters and <, > and & as \u00XX, invalid
// UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		return appendJSONStringInvalid(dst, s)
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if jsonPlain[b] {
			continue
		}
		if b == 0xE2 { // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[s[i+2]&0xF])
				i += 2
				start = i + 1
			}
			continue
		}
		dst = appendEscaped(append(dst, s[start:i]...), b)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonPlain says which bytes of valid UTF-8 appendJSONString copies as
// they are: printable ASCII but for `"`, `\` and <, > and &, and every
// byte of a multi-byte character but 0xE2, which starts U+2028 and
// U+2029.
var jsonPlain = func() (t [256]bool) {
	for b := 0x20; b < 256; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' && b != 0xE2
	}
	return t
}()

// appendEscaped appends the escape of b, an ASCII byte that
// appendJSONString does not copy as it is.
func appendEscaped(dst []byte, b byte) []byte {
	switch b {
	case '\\', '"':
		return append(dst, '\\', b)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
}

// appendJSONStringInvalid is appendJSONString for a string that is not
// valid UTF-8, whose invalid bytes are written as \ufffd.
func appendJSONStringInvalid(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonPlain[b] {
				i++
				continue
			}
			dst = appendEscaped(append(dst, s[start:i]...), b)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONFloat appends f as encoding/json writes a float64: the
// shortest decimal that reads back as f, in exponent form (with a
// one-digit exponent where it fits) below 1e-6 and from 1e21. ok is
// false for NaN and the infinities, which JSON cannot hold.
func appendJSONFloat(dst []byte, f float64) (_ []byte, ok bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-07 becomes e-7, as encoding/json writes it.
		if len(dst)-n >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
	}
	return dst, true
}

// EncodeDetail returns the stored detail of j: the JSON of
// judgementDetail.
func EncodeDetail(j *truce.Judgement) ([]byte, error) {
	if b, ok := appendDetail(make([]byte, 0, 8<<10), j); ok {
		return b, nil
	}
	return json.Marshal(judgementDetail{V: 1, Facts: j.Facts, Findings: j.Findings})
}
