package report

import (
	"fmt"
	"io"
	"strings"

	"truce"
	"truce/internal/i18n"
)

// codeSpan puts untrusted text in a Markdown code span: backslashes are
// literal there, so only backticks and line breaks must go.
func codeSpan(s string) string {
	return "`" + strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s) + "`"
}

// mdEscape keeps untrusted text from forming Markdown or HTML structure.
func mdEscape(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "|", "\\|", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "\n", " ", "\r", " ")
	return r.Replace(s)
}

func writeMarkdown(w io.Writer, s *Summary) error {
	l := i18n.For(s.Lang)
	var b strings.Builder
	writeMarkdownHead(&b, l, s)
	b.WriteString("\n## " + l.T("report.md.outcomes") + "\n\n" + l.T("report.md.outcomes_head") + "\n|---|---:|---:|\n")
	for _, o := range []truce.Outcome{truce.OutcomeViolation, truce.OutcomeDisputed, truce.OutcomeUndetermined, truce.OutcomeNotProhibited} {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", l.T("report.md.outcome."+o.String()), s.Totals.Of(o), s.ReportTotals.Of(o))
	}
	writeMarkdownPhases(&b, l, s)
	writeMarkdownCases(&b, l, s)
	writeClaimsMarkdown(&b, l, s.Claims)
	if len(s.Obligations) > 0 {
		b.WriteString("\n## " + l.T("report.pdf.obligations") + "\n\n")
		for _, o := range s.Obligations {
			fmt.Fprintf(&b, "- %s%s: **%s**. %s\n", codeSpan(o.ID), l.T("report.md.due", "Due", o.Due), markdownStatus(l, o.Status), mdEscape(o.Description))
			for _, it := range o.Items {
				fmt.Fprintf(&b, "  - %s\n", l.T("report.pdf.item", "Party", mdEscape(it.Party), "What", mdEscape(it.What), "Done", it.Delivered, "Of", it.Count))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdownStatus is an obligation's status: its wire name in English, as
// the Markdown report always wrote it; in words otherwise.
func markdownStatus(l *i18n.Localizer, status string) string {
	if l.Lang() == "en" {
		return status
	}
	return l.T("report.status_word." + status)
}

// writeMarkdownHead writes the title, the agreement and the totals.
func writeMarkdownHead(b *strings.Builder, l *i18n.Localizer, s *Summary) {
	fmt.Fprintf(b, "# %s\n\n", mdEscape(titleIn(s, l.Lang())))
	b.WriteString(l.T("report.md.agreement", "ID", s.Agreement))
	if s.Version != "" {
		b.WriteString(l.T("report.pdf.version", "Version", mdEscape(s.Version)))
	}
	if s.StoredVersion > 0 {
		b.WriteString(l.T("report.pdf.stored_version", "N", s.StoredVersion))
	}
	b.WriteString(l.T("report.md.days_in", "Zone", s.Timezone) + "\n\n")
	if s.Reports == 0 {
		b.WriteString(l.T("report.pdf.no_reports") + "\n")
	} else {
		b.WriteString(l.T("report.md.totals", "Reports", l.N("report.md.n_reports", s.Reports, "N", s.Reports),
			"Incidents", l.N("report.md.n_incidents", s.Incidents, "N", s.Incidents), "From", mdDay(l, s.From), "To", mdDay(l, s.To)) + "\n")
	}
	b.WriteString("\n" + l.T("report.md.figures_note") + "\n")
}

// mdDay writes a day as the Markdown summary always did in English
// (YYYY-MM-DD), by the language's rules otherwise.
func mdDay(l *i18n.Localizer, day string) string {
	if l.Lang() == "en" {
		return day
	}
	return dayIn(l, day)
}

// writeMarkdownPhases writes each phase's schedule, party table and days.
func writeMarkdownPhases(b *strings.Builder, l *i18n.Localizer, s *Summary) {
	lines := map[string][]string{}
	if s.a != nil {
		lines = scheduleIn(s.a, l.Lang())
	}
	b.WriteString("\n## " + l.T("report.md.phases") + "\n")
	for _, p := range s.Phases {
		fmt.Fprintf(b, "\n### %s: %s\n\n", p.ID, mdEscape(phaseName(s.a, p.ID, p.Name, l.Lang())))
		schedule := p.Schedule
		if ls, ok := lines[p.ID]; ok {
			schedule = ls
		}
		for _, line := range schedule {
			fmt.Fprintf(b, "- %s\n", mdEscape(line))
		}
		b.WriteString("\n" + l.T("report.md.party_head") + "\n|---|---:|---:|---:|---:|\n")
		for _, pc := range p.ByParty {
			c := pc.Counts
			fmt.Fprintf(b, "| %s | %d | %d | %d | %d |\n", mdEscape(pc.Party), c.Violation, c.Disputed, c.Undetermined, c.NotProhibited)
		}
		if len(p.Daily) > 0 {
			b.WriteString("\n" + l.T("report.md.days") + "\n\n" + l.T("report.md.days_head") + "\n|---|---:|---:|---:|\n")
			for _, dc := range p.Daily {
				fmt.Fprintf(b, "| %s | %d | %d | %d |\n", dc.Day, dc.Counts.Violation, dc.Counts.Disputed, dc.Counts.Undetermined)
			}
		}
	}
}

// writeMarkdownCases writes the violations and disputed cases.
func writeMarkdownCases(b *strings.Builder, l *i18n.Localizer, s *Summary) {
	b.WriteString("\n## " + l.T("report.pdf.cases") + "\n\n")
	if len(s.Cases) == 0 {
		b.WriteString(l.T("report.md.none") + "\n")
	}
	for i, c := range s.Cases {
		outcome, grouping := c.Outcome, c.Grouping
		if l.Lang() != "en" {
			outcome = l.T("outcome." + c.Outcome)
			grouping = l.T("report.case.grouping", "Reports", l.N("report.n.reports", c.Reports, "N", l.Int(c.Reports)),
				"Sources", l.N("report.n.sources_from", c.Sources, "N", l.Int(c.Sources)))
		}
		fmt.Fprintf(b, "%d. **%s** %s %s %s (%s", i+1, outcome, caseTime(l, s, c.Time), l.T("report.md.incident"), codeSpan(c.Incident), mdEscape(grouping))
		if c.ReportID != c.Incident {
			b.WriteString(l.T("report.md.finding_of", "ID", codeSpan(c.ReportID)))
		}
		fmt.Fprintf(b, "): %s\n", mdEscape(c.Explanation))
	}
}
