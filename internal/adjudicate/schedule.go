package adjudicate

import (
	"slices"
	"strings"
	"time"
	"truce/internal/i18n"

	"truce"
)

// Window is when a phase is in force under one reading.
type Window struct {
	// Parties hold this reading. For the common reading they are every
	// party not named in another reading.
	Parties []truce.PartyID
	Common  bool // the phase's own parameters, not a named reading
	InForce bool // false: the phase never entered into force under this reading
	Start   time.Time
	End     time.Time // zero: no end
	// Why explains when the phase starts and ends, or why it never did.
	Why string
	why wording // Why as phrases, for explanations in other languages
	// never, when the phase never entered into force under the reading,
	// is the reason a report is not prohibited under it (evalTime).
	never wording
	Zones map[truce.ZoneID]truce.ZoneID
	// Territory is the zone this reading counts as each party's: the
	// phase's, overridden by the reading's own.
	Territory map[truce.PartyID][]truce.ZoneID
	Note      string
	Source    string
}

// Contains reports whether instant t lies in w.
func (w *Window) Contains(t time.Time) bool {
	return w.InForce && !t.Before(w.Start) && (w.End.IsZero() || t.Before(w.End))
}

// PhaseSchedule is a phase with its windows, one per reading.
type PhaseSchedule struct {
	Phase   *truce.Phase
	Windows []Window
}

// Window returns the window of the reading party p holds.
func (ps *PhaseSchedule) Window(p truce.PartyID) *Window {
	for i := range ps.Windows {
		if slices.Contains(ps.Windows[i].Parties, p) {
			return &ps.Windows[i]
		}
	}
	return nil
}

// Schedule computes when each phase of a is in force under each reading,
// in the agreement's phase order.
//
// Start rules: "at" starts at a fixed instant (a reading may give its own);
// "all_accept" starts at the first position date at which every listed
// party's latest stance is "accepted" (accepted in principle and
// conditional acceptances do not count) and ends early if one of them later
// withdraws or rejects; "after X, N days" starts N days after X started,
// under the same reading, provided X was still in force for those N days.
// A phase ends at the reading's end, else the phase's end, else its start
// plus its duration, else never.
func Schedule(a *truce.Agreement) []PhaseSchedule {
	out := make([]PhaseSchedule, len(a.Phases))
	done := map[truce.PhaseID]*PhaseSchedule{}
	var build func(i int, depth int) *PhaseSchedule
	build = func(i int, depth int) *PhaseSchedule {
		ph := &a.Phases[i]
		if s, ok := done[ph.ID]; ok {
			return s
		}
		ps := &out[i]
		ps.Phase = ph
		done[ph.ID] = ps
		for _, r := range readingsOf(a, ph) {
			w := Window{Parties: r.Parties, Common: r.common, Zones: r.Zones, Note: r.Note, Source: r.Source,
				Territory: territory(ph.Territory, r.Territory)}
			switch ph.Start.Kind {
			case truce.StartFixed:
				w.InForce, w.Start = true, ph.Start.At
				if r.Start != nil {
					w.Start = *r.Start
				}
				w.why = msg("why.from", "From", timeArg(a, w.Start))
			case truce.StartAllAccept:
				w.InForce, w.Start, w.End, w.why = allAccept(a, ph)
				if r.Start != nil {
					w.InForce, w.Start = true, *r.Start
					w.why = msg("why.from", "From", timeArg(a, w.Start))
				}
			case truce.StartAfterHeld:
				w.why = msgN("why.starts_after", ph.Start.Days, "After", string(ph.Start.After))
				var prev *PhaseSchedule
				for j := range a.Phases {
					if a.Phases[j].ID == ph.Start.After && depth < len(a.Phases) {
						prev = build(j, depth+1)
					}
				}
				var pw *Window
				if prev != nil && len(r.Parties) > 0 {
					pw = prev.Window(r.Parties[0])
				}
				switch {
				case pw == nil || !pw.InForce:
					w.why = msgN("why.never_prev", ph.Start.Days, "After", string(ph.Start.After))
				default:
					start := addDays(a, pw.Start, ph.Start.Days)
					if !pw.End.IsZero() && pw.End.Before(start) {
						w.why = msgN("why.never_short", ph.Start.Days, "After", string(ph.Start.After), "End", timeArg(a, pw.End))
					} else {
						w.InForce, w.Start = true, start
						w.why = msgN("why.from_after", ph.Start.Days, "From", timeArg(a, start), "After", string(ph.Start.After))
					}
				}
				if r.Start != nil {
					w.InForce, w.Start = true, *r.Start
					w.why = msg("why.from", "From", timeArg(a, w.Start))
				}
			}
			if w.InForce {
				end := w.End
				switch {
				case r.End != nil:
					end = *r.End
				case ph.End != nil:
					end = minTime(end, *ph.End)
				case ph.Duration > 0:
					end = minTime(end, w.Start.Add(ph.Duration))
				}
				w.End = end
				if !w.End.IsZero() {
					if !w.End.After(w.Start) {
						w.InForce = false
						w.why = msg("why.never_inverted", "End", timeArg(a, w.End), "Start", timeArg(a, w.Start))
					} else {
						w.why = msg("why.until", "Why", w.why, "Until", endArg(a, w.End))
					}
				}
			}
			w.Why = speaker{l: i18n.English(), a: a}.say(w.why)
			w.why.en = w.Why // rendered once: every report judged under the window says it
			if !w.InForce {
				w.never = msg("reason.phase_why", "Phase", string(ph.ID), "Why", w.why)
				w.never.en = speaker{l: i18n.English(), a: a}.say(w.never)
			}
			ps.Windows = append(ps.Windows, w)
		}
		return ps
	}
	for i := range a.Phases {
		build(i, 0)
	}
	return out
}

// territory merges a reading's territory over the phase's.
func territory(phase, reading map[truce.PartyID][]truce.ZoneID) map[truce.PartyID][]truce.ZoneID {
	if len(reading) == 0 {
		return phase
	}
	out := make(map[truce.PartyID][]truce.ZoneID, len(phase)+len(reading))
	for p, z := range phase {
		out[p] = z
	}
	for p, z := range reading {
		out[p] = z
	}
	return out
}

type reading struct {
	truce.Reading
	common bool
}

// readingsOf returns the phase's named readings followed by the common
// reading of every party not named in one (if any).
func readingsOf(a *truce.Agreement, ph *truce.Phase) []reading {
	var out []reading
	named := map[truce.PartyID]bool{}
	for _, r := range ph.Readings {
		out = append(out, reading{Reading: r})
		for _, p := range r.Parties {
			named[p] = true
		}
	}
	var rest []truce.PartyID
	for _, p := range a.Parties {
		if !named[p.ID] {
			rest = append(rest, p.ID)
		}
	}
	if len(rest) > 0 {
		out = append(out, reading{Reading: truce.Reading{Parties: rest}, common: true})
	}
	return out
}

// allAccept finds the first interval in which every party of the rule has
// accepted the phase.
func allAccept(a *truce.Agreement, ph *truce.Phase) (inForce bool, start, end time.Time, why wording) {
	latest := map[truce.PartyID]*truce.Position{}
	all := func() bool {
		for _, p := range ph.Start.Parties {
			if pos := latest[p]; pos == nil || pos.Stance != truce.StanceAccepted {
				return false
			}
		}
		return true
	}
	for i := range a.Positions {
		pos := &a.Positions[i]
		if pos.Phase != ph.ID || !slices.Contains(ph.Start.Parties, pos.Party) {
			continue
		}
		latest[pos.Party] = pos
		switch ok := all(); {
		case ok && !inForce:
			inForce, start = true, pos.At
			why = msg("why.all_accepted", "From", timeArg(a, start), "Parties", partyList(ph.Start.Parties))
		case !ok && inForce:
			return true, start, pos.At, seq("", why, msg("why.ended", "Party", string(pos.Party), "Stance", stanceWords(pos.Stance), "Date", dateArg(a, pos.At)))
		}
	}
	if inForce {
		return inForce, start, time.Time{}, why
	}
	var missing []wording
	for _, p := range ph.Start.Parties {
		pos := latest[p]
		switch {
		case pos == nil:
			missing = append(missing, msg("why.no_position", "Party", string(p)))
		case pos.Stance != truce.StanceAccepted:
			s := msg("why.stance_on", "Party", string(p), "Stance", stanceWords(pos.Stance), "Date", dateArg(a, pos.At))
			if len(pos.Conditions) > 0 {
				// The conditions are the agreement's words, quoted as it writes them.
				conds := make([]string, len(pos.Conditions))
				for i, c := range pos.Conditions {
					conds[i] = strings.TrimSuffix(c, ".")
				}
				s = seq("", s, msg("why.on_conditions", "Conditions", strings.Join(conds, "; ")))
			}
			missing = append(missing, s)
		}
	}
	return false, time.Time{}, time.Time{}, msg("why.needs", "Parties", partyList(ph.Start.Parties), "Missing", seq("why.and_sep", missing...))
}

// stanceWords says what a party did with a phase, after its id: "made its
// acceptance conditional".
func stanceWords(s truce.Stance) wording {
	switch s {
	case truce.StanceAcceptedInPrinciple, truce.StanceConditional, truce.StanceProposed, truce.StanceRejected, truce.StanceWithdrawn:
		return msg("stance." + string(s))
	}
	return raw(string(s))
}

// dateArg is t's calendar date in the agreement's zone, as a wording
// argument.
func dateArg(a *truce.Agreement, t time.Time) any { return civilDay(t.In(a.Timezone)) }

func joinParties(ps []truce.PartyID) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func addDays(a *truce.Agreement, t time.Time, n int) time.Time {
	l := t.In(a.Timezone)
	return time.Date(l.Year(), l.Month(), l.Day()+n, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), a.Timezone).UTC()
}

// fmtTime formats an instant in the agreement's time zone: a date alone at
// local midnight, else date and time with the zone abbreviation.
func fmtTime(a *truce.Agreement, t time.Time) string {
	l := t.In(a.Timezone)
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return l.Format("2 January 2006")
	}
	return l.Format("2 January 2006 15:04 MST")
}

// timeArg is fmtTime as a wording argument.
func timeArg(a *truce.Agreement, t time.Time) any {
	l := t.In(a.Timezone)
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return civilDay(l)
	}
	return instant(l)
}

// endArg is fmtEnd as a wording argument.
func endArg(a *truce.Agreement, t time.Time) wording {
	l := t.In(a.Timezone)
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return msg("why.end_of", "Date", civilDay(l.AddDate(0, 0, -1)))
	}
	return msg("why.at", "At", instant(l))
}

// fmtEnd formats an exclusive end instant: local midnight reads as "the end
// of" the day before.
func fmtEnd(a *truce.Agreement, t time.Time) string {
	l := t.In(a.Timezone)
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return "the end of " + l.AddDate(0, 0, -1).Format("2 January 2006")
	}
	return l.Format("2 January 2006 15:04 MST")
}

// dayOf returns the 1-based calendar day of t within [start, end) in the
// agreement's time zone, and the number of calendar days (0 if open).
func dayOf(a *truce.Agreement, start, end, t time.Time) (day, days int) {
	d0 := civil(t.In(a.Timezone))
	s0 := civil(start.In(a.Timezone))
	day = d0 - s0 + 1
	if !end.IsZero() {
		days = civil(end.Add(-time.Nanosecond).In(a.Timezone)) - s0 + 1
	}
	return day, days
}

// civil returns a day number for t's calendar date in its own location.
func civil(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
