package adjudicate

import (
	"os"
	"testing"

	"truce"
	"truce/internal/agreement"
	"truce/internal/i18n"
	"truce/internal/importer"
)

// withoutEN returns w with every English rendering kept ahead (wording.en)
// dropped, in its parts and its wording arguments too.
func withoutEN(w wording) wording {
	w.en = ""
	if w.parts != nil {
		parts := make([]wording, len(w.parts))
		for i, p := range w.parts {
			parts[i] = withoutEN(p)
		}
		w.parts = parts
	}
	if w.args != nil {
		args := make([]any, len(w.args))
		for i, a := range w.args {
			switch a := a.(type) {
			case wording:
				args[i] = withoutEN(a)
			case capitalized:
				args[i] = capitalized(withoutEN(wording(a)))
			default:
				args[i] = a
			}
		}
		w.args = args
	}
	return w
}

// TestEnglishKeptAhead: the English kept ahead of time (a window's why, a
// reading's note) is what rendering the wording gives, so a judgement's
// stored explanations are the same with and without it, and Explain (which
// matches the stored English byte for byte) still finds every finding.
// Every report of the bundled VIINA extract of March 2025 is judged under
// each bundled agreement.
func TestEnglishKeptAhead(t *testing.T) {
	const dir = "../../examples/energy-ceasefire-2025/"
	f, err := os.Open(dir + "sites/gppd_v1.3.0_selected_countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	var sites []truce.Site
	_, err = importer.ReadSites(f, importer.Options{File: "gppd.csv"}, func(s *truce.Site) error { sites = append(sites, *s); return nil }, func(importer.RowError) {})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err = os.Open(dir + "reports/viina_incidents_202503.csv")
	if err != nil {
		t.Fatal(err)
	}
	var reports []*truce.Report
	_, err = importer.ReadReports(f, importer.Options{File: "viina_incidents_202503.csv"}, func(r *truce.Report) error { reports = append(reports, r); return nil }, func(importer.RowError) {})
	f.Close()
	if err != nil || len(reports) < 1000 {
		t.Fatalf("%d reports: %v", len(reports), err)
	}
	en := i18n.English()
	others := []*i18n.Localizer{i18n.For("uk"), i18n.For("ru")}
	for _, file := range []string{"agreement.yaml", "agreement-all-energy.yaml", "agreement-2022-winter-draft.yaml"} {
		a, err := agreement.Load(dir + file)
		if err != nil {
			t.Fatal(err)
		}
		j := New(a, sites)
		kept := 0
		for _, ps := range j.sched {
			for _, w := range ps.Windows {
				if w.why.en != "" {
					kept++
				}
				for _, kept := range []wording{w.why, w.never} {
					if got := (speaker{l: en, a: a}).say(withoutEN(kept)); kept.en != "" && got != kept.en {
						t.Errorf("%s: phase %s: kept as %q, renders %q", file, ps.Phase.ID, kept.en, got)
					}
				}
			}
		}
		if kept == 0 {
			t.Errorf("%s: no window keeps its why in English", file)
		}
		for _, r := range reports {
			c := j.newCase(r)
			c.keep = true
			jd := c.judgeAll()
			for i, ex := range c.explained {
				want := jd.Explanation
				if i < len(jd.Findings) {
					want = jd.Findings[i].Explanation
				}
				if got := (speaker{l: en, a: a}).say(withoutEN(ex)); got != want {
					t.Fatalf("%s: report %s: stored %q, rendered afresh %q", file, r.ID, want, got)
				}
				// Other languages render from the phrases, never from
				// the English kept ahead.
				for _, l := range others {
					sp := speaker{l: l, a: a}
					if got, afresh := sp.say(ex), sp.say(withoutEN(ex)); got != afresh {
						t.Fatalf("%s: report %s in %s: %q, rendered afresh %q", file, r.ID, l.Lang(), got, afresh)
					}
				}
			}
		}
	}
}
