package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ogrinfo returns the path of GDAL's ogrinfo, skipping the test when it is
// missing unless TRUCE_REQUIRE_GDAL=1 (CI) makes that a failure.
func ogrinfo(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("TRUCE_REQUIRE_GDAL") == "1" {
			t.Fatal("ogrinfo not found and TRUCE_REQUIRE_GDAL=1 (apt-get install gdal-bin)")
		}
		t.Skip("ogrinfo not found (apt-get install gdal-bin); set TRUCE_REQUIRE_GDAL=1 to make this a failure")
	}
	return p
}

// gdalInvalid opens the GeoJSON document body with GDAL and returns, per
// feature that GEOS finds invalid, its id and GEOS's reason; it fails the
// test if GDAL cannot open the document or finds no feature.
func gdalInvalid(t *testing.T, exe, name string, body []byte) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name+".geojson")
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
	// The SQLite dialect gives SpatiaLite's ST_IsValid (GEOS) over the
	// layer GDAL's GeoJSON driver read.
	sql := `SELECT COUNT(*) AS n, SUM(ST_IsValid(geometry) = 1) AS valid FROM "` + name + `"`
	out, err := exec.Command(exe, "-ro", "-q", "-dialect", "SQLite", "-sql", sql, p).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", name, err, out)
	}
	var n, valid string
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "n (Integer) = "); ok {
			n = v
		}
		if v, ok := strings.CutPrefix(line, "valid (Integer) = "); ok {
			valid = v
		}
	}
	if n == "" || n == "0" {
		t.Fatalf("ogrinfo %s: no features read:\n%s", name, out)
	}
	if n == valid {
		t.Logf("ogrinfo %s: %s features, all valid (ST_IsValid)", name, n)
		return nil
	}
	sql = `SELECT ST_IsValidReason(geometry) AS reason FROM "` + name + `" WHERE ST_IsValid(geometry) <> 1`
	out, _ = exec.Command(exe, "-ro", "-q", "-dialect", "SQLite", "-sql", sql, p).CombinedOutput()
	var bad []string
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "reason (String) = "); ok {
			bad = append(bad, v)
		}
	}
	if len(bad) == 0 {
		bad = []string{"ogrinfo: " + valid + " of " + n + " valid"}
	}
	return bad
}

// TestGeoJSONValidInGDAL opens every GeoJSON document the dashboard and
// the API serve with GDAL, as a GIS user would, and checks each geometry
// with GEOS (ST_IsValid) and each polygon's winding against RFC 7946
// §3.1.6 (exterior rings counterclockwise, holes clockwise).
func TestGeoJSONValidInGDAL(t *testing.T) {
	exe := ogrinfo(t)
	srv := newTestServer(t, false)
	srv.upload(t, "/api/v1/sites", "text/csv", sitesFile)
	srv.uploadAgreement(t)
	srv.upload(t, "/api/v1/reports/bulk?name=acled_sample.csv", "text/csv", acledSample)
	for _, doc := range []struct{ name, path string }{
		{"zones", "/map/zones.geojson"},
		{"sites", "/map/sites.geojson"},
		{"basemap", "/static/any/basemap/ne_4.1.0_countries_50m_simplified.geojson"},
		{"incidents", "/api/v1/exports/incidents?format=geojson"},
	} {
		t.Run(doc.name, func(t *testing.T) {
			resp, body := srv.do(t, "GET", doc.path, "monitor", "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", doc.path, resp.StatusCode, body)
			}
			if bad := gdalInvalid(t, exe, doc.name, body); len(bad) > 0 {
				t.Errorf("GET %s: %d invalid geometries: %q", doc.path, len(bad), bad)
			}
			checkWinding(t, body)
		})
	}
}

// checkWinding fails the test for every polygon ring of the feature
// collection body that is wound against RFC 7946 §3.1.6.
func checkWinding(t *testing.T, body []byte) {
	t.Helper()
	var fc struct {
		Features []struct {
			ID       any `json:"id"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				t.Fatal(err)
			}
			polys = append(polys, p)
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				t.Fatal(err)
			}
		}
		wrong := 0
		for _, p := range polys {
			for j, r := range p {
				var a float64
				for i := 1; i < len(r); i++ {
					a += r[i-1][0]*r[i][1] - r[i][0]*r[i-1][1]
				}
				if (a > 0) != (j == 0) {
					wrong++
				}
			}
		}
		if wrong > 0 {
			t.Errorf("feature %v: %d rings wound against RFC 7946", f.ID, wrong)
		}
	}
}
