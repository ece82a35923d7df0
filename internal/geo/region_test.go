package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/geo"
)

func TestRegionContains(t *testing.T) {
	square := geo.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	hole := geo.Ring{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}
	// The pentagram's centre is covered twice, so it is outside by even-odd.
	pentagram := geo.Ring{{0, 10}, {5.878, -8.09}, {-9.511, 3.09}, {9.511, 3.09}, {-5.878, -8.09}, {0, 10}}
	bowtie := geo.Ring{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}
	// A staircase: horizontal edges and vertices at the query latitudes.
	stairs := geo.Ring{{0, 0}, {3, 0}, {3, 1}, {2, 1}, {2, 2}, {1, 2}, {1, 3}, {0, 3}, {0, 0}}
	type probe struct {
		name string
		p    geo.Point
		want bool
	}
	for _, tt := range []struct {
		name   string
		m      geo.MultiPolygon
		probes []probe
	}{
		{
			name: "square with hole",
			m:    geo.MultiPolygon{{square, hole}},
			probes: []probe{
				{"interior", geo.Point{Lon: 7, Lat: 7}, true},
				{"in hole", geo.Point{Lon: 3, Lat: 3}, false},
				{"on hole edge", geo.Point{Lon: 3, Lat: 2}, true},
				{"on hole vertex", geo.Point{Lon: 4, Lat: 4}, true},
				{"within tolerance of hole edge", geo.Point{Lon: 3, Lat: 2 + 0.5e-12}, true},
				{"just inside hole", geo.Point{Lon: 3, Lat: 2 + 1e-9}, false},
				{"on outer edge", geo.Point{Lon: 10, Lat: 5}, true},
				{"on outer vertex", geo.Point{Lon: 0, Lat: 0}, true},
				{"on top edge", geo.Point{Lon: 5, Lat: 10}, true},
				{"just outside", geo.Point{Lon: 10 + 1e-9, Lat: 5}, false},
				{"within tolerance outside", geo.Point{Lon: 10 + 0.5e-12, Lat: 5}, true},
				{"left at vertex latitude", geo.Point{Lon: -1, Lat: 0}, false},
				{"left at hole vertex latitude", geo.Point{Lon: 1, Lat: 2}, true},
				{"right of hole at its top", geo.Point{Lon: 5, Lat: 4}, true},
				{"far away", geo.Point{Lon: 100, Lat: 50}, false},
				{"NaN", geo.Point{Lon: math.NaN(), Lat: 5}, false},
			},
		},
		{
			name: "pentagram",
			m:    geo.MultiPolygon{{pentagram}},
			probes: []probe{
				{"centre covered twice", geo.Point{Lon: 0, Lat: 0}, false},
				{"point of the star", geo.Point{Lon: 0, Lat: 8}, true},
				{"tip", geo.Point{Lon: 0, Lat: 10}, true},
				{"outside", geo.Point{Lon: 5, Lat: 5}, false},
			},
		},
		{
			name: "bowtie",
			m:    geo.MultiPolygon{{bowtie}},
			probes: []probe{
				{"left lobe", geo.Point{Lon: 0.2, Lat: 1}, true},
				{"right lobe", geo.Point{Lon: 1.8, Lat: 1}, true},
				{"crossing point", geo.Point{Lon: 1, Lat: 1}, true},
				{"above crossing", geo.Point{Lon: 1, Lat: 1.5}, false},
				{"below crossing", geo.Point{Lon: 1, Lat: 0.5}, false},
			},
		},
		{
			name: "staircase",
			m:    geo.MultiPolygon{{stairs}},
			probes: []probe{
				{"on lower step", geo.Point{Lon: 2.5, Lat: 1}, true},
				{"left of lower step", geo.Point{Lon: 0.5, Lat: 1}, true},
				{"right of lower step", geo.Point{Lon: 3.5, Lat: 1}, false},
				{"above lower step", geo.Point{Lon: 2.5, Lat: 1.5}, false},
				{"inner corner", geo.Point{Lon: 2, Lat: 1}, true},
				{"left of inner corner", geo.Point{Lon: 1.5, Lat: 2}, true},
				{"left of outer corner", geo.Point{Lon: -1, Lat: 3}, false},
				{"right of top", geo.Point{Lon: 1.5, Lat: 3}, false},
				{"middle", geo.Point{Lon: 0.5, Lat: 2.5}, true},
			},
		},
		{
			name: "overlapping polygons do not cancel",
			m:    geo.MultiPolygon{{square}, {geo.Ring{{5, 5}, {15, 5}, {15, 15}, {5, 15}, {5, 5}}}},
			probes: []probe{
				{"overlap", geo.Point{Lon: 7, Lat: 7}, true},
				{"first only", geo.Point{Lon: 1, Lat: 1}, true},
				{"second only", geo.Point{Lon: 14, Lat: 14}, true},
				{"neither", geo.Point{Lon: 1, Lat: 14}, false},
			},
		},
		{
			name: "hole of one polygon does not cut another",
			m:    geo.MultiPolygon{{square, hole}, {geo.Ring{{2.5, 2.5}, {3.5, 2.5}, {3.5, 3.5}, {2.5, 3.5}, {2.5, 2.5}}}},
			probes: []probe{
				{"island in hole", geo.Point{Lon: 3, Lat: 3}, true},
				{"hole around island", geo.Point{Lon: 2.2, Lat: 3}, false},
			},
		},
		{
			name: "overlapping holes",
			m:    geo.MultiPolygon{{square, hole, geo.Ring{{3, 3}, {5, 3}, {5, 5}, {3, 5}, {3, 3}}}},
			probes: []probe{
				{"in both holes", geo.Point{Lon: 3.5, Lat: 3.5}, false},
				{"on one hole edge inside the other", geo.Point{Lon: 3, Lat: 3.5}, false},
				{"in second hole only", geo.Point{Lon: 4.5, Lat: 4.5}, false},
			},
		},
		{
			name: "unclosed ring is closed implicitly",
			m:    geo.MultiPolygon{{square[:4]}},
			probes: []probe{
				{"interior", geo.Point{Lon: 5, Lat: 5}, true},
				{"on implicit edge", geo.Point{Lon: 0, Lat: 5}, true},
				{"outside", geo.Point{Lon: -5, Lat: 5}, false},
			},
		},
		{
			name:   "empty",
			m:      nil,
			probes: []probe{{"origin", geo.Point{}, false}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := geo.Prepare(tt.m)
			for _, pr := range tt.probes {
				if got := r.Contains(pr.p); got != pr.want {
					t.Errorf("%s: Contains(%v) = %v, want %v", pr.name, pr.p, got, pr.want)
				}
				if got := oracleContains(tt.m, pr.p); got != pr.want {
					t.Errorf("%s: oracle(%v) = %v, want %v (the oracle is wrong)", pr.name, pr.p, got, pr.want)
				}
			}
		})
	}
}

func TestRegionContainsOracle(t *testing.T) {
	type gen struct {
		name string
		m    func(rng *rand.Rand) geo.MultiPolygon
	}
	gens := []gen{
		{"grid star with holes", func(rng *rand.Rand) geo.MultiPolygon {
			return geo.MultiPolygon{starPolygon(rng, geo.Point{Lon: 30, Lat: 48}, 3, 12+rng.IntN(40), 1+rng.IntN(4), 0.25)}
		}},
		{"continuous star with holes", func(rng *rand.Rand) geo.MultiPolygon {
			return geo.MultiPolygon{starPolygon(rng, geo.Point{Lon: -70, Lat: -30}, 2, 50+rng.IntN(150), rng.IntN(6), 0)}
		}},
		{"self-intersecting on grid", func(rng *rand.Rand) geo.MultiPolygon {
			return geo.MultiPolygon{{randomRing(rng, 4+rng.IntN(20), 0.5)}, {randomRing(rng, 4+rng.IntN(8), 0.5), randomRing(rng, 4+rng.IntN(8), 0.5)}}
		}},
		{"self-intersecting continuous", func(rng *rand.Rand) geo.MultiPolygon {
			return geo.MultiPolygon{{randomRing(rng, 4+rng.IntN(60), 0), randomRing(rng, 4+rng.IntN(10), 0)}}
		}},
		{"overlapping grid stars", func(rng *rand.Rand) geo.MultiPolygon {
			var m geo.MultiPolygon
			for range 1 + rng.IntN(5) {
				c := geo.Point{Lon: 10 + float64(rng.IntN(8)), Lat: 10 + float64(rng.IntN(8))}
				m = append(m, starPolygon(rng, c, 4, 8+rng.IntN(30), rng.IntN(3), 0.5))
			}
			return m
		}},
	}
	for gi, g := range gens {
		t.Run(g.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(gi)))
			var ins, outs int
			for trial := range 15 {
				m := g.m(rng)
				r := geo.Prepare(m)
				var bad []string
				for _, p := range probePoints(rng, m, 1500) {
					if nearTolerance(m, p) {
						// Within rounding of EdgeToleranceDegrees from an
						// edge: on or off it depends on the last bit.
						continue
					}
					want := oracleContains(m, p)
					if want {
						ins++
					} else {
						outs++
					}
					if got := r.Contains(p); got != want {
						bad = append(bad, fmt.Sprintf("Contains(%#v) = %v, want %v", p, got, want))
					}
				}
				if len(bad) > 0 {
					t.Fatalf("trial %d: %d mismatches, first:\n%v\ngeometry: %#v", trial, len(bad), bad[:min(len(bad), 5)], m)
				}
			}
			if ins < (ins+outs)/10 || outs < (ins+outs)/10 {
				t.Errorf("probes are lopsided: %d inside, %d outside", ins, outs)
			}
		})
	}
}

func TestRegionBBoxAndGeometry(t *testing.T) {
	m := geo.MultiPolygon{{{{30, 50}, {32, 50}, {32, 52}, {30, 52}, {30, 50}}}}
	r := geo.Prepare(m)
	if diff := cmp.Diff(m.BBox(), r.BBox()); diff != "" {
		t.Errorf("BBox() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(m, r.Geometry()); diff != "" {
		t.Errorf("Geometry() mismatch (-want +got):\n%s", diff)
	}
	if !geo.Prepare(nil).BBox().Empty() {
		t.Errorf("BBox() of an empty region is not empty")
	}
}

func TestRegionNearBoundary(t *testing.T) {
	square := geo.Ring{{30, 50}, {31, 50}, {31, 51}, {30, 51}, {30, 50}}
	hole := geo.Ring{{30.4, 50.4}, {30.6, 50.4}, {30.6, 50.6}, {30.4, 50.6}, {30.4, 50.4}}
	// Two halves of a polygon split at the antimeridian, as Natural Earth does.
	east := geo.Ring{{179, 60}, {180, 60}, {180, 61}, {179, 61}, {179, 60}}
	west := geo.Ring{{-180, 60}, {-179, 60}, {-179, 61}, {-180, 61}, {-180, 60}}
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	cos50 := math.Cos(50.5 * math.Pi / 180)
	for _, tt := range []struct {
		name   string
		m      geo.MultiPolygon
		p      geo.Point
		meters float64
		want   bool
	}{
		{"centre, nearest edge is west/east", geo.MultiPolygon{{square}}, geo.Point{Lon: 30.5, Lat: 50.5}, 0.5*cos50*mPerDeg + 1, true},
		{"centre, just short", geo.MultiPolygon{{square}}, geo.Point{Lon: 30.5, Lat: 50.5}, 0.5*cos50*mPerDeg - 1, false},
		{"centre of hole", geo.MultiPolygon{{square, hole}}, geo.Point{Lon: 30.5, Lat: 50.5}, 0.1*mPerDeg + 1, true},
		{"outside west", geo.MultiPolygon{{square}}, geo.Point{Lon: 29.99, Lat: 50.5}, 0.01*cos50*mPerDeg + 1, true},
		{"outside west, short", geo.MultiPolygon{{square}}, geo.Point{Lon: 29.99, Lat: 50.5}, 0.01*cos50*mPerDeg - 1, false},
		{"outside a corner", geo.MultiPolygon{{square}}, geo.Point{Lon: 29.99, Lat: 49.99}, 1330, true},
		{"outside a corner, short", geo.MultiPolygon{{square}}, geo.Point{Lon: 29.99, Lat: 49.99}, 1310, false},
		{"on an edge, zero radius", geo.MultiPolygon{{square}}, geo.Point{Lon: 30, Lat: 50.5}, 0, true},
		{"across the antimeridian", geo.MultiPolygon{{west}}, geo.Point{Lon: 179.99, Lat: 60.5}, 600, true},
		{"across the antimeridian, short", geo.MultiPolygon{{west}}, geo.Point{Lon: 179.99, Lat: 60.5}, 500, false},
		{"across the antimeridian, other way", geo.MultiPolygon{{east}}, geo.Point{Lon: -179.99, Lat: 60.5}, 600, true},
		{"negative radius", geo.MultiPolygon{{square}}, geo.Point{Lon: 30, Lat: 50.5}, -1, false},
		{"NaN point", geo.MultiPolygon{{square}}, geo.Point{Lon: math.NaN(), Lat: 50.5}, 1e6, false},
		{"empty region", nil, geo.Point{Lon: 30, Lat: 50}, 1e6, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := geo.Prepare(tt.m).NearBoundary(tt.p, tt.meters); got != tt.want {
				t.Errorf("NearBoundary(%v, %g) = %v, want %v", tt.p, tt.meters, got, tt.want)
			}
		})
	}
}

func TestRegionNearBoundaryOracle(t *testing.T) {
	for ti, tt := range []struct {
		name    string
		centres []geo.Point
	}{
		{"Ukraine", []geo.Point{{Lon: 31, Lat: 49}}},
		{"high latitude", []geo.Point{{Lon: 100, Lat: 75}}},
		{"southern hemisphere", []geo.Point{{Lon: -60, Lat: -40}}},
		{"split at the antimeridian", []geo.Point{{Lon: 179.6, Lat: 65}, {Lon: -179.6, Lat: 65.5}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(ti)))
			for range 10 {
				var m geo.MultiPolygon
				for _, c := range tt.centres {
					m = append(m, starPolygon(rng, c, 1.5, 20+rng.IntN(200), rng.IntN(4), 0))
				}
				m = clampLon(m)
				r := geo.Prepare(m)
				for range 400 {
					c := tt.centres[rng.IntN(len(tt.centres))]
					p := geo.Point{Lon: c.Lon - 2.5 + 5*rng.Float64(), Lat: c.Lat - 2.5 + 5*rng.Float64()}
					p.Lon = math.Mod(p.Lon+540, 360) - 180
					meters := rng.Float64() * 100e3
					d := oracleBoundaryDistance(m, p)
					if math.Abs(d-meters) < 1e-6*meters {
						continue // too close to call
					}
					if got, want := r.NearBoundary(p, meters), d <= meters; got != want {
						t.Fatalf("NearBoundary(%#v, %g) = %v, want %v (nearest edge %g m)", p, meters, got, want, d)
					}
				}
			}
		})
	}
}

// oracleContains is the brute-force Region.Contains: plain even-odd ray
// casting over every ring of every polygon, plus an on-edge test.
func oracleContains(m geo.MultiPolygon, p geo.Point) bool {
	for _, poly := range m {
		if len(poly) == 0 {
			continue
		}
		if odd, on := oracleRing(poly[0], p); !odd && !on {
			continue
		}
		in := true
		for _, h := range poly[1:] {
			if odd, on := oracleRing(h, p); odd && !on {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}

func oracleRing(r geo.Ring, p geo.Point) (odd, on bool) {
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		if planarDistance(p, a, b) <= geo.EdgeToleranceDegrees {
			on = true
		}
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) {
			if x := a.Lon + (p.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat); p.Lon < x {
				odd = !odd
			}
		}
	}
	return odd, on
}

// nearTolerance reports whether p is about EdgeToleranceDegrees from an edge
// of m, where whether it is on the edge depends on rounding.
func nearTolerance(m geo.MultiPolygon, p geo.Point) bool {
	for _, poly := range m {
		for _, r := range poly {
			for i := range r {
				d := planarDistance(p, r[i], r[(i+1)%len(r)])
				if d > 0.5*geo.EdgeToleranceDegrees && d < 2*geo.EdgeToleranceDegrees {
					return true
				}
			}
		}
	}
	return false
}

// planarDistance is the distance from p to segment ab in the (lon, lat) plane.
func planarDistance(p, a, b geo.Point) float64 {
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, ((p.Lon-a.Lon)*dx+(p.Lat-a.Lat)*dy)/l2))
	}
	return math.Hypot(p.Lon-(a.Lon+t*dx), p.Lat-(a.Lat+t*dy))
}

// oracleBoundaryDistance is the distance in metres from p to the nearest edge
// of m, in the equirectangular projection around p.
func oracleBoundaryDistance(m geo.MultiPolygon, p geo.Point) float64 {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	kx := math.Cos(p.Lat*math.Pi/180) * mPerDeg
	project := func(q geo.Point) geo.Point {
		dLon := math.Mod(q.Lon-p.Lon+540, 360) - 180
		return geo.Point{Lon: dLon * kx, Lat: (q.Lat - p.Lat) * mPerDeg}
	}
	best := math.Inf(1)
	for _, poly := range m {
		for _, ring := range poly {
			for i := range ring {
				a, b := project(ring[i]), project(ring[(i+1)%len(ring)])
				best = math.Min(best, planarDistance(geo.Point{}, a, b))
			}
		}
	}
	return best
}

// starPolygon returns a polygon whose outer ring is a star around c with n
// vertices and radius up to rad degrees, with up to holes smaller stars
// inside it (holes may touch or overlap each other). If grid > 0, vertices
// are snapped to multiples of grid, which produces horizontal edges,
// collinear and repeated vertices and shared latitudes.
func starPolygon(rng *rand.Rand, c geo.Point, rad float64, n, holes int, grid float64) geo.Polygon {
	star := func(c geo.Point, rad float64, n int) geo.Ring {
		ring := make(geo.Ring, 0, n+1)
		for i := range n {
			a := 2 * math.Pi * (float64(i) + rng.Float64()*0.9) / float64(n)
			rr := rad * (0.3 + 0.7*rng.Float64())
			ring = append(ring, snap(geo.Point{Lon: c.Lon + rr*math.Cos(a), Lat: c.Lat + rr*math.Sin(a)}, grid))
		}
		return append(ring, ring[0])
	}
	poly := geo.Polygon{star(c, rad, n)}
	for range holes {
		a := rng.Float64() * 2 * math.Pi
		d := rng.Float64() * rad * 0.3
		hc := geo.Point{Lon: c.Lon + d*math.Cos(a), Lat: c.Lat + d*math.Sin(a)}
		poly = append(poly, star(hc, rad*0.25, 3+rng.IntN(n)))
	}
	return poly
}

// randomRing returns a closed ring of n random vertices (so it usually
// self-intersects) in a 4x4 degree box, snapped to grid if grid > 0.
func randomRing(rng *rand.Rand, n int, grid float64) geo.Ring {
	ring := make(geo.Ring, 0, n+1)
	for range n {
		ring = append(ring, snap(geo.Point{Lon: 20 + 4*rng.Float64(), Lat: 40 + 4*rng.Float64()}, grid))
	}
	return append(ring, ring[0])
}

func snap(p geo.Point, grid float64) geo.Point {
	if grid > 0 {
		p.Lon = math.Round(p.Lon/grid) * grid
		p.Lat = math.Round(p.Lat/grid) * grid
	}
	return p
}

// clampLon moves vertices beyond the antimeridian onto it, so that no edge
// crosses it.
func clampLon(m geo.MultiPolygon) geo.MultiPolygon {
	for _, poly := range m {
		for _, ring := range poly {
			for i := range ring {
				ring[i].Lon = math.Max(-180, math.Min(180, ring[i].Lon))
			}
		}
	}
	return m
}

// probePoints returns n points to test against m: uniform in its box, on a
// fine grid, on vertices, on edges, at vertex latitudes and just off edges.
func probePoints(rng *rand.Rand, m geo.MultiPolygon, n int) []geo.Point {
	var verts []geo.Point
	for _, poly := range m {
		for _, ring := range poly {
			verts = append(verts, ring...)
		}
	}
	bb := m.BBox()
	w, h := bb.MaxLon-bb.MinLon, bb.MaxLat-bb.MinLat
	pts := make([]geo.Point, 0, n)
	for len(pts) < n {
		i := rng.IntN(len(verts))
		a, b := verts[i], verts[(i+1)%len(verts)]
		var p geo.Point
		switch rng.IntN(7) {
		case 0:
			p = geo.Point{Lon: bb.MinLon - 0.1*w + 1.2*w*rng.Float64(), Lat: bb.MinLat - 0.1*h + 1.2*h*rng.Float64()}
		case 1:
			p = snap(geo.Point{Lon: bb.MinLon - 0.1*w + 1.2*w*rng.Float64(), Lat: bb.MinLat - 0.1*h + 1.2*h*rng.Float64()}, 0.125)
		case 2:
			p = a
		case 3:
			t := rng.Float64()
			if rng.IntN(2) == 0 {
				t = float64(rng.IntN(5)) / 4
			}
			p = geo.Point{Lon: a.Lon + t*(b.Lon-a.Lon), Lat: a.Lat + t*(b.Lat-a.Lat)}
		case 4:
			p = geo.Point{Lon: bb.MinLon - 0.1*w + 1.2*w*rng.Float64(), Lat: a.Lat}
		case 5:
			t := rng.Float64()
			off := 1e-9 * (2*rng.Float64() - 1)
			p = geo.Point{Lon: a.Lon + t*(b.Lon-a.Lon) + off, Lat: a.Lat + t*(b.Lat-a.Lat) - off}
		case 6:
			p = geo.Point{Lon: a.Lon + 1e-10*(2*rng.Float64()-1), Lat: a.Lat}
		}
		pts = append(pts, p)
	}
	return pts
}

func TestRegionDegenerate(t *testing.T) {
	tiny := 5e-324 // the smallest float64: a latitude span that overflows band arithmetic
	for _, tt := range []struct {
		name string
		m    geo.MultiPolygon
		p    geo.Point
		want bool
	}{
		{"flat ring, on it", geo.MultiPolygon{{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}}, geo.Point{Lon: 1.5, Lat: 0}, true},
		{"flat ring, beside it", geo.MultiPolygon{{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}}, geo.Point{Lon: 3, Lat: 0}, false},
		{"subnormal span, on vertex", geo.MultiPolygon{{{{0, 0}, {1, 0}, {1, tiny}, {0, 0}}}}, geo.Point{Lon: 1, Lat: 0}, true},
		{"subnormal span, off it", geo.MultiPolygon{{{{0, 0}, {1, 0}, {1, tiny}, {0, 0}}}}, geo.Point{Lon: 2, Lat: 0}, false},
		{"single point ring", geo.MultiPolygon{{{{5, 5}}}}, geo.Point{Lon: 5, Lat: 5}, false},
		{"NaN vertex is skipped", geo.MultiPolygon{{{{0, 0}, {math.NaN(), 0}, {1, 1}, {0, 1}, {0, 0}}}}, geo.Point{Lon: 0, Lat: 0.5}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := geo.Prepare(tt.m).Contains(tt.p); got != tt.want {
				t.Errorf("Contains(%#v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}
