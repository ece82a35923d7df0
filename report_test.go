package truce_test

import (
	"math"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
)

var negZero = math.Copysign(0, -1)

func validReport() truce.Report {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	return truce.Report{ID: "z1", Source: "truce", Start: day, End: day.Add(24 * time.Hour), Precision: truce.PrecisionDay,
		Location: geo.Point{Lon: 30, Lat: 50}, LocationPrecisionMeters: 100}
}

// isNegZero reports whether f is -0, which == cannot tell from 0.
func isNegZero(f float64) bool { return f == 0 && math.Signbit(f) }

// TestReportNormalize: Normalize turns every -0 a report logs into 0 and
// leaves other values alone; Validate refuses a report that still holds
// a -0, a NaN or an infinity in a logged float.
func TestReportNormalize(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(r *truce.Report)
	}{
		{"lon", func(r *truce.Report) { r.Location.Lon = negZero }},
		{"lat", func(r *truce.Report) { r.Location.Lat = negZero }},
		{"location precision", func(r *truce.Report) { r.LocationPrecisionMeters = negZero }},
		{"all", func(r *truce.Report) {
			r.Location = geo.Point{Lon: negZero, Lat: negZero}
			r.LocationPrecisionMeters = negZero
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := validReport()
			tt.edit(&r)
			if err := r.Validate(); truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("Validate() before Normalize = %v, want EINVALID", err)
			}
			r.Normalize()
			for _, f := range []float64{r.Location.Lon, r.Location.Lat, r.LocationPrecisionMeters} {
				if isNegZero(f) {
					t.Errorf("after Normalize: %+v still holds -0", r)
				}
			}
			if err := r.Validate(); err != nil {
				t.Errorf("Validate() after Normalize = %v", err)
			}
		})
	}
	t.Run("other values unchanged", func(t *testing.T) {
		r := validReport()
		r.Location = geo.Point{Lon: -0.5, Lat: -1e-300}
		r.LocationPrecisionMeters = 0
		want := r
		r.Normalize()
		if r.Location != want.Location || r.LocationPrecisionMeters != want.LocationPrecisionMeters || math.Signbit(r.LocationPrecisionMeters) {
			t.Errorf("Normalize changed %+v into %+v", want, r)
		}
	})
	for _, tt := range []struct {
		name string
		prec float64
	}{{"NaN", math.NaN()}, {"+Inf", math.Inf(1)}, {"-Inf", math.Inf(-1)}} {
		t.Run("precision "+tt.name, func(t *testing.T) {
			r := validReport()
			r.LocationPrecisionMeters = tt.prec
			r.Normalize()
			if err := r.Validate(); truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("Validate() = %v, want EINVALID", err)
			}
		})
	}
}

// TestSiteNormalize is TestReportNormalize for sites: location and
// capacity.
func TestSiteNormalize(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(s *truce.Site)
	}{
		{"lon", func(s *truce.Site) { s.Location.Lon = negZero }},
		{"lat", func(s *truce.Site) { s.Location.Lat = negZero }},
		{"capacity", func(s *truce.Site) { s.CapacityMW = negZero }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := truce.Site{ID: "S1", Location: geo.Point{Lon: 30, Lat: 50}, CapacityMW: 10}
			tt.edit(&s)
			if err := s.Validate(); truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("Validate() before Normalize = %v, want EINVALID", err)
			}
			s.Normalize()
			if isNegZero(s.Location.Lon) || isNegZero(s.Location.Lat) || isNegZero(s.CapacityMW) {
				t.Errorf("after Normalize: %+v still holds -0", s)
			}
			if err := s.Validate(); err != nil {
				t.Errorf("Validate() after Normalize = %v", err)
			}
		})
	}
	for _, c := range []float64{math.NaN(), math.Inf(1), -1} {
		s := truce.Site{ID: "S1", Location: geo.Point{Lon: 30, Lat: 50}, CapacityMW: c}
		s.Normalize()
		if err := s.Validate(); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("Validate() with capacity %g = %v, want EINVALID", c, err)
		}
	}
}
