package adjudicate

import (
	"fmt"
	"strconv"

	"truce"
	"truce/internal/geo"
)

// resolvePlace lets a place the text names for the event outrank a
// settlement-level point that contradicts it (a General Staff statement on
// Crimea that the source geocodes to Kyiv). A point consistent with one of
// the named places stays: it is the more precise of the two.
func (c *rcase) resolvePlace() {
	e := c.tr.best
	if e == nil || c.prec <= PointPreciseMeters || len(c.j.a.Places) == 0 {
		return
	}
	t := c.tr.t
	s := t.words[e.trig.i].sent
	ms := c.j.places.findAll(t.ss)
	var named []mention
	for _, m := range ms {
		if t.words[m.i].sent == s {
			named = append(named, m)
		}
	}
	if len(named) == 0 {
		return
	}
	pick := -1
	for k, m := range named {
		i, _ := strconv.Atoi(m.label)
		pl := &c.j.a.Places[i]
		reach := pl.RadiusMeters
		if reach == 0 {
			reach = 30_000
		}
		if geo.Distance(c.loc, pl.Location) <= reach+c.prec {
			return // the point agrees with a place the text names
		}
		// Prefer the place named after the target ("по нафтобазі у Феодосії").
		if pick < 0 || (e.target != nil && named[pick].i < e.target.i && m.i > e.target.i) {
			pick = k
		}
	}
	m := named[pick]
	i, _ := strconv.Atoi(m.label)
	pl := &c.j.a.Places[i]
	// The place the text names says which side of a border the event is
	// on (the zone tests take its point as exact); its extent still keeps
	// a site near its centre from being the target by nearness alone.
	c.loc, c.prec, c.zonePrec = pl.Location, pl.RadiusMeters, 0
	if pl.Kind == truce.PlaceKindSite {
		c.prec = min(pl.RadiusMeters, PointPreciseMeters)
	}
	c.facts.Place = pl.ID
	ev := t.evidence("place", &m, fmt.Sprintf("the text names %s; the report's point (%.4f, %.4f) is %s from it", pl.ID, c.r.Location.Lon, c.r.Location.Lat, km(geo.Distance(c.r.Location, pl.Location))))
	ev.Basis = truce.BasisPlace
	c.facts.Evidence = append(c.facts.Evidence, ev)
}
