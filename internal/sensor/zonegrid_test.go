package sensor_test

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"truce"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/sensor"
)

const scenario = "../../examples/energy-ceasefire-2025/agreement.yaml"

// benchAgreement is the agreement of bench/sensors.sh: 14 zones (Natural
// Earth countries at 10 m, the Black Sea, the Sea of Azov, DeepStateMap's
// occupied territory).
const benchAgreement = "../../bench/data/sensors-agreement.yaml"

var (
	loadScenario = sync.OnceValues(func() (*truce.Agreement, error) { return agreement.Load(scenario) })
	loadBench    = sync.OnceValues(func() (*truce.Agreement, error) { return agreement.Load(benchAgreement) })
)

// MustBenchAgreement returns the agreement of bench/sensors.sh.
func MustBenchAgreement(tb testing.TB) *truce.Agreement {
	tb.Helper()
	a, err := loadBench()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// MustScenario returns the bundled energy scenario (Natural Earth and
// Minregion zones, with exclusions).
func MustScenario(tb testing.TB) *truce.Agreement {
	tb.Helper()
	a, err := loadScenario()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// checkZones compares the grid with Agreement.InZone, the oracle, at p.
func checkZones(t *testing.T, a *truce.Agreement, g *sensor.ZoneGrid, p geo.Point, what string) bool {
	t.Helper()
	mask := make([]uint64, g.Words())
	g.Mask(p, mask)
	ok := true
	for i, z := range a.Zones {
		want := a.InZone(z.ID, p, nil)
		got := mask[i/64]&(1<<(i%64)) != 0
		if got != want {
			t.Errorf("%s %v (%.17g, %.17g): zone %s: grid says %v, InZone %v", what, p, p.Lon, p.Lat, z.ID, got, want)
			ok = false
		}
	}
	return ok
}

// edgePoints returns points on and near the zones' edges: every vertex,
// points along edges, and points offset from both by 1e-13 to 1e-7 degrees
// (around the grid's boundary padding and Region's edge tolerance), plus
// points on the vertex latitudes (where the half-open rule matters).
func edgePoints(rng *rand.Rand, a *truce.Agreement, perRing int) []geo.Point {
	var out []geo.Point
	offsets := []float64{0, 1e-13, 1e-12, 2e-12, 1e-11, 1e-10, 1e-9, 1e-8, 2e-8, 1e-7}
	for _, z := range a.Zones {
		if z.Region == nil {
			continue
		}
		for _, poly := range z.Region.Geometry() {
			for _, ring := range poly {
				for k := 0; k < perRing && len(ring) > 1; k++ {
					i := rng.IntN(len(ring) - 1)
					p, q := ring[i], ring[i+1]
					tt := rng.Float64()
					on := geo.Point{Lon: p.Lon + tt*(q.Lon-p.Lon), Lat: p.Lat + tt*(q.Lat-p.Lat)}
					for _, base := range []geo.Point{p, on, {Lon: on.Lon, Lat: p.Lat}} {
						d := offsets[rng.IntN(len(offsets))]
						ang := rng.Float64() * 2 * math.Pi
						out = append(out, base, geo.Point{Lon: base.Lon + d*math.Cos(ang), Lat: base.Lat + d*math.Sin(ang)})
					}
				}
			}
		}
	}
	return out
}

func TestZoneGridScenarioRandom(t *testing.T) {
	a := MustScenario(t)
	g := sensor.NewZoneGrid(a)
	t.Log(g)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 200_000
	if testing.Short() || raceEnabled {
		n = 20_000
	}
	bad := 0
	for i := 0; i < n && bad < 10; i++ {
		var p geo.Point
		switch i % 4 {
		case 0, 1: // the theatre
			p = geo.Point{Lon: 20 + rng.Float64()*25, Lat: 40 + rng.Float64()*16}
		case 2: // the zones' whole extent
			p = geo.Point{Lon: -180 + rng.Float64()*360, Lat: 30 + rng.Float64()*55}
		case 3: // anywhere, with the odd point outside the valid range
			p = geo.Point{Lon: -200 + rng.Float64()*400, Lat: -100 + rng.Float64()*200}
		}
		if !checkZones(t, a, g, p, "random") {
			bad++
		}
	}
}

func TestZoneGridScenarioEdges(t *testing.T) {
	a := MustScenario(t)
	g := sensor.NewZoneGrid(a)
	rng := rand.New(rand.NewPCG(3, 4))
	per := 40
	if testing.Short() || raceEnabled {
		per = 4
	}
	pts := edgePoints(rng, a, per)
	bad := 0
	for _, p := range pts {
		if !checkZones(t, a, g, p, "edge") {
			if bad++; bad > 10 {
				break
			}
		}
	}
	t.Logf("%d edge points", len(pts))
}

// TestZoneGridSelfIntersection covers Natural Earth's Ukraine, whose outer
// ring goes out and back along the same edge at 38.6626E 49.9622N (a spike
// of zero area that makes the ring self-intersecting, and PostGIS call it
// invalid). By the even-odd rule the spike adds no area; a point exactly on
// it is on an edge, so inside (Region's rule); a point beside it is outside.
func TestZoneGridSelfIntersection(t *testing.T) {
	a := MustScenario(t)
	g := sensor.NewZoneGrid(a)
	// Natural Earth's Russia (zones russia and russia_with_crimea here)
	// shares the spike with its Ukraine: find the vertex sequence A, B, A.
	var ring geo.Ring
	for _, zz := range a.Zones {
		for _, poly := range zz.Region.Geometry() {
			for _, r := range poly {
				for i := 0; i+2 < len(r); i++ {
					if r[i] == r[i+2] && r[i] != r[i+1] && math.Abs(r[i].Lon-38.6626) < 1e-3 {
						ring = geo.Ring{r[i], r[i+1]}
					}
				}
			}
		}
	}
	if ring == nil {
		t.Fatal("no spike found near 38.6626E 49.9622N")
	}
	a1, b1 := ring[0], ring[1]
	for k := 0; k <= 20; k++ {
		f := float64(k) / 20
		on := geo.Point{Lon: a1.Lon + f*(b1.Lon-a1.Lon), Lat: a1.Lat + f*(b1.Lat-a1.Lat)}
		checkZones(t, a, g, on, "on the spike")
		for _, d := range []float64{1e-9, 1e-6, 1e-4} {
			checkZones(t, a, g, geo.Point{Lon: on.Lon + d, Lat: on.Lat}, "beside the spike")
			checkZones(t, a, g, geo.Point{Lon: on.Lon - d, Lat: on.Lat}, "beside the spike")
		}
	}
}

// square returns a closed axis-aligned ring.
func square(x0, y0, x1, y1 float64) geo.Ring {
	return geo.Ring{{Lon: x0, Lat: y0}, {Lon: x1, Lat: y0}, {Lon: x1, Lat: y1}, {Lon: x0, Lat: y1}, {Lon: x0, Lat: y0}}
}

// syntheticAgreement has zones that exercise every rule of Region and
// InZone: holes, a bow tie, a spike, overlapping polygons, a ring left open,
// a degenerate polygon, a polygon far smaller than a grid cell, an
// antimeridian pair, exclusions (chained, cyclic, of an unknown zone), a
// duplicate id and a zone without geometry.
func syntheticAgreement() *truce.Agreement {
	mp := func(polys ...geo.Polygon) *geo.Region { return geo.Prepare(geo.MultiPolygon(polys)) }
	bowtie := geo.Ring{{Lon: 10, Lat: 10}, {Lon: 12, Lat: 12}, {Lon: 12, Lat: 10}, {Lon: 10, Lat: 12}, {Lon: 10, Lat: 10}}
	spike := geo.Ring{{Lon: 20, Lat: 20}, {Lon: 22, Lat: 20}, {Lon: 22, Lat: 21}, {Lon: 23.5, Lat: 21.7}, {Lon: 22, Lat: 21}, {Lon: 22, Lat: 22}, {Lon: 20, Lat: 22}, {Lon: 20, Lat: 20}}
	open := geo.Ring{{Lon: 30, Lat: 30}, {Lon: 31, Lat: 30}, {Lon: 30.5, Lat: 31.3}}
	zones := []*truce.Zone{
		{ID: "holed", Region: mp(geo.Polygon{square(0, 0, 4, 4), square(1, 1, 2, 2), square(2.5, 2.5, 3, 3.7)})},
		{ID: "bowtie", Region: mp(geo.Polygon{bowtie})},
		{ID: "spike", Region: mp(geo.Polygon{spike})},
		{ID: "overlap", Region: mp(geo.Polygon{square(0.5, 0.5, 3, 3)}, geo.Polygon{square(2, 2, 5, 5)}, geo.Polygon{square(1.2, 1.2, 1.8, 1.8)})},
		{ID: "open", Region: mp(geo.Polygon{open})},
		{ID: "flat", Region: mp(geo.Polygon{geo.Ring{{Lon: 40, Lat: 40}, {Lon: 41, Lat: 41}, {Lon: 42, Lat: 42}, {Lon: 40, Lat: 40}}})},
		{ID: "tiny", Region: mp(geo.Polygon{square(1.5, 3.5, 1.5000001, 3.5000001)})},
		{ID: "east", Region: mp(geo.Polygon{square(179, 60, 180, 62)})},
		{ID: "west", Region: mp(geo.Polygon{square(-180, 60, -179, 62)})},
		{ID: "big", Region: mp(geo.Polygon{square(-5, -5, 50, 50)}), Exclude: []truce.ZoneID{"holed", "unknown"}},
		{ID: "chain", Region: mp(geo.Polygon{square(-5, -5, 50, 50)}), Exclude: []truce.ZoneID{"big"}},
		{ID: "cycle1", Region: mp(geo.Polygon{square(0, 0, 3, 3)}), Exclude: []truce.ZoneID{"cycle2"}},
		{ID: "cycle2", Region: mp(geo.Polygon{square(1, 1, 4, 4)}), Exclude: []truce.ZoneID{"cycle1"}},
		{ID: "holed", Region: mp(geo.Polygon{square(10, 0, 12, 2)})}, // duplicate id: InZone never sees it
		{ID: "nogeometry"},
		{ID: "fine", Region: mp(geo.Polygon{geo.Ring{{Lon: 0.0625, Lat: 0.0625}, {Lon: 0.125, Lat: 0.0625}, {Lon: 0.125, Lat: 0.125}, {Lon: 0.0625, Lat: 0.0625}}})},
	}
	return &truce.Agreement{ID: "synthetic", Zones: zones}
}

func TestZoneGridSynthetic(t *testing.T) {
	a := syntheticAgreement()
	g := sensor.NewZoneGrid(a)
	t.Log(g)
	rng := rand.New(rand.NewPCG(5, 6))
	bad := 0
	check := func(p geo.Point, what string) {
		if bad < 20 && !checkZones(t, a, g, p, what) {
			bad++
		}
	}
	for range 100_000 {
		check(geo.Point{Lon: -6 + rng.Float64()*58, Lat: -6 + rng.Float64()*58}, "random")
	}
	for range 20_000 {
		check(geo.Point{Lon: 178 + rng.Float64()*4 - 360*float64(rng.IntN(2)), Lat: 59 + rng.Float64()*4}, "antimeridian")
	}
	for _, p := range edgePoints(rng, a, 200) {
		check(p, "edge")
	}
	// Points on a lattice of quarter and sixteenth degrees: the grid's
	// own cell corners, and the squares' vertices.
	for x := -6.0; x <= 52; x += 0.0625 {
		for y := -6.0; y <= 52; y += 0.25 {
			check(geo.Point{Lon: x, Lat: y}, "lattice")
		}
	}
	// Special values.
	for _, p := range []geo.Point{{Lon: math.NaN(), Lat: 1}, {Lon: 1, Lat: math.NaN()}, {Lon: math.Inf(1), Lat: 1}, {Lon: 180, Lat: 61}, {Lon: -180, Lat: 61}, {Lon: 1.5, Lat: 3.5}} {
		check(p, "special")
	}
	// What self-intersection means, pinned down: the even-odd rule, and
	// a point on any edge (a spike's included) is inside.
	for _, tt := range []struct {
		p    geo.Point
		zone truce.ZoneID
		want bool
	}{
		{geo.Point{Lon: 10.5, Lat: 11}, "bowtie", true},  // left lobe
		{geo.Point{Lon: 11.5, Lat: 11}, "bowtie", true},  // right lobe
		{geo.Point{Lon: 11, Lat: 11.5}, "bowtie", false}, // between the lobes, above the crossing
		{geo.Point{Lon: 11, Lat: 10.5}, "bowtie", false},
		{geo.Point{Lon: 11, Lat: 11}, "bowtie", true},      // the crossing is on an edge
		{geo.Point{Lon: 22.75, Lat: 21.35}, "spike", true}, // on the spike
		{geo.Point{Lon: 22.75, Lat: 21.4}, "spike", false}, // beside it: the spike has no area
		{geo.Point{Lon: 21.9, Lat: 21}, "spike", true},     // inside the square
		{geo.Point{Lon: 1.5, Lat: 1.5}, "holed", false},    // in a hole
		{geo.Point{Lon: 1, Lat: 1.5}, "holed", true},       // on the hole's edge
		{geo.Point{Lon: 1.5, Lat: 1.5}, "overlap", true},   // overlapping polygons do not cancel
		{geo.Point{Lon: 30.5, Lat: 30.5}, "open", true},    // the ring is closed implicitly
		{geo.Point{Lon: 41, Lat: 41}, "flat", true},        // on a zero-area polygon
		{geo.Point{Lon: 41, Lat: 41.5}, "flat", false},
		{geo.Point{Lon: 1.5, Lat: 1.5}, "big", true}, // excludes holed, which does not contain its hole
		{geo.Point{Lon: 0.5, Lat: 0.5}, "big", false},
		{geo.Point{Lon: 0.5, Lat: 0.5}, "chain", true}, // excludes big, which excludes holed
		{geo.Point{Lon: 2, Lat: 2}, "cycle1", true},    // a cycle is cut at depth 8
		{geo.Point{Lon: 11, Lat: 1}, "holed", false},   // only the first zone of a duplicated id answers
		{geo.Point{Lon: 1, Lat: 1}, "nogeometry", false},
	} {
		var got bool
		for _, id := range g.Zones(tt.p, nil) {
			got = got || id == tt.zone
		}
		if got != tt.want || a.InZone(tt.zone, tt.p, nil) != tt.want {
			t.Errorf("%v in %s: grid %v, InZone %v; want %v", tt.p, tt.zone, got, a.InZone(tt.zone, tt.p, nil), tt.want)
		}
	}
}
