package web

import (
	"math"
	"slices"

	"github.com/peterstace/simplefeatures/geom"

	"truce/internal/geo"
)

// dissolve returns the union of m's polygons as a valid multipolygon: a
// zone made of oblasts or countries is drawn without the borders between
// them. A zone's file lists its parts as separate polygons that share
// edges, which the judge reads by the even-odd rule but which GIS tools
// reject (polygons of one OGC multipolygon may touch only at points). The
// union is simplefeatures' overlay (the algorithm GEOS uses), run on each
// group of polygons whose boxes overlap, so that a flaw in one group of
// the source (Natural Earth's Russia has rings that touch themselves)
// stays local; a group the overlay refuses even after repair is kept as it
// is.
func dissolve(m geo.MultiPolygon) geo.MultiPolygon {
	fixed := make(geo.MultiPolygon, len(m))
	for i, p := range m {
		for _, r := range p {
			fixed[i] = append(fixed[i], antimeridianSide(r))
		}
	}
	var out geo.MultiPolygon
	for _, group := range overlapping(fixed) {
		if len(group) == 1 {
			out = append(out, fixed[group[0]])
			continue
		}
		u, ok := union(fixed, group)
		if !ok {
			for _, i := range group {
				out = append(out, fixed[i])
			}
			continue
		}
		out = append(out, u...)
	}
	return out
}

// overlapping groups the polygons of m whose bounding boxes overlap,
// directly or through others (union-find over pairs of boxes).
func overlapping(m geo.MultiPolygon) [][]int {
	parent := make([]int, len(m))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	boxes := make([]geo.BBox, len(m))
	for i, p := range m {
		boxes[i] = geo.MultiPolygon{p}.BBox()
	}
	for i := range m {
		for j := i + 1; j < len(m); j++ {
			if boxes[i].Intersects(boxes[j]) {
				parent[find(i)] = find(j)
			}
		}
	}
	byRoot := map[int][]int{}
	var roots []int
	for i := range m {
		r := find(i)
		if byRoot[r] == nil {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], i)
	}
	groups := make([][]int, 0, len(roots))
	for _, r := range roots {
		groups = append(groups, byRoot[r])
	}
	return groups
}

// union is the union of the polygons of m listed in group, or false if
// the overlay refuses them.
func union(m geo.MultiPolygon, group []int) (geo.MultiPolygon, bool) {
	polys := make([]geom.Polygon, 0, len(group))
	for _, i := range group {
		rings := make([]geom.LineString, 0, len(m[i]))
		for _, r := range m[i] {
			xy := make([]float64, 0, 2*len(r))
			for _, q := range r {
				xy = append(xy, q.Lon, q.Lat)
			}
			rings = append(rings, geom.NewLineString(geom.NewSequence(xy, geom.DimXY)))
		}
		polys = append(polys, geom.NewPolygon(rings))
	}
	u, err := geom.UnaryUnion(geom.NewMultiPolygon(polys).AsGeometry())
	if err != nil {
		// A ring that touches or crosses itself makes the overlay refuse
		// the group; buffering each polygon by zero (the usual repair)
		// rebuilds it as valid polygons first.
		gs := make([]geom.Geometry, len(polys))
		for i, p := range polys {
			if gs[i], err = geom.Buffer(p.AsGeometry(), 0); err != nil {
				return nil, false
			}
		}
		if u, err = geom.UnionMany(gs); err != nil {
			return nil, false
		}
	}
	var out geo.MultiPolygon
	add := func(p geom.Polygon) {
		var poly geo.Polygon
		for _, ls := range p.DumpRings() {
			seq := ls.Coordinates()
			ring := make(geo.Ring, seq.Length())
			for i := range ring {
				xy := seq.GetXY(i)
				ring[i] = geo.Point{Lon: xy.X, Lat: xy.Y}
			}
			poly = append(poly, ring)
		}
		if len(poly) > 0 {
			out = append(out, poly)
		}
	}
	switch {
	case u.IsPolygon():
		add(u.MustAsPolygon())
	case u.IsMultiPolygon():
		for _, p := range u.MustAsMultiPolygon().Dump() {
			add(p)
		}
	default:
		return nil, false // a collapse to lines or points
	}
	return out, true
}

// antimeridianSide returns r with its vertices on the antimeridian put on
// the side of their neighbours. Natural Earth writes some vertices of
// Russia's Chukotka coast as -180 between vertices near +179.9: read on a
// plane (as GIS tools read GeoJSON) such a ring runs around the world, and
// every simplified edge near it crosses it. The judge reads zones with its
// own antimeridian rule (geo.Region); this is for drawing only. r is not
// changed; the copy is made only when a vertex moves.
func antimeridianSide(r geo.Ring) geo.Ring {
	n := len(r) - 1 // the last vertex repeats the first
	if n < 3 {
		return r
	}
	on := func(i int) bool { return math.Abs(r[(i+n)%n].Lon) == 180 }
	out := r
	for i := 0; i < n; i++ {
		if !on(i) || on(i-1) {
			continue // not the start of a run of antimeridian vertices
		}
		j := i
		for on(j+1) && j+1 < i+n {
			j++
		}
		before, after := r[(i-1+n)%n].Lon, r[(j+1)%n].Lon
		side := 0.0
		switch {
		case before > 0 && after > 0:
			side = 180
		case before < 0 && after < 0:
			side = -180
		default:
			continue
		}
		for k := i; k <= j; k++ {
			if out[k%n].Lon != side {
				if &out[0] == &r[0] {
					out = slices.Clone(r)
				}
				out[k%n].Lon = side
			}
		}
	}
	out[n] = out[0]
	return out
}
