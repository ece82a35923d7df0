package claims_test

import (
	"encoding/csv"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"truce"
	"truce/examples"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/claims"
	"truce/internal/importer"
)

// bundledClaims is the 2025 claims compilation (CC BY 4.0; see the
// scenario's claims/README.md), read as the scenario bundles it.
const bundledClaims = "energy-ceasefire-2025/claims/claims_2025.csv"

// settlementPrecisionMeters is how far a facility may lie from the
// settlement centre the compilation gives as coordinates ("about 1-5 km").
const settlementPrecisionMeters = 5000

// MustClaims reads the bundled claims CSV into claims, placed as the
// claims README says: coordinates (settlement centres) where given, else
// the settlement or, failing that, the region in the agreement's
// gazetteer. It is a test helper, not the importer.
func MustClaims(tb testing.TB, a *truce.Agreement) []*truce.Claim {
	tb.Helper()
	f, err := examples.FS.Open(bundledClaims)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var out []*truce.Claim
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("%s:%d: %v", bundledClaims, line, err)
		}
		get := func(k string) string { return strings.TrimSpace(rec[col[k]]) }
		c := &truce.Claim{
			ID: truce.ClaimID(get("claim_id")), Claimant: truce.PartyID(get("claimant")), Body: get("claimant_body"),
			Accused: truce.PartyID(get("accused")), Stated: mustDate(tb, get("statement_date")),
			Facility: get("facility"), FacilityKind: get("facility_kind"), Settlement: get("settlement"),
			Region: get("region"), SiteCountry: get("country_of_site"), Weapon: get("weapon"),
			Consequences: get("consequences"), SourceTitle: get("source_title"), SourceURL: get("source_url"),
			Confidence: get("confidence"), Note: get("note"), Published: true, File: filepath.Base(bundledClaims), Line: line,
		}
		if d := get("event_date"); d != "" {
			c.EventStart = mustDate(tb, d)
			c.EventEnd = c.EventStart.AddDate(0, 0, 1)
		}
		place(tb, c, a, get("lon"), get("lat"))
		c.Normalize()
		if err := c.Validate(); err != nil {
			tb.Fatalf("%s:%d: %v", bundledClaims, line, err)
		}
		out = append(out, c)
	}
	return out
}

func mustDate(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// place sets c's position from its coordinates, else its settlement, else
// its region in a's gazetteer.
func place(tb testing.TB, c *truce.Claim, a *truce.Agreement, lon, lat string) {
	tb.Helper()
	if lon != "" && lat != "" {
		x, err1 := strconv.ParseFloat(lon, 64)
		y, err2 := strconv.ParseFloat(lat, 64)
		if err1 != nil || err2 != nil {
			tb.Fatalf("claim %s: bad coordinates %q, %q", c.ID, lon, lat)
		}
		c.Location.Lon, c.Location.Lat = x, y
		c.LocationPrecisionMeters, c.PlacedBy = settlementPrecisionMeters, truce.PlacedByCoordinates
		return
	}
	for _, try := range []struct {
		name  string
		kinds []string
		basis truce.PlaceBasis
	}{
		{c.Settlement, []string{truce.PlaceKindCity}, truce.PlacedBySettlement},
		{c.Region, []string{truce.PlaceKindOblast, truce.PlaceKindRegion}, truce.PlacedByRegion},
	} {
		if pl, ok := gazetteer(a, try.name, try.kinds); ok {
			c.Location, c.LocationPrecisionMeters, c.PlacedBy = pl.Location, pl.RadiusMeters, try.basis
			return
		}
	}
}

// gazetteer finds the place of one of kinds whose name (without a
// trailing "*") is a run of the words of name.
func gazetteer(a *truce.Agreement, name string, kinds []string) (truce.Place, bool) {
	ws := testWords(name)
	for _, pl := range a.Places {
		if !contains(kinds, pl.Kind) {
			continue
		}
		for _, n := range pl.Names {
			nw := testWords(strings.TrimSuffix(n, "*"))
			for i := 0; len(nw) > 0 && i+len(nw) <= len(ws); i++ {
				if strings.Join(ws[i:i+len(nw)], " ") == strings.Join(nw, " ") {
					return pl, true
				}
			}
		}
	}
	return truce.Place{}, false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func testWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
}

// world is the bundled scenario, judged once for every test.
type world struct {
	a      *truce.Agreement
	claims []*truce.Claim
	cands  []claims.Candidate
}

var loadWorld = sync.OnceValues(func() (*world, error) {
	a, err := agreement.Load(filepath.Join("..", "..", "examples", examples.EnergyAgreement))
	if err != nil {
		return nil, err
	}
	sf, err := examples.FS.Open(examples.EnergySites)
	if err != nil {
		return nil, err
	}
	defer sf.Close()
	var sites []truce.Site
	if _, err := importer.ReadSites(sf, importer.Options{File: filepath.Base(examples.EnergySites)},
		func(s *truce.Site) error { sites = append(sites, *s); return nil }, nil); err != nil {
		return nil, err
	}
	j := adjudicate.New(a, sites)
	w := &world{a: a}
	for _, name := range examples.EnergyReports {
		f, err := examples.FS.Open(name)
		if err != nil {
			return nil, err
		}
		_, err = importer.ReadReports(f, importer.Options{File: filepath.Base(name), TZ: a.Timezone},
			func(r *truce.Report) error {
				jd := j.Judge(r)
				w.cands = append(w.cands, claims.Candidate{Incident: truce.IncidentID(r.ID), Status: truce.StatusReported,
					Evidence: []claims.Evidence{{Report: r, Judgement: &jd}}})
				return nil
			}, nil)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return w, nil
})

// MustWorld returns the bundled agreement, claims and judged VIINA
// reports (one incident per report).
func MustWorld(tb testing.TB) *world {
	tb.Helper()
	w, err := loadWorld()
	if err != nil {
		tb.Fatal(err)
	}
	if w.claims == nil {
		w.claims = MustClaims(tb, w.a)
	}
	return w
}

// voices are the parties' officials and bodies as report text names them:
// a headline quoting one relays that party's claim.
var voices = map[truce.PartyID][]string{
	"UA": {"Зеленськ*", "Зеленск*", "Zelensk*", "Сибіг*", "Сибиг*", "Sybiha", "МЗС", "Тихий", "Тихого",
		"Генштаб*", "Укрзалізниц*", "Нафтогаз*", "Naftogaz", "Ukrzaliznytsia"},
	"RU": {"Минобороны", "Міноборони РФ", "Міноборони Росії", "МО РФ", "Песков*", "Пєсков*", "Захаров*",
		"Кремл*", "Kremlin", "Russian Defence Ministry", "Russian Defense Ministry", "Балицк*", "Сальдо", "Богомаз*"},
}

// options are the bundled scenario's reading options: VIINA reaches
// Ukraine, occupied parts included, and no further.
func (w *world) options() claims.Options {
	return claims.Options{TZ: w.a.Timezone, Voices: voices, Reach: []string{"UA", "UA-occupied"}, Agreement: w.a}
}

func (w *world) claim(tb testing.TB, id truce.ClaimID) *truce.Claim {
	tb.Helper()
	for _, c := range w.claims {
		if c.ID == id {
			return c
		}
	}
	tb.Fatalf("no claim %s", id)
	return nil
}
