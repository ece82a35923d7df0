package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"truce"
)

// Difference is a report whose outcome differs between two agreement texts.
type Difference struct {
	ReportID    string `json:"report_id"`
	Day         string `json:"day"`
	Party       string `json:"party"`
	Category    string `json:"category"`
	OutcomeA    string `json:"outcome_a"`
	OutcomeB    string `json:"outcome_b"`
	Commitment  string `json:"commitment"`
	Explanation string `json:"explanation"`
}

// Comparison is what changes between two texts over the same reports: the
// negotiators' "what would this draft have covered?".
type Comparison struct {
	A, B        string         `json:"-"`
	AgreementA  string         `json:"agreement_a"`
	AgreementB  string         `json:"agreement_b"`
	Reports     int            `json:"reports"`
	TotalsA     Counts         `json:"totals_a"`
	TotalsB     Counts         `json:"totals_b"`
	Changed     int            `json:"changed"`
	ByChange    map[string]int `json:"by_change"`
	ByCategory  map[string]int `json:"by_category"`
	ByParty     map[string]int `json:"by_party"`
	ByDay       map[string]int `json:"by_day"`
	Differences []Difference   `json:"differences"`
	tz          *time.Location
}

// NewComparison starts a comparison of agreement a against b (days in a's
// time zone).
func NewComparison(a, b *truce.Agreement) *Comparison {
	return &Comparison{AgreementA: string(a.ID), AgreementB: string(b.ID), ByChange: map[string]int{}, ByCategory: map[string]int{},
		ByParty: map[string]int{}, ByDay: map[string]int{}, Differences: []Difference{}, tz: a.Timezone}
}

// Add compares one report's judgements under the two texts.
func (c *Comparison) Add(r *truce.Report, ja, jb *truce.Judgement) {
	c.Reports++
	c.TotalsA.add(ja.Outcome)
	c.TotalsB.add(jb.Outcome)
	if ja.Outcome == jb.Outcome {
		return
	}
	c.Changed++
	d := Difference{ReportID: string(r.ID), Day: r.Start.In(c.tz).Format("2006-01-02"),
		OutcomeA: ja.Outcome.String(), OutcomeB: jb.Outcome.String()}
	d.Party = string(cmp.Or(jb.Facts.Perpetrator, ja.Facts.Perpetrator))
	if d.Party == "" {
		d.Party = "unknown"
	}
	d.Category = string(cmp.Or(jb.Facts.Category, ja.Facts.Category))
	if d.Category == "" {
		d.Category = "unknown"
	}
	fa, fb := pairFindings(ja, jb)
	switch {
	case fa != nil && fb != nil:
		d.Commitment = string(fb.Commitment)
		d.Explanation = fmt.Sprintf("Under %s: %s Under %s: %s", c.AgreementA, fa.Explanation, c.AgreementB, fb.Explanation)
	default:
		d.Explanation = fmt.Sprintf("Under %s: %s Under %s: %s", c.AgreementA, ja.Explanation, c.AgreementB, jb.Explanation)
	}
	c.ByChange[d.OutcomeA+" → "+d.OutcomeB]++
	c.ByCategory[d.Category]++
	c.ByParty[d.Party]++
	c.ByDay[d.Day]++
	c.Differences = append(c.Differences, d)
}

// pairFindings picks the commitment, present under both texts, whose
// outcome changed most.
func pairFindings(ja, jb *truce.Judgement) (*truce.Finding, *truce.Finding) {
	var fa, fb *truce.Finding
	best := -1
	for i := range jb.Findings {
		b := &jb.Findings[i]
		for k := range ja.Findings {
			a := &ja.Findings[k]
			if a.Commitment != b.Commitment || a.Outcome == b.Outcome {
				continue
			}
			if d := int(max(a.Outcome, b.Outcome)); d > best {
				best, fa, fb = d, a, b
			}
		}
	}
	return fa, fb
}

// WriteComparison renders c as md or json.
func WriteComparison(w io.Writer, c *Comparison, format string) error {
	slices.SortFunc(c.Differences, func(a, b Difference) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), strings.Compare(a.ReportID, b.ReportID))
	})
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(c)
	case "md", "markdown":
	default:
		return fmt.Errorf("unknown format %q: want md or json", format)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s compared with %s\n\n", c.AgreementB, c.AgreementA)
	fmt.Fprintf(&b, "%d reports; %d judged differently.\n\n", c.Reports, c.Changed)
	b.WriteString("| outcome | " + mdEscape(c.AgreementA) + " | " + mdEscape(c.AgreementB) + " |\n|---|---:|---:|\n")
	for _, o := range truce.Outcomes() {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", strings.ReplaceAll(o.String(), "_", " "), c.TotalsA.Of(o), c.TotalsB.Of(o))
	}
	table := func(title string, m map[string]int) {
		fmt.Fprintf(&b, "\n## By %s\n\n| %s | reports |\n|---|---:|\n", title, title)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(x, y string) int { return cmp.Or(m[y]-m[x], strings.Compare(x, y)) })
		for _, k := range keys {
			fmt.Fprintf(&b, "| %s | %d |\n", mdEscape(k), m[k])
		}
	}
	table("change", c.ByChange)
	table("category", c.ByCategory)
	table("party", c.ByParty)
	table("day", c.ByDay)
	b.WriteString("\n## Differences\n\n")
	for i, d := range c.Differences {
		fmt.Fprintf(&b, "%d. %s %s, %s, %s: **%s → %s**. %s\n", i+1, codeSpan(d.ReportID), d.Day, mdEscape(d.Party), mdEscape(d.Category),
			d.OutcomeA, d.OutcomeB, mdEscape(d.Explanation))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
