package adjudicate

import (
	"slices"
	"strings"
	"time"

	"truce"
)

// explain returns a finding's explanation as phrases: one or two plain
// sentences that cite the commitment and phase, the day of the phase, the
// zone, the site and distance where one was used, the readings and the
// report's source.
func (c *rcase) explain(ps *PhaseSchedule, cm *truce.Commitment, cf catFact, f *truce.Finding, evals []eval, missing []wording) wording {
	head := msg("explain.head", "Commitment", string(cm.ID), "Phase", string(ps.Phase.ID), "PhaseName", phaseRef(ps.Phase.ID))
	var body wording
	switch f.Outcome {
	case truce.OutcomeViolation:
		body = msg("explain.violation", "Head", head, "Days", dayPhrase(evals, truce.OutcomeViolation), "Act", c.act(cf, evals))
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
		body = msg("explain.disputed", "Head", head, "Yes", readingsOf2(yes), "YesDays", dayPhrase(yes, truce.OutcomeViolation),
			"No", readingsOf2(no), "Reasons", c.reasons(no), "Act", c.act(cf, evals))
	case truce.OutcomeUndetermined:
		var dp wording
		if d := dayPhrase(evals, 0); !d.isZero() {
			dp = msg("explain.days_after_head", "Days", d)
		}
		body = msg("explain.undetermined", "Head", head, "Days", dp, "Missing", seq("explain.missing_sep", missing...), "Act", capitalized(c.act(cf, evals)))
	default:
		body = msg("explain.not_prohibited", "Head", head, "Reasons", c.reasons(evals))
	}
	return msg("explain.with_source", "Body", body, "Source", sourcePhrase(c.r))
}

// act describes what the report says happened.
func (c *rcase) act(cf catFact, evals []eval) wording {
	f := &c.facts
	var parts []wording
	if f.Perpetrator != "" {
		parts = append(parts, msg("act.perpetrator", "Party", string(f.Perpetrator), "Note", c.perpNote))
	} else {
		parts = append(parts, msg("act.unknown_party"))
	}
	if len(f.Actions) > 0 {
		parts = append(parts, msg("act.action", "Action", actRef(f.Actions[0])))
		switch f.ActionBasis {
		case truce.BasisText:
			parts = append(parts, msg("act.text_says", "Words", quoted(c.textActionWord)))
		case truce.BasisEvent:
			parts = append(parts, msg("act.event_type", "Type", quoted(c.r.EventType)))
		}
	}
	cat, note, site := cf.cat, cf.note, cf.site
	if cat == "" && f.Category != "" {
		cat, note, site = f.Category, c.catNote, f.Site
	}
	switch {
	case site != nil:
		parts = append(parts, msg("act.on_site", "Site", site.Name, "Category", catLower(site.Category), "Distance", dist(site.DistanceMeters)))
	case cat != "":
		parts = append(parts, msg("act.on_kind", "Category", catLower(cat), "Note", note))
	}
	for _, e := range evals {
		if e.unstated {
			parts = append(parts, msg("act.kind_unstated"))
			break
		}
	}
	for _, e := range evals {
		if e.repelledBy != "" {
			parts = append(parts, msg("act.repelled", "Party", string(e.repelledBy)))
			break
		}
	}
	if f.Attempted {
		parts = append(parts, msg("act.attempted"))
	}
	if zone := actZone(f, evals); zone != "" {
		parts = append(parts, msg("act.in_zone", "Zone", zoneRef(zone)))
	}
	for _, ev := range f.Evidence {
		if ev.Fact == "place" {
			parts = append(parts, msg("act.placed_at", "Words", quoted(ev.Words)))
		}
	}
	parts = append(parts, msg("act.when", "When", c.when()))
	return seq("", parts...)
}

// actZone names the place as the readings without a zone substitution do;
// if only a substituted zone holds it, that one.
func actZone(f *truce.Facts, evals []eval) truce.ZoneID {
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
	return zone
}

// when says when the report places the incident: "on 18 March 2025",
// "on 18 March 2025 at 15:28 EET", "between 17 March 2025 and 23 March 2025".
func (c *rcase) when() wording {
	a, r := c.j.a, c.r
	s, e := r.Start.In(a.Timezone), r.End.Add(-time.Nanosecond).In(a.Timezone)
	if civil(s) == civil(e) {
		if r.Precision == truce.PrecisionDay || r.End.Sub(r.Start) >= 23*time.Hour {
			return msg("when.on", "Date", civilDay(s))
		}
		return msg("when.on_at", "Date", civilDay(s), "Time", s.Format("15:04 MST"))
	}
	return msg("when.between", "From", civilDay(s), "To", civilDay(e))
}

// span describes the report's time interval for messages about time.
func (c *rcase) span() wording {
	w := c.when()
	w.id = "span." + w.id[len("when."):]
	return w
}

// dayPhrase gives the day of the phase under the readings with outcome o
// (0: any reading in force), e.g. "day 11 of 31", or per reading when they
// differ: "day 11 of 31 for RU and US, day 4 of 24 for UA".
func dayPhrase(evals []eval, o truce.Outcome) wording {
	var days []wording
	var keys [][2]int
	var who [][]truce.PartyID
	for _, e := range evals {
		if e.day == 0 || (o != 0 && e.outcome != o) {
			continue
		}
		d := msg("day.of", "Day", e.day, "Days", e.days)
		if e.days == 0 {
			d = msg("day.open", "Day", e.day)
		}
		if i := slices.Index(keys, [2]int{e.day, e.days}); i >= 0 {
			who[i] = append(who[i], e.w.Parties...)
			continue
		}
		keys = append(keys, [2]int{e.day, e.days})
		days = append(days, d)
		who = append(who, slices.Clone(e.w.Parties))
	}
	if len(days) == 0 {
		return wording{}
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
	parts := make([]wording, len(days))
	for i, d := range days {
		parts[i] = msg("day.for", "Day", d, "Parties", partyList(who[i]))
	}
	return seq("list.comma", parts...)
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

func readingsOf2(evals []eval) wording {
	var ps []truce.PartyID
	for _, e := range evals {
		ps = append(ps, e.w.Parties...)
	}
	if len(ps) == 1 {
		return msg("reading.of_one", "Party", string(ps[0]))
	}
	return msg("reading.of_many", "Parties", partyList(ps))
}

// reasons explains why the readings are not prohibited: one reason when
// they agree, else one per reading; when the phase was not in force, the
// phase's windows follow in brackets.
func (c *rcase) reasons(evals []eval) wording {
	var uniq, whys []string
	var uniqP, whyP []wording
	var who, whyWho [][]truce.PartyID
	for _, e := range evals {
		if i := slices.Index(uniq, e.noteEN); i >= 0 {
			who[i] = append(who[i], e.w.Parties...)
		} else {
			note := e.note()
			note.en = e.noteEN // rendered once, in judge
			uniq, uniqP = append(uniq, e.noteEN), append(uniqP, note)
			who = append(who, slices.Clone(e.w.Parties))
		}
		if e.why.isZero() {
			continue
		}
		if i := slices.Index(whys, e.whyEN); i >= 0 {
			whyWho[i] = append(whyWho[i], e.w.Parties...)
		} else {
			whys, whyP = append(whys, e.whyEN), append(whyP, e.why)
			whyWho = append(whyWho, slices.Clone(e.w.Parties))
		}
	}
	out := uniqP[0]
	if len(uniqP) > 1 {
		parts := make([]wording, len(uniqP))
		for i, u := range uniqP {
			parts[i] = msg("reason.for", "Parties", partyList(who[i]), "Reason", u)
		}
		out = seq("list.semicolon", parts...)
	}
	switch {
	case len(whyP) == 1 && len(whyWho[0]) == len(evalsParties(evals, 0)):
		out = msg("reason.with_why", "Reason", out, "Why", whyP[0])
	case len(whyP) > 0:
		parts := make([]wording, len(whyP))
		for i, w := range whyP {
			parts[i] = msg("reason.why_for", "Parties", partyList(whyWho[i]), "Why", w)
		}
		out = msg("reason.with_why", "Reason", out, "Why", seq("list.semicolon", parts...))
	}
	return out
}

func sourcePhrase(r *truce.Report) wording {
	outlet := ""
	if r.Outlet != "" {
		outlet = " (" + r.Outlet + ")"
	}
	return msg("explain.source", "Source", r.Source, "Report", string(r.ID), "Outlet", outlet)
}

func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
