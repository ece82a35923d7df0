package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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
// runningColumns the running totals.
var (
	claimColumns   = []string{"Claims", "Corr.", "Contr.", "Judged", "Unver."}
	foundColumns   = []string{"Viol.", "Disp.", "Undet."}
	runningColumns = []string{"Σ claims", "Σ corr.", "Σ judged", "Σ viol.", "Σ disp."}
)

// claimsLegend explains the columns' short names.
const claimsLegend = "Columns: the day's claims against the party and how many were corroborated, contradicted, judged or are unverified; " +
	"the incidents truce found against it that day (violations, disputed, undetermined); and, marked Σ, the running totals from the reading's start. " +
	"The total row sums every column from the reading's start."

func buildClaimsView(sec *ClaimsSection) *claimsView {
	if sec == nil {
		return nil
	}
	v := &claimsView{Note: sec.Note, Intro: claimsIntro(sec), Legend: claimsLegend}
	for _, p := range sec.Parties {
		if p.Claims.Total == 0 && len(p.Days) == 0 {
			continue
		}
		pv := claimsPartyView{Accused: p.Accused, Summary: fmt.Sprintf("%s against %s in the period: %d corroborated, %d contradicted, %d judged, %d unverified.",
			pluralise(p.Claims.Total, "claim", "claims"), p.Accused, p.Claims.Corroborated, p.Claims.Contradicted, p.Claims.Judged, p.Claims.Unverified)}
		if len(sec.Readings) == 0 {
			pv.Tables = append(pv.Tables, claimsOnlyTable(p))
		}
		for ri, r := range sec.Readings {
			pv.Tables = append(pv.Tables, readingTable(p, ri, r))
		}
		v.Parties = append(v.Parties, pv)
	}
	for _, t := range sec.Tallies {
		head := t.Claimant
		if t.Speaker != "" {
			head += ", " + t.Speaker
		}
		head += ", stated " + t.Stated
		if t.Period != "" {
			head += ", for " + t.Period
		}
		v.Tallies = append(v.Tallies, tallyView{Head: head + ": " + t.Count, Wording: t.Wording, Source: t.SourceTitle, URL: t.SourceURL})
	}
	return v
}

func claimsIntro(sec *ClaimsSection) string {
	s := "Claims are the parties' own accusations, each checked against the independent reports the readers of this report may read: " +
		"corroborated (an independent source reports the same event), contradicted (independent evidence says otherwise), " +
		"judged (its event was adjudicated; the verdict carries over) or unverified. A claim counts on its event's day, else on its statement's. "
	if len(sec.Readings) == 0 {
		return s + "No phase of the agreement was in force in the period, so nothing is found against anyone and only the claims are shown."
	}
	var rs []string
	for _, r := range sec.Readings {
		rs = append(rs, fmt.Sprintf("the %s reading from %s", r.Name, dayText(r.Start)))
	}
	ph := sec.Phase
	if sec.PhaseName != "" {
		ph += " (" + sec.PhaseName + ")"
	}
	return s + fmt.Sprintf("Beside them, the incidents truce itself found against the party under each reading of phase %s, %s, "+
		"with running totals from each reading's start. Only days with claims or findings are listed.", ph, joinAnd(rs))
}

// claimsOnlyTable lists a party's claims by day when no phase was in force.
func claimsOnlyTable(p ClaimsParty) claimsTable {
	t := claimsTable{Columns: claimColumns}
	for _, d := range p.Days {
		t.Rows = append(t.Rows, claimsRow{Day: d.Day, Values: countValues(d.Claims)})
	}
	t.Total = claimsRow{Day: "Total", Values: countValues(p.Claims)}
	return t
}

// readingTable lists a party's days under reading ri: those on or after
// the reading's start.
func readingTable(p ClaimsParty, ri int, r ClaimsReading) claimsTable {
	t := claimsTable{Title: fmt.Sprintf("Under the %s reading, in force from %s", r.Name, dayText(r.Start)),
		Columns: append(append(append([]string{}, claimColumns...), foundColumns...), runningColumns...)}
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
		label := "Total"
		if tt.Since != "" {
			label = "Since " + tt.Since
		}
		t.Total = claimsRow{Day: label, Values: []string{itoa(tt.Claims), itoa(tt.Corroborated), itoa(tt.Contradicted), itoa(tt.Judged),
			itoa(tt.Unverified), itoa(tt.Violations), itoa(tt.Disputed), itoa(tt.Undetermined), "", "", "", "", ""}}
	}
	if before > 0 {
		t.Earlier = fmt.Sprintf("%s of the period, made before this reading's start, %s not counted under it.",
			pluralise(before, "claim", "claims"), map[bool]string{true: "is", false: "are"}[before == 1])
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

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// writeClaimsMarkdown writes the section, if there is one.
func writeClaimsMarkdown(b *strings.Builder, sec *ClaimsSection) {
	v := buildClaimsView(sec)
	if v == nil {
		return
	}
	b.WriteString("\n## Claimed vs found\n\n")
	b.WriteString(mdEscape(v.Intro) + "\n\n" + mdEscape(v.Note) + "\n")
	if len(v.Parties) > 0 {
		b.WriteString("\n" + v.Legend + "\n")
	}
	for _, p := range v.Parties {
		fmt.Fprintf(b, "\n### Against %s\n\n%s\n", mdEscape(p.Accused), mdEscape(p.Summary))
		for _, t := range p.Tables {
			if t.Title != "" {
				fmt.Fprintf(b, "\n%s:\n", mdEscape(t.Title))
			}
			b.WriteString("\n| Day | " + strings.Join(t.Columns, " | ") + " |\n|---" + strings.Repeat("|---:", len(t.Columns)) + "|\n")
			for _, r := range append(t.Rows, t.Total) {
				fmt.Fprintf(b, "| %s | %s |\n", r.Day, strings.Join(r.Values, " | "))
			}
			if t.Earlier != "" {
				b.WriteString("\n" + t.Earlier + "\n")
			}
		}
	}
	if len(v.Tallies) > 0 {
		b.WriteString("\n### The parties' tallies, as stated\n\n")
		for _, t := range v.Tallies {
			fmt.Fprintf(b, "- %s", mdEscape(t.Head))
			if t.Wording != "" {
				fmt.Fprintf(b, ". %s", mdEscape(t.Wording))
			}
			if t.Source != "" || t.URL != "" {
				fmt.Fprintf(b, " (source: %s", mdEscape(t.Source))
				if t.URL != "" {
					fmt.Fprintf(b, ", %s", codeSpan(t.URL))
				}
				b.WriteString(")")
			}
			b.WriteString("\n")
		}
	}
}
