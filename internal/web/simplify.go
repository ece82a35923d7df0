package web

import (
	"math"
	"slices"
	"sort"
	"strconv"

	"truce/internal/geo"
)

// simplifyRing reduces a closed ring with the Douglas-Peucker algorithm:
// it keeps the vertices farther than tol (in degrees, planar) from the
// simplified line. The result is closed; it is nil when fewer than four
// vertices (a triangle) survive, so that slivers and tiny islands vanish
// rather than turn into spikes.
func simplifyRing(r geo.Ring, tol float64) geo.Ring {
	keep := dpKeep(r, tol)
	if keep == nil {
		return nil
	}
	out := make(geo.Ring, 0, 16)
	for i, k := range keep {
		if k {
			out = append(out, r[i])
		}
	}
	if len(out) < 4 {
		return nil
	}
	return out
}

// dpKeep marks the vertices of the closed ring r that Douglas-Peucker with
// tolerance tol keeps (the first and the last, which repeats it, always);
// nil when r has fewer than three distinct positions.
func dpKeep(r geo.Ring, tol float64) []bool {
	n := len(r) - 1
	if n < 3 || r[0] != r[n] {
		return nil
	}
	// Split the ring at vertex 0 and the vertex farthest from it, and
	// simplify both halves as open polylines.
	far, farD := 0, -1.0
	for i := 1; i < n; i++ {
		if d := sqDist(r[0], r[i]); d > farD {
			far, farD = i, d
		}
	}
	keep := make([]bool, n+1)
	keep[0], keep[far], keep[n] = true, true, true
	tol2 := tol * tol
	type span struct{ a, b int }
	stack := []span{{0, far}, {far, n}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if best := farthest(r, s.a, s.b, tol2); best >= 0 {
			keep[best] = true
			stack = append(stack, span{s.a, best}, span{best, s.b})
		}
	}
	return keep
}

// farthest is the vertex of r strictly between a and b farthest from the
// chord ab, if farther than sqrt(min2); -1 if none is.
func farthest(r geo.Ring, a, b int, min2 float64) int {
	best, bestD := -1, min2
	for i := a + 1; i < b; i++ {
		if d := sqSegDist(r[i], r[a], r[b]); d > bestD {
			best, bestD = i, d
		}
	}
	return best
}

// simplifyMulti simplifies every polygon of m for display and GIS tools:
// each ring by Douglas-Peucker with tolerance tol, its coordinates rounded
// to the given number of decimals (what appendMultiPolygon writes), wound
// as RFC 7946 §3.1.6 asks (exterior rings counterclockwise, holes
// clockwise). A polygon whose outer ring vanishes is dropped with its
// holes.
//
// Simplifying rings one by one does not preserve topology: a ring can come
// to cross itself or another ring (the Black Sea's coast did, at 28.958,
// 44.690), which GDAL and PostGIS reject as invalid. So the result is
// checked, and every simplified edge in a crossing gets back the source
// vertex farthest from it, until no edge crosses; where rounding alone
// makes source edges cross, the coordinates get one more decimal.
func simplifyMulti(m geo.MultiPolygon, tol float64, decimals int) geo.MultiPolygon {
	plans := make([][][]bool, len(m))
	for i, poly := range m {
		plans[i] = make([][]bool, len(poly))
		for j, r := range poly {
			plans[i][j] = dpKeep(r, tol)
		}
	}
	for d := decimals; ; d++ {
		out, ok := repairRings(m, plans, d)
		if ok || d >= 9 {
			return out
		}
	}
}

// shownRing is one ring of simplifyMulti's output: which source ring it
// shows and, per output vertex, the source vertex it stands for.
type shownRing struct {
	poly, ring int
	src        []int
}

// repairRings builds the rings keep marks and restores source vertices
// until no edge crosses; it reports false if crossings remain that only
// source edges take part in.
func repairRings(m geo.MultiPolygon, keep [][][]bool, decimals int) (geo.MultiPolygon, bool) {
	for {
		out, shown := buildRings(m, keep, decimals)
		bad, inside := crossingEdges(out)
		if len(bad) == 0 && len(inside) == 0 {
			return out, true
		}
		progress := false
		for _, e := range bad {
			sr := shown[e[0]]
			a, b := sr.src[e[1]], sr.src[e[1]+1]
			progress = restore(m[sr.poly][sr.ring], keep[sr.poly][sr.ring], a, b) || progress
		}
		for _, in := range inside {
			// The ring's simplified edges cut across p, which its source
			// went around: restore the edges whose source stretch does.
			sr := shown[in.ring]
			r := m[sr.poly][sr.ring]
			for i := 1; i < len(sr.src); i++ {
				a, b := min(sr.src[i-1], sr.src[i]), max(sr.src[i-1], sr.src[i])
				if spanBox(r, a, b).Contains(in.p) {
					progress = restore(r, keep[sr.poly][sr.ring], a, b) || progress
				}
			}
		}
		if !progress {
			return out, false
		}
	}
}

// restore keeps the vertex of r between a and b (in either order)
// farthest from their chord, if there is one not kept yet; it reports
// whether it kept one.
func restore(r geo.Ring, keep []bool, a, b int) bool {
	if a > b {
		a, b = b, a
	}
	if v := farthest(r, a, b, -1); v >= 0 && !keep[v] {
		keep[v] = true
		return true
	}
	return false
}

// spanBox is the bounding box of r's vertices a to b.
func spanBox(r geo.Ring, a, b int) geo.BBox {
	box := geo.EmptyBBox()
	for _, p := range r[a : b+1] {
		box = box.Extend(p)
	}
	return box
}

// buildRings makes the output rings from the kept vertices: rounded to
// decimals without repeated points, wound per RFC 7946, rings of fewer
// than four points (and polygons whose outer ring is one) left out.
func buildRings(m geo.MultiPolygon, keep [][][]bool, decimals int) (geo.MultiPolygon, []shownRing) {
	var out geo.MultiPolygon
	var shown []shownRing
	for i, poly := range m {
		var p geo.Polygon
		for j, r := range poly {
			if keep[i][j] == nil || (j > 0 && len(p) == 0) {
				continue
			}
			ring, src := displayRing(r, keep[i][j], decimals, j == 0)
			if ring == nil {
				continue
			}
			p = append(p, ring)
			shown = append(shown, shownRing{poly: i, ring: j, src: src})
		}
		if len(p) > 0 {
			out = append(out, p)
		}
	}
	return out, shown
}

// displayRing is the ring of r's kept vertices rounded to decimals without
// repeated points, wound counterclockwise when ccw (clockwise otherwise),
// with the source index of each of its vertices; nil when fewer than four
// points remain.
func displayRing(r geo.Ring, keep []bool, decimals int, ccw bool) (geo.Ring, []int) {
	scale := math.Pow(10, float64(decimals))
	round := func(v float64) float64 { return math.Round(v*scale)/scale + 0 }
	out := make(geo.Ring, 0, 16)
	src := make([]int, 0, 16)
	for i, k := range keep {
		if !k {
			continue
		}
		q := geo.Point{Lon: round(r[i].Lon), Lat: round(r[i].Lat)}
		if len(out) > 0 && out[len(out)-1] == q {
			src[len(src)-1] = i // the later vertex bounds the next edge
			continue
		}
		out, src = append(out, q), append(src, i)
	}
	if len(out) < 4 || out[0] != out[len(out)-1] {
		return nil, nil
	}
	if (signedArea(out) > 0) != ccw {
		slices.Reverse(out)
		slices.Reverse(src)
	}
	return out, src
}

// signedArea is twice the planar area of the closed ring r, positive when
// r runs counterclockwise (the shoelace formula).
func signedArea(r geo.Ring) float64 {
	var a float64
	for i := 1; i < len(r); i++ {
		a += r[i-1].Lon*r[i].Lat - r[i].Lon*r[i-1].Lat
	}
	return a
}

// ringSeg is one edge of a ring: ring is the ring's index in the order
// simplifyRings numbers them, i the edge's index in the ring, n the
// ring's number of edges.
type ringSeg struct {
	a, b       geo.Point
	ring, i, n int
	minX, maxX float64
}

// ringInside says that a point of another ring lies inside ring, where
// the source did not put it: a hole outside its outer ring, or a polygon
// inside another polygon of the same multipolygon (an island in a lagoon
// that simplification closed over).
type ringInside struct {
	ring int
	p    geo.Point
}

// crossingEdges returns the edges of m, as (ring, edge) in the order
// buildRings numbers them, that touch or cross where OGC simple features
// forbid it (see segsConflict), and the rings that contain what they may
// not. A plane sweep over the edges sorted by their west end keeps it near
// n log n on coastlines.
func crossingEdges(m geo.MultiPolygon) ([][2]int, []ringInside) {
	var segs []ringSeg
	var bad [][2]int
	inside := nested(m)
	for ring, r := range ringsOf(m) {
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			segs = append(segs, ringSeg{a: a, b: b, ring: ring, i: i - 1, n: len(r) - 1,
				minX: math.Min(a.Lon, b.Lon), maxX: math.Max(a.Lon, b.Lon)})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	var active []int
	for k := range segs {
		s := &segs[k]
		keep := active[:0]
		for _, a := range active {
			if segs[a].maxX >= s.minX {
				keep = append(keep, a)
			}
		}
		active = keep
		for _, a := range active {
			if t := &segs[a]; segsConflict(t, s) {
				bad = append(bad, [2]int{t.ring, t.i}, [2]int{s.ring, s.i})
			}
		}
		active = append(active, k)
	}
	return bad, inside
}

// ringsOf lists m's rings in the order buildRings numbers them.
func ringsOf(m geo.MultiPolygon) []geo.Ring {
	var rs []geo.Ring
	for _, poly := range m {
		rs = append(rs, poly...)
	}
	return rs
}

// nested finds the holes of m outside their outer ring and the polygons
// of m inside another's outer ring but in none of its holes.
func nested(m geo.MultiPolygon) []ringInside {
	var out []ringInside
	first := make([]int, len(m)) // ring number of each polygon's outer ring
	boxes := make([]geo.BBox, len(m))
	n := 0
	for i, poly := range m {
		first[i], n = n, n+len(poly)
		boxes[i] = spanBox(poly[0], 0, len(poly[0])-1)
		for _, h := range poly[1:] {
			if !inRing(h[0], poly[0]) {
				out = append(out, ringInside{first[i], h[0]})
			}
		}
	}
	for i, poly := range m {
		p := poly[0][0]
		for j, other := range m {
			if j == i || !boxes[j].Contains(p) || !inRing(p, other[0]) {
				continue
			}
			inHole := false
			for _, h := range other[1:] {
				inHole = inHole || inRing(p, h)
			}
			if !inHole {
				out = append(out, ringInside{first[j], p})
			}
		}
	}
	return out
}

// segsConflict reports whether two ring edges meet where a valid polygon's
// edges may not (OGC simple features, as GEOS checks them): edges of one
// ring may meet only where adjacent edges share their end, without
// folding back; edges of different rings may touch at a point but not
// cross or overlap.
func segsConflict(s, t *ringSeg) bool {
	if math.Max(s.a.Lat, s.b.Lat) < math.Min(t.a.Lat, t.b.Lat) || math.Max(t.a.Lat, t.b.Lat) < math.Min(s.a.Lat, s.b.Lat) {
		return false
	}
	if s.ring != t.ring {
		return segmentsCross(s.a, s.b, t.a, t.b)
	}
	d := s.i - t.i
	if d < 0 {
		d = -d
	}
	if d == 1 || d == s.n-1 {
		// Adjacent edges share one end; they conflict only if one folds
		// back over the other.
		p, q, r := s.a, s.b, t.b
		if s.b != t.a {
			p, q, r = t.a, t.b, s.b
		}
		return orient(p, q, r) == 0 && (r.Lon-q.Lon)*(p.Lon-q.Lon)+(r.Lat-q.Lat)*(p.Lat-q.Lat) > 0
	}
	return segmentsMeet(s.a, s.b, t.a, t.b)
}

// segmentsCross reports whether the segments ab and cd cross at a point
// inside both, or overlap along a stretch; touching at a point is not
// crossing.
func segmentsCross(a, b, c, d geo.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if o1 == 0 && o2 == 0 { // collinear: do they share more than a point?
		lo1, hi1 := proj(a, b, a), proj(a, b, b)
		lo2, hi2 := proj(a, b, c), proj(a, b, d)
		if lo2 > hi2 {
			lo2, hi2 = hi2, lo2
		}
		return math.Min(hi1, hi2)-math.Max(lo1, lo2) > 0
	}
	return ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))
}

// proj is p's position along the line through a and b (a at 0).
func proj(a, b, p geo.Point) float64 {
	return (p.Lon-a.Lon)*(b.Lon-a.Lon) + (p.Lat-a.Lat)*(b.Lat-a.Lat)
}

// orient is the sign of the turn p → q → r: positive counterclockwise.
func orient(p, q, r geo.Point) float64 {
	return (q.Lon-p.Lon)*(r.Lat-p.Lat) - (q.Lat-p.Lat)*(r.Lon-p.Lon)
}

// segmentsMeet reports whether the closed segments ab and cd share a point.
func segmentsMeet(a, b, c, d geo.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) {
		return true
	}
	on := func(p, q, r geo.Point) bool { // r on segment pq, given collinear
		return math.Min(p.Lon, q.Lon) <= r.Lon && r.Lon <= math.Max(p.Lon, q.Lon) &&
			math.Min(p.Lat, q.Lat) <= r.Lat && r.Lat <= math.Max(p.Lat, q.Lat)
	}
	return (o1 == 0 && on(a, b, c)) || (o2 == 0 && on(a, b, d)) || (o3 == 0 && on(c, d, a)) || (o4 == 0 && on(c, d, b))
}

// inRing reports whether p lies inside the closed ring r (even-odd rule).
func inRing(p geo.Point, r geo.Ring) bool {
	in := false
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < a.Lon+(p.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat) {
			in = !in
		}
	}
	return in
}

func sqDist(a, b geo.Point) float64 {
	dx, dy := a.Lon-b.Lon, a.Lat-b.Lat
	return dx*dx + dy*dy
}

// sqSegDist is the squared planar distance from p to the segment ab.
func sqSegDist(p, a, b geo.Point) float64 {
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	if dx == 0 && dy == 0 {
		return sqDist(p, a)
	}
	t := ((p.Lon-a.Lon)*dx + (p.Lat-a.Lat)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return sqDist(p, geo.Point{Lon: a.Lon + t*dx, Lat: a.Lat + t*dy})
}

// appendMultiPolygon appends m as a GeoJSON MultiPolygon geometry with
// coordinates rounded to the given number of decimals.
func appendMultiPolygon(b []byte, m geo.MultiPolygon, decimals int) []byte {
	b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
	for i, poly := range m {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, ring := range poly {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for k, p := range ring {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				b = appendCoord(b, p.Lon, decimals)
				b = append(b, ',')
				b = appendCoord(b, p.Lat, decimals)
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, "]}"...)
}

func appendCoord(b []byte, v float64, decimals int) []byte {
	scale := math.Pow(10, float64(decimals))
	v = math.Round(v*scale) / scale
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
