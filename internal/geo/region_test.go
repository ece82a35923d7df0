package geo_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
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
		{"overlapping", []geo.Point{{Lon: 30, Lat: 50}, {Lon: 31.5, Lat: 50.5}}},
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
				outline := oracleOutline(m, geo.SliverMeters)
				for range 400 {
					c := tt.centres[rng.IntN(len(tt.centres))]
					p := geo.Point{Lon: c.Lon - 2.5 + 5*rng.Float64(), Lat: c.Lat - 2.5 + 5*rng.Float64()}
					p.Lon = math.Mod(p.Lon+540, 360) - 180
					meters := rng.Float64() * 100e3
					d := oracleDistance(outline, p)
					if math.Abs(d-meters) < 1e-6*meters {
						continue // too close to call
					}
					if got, want := r.NearBoundary(p, meters), d <= meters; got != want {
						t.Fatalf("NearBoundary(%#v, %g) = %v, want %v (outline %g m)", p, meters, got, want, d)
					}
				}
			}
		})
	}
}

func TestRegionNearBoundaryUnion(t *testing.T) {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	// Metres east and north at latitude 50.5, in degrees.
	east := func(m float64) float64 { return m / (math.Cos(50.5*math.Pi/180) * mPerDeg) }
	north := func(m float64) float64 { return m / mPerDeg }
	square := func(lon0, lat0, lon1, lat1 float64) geo.Ring {
		return geo.Ring{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}
	}
	west, eastSq := square(30, 50, 31, 51), square(31, 50, 32, 51)
	// The east square again, its side on the west square carrying vertices
	// the west square lacks: on the line and up to 7 m either side of it (a
	// gap and an overlap), as Kyiv City's against Kyiv Oblast's.
	jagged := geo.Ring{{31, 50}, {32, 50}, {32, 51}, {31, 51}, {31 + east(7), 50.8}, {31, 50.6}, {31 - east(5), 50.4}, {31, 50.2}, {31, 50}}
	// An oblast with a hole, and a city filling it with vertices of its own.
	hole := square(30.8, 50.3, 31.2, 50.7)
	oblast := geo.Polygon{square(30, 50, 32, 51), hole}
	city := geo.Polygon{{{30.8, 50.3}, {31, 50.3 - north(4)}, {31.2, 50.3}, {31.2, 50.7}, {31.1, 50.7}, {31, 50.7 + north(6)}, {30.8, 50.7}, {30.8, 50.3}}}
	eastHalf, westHalf := geo.Ring{{179, 60}, {180, 60}, {180, 61}, {179, 61}, {179, 60}}, geo.Ring{{-180, 60}, {-179, 60}, {-179, 61}, {-180, 61}, {-180, 60}}
	antimeridian := geo.MultiPolygon{{eastHalf}, {westHalf}}
	cos60 := math.Cos(60.5 * math.Pi / 180)

	shared := geo.Point{Lon: 31 - east(650), Lat: 50.5} // 650 m west of the shared side
	for _, tt := range []struct {
		name   string
		m      geo.MultiPolygon
		p      geo.Point
		meters float64
		want   bool
	}{
		{"shared side, identical vertices", geo.MultiPolygon{{west}, {eastSq}}, shared, 2000, false},
		{"shared side, other vertices", geo.MultiPolygon{{west}, {jagged}}, shared, 2000, false},
		{"shared side, east of it", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: 31 + east(650), Lat: 50.5}, 2000, false},
		{"on the shared side", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: 31, Lat: 50.5}, 0, false},
		{"on a vertex off the shared side", geo.MultiPolygon{{west}, {jagged}}, jagged[4], 0, false},
		{"shared side, west square alone", geo.MultiPolygon{{west}}, shared, 2000, true},
		{"outer side, identical vertices", geo.MultiPolygon{{west}, {eastSq}}, geo.Point{Lon: 30 + east(1000), Lat: 50.5}, 2000, true},
		{"outer side, other vertices", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: 30 + east(1000), Lat: 50.5}, 2000, true},
		{"outer side, short", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: 30 + east(1000), Lat: 50.5}, 990, false},
		{"outer side of the east square", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: 32 - east(1000), Lat: 50.5}, 1010, true},
		{"shared side near the top", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: shared.Lon, Lat: 51 - north(1500)}, 1510, true},
		{"shared side near the top, short", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: shared.Lon, Lat: 51 - north(1500)}, 1490, false},
		{"where the shared side meets the outline", geo.MultiPolygon{{west}, {jagged}}, geo.Point{Lon: 31, Lat: 51}, 0, true},
		{"gap narrower than SliverMeters", geo.MultiPolygon{{west}, {square(31+east(20), 50, 32, 51)}}, shared, 2000, false},
		{"gap of 200 m", geo.MultiPolygon{{west}, {square(31+east(200), 50, 32, 51)}}, shared, 2000, true},
		{"overlap", geo.MultiPolygon{{square(30, 50, 31.05, 51)}, {eastSq}}, geo.Point{Lon: 31.05 - east(650), Lat: 50.5}, 2000, false},
		{"in the city, from the hole's edge", geo.MultiPolygon{oblast, city}, geo.Point{Lon: 30.8 + east(650), Lat: 50.5}, 2000, false},
		{"in the oblast, from the hole's edge", geo.MultiPolygon{oblast, city}, geo.Point{Lon: 30.8 - east(650), Lat: 50.5}, 2000, false},
		{"in the oblast, from its outer ring", geo.MultiPolygon{oblast, city}, geo.Point{Lon: 30 + east(1000), Lat: 50.5}, 2000, true},
		{"in the oblast's empty hole", geo.MultiPolygon{oblast}, geo.Point{Lon: 30.8 + east(650), Lat: 50.5}, 2000, true},
		{"split at the antimeridian", antimeridian, geo.Point{Lon: 179.99, Lat: 60.5}, 2000, false},
		{"split at the antimeridian, other side", antimeridian, geo.Point{Lon: -179.99, Lat: 60.5}, 2000, false},
		{"split at the antimeridian, near the top", antimeridian, geo.Point{Lon: 179.99, Lat: 61 - north(1000)}, 1010, true},
		{"split at the antimeridian, one half", geo.MultiPolygon{{eastHalf}}, geo.Point{Lon: 179.99, Lat: 60.5}, 0.01*cos60*mPerDeg + 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := geo.Prepare(tt.m).NearBoundary(tt.p, tt.meters); got != tt.want {
				t.Errorf("NearBoundary(%v, %g) = %v, want %v", tt.p, tt.meters, got, tt.want)
			}
		})
	}
}

// TestRegionNearBoundaryUnionOracle checks NearBoundary on random tilings
// against the outline they were built with.
func TestRegionNearBoundaryUnionOracle(t *testing.T) {
	// Cell vertices move by up to 5 m on each side of a shared line, so the
	// union's outline is within about 10 m of the one the tiling reports;
	// where it meets a shared line, within about SliverMeters.
	const margin = 2 * geo.SliverMeters
	rng := rand.New(rand.NewPCG(5, 6))
	var checked, internal int
	for trial := range 20 {
		c := geo.Point{Lon: 22 + 16*rng.Float64(), Lat: 45 + 6*rng.Float64()}
		size := 0.1 + 0.2*rng.Float64()
		cells, outline := tiling(rng, c, 2+rng.IntN(4), 2+rng.IntN(4), size)
		r := geo.Prepare(cells)
		bb := cells.BBox()
		for range 500 {
			p := geo.Point{
				Lon: bb.MinLon - 0.1 + (bb.MaxLon-bb.MinLon+0.2)*rng.Float64(),
				Lat: bb.MinLat - 0.1 + (bb.MaxLat-bb.MinLat+0.2)*rng.Float64(),
			}
			meters := rng.Float64() * size * 40e3
			d := oracleDistance(outline, p)
			if math.Abs(d-meters) < margin {
				continue // too close to call
			}
			checked++
			if d > meters && oracleBoundaryDistance(cells, p) <= meters {
				internal++ // an edge between cells is near, the outline is not
			}
			if got, want := r.NearBoundary(p, meters), d <= meters; got != want {
				t.Fatalf("trial %d: NearBoundary(%#v, %g) = %v, want %v (outline %g m)", trial, p, meters, got, want, d)
			}
		}
	}
	t.Logf("%d points checked, %d near a line between cells but not the outline", checked, internal)
	if internal < checked/10 {
		t.Errorf("only %d of %d points have a line between cells, but not the outline, within the radius: the test is weak", internal, checked)
	}
}

// TestRegionNearBoundaryKyiv checks the bundled ukraine zone: the 27
// Minregion oblasts, whose border is Ukraine's, not the oblasts'.
func TestRegionNearBoundaryKyiv(t *testing.T) {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	// walk returns the point meters from p towards bearing (0 north, 90
	// east), in the local equirectangular projection NearBoundary uses.
	walk := func(p geo.Point, bearing, meters float64) geo.Point {
		s, c := math.Sincos(bearing * math.Pi / 180)
		return geo.Point{Lon: p.Lon + meters*s/(math.Cos(p.Lat*math.Pi/180)*mPerDeg), Lat: p.Lat + meters*c/mPerDeg}
	}
	feats := MustLoadFeatures(t, minregionOblasts)
	if len(feats) != 27 {
		t.Fatalf("%s has %d features, want 27", minregionOblasts, len(feats))
	}
	var ukraine geo.MultiPolygon
	byName := map[string]geo.MultiPolygon{}
	for _, f := range feats {
		ukraine = append(ukraine, f.Geom...)
		byName[f.Name] = f.Geom
	}
	r := geo.Prepare(ukraine)
	city, oblast, luhansk := byName["Місто Київ"], byName["Київська область"], byName["Луганська область"]
	if city == nil || oblast == nil || luhansk == nil {
		t.Fatalf("Kyiv City, Kyiv Oblast or Luhansk Oblast missing from %s", minregionOblasts)
	}

	t.Run("Kyiv City's line", func(t *testing.T) {
		// Kyiv Oblast surrounds Kyiv City and fills its two holes, so every
		// vertex of the city is on a line between the two oblasts, and the
		// nearest border of Ukraine (with Belarus) is 80 km away. Their
		// vertices differ: 24 of the city's are up to 7 m off the oblast's
		// line.
		n := 0
		for _, poly := range city {
			for _, ring := range poly {
				for _, v := range ring {
					n++
					if r.NearBoundary(v, 2000) {
						t.Errorf("NearBoundary(%v, 2000) = true for a vertex of Kyiv City", v)
					}
				}
			}
		}
		if n < 400 {
			t.Errorf("Kyiv City has %d vertices, want hundreds", n)
		}
	})

	t.Run("650 m inside Kyiv City", func(t *testing.T) {
		// Walk 650 m from a vertex of the city's outer ring towards the
		// centre (Maidan Nezalezhnosti), and keep the first point that is
		// 600-700 m from the city's line.
		centre := geo.Point{Lon: 30.5234, Lat: 50.4501}
		inCity := geo.Prepare(city)
		for _, v := range city[0][0] {
			bearing := math.Atan2((centre.Lon-v.Lon)*math.Cos(v.Lat*math.Pi/180), centre.Lat-v.Lat) * 180 / math.Pi
			p := walk(v, bearing, 650)
			if d := oracleBoundaryDistance(city, p); d < 600 || d > 700 || !inCity.Contains(p) {
				continue
			}
			if !r.Contains(p) {
				t.Errorf("Contains(%v) = false for a point in Kyiv", p)
			}
			if r.NearBoundary(p, 2000) {
				t.Errorf("NearBoundary(%v, 2000) = true 650 m from the Kyiv City/Kyiv Oblast line", p)
			}
			if !r.NearBoundary(p, 150e3) {
				t.Errorf("NearBoundary(%v, 150 km) = false, but Belarus is nearer", p)
			}
			t.Logf("%v is in Kyiv City, %.0f m from its line", p, oracleBoundaryDistance(city, p))
			return
		}
		t.Fatal("no point of Kyiv City is 600-700 m from its line")
	})

	for _, tt := range []struct {
		name    string
		m       geo.MultiPolygon
		better  func(a, b geo.Point) bool // a is further out than b
		outward float64                   // bearing out of Ukraine
	}{
		{"1 km from Belarus", oblast, func(a, b geo.Point) bool { return a.Lat > b.Lat }, 0},
		{"1 km from Russia", luhansk, func(a, b geo.Point) bool { return a.Lon > b.Lon }, 90},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The outermost vertex that way of the oblast's largest polygon
			// (Kyiv Oblast's exclave of Slavutych is further north, inside
			// Chernihiv Oblast) is on Ukraine's border: 500 m beyond it is not
			// in Ukraine. 1 km back from it is.
			largest := slices.MaxFunc(tt.m, func(a, b geo.Polygon) int { return len(a[0]) - len(b[0]) })
			v := largest[0][0]
			for _, q := range largest[0] {
				if tt.better(q, v) {
					v = q
				}
			}
			if out := walk(v, tt.outward, 500); r.Contains(out) {
				t.Fatalf("Contains(%v) = true 500 m beyond the border at %v", out, v)
			}
			p := walk(v, tt.outward+180, 1000)
			if !r.Contains(p) {
				t.Fatalf("Contains(%v) = false 1 km inside the border at %v", p, v)
			}
			for _, meters := range []float64{1001, 2000} {
				if !r.NearBoundary(p, meters) {
					t.Errorf("NearBoundary(%v, %g) = false 1 km from the border at %v", p, meters, v)
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

// oracleOutline is NearBoundary's outline by its definition, brute force: a
// point q of an edge is on it if, on one side, the disk of radius delta/2
// centred delta from q is outside m. Where the centre comes within delta/2
// of another edge is found by ternary search and bisection on the distance
// (a convex function along a line); between those intervals, oracleContains
// decides at one point.
func oracleOutline(m geo.MultiPolygon, delta float64) [][2]geo.Point {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	rho := delta / 2
	var edges [][2]geo.Point
	for _, poly := range m {
		for _, ring := range poly {
			for i := range ring {
				if a, b := ring[i], ring[(i+1)%len(ring)]; a != b {
					edges = append(edges, [2]geo.Point{a, b})
				}
			}
		}
	}
	var out [][2]geo.Point
	for ei, e := range edges {
		a, b := e[0], e[1]
		kx := math.Max(math.Cos((a.Lat+b.Lat)/2*math.Pi/180), 1e-6) * mPerDeg
		// In metres from a.
		metres := func(p geo.Point, shift float64) geo.Point {
			return geo.Point{Lon: (p.Lon + shift - a.Lon) * kx, Lat: (p.Lat - a.Lat) * mPerDeg}
		}
		eb := metres(b, 0)
		l := math.Hypot(eb.Lon, eb.Lat)
		n := geo.Point{Lon: -eb.Lat / l * delta, Lat: eb.Lon / l * delta}
		var outside [][2]float64
		for _, side := range []float64{1, -1} {
			centre := func(t float64) geo.Point {
				return geo.Point{Lon: t*eb.Lon + side*n.Lon, Lat: t*eb.Lat + side*n.Lat}
			}
			var blocked [][2]float64
			for fi, f := range edges {
				for _, shift := range []float64{0, 360, -360} {
					if fi == ei && shift == 0 {
						continue
					}
					p, q := metres(f[0], shift), metres(f[1], shift)
					c0, c1 := centre(0), centre(1)
					if math.Max(p.Lon, q.Lon) < math.Min(c0.Lon, c1.Lon)-rho || math.Min(p.Lon, q.Lon) > math.Max(c0.Lon, c1.Lon)+rho ||
						math.Max(p.Lat, q.Lat) < math.Min(c0.Lat, c1.Lat)-rho || math.Min(p.Lat, q.Lat) > math.Max(c0.Lat, c1.Lat)+rho {
						continue // too far for any t in [0, 1]
					}
					dist := func(t float64) float64 { return planarDistance(centre(t), p, q) }
					lo, hi := 0.0, 1.0
					for range 64 {
						m1, m2 := lo+(hi-lo)/3, hi-(hi-lo)/3
						if dist(m1) < dist(m2) {
							hi = m2
						} else {
							lo = m1
						}
					}
					tMin := (lo + hi) / 2
					if dist(tMin) >= rho {
						continue
					}
					// The ends of the interval where dist < rho, within [0, 1].
					cross := func(in, out float64) float64 {
						for range 52 {
							if mid := (in + out) / 2; dist(mid) < rho {
								in = mid
							} else {
								out = mid
							}
						}
						return (in + out) / 2
					}
					t0, t1 := 0.0, 1.0
					if dist(0) >= rho {
						t0 = cross(tMin, 0)
					}
					if dist(1) >= rho {
						t1 = cross(tMin, 1)
					}
					blocked = append(blocked, [2]float64{t0, t1})
				}
			}
			slices.SortFunc(blocked, func(x, y [2]float64) int { return compareFloat(x[0], y[0]) })
			free := func(t0, t1 float64) {
				if t1 <= t0 {
					return
				}
				c := centre((t0 + t1) / 2)
				lon := a.Lon + c.Lon/kx
				if !oracleContains(m, geo.Point{Lon: math.Mod(lon+540, 360) - 180, Lat: a.Lat + c.Lat/mPerDeg}) {
					outside = append(outside, [2]float64{t0, t1})
				}
			}
			t := 0.0
			for _, bl := range blocked {
				free(t, bl[0])
				t = math.Max(t, bl[1])
			}
			free(t, 1)
		}
		at := func(t float64) geo.Point {
			return geo.Point{Lon: a.Lon + t*(b.Lon-a.Lon), Lat: a.Lat + t*(b.Lat-a.Lat)}
		}
		for _, o := range outside {
			out = append(out, [2]geo.Point{at(o[0]), at(o[1])})
		}
	}
	return out
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// oracleDistance is the distance in metres from p to the nearest of segs,
// in the equirectangular projection around p.
func oracleDistance(segs [][2]geo.Point, p geo.Point) float64 {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	kx := math.Cos(p.Lat*math.Pi/180) * mPerDeg
	project := func(q geo.Point) geo.Point {
		dLon := math.Mod(q.Lon-p.Lon+540, 360) - 180
		return geo.Point{Lon: dLon * kx, Lat: (q.Lat - p.Lat) * mPerDeg}
	}
	best := math.Inf(1)
	for _, s := range segs {
		best = math.Min(best, planarDistance(geo.Point{}, project(s[0]), project(s[1])))
	}
	return best
}

// tiling returns the cells of a rows x cols grid of jittered quadrilaterals
// with c at a corner, about size degrees apart, each cell a polygon of its
// own and about one in seven left out, and the outline of their union: the
// sides of the cells with no cell on their other side. Sides are wiggly
// polylines. The two cells on a side each hold their own copy of it, which
// moves its vertices by up to 5 m and adds vertices on it and up to 5 m off
// it: the mismatches of real neighbouring features.
func tiling(rng *rand.Rand, c geo.Point, rows, cols int, size float64) (geo.MultiPolygon, [][2]geo.Point) {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	kx := math.Cos(c.Lat*math.Pi/180) * mPerDeg
	jiggle := func(p geo.Point, meters float64) geo.Point {
		return geo.Point{Lon: p.Lon + meters*(2*rng.Float64()-1)/kx, Lat: p.Lat + meters*(2*rng.Float64()-1)/mPerDeg}
	}
	corner := make([][]geo.Point, rows+1)
	for i := range corner {
		corner[i] = make([]geo.Point, cols+1)
		for j := range corner[i] {
			corner[i][j] = geo.Point{
				Lon: c.Lon + size*(float64(j)+0.4*rng.Float64()-0.2),
				Lat: c.Lat + size*(float64(i)+0.4*rng.Float64()-0.2),
			}
		}
	}
	// side returns a wiggly polyline from a to b.
	side := func(a, b geo.Point) geo.Ring {
		line := geo.Ring{a}
		n := 1 + rng.IntN(6)
		fs := make([]float64, n)
		for k := range fs {
			fs[k] = rng.Float64()
		}
		slices.Sort(fs)
		for _, f := range fs {
			w := 0.05 * size * (2*rng.Float64() - 1)
			line = append(line, geo.Point{Lon: a.Lon + f*(b.Lon-a.Lon) - w*(b.Lat-a.Lat), Lat: a.Lat + f*(b.Lat-a.Lat) + w*(b.Lon-a.Lon)})
		}
		return append(line, b)
	}
	// copyOf returns a cell's own copy of line.
	copyOf := func(line geo.Ring) geo.Ring {
		var out geo.Ring
		for k, p := range line {
			if rng.IntN(2) == 0 {
				p = jiggle(p, 5)
			}
			out = append(out, p)
			if k+1 < len(line) && rng.IntN(3) == 0 {
				q := line[k+1]
				mid := geo.Point{Lon: (p.Lon + q.Lon) / 2, Lat: (p.Lat + q.Lat) / 2}
				if rng.IntN(2) == 0 {
					mid = jiggle(mid, 5)
				}
				out = append(out, mid)
			}
		}
		return out
	}
	horiz := make([][]geo.Ring, rows+1) // horiz[i][j]: corner[i][j] to corner[i][j+1]
	for i := range horiz {
		for j := range cols {
			horiz[i] = append(horiz[i], side(corner[i][j], corner[i][j+1]))
		}
	}
	vert := make([][]geo.Ring, rows) // vert[i][j]: corner[i][j] to corner[i+1][j]
	for i := range vert {
		for j := range cols + 1 {
			vert[i] = append(vert[i], side(corner[i][j], corner[i+1][j]))
		}
	}
	in := make([][]bool, rows)
	for i := range in {
		in[i] = make([]bool, cols)
		for j := range in[i] {
			in[i][j] = rng.IntN(7) > 0
		}
	}
	present := func(i, j int) bool { return i >= 0 && i < rows && j >= 0 && j < cols && in[i][j] }
	var cells geo.MultiPolygon
	for i := range rows {
		for j := range cols {
			if !in[i][j] {
				continue
			}
			ring := copyOf(horiz[i][j])
			ring = append(ring[:len(ring)-1], copyOf(vert[i][j+1])...)
			ring = append(ring[:len(ring)-1], copyOf(reversed(horiz[i+1][j]))...)
			ring = append(ring[:len(ring)-1], copyOf(reversed(vert[i][j]))...)
			ring[len(ring)-1] = ring[0]
			cells = append(cells, geo.Polygon{ring})
		}
	}
	var outline [][2]geo.Point
	add := func(line geo.Ring) {
		for k := 0; k+1 < len(line); k++ {
			outline = append(outline, [2]geo.Point{line[k], line[k+1]})
		}
	}
	for i := range rows + 1 {
		for j := range cols {
			if present(i-1, j) != present(i, j) {
				add(horiz[i][j])
			}
		}
	}
	for i := range rows {
		for j := range cols + 1 {
			if present(i, j-1) != present(i, j) {
				add(vert[i][j])
			}
		}
	}
	return cells, outline
}

func reversed(r geo.Ring) geo.Ring {
	r = slices.Clone(r)
	slices.Reverse(r)
	return r
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

// minregionOblasts is the bundled ukraine zone's file: Ukraine's 27
// first-level units (Minregion, 2020), Kyiv City and Kyiv Oblast among them.
const minregionOblasts = "../../examples/energy-ceasefire-2025/zones/ukraine_oblasts_minregion_2020.geojson"

// feature is one feature of a GeoJSON FeatureCollection.
type feature struct {
	Name string // the ADMIN_1 property
	Geom geo.MultiPolygon
}

// MustLoadFeatures reads the Polygon and MultiPolygon features of the
// GeoJSON FeatureCollection at path, or fails tb.
func MustLoadFeatures(tb testing.TB, path string) []feature {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var out []feature
	for i, f := range fc.Features {
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			polys = [][][][2]float64{p}
		case "MultiPolygon":
			err = json.Unmarshal(f.Geometry.Coordinates, &polys)
		default:
			continue
		}
		if err != nil {
			tb.Fatalf("%s: feature %d: %v", path, i, err)
		}
		var m geo.MultiPolygon
		for _, p := range polys {
			var poly geo.Polygon
			for _, r := range p {
				ring := make(geo.Ring, len(r))
				for k, c := range r {
					ring[k] = geo.Point{Lon: c[0], Lat: c[1]}
				}
				poly = append(poly, ring)
			}
			m = append(m, poly)
		}
		name, _ := f.Properties["ADMIN_1"].(string)
		out = append(out, feature{Name: name, Geom: m})
	}
	return out
}
