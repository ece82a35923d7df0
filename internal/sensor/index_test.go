package sensor_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
	"truce/internal/importer"
	"truce/internal/sensor"
)

// hotspotAt is a hotspot on a point at an instant.
func hotspotAt(p geo.Point, t time.Time) *importer.Hotspot {
	return &importer.Hotspot{Line: 2, Location: p, Time: t, Instrument: "VIIRS", Satellite: "N20", Confidence: "nominal",
		Version: "2.0NRT", DayNight: "D", Type: -1, ScanKm: 0.4, TrackKm: 0.4, FRPMegawatts: 12.5}
}

// brief is an alert's site and commitments.
type brief struct {
	Site    truce.SiteID
	InForce []sensor.InForce
}

func briefs(als []sensor.Alert) []brief {
	var out []brief
	for _, a := range als {
		out = append(out, brief{a.Site, a.InForce})
	}
	return out
}

// TestAlertsReadings follows the bundled scenario's energy moratorium, whose
// readings differ: Russia's from 18 March with Crimea read as Russian
// territory, the United States' from 18 March, Ukraine's only from 25 March;
// it ends with 17 April (Kyiv).
func TestAlertsReadings(t *testing.T) {
	a := MustScenario(t)
	sites := MustSites(t)
	ix := sensor.NewIndex(a, sites)
	byID := map[truce.SiteID]truce.Site{}
	for _, s := range sites {
		byID[s.ID] = s
	}
	at := func(day string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", day)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	ru, ua := []truce.PartyID{"RU"}, []truce.PartyID{"UA"}
	for _, tt := range []struct {
		name string
		site truce.SiteID
		t    time.Time
		want []brief
	}{
		{"Kakhovka HPP before the moratorium", "WRI1005118", at("2025-03-17 12:00"), nil},
		{"Kakhovka HPP on 20 March", "WRI1005118", at("2025-03-20 12:00"),
			[]brief{{"WRI1005118", []sensor.InForce{{Phase: "energy", Commitment: "energy-ru", Zone: "ukraine_held", Readings: []truce.PartyID{"RU", "US"}, Bound: ru}}}}},
		{"Kakhovka HPP on 26 March", "WRI1005118", at("2025-03-26 12:00"),
			[]brief{{"WRI1005118", []sensor.InForce{{Phase: "energy", Commitment: "energy-ru", Zone: "ukraine_held", Readings: []truce.PartyID{"RU", "US", "UA"}, Bound: ru}}}}},
		// Crimea is held by Russia: Ukraine is bound not to strike it under
		// every reading in force (RU and US from 18 March), Russia is not.
		{"Perovo solar (Crimea) on 20 March", "WKS0060917", at("2025-03-20 12:00"), []brief{{"WKS0060917", []sensor.InForce{
			{Phase: "energy", Commitment: "energy-ua", Zone: "russia", Readings: []truce.PartyID{"RU", "US"}, Bound: ua},
		}}}},
		{"Novocherkassk GRES on 26 March", "WRI1003770", at("2025-03-26 12:00"),
			[]brief{{"WRI1003770", []sensor.InForce{{Phase: "energy", Commitment: "energy-ua", Zone: "russia", Readings: []truce.PartyID{"RU", "US", "UA"}, Bound: ua}}}}},
		{"Novocherkassk GRES on the last day, 23:59 Kyiv", "WRI1003770", at("2025-04-17 20:59"),
			[]brief{{"WRI1003770", []sensor.InForce{{Phase: "energy", Commitment: "energy-ua", Zone: "russia", Readings: []truce.PartyID{"RU", "US", "UA"}, Bound: ua}}}}},
		{"Novocherkassk GRES after the end", "WRI1003770", at("2025-04-17 21:00"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := byID[tt.site]
			// Other plants may share the site's coordinates (Perovo I-III
			// do): look at the site's own alert.
			var got []brief
			for _, b := range briefs(ix.Alerts(hotspotAt(s.Location, tt.t))) {
				if b.Site == tt.site {
					got = append(got, b)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("alerts mismatch (-want +got):\n%s", diff)
			}
			i := -1
			for k := range sites {
				if sites[k].ID == tt.site {
					i = k
					break
				}
			}
			if ix.CoveredAt(i, tt.t) != (len(tt.want) > 0) {
				t.Errorf("CoveredAt = %v", ix.CoveredAt(i, tt.t))
			}
		})
	}
}

// TestAlertsRules covers the rules a hotspot meets that a report does not:
// "any" covers sites without a category, an exception on categories
// applies, one that names actions never does (a hotspot shows no act), a
// phase that never entered into force alerts nothing, and the radius is
// inclusive and not widened by the pixel.
func TestAlertsRules(t *testing.T) {
	zoneA := geo.Prepare(geo.MultiPolygon{{square(30, 45, 32, 47)}})
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	a := &truce.Agreement{
		ID: "rules", Timezone: time.UTC, SiteRadiusMeters: 3000,
		Parties:    []truce.Party{{ID: "A"}, {ID: "B"}},
		Zones:      []*truce.Zone{{ID: "a", Region: zoneA}},
		Categories: []truce.Category{{ID: "energy"}, {ID: "energy.nuclear"}},
		Phases: []truce.Phase{
			{ID: "p", Start: truce.StartRule{Kind: truce.StartFixed, At: t0}, Commitments: []truce.Commitment{
				{ID: "any", Bound: []truce.PartyID{"A"}, Actions: []truce.Action{truce.ActionAttack}, Categories: []truce.CategoryID{truce.CategoryAny},
					Zones: []truce.ZoneID{"a"}, Exceptions: []truce.Exception{{Categories: []truce.CategoryID{"energy.nuclear"}}}},
				{ID: "nuclear", Bound: []truce.PartyID{"B"}, Actions: []truce.Action{truce.ActionAttack}, Categories: []truce.CategoryID{"energy.nuclear"},
					Zones: []truce.ZoneID{"a"}, Exceptions: []truce.Exception{{Actions: []truce.Action{truce.ActionShelling}}}},
			}},
			{ID: "never", Start: truce.StartRule{Kind: truce.StartAllAccept, Parties: []truce.PartyID{"A", "B"}}, Commitments: []truce.Commitment{
				{ID: "never-any", Bound: []truce.PartyID{"A", "B"}, Actions: []truce.Action{truce.ActionAttack}, Categories: []truce.CategoryID{truce.CategoryAny}, Zones: []truce.ZoneID{"a"}},
			}},
		},
	}
	sites := []truce.Site{
		{ID: "plain", Location: geo.Point{Lon: 31, Lat: 46}},
		{ID: "npp", Location: geo.Point{Lon: 31.5, Lat: 46}, Category: "energy.nuclear"},
		{ID: "outside", Location: geo.Point{Lon: 33, Lat: 46}, Category: "energy"},
	}
	ix := sensor.NewIndex(a, sites)
	when := t0.Add(time.Hour)
	both := []truce.PartyID{"A", "B"}
	for _, tt := range []struct {
		name string
		p    geo.Point
		want []brief
	}{
		{"any covers a site without a category", sites[0].Location,
			[]brief{{"plain", []sensor.InForce{{Phase: "p", Commitment: "any", Zone: "a", Readings: both, Bound: []truce.PartyID{"A"}}}}}},
		{"the nuclear exception of any; the action exception of nuclear never applies", sites[1].Location,
			[]brief{{"npp", []sensor.InForce{{Phase: "p", Commitment: "nuclear", Zone: "a", Readings: both, Bound: []truce.PartyID{"B"}}}}}},
		{"outside the zone", sites[2].Location, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, briefs(ix.Alerts(hotspotAt(tt.p, when)))); diff != "" {
				t.Errorf("alerts mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// The radius edge: exactly 3000 m is within, the next double is not.
	p := geo.Point{Lon: 31, Lat: 46 + 3000/geo.EarthRadiusMeters*180/3.141592653589793}
	d := geo.Distance(p, sites[0].Location)
	for _, r := range []float64{d, d * (1 - 1e-15)} {
		a.SiteRadiusMeters = r
		ix := sensor.NewIndex(a, sites)
		als := ix.Alerts(hotspotAt(p, when))
		if (len(als) == 1) != (r >= d) || (len(als) == 1 && als[0].DistanceMeters != d) {
			t.Errorf("radius %v, distance %v: alerts %+v", r, d, als)
		}
	}
}
