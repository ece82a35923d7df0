package sensor

import (
	"math"
	"slices"
	"strings"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/importer"
)

// Index holds what judging a hotspot needs: the agreement's zones as a
// ZoneGrid, its protected sites as a SiteGrid at the agreement's site
// radius, and, per site, when some commitment covers it. It is immutable
// and safe for concurrent use.
type Index struct {
	a      *truce.Agreement
	zones  *ZoneGrid
	sites  []truce.Site
	cats   []truce.CategoryID
	grid   *SiteGrid
	radius float64
	cover  [][]coverage // per site, in the order of phases, commitments and readings
	spans  [][]span     // per site: cover merged into disjoint spans, by start

	siteCSV []string // per site: its id as a CSV field
	zoneCSV []string // per zone: its id, as part of a CSV field (see zoneField)
}

// coverage is a commitment covering a site while its phase is in force
// under one reading.
type coverage struct {
	start, end int64 // unix seconds, [start, end); end math.MaxInt64 if open
	phase      truce.PhaseID
	commitment truce.CommitmentID
	zone       truce.ZoneID // the commitment's zone the site lies in
	parties    []truce.PartyID
	bound      []truce.PartyID
}

type span struct{ start, end int64 }

// NewIndex prepares a's zones and sites. The site radius is
// a.SiteRadiusMeters (agreement.DefaultSiteRadiusMeters if it is not
// positive). Sites keep their order: indexes refer to sites. Neither a nor
// sites may be modified afterwards.
func NewIndex(a *truce.Agreement, sites []truce.Site) *Index {
	ix := &Index{a: a, sites: sites, radius: a.SiteRadiusMeters}
	if !(ix.radius > 0) {
		ix.radius = agreement.DefaultSiteRadiusMeters
	}
	ix.zones = NewZoneGrid(a)
	pts := make([]geo.Point, len(sites))
	ix.cats = make([]truce.CategoryID, len(sites))
	for i := range sites {
		pts[i] = sites[i].Location
		ix.cats[i] = a.SiteCategory(&sites[i])
	}
	ix.grid = NewSiteGrid(pts, ix.radius)
	ix.siteCSV = make([]string, len(sites))
	for i := range sites {
		ix.siteCSV[i] = csvField(string(sites[i].ID))
	}
	ix.zoneCSV = make([]string, len(a.Zones))
	for i, z := range a.Zones {
		// Zone ids are [A-Za-z0-9_.-] in agreement files; one built by
		// hand that would break the CSV is written without the breaking
		// characters.
		ix.zoneCSV[i] = strings.Map(func(r rune) rune {
			if strings.ContainsRune(",\"\r\n|", r) {
				return '_'
			}
			return r
		}, string(z.ID))
	}
	ix.cover = make([][]coverage, len(sites))
	ix.spans = make([][]span, len(sites))
	sched := adjudicate.Schedule(a)
	for i := range sites {
		ix.cover[i] = siteCoverage(a, sched, &sites[i], ix.cats[i])
		ix.spans[i] = merge(ix.cover[i])
	}
	return ix
}

// siteCoverage lists when a site is covered: for every commitment of every
// phase and every reading under which the phase enters into force, the
// window, if the commitment's categories cover the site's category ("any"
// covers every site, even one without a category), the site lies in one of
// its zones (after the reading's substitutions) and no exception applies.
// An exception applies when the site matches its categories and zones; an
// exception that names actions never applies, as a hotspot shows no act.
func siteCoverage(a *truce.Agreement, sched []adjudicate.PhaseSchedule, s *truce.Site, cat truce.CategoryID) []coverage {
	var out []coverage
	for pi := range sched {
		ps := &sched[pi]
		for ci := range ps.Phase.Commitments {
			cm := &ps.Phase.Commitments[ci]
			if !covers(cm.Categories, cat) {
				continue
			}
			for wi := range ps.Windows {
				w := &ps.Windows[wi]
				if !w.InForce {
					continue
				}
				zone := firstZone(a, cm.Zones, s.Location, w.Zones)
				if zone == "" || excepted(a, cm, cat, s.Location, w.Zones) {
					continue
				}
				end := int64(math.MaxInt64)
				if !w.End.IsZero() {
					end = w.End.Unix()
				}
				out = append(out, coverage{
					start: w.Start.Unix(), end: end, phase: ps.Phase.ID, commitment: cm.ID, zone: zone,
					parties: w.Parties, bound: cm.Bound,
				})
			}
		}
	}
	return out
}

// covers reports whether a commitment's categories cover a site's.
func covers(list []truce.CategoryID, cat truce.CategoryID) bool {
	for _, c := range list {
		if c == truce.CategoryAny || (cat != "" && c.Covers(cat)) {
			return true
		}
	}
	return false
}

// firstZone returns the first of zones (before substitution) that p lies
// in under the substitutions subst, or "".
func firstZone(a *truce.Agreement, zones []truce.ZoneID, p geo.Point, subst map[truce.ZoneID]truce.ZoneID) truce.ZoneID {
	for _, z := range zones {
		if a.InZone(z, p, subst) {
			return z
		}
	}
	return ""
}

func excepted(a *truce.Agreement, cm *truce.Commitment, cat truce.CategoryID, p geo.Point, subst map[truce.ZoneID]truce.ZoneID) bool {
	for _, ex := range cm.Exceptions {
		if len(ex.Actions) > 0 {
			continue
		}
		if len(ex.Categories) > 0 && (cat == "" || !covers(ex.Categories, cat)) {
			continue
		}
		if len(ex.Zones) > 0 && firstZone(a, ex.Zones, p, subst) == "" {
			continue
		}
		return true
	}
	return false
}

// merge unites the windows of cover into disjoint spans, sorted.
func merge(cover []coverage) []span {
	in := make([]span, len(cover))
	for i, c := range cover {
		in[i] = span{c.start, c.end}
	}
	slices.SortFunc(in, func(x, y span) int { return cmpInt64(x.start, y.start) })
	var out []span
	for _, s := range in {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Agreement returns the agreement the index was built from.
func (ix *Index) Agreement() *truce.Agreement { return ix.a }

// Sites returns the sites and their categories under the agreement.
func (ix *Index) Sites() ([]truce.Site, []truce.CategoryID) { return ix.sites, ix.cats }

// RadiusMeters returns the site radius.
func (ix *Index) RadiusMeters() float64 { return ix.radius }

// ZoneGrid returns the index's zone grid.
func (ix *Index) ZoneGrid() *ZoneGrid { return ix.zones }

// SiteGrid returns the index's site grid.
func (ix *Index) SiteGrid() *SiteGrid { return ix.grid }

// Zones appends to dst the zones containing p, in the agreement's order,
// as Agreement.InZone(id, p, nil) says.
func (ix *Index) Zones(p geo.Point, dst []truce.ZoneID) []truce.ZoneID {
	return ix.zones.Zones(p, dst)
}

// NearestSite returns the site nearest to p within the site radius
// (inclusive; ties to the lowest index).
func (ix *Index) NearestSite(p geo.Point) (i int, meters float64, ok bool) {
	return ix.grid.Nearest(p)
}

// CoveredAt reports whether some commitment covers site i at t: its phase
// is in force at t under at least one reading, its categories cover the
// site's and the site lies in its zones (see Alerts).
func (ix *Index) CoveredAt(i int, t time.Time) bool {
	return inSpans(ix.spans[i], t.Unix())
}

func inSpans(spans []span, t int64) bool {
	for _, s := range spans {
		if t < s.start {
			return false
		}
		if t < s.end {
			return true
		}
	}
	return false
}

// Alert is a hotspot near a protected site while a commitment covering the
// site is in force: evidence that can corroborate a reported strike on the
// site, never proof of one (the hotspot is a pixel of 375 m or more and
// says nothing of who or what started the fire).
type Alert struct {
	Hotspot        importer.Hotspot // FRP, confidence and pixel size are here
	Site           truce.SiteID
	SiteIndex      int // index into the index's sites
	SiteName       string
	Category       truce.CategoryID
	DistanceMeters float64 // from the pixel centre to the site
	// InForce lists the commitments covering the site at the hotspot's
	// time, in the agreement's order of phases and commitments.
	InForce []InForce
}

// InForce is a commitment covering a site at an instant.
type InForce struct {
	Phase      truce.PhaseID
	Commitment truce.CommitmentID
	Zone       truce.ZoneID // the commitment's zone the site lies in (before a reading's substitution)
	// Readings are the parties whose reading has the phase in force at the
	// instant with the site covered (the union over readings).
	Readings []truce.PartyID
	Bound    []truce.PartyID // the parties the commitment binds
}

// Alerts returns a sensor alert for every site within the site radius of
// h's pixel centre (geo.Distance, inclusive) that some commitment covers at
// h.Time (in force under at least one reading: Window.Start <= t < End),
// nearest first, ties by site index. The radius is not widened by the pixel
// size: a VIIRS pixel's half-diagonal is a few hundred metres, well inside
// the usual 3 km; each alert carries the pixel size to judge by.
func (ix *Index) Alerts(h *importer.Hotspot) []Alert {
	var out []Alert
	t := h.Time.Unix()
	ix.grid.Within(h.Location, func(i int, d float64) bool {
		if !inSpans(ix.spans[i], t) {
			return true
		}
		al := Alert{Hotspot: *h, Site: ix.sites[i].ID, SiteIndex: i, SiteName: ix.sites[i].Name, Category: ix.cats[i], DistanceMeters: d}
		for _, c := range ix.cover[i] {
			if t < c.start || t >= c.end {
				continue
			}
			k := slices.IndexFunc(al.InForce, func(f InForce) bool { return f.Phase == c.phase && f.Commitment == c.commitment })
			if k < 0 {
				al.InForce = append(al.InForce, InForce{Phase: c.phase, Commitment: c.commitment, Zone: c.zone, Bound: c.bound})
				k = len(al.InForce) - 1
			}
			for _, p := range c.parties {
				if !slices.Contains(al.InForce[k].Readings, p) {
					al.InForce[k].Readings = append(al.InForce[k].Readings, p)
				}
			}
		}
		out = append(out, al)
		return true
	})
	return out
}

func (ix *Index) siteField(i int) string { return ix.siteCSV[i] }
func (ix *Index) zoneField(i int) string { return ix.zoneCSV[i] }

// judgePoint is the fast path's question: the nearest site within the
// radius, and whether any site within it is covered at t.
func (ix *Index) judgePoint(p geo.Point, t int64) (site int, meters float64, ok, alert bool) {
	g := ix.grid
	site = -1
	for _, id := range g.candidates(p) {
		s := g.pts[id]
		if math.Abs(s.Lat-p.Lat) > g.dLatDeg {
			continue
		}
		d := geo.Distance(p, s)
		if d > g.radius {
			continue
		}
		if site < 0 || d < meters {
			site, meters = int(id), d
		}
		if !alert && inSpans(ix.spans[id], t) {
			alert = true
		}
	}
	return site, meters, site >= 0, alert
}
