// Package geo holds the pure geometry truce needs: points in longitude and
// latitude, bounding boxes, geodesic distances, prepared polygons for fast
// point-in-zone tests and a point index for "sites within N metres" queries.
// It does no I/O.
//
// Coordinates are always longitude first, then latitude, in degrees (WGS 84),
// as in GeoJSON. Distances are always metres.
package geo

import (
	"fmt"
	"math"
)

// EarthRadiusMeters is the mean Earth radius (IUGG R1) used by Distance.
const EarthRadiusMeters = 6371008.8

// Point is a position in degrees: longitude then latitude.
type Point struct {
	Lon, Lat float64
}

// Valid reports whether p has finite coordinates within [-180,180] x [-90,90].
func (p Point) Valid() bool {
	return !math.IsNaN(p.Lon) && !math.IsNaN(p.Lat) &&
		p.Lon >= -180 && p.Lon <= 180 && p.Lat >= -90 && p.Lat <= 90
}

// String formats p as "lon,lat" with six decimals (about 0.1 m).
func (p Point) String() string {
	return fmt.Sprintf("%.6f,%.6f", p.Lon, p.Lat)
}

// BBox is an axis-aligned box in degrees. A box with MinLon > MaxLon is empty.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// EmptyBBox returns a box that contains nothing and grows by Extend.
func EmptyBBox() BBox {
	return BBox{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
}

// Extend returns b grown to include p.
func (b BBox) Extend(p Point) BBox {
	b.MinLon = math.Min(b.MinLon, p.Lon)
	b.MinLat = math.Min(b.MinLat, p.Lat)
	b.MaxLon = math.Max(b.MaxLon, p.Lon)
	b.MaxLat = math.Max(b.MaxLat, p.Lat)
	return b
}

// Union returns the smallest box containing b and o.
func (b BBox) Union(o BBox) BBox {
	return BBox{
		MinLon: math.Min(b.MinLon, o.MinLon), MinLat: math.Min(b.MinLat, o.MinLat),
		MaxLon: math.Max(b.MaxLon, o.MaxLon), MaxLat: math.Max(b.MaxLat, o.MaxLat),
	}
}

// Empty reports whether b contains no point.
func (b BBox) Empty() bool { return b.MinLon > b.MaxLon || b.MinLat > b.MaxLat }

// Contains reports whether p lies in b, edges included.
func (b BBox) Contains(p Point) bool {
	return p.Lon >= b.MinLon && p.Lon <= b.MaxLon && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}

// Intersects reports whether b and o share at least one point.
func (b BBox) Intersects(o BBox) bool {
	return b.MinLon <= o.MaxLon && o.MinLon <= b.MaxLon && b.MinLat <= o.MaxLat && o.MinLat <= b.MaxLat
}

// Distance returns the great-circle (haversine) distance between a and b in metres.
func Distance(a, b Point) (meters float64) {
	const rad = math.Pi / 180
	lat1, lat2 := a.Lat*rad, b.Lat*rad
	dLat := lat2 - lat1
	dLon := (b.Lon - a.Lon) * rad
	s1 := math.Sin(dLat / 2)
	s2 := math.Sin(dLon / 2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadiusMeters * math.Asin(math.Sqrt(h))
}

// Destination returns the point reached from p by going meters along the
// great circle that leaves p at bearing degrees (clockwise from north),
// with longitude in [-180, 180].
func Destination(p Point, bearingDegrees, meters float64) Point {
	const rad = math.Pi / 180
	d := meters / EarthRadiusMeters
	lat1, lon1, b := p.Lat*rad, p.Lon*rad, bearingDegrees*rad
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(b))
	lon2 := lon1 + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Mod(lon2/rad+540, 360) - 180
	return Point{Lon: lon, Lat: lat2 / rad}
}
