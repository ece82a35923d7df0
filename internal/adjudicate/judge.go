package adjudicate

import (
	"fmt"
	"slices"
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
	attrib   *matcher[truce.PartyID]
	aliases  []aliasPhrase
	actions  *matcher[truce.Action]
	actOrder map[truce.Action]int
}

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
		attrib:   newMatcher[truce.PartyID](),
		actions:  newMatcher[truce.Action](),
		actOrder: map[truce.Action]int{},
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
		for _, s := range p.Attribution {
			j.attrib.add(s, p.ID)
		}
		for _, s := range p.Aliases {
			if ph, ok := compilePhrase(s); ok {
				j.aliases = append(j.aliases, aliasPhrase{p: ph, party: p.ID})
			}
		}
	}
	for i, aw := range actionWords {
		j.actOrder[aw.action] = i
		for _, s := range aw.phrases {
			j.actions.add(s, aw.action)
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

// Judge adjudicates one report against every commitment of every phase.
func (j *Judge) Judge(r *truce.Report) truce.Judgement {
	c := j.newCase(r)
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
		jd.Explanation = "Not prohibited: the agreement has no commitments. " + sourcePhrase(r)
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
	words  []string
	near   []nearSite
	radius float64 // the site radius before widening
	widen  float64
	// text category, if any
	textCat  truce.CategoryID
	textWord string
	// the first attack word of the text, if actions came from the text
	textActionWord string
	zoneIn         map[truce.ZoneID]bool
	zoneNear       map[truce.ZoneID]bool
}

func (j *Judge) newCase(r *truce.Report) *rcase {
	c := &rcase{j: j, r: r, radius: j.a.SiteRadiusMeters, zoneIn: map[truce.ZoneID]bool{}, zoneNear: map[truce.ZoneID]bool{}}
	c.words = tokens(r.Text, false)
	c.perpetrator()
	c.actionFacts()
	c.widen = min(r.LocationPrecisionMeters, MaxSiteWidenMeters)
	if r.LocationPrecisionMeters <= MaxSiteWidenMeters {
		j.idx.Within(r.Location, c.radius+c.widen, func(i int, d float64) bool {
			c.near = append(c.near, nearSite{i, d})
			return true
		})
	}
	c.categoryFacts()
	for _, z := range j.a.Zones {
		if j.a.InZone(z.ID, r.Location, nil) {
			c.facts.Zones = append(c.facts.Zones, z.ID)
		}
	}
	return c
}

func (c *rcase) perpetrator() {
	r, f := c.r, &c.facts
	if r.Perpetrator != "" {
		f.Perpetrator, f.PerpetratorBasis = r.Perpetrator, truce.BasisExplicit
		f.PerpetratorNote = "stated in the report"
		return
	}
	if r.Actor1 != "" {
		ws := tokens(r.Actor1, false)
		for _, al := range c.j.aliases {
			for i := range ws {
				if al.p.matchAt(ws, i) {
					f.Perpetrator, f.PerpetratorBasis = al.party, truce.BasisActor
					f.PerpetratorNote = fmt.Sprintf("actor %q", r.Actor1)
					return
				}
			}
		}
	}
	hits := c.j.attrib.find(c.words)
	var parties []truce.PartyID
	for _, h := range hits {
		if !slices.Contains(parties, h.label) {
			parties = append(parties, h.label)
		}
	}
	switch len(parties) {
	case 0:
		f.PerpetratorNote = "no actor field and no attribution in the text"
	case 1:
		f.Perpetrator, f.PerpetratorBasis = parties[0], truce.BasisText
		f.PerpetratorNote = fmt.Sprintf("the text says %q", hits[0].word)
	default:
		var names []string
		for _, h := range hits {
			names = append(names, fmt.Sprintf("%s (%q)", h.label, h.word))
		}
		f.PerpetratorNote = "the text attributes it to more than one party: " + strings.Join(names, ", ")
	}
}

func (c *rcase) actionFacts() {
	r, f := c.r, &c.facts
	if len(r.Actions) > 0 {
		f.Actions = slices.Clone(r.Actions)
		f.ActionBasis = truce.BasisExplicit
		if r.EventType != "" {
			f.ActionBasis = truce.BasisEvent
		}
		return
	}
	hits := c.j.actions.find(c.words)
	slices.SortStableFunc(hits, func(a, b hit[truce.Action]) int { return c.j.actOrder[a.label] - c.j.actOrder[b.label] })
	for _, h := range hits {
		f.Actions = append(f.Actions, h.label)
	}
	if len(hits) > 0 {
		f.ActionBasis = truce.BasisText
		c.facts.ActionBasis = truce.BasisText
		c.textActionWord = hits[0].word
	}
}

func (c *rcase) categoryFacts() {
	r, f := c.r, &c.facts
	hits := c.j.cats.find(c.words)
	if len(hits) > 0 {
		best := hits[0]
		for _, h := range hits[1:] {
			dh, db := c.j.catDepth[h.label], c.j.catDepth[best.label]
			if dh > db || (dh == db && c.j.catOrder[h.label] < c.j.catOrder[best.label]) {
				best = h
			}
		}
		c.textCat, c.textWord = best.label, best.word
	}
	switch {
	case r.Category != "":
		f.Category, f.CategoryBasis, f.CategoryNote = r.Category, truce.BasisExplicit, "stated in the report"
	case r.Site != "":
		if i, ok := c.j.siteByID[r.Site]; ok {
			s := &c.j.sites[i]
			d := geo.Distance(r.Location, s.Location)
			f.Site = &truce.SiteMatch{ID: s.ID, Name: s.Name, Category: c.j.siteCat[i], DistanceMeters: d}
			f.Category, f.CategoryBasis, f.CategoryNote = c.j.siteCat[i], truce.BasisSite, "the site named in the report"
		}
	case len(c.near) > 0 && c.near[0].meters <= c.radius:
		s := c.near[0]
		f.Site = c.siteMatch(s)
		f.Category, f.CategoryBasis = c.j.siteCat[s.i], truce.BasisSite
		f.CategoryNote = fmt.Sprintf("%s, %s away", strings.TrimSpace(c.j.sites[s.i].Name), km(s.meters))
	case c.textCat != "":
		f.Category, f.CategoryBasis = c.textCat, truce.BasisText
		f.CategoryNote = fmt.Sprintf("the text says %q", c.textWord)
	}
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
	in = a.InZone(id, c.r.Location, nil)
	if prec := c.r.LocationPrecisionMeters; prec > 0 {
		if z, ok := a.Zone(id); ok && z.Region != nil {
			uncertain = z.Region.NearBoundary(c.r.Location, prec)
			for _, ex := range z.Exclude {
				if ez, ok := a.Zone(ex); ok && ez.Region != nil && !uncertain {
					uncertain = ez.Region.NearBoundary(c.r.Location, prec)
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
