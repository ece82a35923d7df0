package sensor

import (
	"math"
	"slices"

	"truce/internal/geo"
)

// SiteGrid answers "the nearest site within R metres" and "every site within
// R metres" for one fixed radius R, with exactly the distances and the
// boundary of geo.Distance and geo.PointIndex: a site at exactly R is
// within, and ties go to the lowest index.
//
// Each site is filed under every cell of a latitude-longitude grid that its
// conservative search boxes (geo.SearchBoxes, which geo.PointIndex searches
// too) meet, so a query reads one cell: the candidates filed there, in
// index order, then the exact haversine distance. Cells are about 2R high;
// the few that hold sites are found through a small open-addressing hash
// table.
//
// A SiteGrid is immutable and safe for concurrent use.
type SiteGrid struct {
	radius  float64
	dLatDeg float64 // no site within radius is farther than this in latitude
	pts     []geo.Point
	invLat  float64 // cells per degree of latitude
	invLon  float64 // cells per degree of longitude
	ncol    int     // cells around a parallel
	// An open-addressing hash table from cell to its sites: slot s holds
	// cell slots[s].key (emptyKey if none), whose sites are
	// ids[slots[s].start:slots[s].end]. A slot is one load: a query misses
	// the cache once, not three times.
	slots []gridSlot
	mask  uint32
	shift uint32 // 32 - log2(len(slots))
	ids   []int32
}

// gridSlot is a slot of SiteGrid's hash table.
type gridSlot struct{ key, start, end uint32 }

// NewSiteGrid files pts for queries with the given radius in metres.
// Results refer to points by their index in pts; pts is copied. Points that
// are not Valid are never found, nor is anything when radiusMeters is
// negative or NaN.
func NewSiteGrid(pts []geo.Point, radiusMeters float64) *SiteGrid {
	const deg = 180 / math.Pi
	g := &SiteGrid{radius: radiusMeters, pts: slices.Clone(pts)}
	if !(radiusMeters >= 0) || math.IsInf(radiusMeters, 0) {
		return g
	}
	delta := radiusMeters/geo.EarthRadiusMeters*(1+1e-9) + 1e-12 // as geo.SearchBoxes pads it
	g.dLatDeg = delta * deg
	cell := math.Max(2*g.dLatDeg, 1e-3)
	// Longitude cells as wide as latitude cells are high at the sites'
	// median latitude (capped at 70°).
	lats := make([]float64, 0, len(pts))
	for _, p := range pts {
		if p.Valid() {
			lats = append(lats, math.Abs(p.Lat))
		}
	}
	ref := 0.0
	if len(lats) > 0 {
		slices.Sort(lats)
		ref = math.Min(lats[len(lats)/2], 70)
	}
	g.invLat = 1 / cell
	g.ncol = max(1, int(math.Ceil(360/(cell/math.Cos(ref/deg)))))
	g.invLon = float64(g.ncol) / 360
	if int64(g.ncol)*int64(180*g.invLat+2) >= math.MaxUint32 {
		// A radius of centimetres: cells of 1e-3 degrees still number
		// 6.5e10. Coarser cells only cost candidates.
		g.ncol = 360 * 100
		g.invLon = 100
		g.invLat = 100
	}
	type entry struct {
		key uint32
		id  int32
	}
	var entries []entry
	for i, p := range pts {
		boxes, n := geo.SearchBoxes(p, radiusMeters)
		for _, b := range boxes[:n] {
			for r := g.row(b.MinLat); r <= g.row(b.MaxLat); r++ {
				for c := g.col(b.MinLon); c <= g.col(b.MaxLon); c++ {
					entries = append(entries, entry{g.key(r, c), int32(i)})
				}
			}
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if a.key != b.key {
			return int(int64(a.key) - int64(b.key))
		}
		return int(a.id - b.id)
	})
	entries = slices.Compact(entries)
	nkeys := 0
	for i := range entries {
		if i == 0 || entries[i].key != entries[i-1].key {
			nkeys++
		}
	}
	size, logSize := 16, uint32(4)
	for size < 2*nkeys {
		size, logSize = size*2, logSize+1
	}
	g.mask, g.shift = uint32(size-1), 32-logSize
	g.slots = make([]gridSlot, size)
	for i := range g.slots {
		g.slots[i].key = emptyKey
	}
	g.ids = make([]int32, len(entries))
	for i := 0; i < len(entries); {
		j := i
		for j < len(entries) && entries[j].key == entries[i].key {
			g.ids[j] = entries[j].id
			j++
		}
		s := g.slot(entries[i].key)
		g.slots[s] = gridSlot{entries[i].key, uint32(i), uint32(j)}
		i = j
	}
	return g
}

const emptyKey = math.MaxUint32

// row and col map a latitude and a longitude to grid indexes. Both are
// monotone, so a point inside a box lands between the box corners' cells.
func (g *SiteGrid) row(lat float64) int { return int(math.Floor((lat + 90) * g.invLat)) }
func (g *SiteGrid) col(lon float64) int {
	c := int(math.Floor((lon + 180) * g.invLon))
	return min(max(c, 0), g.ncol-1)
}

func (g *SiteGrid) key(r, c int) uint32 { return uint32(r*g.ncol + c) }

// slot returns the slot of key: where it is, or the empty slot it goes in.
func (g *SiteGrid) slot(key uint32) uint32 {
	s := (key * 0x9E3779B1) >> g.shift
	for g.slots[s].key != emptyKey && g.slots[s].key != key {
		s = (s + 1) & g.mask
	}
	return s
}

// candidates returns the sites filed under p's cell, in index order.
func (g *SiteGrid) candidates(p geo.Point) []int32 {
	if len(g.ids) == 0 || !p.Valid() {
		return nil
	}
	sl := &g.slots[g.slot(g.key(g.row(p.Lat), g.col(p.Lon)))]
	if sl.key == emptyKey {
		return nil
	}
	return g.ids[sl.start:sl.end]
}

// Radius returns the radius in metres the grid answers for.
func (g *SiteGrid) Radius() float64 { return g.radius }

// Nearest returns the site nearest to p within the radius (inclusive), ties
// broken by the lowest index, as geo.PointIndex.Nearest does; ok is false if
// there is none.
func (g *SiteGrid) Nearest(p geo.Point) (i int, meters float64, ok bool) {
	best, bestD := -1, 0.0
	for _, id := range g.candidates(p) {
		s := g.pts[id]
		if math.Abs(s.Lat-p.Lat) > g.dLatDeg {
			continue // farther than the radius along the meridian alone
		}
		if d := geo.Distance(p, s); d <= g.radius && (best < 0 || d < bestD) {
			best, bestD = int(id), d
		}
	}
	return best, bestD, best >= 0
}

// Within calls fn for every site within the radius of p, in increasing order
// of distance and then of index, as geo.PointIndex.Within does. It stops
// when fn returns false.
func (g *SiteGrid) Within(p geo.Point, fn func(i int, meters float64) bool) {
	type hit struct {
		i int
		d float64
	}
	var buf [16]hit
	hits := buf[:0]
	for _, id := range g.candidates(p) {
		s := g.pts[id]
		if math.Abs(s.Lat-p.Lat) > g.dLatDeg {
			continue
		}
		if d := geo.Distance(p, s); d <= g.radius {
			hits = append(hits, hit{int(id), d})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.d != b.d {
			if a.d < b.d {
				return -1
			}
			return 1
		}
		return a.i - b.i
	})
	for _, h := range hits {
		if !fn(h.i, h.d) {
			return
		}
	}
}
