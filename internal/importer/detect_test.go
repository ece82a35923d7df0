package importer_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/importer"
)

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		input string
		sites bool
		want  importer.Format
	}{
		{input: "acled/acled_ukraine_2025_synthetic.csv", want: importer.FormatACLED},
		{input: "ucdp/ucdp_ged_ukraine_extract.csv", want: importer.FormatUCDP},
		{input: "viina/viina_incidents_202503_extract.csv", want: importer.FormatVIINA},
		{input: "truce/reports.csv", want: importer.FormatTruceCSV},
		{input: "truce/reports.jsonl", want: importer.FormatTruceJSON},
		{input: "truce/reports_array.json", want: importer.FormatTruceJSON},
		{input: "truce/reports.geojson", want: importer.FormatTruceGeoJSON},
		{input: "gppd/gppd_v1.3.0_extract.csv", sites: true, want: importer.FormatGPPD},
		{input: "sites/sites.csv", sites: true, want: importer.FormatSitesCSV},
		{input: "sites/sites.geojson", sites: true, want: importer.FormatSitesGeoJSON},
	} {
		t.Run(tt.input, func(t *testing.T) {
			data := MustReadFile(t, tt.input)
			detect := importer.DetectReports
			if tt.sites {
				detect = importer.DetectSites
			}
			got, err := detect(data)
			if err != nil || got != tt.want {
				t.Fatalf("detect = %q, %v; want %q", got, err, tt.want)
			}
			// A read without a format detects the same and reads the same.
			explicit, auto := importer.Options{Format: tt.want, File: "f"}, importer.Options{File: "f"}
			if tt.sites {
				a, b := readSites(data, explicit), readSites(data, auto)
				if b.err != nil || a.stats != b.stats || len(a.sites) != len(b.sites) {
					t.Errorf("auto-detected read: %+v, %v; explicit: %+v", b.stats, b.err, a.stats)
				}
				return
			}
			a, b := readReports(data, explicit), readReports(data, auto)
			if b.err != nil || a.stats != b.stats || len(a.reports) != len(b.reports) {
				t.Errorf("auto-detected read: %+v, %v; explicit: %+v", b.stats, b.err, a.stats)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		sites bool
		head  string
		want  string
	}{
		{name: "CIR events header without its description", head: "entry,date,event_group,title,lat,lon,country\n1,2022-02-24,x\n",
			want: `no report format (acled, ucdp-ged, viina, cir, truce-csv) matches the CSV header "entry,date,event_group,title,lat,lon,country"`},
		{name: "sites given as reports", head: "id,name,lon,lat\n",
			want: `no report format (acled, ucdp-ged, viina, cir, truce-csv) matches the CSV header "id,name,lon,lat" (it looks like sites-csv sites)`},
		{name: "empty", head: " \n", want: "cannot detect the format of an empty input"},
		{name: "bad CSV", head: "a,\"b\n", want: `input is neither JSON nor a CSV with a header: first line "a,\"b"`},
		{name: "reports given as sites", sites: true, head: "time,lon,lat\n", want: `no site format (gppd, sites-csv) matches the CSV header "time,lon,lat"`},
		{name: "JSON Lines given as sites", sites: true, head: `{"time":"2025-03-30","lon":1,"lat":2}`,
			want: `JSON input "{\"time\":\"2025-03-30\",\"lon\":1,\"lat\":2}" is not a GeoJSON FeatureCollection`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			detect := importer.DetectReports
			if tt.sites {
				detect = importer.DetectSites
			}
			_, err := detect([]byte(tt.head))
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Fatalf("err = %v, want an EINVALID error", err)
			}
			if diff := cmp.Diff(tt.want, truce.ErrorMessage(err)); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("FeatureCollectionDeepInHead", func(t *testing.T) {
		// "type" after a large member, and a head cut off mid-object.
		head := `{"name":"x","bbox":[1,2,3,4],"type":"FeatureCollection","features":[{"type":"Feature"`
		if got, err := importer.DetectReports([]byte(head)); err != nil || got != importer.FormatTruceGeoJSON {
			t.Errorf("DetectReports = %q, %v; want truce-geojson", got, err)
		}
	})
}
