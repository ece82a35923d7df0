package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"truce/internal/geo"
)

// wigglyPolygon returns a deterministic polygon around c with outer vertices
// on a wiggly outline of radius about rad degrees and holes holes of
// holeVertices vertices each: something like a real administrative zone.
func wigglyPolygon(rng *rand.Rand, c geo.Point, rad float64, outerVertices, holes, holeVertices int) geo.Polygon {
	ring := func(c geo.Point, rad float64, n int) geo.Ring {
		r := make(geo.Ring, 0, n+1)
		for i := range n {
			a := 2 * math.Pi * float64(i) / float64(n)
			rr := rad * (1 + 0.15*math.Sin(13*a) + 0.05*math.Sin(97*a) + 0.03*rng.Float64())
			r = append(r, geo.Point{Lon: c.Lon + rr*math.Cos(a)*1.5, Lat: c.Lat + rr*math.Sin(a)})
		}
		return append(r, r[0])
	}
	poly := geo.Polygon{ring(c, rad, outerVertices)}
	for h := range holes {
		a := 2 * math.Pi * float64(h) / float64(holes)
		hc := geo.Point{Lon: c.Lon + 0.45*rad*math.Cos(a)*1.5, Lat: c.Lat + 0.45*rad*math.Sin(a)}
		poly = append(poly, ring(hc, 0.12*rad, holeVertices))
	}
	return poly
}

// benchPoints returns n deterministic points spread over b.
func benchPoints(rng *rand.Rand, b geo.BBox, n int) []geo.Point {
	pts := make([]geo.Point, n)
	for i := range pts {
		pts[i] = geo.Point{Lon: b.MinLon + rng.Float64()*(b.MaxLon-b.MinLon), Lat: b.MinLat + rng.Float64()*(b.MaxLat-b.MinLat)}
	}
	return pts
}

// oblasts returns 27 polygons of about 3,000 vertices each (82,000 in all),
// tiled over Ukraine's box: the size of the Ukrainian oblast file.
func oblasts(rng *rand.Rand) geo.MultiPolygon {
	var m geo.MultiPolygon
	for i := range 27 {
		c := geo.Point{Lon: 23 + 1.9*float64(i%9), Lat: 45.5 + 2.3*float64(i/9)}
		m = append(m, wigglyPolygon(rng, c, 0.75, 2900, 1, 137))
	}
	return m
}

func BenchmarkRegionContains(b *testing.B) {
	for _, bc := range []struct {
		name string
		m    func(*rand.Rand) geo.MultiPolygon
	}{
		{"5500 vertices 5 holes", func(rng *rand.Rand) geo.MultiPolygon {
			return geo.MultiPolygon{wigglyPolygon(rng, geo.Point{Lon: 31, Lat: 49}, 3, 5000, 5, 100)}
		}},
		{"82000 vertices 27 polygons", oblasts},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 8))
			m := bc.m(rng)
			r := geo.Prepare(m)
			pts := benchPoints(rng, m.BBox(), 1<<12)
			i, in := 0, 0
			for b.Loop() {
				if r.Contains(pts[i&(len(pts)-1)]) {
					in++
				}
				i++
			}
			if in == 0 || in == i {
				b.Fatalf("%d of %d points inside: the benchmark is degenerate", in, i)
			}
		})
	}
}

func BenchmarkPrepare(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	m := oblasts(rng)
	for b.Loop() {
		geo.Prepare(m)
	}
	b.ReportMetric(float64(m.NumVertices()), "vertices")
}

func BenchmarkRegionNearBoundary(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	m := oblasts(rng)
	r := geo.Prepare(m)
	r.NearBoundary(geo.Point{}, 0) // finds the outline (BenchmarkRegionOutline)
	pts := benchPoints(rng, m.BBox(), 1<<12)
	for _, meters := range []float64{3e3, 50e3} {
		b.Run(fmt.Sprintf("%gkm", meters/1e3), func(b *testing.B) {
			i := 0
			for b.Loop() {
				r.NearBoundary(pts[i&(len(pts)-1)], meters)
				i++
			}
		})
	}
}

// ukraine returns the bundled ukraine zone: the 27 Minregion oblasts, 82,000
// edges, 38,000 of them on a line two oblasts share.
func ukraine(tb testing.TB) geo.MultiPolygon {
	var m geo.MultiPolygon
	for _, f := range MustLoadFeatures(tb, minregionOblasts) {
		m = append(m, f.Geom...)
	}
	return m
}

func BenchmarkRegionNearBoundaryUkraine(b *testing.B) {
	m := ukraine(b)
	r := geo.Prepare(m)
	r.NearBoundary(geo.Point{}, 0) // finds the outline (BenchmarkRegionOutline)
	rng := rand.New(rand.NewPCG(7, 8))
	pts := benchPoints(rng, m.BBox(), 1<<12)
	for _, meters := range []float64{2e3, 50e3} {
		b.Run(fmt.Sprintf("%gkm", meters/1e3), func(b *testing.B) {
			i, near := 0, 0
			for b.Loop() {
				if r.NearBoundary(pts[i&(len(pts)-1)], meters) {
					near++
				}
				i++
			}
			b.ReportMetric(float64(near)/float64(i), "near/op")
		})
	}
}

// BenchmarkRegionOutline measures Prepare and NearBoundary's first call on
// the ukraine zone, which finds the outline of the union of the oblasts.
func BenchmarkRegionOutline(b *testing.B) {
	m := ukraine(b)
	for b.Loop() {
		geo.Prepare(m).NearBoundary(geo.Point{Lon: 30.5, Lat: 50.45}, 1)
	}
	b.ReportMetric(float64(m.NumVertices()), "vertices")
}

func BenchmarkPointIndexWithin(b *testing.B) {
	ukraine := geo.BBox{MinLon: 22, MinLat: 44, MaxLon: 40.5, MaxLat: 52.5}
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("%d sites 3km", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(9, 10))
			ix := geo.NewPointIndex(benchPoints(rng, ukraine, n))
			queries := benchPoints(rng, ukraine, 1<<12)
			i, hits := 0, 0
			for b.Loop() {
				ix.Within(queries[i&(len(queries)-1)], 3000, func(int, float64) bool {
					hits++
					return true
				})
				i++
			}
			b.ReportMetric(float64(hits)/float64(i), "hits/op")
		})
	}
}
