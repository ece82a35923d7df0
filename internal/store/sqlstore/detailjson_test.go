package sqlstore_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/importer"
	"truce/internal/store/sqlstore"
)

// detailJSON is what EncodeDetail must write: encoding/json's form of
// the stored detail (sqlstore's judgementDetail).
func detailJSON(j *truce.Judgement) ([]byte, error) {
	return json.Marshal(struct {
		V        int             `json:"v"`
		Facts    truce.Facts     `json:"facts"`
		Findings []truce.Finding `json:"findings"`
	}{1, j.Facts, j.Findings})
}

// scenarioDir is the bundled scenario, whose real reports the tests judge.
const scenarioDir = "../../../examples/energy-ceasefire-2025/"

// scenarioJudge returns a judge of the bundled scenario's agreement and
// its 1,078 power plants, and the plants.
func scenarioJudge(tb testing.TB) (*adjudicate.Judge, []truce.Site) {
	tb.Helper()
	a, err := agreement.Load(scenarioDir + "agreement.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var sites []truce.Site
	readFile(tb, scenarioDir+"sites/gppd_v1.3.0_selected_countries.csv", func(f *os.File) error {
		_, err := importer.ReadSites(f, importer.Options{File: "gppd.csv"}, func(s *truce.Site) error {
			sites = append(sites, *s)
			return nil
		}, func(importer.RowError) {})
		return err
	})
	return adjudicate.New(a, sites), sites
}

// scenarioReports calls fn with each of the bundled scenario's two
// months of VIINA reports.
func scenarioReports(tb testing.TB, fn func(*truce.Report)) {
	tb.Helper()
	for _, name := range []string{"viina_incidents_202503.csv", "viina_incidents_202504.csv"} {
		readFile(tb, scenarioDir+"reports/"+name, func(f *os.File) error {
			_, err := importer.ReadReports(f, importer.Options{File: name}, func(r *truce.Report) error {
				fn(r)
				return nil
			}, func(importer.RowError) {})
			return err
		})
	}
}

func readFile(tb testing.TB, path string, fn func(f *os.File) error) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := fn(f); err != nil {
		tb.Fatal(err)
	}
}

// TestDetailEncoding: EncodeDetail writes the same bytes as
// encoding/json for every report of the bundled scenario's two months
// of VIINA reports, judged against its agreement and sites, and for
// reports at power plants: the detail's hash is in the log, so the bytes
// may not change.
func TestDetailEncoding(t *testing.T) {
	judge, sites := scenarioJudge(t)
	n, withSite := 0, 0
	compare := func(r *truce.Report) {
		j := judge.Judge(r)
		if j.Facts.Site != nil {
			withSite++
		}
		want, err := detailJSON(&j)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sqlstore.EncodeDetail(&j)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("report %s: EncodeDetail =\n%s, %v\nencoding/json:\n%s", r.ID, got, err, want)
		}
		n++
	}
	scenarioReports(t, compare)
	// Reports at power plants, in the scenario's phases, which the
	// judge matches to a site (a distance in the detail).
	for i, s := range sites[:50] {
		at := time.Date(2025, 3, 20+i%20, 3, 0, 0, 0, time.UTC)
		compare(&truce.Report{ID: truce.ReportID("site-" + strconv.Itoa(i)), Source: "test", Start: at, End: at.Add(time.Hour),
			Precision: truce.PrecisionHour, Location: geo.Point{Lon: s.Location.Lon + 0.001*float64(i%7), Lat: s.Location.Lat},
			Text: []string{"Russian drones struck a power plant overnight", "Ukrainian drones attacked the power station, <the MoD> said & more"}[i%2]})
	}
	if n < 8000 || withSite == 0 {
		t.Fatalf("compared %d details, %d with a site: want the scenario's ~9,000, some at a site", n, withSite)
	}
}

// TestDetailEncodingFields fails when a type of the detail gains, loses
// or renames a field: EncodeDetail writes each field by name, so it must
// be taught the new one (and TestDetailEncoding and the fuzz target then
// check it).
func TestDetailEncodingFields(t *testing.T) {
	want := map[reflect.Type][]string{
		reflect.TypeFor[truce.Facts](): {"Perpetrator", "PerpetratorBasis", "PerpetratorNote", "Actions", "ActionBasis", "Category",
			"CategoryBasis", "CategoryNote", "Site", "Zones", "Modality", "Attempted", "Place", "Evidence"},
		reflect.TypeFor[truce.SiteMatch]():     {"ID", "Name", "Category", "DistanceMeters"},
		reflect.TypeFor[truce.Span]():          {"Fact", "Basis", "Words", "Start", "End", "Note"},
		reflect.TypeFor[truce.Finding]():       {"Commitment", "Phase", "Party", "Outcome", "Readings", "Missing", "Reason", "Zone", "Explanation"},
		reflect.TypeFor[truce.ReadingResult](): {"Parties", "Outcome", "Day", "Days", "Note"},
	}
	for typ, fields := range want {
		var got []string
		for f := range typ.Fields() {
			got = append(got, f.Name)
			if f.Tag != "" {
				t.Errorf("%s.%s has a tag (%s): EncodeDetail writes the field's name", typ, f.Name, f.Tag)
			}
		}
		if !slices.Equal(got, fields) {
			t.Errorf("%s fields = %v, EncodeDetail writes %v: teach appendDetail the change", typ, got, fields)
		}
		for _, m := range []string{"MarshalJSON", "MarshalText"} {
			if _, ok := reflect.PointerTo(typ).MethodByName(m); ok {
				t.Errorf("%s has %s, which EncodeDetail does not call", typ, m)
			}
		}
	}
}

// FuzzDetailEncoding: for any strings (control characters, HTML, invalid
// UTF-8, U+2028), numbers and nil or empty slices, EncodeDetail writes
// what encoding/json writes, or fails where it fails.
func FuzzDetailEncoding(f *testing.F) {
	f.Add("RU", "text", `actor1 "Military Forces of Russia (2000-)"`, "<b>&\u2028\x00\xff", 1234.5, 3, uint8(1), true, byte(0))
	f.Add("", "", "", "", 1e-7, 0, uint8(0), false, byte(0xff))
	f.Add("\t\n\r\b\f\\\"", "é€😀", "\xed\xa0\x80", "\u2029", 1e21, -5, uint8(4), true, byte(0x55))
	f.Add("a", "b", "c", "d", math.NaN(), 1, uint8(2), false, byte(3))
	f.Fuzz(func(t *testing.T, s1, s2, s3, s4 string, dist float64, n int, outcome uint8, flag bool, shape byte) {
		// shape's bits choose nil, empty or filled slices and pointers.
		bit := func(k int) bool { return shape&(1<<k) != 0 }
		j := truce.Judgement{Report: truce.ReportID(s1), Outcome: truce.Outcome(outcome), Explanation: s4}
		fa := &j.Facts
		fa.Perpetrator, fa.PerpetratorBasis, fa.PerpetratorNote = truce.PartyID(s1), truce.Basis(s2), s3
		fa.ActionBasis, fa.Category, fa.CategoryBasis, fa.CategoryNote = truce.Basis(s4), truce.CategoryID(s3), truce.Basis(s2), s1
		fa.Modality, fa.Attempted, fa.Place = s2, flag, s4
		if bit(0) {
			fa.Actions = []truce.Action{}
			if bit(1) {
				fa.Actions = append(fa.Actions, truce.Action(s1), truce.Action(s4))
			}
		}
		if bit(2) {
			fa.Site = &truce.SiteMatch{ID: truce.SiteID(s3), Name: s4, Category: truce.CategoryID(s1), DistanceMeters: dist}
		}
		if bit(3) {
			fa.Zones = []truce.ZoneID{truce.ZoneID(s2)}
		}
		if bit(4) {
			fa.Evidence = []truce.Span{{Fact: s1, Basis: truce.Basis(s2), Words: s3, Start: n, End: -n, Note: s4}, {}}
		} else if bit(1) {
			fa.Evidence = []truce.Span{}
		}
		if bit(5) {
			j.Findings = []truce.Finding{}
		}
		if bit(6) {
			g := truce.Finding{Commitment: truce.CommitmentID(s1), Phase: truce.PhaseID(s2), Party: truce.PartyID(s3),
				Outcome: truce.Outcome(outcome), Reason: s4, Zone: truce.ZoneID(s1), Explanation: s3 + s4}
			if bit(7) {
				g.Readings = []truce.ReadingResult{{Parties: []truce.PartyID{truce.PartyID(s1), ""}, Outcome: truce.Outcome(outcome), Day: n, Days: n * 2, Note: s2}, {}}
				g.Missing = []string{s3}
			} else if bit(3) {
				g.Readings, g.Missing = []truce.ReadingResult{}, []string{}
			}
			j.Findings = append(j.Findings, g, truce.Finding{})
		}
		want, wantErr := detailJSON(&j)
		got, err := sqlstore.EncodeDetail(&j)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("EncodeDetail =\n%q, %v\nencoding/json:\n%q, %v", got, err, want, wantErr)
		}
	})
}

// BenchmarkEncodeDetail measures encoding the detail of one judged
// report of the bundled scenario, as every judged report's write does,
// and encoding/json's marshalling of the same detail.
func BenchmarkEncodeDetail(b *testing.B) {
	judge, _ := scenarioJudge(b)
	var js []truce.Judgement
	scenarioReports(b, func(r *truce.Report) {
		if len(js) < 1000 {
			js = append(js, judge.Judge(r))
		}
	})
	for name, encode := range map[string]func(*truce.Judgement) ([]byte, error){"EncodeDetail": sqlstore.EncodeDetail, "encoding_json": detailJSON} {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := encode(&js[i%len(js)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
