package adjudicate

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"truce"
	"truce/internal/geo"
)

// Field monitoring (issue 19): the monitors' own observations and the
// restrictions of their access, judged against the terms in force at
// their time and place.

// compassDegrees are the bearings of the compass points an observation
// may give.
var compassDegrees = map[string]float64{"N": 0, "NNE": 22.5, "NE": 45, "ENE": 67.5, "E": 90, "ESE": 112.5, "SE": 135,
	"SSE": 157.5, "S": 180, "SSW": 202.5, "SW": 225, "WSW": 247.5, "W": 270, "WNW": 292.5, "NW": 315, "NNW": 337.5}

// ObservedPlace is where an observed event lies, as far as the
// observation says: with a direction and a distance band, the middle of
// the band in that direction, within half the band plus the width of a
// compass sector (±11.25°); with a band only, the observer's position
// within the band's far edge; with neither, the observer's position.
func ObservedPlace(o *truce.Observation) (p geo.Point, precisionMeters float64) {
	bearing, hasDir := compassDegrees[o.Direction]
	switch {
	case o.DistanceMaxMeters > 0 && hasDir:
		mid := (o.DistanceMinMeters + o.DistanceMaxMeters) / 2
		sector := mid * math.Sin(11.25*math.Pi/180)
		return geo.Destination(o.Position, bearing, mid), math.Ceil((o.DistanceMaxMeters-o.DistanceMinMeters)/2 + sector)
	case o.DistanceMaxMeters > 0:
		return o.Position, o.DistanceMaxMeters
	}
	return o.Position, 0
}

// ObservationReport is the report an observation is judged as: an
// attack (the SMM counted every kind, illumination flares included, as a
// ceasefire violation) by the party the monitors attribute it to, if
// any, at the observed place, over the observation's time window.
func ObservationReport(o *truce.Observation) *truce.Report {
	p, prec := ObservedPlace(o)
	end := o.End
	if !end.After(o.Start) {
		end = o.Start.Add(time.Minute) // a single sighting: its minute
	}
	return &truce.Report{ID: truce.ReportID(o.ID), Source: "monitors", Outlet: o.Monitor, Start: o.Start, End: end,
		Precision: truce.PrecisionExact, Location: p, LocationPrecisionMeters: prec, Place: o.Area, Perpetrator: o.Party,
		Actions: []truce.Action{truce.ActionAttack}}
}

// JudgeObservation judges a monitors' observation of ceasefire
// violations against every commitment. Only a commitment that prohibits
// attacks on any target (a full ceasefire) can prohibit it: an
// observation of firing establishes no target, so a commitment that
// protects certain targets (the energy moratorium) does not apply. An
// observation the monitors attribute to no party is undetermined where
// it is prohibited: the party that fired is missing.
func (j *Judge) JudgeObservation(o *truce.Observation) truce.Judgement {
	r := ObservationReport(o)
	c := j.newCase(r)
	if o.Party == "" {
		c.perpNote = msg("note.monitors_no_side")
		c.facts.PerpetratorNote = c.en(c.perpNote)
	}
	jd := truce.Judgement{Report: r.ID, Facts: c.facts}
	best, bestScore := -1, -1
	for pi := range j.sched {
		ps := &j.sched[pi]
		for ci := range ps.Phase.Commitments {
			cm := &ps.Phase.Commitments[ci]
			f, score := truce.Finding{Commitment: cm.ID, Phase: ps.Phase.ID, Party: o.Party, Outcome: truce.OutcomeNotProhibited}, 0
			if slices.Contains(cm.Categories, truce.CategoryAny) {
				f, score = c.judge(ps, cm)
			} else {
				f.Reason = fmt.Sprintf("%s protects only %s, and an observation of firing establishes no target", cm.ID, categoryNames(j.a, cm.Categories))
				f.Explanation = fmt.Sprintf("Not prohibited under %s (phase %s, %s): %s.", cm.ID, ps.Phase.ID, ps.Phase.Name, f.Reason)
			}
			jd.Findings = append(jd.Findings, f)
			if rank := int(f.Outcome)*100 + score; rank > bestScore {
				best, bestScore = len(jd.Findings)-1, rank
			}
		}
	}
	jd.Outcome, jd.Explanation = truce.OutcomeNotProhibited, "Not prohibited: the agreement has no commitments."
	if best >= 0 {
		jd.Outcome, jd.Explanation = jd.Findings[best].Outcome, jd.Findings[best].Explanation
	}
	jd.Explanation = ObservationPhrase(o) + " " + jd.Explanation
	return jd
}

// ObservationPhrase says in plain words what the monitors observed:
// "Monitors (patrol A) saw and heard 12 explosions (impact) 3-5 km SE of
// their position near Horlivka, 31 Mar 2025 18:05-18:40 UTC."
func ObservationPhrase(o *truce.Observation) string {
	var b strings.Builder
	b.WriteString("Monitors")
	if o.Monitor != "" {
		fmt.Fprintf(&b, " (%s)", o.Monitor)
	}
	sensed := map[truce.Sensed]string{truce.SensedSeen: "saw", truce.SensedHeard: "heard", truce.SensedBoth: "saw and heard"}[o.Sensed]
	fmt.Fprintf(&b, " %s %d %s", sensed, o.Count, kindWords(o.Kind, o.Count))
	if o.Explosion != "" {
		fmt.Fprintf(&b, " (%s)", o.Explosion)
	}
	if o.Weapon != "" {
		fmt.Fprintf(&b, " of %s", o.Weapon)
	}
	switch {
	case o.DistanceMaxMeters > 0 && o.DistanceMinMeters != o.DistanceMaxMeters:
		fmt.Fprintf(&b, " %g-%g km", o.DistanceMinMeters/1000, o.DistanceMaxMeters/1000)
	case o.DistanceMaxMeters > 0:
		fmt.Fprintf(&b, " %g km", o.DistanceMaxMeters/1000)
	}
	if o.Direction != "" {
		fmt.Fprintf(&b, " %s of their position", o.Direction)
	}
	if o.Area != "" {
		fmt.Fprintf(&b, " near %s", o.Area)
	}
	fmt.Fprintf(&b, ", %s", o.Start.UTC().Format("2 Jan 2006 15:04"))
	if o.End.After(o.Start) {
		fmt.Fprintf(&b, "-%s", o.End.UTC().Format("15:04"))
	}
	b.WriteString(" UTC")
	if o.Means != truce.MeansPatrol {
		fmt.Fprintf(&b, ", by %s", map[truce.ObservationMeans]string{truce.MeansCamera: "camera", truce.MeansUAV: "UAV"}[o.Means])
	}
	b.WriteString(".")
	return b.String()
}

// kindNames are each kind's name, singular and plural.
var kindNames = map[truce.ObservedKind][2]string{
	truce.ObservedExplosion:    {"explosion", "explosions"},
	truce.ObservedProjectile:   {"projectile in flight", "projectiles in flight"},
	truce.ObservedMuzzleFlash:  {"muzzle flash", "muzzle flashes"},
	truce.ObservedIllumination: {"illumination flare", "illumination flares"},
	truce.ObservedBurst:        {"burst or shot", "bursts and shots"},
}

// kindWords names n observations of kind k.
func kindWords(k truce.ObservedKind, n int) string {
	if n == 1 {
		return kindNames[k][0]
	}
	return kindNames[k][1]
}
