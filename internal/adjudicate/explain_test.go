package adjudicate_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExplainGolden renders the explanation of the same finding in
// English, Ukrainian and Russian for each outcome, and checks that the
// judgement itself (what is stored and logged) does not change with the
// language.
func TestExplainGolden(t *testing.T) {
	a := mustAgreement(t, "testdata/edges.yaml")
	j := adjudicate.New(a, nil)
	cases := []struct {
		name string
		r    *truce.Report
		want truce.Outcome
	}{
		{"violation", rep(nil), truce.OutcomeViolation},
		{"disputed", rep(func(r *truce.Report) {
			r.Start, r.End, r.Precision = at(2025, 3, 18, 12, 0), at(2025, 3, 18, 12, 0).Add(time.Second), truce.PrecisionExact
		}), truce.OutcomeDisputed},
		{"undetermined", rep(func(r *truce.Report) {
			r.Start, r.End, r.Precision = day(2025, 3, 18)
			r.Perpetrator, r.Actor1 = "", "Unidentified Armed Group (Ukraine)"
		}), truce.OutcomeUndetermined},
		{"not prohibited", rep(func(r *truce.Report) { r.Location = geo.Point{Lon: 31, Lat: 51} }), truce.OutcomeNotProhibited},
		{"not prohibited, not in force", rep(func(r *truce.Report) {
			r.Start, r.End = at(2025, 4, 18, 0, 0), at(2025, 4, 18, 0, 1)
		}), truce.OutcomeNotProhibited},
		{"not prohibited, not bound", rep(func(r *truce.Report) { r.Perpetrator = "US" }), truce.OutcomeNotProhibited},
	}
	var b strings.Builder
	for _, tt := range cases {
		jd := j.Judge(tt.r)
		f := finding(t, jd, "c-ru")
		if f.Outcome != tt.want {
			t.Fatalf("%s: outcome %s, want %s (%s)", tt.name, f.Outcome, tt.want, f.Explanation)
		}
		fmt.Fprintf(&b, "## %s\n", tt.name)
		for _, lang := range []string{"en", "uk", "ru"} {
			before := fmt.Sprintf("%#v", jd)
			got := j.Explain(tt.r, &jd, lang)
			if fmt.Sprintf("%#v", jd) != before {
				t.Fatalf("%s: Explain(%s) changed the judgement", tt.name, lang)
			}
			if got.Outcome != jd.Outcome || len(got.Findings) != len(jd.Findings) {
				t.Fatalf("%s: Explain(%s) changed the outcome or findings", tt.name, lang)
			}
			lf := finding(t, got, "c-ru")
			if lang != "en" && lf.Explanation == f.Explanation {
				t.Errorf("%s: the %s explanation is the English one", tt.name, lang)
			}
			fmt.Fprintf(&b, "%s: %s\n", lang, lf.Explanation)
		}
		b.WriteString("\n")
	}
	const golden = "testdata/explain.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("explanations mismatch (-want +got):\n%s", diff)
	}
}

// TestExplainEnglishUnchanged checks that Explain in English, or in an
// unknown language, returns the judgement as stored.
func TestExplainEnglishUnchanged(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/edges.yaml"), nil)
	r := rep(nil)
	jd := j.Judge(r)
	for _, lang := range []string{"en", "de", ""} {
		if diff := cmp.Diff(jd, j.Explain(r, &jd, lang)); diff != "" {
			t.Errorf("Explain(%q) mismatch (-want +got):\n%s", lang, diff)
		}
	}
}
