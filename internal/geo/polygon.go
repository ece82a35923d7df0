package geo

import (
	"errors"
	"fmt"
	"math"
)

// Ring is a closed sequence of points: the first point MUST equal the last,
// and a valid ring has at least four points (a triangle plus the closing
// point). Orientation is not significant: inside is decided by the even-odd
// rule (see Region).
type Ring []Point

// Polygon is an outer ring, Polygon[0], followed by zero or more holes, as in
// GeoJSON. A point is inside a polygon if it is inside or on the outer ring
// and not strictly inside any hole.
type Polygon []Ring

// MultiPolygon is a union of polygons: a point is inside it if it is inside
// any of its polygons. Polygons may overlap; overlaps do not cancel.
type MultiPolygon []Polygon

// BBox returns the smallest box containing every vertex of m, holes included.
// It returns an empty box (see EmptyBBox) if m has no vertices.
func (m MultiPolygon) BBox() BBox {
	b := EmptyBBox()
	for _, poly := range m {
		for _, ring := range poly {
			for _, p := range ring {
				b = b.Extend(p)
			}
		}
	}
	return b
}

// NumVertices returns the number of points in all rings of m, counting the
// closing point of each ring.
func (m MultiPolygon) NumVertices() int {
	n := 0
	for _, poly := range m {
		for _, ring := range poly {
			n += len(ring)
		}
	}
	return n
}

// ValidateRing checks that r has at least four points, is closed (first point
// equal to last) and that every coordinate is finite and within
// [-180,180] x [-90,90]. It does not reject self-intersecting rings: Region
// gives them a defined meaning by the even-odd rule.
func ValidateRing(r Ring) error {
	if len(r) < 4 {
		return fmt.Errorf("ring has %d points, need at least 4", len(r))
	}
	for i, p := range r {
		if math.IsInf(p.Lon, 0) || math.IsInf(p.Lat, 0) || math.IsNaN(p.Lon) || math.IsNaN(p.Lat) {
			return fmt.Errorf("ring point %d has a non-finite coordinate (%v,%v)", i, p.Lon, p.Lat)
		}
		if !p.Valid() {
			return fmt.Errorf("ring point %d is out of range (%v,%v)", i, p.Lon, p.Lat)
		}
	}
	if first, last := r[0], r[len(r)-1]; first != last {
		return fmt.Errorf("ring is not closed (first point %v,%v != last point %v,%v)",
			first.Lon, first.Lat, last.Lon, last.Lat)
	}
	return nil
}

// Validate checks every ring of p with ValidateRing. It returns the first
// error, prefixed with the ring's position ("hole 2: ...").
func (p Polygon) Validate() error {
	if len(p) == 0 {
		return errors.New("polygon has no rings")
	}
	for i, r := range p {
		if err := ValidateRing(r); err != nil {
			if i == 0 {
				return fmt.Errorf("outer ring: %w", err)
			}
			return fmt.Errorf("hole %d: %w", i, err)
		}
	}
	return nil
}

// Validate checks every polygon of m with Polygon.Validate. It returns the
// first error, prefixed with the polygon's index ("polygon 3: hole 1: ...").
// An empty multipolygon is valid and contains nothing.
func (m MultiPolygon) Validate() error {
	for i, p := range m {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("polygon %d: %w", i, err)
		}
	}
	return nil
}
