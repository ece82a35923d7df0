package geo_test

import (
	"math"
	"testing"

	"truce/internal/geo"
)

func TestDestination(t *testing.T) {
	for _, c := range []struct {
		name    string
		from    geo.Point
		bearing float64
		meters  float64
	}{
		{"south-east of Horlivka", geo.Point{Lon: 38.05, Lat: 48.31}, 135, 4000},
		{"north", geo.Point{Lon: 30, Lat: 50}, 0, 10000},
		{"across the antimeridian", geo.Point{Lon: 179.99, Lat: 0}, 90, 5000},
		{"near the pole", geo.Point{Lon: 0, Lat: 89.99}, 0, 5000},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := geo.Destination(c.from, c.bearing, c.meters)
			if !got.Valid() {
				t.Fatalf("Destination = %v, not a valid point", got)
			}
			if d := geo.Distance(c.from, got); math.Abs(d-c.meters) > 1 {
				t.Errorf("Destination %v is %.1f m away, want %.0f", got, d, c.meters)
			}
		})
	}
	if p := geo.Destination(geo.Point{Lon: 30, Lat: 50}, 0, 10000); p.Lat <= 50 || math.Abs(p.Lon-30) > 1e-9 {
		t.Errorf("north of (30, 50): %v", p)
	}
}
