package agreement_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/agreement"
	"truce/internal/geo"
)

// withPlaces is a valid agreement whose places key (line 15, column 9)
// names path.
func withPlaces(path string) string {
	return strings.Replace(base, "phases:\n", "places: "+path+"\nphases:\n", 1) +
		"  - {id: p, name: P, start: {at: 2025-03-18}}\n"
}

const placesHead = "id,kind,lon,lat,radius_m,names\n"

func TestParsePlaces(t *testing.T) {
	csv := "\uFEFF" + strings.ReplaceAll(placesHead, "\n", "\r\n") +
		"ua-kherson-oblast,oblast,33.37,46.85,150000,Херсонськ* област*|Херсонщин*|Kherson oblast\r\n" +
		"ua-kherson, city ,32.62,46.64,15000,\"Херсон | Херсоні|Kherson, city\"\r\n" +
		"\r\n" +
		"site-znpp,site,34.5863,47.5119,2000,ЗАЕС\r\n"
	a, err := agreement.Parse("a.yaml", []byte(withPlaces("places/p.csv")), fstest.MapFS{"places/p.csv": {Data: []byte(csv)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []truce.Place{
		{ID: "ua-kherson-oblast", Kind: "oblast", Location: geo.Point{Lon: 33.37, Lat: 46.85}, RadiusMeters: 150000,
			Names: []string{"Херсонськ* област*", "Херсонщин*", "Kherson oblast"}},
		{ID: "ua-kherson", Kind: "city", Location: geo.Point{Lon: 32.62, Lat: 46.64}, RadiusMeters: 15000,
			Names: []string{"Херсон", "Херсоні", "Kherson, city"}},
		{ID: "site-znpp", Kind: "site", Location: geo.Point{Lon: 34.5863, Lat: 47.5119}, RadiusMeters: 2000, Names: []string{"ЗАЕС"}},
	}
	if diff := cmp.Diff(want, a.Places); diff != "" {
		t.Errorf("Places mismatch (-want +got):\n%s", diff)
	}

	a, err = agreement.Parse("a.yaml", []byte(base+"  - {id: p, name: P, start: {at: 2025-03-18}}\n"), fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Places != nil {
		t.Errorf("without a places key, Places = %v, want nil", a.Places)
	}
}

func TestParsePlacesProblems(t *testing.T) {
	one := func(row string) map[string]string { return map[string]string{"p.csv": placesHead + row + "\n"} }
	for _, tt := range []struct {
		name string
		src  string
		fs   map[string]string
		want []string
	}{
		{"bad longitude", withPlaces("p.csv"), one("a,city,thirty,50,1000,A"),
			[]string{`p.csv:2:8: bad longitude "thirty": want a number of degrees`}},
		{"bad latitude and radius", withPlaces("p.csv"), one("a,city,30,5o,1km,A"),
			[]string{`p.csv:2:11: bad latitude "5o": want a number of degrees`, `p.csv:2:14: bad radius_m "1km": want a number of metres`}},
		{"not finite", withPlaces("p.csv"), one("a,city,NaN,Inf,1000,A"),
			[]string{`p.csv:2:8: bad longitude "NaN": want a number of degrees`, `p.csv:2:12: bad latitude "Inf": want a number of degrees`}},
		{"out of range", withPlaces("p.csv"), one("a,city,180.5,-90.01,-1,A"),
			[]string{`p.csv:2:8: longitude 180.5 is out of range [-180, 180]`, `p.csv:2:14: latitude -90.01 is out of range [-90, 90]`,
				`p.csv:2:21: radius_m -1 is out of range [0, 20037509]`}},
		{"empty names", withPlaces("p.csv"), one("a,city,30,50,1000, "),
			[]string{`p.csv:2:19: names is empty: give at least one name`}},
		{"empty name among names, column in characters", withPlaces("p.csv"), one("Київ,city,30,50,1000,Київ||Kyiv"),
			[]string{`p.csv:2:1: bad place id "Київ": want letters, digits, '_', '.' and '-', starting with a letter or digit, at most 128`,
				`p.csv:2:22: empty name in names (two '|' in a row, or one at an end)`}},
		{"star inside a word and alone", withPlaces("p.csv"), one("a,city,30,50,1000,Хер*сон|*|Kyiv"),
			[]string{`p.csv:2:19: name "*": '*' must follow the start of a word`, `p.csv:2:19: name "Хер*сон": '*' may only end a word`}},
		{"no letters", withPlaces("p.csv"), one("a,city,30,50,1000,--"),
			[]string{`p.csv:2:19: name "--" has no letters or digits`}},
		{"duplicate id", withPlaces("p.csv"), map[string]string{"p.csv": placesHead + "a,city,30,50,1000,A\nb,city,30,50,1000,B\na,site,31,50,1000,C\n"},
			[]string{`p.csv:4:1: duplicate place id "a" (first on line 2)`}},
		{"empty id", withPlaces("p.csv"), one(",city,30,50,1000,A"),
			[]string{`p.csv:2:1: empty place id`}},
		{"unknown kind", withPlaces("p.csv"), one("a,town,30,50,1000,A"),
			[]string{`p.csv:2:3: unknown place kind "town": want one of oblast, city, region, site, country, area`}},
		{"wrong number of fields", withPlaces("p.csv"), one("a,city,30,50,A"),
			[]string{`p.csv:2:1: 5 fields: want 6 (id,kind,lon,lat,radius_m,names)`}},
		{"wrong header", withPlaces("p.csv"), map[string]string{"p.csv": "id,kind,lat,lon,radius_m,names\na,city,50,30,1000,A\n"},
			[]string{`p.csv:1:1: header is "id,kind,lat,lon,radius_m,names": want id,kind,lon,lat,radius_m,names`}},
		{"empty file", withPlaces("p.csv"), map[string]string{"p.csv": ""},
			[]string{`p.csv:1:1: empty file: want the header id,kind,lon,lat,radius_m,names`}},
		{"bad quoting", withPlaces("p.csv"), one(`a,city,30,50,1000,"A"B`),
			[]string{`p.csv:2:21: invalid CSV: extraneous or missing " in quoted-field`}},
		{"not UTF-8", withPlaces("p.csv"), one("a,city,30,50,1000,\xff"),
			[]string{`p.csv:2:1: not valid UTF-8`}},
		{"file in a directory is named by its path", withPlaces("places/p.csv"), map[string]string{"places/p.csv": placesHead + "a,town,30,50,1000,A\n"},
			[]string{`places/p.csv:2:3: unknown place kind "town": want one of oblast, city, region, site, country, area`}},
		{"problems of the agreement come first", strings.Replace(withPlaces("p.csv"), "timezone: Europe/Kyiv", "timezone: Mars/Olympus", 1),
			one("a,town,30,50,1000,A"),
			[]string{`a.yaml:4:11: unknown time zone "Mars/Olympus": want an IANA name such as Europe/Kyiv or UTC`,
				`p.csv:2:3: unknown place kind "town": want one of oblast, city, region, site, country, area`}},
		{"path leaves the directory", withPlaces("../p.csv"), one("a,city,30,50,1000,A"),
			[]string{`a.yaml:15:9: places: path "../p.csv" must be relative to the agreement and stay inside its directory`}},
		{"path leaves the directory after cleaning", withPlaces("places/../../p.csv"), one("a,city,30,50,1000,A"),
			[]string{`a.yaml:15:9: places: path "places/../../p.csv" must be relative to the agreement and stay inside its directory`}},
		{"absolute path", withPlaces("/etc/passwd"), nil,
			[]string{`a.yaml:15:9: places: path "/etc/passwd" must be relative to the agreement and stay inside its directory`}},
		{"missing file", withPlaces("p.csv"), nil,
			[]string{`a.yaml:15:9: places: p.csv: cannot open: file does not exist`}},
		{"not a string", strings.Replace(withPlaces("p.csv"), "places: p.csv", "places: [p.csv]", 1), nil,
			[]string{`a.yaml:15:9: got array, want string (at places)`}},
		{"empty path", strings.Replace(withPlaces("p.csv"), "places: p.csv", "places: ''", 1), nil,
			[]string{`a.yaml:15:9: minLength: got 0, want 1 (at places)`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, problems(t, tt.src, tt.fs)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePlacesLimits(t *testing.T) {
	var rows strings.Builder
	rows.WriteString(placesHead)
	for i := range agreement.MaxPlaces + 1 {
		fmt.Fprintf(&rows, "p%06d,city,30,50,1000,A\n", i)
	}
	got := problems(t, withPlaces("p.csv"), map[string]string{"p.csv": rows.String()})
	want := []string{`p.csv:10002:1: more than 10000 places; the limit is 10000`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("too many rows: problems mismatch (-want +got):\n%s", diff)
	}

	big := placesHead + "a,city,30,50,1000," + strings.Repeat("A", agreement.MaxPlacesBytes) + "\n"
	got = problems(t, withPlaces("p.csv"), map[string]string{"p.csv": big})
	want = []string{`a.yaml:15:9: places: p.csv is larger than 4194304 bytes`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("too large: problems mismatch (-want +got):\n%s", diff)
	}
}

func TestBundlePlaces(t *testing.T) {
	fsys := fstest.MapFS{
		"dir/agreement.yaml": {Data: []byte(withPlaces("places/p.csv"))},
		"dir/places/p.csv":   {Data: []byte(placesHead + "a,city,30.5,50.45,20000,Київ|Kyiv\n")},
		"dir/places/x.csv":   {Data: []byte("not named, not bundled\n")},
	}
	b, a1, err := agreement.Bundle(fsys, "dir/agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a2, err := agreement.ParseBundle("stored", b)
	if err != nil {
		t.Fatal(err)
	}
	want := []truce.Place{{ID: "a", Kind: "city", Location: geo.Point{Lon: 30.5, Lat: 50.45}, RadiusMeters: 20000, Names: []string{"Київ", "Kyiv"}}}
	for _, got := range [][]truce.Place{a1.Places, a2.Places} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Places mismatch (-want +got):\n%s", diff)
		}
	}

	_, _, err = agreement.BundleBytes([]byte(withPlaces("places/p.csv")))
	if got, want := err.Error(), `upload/agreement.yaml:15:9: places: places/p.csv: cannot open: file does not exist`; got != want {
		t.Errorf("BundleBytes with a places file: error %q, want %q", got, want)
	}
}

func FuzzParsePlaces(f *testing.F) {
	f.Add(placesHead + "ua-kherson,city,32.62,46.64,15000,Херсон|Херсоні|Kherson\n")
	f.Add(placesHead + "a,city,30,50,1000,\"A\"B\n")
	f.Add(placesHead + "a,town,NaN,91,-1,Хер*сон||*\n")
	src := []byte(withPlaces("p.csv"))
	f.Fuzz(func(t *testing.T, csv string) {
		a, err := agreement.Parse("f.yaml", src, fstest.MapFS{"p.csv": {Data: []byte(csv)}})
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
		if a != nil {
			for _, pl := range a.Places {
				if !pl.Location.Valid() || len(pl.Names) == 0 {
					t.Fatalf("accepted an invalid place: %+v", pl)
				}
			}
		}
	})
}
