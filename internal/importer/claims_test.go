package importer_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/examples"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/importer"
)

// bundledPlacer is the placer of the bundled scenario: its GPPD sites and
// its agreement's gazetteer.
func bundledPlacer(t *testing.T) *importer.ClaimPlacer {
	t.Helper()
	_, a, err := agreement.Bundle(examples.FS, examples.EnergyAgreement)
	if err != nil {
		t.Fatal(err)
	}
	f, err := examples.FS.Open(examples.EnergySites)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sites []truce.Site
	if _, err := importer.ReadSites(f, importer.Options{File: "gppd.csv"}, func(s *truce.Site) error {
		sites = append(sites, *s)
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	return importer.NewClaimPlacer(sites, a.Places)
}

func readClaims(t *testing.T, name, text string, opt importer.ClaimOptions) ([]*truce.Claim, []string, importer.Stats, error) {
	t.Helper()
	var cs []*truce.Claim
	var bad []string
	opt.File = name
	st, err := importer.ReadClaims(strings.NewReader(text), opt, func(c *truce.Claim) error {
		cs = append(cs, c)
		return nil
	}, func(re importer.RowError) { bad = append(bad, re.Error()) })
	return cs, bad, st, err
}

// TestReadClaimsBundled imports the bundled 2025 claims: every row is
// accepted, and each claim is placed on the basis its row allows.
func TestReadClaimsBundled(t *testing.T) {
	b, err := os.ReadFile("../../examples/energy-ceasefire-2025/claims/claims_2025.csv")
	if err != nil {
		t.Fatal(err)
	}
	cs, bad, st, err := readClaims(t, "claims_2025.csv", string(b), importer.ClaimOptions{Published: true, Placer: bundledPlacer(t)})
	if err != nil || len(bad) > 0 {
		t.Fatalf("err %v, bad rows %q", err, bad)
	}
	if st != (importer.Stats{Read: 84, Accepted: 84}) || len(cs) != 84 {
		t.Fatalf("stats %+v, %d claims; want 84 read and accepted", st, len(cs))
	}
	by := map[truce.PlaceBasis]int{}
	claimant := map[truce.PartyID]int{}
	for _, c := range cs {
		by[c.PlacedBy]++
		claimant[c.Claimant]++
	}
	t.Logf("placed by: coordinates %d, site %d, settlement %d, region %d, not placed %d",
		by[truce.PlacedByCoordinates], by[truce.PlacedBySite], by[truce.PlacedBySettlement], by[truce.PlacedByRegion], by[truce.NotPlaced])
	if claimant["RU"] != 71 || claimant["UA"] != 13 {
		t.Errorf("claimants %v; want RU 71, UA 13", claimant)
	}
	// No GPPD power plant is a claimed facility by name; the gazetteer has
	// no Tver oblast (RU-063), and UA-005 names no region.
	want := map[truce.PlaceBasis]int{truce.PlacedByCoordinates: 25, truce.PlacedBySettlement: 7, truce.PlacedByRegion: 50, truce.NotPlaced: 2}
	if diff := cmp.Diff(want, by); diff != "" {
		t.Errorf("placements (-want +got):\n%s", diff)
	}
	byID := map[truce.ClaimID]*truce.Claim{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	ru3 := byID["RU-003"]
	if !ru3.Stated.Equal(day(24)) || !ru3.EventStart.Equal(day(22)) || !ru3.EventEnd.Equal(day(23)) || !ru3.Published ||
		ru3.Location != (geo.Point{Lon: 38.1, Lat: 50.217}) || ru3.LocationPrecisionMeters != 5000 || ru3.Line != 4 {
		t.Errorf("RU-003 = %+v", ru3)
	}
	if c := byID["RU-026"]; !c.EventStart.IsZero() || c.PlacedBy != truce.PlacedByRegion {
		t.Errorf("RU-026 (no event date, Kursky district) = event %v, placed by %q; want no event, by region", c.EventStart, c.PlacedBy)
	}
	for _, id := range []truce.ClaimID{"RU-063", "UA-005"} {
		if byID[id].PlacedBy != truce.NotPlaced {
			t.Errorf("%s placed by %q", id, byID[id].PlacedBy)
		}
	}
	if c := byID["UA-007"]; c.PlacedBy != truce.PlacedBySettlement || c.LocationPrecisionMeters < 5000 {
		t.Errorf("UA-007 (Kharkiv) placed by %q within %g m, want by settlement", c.PlacedBy, c.LocationPrecisionMeters)
	}
}

// TestReadTalliesBundled imports the bundled tallies, ids from their
// lines.
func TestReadTalliesBundled(t *testing.T) {
	f, err := os.Open("../../examples/energy-ceasefire-2025/claims/tallies_2025.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ts []*truce.Tally
	st, err := importer.ReadTallies(f, importer.ClaimOptions{File: "claims/tallies_2025.csv", Strict: true}, func(tl *truce.Tally) error {
		ts = append(ts, tl)
		return nil
	}, nil)
	if err != nil || st != (importer.Stats{Read: 33, Accepted: 33}) {
		t.Fatalf("stats %+v, err %v; want 33 accepted", st, err)
	}
	want := &truce.Tally{ID: "tallies_2025.csv:2", Claimant: "UA", Speaker: "Dmytro Lytvyn, adviser to the President of Ukraine",
		Stated: time.Date(2025, 3, 26, 0, 0, 0, 0, time.UTC), Period: "18-25 Mar 2025", Count: "at least 8",
		Wording:     "Russia hit energy sites at least eight times since Putin's 18 Mar order (bombs, attack drones, FPV)",
		SourceTitle: "Ukraine claims Russia has struck energy sites 8 times since Putin ordered forces to halt attacks",
		SourceURL:   "https://www.firstpost.com/world/ukraine-claims-russia-has-struck-energy-sites-8-times-since-putin-ordered-forces-to-halt-attacks-13874719.html/amp",
		File:        "tallies_2025.csv", Line: 2}
	if diff := cmp.Diff(want, ts[0]); diff != "" {
		t.Errorf("first tally (-want +got):\n%s", diff)
	}
}

const claimHeader = "claim_id,claimant,claimant_body,statement_date,event_date,accused,facility,facility_kind,settlement,region,country_of_site,lat,lon,weapon,consequences,source_title,source_url,confidence,note\n"

// TestReadClaimsErrors checks each bad row's message and that the good
// rows around it are kept.
func TestReadClaimsErrors(t *testing.T) {
	for _, c := range []struct{ name, row, want string }{
		{"NoID", ",RU,,2025-03-24,,UA,,,,,,,,,,,,,", "c.csv:3: column claim_id: missing value"},
		{"BadDate", "RU-9,RU,,24.03.2025,,UA,,,,,,,,,,,,,", `c.csv:3: column statement_date: "24.03.2025" is not a date (YYYY-MM-DD)`},
		{"NoStatement", "RU-9,RU,,,,UA,,,,,,,,,,,,,", "c.csv:3: column statement_date: missing value"},
		{"BadEvent", "RU-9,RU,,2025-03-24,2025-13-01,UA,,,,,,,,,,,,,", `c.csv:3: column event_date: "2025-13-01" is not a date (YYYY-MM-DD)`},
		{"SelfAccused", "RU-9,RU,,2025-03-24,,RU,,,,,,,,,,,,,", "c.csv:3: column accused: RU does not accuse itself"},
		{"HalfPoint", "RU-9,RU,,2025-03-24,,UA,,,,,,51.2,,,,,,,", "c.csv:3: column lon: missing value (lat is given)"},
		{"BadLat", "RU-9,RU,,2025-03-24,,UA,,,,,,north,35.2,,,,,,", `c.csv:3: column lat: "north" is not a number`},
		{"LatRange", "RU-9,RU,,2025-03-24,,UA,,,,,,95,35.2,,,,,,", "c.csv:3: column lat: 95 is out of range [-90, 90]"},
		{"Party", "RU-9,Russian Federation,,2025-03-24,,UA,,,,,,,,,,,,,", `c.csv:3: column claimant: "Russian Federation" is not a party id (e.g. RU, UA)`},
		{"Duplicate", "RU-1,RU,,2025-03-24,,UA,,,,,,,,,,,,,", `c.csv:3: duplicate id "RU-1" (first at line 2)`},
		{"Columns", "RU-9,RU", "c.csv:3: wrong column count: 2 fields, header (line 1) has 19"},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := claimHeader + "RU-1,RU,,2025-03-24,,UA,,,,,,,,,,,,,\n" + c.row + "\nUA-1,UA,,2025-03-25,2025-03-25,RU,,,,,,,,,,,,,\n"
			cs, bad, st, err := readClaims(t, "c.csv", text, importer.ClaimOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) != 1 || bad[0] != c.want {
				t.Errorf("bad rows %q, want [%q]", bad, c.want)
			}
			if len(cs) != 2 || st != (importer.Stats{Read: 3, Accepted: 2, Rejected: 1}) {
				t.Errorf("%d claims, stats %+v; want the 2 good ones", len(cs), st)
			}
			_, _, _, err = readClaims(t, "c.csv", text, importer.ClaimOptions{Strict: true})
			if err == nil || err.Error() != c.want {
				t.Errorf("strict: err %v, want %q", err, c.want)
			}
		})
	}
	t.Run("UnknownColumn", func(t *testing.T) {
		_, _, _, err := readClaims(t, "c.csv", "claim_id,claimant,accused,statement_date,place\n", importer.ClaimOptions{})
		if err == nil || !strings.HasPrefix(err.Error(), `c.csv:1: header: unknown column "place"`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("MissingColumn", func(t *testing.T) {
		_, _, _, err := readClaims(t, "c.csv", "claim_id,claimant,statement_date\n", importer.ClaimOptions{})
		if err == nil || !strings.HasPrefix(err.Error(), `c.csv:1: header: missing column "accused"`) || truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
}

// TestReadClaimsJSON reads the JSON Lines form: the same claim as the
// CSV row, and a bad line as a bad row.
func TestReadClaimsJSON(t *testing.T) {
	csvText := claimHeader + `RU-2,RU,MoD,2025-03-21,2025-03-21,UA,Sudzha GIS,pipeline,Sudzha,Kursk Oblast,RU,51.19139,35.27056,not stated,fire,T,https://x.test/1,high,n` + "\n"
	jsonText := `{"claim_id":"RU-2","claimant":"RU","claimant_body":"MoD","statement_date":"2025-03-21","event_date":"2025-03-21","accused":"UA","facility":"Sudzha GIS","facility_kind":"pipeline","settlement":"Sudzha","region":"Kursk Oblast","country_of_site":"RU","lat":51.19139,"lon":"35.27056","weapon":"not stated","consequences":"fire","source_title":"T","source_url":"https://x.test/1","confidence":"high","note":"n"}` + "\n" +
		`{"claim_id":"RU-3","claimant":"RU","accused":"UA","statement_date":"2025-03-21","colour":"red"}` + "\n" +
		`{"claim_id":"RU-4","claimant":"RU","accused":"UA","statement_date":2025}` + "\n"
	fromCSV, _, _, err := readClaims(t, "c", csvText, importer.ClaimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, bad, _, err := readClaims(t, "c", jsonText, importer.ClaimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fromCSV[0].Line = 1 // the JSON object is on line 1, the CSV row on line 2
	if diff := cmp.Diff(fromCSV, fromJSON); diff != "" {
		t.Errorf("JSON (+) and CSV (-) differ:\n%s", diff)
	}
	want := []string{"c:2: field colour: unknown (the fields are claim_id, claimant, claimant_body, statement_date, event_date, accused, facility, facility_kind, settlement, region, country_of_site, lat, lon, weapon, consequences, source_title, source_url, confidence, note)",
		"c:3: field statement_date: want a string"}
	if diff := cmp.Diff(want, bad); diff != "" {
		t.Errorf("bad rows (-want +got):\n%s", diff)
	}
}

// TestReadClaimsZone reads dates in the zone the caller names.
func TestReadClaimsZone(t *testing.T) {
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatal(err)
	}
	cs, _, _, err := readClaims(t, "c", claimHeader+"RU-1,RU,,2025-03-24,2025-03-22,UA,,,,,,,,,,,,,\n", importer.ClaimOptions{TZ: kyiv})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 3, 21, 22, 0, 0, 0, time.UTC); !cs[0].EventStart.Equal(want) || !cs[0].EventEnd.Equal(want.Add(24*time.Hour)) {
		t.Errorf("event [%v, %v), want the Kyiv day from %v", cs[0].EventStart, cs[0].EventEnd, want)
	}
}

// TestClaimPlacer checks each basis, and that an ambiguous name places
// nothing.
func TestClaimPlacer(t *testing.T) {
	sites := []truce.Site{
		{ID: "S1", Name: "Kherson CHP", Location: geo.Point{Lon: 32.6, Lat: 46.6}},
		{ID: "S2", Name: "Twin Plant", Location: geo.Point{Lon: 30, Lat: 50}},
		{ID: "S3", Name: "Twin plant.", Location: geo.Point{Lon: 31, Lat: 51}},
	}
	places := []truce.Place{
		{ID: "ru-kursk-oblast", Kind: "region", Location: geo.Point{Lon: 36.19, Lat: 51.73}, RadiusMeters: 170000, Names: []string{"Курск* област*", "Kursk oblast"}},
		{ID: "ru-sudzha", Kind: "city", Location: geo.Point{Lon: 35.27, Lat: 51.19}, Names: []string{"Sudzha", "Суджа"}},
		{ID: "ua-kherson", Kind: "city", Location: geo.Point{Lon: 32.61, Lat: 46.64}, RadiusMeters: 13000, Names: []string{"Kherson"}},
		{ID: "a", Kind: "city", Location: geo.Point{Lon: 1, Lat: 1}, Names: []string{"Same*"}},
		{ID: "b", Kind: "city", Location: geo.Point{Lon: 2, Lat: 2}, Names: []string{"Samesville"}},
	}
	p := importer.NewClaimPlacer(sites, places)
	for _, c := range []struct {
		name                         string
		facility, settlement, region string
		want                         truce.PlaceBasis
		at                           geo.Point
		prec                         float64
		site                         truce.SiteID
	}{
		{"Site", "KHERSON C.H.P. / (Kherson CHP)", "Kherson", "", truce.PlacedBySite, sites[0].Location, 1000, "S1"},
		{"AmbiguousSite", "Twin plant", "Kherson", "", truce.PlacedBySettlement, places[2].Location, 13000, ""},
		{"SettlementPart", "substation", "Svatove (Sudzha)", "", truce.PlacedBySettlement, places[1].Location, 5000, ""},
		{"NearSettlement", "", "near Sudzha", "", truce.PlacedBySettlement, places[1].Location, 5000, ""},
		{"AmbiguousSettlement", "", "Samesville", "Kursk Oblast", truce.PlacedByRegion, places[0].Location, 170000, ""},
		{"RegionPattern", "", "not stated", "Курская область", truce.PlacedByRegion, places[0].Location, 170000, ""},
		{"Nothing", "", "not stated", "not stated", truce.NotPlaced, geo.Point{}, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := &truce.Claim{Facility: c.facility, Settlement: c.settlement, Region: c.region}
			p.Place(cl)
			if cl.PlacedBy != c.want || cl.Location != c.at || cl.LocationPrecisionMeters != c.prec || cl.Site != c.site {
				t.Errorf("placed by %q at %v within %g m, site %q; want %q at %v within %g m, site %q",
					cl.PlacedBy, cl.Location, cl.LocationPrecisionMeters, cl.Site, c.want, c.at, c.prec, c.site)
			}
		})
	}
}
