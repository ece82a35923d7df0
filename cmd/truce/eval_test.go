package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// evalAgreement is a small agreement with two readings of one phase: RU and
// US hold it in force from 18 March, UA only from 1 April; it ends with
// April. Two boxes stand in for the territories. On
// testdata/acled_sample.csv the judge gives (structured ACLED rows, whose
// actor fields name the perpetrator):
//
//	UKR200101 disputed by RU   28 March, drones on energy infrastructure in Kharkiv:
//	                           a violation under the RU and US reading, before UA's start
//	UKR200103 violation by UA  10 April, drones on the Krasnodar power plant
//	UKR200104 not_prohibited   a substation in Crimea, outside the East box
//	UKR200105 not_prohibited   shelling of homes: no covered target
//	UKR200106 undetermined     no perpetrator
//	UKR200107 violation by RU  22 April, drones on the Trypilska power plant
//
// UKR200102 is left unlabelled (an unlabelled report is not scored); line 9
// (UKR200108) is rejected for its latitude.
const evalAgreement = `truce: 1
id: eval-test
title: Eval test agreement
timezone: Europe/Kyiv
parties:
  - {id: RU, name: Russia, aliases: [Military Forces of Russia]}
  - {id: UA, name: Ukraine, aliases: [Military Forces of Ukraine]}
  - {id: US, name: United States, role: mediator}
zones:
  - id: ukraine
    name: West box
    geometry: {type: Polygon, coordinates: [[[22, 44], [38.5, 44], [38.5, 52.5], [22, 52.5], [22, 44]]]}
  - id: russia
    name: East box
    geometry: {type: Polygon, coordinates: [[[38.5, 44], [50, 44], [50, 56], [38.5, 56], [38.5, 44]]]}
categories:
  - {id: energy, name: Energy, keywords: {en: [energy facility, energy infrastructure, power plant*]}}
  - {id: energy.substation, name: Substation, keywords: {en: [substation*]}}
phases:
  - id: energy
    name: Energy moratorium
    start: {at: 2025-03-18}
    end: 2025-04-30
    readings:
      - {parties: [RU, US], start: 2025-03-18}
      - {parties: [UA], start: 2025-04-01}
    commitments:
      - {id: energy-ru, bound: [RU], prohibits: [attack], targets: [energy], zones: [ukraine]}
      - {id: energy-ua, bound: [UA], prohibits: [attack], targets: [energy], zones: [russia]}
positions:
  - {party: RU, phase: energy, date: 2025-03-18, stance: accepted}
`

const evalReports = "testdata/acled_sample.csv"

// evalLabels labels six of the accepted rows of evalReports. Against the
// judge: 101 a false accusation whose RU and US readings are wrong; 103 a
// true accusation with every reading right; 104 a miss; 107 the wrong party
// (a false accusation and a miss); 105 (dev) and 106 right. Columns are in
// an odd order and a note column is ignored.
const evalLabels = `note,outcome,half,id,party,readings
false accusation,not_prohibited,test,UKR200101,,"RU=not_prohibited, US=not_prohibited, UA=not_prohibited"
right,violation,test,UKR200103,UA,RU=violation US=violation UA=violation
missed,disputed,test,UKR200104,UA,
dev row,not_prohibited,dev,UKR200105,,
,undetermined,test,UKR200106,,
wrong party,violation,test,UKR200107,UA,
`

// MustWriteFile writes content to name in dir and returns its path.
func MustWriteFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// evalArgs writes the agreement and labels to a temporary directory and
// returns the eval command line for them, followed by extra.
func evalArgs(t *testing.T, labels string, extra ...string) (args []string, labelsPath string) {
	t.Helper()
	dir := t.TempDir()
	a := MustWriteFile(t, dir, "agreement.yaml", evalAgreement)
	labelsPath = MustWriteFile(t, dir, "labels.csv", labels)
	return append([]string{"eval", "--agreement", a, "--reports", evalReports, "--labels", labelsPath}, extra...), labelsPath
}

// evalSummary is the part of eval's JSON the tests compare.
type evalSummary struct {
	Scored        int            `json:"scored"`
	Outcomes      []string       `json:"outcomes"`
	Confusion     [][]int        `json:"confusion"`
	TP            int            `json:"tp"`
	FP            int            `json:"fp"`
	FN            int            `json:"fn"`
	Precision     float64        `json:"precision"`
	Recall        float64        `json:"recall"`
	Correct       int            `json:"correct"`
	Accuracy      float64        `json:"accuracy"`
	Readings      []readingScore `json:"readings"`
	Disagreements int            `json:"disagreements"`
	Reports       []struct {
		ID            string `json:"id"`
		Date          string `json:"date"`
		Labelled      string `json:"labelled"`
		LabelledParty string `json:"labelled_party"`
		Judged        string `json:"judged"`
		JudgedParty   string `json:"judged_party"`
		Agrees        bool   `json:"agrees"`
	} `json:"reports"`
}

func mustEvalJSON(t *testing.T, args ...string) evalSummary {
	t.Helper()
	out, _ := mustRun(t, args...)
	var s evalSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("eval JSON: %v\n%s", err, out)
	}
	return s
}

func TestEvalScores(t *testing.T) {
	outcomes := []string{"violation", "disputed", "undetermined", "not_prohibited"}
	readings := []readingScore{{"RU", 1, 2, 0.5}, {"UA", 2, 2, 1}, {"US", 1, 2, 0.5}}
	for _, tt := range []struct {
		name      string
		extra     []string
		scored    int
		confusion [][]int
		correct   int
		accuracy  float64
	}{
		{
			name:      "test half",
			extra:     []string{"--half", "test"},
			scored:    5,
			confusion: [][]int{{2, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 1, 0}, {0, 1, 0, 0}},
			correct:   3, accuracy: 3.0 / 5,
		},
		{
			name:      "every row",
			scored:    6,
			confusion: [][]int{{2, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 1, 0}, {0, 1, 0, 1}},
			correct:   4, accuracy: 4.0 / 6,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, _ := evalArgs(t, evalLabels, append(tt.extra, "--format", "json", "--show", "none")...)
			got := mustEvalJSON(t, args...)
			want := evalSummary{
				Scored: tt.scored, Outcomes: outcomes, Confusion: tt.confusion,
				TP: 1, FP: 2, FN: 2, Precision: 1.0 / 3, Recall: 1.0 / 3,
				Correct: tt.correct, Accuracy: tt.accuracy, Readings: readings, Disagreements: 3,
				Reports: got.Reports[:0],
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("eval mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalDisagreements(t *testing.T) {
	args, _ := evalArgs(t, evalLabels, "--half", "test", "--format", "json")
	got := mustEvalJSON(t, args...).Reports
	type row struct{ ID, Date, Labelled, LabelledParty, Judged, JudgedParty string }
	var rows []row
	for _, r := range got {
		if r.Agrees {
			t.Errorf("%s listed with --show errors though it agrees", r.ID)
		}
		rows = append(rows, row{r.ID, r.Date, r.Labelled, r.LabelledParty, r.Judged, r.JudgedParty})
	}
	// Sorted by the report's date.
	want := []row{
		{"UKR200104", "2025-03-27", "disputed", "UA", "not_prohibited", ""},
		{"UKR200101", "2025-03-28", "not_prohibited", "", "disputed", "RU"},
		{"UKR200107", "2025-04-22", "violation", "UA", "violation", "RU"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("disagreements mismatch (-want +got):\n%s", diff)
	}
}

func TestEvalText(t *testing.T) {
	for _, tt := range []struct {
		name        string
		show        string
		want, avoid []string
	}{
		{
			name: "errors",
			show: "errors",
			want: []string{
				"5 labelled reports scored (",
				"        disputed          0         0             0               1\n",
				"  not_prohibited          0         1             0               0\n",
				"TP 1, FP 2, FN 2\n",
				"  precision 0.333 (1/3)\n",
				"  recall    0.333 (1/3)\n",
				"  (0/0 counts as 1.000)\n",
				"Exact outcome: 0.600 (3/5)\n",
				"  US 0.500 (1/2)\n",
				"\nDisagreements (3)\n",
				"UKR200101  2025-03-28  disagrees\n  labelled not_prohibited, judged disputed by RU\n  reading of RU: labelled not_prohibited, judged violation\n",
				"UKR200107  2025-04-22  disagrees\n  labelled violation by UA, judged violation by RU\n",
				"  text: On 22 April 2025, Russian drones struck the Trypilska thermal power plant.\n",
				"  judge: Violation of energy-ru",
			},
			avoid: []string{"UKR200103", "UKR200106", "UKR200102"},
		},
		{
			name: "all",
			show: "all",
			want: []string{"\nReports (5)\n", "UKR200103  2025-04-10  agrees\n", "UKR200106  2025-03-25  agrees\n", "UKR200104  2025-03-27  disagrees\n"},
		},
		{
			name:  "none",
			show:  "none",
			want:  []string{"Disagreements: 3\n"},
			avoid: []string{"UKR2001", "text:"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, _ := evalArgs(t, evalLabels, "--half", "test", "--show", tt.show)
			out, _ := mustRun(t, args...)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(out, a) {
					t.Errorf("output has %q:\n%s", a, out)
				}
			}
		})
	}
}

func TestEvalFloors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		flags   []string
		wantErr string // "" = passes
	}{
		{"no floors", nil, ""},
		{"floors met", []string{"--min-precision", "0.3", "--min-recall", "0.33"}, ""},
		{"precision missed", []string{"--min-precision", "0.95"}, "precision 0.333 (TP 1, FP 2) is below --min-precision 0.95"},
		{"recall missed", []string{"--min-recall", "0.9"}, "recall 0.333 (TP 1, FN 2) is below --min-recall 0.9"},
		{"both missed", []string{"--min-precision", "0.95", "--min-recall", "0.9"},
			"precision 0.333 (TP 1, FP 2) is below --min-precision 0.95; recall 0.333 (TP 1, FN 2) is below --min-recall 0.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, _ := evalArgs(t, evalLabels, append([]string{"--half", "test"}, tt.flags...)...)
			out, _, err := runTruce(t, args...)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.wantErr, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(out, "precision 0.333") {
				t.Errorf("the figures are not printed before the floor check:\n%s", out)
			}
		})
	}
}

// TestEvalParty: an accusation of the wrong party is both a false
// accusation and a miss; with the right party or none labelled it is a
// true accusation.
func TestEvalParty(t *testing.T) {
	for _, tt := range []struct {
		name       string
		labels     string
		tp, fp, fn int
	}{
		{"wrong party", "id,outcome,party\nUKR200103,violation,RU\n", 0, 1, 1},
		{"right party", "id,outcome,party\nUKR200103,violation,UA\n", 1, 0, 0},
		{"no party labelled", "id,outcome,party\nUKR200103,violation,\n", 1, 0, 0},
		{"disputed against violation", "id,outcome,party\nUKR200103,disputed,UA\n", 1, 0, 0},
		{"no accusation either way", "id,outcome\nUKR200105,not_prohibited\n", 0, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, _ := evalArgs(t, tt.labels, "--format", "json")
			got := mustEvalJSON(t, args...)
			if diff := cmp.Diff([3]int{tt.tp, tt.fp, tt.fn}, [3]int{got.TP, got.FP, got.FN}); diff != "" {
				t.Errorf("[TP FP FN] mismatch (-want +got):\n%s", diff)
			}
			if tt.fp == 0 && tt.fn == 0 && (got.Precision != 1 || got.Recall != 1) {
				t.Errorf("precision %v, recall %v: want 0/0 and n/n both 1", got.Precision, got.Recall)
			}
		})
	}
}

func TestEvalBadLabels(t *testing.T) {
	for _, tt := range []struct {
		name   string
		labels string
		want   string // the error after the labels file's path
	}{
		{"empty file", "", ":1: empty file: want a header row with at least the columns id and outcome"},
		{"no id column", "report,outcome\nUKR200101,violation\n",
			":1: no id column: the header row must name the columns id and outcome (it has report, outcome)"},
		{"no outcome column", "id,verdict\nUKR200101,violation\n",
			":1: no outcome column: the header row must name the columns id and outcome (it has id, verdict)"},
		{"unknown outcome", "id,outcome\nUKR200101,violation\nUKR200102,breach\n",
			`:3: column outcome: unknown outcome "breach": want violation, disputed, undetermined or not_prohibited`},
		{"missing outcome", "id,outcome\nUKR200101,\n",
			":2: column outcome: missing value: want violation, disputed, undetermined or not_prohibited"},
		{"missing id", "id,outcome\n,violation\n", ":2: missing id"},
		{"duplicate id", "id,outcome\nUKR200101,violation\nUKR200102,disputed\nUKR200101,violation\n",
			`:4: duplicate id "UKR200101" (first on line 2)`},
		{"bad reading", "id,outcome,readings\nUKR200101,violation,RU:violation\n",
			`:2: column readings: "RU:violation": want party=outcome, e.g. RU=violation`},
		{"bad reading outcome", "id,outcome,readings\nUKR200101,violation,RU=bad\n",
			`:2: column readings: RU=bad: unknown outcome "bad": want violation, disputed, undetermined or not_prohibited`},
		{"unknown party", "id,outcome,party\nUKR200101,violation,RU\nUKR200103,violation,XX\n",
			`:3: unknown party "XX": the parties of agreement eval-test are RU, UA, US`},
		{"unknown reading party", "id,outcome,readings\nUKR200101,violation,RF=violation\n",
			`:2: unknown party "RF": the parties of agreement eval-test are RU, UA, US`},
		{"bad half", "id,outcome,half\nUKR200101,violation,tr ain\n", `:2: column half: "tr ain": want a name of letters, digits, - or _ (dev, test, blind, ...) or nothing`},
		{"bad quoting", "id,outcome\nUKR200101,violation\n\"UKR2001\"02,violation\n", `:3: extraneous or missing " in quoted-field`},
		{"ids not among the reports", "id,outcome\nUKR200101,violation\nNOPE,violation\nUKR200108,violation\n",
			":3: 2 labelled id(s) not found among the reports (a rejected row counts as not found): NOPE (line 3), UKR200108 (line 4)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, path := evalArgs(t, tt.labels)
			_, _, err := runTruce(t, args...)
			if err == nil {
				t.Fatal("eval succeeded, want an error")
			}
			got, ok := strings.CutPrefix(err.Error(), path)
			if !ok {
				t.Fatalf("error %q does not start with the labels file %s", err, path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalBadFlags(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"half", []string{"--half", "tr/ain"}, `bad --half "tr/ain": want a name of letters, digits, - or _ (e.g. dev, test, blind)`},
		{"format", []string{"--format", "xml"}, `unknown --format "xml": want text or json`},
		{"show", []string{"--show", "some"}, `unknown --show "some": want all, errors or none`},
		{"precision above 1", []string{"--min-precision", "95"}, "--min-precision 95: want a number from 0 to 1"},
		{"recall below 0", []string{"--min-recall", "-1"}, "--min-recall -1: want a number from 0 to 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, _ := evalArgs(t, evalLabels, tt.flags...)
			_, _, err := runTruce(t, args...)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalNoRowsOfHalf(t *testing.T) {
	args, path := evalArgs(t, "id,outcome\nUKR200101,violation\n", "--half", "test")
	_, _, err := runTruce(t, args...)
	if want := path + ": no label rows of half test"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
