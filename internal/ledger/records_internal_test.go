package ledger

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"truce"
)

// TestJudgementBodyCanonical: a judgement record's body, written
// directly, is what Canonical makes of the same body, for real
// explanations (non-ASCII, quotes, HTML characters) and for none; and
// the record's bytes decode back to it.
func TestJudgementBodyCanonical(t *testing.T) {
	bodies := []JudgementBody{
		{Report: "viina_incidents_202504.csv:1234", Agreement: "energy-ceasefire-2025", Version: 2, Outcome: "violation",
			Explanation: `Violation of energy-ru (phase energy, Energy infrastructure moratorium): RU ("Military Forces of Russia") ` +
				`struck a power plant <Zaporizhzhia TPP> at 1.2 km & more; «удар по підстанції» — 18 March 2025.`,
			DetailSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Findings:     []JudgementFinding{{Commitment: "energy-ru", Outcome: "violation"}, {Commitment: "energy-ua", Outcome: "not_prohibited"}}},
		{Findings: []JudgementFinding{}},
		{},
		{Report: "r\x00\x1f\u2028\u2029", Explanation: "tab\tnew\nline \"q\" \\ \xff\xfe bad \xed\xa0\x80 surrogate", Version: -7},
	}
	for _, b := range bodies {
		want, err := Canonical(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.canonical(); !bytes.Equal(got, want) {
			t.Errorf("canonical() =\n%s\nCanonical:\n%s", got, want)
		}
	}
	j := &truce.Judgement{Report: "r1", Outcome: truce.OutcomeDisputed, Explanation: bodies[0].Explanation,
		Findings: []truce.Finding{{Commitment: "energy-ru", Outcome: truce.OutcomeDisputed}}}
	rec, err := JudgementRecord(truce.Principal{Role: truce.RoleMonitor, TokenID: "tok"}, time.Date(2025, 4, 2, 9, 0, 0, 0, time.UTC), "a", 1, j, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := rec.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Body, rec.Body) || back.Kind != KindJudgement || back.Subject != "r1" {
		t.Errorf("decoded %+v, want the record %+v", back, rec)
	}
}

// TestJudgementBodyFields fails when JudgementBody or JudgementFinding
// gains, loses or renames a field: canonical() writes each by its key, in
// key order, and must be taught the change.
func TestJudgementBodyFields(t *testing.T) {
	for typ, keys := range map[reflect.Type][]string{
		reflect.TypeFor[JudgementBody]():    {"report", "agreement", "version", "outcome", "explanation", "findings", "detail_sha256"},
		reflect.TypeFor[JudgementFinding](): {"commitment", "outcome"},
	} {
		var got []string
		for f := range typ.Fields() {
			got = append(got, f.Tag.Get("json"))
		}
		if !slices.Equal(got, keys) {
			t.Errorf("%s's JSON keys = %v, canonical() writes %v: teach it the change", typ, got, keys)
		}
	}
}

// FuzzJudgementBodyCanonical: for any strings and version, the body
// written directly is Canonical's.
func FuzzJudgementBodyCanonical(f *testing.F) {
	f.Add("r1", "energy-ceasefire-2025", 1, "violation", "Violation of energy-ru: «удар» <b>&amp;</b>", "energy-ru", true)
	f.Add("", "", 0, "", "", "", false)
	f.Add("\xff", "\u2028", -1, "\x00", "\"\\\t\b\f\r\n", "\xed\xa0\x80", true)
	f.Fuzz(func(t *testing.T, report, agreement string, version int, outcome, explanation, commitment string, findings bool) {
		b := JudgementBody{Report: report, Agreement: agreement, Version: version, Outcome: outcome, Explanation: explanation, DetailSHA256: commitment}
		if findings {
			b.Findings = []JudgementFinding{{Commitment: commitment, Outcome: outcome}, {}}
		}
		want, err := Canonical(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.canonical(); !bytes.Equal(got, want) {
			t.Fatalf("canonical() =\n%q\nCanonical:\n%q", got, want)
		}
	})
}
