package adjudicate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"truce"
)

// explain writes a finding's explanation: one or two plain sentences that
// cite the commitment and phase, the day of the phase, the zone, the site
// and distance where one was used, the readings and the report's source.
func (c *rcase) explain(ps *PhaseSchedule, cm *truce.Commitment, cf catFact, f *truce.Finding, evals []eval) string {
	head := fmt.Sprintf("%s (phase %s, %s", cm.ID, ps.Phase.ID, ps.Phase.Name)
	var b strings.Builder
	switch f.Outcome {
	case truce.OutcomeViolation:
		fmt.Fprintf(&b, "Violation of %s; breached under every reading, %s): %s.", head, dayPhrase(evals, truce.OutcomeViolation), c.act(cf, evals))
	case truce.OutcomeDisputed:
		var yes, no []eval
		for _, e := range evals {
			switch e.outcome {
			case truce.OutcomeViolation:
				yes = append(yes, e)
			case truce.OutcomeNotProhibited:
				no = append(no, e)
			}
		}
		fmt.Fprintf(&b, "Disputed under %s): a violation under %s (%s) but not under %s (%s): %s.",
			head, readingsOf2(yes), dayPhrase(yes, truce.OutcomeViolation), readingsOf2(no), reasons(no), c.act(cf, evals))
	case truce.OutcomeUndetermined:
		dp := dayPhrase(evals, 0)
		if dp != "" {
			dp = ", " + dp
		}
		fmt.Fprintf(&b, "Undetermined under %s%s): missing %s. %s.", head, dp, strings.Join(f.Missing, "; and "), capitalize(c.act(cf, evals)))
	default:
		fmt.Fprintf(&b, "Not prohibited under %s): %s.", head, reasons(evals))
	}
	b.WriteString(" ")
	b.WriteString(sourcePhrase(c.r))
	return b.String()
}

// act describes what the report says happened.
func (c *rcase) act(cf catFact, evals []eval) string {
	a, f := c.j.a, &c.facts
	var b strings.Builder
	if f.Perpetrator != "" {
		fmt.Fprintf(&b, "%s (%s)", f.Perpetrator, f.PerpetratorNote)
	} else {
		b.WriteString("an unknown party")
	}
	if len(f.Actions) > 0 {
		fmt.Fprintf(&b, ", %s", actionNames[f.Actions[0]])
		switch f.ActionBasis {
		case truce.BasisText:
			fmt.Fprintf(&b, " (the text says %q)", c.textActionWord)
		case truce.BasisEvent:
			fmt.Fprintf(&b, " (event type %q)", c.r.EventType)
		}
	}
	cat, note, site := cf.cat, cf.note, cf.site
	if cat == "" && f.Category != "" {
		cat, note, site = f.Category, f.CategoryNote, f.Site
	}
	switch {
	case site != nil:
		fmt.Fprintf(&b, " on %s (%s, %s from the reported location)", site.Name, strings.ToLower(catName(a, site.Category)), km(site.DistanceMeters))
	case cat != "":
		fmt.Fprintf(&b, " on a target of kind %s (%s)", strings.ToLower(catName(a, cat)), note)
	}
	for _, e := range evals {
		if e.unstated {
			b.WriteString(", the kind not stated (the commitment counts any kind of it as covered)")
			break
		}
	}
	for _, e := range evals {
		if e.repelledBy != "" {
			fmt.Fprintf(&b, ", repelled, so taken as made by %s, the side bound not to strike there", e.repelledBy)
			break
		}
	}
	if f.Attempted {
		b.WriteString(" (attempted: the text says it was intercepted or repelled)")
	}
	// Name the place as the readings without a zone substitution do; if
	// only a substituted zone holds it, name that one.
	var zone truce.ZoneID
	for _, e := range evals {
		if e.zone != "" && e.zone == e.inZone {
			zone = e.zone
			break
		}
	}
	for _, e := range evals {
		if zone == "" && e.inZone != "" {
			zone = e.inZone
		}
	}
	if zone == "" && len(f.Zones) > 0 {
		zone = f.Zones[0]
	}
	if zone != "" {
		fmt.Fprintf(&b, " in %s", zoneName(a, zone))
	}
	for _, ev := range f.Evidence {
		if ev.Fact == "place" {
			fmt.Fprintf(&b, " (placed at %q, named in the text, not at the source's point)", ev.Words)
		}
	}
	b.WriteString(" ")
	b.WriteString(c.when())
	return b.String()
}

// when says when the report places the incident: "on 18 March 2025",
// "on 18 March 2025 at 15:28 EET", "between 17 and 23 March 2025".
func (c *rcase) when() string {
	a, r := c.j.a, c.r
	s, e := r.Start.In(a.Timezone), r.End.Add(-time.Nanosecond).In(a.Timezone)
	if civil(s) == civil(e) {
		if r.Precision == truce.PrecisionDay || r.End.Sub(r.Start) >= 23*time.Hour {
			return "on " + s.Format("2 January 2006")
		}
		return "on " + s.Format("2 January 2006 at 15:04 MST")
	}
	return "between " + s.Format("2 January 2006") + " and " + e.Format("2 January 2006")
}

// span describes the report's time interval for messages about time.
func (c *rcase) span() string {
	w := c.when()
	return strings.TrimPrefix(strings.TrimPrefix(w, "on "), "between ")
}

// dayPhrase gives the day of the phase under the readings with outcome o
// (0: any reading in force), e.g. "day 11 of 31", or per reading when they
// differ: "day 11 of 31 for RU and US, day 4 of 24 for UA".
func dayPhrase(evals []eval, o truce.Outcome) string {
	var days []string
	var who [][]truce.PartyID
	for _, e := range evals {
		if e.day == 0 || (o != 0 && e.outcome != o) {
			continue
		}
		d := fmt.Sprintf("day %d", e.day)
		if e.days > 0 {
			d += fmt.Sprintf(" of %d", e.days)
		}
		if i := slices.Index(days, d); i >= 0 {
			who[i] = append(who[i], e.w.Parties...)
			continue
		}
		days = append(days, d)
		who = append(who, slices.Clone(e.w.Parties))
	}
	if len(days) == 1 {
		n := 0
		for _, e := range evals {
			if o == 0 || e.outcome == o {
				n++
			}
		}
		if len(who[0]) >= n && len(who[0]) == len(evalsParties(evals, o)) {
			return days[0]
		}
	}
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = d + " for " + joinParties(who[i])
	}
	return strings.Join(parts, ", ")
}

func evalsParties(evals []eval, o truce.Outcome) []truce.PartyID {
	var ps []truce.PartyID
	for _, e := range evals {
		if o == 0 || e.outcome == o {
			ps = append(ps, e.w.Parties...)
		}
	}
	return ps
}

func readingsOf2(evals []eval) string {
	var ps []truce.PartyID
	for _, e := range evals {
		ps = append(ps, e.w.Parties...)
	}
	if len(ps) == 1 {
		return string(ps[0]) + "'s reading"
	}
	return "the reading of " + joinParties(ps)
}

// reasons explains why the readings are not prohibited: one reason when
// they agree, else one per reading; when the phase was not in force, the
// phase's windows follow in brackets.
func reasons(evals []eval) string {
	var uniq, whys []string
	var who, whyWho [][]truce.PartyID
	for _, e := range evals {
		if i := slices.Index(uniq, e.note()); i >= 0 {
			who[i] = append(who[i], e.w.Parties...)
		} else {
			uniq = append(uniq, e.note())
			who = append(who, slices.Clone(e.w.Parties))
		}
		if e.why == "" {
			continue
		}
		if i := slices.Index(whys, e.why); i >= 0 {
			whyWho[i] = append(whyWho[i], e.w.Parties...)
		} else {
			whys = append(whys, e.why)
			whyWho = append(whyWho, slices.Clone(e.w.Parties))
		}
	}
	var out string
	if len(uniq) == 1 {
		out = uniq[0]
	} else {
		parts := make([]string, len(uniq))
		for i, u := range uniq {
			parts[i] = fmt.Sprintf("for %s, %s", joinParties(who[i]), u)
		}
		out = strings.Join(parts, "; ")
	}
	switch {
	case len(whys) == 1 && len(whyWho[0]) == len(evalsParties(evals, 0)):
		out += " (it was " + whys[0] + ")"
	case len(whys) > 0:
		parts := make([]string, len(whys))
		for i, w := range whys {
			parts[i] = fmt.Sprintf("for %s %s", joinParties(whyWho[i]), w)
		}
		out += " (it was " + strings.Join(parts, "; ") + ")"
	}
	return out
}

func sourcePhrase(r *truce.Report) string {
	s := "Source: " + r.Source + " report " + string(r.ID)
	if r.Outlet != "" {
		s += " (" + r.Outlet + ")"
	}
	return s + "."
}

func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
