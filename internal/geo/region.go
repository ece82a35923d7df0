package geo

import (
	"math"

	"github.com/tidwall/rtree"
)

// EdgeToleranceDegrees is how close, in degrees of the plane (lon, lat), a
// point must be to an edge of a Region to count as on that edge. About
// 0.1 µm: it absorbs the rounding of points computed on an edge, nothing more.
const EdgeToleranceDegrees = 1e-12

// segment is one edge of a ring, lower endpoint first (y0 <= y1).
type segment struct {
	x0, y0, x1, y1 float64
}

// ringInfo says which polygon a ring belongs to, whether it is a hole, and
// the ring's bounding box padded by bandMargin, which lets Contains skip the
// rings of the polygons a point is nowhere near.
type ringInfo struct {
	poly int32
	hole bool
	box  BBox
}

// run is a stretch of one band's edges that all belong to one ring; it ends
// (exclusive) at end, an index into Region.edges, and starts where the
// previous run of the band ended.
type run struct {
	ring int32
	end  int32
}

// Region is a MultiPolygon prepared for fast point-in-polygon tests.
//
// Semantics (Contains):
//   - a point is in the region if it is in any polygon; overlapping polygons
//     do not cancel;
//   - a point is in a polygon if it is in or on the outer ring and not
//     strictly inside any hole (a closed outer ring minus open holes);
//   - inside a ring is decided by the even-odd rule, so self-intersecting
//     rings have a defined answer;
//   - a point within EdgeToleranceDegrees of an edge is on it: on the outer
//     ring means in, on a hole's edge means not strictly inside that hole;
//   - off the edges, a horizontal ray from the point towards +lon counts an
//     edge if one end is at or below the point's latitude and the other
//     strictly above (the half-open rule), so a vertex at the point's
//     latitude is counted once or not at all, and horizontal edges never.
//
// Geometry is planar in degrees: edges are straight lines in (lon, lat), not
// great circles. Polygons MUST NOT cross the antimeridian (±180); split them
// there, as Natural Earth does. Rings that are not closed are closed
// implicitly; edges with non-finite coordinates are ignored. Validate input
// with MultiPolygon.Validate first.
//
// A Region is immutable and safe for concurrent use.
type Region struct {
	geom  MultiPolygon
	bbox  BBox
	rings []ringInfo

	// Horizontal bands over bbox: band b holds, grouped by ring in ring
	// order, every edge whose latitude range (plus a margin) overlaps it.
	minLat    float64
	bandScale float64 // bands per degree of latitude
	nBands    int
	bandEdge  []int32 // band b's edges are edges[bandEdge[b]:bandEdge[b+1]]
	bandRun   []int32 // band b's runs are runs[bandRun[b]:bandRun[b+1]]
	edges     []segment
	runs      []run

	segs []segment           // every edge once, for NearBoundary
	tree rtree.RTreeG[int32] // edge bounding boxes, indexes into segs
}

// Prepare builds a Region from m. It does not copy m: m MUST NOT be modified
// afterwards. Preparing costs O(vertices) time and memory, a few times the
// size of m.
func Prepare(m MultiPolygon) *Region {
	r := &Region{geom: m, bbox: EmptyBBox()}
	var ringOf []int32 // ring of each segment in segs
	for pi, poly := range m {
		for ri, ring := range poly {
			id := int32(len(r.rings))
			box := EmptyBBox()
			n := len(ring)
			for i := 0; i < n; i++ {
				a, b := ring[i], ring[(i+1)%n]
				if i == n-1 && a == b {
					break // already closed (or a single point)
				}
				if !finite(a) || !finite(b) {
					continue
				}
				if a.Lat > b.Lat {
					a, b = b, a
				}
				r.segs = append(r.segs, segment{a.Lon, a.Lat, b.Lon, b.Lat})
				ringOf = append(ringOf, id)
				box = box.Extend(a).Extend(b)
			}
			r.bbox = r.bbox.Union(box)
			r.rings = append(r.rings, ringInfo{poly: int32(pi), hole: ri > 0, box: BBox{
				MinLon: box.MinLon - bandMargin, MinLat: box.MinLat - bandMargin,
				MaxLon: box.MaxLon + bandMargin, MaxLat: box.MaxLat + bandMargin,
			}})
		}
	}
	r.buildBands(ringOf)
	for i, s := range r.segs {
		r.tree.Insert(
			[2]float64{math.Min(s.x0, s.x1), s.y0},
			[2]float64{math.Max(s.x0, s.x1), s.y1},
			int32(i))
	}
	return r
}

func finite(p Point) bool {
	return !math.IsNaN(p.Lon) && !math.IsNaN(p.Lat) && !math.IsInf(p.Lon, 0) && !math.IsInf(p.Lat, 0)
}

// bandMargin widens each edge's latitude range when it is assigned to bands,
// so that every edge Contains might need (within EdgeToleranceDegrees of the
// query latitude, after rounding) is in the query's band.
const bandMargin = 2 * EdgeToleranceDegrees

// buildBands chooses the number of bands and fills bandEdge, bandRun, edges
// and runs. ringOf[i] is the ring of segs[i]; segs are in ring order.
func (r *Region) buildBands(ringOf []int32) {
	nEdges := len(r.segs)
	r.minLat = r.bbox.MinLat
	span := r.bbox.MaxLat - r.bbox.MinLat
	// A band holds the edges that cross it, about c of them where c is the
	// mean number of edges crossing a line of latitude, plus about
	// nEdges/n that end inside it; each edge is stored about 1 + c*n/nEdges
	// times. n = 3*nEdges/c keeps a band within 4/3 of the floor c at about
	// four copies per edge. (A wiggly 5,500-vertex polygon with c = 16 gets
	// 1,040 bands of 21 edges.)
	n := 1
	if span > 0 {
		sum := 0.0
		for _, s := range r.segs {
			sum += s.y1 - s.y0
		}
		c := max(sum/span, 1)
		n = max(1, int(min(3*float64(nEdges)/c, 2*float64(nEdges), 1<<24)))
		r.bandScale = float64(n) / span
	}
	r.nBands = n

	// Counting sort of (band, edge) pairs by band, stable in edge order, so
	// each band's edges stay grouped by ring.
	r.bandEdge = make([]int32, r.nBands+1)
	for _, s := range r.segs {
		for b := r.band(s.y0 - bandMargin); b <= r.band(s.y1+bandMargin); b++ {
			r.bandEdge[b+1]++
		}
	}
	for b := 0; b < r.nBands; b++ {
		r.bandEdge[b+1] += r.bandEdge[b]
	}
	r.edges = make([]segment, r.bandEdge[r.nBands])
	ring := make([]int32, len(r.edges))
	next := make([]int32, r.nBands)
	copy(next, r.bandEdge)
	for i, s := range r.segs {
		for b := r.band(s.y0 - bandMargin); b <= r.band(s.y1+bandMargin); b++ {
			r.edges[next[b]] = s
			ring[next[b]] = ringOf[i]
			next[b]++
		}
	}
	r.bandRun = make([]int32, r.nBands+1)
	for b := 0; b < r.nBands; b++ {
		for j := r.bandEdge[b]; j < r.bandEdge[b+1]; j++ {
			if j+1 == r.bandEdge[b+1] || ring[j+1] != ring[j] {
				r.runs = append(r.runs, run{ring: ring[j], end: j + 1})
			}
		}
		r.bandRun[b+1] = int32(len(r.runs))
	}
}

// band returns the band of latitude y. It is monotone in y, which is what
// makes assigning an edge to the bands of its end latitudes sufficient.
func (r *Region) band(y float64) int {
	f := (y - r.minLat) * r.bandScale
	switch {
	case !(f > 0): // also NaN, from 0 * +Inf on a degenerate span
		return 0
	case f >= float64(r.nBands-1):
		return r.nBands - 1
	}
	return int(f)
}

// Contains reports whether p is in the region; see Region for the exact
// semantics. It tests only the edges of the latitude band holding p.
func (r *Region) Contains(p Point) bool {
	const pad = bandMargin
	px, py := p.Lon, p.Lat
	// Written so that NaN coordinates are outside.
	if !(px >= r.bbox.MinLon-pad && px <= r.bbox.MaxLon+pad && py >= r.bbox.MinLat-pad && py <= r.bbox.MaxLat+pad) {
		return false
	}
	b := r.band(py)
	start := r.bandEdge[b]
	curPoly, in := int32(-1), false
	for _, rn := range r.runs[r.bandRun[b]:r.bandRun[b+1]] {
		seg := r.edges[start:rn.end]
		start = rn.end
		info := r.rings[rn.ring]
		if info.poly != curPoly {
			if in {
				return true
			}
			curPoly, in = info.poly, false
		}
		if !info.box.Contains(p) {
			continue // outside the ring and off its edges
		}
		// A polygon's outer ring comes before its holes. If the outer ring
		// has no edge in this band, p is outside it and in stays false.
		if !info.hole {
			odd, on := crossings(seg, px, py)
			in = odd || on
		} else if in {
			if odd, on := crossings(seg, px, py); odd && !on {
				in = false
			}
		}
	}
	return in
}

// crossings applies the even-odd rule to one ring's edges: odd reports
// whether a ray from (px, py) towards +lon crosses an odd number of them. An
// edge counts if its lower end is at or below py and its upper end strictly
// above (the half-open rule), which counts a vertex on the ray once and
// horizontal edges never. If (px, py) is on an edge, crossings returns early
// with on set and odd meaningless.
func crossings(seg []segment, px, py float64) (odd, on bool) {
	const eps = EdgeToleranceDegrees
	lo, hi := py-eps, py+eps
	for i := range seg {
		s := &seg[i]
		if s.y0 > hi || s.y1 < lo {
			continue
		}
		if px > s.x0+eps && px > s.x1+eps {
			continue
		}
		if px < s.x0-eps && px < s.x1-eps {
			if s.y0 <= py && py < s.y1 {
				odd = !odd
			}
			continue
		}
		if onSegment(px, py, s) {
			return false, true
		}
		if s.y0 <= py && py < s.y1 && px < s.x0+(py-s.y0)*(s.x1-s.x0)/(s.y1-s.y0) {
			odd = !odd
		}
	}
	return odd, false
}

// onSegment reports whether (px, py) is within EdgeToleranceDegrees of s in
// the (lon, lat) plane.
func onSegment(px, py float64, s *segment) bool {
	const eps = EdgeToleranceDegrees
	dx, dy := s.x1-s.x0, s.y1-s.y0
	ex, ey := px-s.x0, py-s.y0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t := (ex*dx + ey*dy) / l2
		t = max(0, min(1, t))
		ex -= t * dx
		ey -= t * dy
	}
	return ex*ex+ey*ey <= eps*eps
}

// BBox returns the bounding box of the region's edges; it is empty if the
// region has none.
func (r *Region) BBox() BBox { return r.bbox }

// Geometry returns the MultiPolygon the region was prepared from (not a
// copy: callers MUST NOT modify it).
func (r *Region) Geometry() MultiPolygon { return r.geom }

// NearBoundary reports whether some edge of the region (outer ring or hole)
// lies within meters of p. Distances are measured in a local equirectangular
// projection centred on p (x scaled by cos(lat p)). Measured against the
// haversine Distance, its error at 100 km is under 0.4% at latitude 50 and
// under 0.9% at 70, and it shrinks in proportion to the radius; near the
// poles it is meaningless. Edges on the other side of the antimeridian are
// found. Nothing is near if p is not Valid or meters is negative or NaN.
// Candidate edges come from an R-tree, so the cost depends on the number of
// edges near p, not on the size of the region.
func (r *Region) NearBoundary(p Point, meters float64) bool {
	boxes, n := searchBoxes(p, meters)
	if n == 0 {
		return false
	}
	const mPerDeg = EarthRadiusMeters * math.Pi / 180
	kx, ky := math.Cos(p.Lat*math.Pi/180)*mPerDeg, mPerDeg
	r2 := meters * meters
	found := false
	for _, box := range boxes[:n] {
		r.tree.Search([2]float64{box.MinLon, box.MinLat}, [2]float64{box.MaxLon, box.MaxLat},
			func(_, _ [2]float64, i int32) bool {
				s := &r.segs[i]
				ax, ay := wrapLon(s.x0-p.Lon)*kx, (s.y0-p.Lat)*ky
				bx, by := wrapLon(s.x1-p.Lon)*kx, (s.y1-p.Lat)*ky
				found = distSqToSegment(ax, ay, bx, by) <= r2
				return !found
			})
		if found {
			return true
		}
	}
	return false
}

// wrapLon maps a longitude difference into [-180, 180].
func wrapLon(d float64) float64 {
	switch {
	case d > 180:
		return d - 360
	case d < -180:
		return d + 360
	}
	return d
}

// distSqToSegment returns the squared distance from the origin to the
// segment (ax, ay)-(bx, by).
func distSqToSegment(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t := -(ax*dx + ay*dy) / l2
		t = max(0, min(1, t))
		ax += t * dx
		ay += t * dy
	}
	return ax*ax + ay*ay
}
