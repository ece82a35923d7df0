package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"truce/internal/geo"
)

const (
	basemapFile      = "assets/basemap/ne_4.1.0_countries_50m_simplified.geojson"
	basemapTolerance = 0.01 // degrees, about 1 km: a thin outline at country scale
)

type geoJSONFile struct {
	Features []struct {
		Properties map[string]any  `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	} `json:"features"`
}

func decodeMulti(t *testing.T, raw json.RawMessage) geo.MultiPolygon {
	t.Helper()
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	var polys [][][][2]float64
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			t.Fatal(err)
		}
		polys = [][][][2]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("geometry type %q", g.Type)
	}
	var m geo.MultiPolygon
	for _, p := range polys {
		var poly geo.Polygon
		for _, r := range p {
			ring := make(geo.Ring, len(r))
			for i, c := range r {
				ring[i] = geo.Point{Lon: c[0], Lat: c[1]}
			}
			poly = append(poly, ring)
		}
		m = append(m, poly)
	}
	return m
}

// TestGenerateBasemap writes the simplified basemap from the Natural Earth
// file named by TRUCE_BASEMAP_SRC (see assets/basemap/README.md).
func TestGenerateBasemap(t *testing.T) {
	src := os.Getenv("TRUCE_BASEMAP_SRC")
	if src == "" {
		t.Skip("set TRUCE_BASEMAP_SRC to the Natural Earth countries file to regenerate " + basemapFile)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var fc geoJSONFile
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	out := []byte(`{"type":"FeatureCollection","source":"Natural Earth 4.1.0 admin-0 countries 1:50m (public domain), via world-atlas 2.0.2; Douglas-Peucker tolerance ` +
		strconv.FormatFloat(basemapTolerance, 'g', -1, 64) + ` degrees","features":[`)
	for i, f := range fc.Features {
		if i > 0 {
			out = append(out, ",\n"...)
		}
		props, err := json.Marshal(map[string]any{"name": f.Properties["name"], "iso_n3": f.Properties["iso_n3"]})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, `{"type":"Feature","properties":`...)
		out = append(out, props...)
		out = append(out, `,"geometry":`...)
		out = appendMultiPolygon(out, simplifyMulti(dissolve(decodeMulti(t, f.Geometry)), basemapTolerance, 3), 3)
		out = append(out, '}')
	}
	out = append(out, "]}\n"...)
	if err := os.WriteFile(filepath.FromSlash(basemapFile), out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d bytes from %d", basemapFile, len(out), len(data))
}

func TestBasemapAsset(t *testing.T) {
	data, err := files.ReadFile(basemapFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 200<<10 {
		t.Errorf("basemap is %d bytes; keep it under 200 KB", len(data))
	}
	var fc geoJSONFile
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range fc.Features {
		names[f.Properties["name"].(string)] = true
		for _, poly := range decodeMulti(t, f.Geometry) {
			for _, r := range poly {
				if err := geo.ValidateRing(r); err != nil {
					t.Errorf("%s: %v", f.Properties["name"], err)
				}
			}
		}
	}
	for _, n := range []string{"Ukraine", "Russia", "Moldova", "Belarus", "Turkey"} {
		if !names[n] {
			t.Errorf("basemap lacks %s", n)
		}
	}
}
