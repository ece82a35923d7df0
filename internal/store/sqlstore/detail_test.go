package sqlstore_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"truce"
	"truce/internal/store/sqlstore"
)

// TestPackDetail: a packed detail unpacks to its JSON and decodes as the
// JSON does; a JSON detail (PostgreSQL's, or SQLite's before packing)
// reads as it is; a packed detail that is damaged, or claims more than
// the bound, is refused rather than decoded or allocated.
func TestPackDetail(t *testing.T) {
	j := truce.Judgement{Report: "r1", Outcome: truce.OutcomeViolation,
		Facts: truce.Facts{Perpetrator: "RU", Place: "ua-kyiv", Zones: []truce.ZoneID{"ukraine"}},
		Findings: []truce.Finding{{Commitment: "energy-ru", Phase: "energy", Party: "RU", Outcome: truce.OutcomeViolation,
			Explanation: strings.Repeat("Violation of energy-ru: a strike on a power plant. ", 40)}}}
	js, err := sqlstore.EncodeDetail(&j)
	if err != nil {
		t.Fatal(err)
	}
	packed := sqlstore.PackDetail(js)
	if packed[0] == '{' || len(packed) >= len(js)/2 {
		t.Errorf("packed %d bytes of JSON into %d starting %q: want a marker and at most half", len(js), len(packed), packed[:1])
	}
	for name, stored := range map[string][]byte{"packed": packed, "json": js} {
		got, err := sqlstore.UnpackDetail(stored)
		if err != nil || !bytes.Equal(got, js) {
			t.Errorf("%s: UnpackDetail = %.40q, %v; want the JSON", name, got, err)
		}
		var back truce.Judgement
		if err := sqlstore.DecodeJudgement(&back, "r1", int(j.Outcome), stored); err != nil {
			t.Fatalf("%s: DecodeJudgement: %v", name, err)
		}
		if back.Facts.Perpetrator != "RU" || len(back.Findings) != 1 || back.Findings[0].Explanation != j.Findings[0].Explanation {
			t.Errorf("%s: decoded %+v", name, back)
		}
	}
	damaged := bytes.Clone(packed)
	damaged[len(damaged)/2] ^= 0xff
	damaged = damaged[:len(damaged)-3]
	if got, err := sqlstore.UnpackDetail(damaged); err == nil && bytes.Equal(got, js) {
		t.Errorf("a damaged packed detail unpacked to the original")
	}
	var j2 truce.Judgement
	if err := sqlstore.DecodeJudgement(&j2, "r1", 4, damaged); err == nil {
		t.Errorf("DecodeJudgement of a damaged packed detail: no error")
	}
	// A header claiming 1 GiB: refused before allocating it.
	huge := binary.AppendUvarint([]byte{packed[0]}, 1<<30)
	if _, err := sqlstore.UnpackDetail(huge); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("UnpackDetail(claims 1 GiB) = %v, want refused", err)
	}
}

// FuzzUnpackDetail: whatever a (tampered) database holds, unpacking
// returns an error or bytes, never panics or allocates past the bound,
// and a packed detail always unpacks to what was packed.
func FuzzUnpackDetail(f *testing.F) {
	f.Add([]byte(`{"v":1}`))
	f.Add(sqlstore.PackDetail([]byte(`{"v":1,"facts":{},"findings":[]}`)))
	f.Add([]byte{1})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := sqlstore.UnpackDetail(b)
		if err == nil && len(got) > 16<<20 {
			t.Fatalf("unpacked %d bytes", len(got))
		}
		back, err := sqlstore.UnpackDetail(sqlstore.PackDetail(b))
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("round trip of %q: %q, %v", b, back, err)
		}
	})
}
