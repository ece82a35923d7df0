package importer_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
	"truce/internal/importer"
)

func siteByID(tb testing.TB, sites []*truce.Site, id string) *truce.Site {
	tb.Helper()
	for _, s := range sites {
		if string(s.ID) == id {
			return s
		}
	}
	tb.Fatalf("no site %q", id)
	return nil
}

func TestReadGPPD(t *testing.T) {
	res := readSites(MustReadFile(t, "gppd/gppd_v1.3.0_extract.csv"), importer.Options{Format: importer.FormatGPPD, File: "gppd.csv"})
	if res.err != nil || len(res.bad) != 0 {
		t.Fatalf("ReadSites: err %v, bad rows %v", res.err, errorStrings(res.bad))
	}
	for _, tt := range []struct {
		name string
		id   string
		want truce.Site
	}{
		{name: "nuclear, Zaporizhzhia", id: "WRI1005114", want: truce.Site{ID: "WRI1005114", Name: "Zaporozhye", Country: "UKR",
			Location: geo.Point{Lon: 34.5863, Lat: 47.5119}, CapacityMW: 6000, Source: "gppd",
			Attrs: map[string]string{"primary_fuel": "Nuclear", "owner": "Energoatom", "source": "Energoatom"}}},
		{name: "doubled quotes in owner, antimeridian", id: "WRI1003701", want: truce.Site{ID: "WRI1003701", Name: "Egvenkinotskaya TPP", Country: "RUS",
			Location: geo.Point{Lon: -179.1338, Lat: 66.4013}, CapacityMW: 34, Source: "gppd",
			Attrs: map[string]string{"primary_fuel": "Gas", "owner": `JSC "Chukotenergo"`, "source": "EnergyBase (RUS)"}}},
		{name: "quoted name with quotes", id: "WRI1061918", want: truce.Site{ID: "WRI1061918", Name: `CHP "VIZ-Stal"`, Country: "RUS",
			Location: geo.Point{Lon: 60.5490, Lat: 56.8498}, CapacityMW: 98, Source: "gppd",
			Attrs: map[string]string{"primary_fuel": "Gas", "owner": "OOO VIZ-STAL", "source": "EnergyBase (RUS)"}}},
		{name: "trailing space trimmed", id: "WKS0071148", want: truce.Site{ID: "WKS0071148", Name: "Gaziantep", Country: "TUR",
			Location: geo.Point{Lon: 37.1130, Lat: 37.0590}, CapacityMW: 25, Source: "gppd",
			Attrs: map[string]string{"primary_fuel": "Solar", "source": "Wiki-Solar"}}},
		{name: "NFD name kept as is", id: "WKS0068596", want: truce.Site{ID: "WKS0068596", Name: "Kızo\u0308ren", Country: "TUR",
			Location: geo.Point{Lon: 33.2110, Lat: 38.1650}, CapacityMW: 18, Source: "gppd",
			Attrs: map[string]string{"primary_fuel": "Solar", "source": "Wiki-Solar"}}},
		{name: "commissioning year, Cyrillic name", id: "WRI1061655", want: truce.Site{ID: "WRI1061655", Name: "Янискоски ГЭС", Country: "RUS",
			Location: geo.Point{Lon: 28.7803, Lat: 68.9717}, CapacityMW: 30.5, Source: "gppd",
			Attrs: map[string]string{"primary_fuel": "Hydro", "owner": `PJSC "TGC-1"`, "source": "EnergyBase (RUS)", "commissioning_year": "1950.0"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(&tt.want, siteByID(t, res.sites, tt.id)); diff != "" {
				t.Errorf("site mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("DuplicateNamesKept", func(t *testing.T) {
		var ids []truce.SiteID
		for _, s := range res.sites {
			if s.Name == "Kozienice" {
				ids = append(ids, s.ID)
			}
		}
		if diff := cmp.Diff([]truce.SiteID{"WRI1075563", "WRI1019032"}, ids); diff != "" {
			t.Errorf("Kozienice ids mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestReadSitesMalformed(t *testing.T) {
	for _, tt := range []struct {
		input   string
		format  importer.Format
		wantBad []string
		wantIDs []truce.SiteID
	}{
		{input: "gppd/malformed.csv", format: importer.FormatGPPD, wantBad: []string{
			`malformed.csv:3: column latitude: "51,3245" is not a number`,
			`malformed.csv:4: column latitude: 95 is out of range [-90, 90]`,
			`malformed.csv:5: wrong column count: 20 fields, header (line 1) has 36`,
			`malformed.csv:6: column capacity_mw: "n/a" is not a number`,
			`malformed.csv:7: malformed CSV: bare " in non-quoted-field (at column 74)`,
			`malformed.csv:9: duplicate id "WRI1005114" (first at line 2)`,
		}, wantIDs: []truce.SiteID{"WRI1005114", "WRI1003657"}},
		{input: "sites/sites.csv", format: importer.FormatSitesCSV, wantBad: []string{
			`sites.csv:7: column lat: 91.5 is out of range [-90, 90]`,
			`sites.csv:8: column capacity_mw: "lots" is not a number`,
		}, wantIDs: []truce.SiteID{"WRI1005114", "WRI1005113", "WRI1005112", "sites.csv:5", "kavkazskaya"}},
		{input: "sites/sites.geojson", format: importer.FormatSitesGeoJSON, wantBad: []string{
			`sites.geojson:6: feature has no geometry`,
			`sites.geojson:7: geometry coordinates: [35.0] is not [lon, lat] or [lon, lat, alt]`,
			`sites.geojson:8: property capacity_mw: "6000" is not a non-negative number`,
		}, wantIDs: []truce.SiteID{"WRI1005114", "kavkazskaya", "sites.geojson:feature-3", "WRI1003701"}},
	} {
		t.Run(tt.input, func(t *testing.T) {
			res := readSites(MustReadFile(t, tt.input), importer.Options{Format: tt.format, File: tt.input[strings.Index(tt.input, "/")+1:]})
			if res.err != nil {
				t.Fatal(res.err)
			}
			var ids []truce.SiteID
			for _, s := range res.sites {
				ids = append(ids, s.ID)
			}
			got := []any{errorStrings(res.bad), ids}
			if diff := cmp.Diff([]any{tt.wantBad, tt.wantIDs}, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
