package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/tidwall/rtree"
)

// PointIndex answers "which points lie within N metres of here" over a fixed
// set of points, such as protected sites. Queries run in two phases: an
// R-tree search with a conservative box in degrees, then the exact haversine
// Distance. A PointIndex is immutable and safe for concurrent use.
type PointIndex struct {
	n    int
	tree rtree.RTreeG[int] // points as zero-size boxes; data is the index
}

// NewPointIndex indexes pts; results refer to points by their index in pts.
// pts is not retained. Points that are not Valid are never returned.
func NewPointIndex(pts []Point) *PointIndex {
	ix := &PointIndex{n: len(pts)}
	for i, p := range pts {
		if p.Valid() {
			xy := [2]float64{p.Lon, p.Lat}
			ix.tree.Insert(xy, xy, i)
		}
	}
	return ix
}

// Len returns the number of points given to NewPointIndex, valid or not.
func (ix *PointIndex) Len() int { return ix.n }

// hit is a point found by a query with its distance from the query point.
type hit struct {
	i int
	d float64
}

func compareHits(a, b hit) int {
	if c := cmp.Compare(a.d, b.d); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

// Within calls fn for every point i with Distance(p, pts[i]) <= meters (the
// boundary is included), passing that distance, in increasing order of
// distance and then of i. It stops when fn returns false. fn may call other
// methods of ix. Nothing is found if p is not Valid or meters is negative or
// NaN; meters may be +Inf.
func (ix *PointIndex) Within(p Point, meters float64, fn func(i int, dMeters float64) bool) {
	var buf [64]hit
	hits := buf[:0]
	ix.search(p, meters, func(i int, d float64) { hits = append(hits, hit{i, d}) })
	slices.SortFunc(hits, compareHits)
	for _, h := range hits {
		if !fn(h.i, h.d) {
			return
		}
	}
}

// Nearest returns the point nearest to p within maxMeters (inclusive), ties
// broken by the lowest index; ok is false if there is none.
func (ix *PointIndex) Nearest(p Point, maxMeters float64) (i int, dMeters float64, ok bool) {
	best := hit{i: -1}
	ix.search(p, maxMeters, func(i int, d float64) {
		if h := (hit{i, d}); best.i < 0 || compareHits(h, best) < 0 {
			best = h
		}
	})
	if best.i < 0 {
		return 0, 0, false
	}
	return best.i, best.d, true
}

// search calls fn for every point within meters of p, in no order.
func (ix *PointIndex) search(p Point, meters float64, fn func(i int, d float64)) {
	boxes, n := SearchBoxes(p, meters)
	for _, b := range boxes[:n] {
		ix.tree.Search([2]float64{b.MinLon, b.MinLat}, [2]float64{b.MaxLon, b.MaxLat},
			func(xy, _ [2]float64, i int) bool {
				if d := Distance(p, Point{Lon: xy[0], Lat: xy[1]}); d <= meters {
					fn(i, d)
				}
				return true
			})
	}
}

// SearchBoxes returns the boxes to search, in a two-phase search, for the
// points within meters of p: one box, or two when the circle crosses the
// antimeridian (boxes[:n]), that together contain every point q with
// Distance(p, q) <= meters (and every point within meters of p in the
// equirectangular projection around p that Region.NearBoundary uses). It
// returns n == 0 if p is not Valid or meters is negative or NaN. Every
// box has MinLon <= MaxLon, within [-180, 180], and MinLat <= MaxLat,
// within [-90, 90]; the candidates found in them still need the exact
// test.
//
// The box is conservative, never tight: the angular radius is padded for
// rounding; the longitude half-width is asin(sin δ / cos φmax), where δ is the
// angular radius and φmax the largest |latitude| of the box (a point at
// latitude φ and longitude offset λ is at least asin(cos φ sin λ) from p's
// meridian); if the circle reaches a pole every longitude is searched; and a
// box crossing the antimeridian is split in two.
func SearchBoxes(p Point, meters float64) (boxes [2]BBox, n int) {
	const deg = 180 / math.Pi
	if !p.Valid() || !(meters >= 0) {
		return boxes, 0
	}
	delta := meters/EarthRadiusMeters*(1+1e-9) + 1e-12 // radians
	dLat := delta * deg
	minLat, maxLat := p.Lat-dLat, p.Lat+dLat
	all := BBox{MinLon: -180, MinLat: max(minLat, -90), MaxLon: 180, MaxLat: min(maxLat, 90)}
	if minLat <= -90 || maxLat >= 90 {
		boxes[0] = all
		return boxes, 1
	}
	phiMax := max(math.Abs(minLat), math.Abs(maxLat)) / deg
	s := math.Sin(delta) / math.Cos(phiMax)
	if s >= 1 {
		boxes[0] = all
		return boxes, 1
	}
	dLon := math.Asin(s)*deg*(1+1e-9) + 1e-9
	minLon, maxLon := p.Lon-dLon, p.Lon+dLon
	switch {
	case dLon >= 180:
		boxes[0] = all
		return boxes, 1
	case minLon < -180:
		boxes[0] = BBox{MinLon: minLon + 360, MinLat: minLat, MaxLon: 180, MaxLat: maxLat}
		boxes[1] = BBox{MinLon: -180, MinLat: minLat, MaxLon: maxLon, MaxLat: maxLat}
		return boxes, 2
	case maxLon > 180:
		boxes[0] = BBox{MinLon: minLon, MinLat: minLat, MaxLon: 180, MaxLat: maxLat}
		boxes[1] = BBox{MinLon: -180, MinLat: minLat, MaxLon: maxLon - 360, MaxLat: maxLat}
		return boxes, 2
	}
	boxes[0] = BBox{MinLon: minLon, MinLat: minLat, MaxLon: maxLon, MaxLat: maxLat}
	return boxes, 1
}
