package agreement_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/agreement"
)

// TestParseReleaseProblems checks that bad release clauses, territory and
// held zones are reported at their FILE:LINE:COL.
func TestParseReleaseProblems(t *testing.T) {
	phase := func(body string) string {
		return base + `  - id: p
    name: P
    start: {at: 2025-03-18}
    commitments:
      - {id: c-ru, bound: [RU], prohibits: [attack], targets: [energy], zones: [z]}
      - {id: c-ua, bound: [UA], prohibits: [attack], targets: [energy], zones: [z]}
` + body
	}
	for _, tt := range []struct {
		name string
		src  string
		want []string
	}{
		{"valid", phase("    release:\n      - {released: [RU], by: [UA], readings: [RU], source: KR-0325}\n"), nil},
		{"unknown commitment", phase("    release:\n      - {released: [RU], from: [c-xx]}\n"),
			[]string{`a.yaml:23:33: release from: unknown commitment "c-xx": a release names commitments of its own phase ("p")`}},
		{"released by its own breach", phase("    release:\n      - {released: [RU], by: [RU, UA]}\n"),
			[]string{`a.yaml:23:30: release of phase "p": party "RU" cannot be released by its own breach`}},
		{"from a commitment that does not bind", phase("    release:\n      - {released: [RU], from: [c-ua]}\n"),
			[]string{`a.yaml:23:9: release of phase "p": commitment "c-ua" does not bind RU, so it cannot release them from it`}},
		{"mediator released, unknown start", phase("    release:\n      - {released: [US], starts: later}\n"),
			[]string{`a.yaml:23:21: party "US" is a mediator and cannot be bound by a commitment`, "a.yaml:23:34: value must be one of 'breach', 'notice' (at phases[0].release[0].starts)"}},
		{"no released party on a phase", phase("    release:\n      - {by: [UA]}\n"),
			[]string{`a.yaml:23:9: release of phase "p" names no released parties: give released`}},
		{"bad delay", phase("    release:\n      - {released: [RU], delay: soon}\n"),
			[]string{`a.yaml:23:33: bad duration "soon": want e.g. 30d, 2w, 72h or 1d12h`}},
		{"territory of an unknown zone", phase("    territory: {RU: nowhere}\n"),
			[]string{`a.yaml:22:21: unknown zone "nowhere"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, problems(t, tt.src, nil)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseVoices checks parties' voices and outlets and the claim reach:
// parsed as written, and bad entries reported at their FILE:LINE:COL.
func TestParseVoices(t *testing.T) {
	doc := func(parties, top string) string {
		return strings.Replace(base, "parties:\n  - {id: RU, name: Russia}\n  - {id: UA, name: Ukraine}\n", "parties:\n"+parties, 1) + top +
			"  - {id: p, name: P, start: {at: 2025-03-18}}\n"
	}
	ok := doc("  - {id: RU, name: Russia, voices: [Минобороны, Пєсков*], outlets: [TASS]}\n  - {id: UA, name: Ukraine, outlets: [Ukrinform]}\n", "")
	ok = strings.Replace(ok, "phases:\n", "claim_reach: [UA, UA-occupied]\nphases:\n", 1)
	a, err := agreement.Parse("a.yaml", []byte(ok), nil)
	if err != nil {
		t.Fatal(err)
	}
	ru, _ := a.Party("RU")
	ua, _ := a.Party("UA")
	got := [][]string{ru.Voices, ru.Outlets, ua.Outlets, a.ClaimReach}
	want := [][]string{{"Минобороны", "Пєсков*"}, {"TASS"}, {"Ukrinform"}, {"UA", "UA-occupied"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("voices, outlets, reach mismatch (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name    string
		parties string
		reach   string
		want    []string
	}{
		{"star inside a word", "  - {id: RU, name: Russia, voices: ['Пєс*ков']}\n  - {id: UA, name: Ukraine}\n", "",
			[]string{`a.yaml:6:37: party "RU" voice: "Пєс*ков": '*' may only end a word`}},
		{"voice twice", "  - {id: RU, name: Russia, voices: [Kremlin, kremlin]}\n  - {id: UA, name: Ukraine}\n", "",
			[]string{`a.yaml:6:46: party "RU": voice "kremlin" is listed twice`}},
		{"outlet of two parties", "  - {id: RU, name: Russia, outlets: [TASS]}\n  - {id: UA, name: Ukraine, outlets: [tass]}\n", "",
			[]string{`a.yaml:7:39: outlet "tass" is listed by both "RU" and "UA": an outlet is controlled by one party at most`}},
		{"reach twice", "  - {id: RU, name: Russia}\n  - {id: UA, name: Ukraine}\n", "claim_reach: [UA, UA]\n",
			[]string{`a.yaml:1:19: claim_reach: "UA" is listed twice`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := doc(tt.parties, "")
			if tt.reach != "" {
				src = tt.reach + src
			}
			if diff := cmp.Diff(tt.want, problems(t, src, nil)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
