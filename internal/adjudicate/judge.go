package adjudicate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"truce"
	"truce/internal/geo"
)

// MaxSiteWidenMeters caps how far a report's location precision widens the
// site radius: a report placed only to within 150 km cannot be tied to a
// site, however near.
const MaxSiteWidenMeters = 10_000

// Judge judges reports against one agreement and a set of protected sites.
// It is immutable after New and safe for concurrent use.
type Judge struct {
	a        *truce.Agreement
	sched    []PhaseSchedule
	sites    []truce.Site
	siteCat  []truce.CategoryID
	siteByID map[truce.SiteID]int
	idx      *geo.PointIndex

	cats     *matcher[truce.CategoryID]
	catDepth map[truce.CategoryID]int
	catOrder map[truce.CategoryID]int
	aliases  []aliasPhrase
	words    *lexIndex // the lexicon: attacks, modality, targets' surroundings
	parties  *lexIndex // how texts name the parties
	places   lexIndex  // the agreement's gazetteer
	// held lists, per party, the zones it holds (Zone.HeldBy).
	held map[truce.PartyID][]*truce.Zone
}

// PointPreciseMeters is the location precision at or under which a report
// places an event on a point (a satellite detection, a geolocated strike,
// coordinates a source says are exact): only then does a protected site
// within the radius make the site the target. A report placed at a
// settlement (VIINA's place point, ACLED's geo_precision 1-3, UCDP's
// where_prec above 1: 2 km or more) is not: nearness identifies which site
// a text-named target is, never that there was one.
const PointPreciseMeters = 1000

type aliasPhrase struct {
	p     phrase
	party truce.PartyID
}

// New prepares a Judge. Sites keep their order; categories come from the
// agreement's site rules.
func New(a *truce.Agreement, sites []truce.Site) *Judge {
	j := &Judge{
		a:        a,
		sched:    Schedule(a),
		sites:    sites,
		siteByID: make(map[truce.SiteID]int, len(sites)),
		cats:     newMatcher[truce.CategoryID](),
		catDepth: map[truce.CategoryID]int{},
		catOrder: map[truce.CategoryID]int{},
	}
	pts := make([]geo.Point, len(sites))
	j.siteCat = make([]truce.CategoryID, len(sites))
	for i := range sites {
		pts[i] = sites[i].Location
		j.siteCat[i] = a.SiteCategory(&sites[i])
		if _, dup := j.siteByID[sites[i].ID]; !dup {
			j.siteByID[sites[i].ID] = i
		}
	}
	j.idx = geo.NewPointIndex(pts)
	for _, z := range a.Zones {
		if z.HeldBy != "" {
			if j.held == nil {
				j.held = map[truce.PartyID][]*truce.Zone{}
			}
			j.held[z.HeldBy] = append(j.held[z.HeldBy], z)
		}
	}
	for i, c := range a.Categories {
		j.catDepth[c.ID] = strings.Count(string(c.ID), ".")
		j.catOrder[c.ID] = i
		for _, lang := range sortedKeys(c.Keywords) {
			for _, k := range c.Keywords[lang] {
				j.cats.add(k, c.ID)
			}
		}
	}
	for _, p := range a.Parties {
		for _, s := range p.Aliases {
			if ph, ok := compilePhrase(s); ok {
				j.aliases = append(j.aliases, aliasPhrase{p: ph, party: p.ID})
			}
		}
	}
	j.words, j.parties = newLexicons(a)
	for i, pl := range a.Places {
		if pl.Kind == truce.PlaceKindCountry {
			continue // a country's name is a party's name, not a place to judge at
		}
		for _, n := range pl.Names {
			if ph, ok := compilePhrase(n); ok {
				j.places.add(lexPat{p: ph, label: strconv.Itoa(i)})
			}
		}
	}
	return j
}

// Agreement returns the agreement j judges against.
func (j *Judge) Agreement() *truce.Agreement { return j.a }

// Schedule returns the phases' windows.
func (j *Judge) Schedule() []PhaseSchedule { return j.sched }

// Sites returns the protected sites and their categories under the agreement.
func (j *Judge) Sites() ([]truce.Site, []truce.CategoryID) { return j.sites, j.siteCat }

// Judge adjudicates one report against every commitment of every phase,
// knowing of no breach that could release a party (see JudgeWith).
func (j *Judge) Judge(r *truce.Report) truce.Judgement {
	return j.JudgeWith(r, nil)
}

// JudgeWith adjudicates one report knowing the breaches known at judging
// time: under a reading where a release clause of the agreement frees the
// perpetrator by one of them, before the report's time, its act is not
// prohibited (released). Breaches of reports at or after the report's
// time release nothing here; the caller need not filter them.
func (j *Judge) JudgeWith(r *truce.Report, breaches []truce.Breach) truce.Judgement {
	c := j.newCase(r)
	c.breaches = breaches
	return c.judgeAll()
}

// judgeAll judges the case against every commitment of every phase.
func (c *rcase) judgeAll() truce.Judgement {
	j, r := c.j, c.r
	jd := truce.Judgement{Report: r.ID, Facts: c.facts}
	best, bestScore := -1, -1
	for pi := range j.sched {
		ps := &j.sched[pi]
		for ci := range ps.Phase.Commitments {
			f, score := c.judge(ps, &ps.Phase.Commitments[ci])
			jd.Findings = append(jd.Findings, f)
			rank := int(f.Outcome)*100 + score
			if rank > bestScore {
				best, bestScore = len(jd.Findings)-1, rank
			}
		}
	}
	if best >= 0 {
		jd.Outcome = jd.Findings[best].Outcome
		jd.Explanation = jd.Findings[best].Explanation
	} else {
		jd.Outcome = truce.OutcomeNotProhibited
		ex := msg("explain.no_commitments", "Source", sourcePhrase(r))
		jd.Explanation = c.en(ex)
		if c.keep {
			c.explained = append(c.explained, ex)
		}
	}
	return jd
}

// nearSite is a protected site within the widened radius of a report.
type nearSite struct {
	i      int
	meters float64
}

// rcase is one report being judged: its facts, established once.
type rcase struct {
	j      *Judge
	r      *truce.Report
	facts  truce.Facts
	near   []nearSite
	radius float64 // the site radius before widening
	widen  float64
	// text category, if any
	textCat  truce.CategoryID
	textWord string
	// the first attack word of the text, if actions came from the text
	textActionWord string
	tr             *textReading
	textRel        string // what the words around the text's target make of it
	textRelWords   string
	repelled       bool // the attack was repelled and the text names no attacker
	// loc and prec are where the report is judged: its own point, or the
	// place its text names when that contradicts a settlement-level point.
	loc  geo.Point
	prec float64
	// zonePrec is the precision used for the zone tests: the report's
	// own, or 0 when a place the text names decides the side of a border.
	zonePrec float64
	zoneIn   map[truce.ZoneID]bool
	zoneNear map[truce.ZoneID]bool
	// breaches are the breaches known at judging time (JudgeWith).
	breaches []truce.Breach
	// perpNote and catNote say how the perpetrator and the category were
	// established (Facts.PerpetratorNote and CategoryNote in English).
	perpNote, catNote wording
	// keep makes judge keep each finding's explanation as phrases in
	// explained, in order, for rendering in another language (Explain).
	keep      bool
	explained []wording
	// notInForceOf keeps notInForce's reasons, by phase.
	notInForceOf []phaseReason
}

func (j *Judge) newCase(r *truce.Report) *rcase {
	c := &rcase{j: j, r: r, radius: j.a.SiteRadiusMeters, zoneIn: map[truce.ZoneID]bool{}, zoneNear: map[truce.ZoneID]bool{}}
	c.tr = j.read(r)
	c.perpetrator()
	c.actionFacts()
	c.loc, c.prec = r.Location, r.LocationPrecisionMeters
	c.zonePrec = c.prec
	c.resolvePlace()
	c.widen = min(c.prec, MaxSiteWidenMeters)
	if c.prec <= MaxSiteWidenMeters {
		j.idx.Within(c.loc, c.radius+c.widen, func(i int, d float64) bool {
			c.near = append(c.near, nearSite{i, d})
			return true
		})
	}
	c.categoryFacts()
	c.facts.PerpetratorNote, c.facts.CategoryNote = c.en(c.perpNote), c.en(c.catNote)
	for _, z := range j.a.Zones {
		if j.a.InZoneAt(z.ID, c.loc, nil, r.Start) {
			c.facts.Zones = append(c.facts.Zones, z.ID)
		}
	}
	return c
}

func (c *rcase) perpetrator() {
	r, f := c.r, &c.facts
	if r.Perpetrator != "" {
		f.Perpetrator, f.PerpetratorBasis = r.Perpetrator, truce.BasisExplicit
		c.perpNote = msg("note.stated")
		f.Evidence = append(f.Evidence, truce.Span{Fact: "perpetrator", Basis: truce.BasisExplicit, Words: string(r.Perpetrator), Note: "the report's perpetrator field"})
		return
	}
	if r.Actor1 != "" {
		ws := tokens(r.Actor1, false)
		for _, al := range c.j.aliases {
			for i := range ws {
				if al.p.matchAt(ws, i) {
					f.Perpetrator, f.PerpetratorBasis = al.party, truce.BasisActor
					c.perpNote = msg("note.actor", "Actor", quoted(r.Actor1))
					f.Evidence = append(f.Evidence, truce.Span{Fact: "perpetrator", Basis: truce.BasisActor, Words: r.Actor1, Note: "the source's actor field"})
					return
				}
			}
		}
	}
	e := c.tr.best
	switch {
	case e == nil:
		c.perpNote = msg("note.no_actor_no_attack")
	case len(c.tr.multi) > 0:
		names := []string{string(e.actor)}
		for _, p := range c.tr.multi {
			names = append(names, string(p))
		}
		c.perpNote = msg("note.several_parties", "Parties", strings.Join(names, ", "))
	case e.actor != "":
		f.Perpetrator, f.PerpetratorBasis = e.actor, truce.BasisText
		ev := c.tr.t.evidence("perpetrator", e.actorM, e.actorHow)
		f.Evidence = append(f.Evidence, ev)
		c.perpNote = msg("note.text_says_how", "Words", quoted(ev.Words), "How", actorHow(e.actorHow))
	case e.repelled:
		c.repelled = true
		c.perpNote = msg("note.repelled")
	default:
		c.perpNote = msg("note.no_actor_no_party")
	}
}

// actionFacts establishes that an attack happened and how. The text
// decides whether it happened (a denial, a plan or an arrest is no attack);
// a source's coded fields state it for sources coded by people; a machine
// classifier's tags (VIINA's event_type) only say how, never that.
func (c *rcase) actionFacts() {
	r, f := c.r, &c.facts
	e := c.tr.best
	textSaysAttack := e != nil && e.happened
	tagged := r.TaggedByMachine()
	switch {
	case len(r.Actions) > 0 && !tagged:
		f.Actions = slices.Clone(r.Actions)
		f.ActionBasis = truce.BasisExplicit
		words := r.EventType
		if r.EventType != "" {
			f.ActionBasis = truce.BasisEvent
		} else {
			words = actionList(r.Actions)
		}
		f.Evidence = append(f.Evidence, truce.Span{Fact: "attack", Basis: f.ActionBasis, Words: words, Note: "the source's coded event type"})
	case textSaysAttack:
		f.Actions = []truce.Action{e.action}
		f.ActionBasis = truce.BasisText
		ev := c.tr.t.evidence("attack", &e.trig, "")
		c.textActionWord = ev.Words
		if w := e.weapon; w != nil && w.i != e.trig.i {
			t := c.tr.t
			lo, hi := min(e.trig.i, w.i), max(e.trig.i+e.trig.n, w.i+w.n)
			if t.words[lo].clause == t.words[hi-1].clause && hi-lo <= 4 {
				c.textActionWord, _, _ = t.span(lo, hi-lo) // "вдарили дронами"
			} else {
				ww, _, _ := t.span(w.i, w.n)
				c.textActionWord = ev.Words + " … " + ww // words apart
			}
		}
		f.Evidence = append(f.Evidence, ev)
		if e.repelled {
			f.Attempted = true
		}
		if tagged && len(r.Actions) > 0 {
			f.Evidence = append(f.Evidence, truce.Span{Fact: "attack", Basis: truce.BasisTag, Words: r.EventType, Note: "the source's machine tags agree"})
		}
	case e != nil:
		f.Modality = e.modality
		if e.modM != nil {
			f.Evidence = append(f.Evidence, c.tr.t.evidence("modality", e.modM, e.modality))
		}
		f.Evidence = append(f.Evidence, c.tr.t.evidence("attack", &e.trig, "did not happen as reported: "+e.modality))
	}
}

func (c *rcase) categoryFacts() {
	r, f := c.r, &c.facts
	if e := c.tr.best; e != nil && e.happened {
		switch {
		case e.target != nil:
			t := c.tr.t
			c.textCat = e.target.cat
			c.textWord, _, _ = t.span(e.target.i, e.target.n)
			c.textRel = e.target.rel
			ev := t.evidence("target", &mention{i: e.target.i, n: e.target.n}, e.target.rel)
			f.Evidence = append(f.Evidence, ev)
			if e.target.by != nil {
				c.textRelWords, _, _ = t.span(e.target.by.i, e.target.by.n)
				f.Evidence = append(f.Evidence, t.evidence(e.target.rel, e.target.by, ""))
			}
		case e.outage != nil:
			c.textRel = "outage"
			c.textRelWords, _, _ = c.tr.t.span(e.outage.i, e.outage.n)
			f.Evidence = append(f.Evidence, c.tr.t.evidence("outage", e.outage, ""))
		}
	}
	switch {
	case r.Category != "":
		f.Category, f.CategoryBasis, c.catNote = r.Category, truce.BasisExplicit, msg("note.stated")
	case r.Site != "":
		if i, ok := c.j.siteByID[r.Site]; ok {
			s := &c.j.sites[i]
			d := geo.Distance(r.Location, s.Location)
			f.Site = &truce.SiteMatch{ID: s.ID, Name: s.Name, Category: c.j.siteCat[i], DistanceMeters: d}
			f.Category, f.CategoryBasis, c.catNote = c.j.siteCat[i], truce.BasisSite, msg("note.site_named")
		}
	case c.textCat != "" && c.textRel == "":
		f.Category, f.CategoryBasis = c.textCat, truce.BasisText
		c.catNote = msg("note.text_says", "Words", quoted(c.textWord))
		// Nearness says which site a target the text names is.
		for _, s := range c.near {
			cat := c.j.siteCat[s.i]
			if s.meters <= c.radius && cat != "" && (c.textCat.Covers(cat) || cat.Covers(c.textCat)) {
				f.Site = c.siteMatch(s)
				if c.textCat.Covers(cat) {
					f.Category = cat // the site says which kind the text's target is
				}
				c.catNote = msg("note.text_site_away", "Words", quoted(c.textWord), "Site", f.Site.Name, "Distance", dist(s.meters))
				break
			}
		}
	case c.pointPrecise() && len(c.near) > 0 && c.near[0].meters <= c.radius:
		s := c.near[0]
		f.Site = c.siteMatch(s)
		f.Category, f.CategoryBasis = c.j.siteCat[s.i], truce.BasisSite
		c.catNote = msg("note.site_away", "Site", strings.TrimSpace(c.j.sites[s.i].Name), "Distance", dist(s.meters))
	}
}

// pointPrecise reports whether the report places the event on a point, so
// that a protected site within the radius is the target by nearness alone.
func (c *rcase) pointPrecise() bool {
	return c.prec <= PointPreciseMeters
}

func (c *rcase) siteMatch(s nearSite) *truce.SiteMatch {
	site := &c.j.sites[s.i]
	return &truce.SiteMatch{ID: site.ID, Name: strings.TrimSpace(site.Name), Category: c.j.siteCat[s.i], DistanceMeters: s.meters}
}

// inZone reports whether the report lies in zone id (after substitution),
// and whether that is uncertain because the report's location precision
// reaches the zone's boundary.
func (c *rcase) inZone(id truce.ZoneID, subst map[truce.ZoneID]truce.ZoneID) (in, uncertain bool) {
	if s, ok := subst[id]; ok {
		id = s
	}
	a := c.j.a
	if v, ok := c.zoneIn[id]; ok {
		return v, c.zoneNear[id]
	}
	at := c.r.Start
	in = a.InZoneAt(id, c.loc, nil, at)
	if prec := c.zonePrec; prec > 0 {
		if z, ok := a.Zone(id); ok && z.RegionAt(at) != nil {
			uncertain = z.RegionAt(at).NearBoundary(c.loc, prec)
			for _, ex := range z.Exclude {
				if ez, ok := a.Zone(ex); ok && ez.RegionAt(at) != nil && !uncertain {
					uncertain = ez.RegionAt(at).NearBoundary(c.loc, prec)
				}
			}
		}
	}
	c.zoneIn[id], c.zoneNear[id] = in, uncertain
	return in, uncertain
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func km(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f m", m)
	}
	return fmt.Sprintf("%.1f km", m/1000)
}
