package adjudicate

import (
	"slices"
	"strings"
	"time"

	"truce"
)

// eval is a commitment's outcome under one reading.
type eval struct {
	w       *Window
	outcome truce.Outcome
	reason  wording // why not prohibited
	why     wording // when the phase is in force, if that is the reason
	// noteEN and whyEN are note() and why in English, rendered once.
	noteEN, whyEN string
	missing       []wording // facts that are missing
	score         int       // how many tests passed: ranks the most relevant finding
	day           int
	days          int
	zone          truce.ZoneID // the commitment's zone the report falls in
	inZone        truce.ZoneID // the same after the reading's substitution
	// repelledBy is the party taken to have made a repelled attack.
	repelledBy truce.PartyID
	unstated   bool // the kind of the covered category was not stated
}

// catFact is the target category as established for one commitment.
type catFact struct {
	cat       truce.CategoryID
	basis     truce.Basis
	note      wording
	site      *truce.SiteMatch
	uncertain wording // set when only the location's imprecision ties it to a site
	// unclear, when set, says why the target is not known (power lost,
	// blasts near it): the verdict is undetermined.
	unclear wording
	// notCovered, when set, says why the words that look like a target
	// are not one.
	notCovered wording
}

func (c *rcase) categoryFor(cm *truce.Commitment) catFact {
	f := &c.facts
	switch f.CategoryBasis {
	case truce.BasisExplicit:
		return catFact{cat: f.Category, basis: f.CategoryBasis, note: c.catNote}
	}
	if c.r.Site != "" && f.Site != nil {
		return catFact{cat: f.Category, basis: truce.BasisSite, note: c.catNote, site: f.Site}
	}
	switch c.textRel {
	case "outage":
		return catFact{unclear: msg("target.outage", "Words", quoted(c.textRelWords))}
	case "near":
		return catFact{unclear: msg("target.near", "Rel", quoted(c.textRelWords), "Words", quoted(c.textWord))}
	case "person":
		return catFact{notCovered: msg("target.person", "Words", quoted(c.textWord), "Rel", quoted(c.textRelWords))}
	}
	// A site within the radius is the target when the report places the
	// event on a point; for a report placed at a settlement it only says
	// which site a target the text names is.
	textCovered := c.textCat != "" && coverage(cm.Categories, c.textCat) != notCovered
	if c.pointPrecise() || textCovered {
		for _, s := range c.near {
			cat := c.j.siteCat[s.i]
			if cat == "" || coverage(cm.Categories, cat) != covered {
				continue
			}
			if c.textCat != "" && !c.textCat.Covers(cat) && !cat.Covers(c.textCat) {
				continue
			}
			sm := c.siteMatch(s)
			cf := catFact{cat: cat, basis: truce.BasisSite, site: sm, note: msg("note.site_away", "Site", sm.Name, "Distance", dist(s.meters))}
			if c.textCat != "" {
				cf.note = msg("note.text_site_away", "Words", quoted(c.textWord), "Site", sm.Name, "Distance", dist(s.meters))
			}
			if s.meters > c.radius {
				if textCovered {
					break // the text settles it without the uncertain site
				}
				cf.uncertain = msg("missing.site_beyond_radius", "Site", sm.Name, "Distance", dist(s.meters), "Radius", dist(c.radius), "Precision", dist(c.prec))
			}
			return cf
		}
	}
	if c.textCat != "" {
		return catFact{cat: c.textCat, basis: truce.BasisText, note: msg("note.text_says", "Words", quoted(c.textWord))}
	}
	return catFact{}
}

type cover uint8

const (
	notCovered cover = iota
	covered
	partly // the category is broader than what is covered: its kind is missing
)

func coverage(list []truce.CategoryID, cat truce.CategoryID) cover {
	res := notCovered
	for _, c := range list {
		if c.Covers(cat) {
			return covered
		}
		if cat != "" && cat.Covers(c) {
			res = partly
		}
	}
	return res
}

// judge evaluates one commitment under every reading of its phase.
func (c *rcase) judge(ps *PhaseSchedule, cm *truce.Commitment) (truce.Finding, int) {
	f := truce.Finding{Commitment: cm.ID, Phase: ps.Phase.ID, Party: c.facts.Perpetrator}
	var cf catFact
	if !slices.Contains(cm.Categories, truce.CategoryAny) {
		cf = c.categoryFor(cm)
	}
	evals := make([]eval, len(ps.Windows))
	for i := range ps.Windows {
		evals[i] = c.evalReading(ps, &ps.Windows[i], cm, cf)
	}
	var nV, nNP, nU int
	var missing []wording
	best := 0
	for i := range evals {
		e := &evals[i]
		e.noteEN = c.en(e.note())
		switch e.outcome {
		case truce.OutcomeViolation:
			nV++
		case truce.OutcomeNotProhibited:
			nNP++
		default:
			nU++
		}
		if e.score > evals[best].score {
			best = i
		}
		f.Readings = append(f.Readings, truce.ReadingResult{
			Parties: e.w.Parties, Outcome: e.outcome, Day: e.day, Days: e.days, Note: e.noteEN,
		})
		if e.zone != "" && f.Zone == "" {
			f.Zone = e.zone
		}
		if f.Party == "" && e.repelledBy != "" {
			f.Party = e.repelledBy
		}
		for _, m := range e.missing {
			if s := c.en(m); !slices.Contains(f.Missing, s) {
				f.Missing, missing = append(f.Missing, s), append(missing, m)
			}
		}
	}
	switch {
	case nV > 0 && nNP > 0:
		f.Outcome = truce.OutcomeDisputed
	case nV == len(evals):
		f.Outcome = truce.OutcomeViolation
	case nU > 0:
		f.Outcome = truce.OutcomeUndetermined
	default:
		f.Outcome = truce.OutcomeNotProhibited
		f.Reason = evals[best].noteEN // a reading not prohibited notes its reason
	}
	if f.Outcome != truce.OutcomeUndetermined {
		f.Missing, missing = nil, nil
	}
	ex := c.explain(ps, cm, cf, &f, evals, missing)
	f.Explanation = c.en(ex)
	if c.keep {
		c.explained = append(c.explained, ex)
	}
	return f, evals[best].score
}

func (e *eval) note() wording {
	switch e.outcome {
	case truce.OutcomeNotProhibited:
		return e.reason
	case truce.OutcomeUndetermined:
		return msg("reading.missing", "Missing", seq("list.semicolon", e.missing...))
	}
	return msg("reading.breached")
}

// notProhibited marks the reading's commitment as not prohibiting the
// report, for the given reason, and returns the outcome.
func (e *eval) notProhibited(reason wording) eval {
	e.outcome, e.reason, e.missing = truce.OutcomeNotProhibited, reason, nil
	return *e
}

// evalReading evaluates a commitment under one reading, test by test: the
// time, the perpetrator, the action, the place, the target and the
// exceptions. A test that rules the commitment out makes the outcome not
// prohibited; a fact a test needs and lacks makes it undetermined.
func (c *rcase) evalReading(ps *PhaseSchedule, w *Window, cm *truce.Commitment, cf catFact) eval {
	e := eval{w: w, outcome: truce.OutcomeViolation}
	if reason := c.evalTime(ps, w, &e); !reason.isZero() {
		return e.notProhibited(reason)
	}
	if reason := c.evalPerpetrator(w, cm, &e); !reason.isZero() {
		return e.notProhibited(reason)
	}
	if reason := c.evalAction(cm, &e); !reason.isZero() {
		return e.notProhibited(reason)
	}
	if reason := c.evalPlace(w, cm, &e); !reason.isZero() {
		return e.notProhibited(reason)
	}
	if reason := c.evalSide(ps, w, cm, &e); reason != "" {
		return e.notProhibited(raw(reason))
	}
	if reason := c.evalTarget(cm, cf, &e); !reason.isZero() {
		return e.notProhibited(reason)
	}
	for _, ex := range cm.Exceptions {
		if c.exceptionApplies(&ex, cf.cat, w.Zones) {
			return e.notProhibited(msg("reason.exception", "Commitment", string(cm.ID), "Description", ex.Description))
		}
	}
	if reason := c.released(ps, w, cm, &e); reason != "" {
		return e.notProhibited(raw(reason))
	}
	if len(e.missing) > 0 {
		e.outcome = truce.OutcomeUndetermined
	}
	return e
}

// evalTime is the time test: whether the phase was in force under the
// reading when the report's event happened. It returns why not, or "".
func (c *rcase) evalTime(ps *PhaseSchedule, w *Window, e *eval) wording {
	a, r := c.j.a, c.r
	if !w.InForce {
		return w.never
	}
	switch {
	case !r.End.After(w.Start) || (!w.End.IsZero() && !r.Start.Before(w.End)):
		e.why, e.whyEN = w.why, w.Why
		return c.notInForce(ps)
	case r.Start.Before(w.Start):
		e.missing = append(e.missing, msg("missing.time_start", "Span", c.span(), "At", instant(w.Start)))
	case !w.End.IsZero() && r.End.After(w.End):
		e.missing = append(e.missing, msg("missing.time_end", "Span", c.span(), "At", instant(w.End)))
	default:
		e.score++
		e.day, e.days = dayOf(a, w.Start, w.End, r.Start)
	}
	return wording{}
}

// notInForce is the reason a report is not prohibited under a reading of
// phase ps that was not in force at its time, rendered in English once
// for the report: every commitment of the phase, under every such
// reading, gives it.
func (c *rcase) notInForce(ps *PhaseSchedule) wording {
	for _, n := range c.notInForceOf {
		if n.phase == ps.Phase.ID {
			return n.reason
		}
	}
	w := msg("reason.phase_not_in_force", "Phase", string(ps.Phase.ID), "When", c.when())
	w.en = c.en(w)
	c.notInForceOf = append(c.notInForceOf, phaseReason{ps.Phase.ID, w})
	return w
}

// phaseReason is a reason kept for one phase (rcase.notInForceOf).
type phaseReason struct {
	phase  truce.PhaseID
	reason wording
}

// evalPerpetrator is the perpetrator test: whether the commitment binds
// the party that attacked. An attack repelled on the territory a bound
// party must not strike was made by that party: the other side reports it.
// It returns why the commitment does not apply, or "".
func (c *rcase) evalPerpetrator(w *Window, cm *truce.Commitment, e *eval) wording {
	f := &c.facts
	p := f.Perpetrator
	if p == "" && c.repelled && len(cm.Bound) == 1 && c.inAnyZone(cm, w.Zones) {
		p = cm.Bound[0]
		e.repelledBy = p
	}
	switch {
	case p == "":
		e.missing = append(e.missing, msg("missing.perpetrator", "Note", c.perpNote))
	case !cm.Binds(p):
		return msg("reason.not_bound", "Party", string(p), "Commitment", string(cm.ID), "Bound", partyList(cm.Bound))
	default:
		e.score++
	}
	return wording{}
}

// evalAction is the action test: whether the commitment prohibits what
// the report says was done. It returns why not, or "".
func (c *rcase) evalAction(cm *truce.Commitment, e *eval) wording {
	f := &c.facts
	switch act := actionCover(cm.Actions, f.Actions); {
	case len(f.Actions) == 0 && f.Modality != "":
		return msg("reason.no_attack_modality", "Modality", modalityPhrase(f))
	case len(f.Actions) == 0:
		return msg("reason.no_attack")
	case act == covered:
		e.score++
	case act == partly:
		e.missing = append(e.missing, msg("missing.attack_kind", "Reported", actList(f.Actions), "Commitment", string(cm.ID), "Prohibited", actList(cm.Actions)))
	default:
		return msg("reason.action_not_prohibited", "Reported", actList(f.Actions), "Commitment", string(cm.ID), "Prohibited", actList(cm.Actions))
	}
	return wording{}
}

// evalPlace is the place test: whether the report lies in one of the
// commitment's zones, after the reading's substitutions. It returns why
// not, or "".
func (c *rcase) evalPlace(w *Window, cm *truce.Commitment, e *eval) wording {
	inAny, unsure := false, wording{}
	for _, z := range cm.Zones {
		in, near := c.inZone(z, w.Zones)
		if in && !near {
			// Name the commitment's zone, not a reading's substitute, so
			// every reading's explanation speaks of the same place.
			inAny, e.zone, e.inZone = true, z, z
			if sub, ok := w.Zones[z]; ok {
				e.inZone = sub
			}
			break
		}
		if near && unsure.isZero() {
			zid := z
			if s, ok := w.Zones[z]; ok {
				zid = s
			}
			unsure = msg("missing.zone_border", "Precision", dist(c.zonePrec), "Zone", zoneRef(zid))
		}
	}
	switch {
	case inAny:
		e.score++
	case !unsure.isZero():
		e.missing = append(e.missing, unsure)
	default:
		var names []wording
		for _, z := range cm.Zones {
			if s, ok := w.Zones[z]; ok {
				z = s
			}
			names = append(names, msg("name.zone", "Zone", zoneRef(z)))
		}
		return msg("reason.outside_zones", "Commitment", string(cm.ID), "Zones", seq("list.comma", names...))
	}
	return wording{}
}

// evalTarget is the target test: whether the commitment covers the target
// as established for it (cf). It returns why not, or "".
func (c *rcase) evalTarget(cm *truce.Commitment, cf catFact, e *eval) wording {
	if slices.Contains(cm.Categories, truce.CategoryAny) {
		return wording{}
	}
	switch cov := coverage(cm.Categories, cf.cat); {
	case !cf.unclear.isZero():
		e.missing = append(e.missing, cf.unclear)
	case !cf.notCovered.isZero():
		return msg("reason.no_covered_target", "Why", cf.notCovered)
	case cf.cat == "" && c.pointPrecise():
		return msg("reason.no_target_near", "Radius", dist(c.radius))
	case cf.cat == "":
		return msg("reason.no_target_text")
	case unclearTarget(cm, cf.cat):
		e.missing = append(e.missing, msg("missing.target_disputed", "Category", catLower(cf.cat), "Note", cf.note))
	case cov == partly && cm.UnstatedKindCovered:
		e.score++
		e.unstated = true
	case cov == notCovered:
		return msg("reason.target_not_covered", "Category", catRef(cf.cat), "Note", cf.note, "Commitment", string(cm.ID))
	case cov == partly:
		e.missing = append(e.missing, msg("missing.facility_kind", "Category", catLower(cf.cat), "Note", cf.note, "Commitment", string(cm.ID), "Covered", catList(cm.Categories)))
	case !cf.uncertain.isZero():
		e.missing = append(e.missing, cf.uncertain)
	default:
		e.score++
	}
	return wording{}
}

func (c *rcase) exceptionApplies(ex *truce.Exception, cat truce.CategoryID, subst map[truce.ZoneID]truce.ZoneID) bool {
	if len(ex.Categories) > 0 && (cat == "" || coverage(ex.Categories, cat) != covered) {
		return false
	}
	if len(ex.Actions) > 0 && actionCover(ex.Actions, c.facts.Actions) != covered {
		return false
	}
	if len(ex.Zones) > 0 {
		in := false
		for _, z := range ex.Zones {
			if ok, _ := c.inZone(z, subst); ok {
				in = true
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// actionCover says whether the prohibited actions cover one of the
// reported actions, or only a narrower kind than a reported generic one.
func actionCover(prohibited, reported []truce.Action) cover {
	res := notCovered
	for _, a := range reported {
		for _, p := range prohibited {
			if p.Covers(a) {
				return covered
			}
			if a.Covers(p) {
				res = partly
			}
		}
	}
	return res
}

func catList(ids []truce.CategoryID) wording {
	s := make([]wording, len(ids))
	for i, id := range ids {
		s[i] = msg("name.category", "Category", catLower(id))
	}
	return seq("list.semicolon", s...)
}

func zoneName(a *truce.Agreement, id truce.ZoneID) string {
	if z, ok := a.Zone(id); ok && z.Name != "" {
		return z.Name
	}
	return string(id)
}

func fmtInstant(a *truce.Agreement, t time.Time) string {
	return t.In(a.Timezone).Format("2 January 2006 15:04 MST")
}

// inAnyZone reports whether the report lies surely in one of cm's zones
// under a reading's substitutions.
func (c *rcase) inAnyZone(cm *truce.Commitment, subst map[truce.ZoneID]truce.ZoneID) bool {
	for _, z := range cm.Zones {
		if in, near := c.inZone(z, subst); in && !near {
			return true
		}
	}
	return false
}

// unclearTarget reports whether cm names cat among the targets whose
// coverage the parties may dispute (gas production, a heat-only boiler).
func unclearTarget(cm *truce.Commitment, cat truce.CategoryID) bool {
	for _, u := range cm.UnclearTargets {
		if u.Covers(cat) {
			return true
		}
	}
	return false
}

// modalityPhrase says why the attack the text mentions did not happen.
func modalityPhrase(f *truce.Facts) wording {
	var words wording
	for _, ev := range f.Evidence {
		if ev.Fact == "modality" {
			words = msg("modality.words", "Words", quoted(ev.Words))
		}
	}
	switch f.Modality {
	case "denied", "planned", "foiled", "negated", "cessation", "past", "staged":
		return msg("modality."+f.Modality, "Words", words)
	case "future", "conditional", "threat":
		return msg("modality.future", "Words", words)
	}
	return msg("modality.unknown", "Words", words)
}

// actionList names actions in English for evidence: "shelling or strike".
func actionList(as []truce.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = actionNames[a]
	}
	switch len(s) {
	case 0:
		return "nothing"
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
