package agreement

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzParseCoordinates checks parseCoordinates against encoding/json:
// what it accepts, json accepts with the same numbers; what json accepts
// (without nulls, which json reads as zero in a number and parseCoordinates
// refuses there), it accepts too.
func FuzzParseCoordinates(f *testing.F) {
	for _, s := range []string{
		`[[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]`,
		`[[[[30.5,50e0],[31,-50.25E+1],[31,51,7],[30,50]]],[[[1,2],[3,4],[5,6],[1,2]]]]`,
		` [ [ [ -0.0 , 1e-7 ] ] ] `, `[]`, `[[]]`, `null`, `[[[1,2]],]`, `[[[01,2]]]`, `[[[1.,2]]]`, `[[["1",2]]]`,
		`[[[1,2]]] x`, `[[[1e999,2]]]`, `[[[1,2]]`,
	} {
		f.Add([]byte(s), 3)
		f.Add([]byte(s), 4)
	}
	f.Fuzz(func(t *testing.T, raw []byte, depth int) {
		if depth != 3 {
			depth = 4
		}
		got, err := parseCoordinates(raw, depth)
		var want [][][][]float64
		var jerr error
		if depth == 3 {
			var c [][][]float64
			if jerr = json.Unmarshal(raw, &c); jerr == nil {
				want = [][][][]float64{c}
			}
		} else {
			jerr = json.Unmarshal(raw, &want)
		}
		switch {
		case err == nil && jerr != nil:
			t.Fatalf("%q: accepted, json refuses: %v", raw, jerr)
		case err == nil && !cmp.Equal(got, want, cmpopts.EquateEmpty()):
			t.Fatalf("%q: got %v, json %v", raw, got, want)
		case err != nil && jerr == nil && !bytes.Contains(raw, []byte("null")):
			t.Fatalf("%q: refused (%v), json accepts %v", raw, err, want)
		}
	})
}

// BenchmarkParseCoordinates compares parseCoordinates with encoding/json
// on a ring of 10,000 positions.
func BenchmarkParseCoordinates(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("[[")
	for i := range 10000 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("[30.123456789,50.987654321]")
	}
	buf.WriteString("]]")
	raw := buf.Bytes()
	b.Run("parseCoordinates", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseCoordinates(raw, 3); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			var c [][][]float64
			if err := json.Unmarshal(raw, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
