package adjudicate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"truce"
)

// releasedPrefix starts the note of a reading under which a release
// clause freed the actor (see released).
const releasedPrefix = "released: "

// Act is a judged act the timeline places: a violation verdict under at
// least one reading (the embedded Breach, whose Readings say under which),
// or an act judged released under at least one reading (Released). Its
// Status is its incident's review status.
type Act struct {
	truce.Breach
	// Released are the parties whose readings judged the act released by
	// a release clause.
	Released []truce.PartyID
}

// ActsOf returns the acts a judgement of report r records, one per
// finding about a named party that is a violation, or released, under
// some reading, whatever the commitment (unlike Judge.Breaches, which
// keeps only the commitments a release clause could rest on). incident
// and status are where the report stands in review.
func ActsOf(r *truce.Report, jd *truce.Judgement, incident truce.IncidentID, status truce.Status) []Act {
	var out []Act
	for _, f := range jd.Findings {
		if f.Party == "" {
			continue
		}
		act := Act{Breach: truce.Breach{Party: f.Party, Commitment: f.Commitment, At: r.Start, End: r.End,
			Report: r.ID, Incident: incident, Status: status}}
		for _, rr := range f.Readings {
			switch {
			case rr.Outcome == truce.OutcomeViolation:
				act.Readings = append(act.Readings, rr.Parties...)
			case rr.Outcome == truce.OutcomeNotProhibited && strings.HasPrefix(rr.Note, releasedPrefix):
				act.Released = append(act.Released, rr.Parties...)
			}
		}
		if len(act.Readings)+len(act.Released) > 0 {
			out = append(out, act)
		}
	}
	return out
}

// TimelineKind says what a timeline event is.
type TimelineKind string

// Timeline event kinds, in the order they are listed on one date.
const (
	// TimelineBound: a party's obligations under the phase begin.
	TimelineBound TimelineKind = "obligations_begin"
	// TimelineFirstBreach: a party's first breach a monitor verified.
	TimelineFirstBreach TimelineKind = "first_breach"
	// TimelineFirstViolation: a party's first violation verdict, not
	// verified by a monitor (listed only when it comes before the
	// party's first verified breach, or there is none).
	TimelineFirstViolation TimelineKind = "first_violation"
	// TimelineReleased: a party may first consider itself free of
	// commitments, by a release clause.
	TimelineReleased TimelineKind = "released"
	// TimelineReleasedAct: a later act of a released party, on a
	// commitment it was released from, judged released under the reading.
	TimelineReleasedAct TimelineKind = "released_act"
	// TimelineBreachAfterRelease: a later act of a released party, on a
	// commitment it was released from, still judged a violation under the
	// reading (judged before the releasing breach was known or verified).
	TimelineBreachAfterRelease TimelineKind = "breach_after_release"
	// TimelineEnd: the phase ends under the reading.
	TimelineEnd TimelineKind = "obligations_end"
)

var kindOrder = map[TimelineKind]int{TimelineBound: 0, TimelineFirstBreach: 1, TimelineFirstViolation: 2,
	TimelineReleased: 3, TimelineReleasedAct: 4, TimelineBreachAfterRelease: 5, TimelineEnd: 6}

// TimelineEvent is one dated event of a reading's timeline, with a plain
// sentence saying it.
type TimelineEvent struct {
	At          time.Time            `json:"at"`
	Kind        TimelineKind         `json:"kind"`
	Party       truce.PartyID        `json:"party,omitempty"`
	Commitments []truce.CommitmentID `json:"commitments,omitempty"`
	Report      truce.ReportID       `json:"report,omitempty"`
	Incident    truce.IncidentID     `json:"incident,omitempty"`
	// Verified says a monitor verified the event's incident (breaches).
	Verified bool `json:"verified"`
	// Status is the review status of the event's incident (breaches).
	Status truce.Status `json:"status,omitempty"`
	// By is the breaching party of a release.
	By truce.PartyID `json:"by,omitempty"`
	// Source is the release clause's source (e.g. KR-0325).
	Source string `json:"source,omitempty"`
	Text   string `json:"text"`
}

// PartyCount is how many acts of one party a reading found violations:
// all of them, and those a monitor verified.
type PartyCount struct {
	Party      truce.PartyID `json:"party"`
	Violations int           `json:"violations"`
	Verified   int           `json:"verified"`
	Released   int           `json:"released"`
}

// ReadingTimeline is the timeline of one phase under one reading.
type ReadingTimeline struct {
	Phase     truce.PhaseID `json:"phase"`
	PhaseName string        `json:"phase_name"`
	// Name names the reading: "energy, reading of RU", "black-sea,
	// common reading (RU, UA, US)".
	Name string `json:"name"`
	// Parties hold the reading.
	Parties []truce.PartyID `json:"parties"`
	Common  bool            `json:"common"`
	InForce bool            `json:"in_force"`
	Start   *time.Time      `json:"start,omitempty"`
	End     *time.Time      `json:"end,omitempty"`
	// Why says when the phase is in force under the reading, or why it
	// never was.
	Why    string          `json:"why"`
	Events []TimelineEvent `json:"events"`
	// Counts are, per bound party, its acts judged violations under the
	// reading (excluding incidents a monitor dismissed).
	Counts []PartyCount `json:"counts"`
	// Summary says in plain sentences who breached first and who was
	// released, or that no breach was verified.
	Summary string `json:"summary"`
}

// Timeline is an agreement's timeline per phase and reading: when each
// party's obligations began, who breached first, when each party could
// first consider itself free, and what followed. Readings are in the
// agreement's phase order, each phase's readings in its order.
type Timeline struct {
	Agreement truce.AgreementID `json:"agreement"`
	Readings  []ReadingTimeline `json:"readings"`
}

// Timeline builds the agreement's timeline from the acts known (see
// ActsOf; order does not matter). It is pure: the acts carry their review
// status. A release is placed as the judge applies it (the earliest
// releasing breach under the clause and reading, from its end or the
// released party's notice, plus the delay); acts of incidents a monitor
// dismissed are left out.
func (j *Judge) Timeline(acts []Act) Timeline {
	live := make([]Act, 0, len(acts))
	for _, a := range acts {
		if a.Status != truce.StatusDismissed {
			live = append(live, a)
		}
	}
	slices.SortStableFunc(live, func(x, y Act) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return strings.Compare(string(x.Report), string(y.Report))
	})
	tl := Timeline{Agreement: j.a.ID, Readings: []ReadingTimeline{}}
	for pi := range j.sched {
		ps := &j.sched[pi]
		for wi := range ps.Windows {
			tl.Readings = append(tl.Readings, j.readingTimeline(ps, &ps.Windows[wi], live))
		}
	}
	return tl
}

// readingTimeline is the timeline of phase ps under reading w.
func (j *Judge) readingTimeline(ps *PhaseSchedule, w *Window, acts []Act) ReadingTimeline {
	rt := ReadingTimeline{Phase: ps.Phase.ID, PhaseName: ps.Phase.Name, Name: readingName(ps.Phase.ID, w),
		Parties: w.Parties, Common: w.Common, InForce: w.InForce, Why: w.Why, Events: []TimelineEvent{}, Counts: []PartyCount{}}
	if !w.InForce {
		rt.Summary = fmt.Sprintf("Phase %s was %s. No party was bound by it under this reading.", ps.Phase.ID, w.Why)
		return rt
	}
	start, end := w.Start, w.End
	rt.Start = &start
	if !end.IsZero() {
		rt.End = &end
	}
	bound := phaseBoundParties(ps.Phase)
	for _, p := range bound {
		rt.Events = append(rt.Events, TimelineEvent{At: w.Start, Kind: TimelineBound, Party: p,
			Commitments: commitmentsBinding(ps.Phase, p),
			Text: fmt.Sprintf("%s's obligations under phase %s (%s) begin on %s.", p, ps.Phase.ID,
				joinCommitments(commitmentsBinding(ps.Phase, p)), fmtTime(j.a, w.Start))})
	}
	// Acts of this phase under this reading.
	var mine []Act
	for _, a := range acts {
		if phaseCommitment(ps.Phase, a.Commitment) && (overlaps(a.Readings, w.Parties) || overlaps(a.Released, w.Parties)) {
			mine = append(mine, a)
		}
	}
	var firstVerified *Act
	for _, p := range bound {
		pc := PartyCount{Party: p}
		var fv, fu *Act
		for i := range mine {
			a := &mine[i]
			if a.Party != p {
				continue
			}
			if overlaps(a.Released, w.Parties) {
				pc.Released++
				continue
			}
			pc.Violations++
			if a.Verified() {
				pc.Verified++
				if fv == nil {
					fv = a
				}
			} else if fu == nil {
				fu = a
			}
		}
		rt.Counts = append(rt.Counts, pc)
		if fv != nil {
			rt.Events = append(rt.Events, j.breachEvent(TimelineFirstBreach, fv))
			if firstVerified == nil || fv.At.Before(firstVerified.At) {
				firstVerified = fv
			}
		}
		if fu != nil && (fv == nil || fu.At.Before(fv.At)) {
			rt.Events = append(rt.Events, j.breachEvent(TimelineFirstViolation, fu))
		}
	}
	released := j.releases(ps, w, mine)
	rt.Events = append(rt.Events, released...)
	if !w.End.IsZero() {
		rt.Events = append(rt.Events, TimelineEvent{At: w.End, Kind: TimelineEnd,
			Text: fmt.Sprintf("Phase %s ends under this reading at %s.", ps.Phase.ID, fmtEnd(j.a, w.End))})
	}
	slices.SortStableFunc(rt.Events, func(x, y TimelineEvent) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return kindOrder[x.Kind] - kindOrder[y.Kind]
	})
	rt.Summary = j.summary(ps, rt, firstVerified, released)
	return rt
}

// breachEvent is a first breach or first violation verdict event.
func (j *Judge) breachEvent(kind TimelineKind, a *Act) TimelineEvent {
	ev := TimelineEvent{At: a.At, Kind: kind, Party: a.Party, Commitments: []truce.CommitmentID{a.Commitment},
		Report: a.Report, Incident: a.Incident, Verified: a.Verified(), Status: a.Status}
	where := fmt.Sprintf("report %s", a.Report)
	if a.Incident != "" && string(a.Incident) != string(a.Report) {
		where += fmt.Sprintf(", incident %s", a.Incident)
	}
	if kind == TimelineFirstBreach {
		ev.Text = fmt.Sprintf("%s's first breach verified by a monitor: %s on %s (%s).", a.Party, a.Commitment, fmtTime(j.a, a.At), where)
	} else {
		ev.Text = fmt.Sprintf("%s's first violation verdict, not verified by a monitor (%s): %s on %s (%s).",
			a.Party, statusWords(a.Status), a.Commitment, fmtTime(j.a, a.At), where)
	}
	return ev
}

// releases places, for each release clause that applies under w and each
// party it releases, when the party may first consider itself free, and
// the party's later acts on the commitments it was released from.
func (j *Judge) releases(ps *PhaseSchedule, w *Window, acts []Act) []TimelineEvent {
	var out []TimelineEvent
	for ri := range ps.Phase.Releases {
		rl := &ps.Phase.Releases[ri]
		if len(rl.Readings) > 0 && !overlaps(rl.Readings, w.Parties) {
			continue
		}
		for _, p := range rl.Released {
			var best *Act
			var bestAt time.Time
			for i := range acts {
				b := &acts[i].Breach
				if len(acts[i].Readings) == 0 || !releasing(rl, b, w, "") {
					continue
				}
				if at, ok := j.releaseStart(ps.Phase, rl, b, p); ok && (best == nil || at.Before(bestAt)) {
					best, bestAt = &acts[i], at
				}
			}
			if best == nil {
				continue
			}
			src := ""
			if rl.Source != "" {
				src = ", " + rl.Source
			}
			after := ""
			if !w.End.IsZero() && !bestAt.Before(w.End) {
				after = ", after the phase had ended"
			}
			out = append(out, TimelineEvent{At: bestAt, Kind: TimelineReleased, Party: p, Commitments: rl.From,
				Report: best.Report, Incident: best.Incident, Verified: best.Verified(), Status: best.Status, By: best.Party, Source: rl.Source,
				Text: fmt.Sprintf("%s may consider itself free of %s from %s%s (release clause of phase %s%s), by %s's breach of %s on %s (report %s, %s).",
					p, joinCommitments(rl.From), fmtTime(j.a, bestAt), after, ps.Phase.ID, src, best.Party, best.Commitment,
					fmtTime(j.a, best.At), best.Report, verification(rl, &best.Breach))})
			for i := range acts {
				a := &acts[i]
				if a.Party != p || !slices.Contains(rl.From, a.Commitment) || a.At.Before(bestAt) {
					continue
				}
				ev := TimelineEvent{At: a.At, Party: p, Commitments: []truce.CommitmentID{a.Commitment},
					Report: a.Report, Incident: a.Incident, Verified: a.Verified(), Status: a.Status}
				if overlaps(a.Released, w.Parties) {
					ev.Kind = TimelineReleasedAct
					ev.Text = fmt.Sprintf("%s's act on %s (report %s) is judged released under this reading: not prohibited.", p, fmtTime(j.a, a.At), a.Report)
				} else {
					ev.Kind = TimelineBreachAfterRelease
					ev.Text = fmt.Sprintf("%s's act on %s (report %s) is still judged a violation of %s under this reading: it was judged before the release was known; re-judging applies it.",
						p, fmtTime(j.a, a.At), a.Report, a.Commitment)
				}
				out = append(out, ev)
			}
		}
	}
	return out
}

// summary says in sentences who breached first, who was released, and
// the verdicts not verified.
func (j *Judge) summary(ps *PhaseSchedule, rt ReadingTimeline, first *Act, released []TimelineEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Phase %s is %s.", ps.Phase.ID, rt.Why)
	if first != nil {
		fmt.Fprintf(&b, " %s breached first, as a monitor verified: %s on %s (report %s).", first.Party, first.Commitment, fmtTime(j.a, first.At), first.Report)
	} else {
		b.WriteString(" No breach was verified by a monitor under this reading.")
	}
	var ctx []string
	for _, pc := range rt.Counts {
		if n := pc.Violations - pc.Verified; n > 0 {
			ctx = append(ctx, fmt.Sprintf("%d against %s", n, pc.Party))
		}
	}
	if len(ctx) > 0 {
		fmt.Fprintf(&b, " Reports judged violations under this reading, not verified by a monitor: %s.", strings.Join(ctx, ", "))
	} else if first == nil {
		b.WriteString(" No violation verdict either.")
	}
	var free []string
	for _, ev := range released {
		if ev.Kind == TimelineReleased {
			free = append(free, fmt.Sprintf("%s from %s", ev.Party, fmtTime(j.a, ev.At)))
		}
	}
	switch {
	case len(free) > 0:
		fmt.Fprintf(&b, " Released: %s.", strings.Join(free, "; "))
	case len(ps.Phase.Releases) > 0:
		b.WriteString(" No party could consider itself free under a release clause.")
	}
	return b.String()
}

// phaseBoundParties lists the parties the phase's commitments bind, in
// the order they first appear.
func phaseBoundParties(ph *truce.Phase) []truce.PartyID {
	var out []truce.PartyID
	for _, c := range ph.Commitments {
		for _, p := range c.Bound {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func commitmentsBinding(ph *truce.Phase, p truce.PartyID) []truce.CommitmentID {
	var out []truce.CommitmentID
	for i := range ph.Commitments {
		if ph.Commitments[i].Binds(p) {
			out = append(out, ph.Commitments[i].ID)
		}
	}
	return out
}

func phaseCommitment(ph *truce.Phase, id truce.CommitmentID) bool {
	for i := range ph.Commitments {
		if ph.Commitments[i].ID == id {
			return true
		}
	}
	return false
}

func joinCommitments(cs []truce.CommitmentID) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func statusWords(s truce.Status) string {
	if s == "" {
		return "not reviewed"
	}
	return string(s)
}

// readingName names reading w of phase ph.
func readingName(ph truce.PhaseID, w *Window) string {
	ps := make([]string, len(w.Parties))
	for i, p := range w.Parties {
		ps[i] = string(p)
	}
	if w.Common {
		return fmt.Sprintf("%s, common reading (%s)", ph, strings.Join(ps, ", "))
	}
	return fmt.Sprintf("%s, reading of %s", ph, strings.Join(ps, ", "))
}
