package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"image/color"
	"sync"

	"gonum.org/v1/plot/vg"

	"truce/internal/geo"
)

// basemapGeoJSON is the country outlines drawn beneath the zones: Natural
// Earth 4.1.0 (public domain) via world-atlas 2.0.2 (ISC), simplified by
// truce; see basemap/README.md.
//
//go:embed basemap/ne_4.1.0_countries_50m_simplified.geojson
var basemapGeoJSON []byte

// Basemap colours: a neutral land tint and outlines lighter than any
// zone's, so the basemap reads as background.
var (
	basemapFill   = color.RGBA{0xf0, 0xef, 0xea, 0xff}
	basemapStroke = color.RGBA{0x9a, 0x97, 0x8e, 0xff}
)

// country is one country of the basemap.
type country struct {
	Name string
	Geom geo.MultiPolygon
}

// basemapCountries parses the embedded basemap once.
var basemapCountries = sync.OnceValues(func() ([]country, error) { return parseCountries(basemapGeoJSON) })

// parseCountries reads a GeoJSON FeatureCollection of Polygon and
// MultiPolygon features named by their "name" property.
func parseCountries(b []byte) ([]country, error) {
	var fc struct {
		Features []struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("report: basemap: %w", err)
	}
	var out []country
	for _, f := range fc.Features {
		var rings [][][][2]float64
		switch f.Geometry.Type {
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
				return nil, fmt.Errorf("report: basemap %s: %w", f.Properties.Name, err)
			}
		case "Polygon":
			var poly [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &poly); err != nil {
				return nil, fmt.Errorf("report: basemap %s: %w", f.Properties.Name, err)
			}
			rings = [][][][2]float64{poly}
		default:
			return nil, fmt.Errorf("report: basemap %s: geometry %q, want Polygon or MultiPolygon", f.Properties.Name, f.Geometry.Type)
		}
		out = append(out, country{Name: f.Properties.Name, Geom: toMultiPolygon(rings)})
	}
	return out, nil
}

func toMultiPolygon(c [][][][2]float64) geo.MultiPolygon {
	m := make(geo.MultiPolygon, 0, len(c))
	for _, poly := range c {
		p := make(geo.Polygon, 0, len(poly))
		for _, ring := range poly {
			r := make(geo.Ring, len(ring))
			for i, xy := range ring {
				r[i] = geo.Point{Lon: xy[0], Lat: xy[1]}
			}
			p = append(p, r)
		}
		m = append(m, p)
	}
	return m
}

// countriesInView returns the countries whose box meets the map's extent.
func countriesInView(all []country, pr *projection) []country {
	var out []country
	for _, c := range all {
		if c.Geom.BBox().Intersects(pr.ext) {
			out = append(out, c)
		}
	}
	return out
}

// drawBasemap fills the countries with a neutral land tint and outlines
// them, beneath the zones: sites and reports outside the zones then sit
// in a country rather than on a blank page.
func drawBasemap(c vg.Canvas, countries []country, pr *projection, u float64) {
	paths := make([]vg.Path, len(countries))
	for i, k := range countries {
		paths[i] = zonePath(k.Geom, pr)
	}
	c.SetColor(basemapFill)
	for _, p := range paths {
		c.Fill(p)
	}
	c.SetColor(basemapStroke)
	c.SetLineWidth(vg.Length(1.4 * u))
	for _, p := range paths {
		c.Stroke(p)
	}
}
