package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/agreement"
	"truce/internal/importer"
	"truce/internal/report"
)

// viinaRow is a row of the bundled VIINA files (datetime, lon, lat,
// place, event type, headline) with the outcome and target category a
// judgement of it found under commitment energy-ru.
type viinaRow struct {
	line     string
	outcome  truce.Outcome
	category truce.CategoryID
}

// Real rows of examples/energy-ceasefire-2025/reports/viina_incidents_2025*.csv.
var (
	khersonCHP1 = `"2025-04-04 00:00:00","32.61496","46.64032","Kherson","artillery|property|control|occupy|milcas|civcas","У Херсоні був цілеспрямований удар російського дрона по ТЕЦ – Зеленський."`
	khersonCHP2 = `"2025-04-05 00:00:00","32.61496","46.64032","Kherson","","У Херсоні був цілеспрямований удар російського дрона по ТЕЦ – Зеленський."`
	zapLine     = `"2025-03-31 00:00:00","35.13885","47.83831","Zaporizhzhya","","Росіяни обстріляли Запорізьку область – пошкодили дачі і ЛЕП."`
	raid        = `"2025-03-31 10:03:00","%s","control","РФ атакувала Україну безпілотниками: в Харкові пошкоджено підприємство, на Запоріжжі знеструмлена ЛЕП, на Київщині працювала ППО"`
	shahed1     = `"2025-03-17 00:00:00","36.50512","49.61494","Slobozhans’ke","armor|milcas","""Шахед"" влучив у цивільне підприємство на Харківщині, спалахнула пожежа – ОВА."`
	shahed2     = `"2025-03-18 00:00:00","36.50512","49.61494","Slobozhans’ke","armor|milcas","""Шахед"" влучив у цивільне підприємство на Харківщині, спалахнула пожежа – ОВА."`
)

// raidAt places the raid headline as VIINA does, once per place it names.
func raidAt(lonLatPlace string) string {
	return strings.Replace(raid, "%s", lonLatPlace, 1)
}

// summarise reads rows as VIINA reports, judges each as given and adds it
// to a summary of the bundled agreement.
func summarise(t *testing.T, a *truce.Agreement, rows []viinaRow) *report.Summary {
	t.Helper()
	var csv strings.Builder
	csv.WriteString(`"datetime","lon","lat","place_name","event_type","headline"` + "\n")
	for _, r := range rows {
		csv.WriteString(r.line + "\n")
	}
	s := report.NewSummary(a, 0)
	i := 0
	_, err := importer.ReadReports(strings.NewReader(csv.String()), importer.Options{File: "viina_incidents_2025.csv"}, func(r *truce.Report) error {
		row := rows[i]
		i++
		var perp truce.PartyID
		if row.category != "" {
			perp = "RU"
		}
		s.Add(r, &truce.Judgement{Report: r.ID, Outcome: row.outcome, Facts: truce.Facts{Perpetrator: perp, Category: row.category},
			Findings: []truce.Finding{{Commitment: "energy-ru", Phase: "energy", Party: perp, Outcome: row.outcome, Explanation: "judged " + row.outcome.String()}}})
		return nil
	}, func(e importer.RowError) { t.Fatal(e) })
	if err != nil {
		t.Fatal(err)
	}
	if i != len(rows) {
		t.Fatalf("read %d of %d rows", i, len(rows))
	}
	return s
}

// manyReports returns n reports of one raid at one place, 20 minutes
// apart (n at most 18: one incident spans at most six hours), each in
// other words (so each counts as a source of its own); the last judged a violation, the others
// undetermined.
func manyReports(n int) []viinaRow {
	rows := make([]viinaRow, n)
	for i := range rows {
		rows[i] = viinaRow{fmt.Sprintf(`"2025-03-31 %02d:%02d:00","35.13885","47.83831","Zaporizhzhya","","Росіяни обстріляли Запорізьку область – пошкоджено ЛЕП, повідомлення %d."`, i/3, i%3*20, i+1),
			truce.OutcomeUndetermined, "energy.grid"}
	}
	rows[n-1].outcome = truce.OutcomeViolation
	return rows
}

// TestSummaryCountsIncidents checks that the period report counts and
// lists incidents, not the reports of one event: the same headline
// republished, or reports of one raid near in place and time.
func TestSummaryCountsIncidents(t *testing.T) {
	t.Parallel()
	a, err := agreement.Load(scenarioDir + "agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const (
		violation     = truce.OutcomeViolation
		undetermined  = truce.OutcomeUndetermined
		notProhibited = truce.OutcomeNotProhibited
	)
	type listed struct {
		Day              string // in Kyiv
		Outcome          string
		Reports, Sources int
	}
	type figures struct {
		Reports, Incidents   int
		Totals, ReportTotals report.Counts
		Daily                []report.DayCount // phase energy
		Cases                []listed
	}
	for _, tt := range []struct {
		name string
		rows []viinaRow
		want figures
	}{
		{"a headline republished the next day is one violation, on the day it first appeared",
			[]viinaRow{{khersonCHP1, violation, "energy.power_plant.thermal"}, {khersonCHP2, violation, "energy.power_plant.thermal"}},
			figures{Reports: 2, Incidents: 1, Totals: report.Counts{Violation: 1}, ReportTotals: report.Counts{Violation: 2},
				Daily: []report.DayCount{{Day: "2025-04-04", Counts: report.Counts{Violation: 1}}},
				Cases: []listed{{"2025-04-04", "violation", 2, 1}}}},
		{"two reports of one raid, at one place the same day, are one violation with two sources",
			[]viinaRow{{zapLine, violation, "energy.grid"}, {raidAt(`35.13885","47.83831","Zaporizhzhya`), violation, "energy.grid"}},
			figures{Reports: 2, Incidents: 1, Totals: report.Counts{Violation: 1}, ReportTotals: report.Counts{Violation: 2},
				Daily: []report.DayCount{{Day: "2025-03-31", Counts: report.Counts{Violation: 1}}},
				Cases: []listed{{"2025-03-31", "violation", 2, 2}}}},
		{"a repost judged on a later day keeps the outcome of its first appearance",
			[]viinaRow{{shahed1, notProhibited, ""}, {shahed2, undetermined, ""}},
			figures{Reports: 2, Incidents: 1, Totals: report.Counts{NotProhibited: 1}, ReportTotals: report.Counts{Undetermined: 1, NotProhibited: 1},
				Daily: []report.DayCount{}, Cases: []listed{}}},
		{"one headline placed at two cities 400 km apart is two incidents",
			[]viinaRow{{raidAt(`30.47662","50.02393","Deremezna`), violation, "energy.grid"}, {raidAt(`36.2312","49.99217","Kharkiv`), violation, "energy.grid"}},
			figures{Reports: 2, Incidents: 2, Totals: report.Counts{Violation: 2}, ReportTotals: report.Counts{Violation: 2},
				Daily: []report.DayCount{{Day: "2025-03-31", Counts: report.Counts{Violation: 2}}},
				Cases: []listed{{"2025-03-31", "violation", 1, 1}, {"2025-03-31", "violation", 1, 1}}}},
		{"twelve reports of one raid at one place, one a violation, are one violation (a cluster of more than a few reports)",
			manyReports(12),
			figures{Reports: 12, Incidents: 1, Totals: report.Counts{Violation: 1}, ReportTotals: report.Counts{Violation: 1, Undetermined: 11},
				Daily: []report.DayCount{{Day: "2025-03-31", Counts: report.Counts{Violation: 1}}},
				Cases: []listed{{"2025-03-31", "violation", 12, 12}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := summarise(t, a, tt.rows)
			s.Finish()
			got := figures{Reports: s.Reports, Incidents: s.Incidents, Totals: s.Totals, ReportTotals: s.ReportTotals, Cases: []listed{}}
			for _, p := range s.Phases {
				if p.ID == "energy" {
					got.Daily = p.Daily
				}
			}
			for _, c := range s.Cases {
				at, err := time.Parse(time.RFC3339, c.Time)
				if err != nil {
					t.Fatal(err)
				}
				got.Cases = append(got.Cases, listed{at.In(a.Timezone).Format(time.DateOnly), c.Outcome, c.Reports, c.Sources})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}

	// The Markdown list names the incident and its reports once.
	s := summarise(t, a, []viinaRow{{khersonCHP1, violation, "energy.power_plant.thermal"}, {khersonCHP2, violation, "energy.power_plant.thermal"}})
	var md bytes.Buffer
	if err := report.WriteSummary(&md, s, "md"); err != nil {
		t.Fatal(err)
	}
	const want = "1. **violation** 2025-04-04 incident `viina_incidents_2025.csv:2` (2 reports from 1 independent source, within 0 m and 0 minutes; " +
		"1 is a repost of the same text, 24 hours after its first appearance): judged violation\n"
	if !strings.Contains(md.String(), want) {
		t.Errorf("Markdown lacks the case line %q:\n%s", want, md.String())
	}
	if strings.Contains(md.String(), "2. **violation**") {
		t.Errorf("Markdown lists the repost as a second case:\n%s", md.String())
	}

	// The API's JSON is the file's, on one line.
	var indented, compact, reindented bytes.Buffer
	if err := report.WriteSummary(&indented, s, "json"); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteSummaryCompact(&compact, s, "json"); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(compact.Bytes(), []byte("\n")); n != 1 || !bytes.Contains(compact.Bytes(), []byte(`"cases":[{`)) {
		t.Errorf("compact JSON has %d lines, want 1 (with its cases):\n%.300s", n, compact.String())
	}
	if err := json.Indent(&reindented, bytes.TrimSpace(compact.Bytes()), "", "  "); err != nil {
		t.Fatal(err)
	}
	if got, want := reindented.String(), strings.TrimSpace(indented.String()); got != want {
		t.Errorf("compact JSON indented differs from WriteSummary's:\n%.500s\nwant\n%.500s", got, want)
	}
}

// TestSummaryScenarioIncidents checks the figures of the scenario's week
// add up: one case per incident and phase judged a violation or disputed,
// every incident counted once under one outcome.
func TestSummaryScenarioIncidents(t *testing.T) {
	t.Parallel()
	s := MustReportData(t).Summary
	s.Finish()
	sum := func(c report.Counts) int { return c.Violation + c.Disputed + c.Undetermined + c.NotProhibited }
	if sum(s.Totals) != s.Incidents || sum(s.ReportTotals) != s.Reports || s.Incidents >= s.Reports {
		t.Errorf("%d incidents %+v of %d reports %+v: the totals must add up, and reposts must make fewer incidents than reports",
			s.Incidents, s.Totals, s.Reports, s.ReportTotals)
	}
	cases := 0
	for _, p := range s.Phases {
		cases += p.Totals.Violation + p.Totals.Disputed
		if sum(p.Totals) > s.Incidents {
			t.Errorf("phase %s counts %d incidents of %d", p.ID, sum(p.Totals), s.Incidents)
		}
	}
	if len(s.Cases) != cases {
		t.Errorf("%d cases listed, but the phases count %d violations and disputed incidents", len(s.Cases), cases)
	}
	seen := map[[2]string]bool{}
	for _, c := range s.Cases {
		k := [2]string{c.Incident, c.Phase}
		if seen[k] {
			t.Errorf("incident %s is listed twice under phase %s", c.Incident, c.Phase)
		}
		seen[k] = true
		if c.Reports < 1 || c.Sources < 1 || c.Grouping == "" {
			t.Errorf("case of incident %s: %d reports, %d sources, grouping %q", c.Incident, c.Reports, c.Sources, c.Grouping)
		}
	}
}
