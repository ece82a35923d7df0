package geo

import (
	"cmp"
	"math"
	"slices"
	"sync"

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
// NearBoundary answers for the outline of the union of the polygons, not for
// every edge (see there).
//
// A Region is immutable and safe for concurrent use (NearBoundary's first
// call builds the outline once, under a sync.Once).
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

	segs []segment // every edge once, in ring order

	// The outline of the union of the polygons, for NearBoundary: built by
	// its first call, which costs more than Prepare itself.
	outlineOnce sync.Once
	outline     []segment           // the pieces of edges on the outline
	tree        rtree.RTreeG[int32] // their bounding boxes, indexes into outline
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
	return r
}

// buildTree finds the outline and indexes it for NearBoundary.
func (r *Region) buildTree() {
	r.outline = r.buildOutline(SliverMeters)
	for i, s := range r.outline {
		r.tree.Insert(
			[2]float64{math.Min(s.x0, s.x1), s.y0},
			[2]float64{math.Max(s.x0, s.x1), s.y1},
			int32(i))
	}
}

// SliverMeters is about how narrow a strip outside the region may be and
// still not be outline (see NearBoundary): wide enough for the gaps that
// neighbouring features of real data leave along the lines they share,
// narrow beside the precision of a reported location.
const SliverMeters = 50

// buildOutline returns the pieces of the region's edges that are on its
// outline: a point q of an edge is on it if, on one side of the edge, the
// disk of radius delta/2 centred delta from q (along the edge's normal, in
// the equirectangular projection at the edge's middle) is outside the
// region. A disk, not a point: a point delta from q can fall in a sliver
// that crosses its path, as at a junction of three features whose vertices
// differ, and take that sliver for the outside. A disk that fits in no
// sliver, at delta > rho from q so that q's own edge never blocks it, does
// not; and a gap along q's edge narrower than delta+rho holds no such disk.
//
// It is exact, not sampled. On each side of an edge e the disk's centre runs
// along a line parallel to e, and is blocked where it is within delta/2 of
// another edge f: for each f near e that is one interval of e's parameter
// (the line meets the capsule around f in one interval). Between blocked
// intervals the centre crosses no edge, so one Contains per free interval
// says whether it is outside. Most edges meet only their two neighbours,
// near their ends, and cost a handful of Contains calls; the edges near e
// come from a grid built for the purpose. A centre beyond the antimeridian
// is wrapped, so the line along which a polygon was split there is not
// outline.
func (r *Region) buildOutline(delta float64) []segment {
	const mPerDeg = EarthRadiusMeters * math.Pi / 180
	rho := delta / 2
	g := newEdgeGrid(r.segs, r.bbox)
	var (
		out              []segment
		near             []nearEdge
		blocked, outside []span
	)
	for i := range r.segs {
		s := &r.segs[i]
		// Metres per degree, and e from s's lower end, in metres.
		kx, ky := max(math.Cos((s.y0+s.y1)/2*math.Pi/180), 1e-6)*mPerDeg, mPerDeg
		ex, ey := (s.x1-s.x0)*kx, (s.y1-s.y0)*ky
		l := math.Hypot(ex, ey)
		if !(l > 0) {
			continue // a repeated vertex: its point is on the neighbouring edges
		}
		nx, ny := -ey/l*delta, ex/l*delta // from q to the centre, in metres
		reach := delta + rho
		near = g.near(near[:0], r.segs, i, BBox{
			MinLon: min(s.x0, s.x1) - reach/kx, MinLat: s.y0 - reach/ky,
			MaxLon: max(s.x0, s.x1) + reach/kx, MaxLat: s.y1 + reach/ky,
		})
		outside = outside[:0]
		for _, side := range [2]float64{1, -1} {
			cx, cy := side*nx, side*ny // the centre at t = 0
			minX, maxX := min(cx, cx+ex)-rho, max(cx, cx+ex)+rho
			minY, maxY := min(cy, cy+ey)-rho, max(cy, cy+ey)+rho
			blocked = blocked[:0]
			for _, n := range near {
				f := &r.segs[n.i]
				px, py := (f.x0+n.shift-s.x0)*kx, (f.y0-s.y0)*ky
				qx, qy := (f.x1+n.shift-s.x0)*kx, (f.y1-s.y0)*ky
				if max(px, qx) < minX || min(px, qx) > maxX || qy < minY || py > maxY {
					continue // f is on the other side
				}
				if b, ok := capsuleSpan(cx, cy, ex, ey, px, py, qx, qy, rho); ok && b.t1 > 0 && b.t0 < 1 {
					blocked = append(blocked, b)
				}
			}
			slices.SortFunc(blocked, func(a, b span) int { return cmp.Compare(a.t0, b.t0) })
			free := func(t0, t1 float64) {
				if !(t1 > t0) {
					return
				}
				t := (t0 + t1) / 2
				x := s.x0 + t*(s.x1-s.x0) + cx/kx
				y := s.y0 + t*(s.y1-s.y0) + cy/ky
				if !r.Contains(Point{Lon: wrapLon(x), Lat: y}) {
					outside = append(outside, span{t0, t1})
				}
			}
			t := 0.0
			for _, b := range blocked {
				free(t, min(b.t0, 1))
				if t = max(t, b.t1); t >= 1 {
					break
				}
			}
			free(t, 1)
		}
		// The union of both sides' spans, as pieces of s.
		slices.SortFunc(outside, func(a, b span) int { return cmp.Compare(a.t0, b.t0) })
		for k := 0; k < len(outside); {
			cur := outside[k]
			for k++; k < len(outside) && outside[k].t0 <= cur.t1; k++ {
				cur.t1 = max(cur.t1, outside[k].t1)
			}
			out = append(out, s.piece(cur.t0, cur.t1))
		}
	}
	return out
}

// span is an interval [t0, t1] of an edge's parameter.
type span struct{ t0, t1 float64 }

// capsuleSpan returns the interval of t for which the point (cx, cy) + t(ex,
// ey) is within rho of the segment (px, py)-(qx, qy), and whether there is
// one. The points within rho of a segment (a capsule: a rectangle with a
// half-disk at each end) form a convex set, so a line meets it in one
// interval: the union of the line's intervals in the two end disks and in
// the rectangle.
func capsuleSpan(cx, cy, ex, ey, px, py, qx, qy, rho float64) (span, bool) {
	lo, hi := math.Inf(1), math.Inf(-1)
	add := func(t0, t1 float64) {
		if t0 <= t1 {
			lo, hi = min(lo, t0), max(hi, t1)
		}
	}
	e2 := ex*ex + ey*ey
	for _, p := range [2][2]float64{{px, py}, {qx, qy}} {
		// |c + t e - p|^2 < rho^2
		dx, dy := cx-p[0], cy-p[1]
		b := (dx*ex + dy*ey) / e2
		c := (dx*dx + dy*dy - rho*rho) / e2
		if d := b*b - c; d > 0 {
			d = math.Sqrt(d)
			add(-b-d, -b+d)
		}
	}
	fx, fy := qx-px, qy-py
	if f2 := fx*fx + fy*fy; f2 > 0 {
		f := math.Sqrt(f2)
		dx, dy := cx-px, cy-py
		// Along f: 0 <= u0 + t u1 <= 1; across it: |w0 + t w1| < rho.
		u0, u1 := (dx*fx+dy*fy)/f2, (ex*fx+ey*fy)/f2
		w0, w1 := (fx*dy-fy*dx)/f, (fx*ey-fy*ex)/f
		a0, a1 := linearSpan(u0, u1, 0, 1)
		b0, b1 := linearSpan(w0, w1, -rho, rho)
		add(max(a0, b0), min(a1, b1))
	}
	return span{lo, hi}, lo <= hi
}

// linearSpan returns the interval of t for which lo <= v0 + t v1 <= hi
// (empty if t0 > t1).
func linearSpan(v0, v1, lo, hi float64) (t0, t1 float64) {
	if v1 == 0 {
		if lo <= v0 && v0 <= hi {
			return math.Inf(-1), math.Inf(1)
		}
		return 1, 0
	}
	t0, t1 = (lo-v0)/v1, (hi-v0)/v1
	return min(t0, t1), max(t0, t1)
}

// nearEdge is an edge near another, and the shift in longitude (0 or ±360)
// that brings it near across the antimeridian.
type nearEdge struct {
	i     int32
	shift float64
}

// near appends to ns the edges other than segs[i] whose boxes meet b, or
// meet it once moved across the antimeridian.
func (g *edgeGrid) near(ns []nearEdge, segs []segment, i int, b BBox) []nearEdge {
	for _, shift := range [...]float64{0, 360, -360} {
		sb := BBox{MinLon: b.MinLon - shift, MinLat: b.MinLat, MaxLon: b.MaxLon - shift, MaxLat: b.MaxLat}
		if shift != 0 && (sb.MaxLon < -180 || sb.MinLon > 180) {
			continue
		}
		g.stamp++
		g.search(sb, func(k int32) {
			if int(k) == i || g.seen[k] == g.stamp {
				return
			}
			g.seen[k] = g.stamp
			f := &segs[k]
			if f.y1 >= sb.MinLat && f.y0 <= sb.MaxLat && max(f.x0, f.x1) >= sb.MinLon && min(f.x0, f.x1) <= sb.MaxLon {
				ns = append(ns, nearEdge{k, shift})
			}
		})
	}
	return ns
}

// edgeGrid files edges under the cells of a uniform grid over their box that
// they pass through: a spatial index for buildOutline, built in linear time
// and dropped after it.
type edgeGrid struct {
	box    BBox
	sx, sy float64 // cells per degree
	nx, ny int
	start  []int32 // cell c's edges are items[start[c]:start[c+1]]
	items  []int32
	seen   []uint32 // per edge, the stamp of the last search that saw it
	stamp  uint32
}

// gridPad widens, in degrees, the cells an edge is filed under and the cells
// a search looks in, so rounding cannot lose an edge.
const gridPad = 1e-9

func newEdgeGrid(segs []segment, box BBox) *edgeGrid {
	g := &edgeGrid{box: box, nx: 1, ny: 1, seen: make([]uint32, len(segs))}
	w, h := box.MaxLon-box.MinLon, box.MaxLat-box.MinLat
	// About 16 cells per edge, up to 4M cells (16 MB), square in degrees
	// unless the box is flat. Edges lie along lines, so most cells are empty
	// and an occupied one holds a few edges. nx*ny <= 3*target + 1.
	target := float64(min(16*max(len(segs), 1), 1<<22))
	if cell := math.Sqrt(w * h / target); cell > 0 {
		g.nx = int(min(math.Ceil(w/cell), target))
		g.ny = int(min(math.Ceil(h/cell), target))
	} else if w > 0 || h > 0 {
		g.nx = int(max(w/(w+h)*target, 1))
		g.ny = int(max(h/(w+h)*target, 1))
	}
	if w > 0 {
		g.sx = float64(g.nx) / w
	}
	if h > 0 {
		g.sy = float64(g.ny) / h
	}
	g.start = make([]int32, g.nx*g.ny+1)
	for i := range segs {
		g.cellsOf(&segs[i], func(c int) { g.start[c+1]++ })
	}
	for c := range g.nx * g.ny {
		g.start[c+1] += g.start[c]
	}
	g.items = make([]int32, g.start[g.nx*g.ny])
	next := slices.Clone(g.start[:g.nx*g.ny])
	for i := range segs {
		g.cellsOf(&segs[i], func(c int) {
			g.items[next[c]] = int32(i)
			next[c]++
		})
	}
	return g
}

// col and row return the column and row of the cell holding x or y; like
// band they are monotone and clamp to the grid.
func (g *edgeGrid) col(x float64) int { return clampCell((x-g.box.MinLon)*g.sx, g.nx) }
func (g *edgeGrid) row(y float64) int { return clampCell((y-g.box.MinLat)*g.sy, g.ny) }

func clampCell(f float64, n int) int {
	switch {
	case !(f > 0):
		return 0
	case f >= float64(n-1):
		return n - 1
	}
	return int(f)
}

// cellsOf calls fn with every cell s passes through (padded by gridPad),
// row by row, so that a long diagonal edge is not filed under its whole box.
func (g *edgeGrid) cellsOf(s *segment, fn func(c int)) {
	r0, r1 := g.row(s.y0-gridPad), g.row(s.y1+gridPad)
	for r := r0; r <= r1; r++ {
		xa, xb := s.x0, s.x1
		if s.y1 > s.y0 && g.sy > 0 {
			// The part of s within the row's latitudes, a little wider.
			ya := max(s.y0, g.box.MinLat+float64(r)/g.sy-gridPad)
			yb := min(s.y1, g.box.MinLat+float64(r+1)/g.sy+gridPad)
			if r == 0 {
				ya = s.y0
			}
			if r == g.ny-1 {
				yb = s.y1
			}
			k := (s.x1 - s.x0) / (s.y1 - s.y0)
			xa, xb = s.x0+(ya-s.y0)*k, s.x0+(yb-s.y0)*k
		}
		for c := g.col(min(xa, xb) - gridPad); c <= g.col(max(xa, xb)+gridPad); c++ {
			fn(r*g.nx + c)
		}
	}
}

// search calls fn with every edge filed under a cell that b touches; an edge
// may come more than once.
func (g *edgeGrid) search(b BBox, fn func(i int32)) {
	pad := BBox{MinLon: g.box.MinLon - gridPad, MinLat: g.box.MinLat - gridPad, MaxLon: g.box.MaxLon + gridPad, MaxLat: g.box.MaxLat + gridPad}
	if !b.Intersects(pad) {
		return
	}
	r0, r1 := g.row(b.MinLat-gridPad), g.row(b.MaxLat+gridPad)
	c0, c1 := g.col(b.MinLon-gridPad), g.col(b.MaxLon+gridPad)
	for r := r0; r <= r1; r++ {
		for _, i := range g.items[g.start[r*g.nx+c0]:g.start[r*g.nx+c1+1]] {
			fn(i)
		}
	}
}

// piece returns the part of s from parameter t0 to t1 (0 <= t0 <= t1 <= 1),
// lower end first like s.
func (s *segment) piece(t0, t1 float64) segment {
	p := *s
	if t0 > 0 {
		p.x0, p.y0 = s.x0+t0*(s.x1-s.x0), s.y0+t0*(s.y1-s.y0)
	}
	if t1 < 1 {
		p.x1, p.y1 = s.x0+t1*(s.x1-s.x0), s.y0+t1*(s.y1-s.y0)
	}
	return p
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

// NearBoundary reports whether the outline of the region lies within meters
// of p: the outline of the union of its polygons, not every edge of every
// ring. A zone made of several features (the oblasts of a country) has as
// its border the outline of the country: the lines the features share, and
// the parts of rings that other polygons cover, are not on it.
//
// Precisely, a point q of an edge is on the outline if, on one side of the
// edge, the disk of radius SliverMeters/2 centred SliverMeters from q is
// outside the region (in the equirectangular projection at the edge's
// middle): there is room for a disk SliverMeters across outside the region
// right by q. So the gaps that neighbouring features leave along the lines
// they share when their vertices differ (up to 7 m between Kyiv City and
// Kyiv Oblast in the Minregion oblasts, about 50 m at most elsewhere), their
// overlaps, and any other strip outside the region narrower than about
// SliverMeters are not outline; Contains still answers for the points in
// them. The outline is otherwise exact: a concave corner of it loses up to
// about SliverMeters/2. The line along which a polygon was split at the
// antimeridian is not outline either.
//
// Distances are measured in a local equirectangular projection centred on p
// (x scaled by cos(lat p)). Measured against the haversine Distance, its
// error at 100 km is under 0.4% at latitude 50 and under 0.9% at 70, and it
// shrinks in proportion to the radius; near the poles it is meaningless.
// Outline on the other side of the antimeridian is found. Nothing is near
// if p is not Valid or meters is negative or NaN.
//
// The first call finds the outline (see buildOutline): linear in the number
// of edges for real borders, about 0.15 s for the 82,000 edges of Ukraine's
// oblasts. Later calls take candidate pieces of it from an R-tree, so their
// cost depends on the outline near p, not on the size of the region.
func (r *Region) NearBoundary(p Point, meters float64) bool {
	boxes, n := SearchBoxes(p, meters)
	if n == 0 {
		return false
	}
	r.outlineOnce.Do(r.buildTree)
	const mPerDeg = EarthRadiusMeters * math.Pi / 180
	kx, ky := math.Cos(p.Lat*math.Pi/180)*mPerDeg, mPerDeg
	r2 := meters * meters
	found := false
	for _, box := range boxes[:n] {
		r.tree.Search([2]float64{box.MinLon, box.MinLat}, [2]float64{box.MaxLon, box.MaxLat},
			func(_, _ [2]float64, i int32) bool {
				s := &r.outline[i]
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
