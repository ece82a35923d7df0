package geo_test

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"truce/internal/geo"
)

// found is one result of PointIndex.Within.
type found struct {
	I int
	D float64
}

func within(ix *geo.PointIndex, p geo.Point, meters float64) []found {
	var got []found
	ix.Within(p, meters, func(i int, d float64) bool {
		got = append(got, found{i, d})
		return true
	})
	return got
}

// oracleWithin is the brute-force PointIndex.Within: a linear scan.
func oracleWithin(pts []geo.Point, p geo.Point, meters float64) []found {
	var want []found
	for i, q := range pts {
		if !q.Valid() {
			continue
		}
		if d := geo.Distance(p, q); d <= meters {
			want = append(want, found{i, d})
		}
	}
	slices.SortFunc(want, func(a, b found) int {
		if c := cmp.Compare(a.D, b.D); c != 0 {
			return c
		}
		return cmp.Compare(a.I, b.I)
	})
	return want
}

func TestPointIndexWithin(t *testing.T) {
	pts := []geo.Point{
		{Lon: 30.5234, Lat: 50.4501},  // 0 Kyiv
		{Lon: 36.2304, Lat: 49.9935},  // 1 Kharkiv
		{Lon: 30.5234, Lat: 50.4501},  // 2 Kyiv again: ties go to the lower index
		{Lon: 30.5334, Lat: 50.4501},  // 3 about 700 m east of Kyiv
		{Lon: -179.99, Lat: 0},        // 4
		{Lon: 180, Lat: 10},           // 5
		{Lon: 45, Lat: 89.9},          // 6
		{Lon: -135, Lat: 89.9},        // 7 22 km from 6, across the pole
		{Lon: 0, Lat: -90},            // 8 south pole
		{Lon: math.NaN(), Lat: 50},    // 9 invalid: never found
		{Lon: 200, Lat: 50},           // 10 invalid: never found
		{Lon: -180, Lat: 10},          // 11 same place as 5
		{Lon: 90, Lat: -89.99},        // 12 1.1 km from the south pole
		{Lon: 30.5234, Lat: 50.45011}, // 13 1.1 m north of Kyiv
	}
	ix := geo.NewPointIndex(pts)
	d := func(i, j int) float64 { return geo.Distance(pts[i], pts[j]) }
	southPole := geo.Point{Lon: 123, Lat: -90}
	for _, tt := range []struct {
		name   string
		p      geo.Point
		meters float64
		want   []found
	}{
		{name: "Kyiv 1 km", p: pts[0], meters: 1000, want: []found{{0, 0}, {2, 0}, {13, d(0, 13)}, {3, d(0, 3)}}},
		{name: "Kyiv exactly to site 3", p: pts[0], meters: d(0, 3), want: []found{{0, 0}, {2, 0}, {13, d(0, 13)}, {3, d(0, 3)}}},
		{name: "Kyiv just short of site 3", p: pts[0], meters: math.Nextafter(d(0, 3), 0), want: []found{{0, 0}, {2, 0}, {13, d(0, 13)}}},
		{name: "Kyiv zero radius", p: pts[0], meters: 0, want: []found{{0, 0}, {2, 0}}},
		{name: "Kyiv to Kharkiv", p: pts[0], meters: d(0, 1), want: []found{{0, 0}, {2, 0}, {13, d(0, 13)}, {3, d(0, 3)}, {1, d(0, 1)}}},
		{name: "across the antimeridian", p: geo.Point{Lon: 179.99, Lat: 0}, meters: 3000, want: []found{{4, geo.Distance(geo.Point{Lon: 179.99, Lat: 0}, pts[4])}}},
		{name: "lon 180 and -180 are the same", p: geo.Point{Lon: -179.999, Lat: 10}, meters: 200, want: []found{
			{5, geo.Distance(geo.Point{Lon: -179.999, Lat: 10}, pts[5])}, {11, geo.Distance(geo.Point{Lon: -179.999, Lat: 10}, pts[11])}}},
		{name: "across the north pole", p: pts[6], meters: 25e3, want: []found{{6, 0}, {7, d(6, 7)}}},
		{name: "at the south pole", p: southPole, meters: 2e3, want: []found{{8, geo.Distance(southPole, pts[8])}, {12, geo.Distance(southPole, pts[12])}}},
		{name: "whole earth", p: pts[8], meters: math.Inf(1), want: oracleWithin(pts, pts[8], math.Inf(1))},
		{name: "negative radius", p: pts[0], meters: -1},
		{name: "NaN radius", p: pts[0], meters: math.NaN()},
		{name: "invalid point", p: geo.Point{Lon: math.NaN(), Lat: 50}, meters: 1e7},
		{name: "nothing near", p: geo.Point{Lon: 0, Lat: 0}, meters: 1e5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := gocmp.Diff(tt.want, within(ix, tt.p, tt.meters)); diff != "" {
				t.Errorf("Within() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if got, want := ix.Len(), len(pts); got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
}

func TestPointIndexWithinStops(t *testing.T) {
	pts := make([]geo.Point, 10)
	for i := range pts {
		pts[i] = geo.Point{Lon: 30 + float64(i)*0.001, Lat: 50}
	}
	ix := geo.NewPointIndex(pts)
	var got []int
	ix.Within(pts[0], 1e4, func(i int, _ float64) bool {
		got = append(got, i)
		return len(got) < 3
	})
	if diff := gocmp.Diff([]int{0, 1, 2}, got); diff != "" {
		t.Errorf("Within() visited mismatch (-want +got):\n%s", diff)
	}
}

func TestPointIndexNearest(t *testing.T) {
	pts := []geo.Point{{Lon: 30, Lat: 50}, {Lon: 30.01, Lat: 50}, {Lon: 29.99, Lat: 50}, {Lon: 30.01, Lat: 50}}
	ix := geo.NewPointIndex(pts)
	type result struct {
		I  int
		D  float64
		OK bool
	}
	p := geo.Point{Lon: 30.008, Lat: 50}
	for _, tt := range []struct {
		name      string
		p         geo.Point
		maxMeters float64
		want      result
	}{
		{name: "tie goes to lowest index", p: p, maxMeters: 1e4, want: result{1, geo.Distance(p, pts[1]), true}},
		{name: "exactly at max", p: p, maxMeters: geo.Distance(p, pts[1]), want: result{1, geo.Distance(p, pts[1]), true}},
		{name: "just short", p: p, maxMeters: math.Nextafter(geo.Distance(p, pts[1]), 0)},
		{name: "on a site", p: pts[2], maxMeters: 0, want: result{2, 0, true}},
		{name: "empty index area", p: geo.Point{Lon: -70, Lat: -30}, maxMeters: 1e6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got result
			got.I, got.D, got.OK = ix.Nearest(tt.p, tt.maxMeters)
			if diff := gocmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Nearest() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPointIndexOracle(t *testing.T) {
	uniform := func(rng *rand.Rand) geo.Point {
		return geo.Point{Lon: -180 + 360*rng.Float64(), Lat: math.Asin(2*rng.Float64()-1) * 180 / math.Pi}
	}
	antimeridian := func(rng *rand.Rand) geo.Point {
		lon := 179.5 + rng.Float64()
		if lon > 180 {
			lon -= 360
		}
		if rng.IntN(20) == 0 {
			lon = float64(1-2*rng.IntN(2)) * 180
		}
		return geo.Point{Lon: lon, Lat: -70 + 140*rng.Float64()}
	}
	polar := func(rng *rand.Rand) geo.Point {
		lat := 87 + 3*rng.Float64()
		if rng.IntN(20) == 0 {
			lat = 90
		}
		if rng.IntN(2) == 0 {
			lat = -lat
		}
		return geo.Point{Lon: -180 + 360*rng.Float64(), Lat: lat}
	}
	ukraine := func(rng *rand.Rand) geo.Point {
		// Snapped to a coarse grid so that many sites share a position.
		return geo.Point{Lon: 30 + math.Round(rng.Float64()*200)/100, Lat: 48 + math.Round(rng.Float64()*200)/100}
	}
	for ti, tt := range []struct {
		name      string
		gen       func(*rand.Rand) geo.Point
		maxMeters float64
	}{
		{"uniform", uniform, 2000e3},
		{"near the antimeridian", antimeridian, 200e3},
		{"near the poles", polar, 500e3},
		{"dense with duplicates", ukraine, 10e3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(ti)))
			pts := make([]geo.Point, 1500)
			for i := range pts {
				pts[i] = tt.gen(rng)
			}
			ix := geo.NewPointIndex(pts)
			var total int
			for q := range 300 {
				p := tt.gen(rng)
				meters := tt.maxMeters * rng.Float64()
				if q%3 == 0 {
					// A radius that reaches exactly one site: it must be included.
					meters = geo.Distance(p, pts[rng.IntN(len(pts))])
				}
				want := oracleWithin(pts, p, meters)
				total += len(want)
				// slices.Equal first: cmp.Diff is slow on long lists.
				if got := within(ix, p, meters); !slices.Equal(want, got) {
					diff := gocmp.Diff(want, got)
					t.Fatalf("Within(%#v, %g) mismatch (-want +got):\n%s", p, meters, diff)
				}
				var wantNearest found
				if len(want) > 0 {
					wantNearest = want[0]
				}
				var got found
				var ok bool
				got.I, got.D, ok = ix.Nearest(p, meters)
				if diff := gocmp.Diff(wantNearest, got); diff != "" || ok != (len(want) > 0) {
					t.Fatalf("Nearest(%#v, %g) = %v, mismatch (-want +got):\n%s", p, meters, ok, diff)
				}
			}
			if total < 300 {
				t.Errorf("queries found only %d sites in all: the test is too sparse", total)
			}
		})
	}
}

// TestConcurrentQueries backs the "safe for concurrent use" claims of
// PointIndex and Region under the race detector.
func TestConcurrentQueries(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	pts := make([]geo.Point, 500)
	for i := range pts {
		pts[i] = geo.Point{Lon: 30 + rng.Float64(), Lat: 50 + rng.Float64()}
	}
	ix := geo.NewPointIndex(pts)
	m := geo.MultiPolygon{starPolygon(rng, geo.Point{Lon: 30.5, Lat: 50.5}, 0.5, 200, 2, 0)}
	r := geo.Prepare(m)
	done := make(chan [3]int)
	for g := range 4 {
		go func() {
			var n [3]int
			for j := range 200 {
				p := pts[(g*200+j)%len(pts)]
				ix.Within(p, 5000, func(int, float64) bool { n[0]++; return true })
				if r.Contains(p) {
					n[1]++
				}
				if r.NearBoundary(p, 5000) {
					n[2]++
				}
			}
			done <- n
		}()
	}
	for range 4 {
		if n := <-done; n[0] == 0 {
			t.Errorf("Within found nothing: %v", n)
		}
	}
}

func TestSearchBoxes(t *testing.T) {
	all := func(minLat, maxLat float64) geo.BBox {
		return geo.BBox{MinLon: -180, MinLat: minLat, MaxLon: 180, MaxLat: maxLat}
	}
	for _, tt := range []struct {
		name   string
		p      geo.Point
		meters float64
		wantN  int
		check  func(boxes []geo.BBox) bool // nil: only the count is checked
	}{
		{name: "not valid", p: geo.Point{Lon: 181, Lat: 0}, meters: 1000, wantN: 0},
		{name: "NaN point", p: geo.Point{Lon: math.NaN(), Lat: 0}, meters: 1000, wantN: 0},
		{name: "negative radius", p: geo.Point{Lon: 30, Lat: 50}, meters: -1, wantN: 0},
		{name: "NaN radius", p: geo.Point{Lon: 30, Lat: 50}, meters: math.NaN(), wantN: 0},
		{name: "zero radius", p: geo.Point{Lon: 30, Lat: 50}, meters: 0, wantN: 1, check: func(b []geo.BBox) bool {
			return b[0].Contains(geo.Point{Lon: 30, Lat: 50}) && b[0].MaxLon-b[0].MinLon < 1e-6
		}},
		{name: "mid-latitude", p: geo.Point{Lon: 30, Lat: 50}, meters: 10e3, wantN: 1, check: func(b []geo.BBox) bool {
			// 10 km is 0.09° of latitude and 0.14° of longitude at 50°N.
			return b[0].MinLat > 49.9 && b[0].MaxLat < 50.1 && b[0].MinLon > 29.8 && b[0].MaxLon < 30.2
		}},
		{name: "across the antimeridian, east side", p: geo.Point{Lon: 179.99, Lat: 0}, meters: 3000, wantN: 2, check: func(b []geo.BBox) bool {
			return b[0].MaxLon == 180 && b[0].MinLon < 179.99 && b[1].MinLon == -180 && b[1].MaxLon > -180 && b[1].MaxLon < -179.9
		}},
		{name: "across the antimeridian, west side", p: geo.Point{Lon: -179.99, Lat: 0}, meters: 3000, wantN: 2, check: func(b []geo.BBox) bool {
			return b[0].MaxLon == 180 && b[0].MinLon > 179.9 && b[1].MinLon == -180 && b[1].MaxLon > -179.99
		}},
		{name: "reaching the north pole", p: geo.Point{Lon: 10, Lat: 89.99}, meters: 2000, wantN: 1, check: func(b []geo.BBox) bool {
			return b[0] == all(b[0].MinLat, 90) && b[0].MinLat < 89.99
		}},
		{name: "at the south pole", p: geo.Point{Lon: 0, Lat: -90}, meters: 1000, wantN: 1, check: func(b []geo.BBox) bool {
			return b[0] == all(-90, b[0].MaxLat) && b[0].MaxLat > -90
		}},
		{name: "wider than the globe", p: geo.Point{Lon: 0, Lat: 0}, meters: 25_000e3, wantN: 1, check: func(b []geo.BBox) bool {
			return b[0] == all(-90, 90)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			boxes, n := geo.SearchBoxes(tt.p, tt.meters)
			if n != tt.wantN {
				t.Fatalf("SearchBoxes(%v, %g) = %v, %d boxes; want %d", tt.p, tt.meters, boxes, n, tt.wantN)
			}
			if tt.check != nil && !tt.check(boxes[:n]) {
				t.Errorf("SearchBoxes(%v, %g) = %v", tt.p, tt.meters, boxes[:n])
			}
		})
	}
}

// TestSearchBoxesOracle checks that the boxes contain every point within
// the radius, points at exactly the radius included, near the antimeridian
// and the poles too, and that every box lies within the globe.
func TestSearchBoxesOracle(t *testing.T) {
	const rad = math.Pi / 180
	// destination is the point d metres from p along the initial bearing b
	// (radians), on the sphere of geo.Distance.
	destination := func(p geo.Point, d, b float64) geo.Point {
		delta, phi, lambda := d/geo.EarthRadiusMeters, p.Lat*rad, p.Lon*rad
		phi2 := math.Asin(math.Sin(phi)*math.Cos(delta) + math.Cos(phi)*math.Sin(delta)*math.Cos(b))
		lambda2 := lambda + math.Atan2(math.Sin(b)*math.Sin(delta)*math.Cos(phi), math.Cos(delta)-math.Sin(phi)*math.Sin(phi2))
		lon := math.Remainder(lambda2/rad, 360)
		return geo.Point{Lon: lon, Lat: max(-90, min(90, phi2/rad))}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	anywhere := func() geo.Point {
		return geo.Point{Lon: -180 + 360*rng.Float64(), Lat: -90 + 180*rng.Float64()}
	}
	antimeridian := func() geo.Point {
		return geo.Point{Lon: math.Remainder(179+2*rng.Float64(), 360), Lat: -80 + 160*rng.Float64()}
	}
	polar := func() geo.Point {
		return geo.Point{Lon: -180 + 360*rng.Float64(), Lat: (88 + 2*rng.Float64()) * float64(1-2*rng.IntN(2))}
	}
	gens := []func() geo.Point{anywhere, antimeridian, polar}
	for q := range 30_000 {
		p := gens[q%len(gens)]()
		meters := math.Pow(10, 7*rng.Float64()) // 1 m to 10,000 km
		boxes, n := geo.SearchBoxes(p, meters)
		if n < 1 || n > 2 {
			t.Fatalf("SearchBoxes(%#v, %g): %d boxes", p, meters, n)
		}
		for _, b := range boxes[:n] {
			if b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 || b.Empty() {
				t.Fatalf("SearchBoxes(%#v, %g) = %v: a box outside the globe or empty", p, meters, boxes[:n])
			}
		}
		for range 8 {
			d := meters
			if rng.IntN(2) == 0 {
				d *= rng.Float64()
			}
			x := destination(p, d, 2*math.Pi*rng.Float64())
			if geo.Distance(p, x) > meters {
				continue // rounding put it just outside
			}
			in := false
			for _, b := range boxes[:n] {
				in = in || b.Contains(x)
			}
			if !in {
				t.Fatalf("SearchBoxes(%#v, %g) = %v: misses %#v at %g m", p, meters, boxes[:n], x, geo.Distance(p, x))
			}
		}
	}
}
