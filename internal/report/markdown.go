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
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdEscape(s.Title))
	fmt.Fprintf(&b, "Agreement `%s`", s.Agreement)
	if s.Version != "" {
		fmt.Fprintf(&b, ", version %s", mdEscape(s.Version))
	}
	if s.StoredVersion > 0 {
		fmt.Fprintf(&b, " (stored version %d)", s.StoredVersion)
	}
	fmt.Fprintf(&b, ". Days in %s.\n\n", s.Timezone)
	if s.Reports == 0 {
		b.WriteString("No reports.\n")
	} else {
		fmt.Fprintf(&b, "%d reports of %d incidents from %s to %s.\n", s.Reports, s.Incidents, s.From, s.To)
	}
	b.WriteString("\nThe figures count incidents: the reports of one event, a republished text counting once. " +
		"An incident counts once per phase, under the most severe finding of its reports (reposts aside), on the day of its first report.\n")
	b.WriteString("\n## Outcomes\n\n| outcome | incidents | reports |\n|---|---:|---:|\n")
	for _, o := range []truce.Outcome{truce.OutcomeViolation, truce.OutcomeDisputed, truce.OutcomeUndetermined, truce.OutcomeNotProhibited} {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", strings.ReplaceAll(o.String(), "_", " "), s.Totals.Of(o), s.ReportTotals.Of(o))
	}
	b.WriteString("\n## Phases\n")
	for _, p := range s.Phases {
		fmt.Fprintf(&b, "\n### %s: %s\n\n", p.ID, mdEscape(p.Name))
		for _, line := range p.Schedule {
			fmt.Fprintf(&b, "- %s\n", mdEscape(line))
		}
		b.WriteString("\n| party | violation | disputed | undetermined | not prohibited |\n|---|---:|---:|---:|---:|\n")
		for _, pc := range p.ByParty {
			c := pc.Counts
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", mdEscape(pc.Party), c.Violation, c.Disputed, c.Undetermined, c.NotProhibited)
		}
		if len(p.Daily) > 0 {
			b.WriteString("\nDays with violations, disputed or undetermined cases:\n\n| day | violation | disputed | undetermined |\n|---|---:|---:|---:|\n")
			for _, dc := range p.Daily {
				fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", dc.Day, dc.Counts.Violation, dc.Counts.Disputed, dc.Counts.Undetermined)
			}
		}
	}
	b.WriteString("\n## Violations and disputed cases\n\n")
	if len(s.Cases) == 0 {
		b.WriteString("None.\n")
	}
	for i, c := range s.Cases {
		fmt.Fprintf(&b, "%d. **%s** %s incident %s (%s", i+1, c.Outcome, caseTime(i18n.English(), s, c.Time), codeSpan(c.Incident), mdEscape(c.Grouping))
		if c.ReportID != c.Incident {
			fmt.Fprintf(&b, "; the finding is that of report %s", codeSpan(c.ReportID))
		}
		fmt.Fprintf(&b, "): %s\n", mdEscape(c.Explanation))
	}
	writeClaimsMarkdown(&b, s.Claims)
	if len(s.Obligations) > 0 {
		b.WriteString("\n## Obligations\n\n")
		for _, o := range s.Obligations {
			fmt.Fprintf(&b, "- %s (due %s): **%s**. %s\n", codeSpan(o.ID), o.Due, o.Status, mdEscape(o.Description))
			for _, it := range o.Items {
				fmt.Fprintf(&b, "  - %s: %s, %d of %d\n", mdEscape(it.Party), mdEscape(it.What), it.Delivered, it.Count)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
