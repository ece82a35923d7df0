package adjudicate

import (
	"fmt"
	"slices"
	"time"

	"truce"
)

// actor is the party taken to have acted under a reading: the perpetrator
// the facts name, else the one a repelled attack makes it.
func (c *rcase) actor(e *eval) truce.PartyID {
	if c.facts.Perpetrator != "" {
		return c.facts.Perpetrator
	}
	return e.repelledBy
}

// evalSide is the test of whose facilities the act struck, for a
// commitment that protects only the other side's (Commitment.OtherSide;
// the labelling policy, rule 5): an act on a place the actor holds on the
// act's date is not prohibited, nor, where the readings disagree about
// whose territory the place is, an act on a place this reading counts as
// the actor's own (see evalTerritory). A location
// whose precision reaches the line leaves the exact location missing. It
// returns why not prohibited, or "".
func (c *rcase) evalSide(ps *PhaseSchedule, w *Window, cm *truce.Commitment, e *eval) string {
	p := c.actor(e)
	if !cm.OtherSide || p == "" {
		return ""
	}
	a := c.j.a
	unsure := ""
	for _, z := range c.j.held[p] {
		in, near := c.inZone(z.ID, nil)
		if in && !near {
			return fmt.Sprintf("%s holds the place %s (%s): a strike on a place it holds is not a strike on the other side's facilities",
				p, c.onDate(), heldName(z, c.r.Start))
		}
		if near && unsure == "" {
			unsure = fmt.Sprintf("the exact location: the report is placed to within %s, and the line of %s (%s) is nearer than that", km(c.zonePrec), zoneName(a, z.ID), heldName(z, c.r.Start))
		}
	}
	if reason := c.evalTerritory(ps, w, p); reason != "" {
		return reason
	}
	if unsure != "" && !slices.ContainsFunc(e.missing, func(m wording) bool { return m.raw == unsure }) {
		e.missing = append(e.missing, raw(unsure))
	}
	return ""
}

// evalTerritory is the territory half of evalSide: where the readings
// disagree about whose territory the place is, an act by p on a place this
// reading counts as p's own is not a strike on the other side's
// facilities (so the verdict is disputed). Where every reading agrees,
// the holding decides (the policy's rules 5 and 6). Territory is tested
// on the report's point: the commitment's own zones and the line of
// contact already weigh its precision.
func (c *rcase) evalTerritory(ps *PhaseSchedule, w *Window, p truce.PartyID) string {
	if len(w.Territory) == 0 {
		return ""
	}
	a := c.j.a
	own := c.territoryOf(w, p)
	if own == "" {
		return ""
	}
	for _, q := range a.Parties {
		if q.ID != p && c.territoryOf(w, q.ID) != "" {
			return "" // another party's too under this reading
		}
	}
	for i := range ps.Windows {
		o := &ps.Windows[i]
		if o == w {
			continue
		}
		for _, q := range a.Parties {
			if q.ID == p {
				continue
			}
			if z := c.territoryOf(o, q.ID); z != "" {
				return fmt.Sprintf("under this reading the place is %s's own territory (%s), not the other side's; the reading of %s counts it as %s's (%s)",
					p, zoneName(a, own), joinParties(o.Parties), q.ID, zoneName(a, z))
			}
		}
	}
	return ""
}

// territoryOf returns the zone of party p's territory under reading w that
// holds the report's point, or "".
func (c *rcase) territoryOf(w *Window, p truce.PartyID) truce.ZoneID {
	for _, z := range w.Territory[p] {
		if slices.Contains(c.facts.Zones, z) {
			return z
		}
	}
	return ""
}

// heldName names the geometry a held zone has on date t.
func heldName(z *truce.Zone, t time.Time) string {
	if len(z.Dated) == 0 {
		return z.Name
	}
	return fmt.Sprintf("%s, line of %s", z.Name, z.SourceAt(t))
}

// onDate says the report's date: "on 18 March 2025".
func (c *rcase) onDate() string {
	return "on " + c.r.Start.In(c.j.a.Timezone).Format("2 January 2006")
}

// released is the release test: whether a release clause of the phase
// frees the actor from cm under reading w, by a breach known at judging
// time, before the act. It returns the reason (naming the breach and its
// verification status), or "".
func (c *rcase) released(ps *PhaseSchedule, w *Window, cm *truce.Commitment, e *eval) string {
	p := c.actor(e)
	if len(c.breaches) == 0 || p == "" || e.outcome == truce.OutcomeNotProhibited {
		return ""
	}
	var best *truce.Breach
	var bestAt time.Time
	var bestRl *truce.Release
	for ri := range ps.Phase.Releases {
		rl := &ps.Phase.Releases[ri]
		if !rl.Releases(p, cm.ID) || (len(rl.Readings) > 0 && !overlaps(rl.Readings, w.Parties)) {
			continue
		}
		for bi := range c.breaches {
			b := &c.breaches[bi]
			if !releasing(rl, b, w, c.r.ID) {
				continue
			}
			at, ok := c.j.releaseStart(ps.Phase, rl, b, p)
			if !ok || c.r.Start.Before(at) {
				continue
			}
			if best == nil || at.Before(bestAt) {
				best, bestAt, bestRl = b, at, rl
			}
		}
	}
	if best == nil {
		return ""
	}
	a := c.j.a
	src := ""
	if bestRl.Source != "" {
		src = ", " + bestRl.Source
	}
	return fmt.Sprintf("released: %s may consider itself free of %s from %s under this reading (release clause of phase %s%s), by %s's breach of %s on %s (report %s, incident %s, %s)",
		p, cm.ID, fmtInstant(a, bestAt), ps.Phase.ID, src, best.Party, best.Commitment, fmtInstant(a, best.At), best.Report, best.Incident, verification(bestRl, best))
}

// releasing reports whether breach b can release under clause rl and
// reading w: a breach of one of its commitments by one of its parties, a
// violation under this reading, verified when the clause rests on
// verified breaches, and not the report being judged.
func releasing(rl *truce.Release, b *truce.Breach, w *Window, self truce.ReportID) bool {
	switch {
	case b.Report == self && self != "":
		return false
	case !slices.Contains(rl.By, b.Party) || !slices.Contains(rl.Of, b.Commitment):
		return false
	case len(b.Readings) > 0 && !overlaps(b.Readings, w.Parties):
		return false
	case rl.RestsOn != truce.ReleaseOnViolation && !b.Verified():
		return false
	}
	return true
}

// releaseStart is when clause rl frees party p by breach b: the breach,
// (once it had surely happened: its End), or p's notice (its first
// position on the phase at or after the breach that withdraws or rejects
// it), plus the clause's delay.
func (j *Judge) releaseStart(ph *truce.Phase, rl *truce.Release, b *truce.Breach, p truce.PartyID) (time.Time, bool) {
	at := b.End
	if at.IsZero() {
		at = b.At
	}
	if rl.Starts == truce.ReleaseAtNotice {
		found := false
		for _, pos := range j.a.Positions {
			if pos.Party == p && pos.Phase == ph.ID && !pos.At.Before(b.At) &&
				(pos.Stance == truce.StanceWithdrawn || pos.Stance == truce.StanceRejected) {
				at, found = pos.At, true
				break
			}
		}
		if !found {
			return time.Time{}, false
		}
	}
	return at.Add(rl.Delay), true
}

// verification says what the breach's release rests on.
func verification(rl *truce.Release, b *truce.Breach) string {
	if b.Verified() {
		return "verified by a monitor"
	}
	st := string(b.Status)
	if st == "" {
		st = "not reviewed"
	}
	return fmt.Sprintf("not verified by a monitor (%s); the clause rests on any violation verdict", st)
}

func overlaps(a, b []truce.PartyID) bool {
	for _, p := range a {
		if slices.Contains(b, p) {
			return true
		}
	}
	return false
}

// HasReleases reports whether the agreement has a release clause, so that
// callers know whether the breaches known at judging time matter.
func (j *Judge) HasReleases() bool {
	for i := range j.a.Phases {
		if len(j.a.Phases[i].Releases) > 0 {
			return true
		}
	}
	return false
}

// Breaches returns the breaches a judgement of report r records that a
// release clause of the agreement could rest on: one per finding that is
// a violation under some reading of a commitment a clause names as
// releasing, with the readings under which it is one. incident and
// status are where the report stands in review.
func (j *Judge) Breaches(r *truce.Report, jd *truce.Judgement, incident truce.IncidentID, status truce.Status) []truce.Breach {
	var out []truce.Breach
	for _, f := range jd.Findings {
		if f.Party == "" || (f.Outcome != truce.OutcomeViolation && f.Outcome != truce.OutcomeDisputed) || !j.releasingCommitment(f.Commitment) {
			continue
		}
		b := truce.Breach{Party: f.Party, Commitment: f.Commitment, At: r.Start, End: r.End, Report: r.ID, Incident: incident, Status: status}
		for _, rr := range f.Readings {
			if rr.Outcome == truce.OutcomeViolation {
				b.Readings = append(b.Readings, rr.Parties...)
			}
		}
		out = append(out, b)
	}
	return out
}

func (j *Judge) releasingCommitment(id truce.CommitmentID) bool {
	for i := range j.a.Phases {
		for _, rl := range j.a.Phases[i].Releases {
			if slices.Contains(rl.Of, id) {
				return true
			}
		}
	}
	return false
}
