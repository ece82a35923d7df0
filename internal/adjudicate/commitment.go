package adjudicate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"truce"
)

// eval is a commitment's outcome under one reading.
type eval struct {
	w       *Window
	outcome truce.Outcome
	reason  string   // why not prohibited
	why     string   // when the phase is in force, if that is the reason
	missing []string // facts that are missing
	score   int      // how many tests passed: ranks the most relevant finding
	day     int
	days    int
	zone    truce.ZoneID // the commitment's zone the report falls in
	inZone  truce.ZoneID // the same after the reading's substitution
	// repelledBy is the party taken to have made a repelled attack.
	repelledBy truce.PartyID
	unstated   bool // the kind of the covered category was not stated
}

// catFact is the target category as established for one commitment.
type catFact struct {
	cat       truce.CategoryID
	basis     truce.Basis
	note      string
	site      *truce.SiteMatch
	uncertain string // set when only the location's imprecision ties it to a site
	// unclear, when set, says why the target is not known (power lost,
	// blasts near it): the verdict is undetermined.
	unclear string
	// notCovered, when set, says why the words that look like a target
	// are not one.
	notCovered string
}

func (c *rcase) categoryFor(cm *truce.Commitment) catFact {
	f := &c.facts
	switch f.CategoryBasis {
	case truce.BasisExplicit:
		return catFact{cat: f.Category, basis: f.CategoryBasis, note: f.CategoryNote}
	}
	if c.r.Site != "" && f.Site != nil {
		return catFact{cat: f.Category, basis: truce.BasisSite, note: f.CategoryNote, site: f.Site}
	}
	switch c.textRel {
	case "outage":
		return catFact{unclear: fmt.Sprintf("the target: the text says power was lost (%q), not which object was struck", c.textRelWords)}
	case "near":
		return catFact{unclear: fmt.Sprintf("the target: the text places the attack %q %q, not on it", c.textRelWords, c.textWord)}
	case "person":
		return catFact{notCovered: fmt.Sprintf("the energy words %q name people (%q), not a facility", c.textWord, c.textRelWords)}
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
			cf := catFact{cat: cat, basis: truce.BasisSite, site: sm, note: fmt.Sprintf("%s, %s away", sm.Name, km(s.meters))}
			if c.textCat != "" {
				cf.note = fmt.Sprintf("the text says %q; %s is %s away", c.textWord, sm.Name, km(s.meters))
			}
			if s.meters > c.radius {
				if textCovered {
					break // the text settles it without the uncertain site
				}
				cf.uncertain = fmt.Sprintf("the exact location: the covered site %s lies %s away, beyond the %s radius but within the report's location precision (%s)",
					sm.Name, km(s.meters), km(c.radius), km(c.prec))
			}
			return cf
		}
	}
	if c.textCat != "" {
		return catFact{cat: c.textCat, basis: truce.BasisText, note: fmt.Sprintf("the text says %q", c.textWord)}
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
	best := 0
	for i, e := range evals {
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
			Parties: e.w.Parties, Outcome: e.outcome, Day: e.day, Days: e.days, Note: e.note(),
		})
		if e.zone != "" && f.Zone == "" {
			f.Zone = e.zone
		}
		if f.Party == "" && e.repelledBy != "" {
			f.Party = e.repelledBy
		}
		for _, m := range e.missing {
			if !slices.Contains(f.Missing, m) {
				f.Missing = append(f.Missing, m)
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
		f.Reason = evals[best].reason
	}
	if f.Outcome != truce.OutcomeUndetermined {
		f.Missing = nil
	}
	f.Explanation = c.explain(ps, cm, cf, &f, evals)
	return f, evals[best].score
}

func (e *eval) note() string {
	switch e.outcome {
	case truce.OutcomeNotProhibited:
		return e.reason
	case truce.OutcomeUndetermined:
		return "missing " + strings.Join(e.missing, "; ")
	}
	return "breached"
}

// notProhibited marks the reading's commitment as not prohibiting the
// report, for the given reason, and returns the outcome.
func (e *eval) notProhibited(reason string) eval {
	e.outcome, e.reason, e.missing = truce.OutcomeNotProhibited, reason, nil
	return *e
}

// evalReading evaluates a commitment under one reading, test by test: the
// time, the perpetrator, the action, the place, the target and the
// exceptions. A test that rules the commitment out makes the outcome not
// prohibited; a fact a test needs and lacks makes it undetermined.
func (c *rcase) evalReading(ps *PhaseSchedule, w *Window, cm *truce.Commitment, cf catFact) eval {
	e := eval{w: w, outcome: truce.OutcomeViolation}
	if reason := c.evalTime(ps, w, &e); reason != "" {
		return e.notProhibited(reason)
	}
	if reason := c.evalPerpetrator(w, cm, &e); reason != "" {
		return e.notProhibited(reason)
	}
	if reason := c.evalAction(cm, &e); reason != "" {
		return e.notProhibited(reason)
	}
	if reason := c.evalPlace(w, cm, &e); reason != "" {
		return e.notProhibited(reason)
	}
	if reason := c.evalSide(ps, w, cm, &e); reason != "" {
		return e.notProhibited(reason)
	}
	if reason := c.evalTarget(cm, cf, &e); reason != "" {
		return e.notProhibited(reason)
	}
	for _, ex := range cm.Exceptions {
		if c.exceptionApplies(&ex, cf.cat, w.Zones) {
			return e.notProhibited(fmt.Sprintf("the exception of %s applies: %s", cm.ID, ex.Description))
		}
	}
	if reason := c.released(ps, w, cm, &e); reason != "" {
		return e.notProhibited(reason)
	}
	if len(e.missing) > 0 {
		e.outcome = truce.OutcomeUndetermined
	}
	return e
}

// evalTime is the time test: whether the phase was in force under the
// reading when the report's event happened. It returns why not, or "".
func (c *rcase) evalTime(ps *PhaseSchedule, w *Window, e *eval) string {
	a, r := c.j.a, c.r
	if !w.InForce {
		return fmt.Sprintf("phase %s %s", ps.Phase.ID, w.Why)
	}
	switch {
	case !r.End.After(w.Start) || (!w.End.IsZero() && !r.Start.Before(w.End)):
		e.why = w.Why
		return fmt.Sprintf("phase %s was not in force %s", ps.Phase.ID, c.when())
	case r.Start.Before(w.Start):
		e.missing = append(e.missing, fmt.Sprintf("the exact time: the report covers %s, and the phase starts at %s", c.span(), fmtInstant(a, w.Start)))
	case !w.End.IsZero() && r.End.After(w.End):
		e.missing = append(e.missing, fmt.Sprintf("the exact time: the report covers %s, and the phase ends at %s", c.span(), fmtInstant(a, w.End)))
	default:
		e.score++
		e.day, e.days = dayOf(a, w.Start, w.End, r.Start)
	}
	return ""
}

// evalPerpetrator is the perpetrator test: whether the commitment binds
// the party that attacked. An attack repelled on the territory a bound
// party must not strike was made by that party: the other side reports it.
// It returns why the commitment does not apply, or "".
func (c *rcase) evalPerpetrator(w *Window, cm *truce.Commitment, e *eval) string {
	f := &c.facts
	p := f.Perpetrator
	if p == "" && c.repelled && len(cm.Bound) == 1 && c.inAnyZone(cm, w.Zones) {
		p = cm.Bound[0]
		e.repelledBy = p
	}
	switch {
	case p == "":
		e.missing = append(e.missing, "the perpetrator: "+f.PerpetratorNote)
	case !cm.Binds(p):
		return fmt.Sprintf("%s is not bound by %s (it binds %s)", p, cm.ID, joinParties(cm.Bound))
	default:
		e.score++
	}
	return ""
}

// evalAction is the action test: whether the commitment prohibits what
// the report says was done. It returns why not, or "".
func (c *rcase) evalAction(cm *truce.Commitment, e *eval) string {
	f := &c.facts
	switch act := actionCover(cm.Actions, f.Actions); {
	case len(f.Actions) == 0 && f.Modality != "":
		return fmt.Sprintf("no attack happened as reported: the text %s", modalityPhrase(f))
	case len(f.Actions) == 0:
		return "no attack is reported: the text names none"
	case act == covered:
		e.score++
	case act == partly:
		e.missing = append(e.missing, fmt.Sprintf("the kind of attack: the report says %s, and %s prohibits only %s", actionList(f.Actions), cm.ID, actionList(cm.Actions)))
	default:
		return fmt.Sprintf("%s is not prohibited by %s (it prohibits %s)", actionList(f.Actions), cm.ID, actionList(cm.Actions))
	}
	return ""
}

// evalPlace is the place test: whether the report lies in one of the
// commitment's zones, after the reading's substitutions. It returns why
// not, or "".
func (c *rcase) evalPlace(w *Window, cm *truce.Commitment, e *eval) string {
	a := c.j.a
	inAny, unsure := false, ""
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
		if near && unsure == "" {
			zid := z
			if s, ok := w.Zones[z]; ok {
				zid = s
			}
			unsure = fmt.Sprintf("the exact location: the report is placed to within %s, and the border of %s is nearer than that", km(c.zonePrec), zoneName(a, zid))
		}
	}
	switch {
	case inAny:
		e.score++
	case unsure != "":
		e.missing = append(e.missing, unsure)
	default:
		var names []string
		for _, z := range cm.Zones {
			if s, ok := w.Zones[z]; ok {
				z = s
			}
			names = append(names, zoneName(a, z))
		}
		return fmt.Sprintf("the location is outside the zones of %s (%s)", cm.ID, strings.Join(names, ", "))
	}
	return ""
}

// evalTarget is the target test: whether the commitment covers the target
// as established for it (cf). It returns why not, or "".
func (c *rcase) evalTarget(cm *truce.Commitment, cf catFact, e *eval) string {
	if slices.Contains(cm.Categories, truce.CategoryAny) {
		return ""
	}
	a := c.j.a
	switch cov := coverage(cm.Categories, cf.cat); {
	case cf.unclear != "":
		e.missing = append(e.missing, cf.unclear)
	case cf.notCovered != "":
		return "no covered target: " + cf.notCovered
	case cf.cat == "" && c.pointPrecise():
		return fmt.Sprintf("no covered target is established: no site of a covered category within %s and the text names no covered facility", km(c.radius))
	case cf.cat == "":
		return "the text names no target of a covered kind (a site near a settlement-level location is not a target)"
	case unclearTarget(cm, cf.cat):
		e.missing = append(e.missing, fmt.Sprintf("whether the target is covered: the report names %s (%s), on which the parties may disagree", strings.ToLower(catName(a, cf.cat)), cf.note))
	case cov == partly && cm.UnstatedKindCovered:
		e.score++
		e.unstated = true
	case cov == notCovered:
		return fmt.Sprintf("the target (%s, %s) is not covered by %s", catName(a, cf.cat), cf.note, cm.ID)
	case cov == partly:
		e.missing = append(e.missing, fmt.Sprintf("the kind of facility: the report names %s (%s), and %s covers only %s", strings.ToLower(catName(a, cf.cat)), cf.note, cm.ID, catList(a, cm.Categories)))
	case cf.uncertain != "":
		e.missing = append(e.missing, cf.uncertain)
	default:
		e.score++
	}
	return ""
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

func actionList(as []truce.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = actionNames[a]
	}
	return orList(s)
}

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

func catName(a *truce.Agreement, id truce.CategoryID) string {
	if id == truce.CategoryAny {
		return "any target"
	}
	if c, ok := a.Category(id); ok && c.Name != "" {
		return c.Name
	}
	return string(id)
}

func catList(a *truce.Agreement, ids []truce.CategoryID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strings.ToLower(catName(a, id))
	}
	return strings.Join(s, "; ")
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
func modalityPhrase(f *truce.Facts) string {
	var words string
	for _, ev := range f.Evidence {
		if ev.Fact == "modality" {
			words = fmt.Sprintf(" (%q)", ev.Words)
		}
	}
	switch f.Modality {
	case "denied":
		return "denies that it took place" + words
	case "planned":
		return "speaks of a plan or an intention" + words
	case "foiled":
		return "reports an arrest or a foiled plot" + words
	case "negated":
		return "says it did not take place" + words
	case "future", "conditional", "threat":
		return "speaks of what may or will happen" + words
	case "cessation":
		return "speaks of stopping attacks" + words
	case "past":
		return "dates it to another year" + words
	case "staged":
		return "calls it staged" + words
	}
	return "does not report it as having happened" + words
}
