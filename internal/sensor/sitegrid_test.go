package sensor_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/geo"
	"truce/internal/sensor"
)

type siteHit struct {
	I int
	D float64
}

// bruteNearest is the oracle: every site, geo.Distance, <= radius, ties to
// the lowest index.
func bruteNearest(pts []geo.Point, p geo.Point, radius float64) (int, float64, bool) {
	best, bestD := -1, 0.0
	if !p.Valid() {
		return -1, 0, false
	}
	for i, s := range pts {
		if !s.Valid() {
			continue
		}
		if d := geo.Distance(p, s); d <= radius && (best < 0 || d < bestD) {
			best, bestD = i, d
		}
	}
	return best, bestD, best >= 0
}

func bruteWithin(pts []geo.Point, p geo.Point, radius float64) []siteHit {
	var out []siteHit
	if !p.Valid() {
		return nil
	}
	for i, s := range pts {
		if s.Valid() {
			if d := geo.Distance(p, s); d <= radius {
				out = append(out, siteHit{i, d})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b siteHit) int {
		if a.D != b.D {
			if a.D < b.D {
				return -1
			}
			return 1
		}
		return a.I - b.I
	})
	return out
}

func gridWithin(g *sensor.SiteGrid, p geo.Point) []siteHit {
	var out []siteHit
	g.Within(p, func(i int, d float64) bool { out = append(out, siteHit{i, d}); return true })
	return out
}

// testSites is the GPPD plants (which share coordinates in places) plus
// sites at the awkward places: both sides of the antimeridian, near and at
// the poles, and one invalid point.
func testSites(t *testing.T) []geo.Point {
	var pts []geo.Point
	for _, s := range MustSites(t) {
		pts = append(pts, s.Location)
	}
	return append(pts,
		geo.Point{Lon: 179.99, Lat: 65}, geo.Point{Lon: -179.99, Lat: 65}, geo.Point{Lon: 180, Lat: 0}, geo.Point{Lon: -180, Lat: 0},
		geo.Point{Lon: 10, Lat: 89.99}, geo.Point{Lon: 0, Lat: 90}, geo.Point{Lon: 0, Lat: -90}, geo.Point{Lon: 30, Lat: -89.999},
		geo.Point{Lon: 200, Lat: 10}, geo.Point{Lon: 30.5, Lat: 50.45}, geo.Point{Lon: 30.5, Lat: 50.45})
}

func TestSiteGridOracle(t *testing.T) {
	pts := testSites(t)
	rng := rand.New(rand.NewPCG(8, 9))
	n := 4000
	if testing.Short() || raceEnabled {
		n = 400
	}
	for _, radius := range []float64{0, 1, 3000, 10_000, 250_000, 3_000_000} {
		g := sensor.NewSiteGrid(pts, radius)
		bad := 0
		for i := 0; i < n && bad < 10; i++ {
			var p geo.Point
			switch i % 4 {
			case 0: // near a site, within a few radii
				s := pts[rng.IntN(len(pts))]
				r := (radius*3 + 1) / 111_000 * rng.Float64()
				a := rng.Float64() * 2 * math.Pi
				p = geo.Point{Lon: s.Lon + r*math.Cos(a)/math.Max(math.Cos(s.Lat*math.Pi/180), 0.01), Lat: s.Lat + r*math.Sin(a)}
				p.Lon = math.Mod(p.Lon+540, 360) - 180
				p.Lat = math.Max(-90, math.Min(90, p.Lat))
			case 1: // on a site
				p = pts[rng.IntN(len(pts))]
			case 2: // the theatre
				p = geo.Point{Lon: 22 + rng.Float64()*19, Lat: 44 + rng.Float64()*9}
			case 3: // anywhere
				p = geo.Point{Lon: -180 + rng.Float64()*360, Lat: -90 + rng.Float64()*180}
			}
			wi, wd, wok := bruteNearest(pts, p, radius)
			gi, gd, gok := g.Nearest(p)
			if wi != gi || wd != gd || wok != gok {
				t.Errorf("radius %g, %v: Nearest = %d, %v, %v; brute force %d, %v, %v", radius, p, gi, gd, gok, wi, wd, wok)
				bad++
			}
			if i%8 == 0 {
				if diff := cmp.Diff(bruteWithin(pts, p, radius), gridWithin(g, p)); diff != "" {
					t.Errorf("radius %g, %v: Within mismatch (-brute +grid):\n%s", radius, p, diff)
					bad++
				}
			}
		}
	}
}

// TestSiteGridRadiusEdge builds grids whose radius is exactly the distance
// from a query point to a site: the site is within (distance == radius is
// included), and one ulp less leaves it out.
func TestSiteGridRadiusEdge(t *testing.T) {
	pts := testSites(t)
	rng := rand.New(rand.NewPCG(10, 11))
	cases := 300
	if testing.Short() || raceEnabled {
		cases = 30
	}
	for k := range cases {
		i := rng.IntN(len(pts) - 3)
		s := pts[i]
		if !s.Valid() {
			continue
		}
		d0 := 500 + rng.Float64()*20_000
		a := rng.Float64() * 2 * math.Pi
		p := geo.Point{Lon: s.Lon + d0/111_000*math.Cos(a)/math.Cos(s.Lat*math.Pi/180), Lat: s.Lat + d0/111_000*math.Sin(a)}
		if !p.Valid() {
			continue
		}
		d := geo.Distance(p, s)
		for _, radius := range []float64{d, math.Nextafter(d, 0), math.Nextafter(d, math.Inf(1))} {
			g := sensor.NewSiteGrid(pts, radius)
			wi, wd, wok := bruteNearest(pts, p, radius)
			gi, gd, gok := g.Nearest(p)
			if wi != gi || wd != gd || wok != gok {
				t.Fatalf("case %d radius %v (site %d at %v): Nearest = %d, %v, %v; brute force %d, %v, %v", k, radius, i, d, gi, gd, gok, wi, wd, wok)
			}
			found := slices.ContainsFunc(gridWithin(g, p), func(h siteHit) bool { return h.I == i })
			if found != (d <= radius) {
				t.Fatalf("case %d: radius %v, distance %v: site %d within = %v", k, radius, d, i, found)
			}
		}
	}
}

// TestSiteGridTies: sites at the same place answer with the lowest index.
func TestSiteGridTies(t *testing.T) {
	pts := []geo.Point{{Lon: 40, Lat: 47}, {Lon: 39.5794, Lat: 47.2161}, {Lon: 39.5794, Lat: 47.2161}, {Lon: 39.5794, Lat: 47.2161}}
	g := sensor.NewSiteGrid(pts, 3000)
	if i, d, ok := g.Nearest(geo.Point{Lon: 39.58, Lat: 47.21}); i != 1 || !ok || d <= 0 {
		t.Errorf("Nearest = %d, %v, %v; want site 1 (the first of three at one place)", i, d, ok)
	}
	got := gridWithin(g, geo.Point{Lon: 39.58, Lat: 47.21})
	if len(got) != 3 || got[0].I != 1 || got[1].I != 2 || got[2].I != 3 {
		t.Errorf("Within = %v", got)
	}
	for _, r := range []float64{-1, math.NaN()} {
		if _, _, ok := sensor.NewSiteGrid(pts, r).Nearest(pts[0]); ok {
			t.Errorf("radius %v found a site", r)
		}
	}
}
