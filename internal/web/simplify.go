package web

import (
	"math"
	"strconv"

	"truce/internal/geo"
)

// simplifyRing reduces a closed ring with the Douglas-Peucker algorithm:
// it keeps the vertices farther than tol (in degrees, planar) from the
// simplified line. The result is closed; it is nil when fewer than four
// vertices (a triangle) survive, so that slivers and tiny islands vanish
// rather than turn into spikes.
func simplifyRing(r geo.Ring, tol float64) geo.Ring {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n-- // work on the open ring; close it again at the end
	}
	if n < 3 {
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
	pts := make([]geo.Point, n+1)
	copy(pts, r[:n])
	pts[n] = r[0]
	keep[0], keep[far], keep[n] = true, true, true
	tol2 := tol * tol
	type span struct{ a, b int }
	stack := []span{{0, far}, {far, n}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.b-s.a < 2 {
			continue
		}
		best, bestD := -1, tol2
		for i := s.a + 1; i < s.b; i++ {
			if d := sqSegDist(pts[i], pts[s.a], pts[s.b]); d > bestD {
				best, bestD = i, d
			}
		}
		if best < 0 {
			continue
		}
		keep[best] = true
		stack = append(stack, span{s.a, best}, span{best, s.b})
	}
	out := make(geo.Ring, 0, 16)
	for i, k := range keep {
		if k {
			out = append(out, pts[i])
		}
	}
	if len(out) < 4 {
		return nil
	}
	return out
}

// simplifyMulti simplifies every polygon of m; a polygon whose outer ring
// vanishes is dropped with its holes.
func simplifyMulti(m geo.MultiPolygon, tol float64) geo.MultiPolygon {
	var out geo.MultiPolygon
	for _, poly := range m {
		if len(poly) == 0 {
			continue
		}
		outer := simplifyRing(poly[0], tol)
		if outer == nil {
			continue
		}
		p := geo.Polygon{outer}
		for _, hole := range poly[1:] {
			if h := simplifyRing(hole, tol); h != nil {
				p = append(p, h)
			}
		}
		out = append(out, p)
	}
	return out
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
