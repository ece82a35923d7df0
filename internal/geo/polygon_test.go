package geo_test

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/geo"
)

func TestValidateRing(t *testing.T) {
	square := geo.Ring{{30, 50}, {31, 50}, {31, 51}, {30, 51}, {30, 50}}
	for _, tt := range []struct {
		name string
		ring geo.Ring
		want string // "" for no error
	}{
		{name: "square", ring: square},
		{name: "bowtie is allowed", ring: geo.Ring{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}},
		{name: "antimeridian and poles are in range", ring: geo.Ring{{179, 89}, {180, 89}, {180, 90}, {179, 89}}},
		{name: "nil", ring: nil, want: "ring has 0 points, need at least 4"},
		{name: "three points", ring: geo.Ring{{0, 0}, {1, 0}, {0, 0}}, want: "ring has 3 points, need at least 4"},
		{name: "not closed", ring: geo.Ring{{30, 50}, {31, 51}, {30, 51}, {31, 50}},
			want: "ring is not closed (first point 30,50 != last point 31,50)"},
		{name: "NaN", ring: geo.Ring{{30, 50}, {math.NaN(), 50}, {31, 51}, {30, 50}},
			want: "ring point 1 has a non-finite coordinate (NaN,50)"},
		{name: "infinity", ring: geo.Ring{{30, 50}, {31, 50}, {31, math.Inf(1)}, {30, 50}},
			want: "ring point 2 has a non-finite coordinate (31,+Inf)"},
		{name: "longitude out of range", ring: geo.Ring{{30, 50}, {180.5, 50}, {31, 51}, {30, 50}},
			want: "ring point 1 is out of range (180.5,50)"},
		{name: "latitude out of range", ring: geo.Ring{{30, -90.1}, {31, 50}, {31, 51}, {30, -90.1}},
			want: "ring point 0 is out of range (30,-90.1)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, errString(geo.ValidateRing(tt.ring))); diff != "" {
				t.Errorf("ValidateRing() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMultiPolygonValidate(t *testing.T) {
	square := geo.Ring{{30, 50}, {31, 50}, {31, 51}, {30, 51}, {30, 50}}
	open := geo.Ring{{30, 50}, {31, 50}, {31, 51}, {30, 51}}
	for _, tt := range []struct {
		name string
		m    geo.MultiPolygon
		want string
	}{
		{name: "empty", m: nil},
		{name: "square with hole", m: geo.MultiPolygon{{square, square}}},
		{name: "polygon without rings", m: geo.MultiPolygon{{square}, {}}, want: "polygon 1: polygon has no rings"},
		{name: "bad outer", m: geo.MultiPolygon{{open}}, want: "polygon 0: outer ring: ring is not closed (first point 30,50 != last point 30,51)"},
		{name: "bad hole", m: geo.MultiPolygon{{square}, {square, square, open}}, want: "polygon 1: hole 2: ring is not closed (first point 30,50 != last point 30,51)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, errString(tt.m.Validate())); diff != "" {
				t.Errorf("Validate() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMultiPolygonBBoxAndNumVertices(t *testing.T) {
	m := geo.MultiPolygon{
		{
			{{30, 50}, {32, 50}, {32, 52}, {30, 52}, {30, 50}},
			{{30.5, 50.5}, {31, 50.5}, {31, 51}, {30.5, 50.5}},
		},
		{{{-10, -5}, {-9, -5}, {-9, -4}, {-10, -5}}},
	}
	if diff := cmp.Diff(geo.BBox{MinLon: -10, MinLat: -5, MaxLon: 32, MaxLat: 52}, m.BBox()); diff != "" {
		t.Errorf("BBox() mismatch (-want +got):\n%s", diff)
	}
	if got, want := m.NumVertices(), 13; got != want {
		t.Errorf("NumVertices() = %d, want %d", got, want)
	}
	if !geo.MultiPolygon(nil).BBox().Empty() {
		t.Errorf("BBox() of an empty multipolygon is not empty")
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
