package importer_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/importer"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenReport is the normalised form of a report in golden files.
type goldenReport struct {
	ID                 string   `json:"id"`
	Source             string   `json:"source"`
	SourceID           string   `json:"source_id,omitempty"`
	Outlet             string   `json:"outlet,omitempty"`
	File               string   `json:"file,omitempty"`
	Line               int      `json:"line"`
	Start              string   `json:"start"`
	End                string   `json:"end"`
	Precision          string   `json:"precision"`
	Lon                float64  `json:"lon"`
	Lat                float64  `json:"lat"`
	LocationPrecisionM float64  `json:"location_precision_m,omitempty"`
	Place              string   `json:"place,omitempty"`
	Actor1             string   `json:"actor1,omitempty"`
	Actor2             string   `json:"actor2,omitempty"`
	Perpetrator        string   `json:"perpetrator,omitempty"`
	Actions            []string `json:"actions,omitempty"`
	EventType          string   `json:"event_type,omitempty"`
	Category           string   `json:"category,omitempty"`
	Site               string   `json:"site,omitempty"`
	Text               string   `json:"text,omitempty"`
	Fatalities         int      `json:"fatalities,omitempty"`
	Original           string   `json:"original"`
}

func toGoldenReport(r *truce.Report) goldenReport {
	g := goldenReport{
		ID: string(r.ID), Source: r.Source, SourceID: r.SourceID, Outlet: r.Outlet, File: r.File, Line: r.Line,
		Start: r.Start.Format(time.RFC3339Nano), End: r.End.Format(time.RFC3339Nano), Precision: r.Precision.String(),
		Lon: r.Location.Lon, Lat: r.Location.Lat, LocationPrecisionM: r.LocationPrecisionMeters, Place: r.Place,
		Actor1: r.Actor1, Actor2: r.Actor2, Perpetrator: string(r.Perpetrator), EventType: r.EventType,
		Category: string(r.Category), Site: string(r.Site), Text: r.Text, Fatalities: r.Fatalities, Original: r.Original,
	}
	for _, a := range r.Actions {
		g.Actions = append(g.Actions, string(a))
	}
	return g
}

// goldenSite is the normalised form of a site in golden files.
type goldenSite struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Country    string            `json:"country,omitempty"`
	Lon        float64           `json:"lon"`
	Lat        float64           `json:"lat"`
	Category   string            `json:"category,omitempty"`
	CapacityMW float64           `json:"capacity_mw,omitempty"`
	Source     string            `json:"source"`
	Attrs      map[string]string `json:"attrs,omitempty"`
}

func toGoldenSite(s *truce.Site) goldenSite {
	return goldenSite{ID: string(s.ID), Name: s.Name, Country: s.Country, Lon: s.Location.Lon, Lat: s.Location.Lat,
		Category: string(s.Category), CapacityMW: s.CapacityMW, Source: s.Source, Attrs: s.Attrs}
}

// goldenLines renders reader output as JSON Lines: one line per emitted
// record or row error, in call order, then the stats and the final error.
func goldenLines(t *testing.T, events []any, stats importer.Stats, err error) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		var v any
		switch e := e.(type) {
		case *truce.Report:
			v = toGoldenReport(e)
		case *truce.Site:
			v = toGoldenSite(e)
		case importer.RowError:
			v = map[string]string{"row_error": e.Error()}
		}
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	end := map[string]any{"stats": stats}
	if err != nil {
		end["error"] = err.Error()
	}
	if err := enc.Encode(end); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGolden checks the normalised output of every format, good and bad
// rows, against testdata/golden. Run with -update to rewrite the files.
func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		input  string
		format importer.Format
		sites  bool
	}{
		{input: "acled/acled_ukraine_2025_synthetic.csv", format: importer.FormatACLED},
		{input: "acled/malformed.csv", format: importer.FormatACLED},
		{input: "ucdp/ucdp_ged_ukraine_extract.csv", format: importer.FormatUCDP},
		{input: "ucdp/malformed.csv", format: importer.FormatUCDP},
		{input: "viina/viina_incidents_202503_extract.csv", format: importer.FormatVIINA},
		{input: "viina/viina_incidents_202504_extract.csv", format: importer.FormatVIINA},
		{input: "viina/malformed.csv", format: importer.FormatVIINA},
		{input: "cir/events_handwritten.csv", format: importer.FormatCIR},
		{input: "cir/malformed.csv", format: importer.FormatCIR},
		{input: "truce/reports.csv", format: importer.FormatTruceCSV},
		{input: "truce/malformed.csv", format: importer.FormatTruceCSV},
		{input: "truce/reports.jsonl", format: importer.FormatTruceJSON},
		{input: "truce/reports_array.json", format: importer.FormatTruceJSON},
		{input: "truce/reports.geojson", format: importer.FormatTruceGeoJSON},
		{input: "gppd/gppd_v1.3.0_extract.csv", format: importer.FormatGPPD, sites: true},
		{input: "gppd/malformed.csv", format: importer.FormatGPPD, sites: true},
		{input: "sites/sites.csv", format: importer.FormatSitesCSV, sites: true},
		{input: "sites/sites.geojson", format: importer.FormatSitesGeoJSON, sites: true},
	} {
		t.Run(tt.input, func(t *testing.T) {
			data := MustReadFile(t, tt.input)
			opt := importer.Options{Format: tt.format, File: filepath.Base(tt.input)}
			var got []byte
			if tt.sites {
				res := readSites(data, opt)
				got = goldenLines(t, res.events, res.stats, res.err)
			} else {
				res := readReports(data, opt)
				got = goldenLines(t, res.events, res.stats, res.err)
			}
			path := filepath.Join("testdata", "golden", strings.NewReplacer("/", "_", ".", "_").Replace(tt.input)+".jsonl")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("output mismatch for %s (-want +got):\n%s", tt.input, diff)
			}
		})
	}
}
