package claims

import (
	"fmt"
	"slices"
	"strings"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
)

// Result is what independent evidence says of one claim.
type Result struct {
	Claim  truce.ClaimID     `json:"claim"`
	Status truce.ClaimStatus `json:"status"`
	// Reason says, in plain words, what the status rests on.
	Reason string `json:"reason"`
	// Corroborated is set when an independent source reports the event:
	// for a corroborated claim and for a judged one alike.
	Corroborated bool `json:"corroborated"`
	// Verdict and Explanation carry over the judgement of a judged
	// claim's event; Verdict is the wire name of the outcome.
	Verdict     string `json:"verdict,omitempty"`
	Explanation string `json:"explanation,omitempty"`
	// Incidents are the matched incidents the status rests on: the
	// confirmed ones and the proposed ones no monitor rejected.
	Incidents []truce.IncidentID `json:"incidents"`
	// Proposals are the computed matches.
	Proposals []Proposal `json:"proposals"`
}

// Check matches c against the index and reads its status: Match then
// Status.
func Check(c *truce.Claim, ix *Index, decisions []truce.ClaimMatch) Result {
	return Status(c, Match(c, ix), decisions, ix)
}

// Status reads what the evidence of the matched incidents says of c.
// Monitors' decisions win over proposals: a rejected match never counts,
// a confirmed one always does (even when not proposed); a proposal no
// monitor decided counts, and the reason says it is unconfirmed.
// Decisions about other claims are ignored. The precedence of the
// statuses is in the package documentation.
func Status(c *truce.Claim, proposed []Proposal, decisions []truce.ClaimMatch, ix *Index) Result {
	res := Result{Claim: c.ID, Proposals: proposed, Incidents: []truce.IncidentID{}}
	decided := map[truce.IncidentID]truce.MatchDecision{}
	for _, d := range decisions {
		if d.Claim == c.ID {
			decided[d.Incident] = d.Decision
		}
	}
	var ids []truce.IncidentID
	vague := map[truce.IncidentID]bool{}
	rejected := 0
	for _, p := range proposed {
		if decided[p.Incident] == truce.MatchRejected {
			rejected++
			continue
		}
		ids = append(ids, p.Incident)
		vague[p.Incident] = p.Vague && decided[p.Incident] != truce.MatchConfirmed
	}
	for id, d := range decided {
		if d == truce.MatchConfirmed && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	r := reader{c: c, ix: ix, decided: decided, vague: vague}
	for _, id := range ids {
		if cand, ok := ix.Candidate(id); ok {
			r.read(cand)
		}
	}
	res.Incidents = append(res.Incidents, r.counted...)
	res.Status, res.Reason = r.status(len(proposed), rejected)
	res.Corroborated = r.support != nil
	if res.Status == truce.ClaimJudged {
		res.Verdict, res.Explanation = r.verdict.String(), r.explanation
	}
	return res
}

// item is one report that bears on a claim, with its incident.
type item struct {
	incident truce.IncidentID
	report   truce.ReportID
	actor    truce.PartyID
	decided  bool
	accused  bool // the report is the accused party's own account
}

// reader collects what the counted incidents' reports say of a claim.
type reader struct {
	c       *truce.Claim
	ix      *Index
	decided map[truce.IncidentID]truce.MatchDecision
	vague   map[truce.IncidentID]bool
	counted []truce.IncidentID

	support      *item // first independent report of the attack
	accusedNamed *item // first independent report naming the accused
	against      *item // first independent report naming another actor
	relayed      *item // first report in the claimant's own voice
	dismissed    []truce.IncidentID
	judged       *item
	verdict      truce.Outcome
	explanation  string
}

// read weighs the reports of one matched incident.
func (r *reader) read(cand *Candidate) {
	if cand.Status == truce.StatusDismissed {
		r.dismissed = append(r.dismissed, cand.Incident)
		return
	}
	r.counted = append(r.counted, cand.Incident)
	for i := range cand.Evidence {
		ev := &cand.Evidence[i]
		it := &item{incident: cand.Incident, report: ev.Report.ID, actor: actorOf(ev),
			decided: r.decided[cand.Incident] == truce.MatchConfirmed, accused: r.ix.controlledBy(ev, r.c.Accused)}
		if r.ix.controlledBy(ev, r.c.Claimant) {
			if r.relayed == nil {
				r.relayed = it
			}
			continue
		}
		if !attackHappened(ev) {
			continue
		}
		switch {
		case it.actor != "" && it.actor != r.c.Accused:
			// A wide-area match is not the same event enough to say
			// the claim is wrong about who acted.
			if r.against == nil && !r.vague[cand.Incident] {
				r.against = it
			}
			continue
		case it.actor == r.c.Accused && r.accusedNamed == nil:
			r.accusedNamed = it
		}
		if r.support == nil {
			r.support = it
		}
		if ev.Judgement != nil && len(ev.Judgement.Facts.Actions) > 0 {
			o, expl := r.ix.verdictAbout(ev.Judgement, r.c.Accused)
			if r.judged == nil || o > r.verdict {
				r.judged, r.verdict, r.explanation = it, o, expl
			}
		}
	}
}

// status decides the claim's status from what was read.
func (r *reader) status(proposed, rejected int) (truce.ClaimStatus, string) {
	if r.against != nil && r.accusedNamed == nil {
		src := "a source " + string(r.c.Claimant) + " does not control"
		if r.against.accused {
			src = string(r.c.Accused) + "'s own account"
		}
		return truce.ClaimContradicted, fmt.Sprintf("report %s (incident %s%s), %s, names %s as the actor, not %s",
			r.against.report, r.against.incident, how(r.against), src, r.against.actor, r.c.Accused)
	}
	conflict := ""
	if r.against != nil {
		conflict = fmt.Sprintf("; report %s names %s instead", r.against.report, r.against.actor)
	}
	if r.judged != nil {
		return truce.ClaimJudged, fmt.Sprintf("the event was judged %s on report %s (incident %s%s), an independent source%s",
			r.verdict, r.judged.report, r.judged.incident, how(r.judged), conflict)
	}
	if r.support != nil {
		return truce.ClaimCorroborated, fmt.Sprintf("report %s (incident %s%s), from a source %s does not control, reports the event%s",
			r.support.report, r.support.incident, how(r.support), r.c.Claimant, conflict)
	}
	if o, ok := r.ix.sawNothing(r.c); ok {
		return truce.ClaimContradicted, fmt.Sprintf("%s observed the claimed point for the whole claimed time and detected nothing, and no report of the event was found",
			cmpOr(o.Outlet, o.Source))
	}
	return truce.ClaimUnverified, r.unverified(proposed, rejected)
}

// unverified says why nothing bears on the claim.
func (r *reader) unverified(proposed, rejected int) string {
	var why []string
	switch {
	case r.relayed != nil:
		why = append(why, fmt.Sprintf("the matched reports (e.g. %s) relay %s's own statement or come from a source it controls", r.relayed.report, r.c.Claimant))
	case len(r.dismissed) > 0 && len(r.counted) == 0:
		why = append(why, fmt.Sprintf("the matched incidents were dismissed on review (%s)", joinIDs(r.dismissed)))
	case proposed > 0 && rejected == proposed && len(r.counted) == 0:
		why = append(why, "monitors rejected every proposed match")
	case len(r.counted) > 0:
		why = append(why, "the matched reports do not say the attack happened")
	default:
		why = append(why, "no report matches its time, place and kind")
	}
	if len(r.ix.opt.Reach) > 0 && !slices.Contains(r.ix.opt.Reach, r.c.SiteCountry) {
		why = append(why, fmt.Sprintf("the claimed site is in %s, where none of the independent sources reports (they cover %s)",
			cmpOr(r.c.SiteCountry, "a country not recorded"), strings.Join(r.ix.opt.Reach, ", ")))
	}
	if r.c.EventStart.IsZero() {
		why = append(why, "the claim gave no event date")
	}
	if r.c.PlacedBy == truce.NotPlaced {
		why = append(why, "the claim could not be placed")
	}
	return strings.Join(why, "; ") + ": absence of evidence is not contradiction"
}

// how says whether a match was confirmed by a monitor.
func how(it *item) string {
	if it.decided {
		return ", match confirmed by a monitor"
	}
	return ", proposed match not yet confirmed"
}

func joinIDs(ids []truce.IncidentID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// actorOf is who the report or its judgement says acted.
func actorOf(ev *Evidence) truce.PartyID {
	if ev.Judgement != nil && ev.Judgement.Facts.Perpetrator != "" {
		return ev.Judgement.Facts.Perpetrator
	}
	return ev.Report.Perpetrator
}

// attackHappened reports whether the report says an attack happened: not
// denied, planned, foiled or otherwise hedged (the judge's modality).
func attackHappened(ev *Evidence) bool {
	return ev.Judgement == nil || ev.Judgement.Facts.Modality == ""
}

// controlledBy reports whether ev is party p's own voice: submitted by p,
// from an outlet or source p controls, or relaying one of p's voices.
func (ix *Index) controlledBy(ev *Evidence, p truce.PartyID) bool {
	r := ev.Report
	if ev.Party == p || (r.Outlet != "" && ix.opt.Controlled[r.Outlet] == p) || ix.opt.Controlled[r.Source] == p {
		return true
	}
	if len(ix.voice[p]) == 0 {
		return false
	}
	ws := words(r.Text)
	for _, v := range ix.voice[p] {
		if hasPhrase(ws, v) {
			return true
		}
	}
	return false
}

// hasPhrase reports whether the words ph occur in order in ws; a word of
// ph ending in "*" matches any word it begins.
func hasPhrase(ws, ph []string) bool {
	for i := 0; i+len(ph) <= len(ws); i++ {
		ok := true
		for k, p := range ph {
			w := ws[i+k]
			if pre, star := strings.CutSuffix(p, "*"); star {
				ok = strings.HasPrefix(w, pre)
			} else {
				ok = w == p
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// verdictAbout returns the most severe outcome of jd's findings about
// party p, with its explanation: every finding when no agreement was
// given, else those naming p and those with no perpetrator under a
// commitment that binds p alone.
func (ix *Index) verdictAbout(jd *truce.Judgement, p truce.PartyID) (truce.Outcome, string) {
	if ix.opt.Agreement == nil {
		return jd.Outcome, jd.Explanation
	}
	var best truce.Outcome
	expl := ""
	for _, f := range jd.Findings {
		if concerns(ix.opt.Agreement, f, p) && f.Outcome > best {
			best, expl = f.Outcome, f.Explanation
		}
	}
	if best == 0 {
		return jd.Outcome, jd.Explanation
	}
	return best, expl
}

// concerns reports whether finding f is about party p under agreement a.
func concerns(a *truce.Agreement, f truce.Finding, p truce.PartyID) bool {
	if f.Party != "" {
		return f.Party == p
	}
	return soleBound(a, f.Commitment) == p
}

// sawNothing returns an observation that covered c's point for its whole
// claimed time and detected nothing. Only a claim placed on a point
// (its site, or a position precise to adjudicate.PointPreciseMeters) with
// an event date can be contradicted so: a settlement's centre is not
// where the facility is.
func (ix *Index) sawNothing(c *truce.Claim) (Observation, bool) {
	if c.EventStart.IsZero() || c.PlacedBy == truce.NotPlaced ||
		(c.PlacedBy != truce.PlacedBySite && c.LocationPrecisionMeters > adjudicate.PointPreciseMeters) {
		return Observation{}, false
	}
	for _, o := range ix.opt.Observations {
		if o.Detections == 0 && !o.Start.After(c.EventStart) && !o.End.Before(c.EventEnd) &&
			geo.Distance(o.Location, c.Location)+c.LocationPrecisionMeters <= o.RadiusMeters {
			return o, true
		}
	}
	return Observation{}, false
}
