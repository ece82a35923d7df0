package agreement_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/agreement"
	"truce/internal/geo"
)

const scenario = "../../examples/energy-ceasefire-2025/agreement.yaml"

func TestLoadScenario(t *testing.T) {
	heavy(t)
	a, err := agreement.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "energy-ceasefire-2025" || len(a.Parties) != 3 || len(a.Phases) != 4 {
		t.Fatalf("unexpected agreement: %s, %d parties, %d phases", a.ID, len(a.Parties), len(a.Phases))
	}
	ph, _ := a.Phase("energy")
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	if want := time.Date(2025, 4, 18, 0, 0, 0, 0, kyiv); ph.End == nil || !ph.End.Equal(want) {
		t.Errorf("energy end = %v, want %v (the end of 17 April, Kyiv)", ph.End, want)
	}
	for _, tt := range []struct {
		name string
		zone truce.ZoneID
		p    geo.Point
		want bool
	}{
		{"Kyiv in ukraine", "ukraine", geo.Point{Lon: 30.52, Lat: 50.45}, true},
		{"Simferopol in ukraine", "ukraine", geo.Point{Lon: 34.10, Lat: 44.95}, true},
		{"Simferopol in crimea", "crimea", geo.Point{Lon: 34.10, Lat: 44.95}, true},
		{"Simferopol not in ukraine_without_crimea", "ukraine_without_crimea", geo.Point{Lon: 34.10, Lat: 44.95}, false},
		{"Simferopol in russia_with_crimea", "russia_with_crimea", geo.Point{Lon: 34.10, Lat: 44.95}, true},
		{"Simferopol not in russia", "russia", geo.Point{Lon: 34.10, Lat: 44.95}, false},
		{"Krasnodar in russia", "russia", geo.Point{Lon: 39.06, Lat: 45.02}, true},
		{"Kyiv not in russia", "russia", geo.Point{Lon: 30.52, Lat: 50.45}, false},
		{"Kyiv held by Ukraine", "ukraine_held", geo.Point{Lon: 30.52, Lat: 50.45}, true},
		{"Kyiv not occupied", "occupied", geo.Point{Lon: 30.52, Lat: 50.45}, false},
		{"Kramatorsk held by Ukraine", "ukraine_held", geo.Point{Lon: 37.58, Lat: 48.74}, true},
		{"Simferopol occupied", "occupied", geo.Point{Lon: 34.10, Lat: 44.95}, true},
		{"Simferopol not held by Ukraine", "ukraine_held", geo.Point{Lon: 34.10, Lat: 44.95}, false},
		{"Donetsk occupied", "occupied", geo.Point{Lon: 37.80, Lat: 48.02}, true},
		{"Zaporizhzhia NPP occupied", "occupied", geo.Point{Lon: 34.5863, Lat: 47.5119}, true},
		{"Zaporizhzhia NPP not held by Ukraine", "ukraine_held", geo.Point{Lon: 34.5863, Lat: 47.5119}, false},
		{"Zaporizhzhia city held by Ukraine", "ukraine_held", geo.Point{Lon: 35.14, Lat: 47.84}, true},
		{"Krasnodar not occupied", "occupied", geo.Point{Lon: 39.06, Lat: 45.02}, false},
		{"mid Black Sea", "black_sea", geo.Point{Lon: 34.0, Lat: 43.5}, true},
		{"Sea of Azov", "sea_of_azov", geo.Point{Lon: 36.5, Lat: 46.0}, true},
		{"Azov is not the Black Sea", "black_sea", geo.Point{Lon: 36.5, Lat: 46.0}, false},
	} {
		if got := a.InZone(tt.zone, tt.p, nil); got != tt.want {
			t.Errorf("%s: InZone = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestScenarioGazetteer checks that every place of the scenario's
// gazetteer lies where its id says: Ukrainian places in Ukraine, Russian
// ones in Russia, the seas in their zones.
func TestScenarioGazetteer(t *testing.T) {
	heavy(t)
	a, err := agreement.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Places) < 200 {
		t.Fatalf("%d places, want the scenario's gazetteer (over 200)", len(a.Places))
	}
	zoneOf := map[string]truce.ZoneID{"ua-": "ukraine", "ru-": "russia", "sea-black": "black_sea", "sea-azov": "sea_of_azov"}
	for _, pl := range a.Places {
		var zone truce.ZoneID
		for prefix, z := range zoneOf {
			if strings.HasPrefix(pl.ID, prefix) {
				zone = z
			}
		}
		if zone == "" {
			t.Errorf("place %s: no zone to check it against", pl.ID)
			continue
		}
		if !a.InZone(zone, pl.Location, nil) {
			t.Errorf("place %s at %v is not in zone %s", pl.ID, pl.Location, zone)
		}
	}
}

// TestExcludeAcrossFiles checks that a zone may exclude a zone drawn from
// another file, as the scenario's ukraine_held excludes DeepStateMap's
// occupied area from the Minregion oblasts.
func TestExcludeAcrossFiles(t *testing.T) {
	src := strings.Replace(base, "    geometry: {type: Polygon, coordinates: [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]}",
		"    geojson: big.geojson\n  - id: held\n    geojson: big.geojson\n    exclude: [occ]\n  - id: occ\n    geojson: small.geojson", 1) +
		"  - {id: p, name: P, start: {at: 2025-03-18}}\n"
	fsys := fstest.MapFS{
		"big.geojson":   {Data: []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,50],[32,50],[32,52],[30,52],[30,50]]]}}]}`)},
		"small.geojson": {Data: []byte(`{"type":"Polygon","coordinates":[[[31,50],[32,50],[32,51],[31,51],[31,50]]]}`)},
	}
	a, err := agreement.Parse("a.yaml", []byte(src), fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		zone truce.ZoneID
		p    geo.Point
		want bool
	}{
		{"held outside the excluded zone", "held", geo.Point{Lon: 30.5, Lat: 51.5}, true},
		{"held inside the excluded zone", "held", geo.Point{Lon: 31.5, Lat: 50.5}, false},
		{"the excluded zone itself", "occ", geo.Point{Lon: 31.5, Lat: 50.5}, true},
		{"the same file without exclusion", "z", geo.Point{Lon: 31.5, Lat: 50.5}, true},
	} {
		if got := a.InZone(tt.zone, tt.p, nil); got != tt.want {
			t.Errorf("%s: InZone(%s, %v) = %v, want %v", tt.name, tt.zone, tt.p, got, tt.want)
		}
	}
}

func TestSchemaDocIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../../docs/agreement.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, agreement.SchemaJSON) {
		t.Error("docs/agreement.schema.json differs from internal/agreement/schema.json: copy it over")
	}
}

const base = `truce: 1
id: t
title: T
timezone: Europe/Kyiv
parties:
  - {id: RU, name: Russia}
  - {id: UA, name: Ukraine}
  - {id: US, name: USA, role: mediator}
zones:
  - id: z
    geometry: {type: Polygon, coordinates: [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]}
categories:
  - id: energy
  - id: energy.grid
phases:
`

func problems(t *testing.T, src string, fsys map[string]string) []string {
	t.Helper()
	mfs := fstest.MapFS{}
	for k, v := range fsys {
		mfs[k] = &fstest.MapFile{Data: []byte(v)}
	}
	_, err := agreement.Parse("a.yaml", []byte(src), mfs)
	var ps agreement.Problems
	if err == nil {
		return nil
	}
	if !errors.As(err, &ps) {
		t.Fatalf("Parse error is %T %v, want Problems", err, err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func TestParseProblems(t *testing.T) {
	phase := func(body string) string {
		return base + "  - id: p\n    name: P\n" + body
	}
	for _, tt := range []struct {
		name string
		src  string
		fs   map[string]string
		want []string
	}{
		{"valid", phase("    start: {at: 2025-03-18}\n"), nil, nil},
		{"two start forms", phase("    start: {at: 2025-03-18, all_accept: [RU]}\n"), nil,
			[]string{"a.yaml:18:12: start must give exactly one of at (an instant), all_accept (a list of parties) or after (a phase, with days)"}},
		{"duration and end", phase("    start: {at: 2025-03-18}\n    duration: 30d\n    end: 2025-04-17\n"), nil,
			[]string{`a.yaml:20:10: phase "p" has both a duration and an end: give one`}},
		{"bad duration", phase("    start: {at: 2025-03-18}\n    duration: thirty days\n"), nil,
			[]string{`a.yaml:19:15: bad duration "thirty days": want e.g. 30d, 2w, 72h or 1d12h`}},
		{"bad time zone", strings.Replace(phase("    start: {at: 2025-03-18}\n"), "Europe/Kyiv", "Mars/Olympus", 1), nil,
			[]string{`a.yaml:4:11: unknown time zone "Mars/Olympus": want an IANA name such as Europe/Kyiv or UTC`}},
		{"after itself and unknown", phase("    start: {after: p, days: 3}\n  - id: q\n    name: Q\n    start: {after: nope}\n"), nil,
			[]string{`a.yaml:18:20: phase "p" cannot start after itself`, `a.yaml:18:20: phase "p": start rule "after" forms a cycle`, `a.yaml:21:20: unknown phase "nope"`}},
		{"mediator bound, unknown action and category", phase(`    start: {at: 2025-03-18}
    commitments:
      - {id: c, bound: [US], prohibits: [bombard], targets: [energy.nuclear], zones: [z]}
`), nil, []string{
			`a.yaml:20:25: party "US" is a mediator and cannot be bound by a commitment`,
			`a.yaml:20:42: unknown action "bombard": want one of attack, strike, air_strike, drone_attack, missile_attack, shelling, naval_attack, ground_attack, sabotage, seizure`,
			`a.yaml:20:62: unknown target category "energy.nuclear"`,
		}},
		{"reading overlap and unknown party", phase(`    start: {at: 2025-03-18}
    readings:
      - {parties: [RU, XX]}
      - {parties: [RU]}
`), nil, []string{`a.yaml:20:24: unknown party "XX"`, `a.yaml:21:20: party "RU" has more than one reading of phase "p"`}},
		{"path leaves the directory", strings.Replace(base, "    geometry: {type: Polygon, coordinates: [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]}", "    geojson: ../../etc/passwd", 1) +
			"  - {id: p, name: P, start: {at: 2025-03-18}}\n", nil,
			[]string{`a.yaml:11:14: zone "z": path "../../etc/passwd" must be relative to the agreement and stay inside its directory`}},
		{"absolute path", strings.Replace(base, "    geometry: {type: Polygon, coordinates: [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]}", "    geojson: /etc/passwd", 1) +
			"  - {id: p, name: P, start: {at: 2025-03-18}}\n", nil,
			[]string{`a.yaml:11:14: zone "z": path "/etc/passwd" must be relative to the agreement and stay inside its directory`}},
		{"where matches nothing", strings.Replace(base, "    geometry: {type: Polygon, coordinates: [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]}", "    geojson: z.geojson\n    where: {name: Atlantis}", 1) +
			"  - {id: p, name: P, start: {at: 2025-03-18}}\n",
			map[string]string{"z.geojson": `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Here"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`},
			[]string{`a.yaml:12:12: zone "z": no feature of z.geojson matches where`}},
		{"not GeoJSON", strings.Replace(base, "    geometry: {type: Polygon, coordinates: [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]}", "    geojson: z.geojson", 1) +
			"  - {id: p, name: P, start: {at: 2025-03-18}}\n",
			map[string]string{"z.geojson": `{"type":"Point","coordinates":[0,0]}`},
			[]string{`a.yaml:11:14: zone "z": z.geojson: GeoJSON type "Point": want FeatureCollection, Feature, Polygon or MultiPolygon`}},
		{"conditional without conditions", phase("    start: {all_accept: [RU, UA]}\npositions:\n  - {party: RU, phase: p, date: 2025-03-13, stance: conditional}\n"), nil,
			[]string{`a.yaml:20:53: a conditional position must list its conditions`}},
		{"undeclared parent", strings.Replace(base, "  - id: energy\n", "", 1) + "  - {id: p, name: P, start: {at: 2025-03-18}}\n", nil,
			[]string{`a.yaml:13:9: category "energy.grid": its parent "energy" must be declared before it`}},
		{"duplicate key", strings.Replace(base, "title: T\n", "title: T\ntitle: U\n", 1) + "  - {id: p, name: P, start: {at: 2025-03-18}}\n", nil,
			[]string{`a.yaml:4:1: duplicate key "title"`}},
		{"wrong type", strings.Replace(base, "title: T\n", "title: [T]\n", 1) + "  - {id: p, name: P, start: {at: 2025-03-18}}\n", nil,
			// The title may be a string or a mapping by language: both alternatives are named.
			[]string{`a.yaml:3:8: got array, want object (at title)`, `a.yaml:3:8: got array, want string (at title)`}},
		{"missing required", "truce: 1\nid: x\n", nil,
			[]string{`a.yaml:1:1: missing required keys "title", "parties", "phases" at top level`}},
		{"invalid YAML", "truce: 1\nid: x\ntitle: \"unterminated\n", nil, []string{`a.yaml:3:1: invalid YAML: found unexpected end of stream`}},
		{"empty", "", nil, []string{"a.yaml:1:1: empty file: expected an agreement mapping"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, problems(t, tt.src, tt.fs)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRejectsAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for k := 0; k < 10; k++ {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	got := problems(t, b.String(), nil)
	if len(got) != 1 || (!strings.Contains(got[0], "expands to more than") && !strings.Contains(got[0], "excessive aliasing")) {
		t.Errorf("alias bomb: problems = %v", got)
	}
}

func TestBundleRoundTrip(t *testing.T) {
	heavy(t)
	b1, a1, err := agreement.BundleFile(scenario)
	if err != nil {
		t.Fatal(err)
	}
	b2, _, err := agreement.BundleFile(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Error("bundling the same files twice gave different bytes")
	}
	a2, err := agreement.ParseBundle("stored", b1)
	if err != nil {
		t.Fatal(err)
	}
	if a1.ID != a2.ID || len(a2.Zones) != len(a1.Zones) || a2.Zones[0].Region.Geometry().NumVertices() != a1.Zones[0].Region.Geometry().NumVertices() {
		t.Error("the bundle does not hold the same agreement")
	}
	if _, err := agreement.ParseBundle("junk", []byte("not a zip")); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("ParseBundle(junk) = %v, want EINVALID", err)
	}
}

func FuzzParse(f *testing.F) {
	data, err := os.ReadFile(scenario)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add(base + "  - {id: p, name: P, start: {at: 2025-03-18}}\n")
	f.Add(base + "  - id: p\n    name: P\n    start: {after: p, days: 3}\n")
	f.Add("truce: 1\nid: [x\n")
	f.Fuzz(func(t *testing.T, src string) {
		a, err := agreement.Parse("f.yaml", []byte(src), fstest.MapFS{})
		var ps agreement.Problems
		switch {
		case err == nil && a == nil:
			t.Fatal("nil agreement without error")
		case err != nil && !errors.As(err, &ps):
			t.Fatalf("error %T is not Problems: %v", err, err)
		case err != nil && len(ps) == 0:
			t.Fatal("empty Problems")
		}
		for _, p := range ps {
			if p.Line < 1 || p.Col < 1 || p.Msg == "" {
				t.Fatalf("problem without a position or message: %+v", p)
			}
		}
	})
}

// heavy skips t in the short pass of scripts/test.sh (the one with the race
// detector): it works on the full scenario, and runs in the full pass.
func heavy(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("works on the full scenario: runs in the full pass of scripts/test.sh")
	}
}

// TestNamesInLanguages reads names and descriptions given per language,
// and plain strings beside them, and refuses a mapping without English.
func TestNamesInLanguages(t *testing.T) {
	src := strings.Replace(base, "  - {id: RU, name: Russia}", "  - {id: RU, name: {en: Russia, uk: Росія, ru: Россия}}", 1) +
		"  - id: p\n    name: {en: Energy moratorium, uk: Енергетичний мораторій}\n    description: {en: No strikes, ru: Без ударов}\n    start: {at: 2025-03-18}\n"
	src = strings.Replace(src, "  - id: z\n", "  - id: z\n    name: {en: Zone, uk: Зона}\n", 1)
	src = strings.Replace(src, "  - id: energy.grid\n", "  - {id: energy.grid, name: {en: Grid, ru: Сеть}}\n", 1)
	a, err := agreement.Parse("a.yaml", []byte(src), fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	z, _ := a.Zone("z")
	c, _ := a.Category("energy.grid")
	got := []string{a.Parties[0].Name, a.Parties[0].Names.In("uk", a.Parties[0].Name), a.Parties[1].Names.In("uk", a.Parties[1].Name),
		a.Phases[0].Name, a.Phases[0].Names.In("uk", a.Phases[0].Name), a.Phases[0].Names.In("ru", a.Phases[0].Name),
		a.Phases[0].Descriptions.In("ru", a.Phases[0].Description), z.Names.In("uk", z.Name), c.Names.In("ru", c.Name), c.Names.In("uk", c.Name)}
	want := []string{"Russia", "Росія", "Ukraine", "Energy moratorium", "Енергетичний мораторій", "Energy moratorium",
		"Без ударов", "Зона", "Сеть", "Grid"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names mismatch (-want +got):\n%s", diff)
	}
	bad := strings.Replace(base, "  - {id: RU, name: Russia}", "  - {id: RU, name: {uk: Росія}}", 1) + "  - {id: p, name: P, start: {at: 2025-03-18}}\n"
	if ps := problems(t, bad, nil); len(ps) == 0 || !strings.Contains(strings.Join(ps, "\n"), "a.yaml:6:") {
		t.Errorf("a name without English: problems %q", ps)
	} else {
		t.Logf("a name without English: %q", ps)
	}
}
