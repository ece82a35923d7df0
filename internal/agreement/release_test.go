package agreement_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
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
