package web

import (
	"math"
	"slices"
	"testing"

	"truce/internal/geo"
)

// circle is a closed ring of n points around (lon, lat).
func circle(lon, lat, r float64, n int) geo.Ring {
	ring := make(geo.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		ring = append(ring, geo.Point{Lon: lon + r*math.Cos(a), Lat: lat + r*math.Sin(a)})
	}
	return append(ring, ring[0])
}

// ring makes a ring of lon, lat pairs.
func ring(lonLat ...float64) geo.Ring {
	var r geo.Ring
	for i := 0; i+1 < len(lonLat); i += 2 {
		r = append(r, geo.Point{Lon: lonLat[i], Lat: lonLat[i+1]})
	}
	return r
}

func TestSimplifyRing(t *testing.T) {
	for _, tt := range []struct {
		name     string
		ring     geo.Ring
		tol      float64
		wantNil  bool
		maxVerts int
	}{
		{name: "a fine circle keeps its shape with fewer points", ring: circle(30, 50, 1, 2000), tol: 0.01, maxVerts: 60},
		{name: "a circle smaller than the tolerance vanishes", ring: circle(30, 50, 0.001, 50), tol: 0.01, wantNil: true},
		{name: "a square keeps its corners", ring: ring(0, 0, 0.5, 0, 1, 0, 1, 1, 0, 1, 0, 0.5, 0, 0), tol: 0.01, maxVerts: 5},
		{name: "a degenerate ring", ring: ring(0, 0, 1, 1, 0, 0), tol: 0.01, wantNil: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := simplifyRing(tt.ring, tt.tol)
			if tt.wantNil {
				if got != nil {
					t.Fatalf("simplifyRing = %d points, want none", len(got))
				}
				return
			}
			if err := geo.ValidateRing(got); err != nil {
				t.Fatalf("simplified ring: %v", err)
			}
			if len(got) > tt.maxVerts {
				t.Errorf("simplified ring has %d points, want at most %d", len(got), tt.maxVerts)
			}
			// Every original point stays within the tolerance of the result.
			for _, p := range tt.ring {
				best := math.Inf(1)
				for i := 1; i < len(got); i++ {
					best = math.Min(best, sqSegDist(p, got[i-1], got[i]))
				}
				if math.Sqrt(best) > tt.tol*1.0001 {
					t.Fatalf("point %v is %g from the simplified ring, tolerance %g", p, math.Sqrt(best), tt.tol)
				}
			}
		})
	}
}

func TestAppendMultiPolygon(t *testing.T) {
	m := geo.MultiPolygon{{ring(30.123456, 50.0, 31, -0.00001, 31, 51, 30.123456, 50.0)}}
	got := string(appendMultiPolygon(nil, m, 4))
	want := `{"type":"MultiPolygon","coordinates":[[[[30.1235,50],[31,0],[31,51],[30.1235,50]]]]}`
	if got != want {
		t.Errorf("appendMultiPolygon = %s, want %s", got, want)
	}
}

// TestSimplifyMultiKeepsTopology checks the repair after simplification:
// a coast with a shallow dip, which Douglas-Peucker straightens, and an
// island off it that the straightened coast would cut, come out valid
// (no edge crossing, no polygon inside another) and wound per RFC 7946.
func TestSimplifyMultiKeepsTopology(t *testing.T) {
	coast := ring(0, -5, 10, -5, 10, 0, 7.5, -0.4, 2.5, -0.4, 0, 0, 0, -5)
	island := ring(3, -0.3, 7, -0.3, 7, 0.7, 3, 0.7, 3, -0.3)
	slices.Reverse(island) // wound clockwise in the source
	m := geo.MultiPolygon{{coast}, {island}}
	if bad, inside := crossingEdges(simplifyMultiNoRepair(m, 0.5)); len(bad)+len(inside) == 0 {
		t.Fatal("the test shapes do not break under plain simplification; the test checks nothing")
	}
	got := simplifyMulti(m, 0.5, 4)
	if bad, inside := crossingEdges(got); len(bad)+len(inside) > 0 {
		t.Errorf("after repair: crossing edges %v, rings containing others %v", bad, inside)
	}
	if len(got) != 2 {
		t.Fatalf("%d polygons, want 2", len(got))
	}
	for i, p := range got {
		for j, r := range p {
			if (signedArea(r) > 0) != (j == 0) {
				t.Errorf("polygon %d ring %d is wound against RFC 7946", i, j)
			}
		}
	}
}

// simplifyMultiNoRepair is simplifyMulti without the repair, to show the
// test shapes break without it.
func simplifyMultiNoRepair(m geo.MultiPolygon, tol float64) geo.MultiPolygon {
	var out geo.MultiPolygon
	for _, p := range m {
		if r := simplifyRing(p[0], tol); r != nil {
			out = append(out, geo.Polygon{r})
		}
	}
	return out
}

// TestAntimeridianSide checks that vertices written as -180 between
// vertices near +180 are put on the east side, and the ring is otherwise
// unchanged.
func TestAntimeridianSide(t *testing.T) {
	r := ring(179.5, 65, -180, 65.5, -180, 66, 179.5, 66.5, 179, 65.5, 179.5, 65)
	got := antimeridianSide(r)
	want := ring(179.5, 65, 180, 65.5, 180, 66, 179.5, 66.5, 179, 65.5, 179.5, 65)
	if !slices.Equal(got, want) {
		t.Errorf("antimeridianSide = %v, want %v", got, want)
	}
	if r[1].Lon != -180 {
		t.Error("antimeridianSide changed its argument")
	}
	west := ring(-179.5, 65, -180, 65.5, -179, 66, -179.5, 65)
	if got := antimeridianSide(west); !slices.Equal(got, west) {
		t.Errorf("a western ring changed: %v", got)
	}
}
