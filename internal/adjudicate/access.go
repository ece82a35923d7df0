package adjudicate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"truce"
)

// JudgeRestriction judges a restriction of the monitors' access against
// every access commitment of every phase, under every reading: it is a
// violation when the phase is in force at its time, the side responsible
// is bound and the place is in the commitment's zones (everywhere when it
// names none); undetermined when the side responsible is not known;
// disputed when the readings differ; not prohibited otherwise, with the
// reason.
func (j *Judge) JudgeRestriction(x *truce.AccessRestriction) truce.Judgement {
	jd := truce.Judgement{Report: truce.ReportID(x.ID), Outcome: truce.OutcomeNotProhibited}
	best := -1
	for pi := range j.sched {
		ps := &j.sched[pi]
		for ci := range ps.Phase.Access {
			f := j.judgeAccess(ps, &ps.Phase.Access[ci], x)
			jd.Findings = append(jd.Findings, f)
			if best < 0 || f.Outcome > jd.Findings[best].Outcome {
				best = len(jd.Findings) - 1
			}
		}
	}
	jd.Explanation = "Not prohibited: the agreement commits no party to give the monitors access."
	if best >= 0 {
		jd.Outcome, jd.Explanation = jd.Findings[best].Outcome, jd.Findings[best].Explanation
	}
	jd.Explanation = RestrictionPhrase(j.a, x) + " " + jd.Explanation
	return jd
}

// judgeAccess judges x against one access commitment under every reading
// of its phase.
func (j *Judge) judgeAccess(ps *PhaseSchedule, ac *truce.AccessCommitment, x *truce.AccessRestriction) truce.Finding {
	f := truce.Finding{Commitment: ac.ID, Phase: ps.Phase.ID, Party: x.Party}
	var reasons []string
	var n [truce.OutcomeViolation + 1]int
	for i := range ps.Windows {
		w := &ps.Windows[i]
		o, why, day, days := j.accessReading(ps, w, ac, x)
		n[o]++
		f.Readings = append(f.Readings, truce.ReadingResult{Parties: w.Parties, Outcome: o, Day: day, Days: days, Note: why})
		if o == truce.OutcomeNotProhibited && !slices.Contains(reasons, why) {
			reasons = append(reasons, why)
		}
	}
	head := fmt.Sprintf("%s (phase %s, %s)", ac.ID, ps.Phase.ID, ps.Phase.Name)
	switch {
	case n[truce.OutcomeViolation] > 0 && n[truce.OutcomeNotProhibited] > 0:
		f.Outcome = truce.OutcomeDisputed
		f.Explanation = fmt.Sprintf("Disputed under %s: a breach under the readings of %s; under the others %s.", head,
			readingParties(f.Readings, truce.OutcomeViolation), strings.Join(reasons, "; "))
	case n[truce.OutcomeViolation] > 0:
		f.Outcome = truce.OutcomeViolation
		// The day under the responsible side's own reading, else the first.
		i := slices.IndexFunc(f.Readings, func(r truce.ReadingResult) bool { return slices.Contains(r.Parties, x.Party) })
		if i < 0 || f.Readings[i].Outcome != truce.OutcomeViolation {
			i = slices.IndexFunc(f.Readings, func(r truce.ReadingResult) bool { return r.Outcome == truce.OutcomeViolation })
		}
		r := f.Readings[i]
		f.Explanation = fmt.Sprintf("Violation of %s, %s: %s is bound to give the monitors access%s. %s", head, dayWords(r.Day, r.Days),
			x.Party, zonesPhrase(j.a, ac), ac.Description)
	case n[truce.OutcomeUndetermined] > 0:
		f.Outcome = truce.OutcomeUndetermined
		f.Missing = []string{"the side responsible for the restriction"}
		f.Explanation = fmt.Sprintf("Undetermined under %s: the commitment was in force, but the side responsible for the restriction is not recorded.", head)
	default:
		f.Outcome, f.Reason = truce.OutcomeNotProhibited, strings.Join(reasons, "; ")
		f.Explanation = fmt.Sprintf("Not prohibited under %s: %s.", head, f.Reason)
	}
	f.Explanation = strings.TrimSpace(f.Explanation)
	return f
}

// accessReading judges x against ac under one reading: the outcome, why
// it is not prohibited, and the day of the phase.
func (j *Judge) accessReading(ps *PhaseSchedule, w *Window, ac *truce.AccessCommitment, x *truce.AccessRestriction) (truce.Outcome, string, int, int) {
	switch {
	case !w.InForce:
		return truce.OutcomeNotProhibited, fmt.Sprintf("phase %s %s", ps.Phase.ID, w.Why), 0, 0
	case !w.Contains(x.Start):
		return truce.OutcomeNotProhibited, fmt.Sprintf("phase %s was not in force on %s", ps.Phase.ID, fmtInstant(j.a, x.Start)), 0, 0
	}
	if len(ac.Zones) > 0 && !slices.ContainsFunc(ac.Zones, func(z truce.ZoneID) bool { return j.a.InZoneAt(z, x.Location, w.Zones, x.Start) }) {
		return truce.OutcomeNotProhibited, fmt.Sprintf("the place %s is outside %s", x.Location, zoneList(j.a, ac.Zones)), 0, 0
	}
	day, days := dayOf(j.a, w.Start, w.End, x.Start)
	switch {
	case x.Party == "":
		return truce.OutcomeUndetermined, "", day, days
	case !slices.Contains(ac.Bound, x.Party):
		return truce.OutcomeNotProhibited, fmt.Sprintf("%s is not bound by %s (it binds %s)", x.Party, ac.ID, joinParties(ac.Bound)), 0, 0
	}
	return truce.OutcomeViolation, "", day, days
}

// dayWords is "day 3 of 30", or "day 3" of a phase without an end.
func dayWords(day, days int) string {
	if days > 0 {
		return fmt.Sprintf("day %d of %d", day, days)
	}
	return fmt.Sprintf("day %d", day)
}

func zonesPhrase(a *truce.Agreement, ac *truce.AccessCommitment) string {
	if len(ac.Zones) == 0 {
		return ""
	}
	return " in " + zoneList(a, ac.Zones)
}

func zoneList(a *truce.Agreement, zs []truce.ZoneID) string {
	names := make([]string, len(zs))
	for i, z := range zs {
		names[i] = zoneName(a, z)
	}
	return orList(names)
}

func readingParties(rs []truce.ReadingResult, o truce.Outcome) string {
	var ps []truce.PartyID
	for _, r := range rs {
		if r.Outcome == o {
			ps = append(ps, r.Parties...)
		}
	}
	return joinParties(ps)
}

// RestrictionPhrase says in plain words what happened: "Monitors (a
// patrol of 6) were denied access near Petrivske on 31 Mar 2025 09:30
// UTC; the reason given: mines on the road; the side responsible: RU."
func RestrictionPhrase(a *truce.Agreement, x *truce.AccessRestriction) string {
	var b strings.Builder
	b.WriteString("Monitors")
	if x.PatrolSize > 0 {
		fmt.Fprintf(&b, " (a %s of %d)", map[truce.ObservationMeans]string{truce.MeansPatrol: "patrol", truce.MeansCamera: "camera team", truce.MeansUAV: "UAV team"}[x.Means], x.PatrolSize)
	}
	switch x.Kind {
	case truce.RestrictionDenial:
		b.WriteString(" were denied access")
	case truce.RestrictionDelay:
		fmt.Fprintf(&b, " were delayed %s", minutesPhrase(x.Duration))
	case truce.RestrictionConditional:
		b.WriteString(" were let through only on conditions")
	}
	if x.Area != "" {
		fmt.Fprintf(&b, " near %s", x.Area)
	}
	fmt.Fprintf(&b, " on %s UTC", x.Start.UTC().Format("2 Jan 2006 15:04"))
	if x.Kind != truce.RestrictionDelay && x.Duration > 0 {
		fmt.Fprintf(&b, " for %s", minutesPhrase(x.Duration))
	}
	if x.Reason != "" {
		fmt.Fprintf(&b, "; the reason given: %s", x.Reason)
	}
	if x.Party != "" {
		fmt.Fprintf(&b, "; the side responsible: %s", x.Party)
	}
	b.WriteString(".")
	return b.String()
}

func minutesPhrase(d time.Duration) string {
	m := int(d / time.Minute)
	if m%60 == 0 && m > 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	if m > 60 {
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min", m)
}

// orList joins s with commas and a final "or", in English: the
// explanations of observations and restrictions are not yet in the
// message catalogue (internal/i18n).
func orList(s []string) string {
	switch len(s) {
	case 0:
		return "nothing"
	case 1:
		return s[0]
	case 2:
		return s[0] + " or " + s[1]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// catName is a target category's English name.
func catName(a *truce.Agreement, id truce.CategoryID) string {
	if id == truce.CategoryAny {
		return "any target"
	}
	if c, ok := a.Category(id); ok && c.Name != "" {
		return c.Name
	}
	return string(id)
}

// categoryNames lists target categories by name, in lower case, in
// English (see orList).
func categoryNames(a *truce.Agreement, ids []truce.CategoryID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strings.ToLower(catName(a, id))
	}
	return strings.Join(s, "; ")
}
