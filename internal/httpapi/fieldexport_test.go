package httpapi_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hxlColumns is a small HXL reader: it finds the hashtag row (the first
// row, within the first 25, whose non-empty cells all start with '#') and
// returns, per hashtag with its attributes as written, its column, and the
// data rows after it.
func hxlColumns(r io.Reader) (map[string]int, [][]string, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, nil, err
	}
	for i, row := range rows {
		if i >= 25 {
			break
		}
		tags, ok := map[string]int{}, false
		for j, cell := range row {
			cell = strings.TrimSpace(cell)
			switch {
			case cell == "":
			case strings.HasPrefix(cell, "#"):
				tags[strings.ReplaceAll(cell, " ", "")], ok = j, true
			default:
				ok = false
			}
			if !ok && cell != "" {
				break
			}
		}
		if ok && len(tags) > 0 {
			return tags, rows[i+1:], nil
		}
	}
	return nil, nil, fmt.Errorf("no HXL hashtag row")
}

// TestHXLExports reads every CSV export with hxl=true back through a small
// HXL reader: it finds every hashtag, and the values under the core tags.
func TestHXLExports(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string][]string{
		"/api/v1/exports/observations?hxl=true": {"#event+id", "#date+start", "#date+end", "#geo+lat", "#geo+lon", "#geo+lat+event", "#geo+lon+event",
			"#loc+name", "#adm1+name", "#event+type", "#event+type+explosion", "#indicator+num", "#actor+name", "#status+outcome", "#description"},
		"/api/v1/exports/restrictions?hxl=true": {"#event+id", "#date+start", "#geo+lat", "#geo+lon", "#loc+name", "#adm1+name", "#event+type",
			"#indicator+num+monitors", "#description+reason", "#actor+name", "#status+outcome"},
		"/api/v1/exports/incidents?hxl=true": {"#event+id", "#date+start", "#geo+lat", "#geo+lon", "#event+type+verdict", "#actor+name", "#description"},
	} {
		st, body := f.do(t, "monitor", "GET", path, "", nil)
		if st != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, st, body)
		}
		tags, rows, err := hxlColumns(strings.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, body)
		}
		for _, tag := range want {
			if _, ok := tags[tag]; !ok {
				t.Errorf("GET %s: no column tagged %s (tags %v)", path, tag, tags)
			}
		}
		if len(rows) == 0 {
			t.Errorf("GET %s: no data rows", path)
			continue
		}
		for _, row := range rows {
			if row[tags["#geo+lat"]] == "" || row[tags["#geo+lon"]] == "" || !strings.HasPrefix(row[tags["#date+start"]], "2025-") {
				t.Errorf("GET %s: row %v has no place or date under its tags", path, row)
			}
		}
	}
	// Without hxl the second row is data.
	_, body := f.do(t, "monitor", "GET", "/api/v1/exports/observations", "", nil)
	if _, _, err := hxlColumns(strings.NewReader(body)); err == nil {
		t.Errorf("a CSV export without hxl=true has a hashtag row")
	}
}

// TestFieldGeoJSONInGDAL opens the observations and restrictions GeoJSON
// layers with GDAL, as a GIS user would; gated like the dashboard's
// TestGeoJSONValidInGDAL (TRUCE_REQUIRE_GDAL=1 makes a missing ogrinfo a
// failure).
func TestFieldGeoJSONInGDAL(t *testing.T) {
	exe, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("TRUCE_REQUIRE_GDAL") == "1" {
			t.Fatal("ogrinfo not found and TRUCE_REQUIRE_GDAL=1 (apt-get install gdal-bin)")
		}
		t.Skip("ogrinfo not found (apt-get install gdal-bin); set TRUCE_REQUIRE_GDAL=1 to make this a failure")
	}
	f := newFixture(t)
	for name, want := range map[string]string{"observations": "Feature Count: 2", "restrictions": "Feature Count: 2", "incidents": "Feature Count: 4"} {
		st, body := f.do(t, "monitor", "GET", "/api/v1/exports/"+name+"?format=geojson", "", nil)
		if st != http.StatusOK {
			t.Fatalf("%s: %d %s", name, st, body)
		}
		p := filepath.Join(t.TempDir(), name+".geojson")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(exe, "-ro", "-al", "-so", p).CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) || !strings.Contains(string(out), "Geometry: Point") {
			t.Errorf("ogrinfo %s: %v\n%s", name, err, out)
		}
		if name != "incidents" && (!strings.Contains(string(out), "outcome: String") || !strings.Contains(string(out), "explanation: String")) {
			t.Errorf("ogrinfo %s: the layer lacks the outcome and explanation fields:\n%s", name, out)
		}
	}
}
