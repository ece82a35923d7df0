package geo_test

import (
	"math"
	"testing"

	"truce/internal/geo"
)

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		name       string
		a, b       geo.Point
		wantMeters float64
		tolMeters  float64
	}{
		{name: "Kyiv to Kharkiv", a: geo.Point{Lon: 30.5234, Lat: 50.4501}, b: geo.Point{Lon: 36.2304, Lat: 49.9935}, wantMeters: 409e3, tolMeters: 2e3},
		{name: "across the antimeridian", a: geo.Point{Lon: 179.9, Lat: 0}, b: geo.Point{Lon: -179.9, Lat: 0}, wantMeters: 22.24e3, tolMeters: 10},
		{name: "one degree of latitude", a: geo.Point{Lon: 30, Lat: 50}, b: geo.Point{Lon: 30, Lat: 51}, wantMeters: 111195, tolMeters: 1},
		{name: "over the north pole", a: geo.Point{Lon: 0, Lat: 89}, b: geo.Point{Lon: 180, Lat: 89}, wantMeters: 222390, tolMeters: 2},
		{name: "pole to pole", a: geo.Point{Lon: 10, Lat: 90}, b: geo.Point{Lon: -70, Lat: -90}, wantMeters: math.Pi * geo.EarthRadiusMeters, tolMeters: 1e-6},
		{name: "antipodes", a: geo.Point{Lon: 30, Lat: 50}, b: geo.Point{Lon: -150, Lat: -50}, wantMeters: math.Pi * geo.EarthRadiusMeters, tolMeters: 1e-3},
		{name: "same point", a: geo.Point{Lon: 30, Lat: 50}, b: geo.Point{Lon: 30, Lat: 50}, wantMeters: 0, tolMeters: 0},
		{name: "lon 180 is lon -180", a: geo.Point{Lon: 180, Lat: 45}, b: geo.Point{Lon: -180, Lat: 45}, wantMeters: 0, tolMeters: 1e-6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, got := range []float64{geo.Distance(tt.a, tt.b), geo.Distance(tt.b, tt.a)} {
				if math.Abs(got-tt.wantMeters) > tt.tolMeters {
					t.Errorf("Distance() = %.3f m, want %.3f ± %g m", got, tt.wantMeters, tt.tolMeters)
				}
			}
		})
	}
}
