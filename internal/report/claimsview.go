package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"truce/internal/i18n"
)

// claimsView is the "Claimed vs found" section as the Markdown, HTML and
// PDF reports show it.
type claimsView struct {
	Intro   string
	Note    string
	Legend  string // what the tables' columns are
	Parties []claimsPartyView
	Tallies []tallyView
}

type claimsPartyView struct {
	Accused string
	Summary string // "71 claims against RU in the period: 2 corroborated, …"
	Tables  []claimsTable
}

// claimsTable is one party's days under one reading: the day's claims,
// what truce found, and the running totals from the reading's start.
type claimsTable struct {
	Title   string   // "Under the RU reading, in force from 18 March 2025"
	Columns []string // after the day column
	Rows    []claimsRow
	Total   claimsRow
	Earlier string // the claims of the period before the reading's start, if any
}

type claimsRow struct {
	Day    string
	Values []string
}

type tallyView struct {
	Head    string // "RU, Maria Zakharova, stated 2025-03-28, for 18–28 March: 101"
	Wording string
	Source  string
	URL     string
}

// claimColumns head a day's claims; foundColumns what truce found;
// runningColumns the running totals: ids of report.claims.col.*.
var (
	claimColumns   = []string{"claims", "corr", "contr", "judged", "unver"}
	foundColumns   = []string{"viol", "disp", "undet"}
	runningColumns = []string{"sum_claims", "sum_corr", "sum_judged", "sum_viol", "sum_disp"}
)

// columns names the columns ids in l's language.
func columns(l *i18n.Localizer, ids ...[]string) []string {
	var out []string
	for _, group := range ids {
		for _, id := range group {
			out = append(out, l.T("report.claims.col."+id))
		}
	}
	return out
}

func buildClaimsView(l *i18n.Localizer, sec *ClaimsSection) *claimsView {
	if sec == nil {
		return nil
	}
	note := sec.Note
	if note == ClaimsNote {
		note = l.T("report.claims.note")
	}
	v := &claimsView{Note: note, Intro: claimsIntro(l, sec), Legend: l.T("report.claims.legend")}
	for _, p := range sec.Parties {
		if p.Claims.Total == 0 && len(p.Days) == 0 {
			continue
		}
		pv := claimsPartyView{Accused: p.Accused, Summary: l.T("report.claims.summary", "Claims", l.N("report.n.claims", p.Claims.Total, "N", numText(l, p.Claims.Total)),
			"Party", p.Accused, "Corroborated", numText(l, p.Claims.Corroborated), "Contradicted", numText(l, p.Claims.Contradicted),
			"Judged", numText(l, p.Claims.Judged), "Unverified", numText(l, p.Claims.Unverified))}
		if len(sec.Readings) == 0 {
			pv.Tables = append(pv.Tables, claimsOnlyTable(l, p))
		}
		for ri, r := range sec.Readings {
			pv.Tables = append(pv.Tables, readingTable(l, p, ri, r))
		}
		v.Parties = append(v.Parties, pv)
	}
	for _, t := range sec.Tallies {
		head := t.Claimant
		if t.Speaker != "" {
			head += ", " + t.Speaker
		}
		head += l.T("report.claims.stated", "Day", t.Stated)
		if t.Period != "" {
			head += l.T("report.claims.for", "Period", t.Period)
		}
		v.Tallies = append(v.Tallies, tallyView{Head: head + ": " + t.Count, Wording: t.Wording, Source: t.SourceTitle, URL: t.SourceURL})
	}
	return v
}

func claimsIntro(l *i18n.Localizer, sec *ClaimsSection) string {
	s := l.T("report.claims.intro")
	if len(sec.Readings) == 0 {
		return s + l.T("report.claims.intro_none")
	}
	var rs []string
	for _, r := range sec.Readings {
		rs = append(rs, l.T("report.claims.reading_from", "Reading", r.Name, "Day", dayIn(l, r.Start)))
	}
	ph := sec.Phase
	if sec.PhaseName != "" {
		ph += " (" + sec.PhaseName + ")"
	}
	return s + l.T("report.claims.intro_found", "Phase", ph, "Readings", joinAndIn(l, rs))
}

// claimsOnlyTable lists a party's claims by day when no phase was in force.
func claimsOnlyTable(l *i18n.Localizer, p ClaimsParty) claimsTable {
	t := claimsTable{Columns: columns(l, claimColumns)}
	for _, d := range p.Days {
		t.Rows = append(t.Rows, claimsRow{Day: d.Day, Values: countValues(d.Claims)})
	}
	t.Total = claimsRow{Day: l.T("report.claims.total"), Values: countValues(p.Claims)}
	return t
}

// readingTable lists a party's days under reading ri: those on or after
// the reading's start.
func readingTable(l *i18n.Localizer, p ClaimsParty, ri int, r ClaimsReading) claimsTable {
	t := claimsTable{Title: l.T("report.claims.table_title", "Reading", r.Name, "Day", dayIn(l, r.Start)),
		Columns: columns(l, claimColumns, foundColumns, runningColumns)}
	before := 0
	for _, d := range p.Days {
		if ri >= len(d.Found) {
			continue
		}
		f := d.Found[ri]
		if !f.InForce {
			before += d.Claims.Total
			continue
		}
		vals := append(countValues(d.Claims), itoa(f.Violations), itoa(f.Disputed), itoa(f.Undetermined))
		rn := f.Running
		vals = append(vals, itoa(rn.Claims), itoa(rn.Corroborated), itoa(rn.Judged), itoa(rn.Violations), itoa(rn.Disputed))
		t.Rows = append(t.Rows, claimsRow{Day: d.Day, Values: vals})
	}
	if ri < len(p.Totals) {
		tt := p.Totals[ri]
		label := l.T("report.claims.total")
		if tt.Since != "" {
			label = l.T("report.claims.since", "Day", tt.Since)
		}
		t.Total = claimsRow{Day: label, Values: []string{itoa(tt.Claims), itoa(tt.Corroborated), itoa(tt.Contradicted), itoa(tt.Judged),
			itoa(tt.Unverified), itoa(tt.Violations), itoa(tt.Disputed), itoa(tt.Undetermined), "", "", "", "", ""}}
	}
	if before > 0 {
		t.Earlier = l.N("report.claims.earlier", before, "N", numText(l, before))
	}
	return t
}

func countValues(c ClaimsCounts) []string {
	return []string{itoa(c.Total), itoa(c.Corroborated), itoa(c.Contradicted), itoa(c.Judged), itoa(c.Unverified)}
}

func itoa(n int) string { return strconv.Itoa(n) }

// dayText writes a YYYY-MM-DD day for a reader: "18 March 2025".
func dayText(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2 January 2006")
}

// dayIn is dayText in l's language: "18 березня 2025 р.".
func dayIn(l *i18n.Localizer, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil || l.Lang() == "en" {
		return dayText(day)
	}
	return l.Date(t)
}

// joinAndIn is joinAnd in l's language.
func joinAndIn(l *i18n.Localizer, xs []string) string {
	if len(xs) < 2 || l.Lang() == "en" {
		return joinAnd(xs)
	}
	return l.T("list.and", "Head", strings.Join(xs[:len(xs)-1], ", "), "Last", xs[len(xs)-1])
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// writeClaimsMarkdown writes the section, if there is one.
func writeClaimsMarkdown(b *strings.Builder, l *i18n.Localizer, sec *ClaimsSection) {
	v := buildClaimsView(l, sec)
	if v == nil {
		return
	}
	b.WriteString("\n## " + l.T("report.claims.heading") + "\n\n")
	b.WriteString(mdEscape(v.Intro) + "\n\n" + mdEscape(v.Note) + "\n")
	if len(v.Parties) > 0 {
		b.WriteString("\n" + v.Legend + "\n")
	}
	for _, p := range v.Parties {
		fmt.Fprintf(b, "\n### %s\n\n%s\n", l.T("report.claims.against", "Party", mdEscape(p.Accused)), mdEscape(p.Summary))
		for _, t := range p.Tables {
			if t.Title != "" {
				fmt.Fprintf(b, "\n%s:\n", mdEscape(t.Title))
			}
			b.WriteString("\n| " + l.T("report.claims.day") + " | " + strings.Join(t.Columns, " | ") + " |\n|---" + strings.Repeat("|---:", len(t.Columns)) + "|\n")
			for _, r := range append(t.Rows, t.Total) {
				fmt.Fprintf(b, "| %s | %s |\n", r.Day, strings.Join(r.Values, " | "))
			}
			if t.Earlier != "" {
				b.WriteString("\n" + t.Earlier + "\n")
			}
		}
	}
	if len(v.Tallies) > 0 {
		b.WriteString("\n### " + l.T("report.claims.tallies") + "\n\n")
		for _, t := range v.Tallies {
			fmt.Fprintf(b, "- %s", mdEscape(t.Head))
			if t.Wording != "" {
				fmt.Fprintf(b, ". %s", mdEscape(t.Wording))
			}
			if t.Source != "" || t.URL != "" {
				b.WriteString(l.T("report.claims.source", "Source", mdEscape(t.Source)))
				if t.URL != "" {
					fmt.Fprintf(b, ", %s", codeSpan(t.URL))
				}
				b.WriteString(")")
			}
			b.WriteString("\n")
		}
	}
}
