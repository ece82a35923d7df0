package importer_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/importer"
)

// when is the time part of a report, for comparisons.
type when struct {
	Start, End time.Time
	Precision  truce.TimePrecision
}

func whenOf(r *truce.Report) when { return when{r.Start, r.End, r.Precision} }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadUCDP(t *testing.T) {
	data := MustReadFile(t, "ucdp/ucdp_ged_ukraine_extract.csv")
	if utf8.Valid(data) {
		t.Fatal("the UCDP extract should be Windows-1252, as the real file is")
	}
	res := readReports(data, importer.Options{Format: importer.FormatUCDP, File: "ucdp_ged_ukraine_extract.csv"})
	if res.err != nil || len(res.bad) != 0 {
		t.Fatalf("ReadReports: err %v, bad rows %v", res.err, errorStrings(res.bad))
	}
	if want := (importer.Stats{Read: 33, Accepted: 33}); res.stats != want {
		t.Errorf("stats = %+v, want %+v", res.stats, want)
	}

	t.Run("Windows1252", func(t *testing.T) {
		for _, tt := range []struct {
			name, id string
			get      func(*truce.Report) string
			want     string
		}{
			{name: "outlet with Ë", id: "464833", get: func(r *truce.Report) string { return r.Outlet }, want: "NOËL"},
			{name: "where_description with ’", id: "233458", get: func(r *truce.Report) string { return r.Text }, want: "Donetsk’s Kirov district"},
			{name: "headline with curly quotes", id: "449137", get: func(r *truce.Report) string { return r.Text }, want: "“its a slaughter”"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if got := tt.get(reportByID(t, res.reports, tt.id)); !strings.Contains(got, tt.want) {
					t.Errorf("got %q, want it to contain %q", got, tt.want)
				}
			})
		}
		for _, r := range res.reports {
			for _, s := range []string{r.Original, r.Text, r.Outlet, r.EventType, r.Place} {
				if !utf8.ValidString(s) {
					t.Errorf("report %s: invalid UTF-8 %q", r.ID, s)
				}
			}
		}
	})

	t.Run("Dates", func(t *testing.T) {
		for _, tt := range []struct {
			name, id string
			want     when
		}{
			{name: "1/22/2014 12:00:00 AM", id: "147997",
				want: when{utc("2014-01-21T22:00:00Z"), utc("2014-01-22T22:00:00Z"), truce.PrecisionDay}},
			{name: "09/01/2022 00:00 is 1 September, summer time", id: "446152",
				want: when{utc("2022-08-31T21:00:00Z"), utc("2022-09-01T21:00:00Z"), truce.PrecisionDay}},
			{name: "10/13/2014 12:00:00 AM", id: "155365",
				want: when{utc("2014-10-12T21:00:00Z"), utc("2014-10-13T21:00:00Z"), truce.PrecisionDay}},
			{name: "span of two days, date_prec 2", id: "446258",
				want: when{utc("2022-08-30T21:00:00Z"), utc("2022-09-01T21:00:00Z"), truce.PrecisionWeek}},
			{name: "date_prec 5, Feb to Sep 2022", id: "448644",
				want: when{utc("2022-02-23T22:00:00Z"), utc("2022-09-10T21:00:00Z"), truce.PrecisionYear}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, whenOf(reportByID(t, res.reports, tt.id))); diff != "" {
					t.Errorf("interval mismatch (-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("Dyad", func(t *testing.T) {
		r := reportByID(t, res.reports, "446152")
		got := []string{r.EventType, r.Actor1, r.Actor2}
		want := []string{"ucdp type_of_violence=1; dyad=Government of Russia (Soviet Union) - Government of Ukraine", "", ""}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("EventType, Actor1, Actor2 mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("MultiLineRecord", func(t *testing.T) {
		r := reportByID(t, res.reports, "154408")
		if !strings.Contains(r.Original, "\n") || !strings.HasPrefix(r.Original, "154408,") || !strings.HasSuffix(r.Original, ",369,") {
			t.Errorf("Original = %q, want the whole two-line record", r.Original)
		}
		next := res.reports[indexOf(res.reports, r)+1]
		if next.Line != r.Line+2 {
			t.Errorf("record after a two-line record at line %d starts at line %d, want %d", r.Line, next.Line, r.Line+2)
		}
	})
}

func indexOf(reps []*truce.Report, r *truce.Report) int {
	for i, x := range reps {
		if x == r {
			return i
		}
	}
	return -1
}

func TestReadACLED(t *testing.T) {
	res := readReports(MustReadFile(t, "acled/acled_ukraine_2025_synthetic.csv"), importer.Options{Format: importer.FormatACLED, File: "acled.csv"})
	if res.err != nil || len(res.bad) != 0 {
		t.Fatalf("ReadReports: err %v, bad rows %v", res.err, errorStrings(res.bad))
	}
	type summary struct {
		When      when
		Actions   []truce.Action
		EventType string
		Actor1    string
		Actor2    string
		Outlet    string
		PrecM     float64
	}
	for _, tt := range []struct {
		id   string
		want summary
	}{
		{id: "UKR215101", want: summary{
			When:    when{utc("2025-03-17T22:00:00Z"), utc("2025-03-18T22:00:00Z"), truce.PrecisionDay},
			Actions: []truce.Action{truce.ActionAirStrike}, EventType: "Explosions/Remote violence; Air/drone strike",
			Actor1: "Military Forces of Russia (2000-)", Actor2: "Civilians (Ukraine)", Outlet: "Suspilne; Ukrainska Pravda", PrecM: 2000}},
		{id: "RUS31202", want: summary{ // "21 March 2025"
			When:    when{utc("2025-03-20T22:00:00Z"), utc("2025-03-21T22:00:00Z"), truce.PrecisionDay},
			Actions: []truce.Action{truce.ActionShelling}, EventType: "Explosions/Remote violence; Shelling/artillery/missile attack",
			Actor1: "Military Forces of Ukraine (2019-)", Outlet: `TASS; RIA Novosti; "Ukrainska Pravda"`, PrecM: 2000}},
		{id: "UKR215104", want: summary{
			When:    when{utc("2025-03-20T22:00:00Z"), utc("2025-03-21T22:00:00Z"), truce.PrecisionDay},
			Actions: []truce.Action{truce.ActionSabotage}, EventType: "Explosions/Remote violence; Remote explosive/landmine/IED",
			Actor1: "Unidentified Armed Group (Ukraine)", Outlet: "Kharkiv Regional Military Administration", PrecM: 2000}},
		{id: "UKR215105", want: summary{
			When:    when{utc("2025-03-21T22:00:00Z"), utc("2025-03-22T22:00:00Z"), truce.PrecisionDay},
			Actions: []truce.Action{truce.ActionGroundAttack}, EventType: "Battles; Armed clash",
			Actor1: "Military Forces of Russia (2000-)", Actor2: "Military Forces of Ukraine (2019-)",
			Outlet: "General Staff of the Armed Forces of Ukraine", PrecM: 15000}},
		{id: "UKR215106", want: summary{ // time_precision 2: 21..27 March, across the DST change
			When:    when{utc("2025-03-20T22:00:00Z"), utc("2025-03-27T22:00:00Z"), truce.PrecisionWeek},
			Actions: []truce.Action{truce.ActionAirStrike}, EventType: "Explosions/Remote violence; Air/drone strike",
			Actor1: "Military Forces of Russia (2000-)", Outlet: "Zaporizhzhia Regional Military Administration", PrecM: 2000}},
		{id: "UKR215111", want: summary{ // "30 March 2025", Attack
			When:    when{utc("2025-03-29T22:00:00Z"), utc("2025-03-30T21:00:00Z"), truce.PrecisionDay},
			Actions: []truce.Action{truce.ActionGroundAttack}, EventType: "Violence against civilians; Attack",
			Actor1: "Military Forces of Russia (2000-)", Actor2: "Civilians (Ukraine)", Outlet: "Kherson Regional Military Administration", PrecM: 2000}},
		{id: "UKR215112", want: summary{ // time_precision 3, no action
			When:      when{utc("2025-02-28T22:00:00Z"), utc("2025-03-31T21:00:00Z"), truce.PrecisionMonth},
			EventType: "Strategic developments; Disrupted weapons use",
			Actor1:    "Military Forces of Ukraine (2019-)", Actor2: "Military Forces of Russia (2000-)", Outlet: "Air Force of Ukraine", PrecM: 50000}},
	} {
		t.Run(tt.id, func(t *testing.T) {
			r := reportByID(t, res.reports, tt.id)
			got := summary{whenOf(r), r.Actions, r.EventType, r.Actor1, r.Actor2, r.Outlet, r.LocationPrecisionMeters}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("report mismatch (-want +got):\n%s", diff)
			}
			if r.Source != "acled" || r.SourceID != tt.id || r.File != "acled.csv" {
				t.Errorf("provenance = %q %q %q, want acled %s acled.csv", r.Source, r.SourceID, r.File, tt.id)
			}
		})
	}

	t.Run("MultiLineNotes", func(t *testing.T) {
		r := reportByID(t, res.reports, "UKR215107")
		if want := "a \"civilian infrastructure object\" and shops.\n14 civilians were injured."; !strings.HasSuffix(r.Text, want) {
			t.Errorf("Text = %q, want suffix %q", r.Text, want)
		}
		if r.Line != 10 || strings.Count(r.Original, "\n") != 1 || !strings.HasPrefix(r.Original, "UKR215107,2025-03-25,") {
			t.Errorf("Line %d, Original %q: want line 10 and the two-line record", r.Line, r.Original)
		}
		if next := reportByID(t, res.reports, "UKR215108"); next.Line != 12 {
			t.Errorf("next record at line %d, want 12", next.Line)
		}
	})
}

func TestReadVIINA(t *testing.T) {
	data := MustReadFile(t, "viina/viina_incidents_202503_extract.csv")
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Fatal("the VIINA extract should start with a BOM, as the real file does")
	}
	res := readReports(data, importer.Options{Format: importer.FormatVIINA, File: "viina_incidents_202503_extract.csv"})
	if res.err != nil || len(res.bad) != 0 {
		t.Fatalf("ReadReports: err %v, bad rows %v", res.err, errorStrings(res.bad))
	}
	first := res.reports[0]
	if first.ID != "viina_incidents_202503_extract.csv:2" || first.Line != 2 || !strings.HasPrefix(first.Original, `"2025-03-01 00:00:00","37.70336"`) {
		t.Errorf("first report: ID %q, line %d, Original %.40q", first.ID, first.Line, first.Original)
	}
	if first.Source != "viina" || first.Outlet != "" || first.SourceID != "" || first.LocationPrecisionMeters != 2000 {
		t.Errorf("first report: source %q outlet %q source id %q precision %g", first.Source, first.Outlet, first.SourceID, first.LocationPrecisionMeters)
	}

	t.Run("Actions", func(t *testing.T) {
		for _, tt := range []struct {
			eventType string
			want      []truce.Action
		}{
			{eventType: "airstrike|property|civcas", want: []truce.Action{truce.ActionAirStrike}},
			{eventType: "raid|property", want: []truce.Action{truce.ActionGroundAttack}},
			{eventType: "ied|raid|property", want: []truce.Action{truce.ActionSabotage, truce.ActionGroundAttack}},
			{eventType: "uav|artillery|property|civcas", want: []truce.Action{truce.ActionDroneAttack, truce.ActionShelling}},
			{eventType: "arresb", want: nil},
			{eventType: "firefighb", want: nil},
			{eventType: "", want: nil},
		} {
			t.Run(tt.eventType, func(t *testing.T) {
				for _, r := range res.reports {
					if r.EventType == tt.eventType {
						if diff := cmp.Diff(tt.want, r.Actions); diff != "" {
							t.Errorf("Actions mismatch (-want +got):\n%s", diff)
						}
						return
					}
				}
				t.Fatalf("no report with event_type %q", tt.eventType)
			})
		}
	})

	t.Run("MinutePrecision", func(t *testing.T) {
		// "2025-03-30 02:05:00" is before the 03:00 switch, still UTC+2.
		for _, r := range res.reports {
			if strings.HasPrefix(r.Original, `"2025-03-30 02:05:00"`) {
				want := when{utc("2025-03-30T00:05:00Z"), utc("2025-03-30T00:06:00Z"), truce.PrecisionMinute}
				if diff := cmp.Diff(want, whenOf(r)); diff != "" {
					t.Errorf("interval mismatch (-want +got):\n%s", diff)
				}
				return
			}
		}
		t.Fatal("no 02:05 report")
	})

	t.Run("DuplicateRowsKeepDistinctIDs", func(t *testing.T) {
		n := len(res.reports)
		a, b := res.reports[n-2], res.reports[n-1]
		if a.Original != b.Original || a.ID == b.ID {
			t.Errorf("last two rows: originals equal %v, ids %q %q", a.Original == b.Original, a.ID, b.ID)
		}
	})
}

// TestDayIntervalAcrossDST checks that a date-only report covers its whole
// local day, 23 hours on 2025-03-30 and 25 on 2025-10-26 in Europe/Kyiv.
func TestDayIntervalAcrossDST(t *testing.T) {
	const acledHeader = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
	acledRow := func(date string) string {
		return acledHeader + "UKR1," + date + ",2025,1,Political violence,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),,State forces,,,,State forces only,,804,Europe,Ukraine,Kharkivska,Kharkivskyi,Kharkivska,Kharkiv,49.9935,36.2304,1,Suspilne,National,notes,0,,1742912113\n"
	}
	spring := when{utc("2025-03-29T22:00:00Z"), utc("2025-03-30T21:00:00Z"), truce.PrecisionDay}
	autumn := when{utc("2025-10-25T21:00:00Z"), utc("2025-10-26T22:00:00Z"), truce.PrecisionDay}
	for _, tt := range []struct {
		name   string
		format importer.Format
		tz     *time.Location
		input  string
		want   when
	}{
		{name: "acled spring", format: importer.FormatACLED, input: acledRow("2025-03-30"), want: spring},
		{name: "acled spring, long date", format: importer.FormatACLED, input: acledRow("30 March 2025"), want: spring},
		{name: "acled autumn", format: importer.FormatACLED, input: acledRow("2025-10-26"), want: autumn},
		{name: "viina spring", format: importer.FormatVIINA,
			input: "datetime,lon,lat,place_name,event_type,headline\n2025-03-30 00:00:00,36.2304,49.9935,Kharkiv,uav,h\n", want: spring},
		{name: "viina minute after the switch", format: importer.FormatVIINA,
			input: "datetime,lon,lat,place_name,event_type,headline\n2025-03-30 04:16:00,36.2304,49.9935,Kharkiv,uav,h\n",
			want:  when{utc("2025-03-30T01:16:00Z"), utc("2025-03-30T01:17:00Z"), truce.PrecisionMinute}},
		{name: "truce-csv date", format: importer.FormatTruceCSV, input: "time,lon,lat\n2025-03-30,36.2304,49.9935\n", want: spring},
		{name: "truce-csv date, autumn", format: importer.FormatTruceCSV, input: "time,lon,lat\n2025-10-26,36.2304,49.9935\n", want: autumn},
		{name: "truce-csv date, TZ UTC", format: importer.FormatTruceCSV, tz: time.UTC, input: "time,lon,lat\n2025-03-30,36.2304,49.9935\n",
			want: when{utc("2025-03-30T00:00:00Z"), utc("2025-03-31T00:00:00Z"), truce.PrecisionDay}},
		{name: "truce-csv time widened to its own day", format: importer.FormatTruceCSV,
			input: "time,time_precision,lon,lat\n2025-03-30T12:00:00+03:00,day,36.2304,49.9935\n",
			want:  when{utc("2025-03-29T21:00:00Z"), utc("2025-03-30T21:00:00Z"), truce.PrecisionDay}},
		{name: "truce-json date", format: importer.FormatTruceJSON, input: `{"time":"2025-03-30","lon":36.2304,"lat":49.9935}` + "\n", want: spring},
		{name: "ucdp", format: importer.FormatUCDP,
			input: "id,type_of_violence,side_a,side_b,source_office,source_headline,where_prec,where_description,latitude,longitude,date_prec,date_start,date_end,best\n" +
				"1,1,A,B,o,h,1,w,49.9935,36.2304,1,3/30/2025 12:00:00 AM,03/30/2025 00:00,0\n", want: spring},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := readReports([]byte(tt.input), importer.Options{Format: tt.format, File: "dst", TZ: tt.tz})
			if res.err != nil || len(res.reports) != 1 {
				t.Fatalf("ReadReports: err %v, %d reports, bad rows %v", res.err, len(res.reports), errorStrings(res.bad))
			}
			if diff := cmp.Diff(tt.want, whenOf(res.reports[0])); diff != "" {
				t.Errorf("interval mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadTruceFormats(t *testing.T) {
	// The same reports in the three own formats read the same, apart from
	// provenance.
	csvRes := readReports(MustReadFile(t, "truce/reports.csv"), importer.Options{Format: importer.FormatTruceCSV, File: "reports.csv"})
	jsonRes := readReports(MustReadFile(t, "truce/reports.jsonl"), importer.Options{Format: importer.FormatTruceJSON, File: "reports.jsonl"})
	geoRes := readReports(MustReadFile(t, "truce/reports.geojson"), importer.Options{Format: importer.FormatTruceGeoJSON, File: "reports.geojson"})
	for _, res := range []reportResult{csvRes, jsonRes, geoRes} {
		if res.err != nil {
			t.Fatal(res.err)
		}
	}
	ignore := func(r *truce.Report) truce.Report {
		c := *r
		c.File, c.Line, c.Original, c.Actor1, c.EventType, c.Outlet, c.Text, c.LocationPrecisionMeters, c.Place, c.Category = "", 0, "", "", "", "", "", 0, "", ""
		return c
	}
	for _, id := range []string{"ua-mod-2025-03-18-01", "ru-mod-2025-03-19-01"} {
		want := ignore(reportByID(t, csvRes.reports, id))
		for name, res := range map[string]reportResult{"json": jsonRes, "geojson": geoRes} {
			if diff := cmp.Diff(want, ignore(reportByID(t, res.reports, id))); diff != "" {
				t.Errorf("%s %s mismatch with CSV (-csv +%s):\n%s", name, id, name, diff)
			}
		}
	}

	t.Run("FallbackIDs", func(t *testing.T) {
		got := []truce.ReportID{csvRes.reports[2].ID, jsonRes.reports[2].ID, geoRes.reports[2].ID}
		want := []truce.ReportID{"reports.csv:4", "reports.jsonl:4", "reports.geojson:feature-3"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("fallback ids mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("ActionsDeduped", func(t *testing.T) {
		want := []truce.Action{truce.ActionShelling, truce.ActionSabotage}
		if diff := cmp.Diff(want, csvRes.reports[2].Actions); diff != "" {
			t.Errorf("Actions mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("Array", func(t *testing.T) {
		res := readReports(MustReadFile(t, "truce/reports_array.json"), importer.Options{Format: importer.FormatTruceJSON, File: "reports_array.json"})
		if res.err != nil {
			t.Fatal(res.err)
		}
		got := []any{res.reports[0].ID, res.reports[0].Line, res.reports[1].ID, res.reports[1].Line, errorStrings(res.bad)}
		want := []any{truce.ReportID("iaea-2025-04-17"), 2, truce.ReportID("reports_array.json:15"), 15,
			[]string{"reports_array.json:18: field actions: JSON string where an array was expected"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
}

// TestMalformedRows checks that bad rows are reported with FILE:LINE and a
// clear message, skipped, and that the rows after them are still read.
func TestMalformedRows(t *testing.T) {
	for _, tt := range []struct {
		input    string
		format   importer.Format
		wantBad  []string
		wantGood []int // lines of the accepted rows
	}{
		{input: "acled/malformed.csv", format: importer.FormatACLED, wantBad: []string{
			`malformed.csv:3: column latitude: "abc" is not a number`,
			`malformed.csv:4: column event_date: "2025-02-30" is not a date`,
			`malformed.csv:5: wrong column count: 28 fields, header (line 1) has 31`,
			`malformed.csv:6: column longitude: 187.1815 is out of range [-180, 180]`,
			`malformed.csv:7: column time_precision: "4" is not 1, 2 or 3`,
			`malformed.csv:9: column geo_precision: "0" is not 1, 2 or 3`,
			`malformed.csv:10: column event_date: "31 Febtember 2025" is not a date`,
			`malformed.csv:11: column fatalities: "four" is not a non-negative integer`,
			`malformed.csv:12: malformed CSV: extraneous or missing " in quoted-field (at column 302)`,
			`malformed.csv:14: duplicate id "UKR215101" (first at line 2)`,
		}, wantGood: []int{2, 13, 15}},
		{input: "ucdp/malformed.csv", format: importer.FormatUCDP, wantBad: []string{
			`malformed.csv:3: column latitude: "abc" is not a number`,
			`malformed.csv:4: column date_start: "13/45/2022 12:00:00 AM" is not a date`,
			`malformed.csv:5: wrong column count: 48 fields, header (line 1) has 49`,
			`malformed.csv:6: column longitude: 230.5 is out of range [-180, 180]`,
			`malformed.csv:9: column where_prec: "9" is not 1 to 7`,
			`malformed.csv:11: column date_end: "04/30/2014 00:00" is before date_start "05/02/2014 00:00"`,
			`malformed.csv:13: duplicate id "449137" (first at line 2)`,
		}, wantGood: []int{2, 7, 12}},
		{input: "viina/malformed.csv", format: importer.FormatVIINA, wantBad: []string{
			`malformed.csv:3: column lat: "abc" is not a number`,
			`malformed.csv:4: column datetime: "2025-02-30 00:00:00" is not a date and time`,
			`malformed.csv:5: wrong column count: 5 fields, header (line 1) has 6`,
			`malformed.csv:6: column lon: 200.1 is out of range [-180, 180]`,
			`malformed.csv:7: column lat: missing value`,
		}, wantGood: []int{2, 8}},
		{input: "truce/reports.jsonl", format: importer.FormatTruceJSON, wantBad: []string{
			`reports.jsonl:5: field lat: JSON string where a number was expected`,
			`reports.jsonl:6: unknown field "latitude"`,
			`reports.jsonl:7: malformed JSON: unexpected end of input`,
			`reports.jsonl:8: field lon: missing value`,
		}, wantGood: []int{1, 2, 4, 9}},
	} {
		t.Run(tt.input, func(t *testing.T) {
			res := readReports(MustReadFile(t, tt.input), importer.Options{Format: tt.format, File: "x/" + tt.input[strings.Index(tt.input, "/")+1:]})
			if res.err != nil {
				t.Fatalf("ReadReports: %v", res.err)
			}
			if diff := cmp.Diff(tt.wantBad, errorStrings(res.bad)); diff != "" {
				t.Errorf("row errors mismatch (-want +got):\n%s", diff)
			}
			var lines []int
			for _, r := range res.reports {
				lines = append(lines, r.Line)
			}
			if diff := cmp.Diff(tt.wantGood, lines); diff != "" {
				t.Errorf("accepted lines mismatch (-want +got):\n%s", diff)
			}
			want := importer.Stats{Read: len(tt.wantBad) + len(tt.wantGood), Accepted: len(tt.wantGood), Rejected: len(tt.wantBad)}
			if res.stats != want {
				t.Errorf("stats = %+v, want %+v", res.stats, want)
			}
			for _, e := range res.bad {
				if truce.ErrorCode(e) != truce.EINVALID {
					t.Errorf("%v: code %q, want %q", e, truce.ErrorCode(e), truce.EINVALID)
				}
			}
		})
	}
}

func TestStrict(t *testing.T) {
	called := false
	var emitted int
	stats, err := importer.ReadReports(bytes.NewReader(MustReadFile(t, "acled/malformed.csv")),
		importer.Options{Format: importer.FormatACLED, File: "malformed.csv", Strict: true},
		func(*truce.Report) error { emitted++; return nil },
		func(importer.RowError) { called = true })
	var re importer.RowError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a RowError", err)
	}
	got := []any{re.Error(), re.Line, stats, emitted, called, truce.ErrorCode(err)}
	want := []any{`malformed.csv:3: column latitude: "abc" is not a number`, 3, importer.Stats{Read: 2, Accepted: 1, Rejected: 1}, 1, false, truce.EINVALID}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("strict read mismatch (-want +got):\n%s", diff)
	}
}

func TestEmitErrorAborts(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	stats, err := importer.ReadReports(bytes.NewReader(MustReadFile(t, "viina/viina_incidents_202504_extract.csv")),
		importer.Options{Format: importer.FormatVIINA}, func(*truce.Report) error { n++; return stop }, nil)
	if !errors.Is(err, stop) || n != 1 || stats != (importer.Stats{Read: 1, Accepted: 1}) {
		t.Errorf("got err %v, %d emits, stats %+v; want stop after 1", err, n, stats)
	}
}

func TestFatalErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		format importer.Format
		input  string
		want   string
	}{
		{name: "missing column", format: importer.FormatVIINA, input: "datetime,lon,place_name,event_type,headline\n2025-03-30 00:00:00,36.2,x,,h\n",
			want: `f.csv:1: header: missing column "lat" for format viina`},
		{name: "empty input", format: importer.FormatACLED, input: "", want: "f.csv:1: empty input, no header"},
		{name: "unknown own column", format: importer.FormatTruceCSV, input: "time,lon,lat,latitude\n",
			want: `f.csv:1: header: unknown column "latitude" (truce-csv columns are id,time,time_precision,lon,lat,location_precision_m,place,source,outlet,perpetrator,actions,category,site,actor1,actor2,event_type,text,fatalities)`},
		{name: "duplicate column", format: importer.FormatTruceCSV, input: "time,lon,lat,LAT\n", want: `f.csv:1: header: duplicate column "lat"`},
		{name: "broken JSON array", format: importer.FormatTruceJSON, input: "[\n{\"time\":\"2025-03-30\",\"lon\":1,\"lat\":2},\n{\"time\": oops}\n]",
			want: "f.csv:3: malformed JSON: invalid character 'o' looking for beginning of value"},
		{name: "GeoJSON not a collection", format: importer.FormatTruceGeoJSON, input: `{"type":"Feature","geometry":null}`,
			want: `f.csv:1: GeoJSON type is "Feature", want "FeatureCollection"`},
		{name: "GeoJSON without features", format: importer.FormatTruceGeoJSON, input: `{"type":"FeatureCollection"}`,
			want: `f.csv:1: GeoJSON FeatureCollection has no features array`},
		{name: "site format for reports", format: importer.FormatGPPD, input: "x\n",
			want: `f.csv: format "gppd" is not one of [truce-csv truce-json truce-geojson acled ucdp-ged viina cir firms]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := readReports([]byte(tt.input), importer.Options{Format: tt.format, File: "f.csv"})
			got := "<nil>"
			if res.err != nil {
				got = res.err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEncoding checks per-line decoding: Windows-1252 lines among UTF-8
// ones, and lines longer than the reader's buffer with multi-byte runes
// across the buffer boundary.
func TestEncoding(t *testing.T) {
	long := strings.Repeat("Харків ", 20000) // 260,000 bytes, odd rune boundaries
	var in bytes.Buffer
	in.WriteString("\xEF\xBB\xBFdatetime,lon,lat,place_name,event_type,headline\n")
	in.WriteString("2025-03-30 00:00:00,36.2304,49.9935,Kharkiv,,\"" + long + "\"\n")
	in.WriteString("2025-03-30 00:00:00,36.2304,49.9935,Donetsk\x92s,,NO\xCBL\n") // Windows-1252
	in.WriteString("2025-03-30 00:00:00,36.2304,49.9935,Dnipro,," + strings.Repeat("x\x92", 70000) + "\n")
	res := readReports(in.Bytes(), importer.Options{Format: importer.FormatVIINA})
	if res.err != nil || len(res.reports) != 3 {
		t.Fatalf("err %v, %d reports, bad %v", res.err, len(res.reports), errorStrings(res.bad))
	}
	got := []string{res.reports[0].Text, res.reports[1].Place, res.reports[1].Text, res.reports[2].Place, res.reports[2].Text[:8], string(res.reports[0].ID)}
	want := []string{strings.TrimSpace(long), "Donetsk’s", "NOËL", "Dnipro", "x’x’", "stdin:2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoding mismatch (-want +got):\n%.2000s", diff)
	}
}

// TestBufferSizes checks that an input read through a reader that says
// its length (and gets a buffer of that size) gives what the same input
// gives through one that does not (and gets headSize): reports, bad rows
// and stats, in every format, with lines longer than either buffer and
// Windows-1252 text.
func TestBufferSizes(t *testing.T) {
	var inputs []string
	for _, dir := range []string{"acled", "cir", "firms", "truce", "ucdp", "viina"} {
		names, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if filepath.Ext(n) != ".md" {
				inputs = append(inputs, n)
			}
		}
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d inputs: %v", len(inputs), inputs)
	}
	read := func(r io.Reader, opt importer.Options) reportResult {
		var res reportResult
		res.stats, res.err = importer.ReadReports(r, opt,
			func(r *truce.Report) error { res.events = append(res.events, r); return nil },
			func(e importer.RowError) { res.events = append(res.events, e.Error()) })
		return res
	}
	check := func(t *testing.T, data []byte, opt importer.Options) {
		sized := read(bytes.NewReader(data), opt)
		opaque := read(struct{ io.Reader }{bytes.NewReader(data)}, opt)
		if fmt.Sprint(sized.err) != fmt.Sprint(opaque.err) || sized.stats != opaque.stats {
			t.Fatalf("sized: %v %+v, opaque: %v %+v", sized.err, sized.stats, opaque.err, opaque.stats)
		}
		if diff := cmp.Diff(opaque.events, sized.events); diff != "" {
			t.Errorf("sized reader differs (-opaque +sized):\n%.3000s", diff)
		}
		if sized.stats.Read == 0 {
			t.Error("nothing read")
		}
	}
	for _, n := range inputs {
		t.Run(filepath.Base(filepath.Dir(n))+"/"+filepath.Base(n), func(t *testing.T) {
			data, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			check(t, data, importer.Options{File: filepath.Base(n)})
		})
	}
	t.Run("long lines and Windows-1252", func(t *testing.T) {
		var in bytes.Buffer
		in.WriteString("datetime,lon,lat,place_name,event_type,headline\n")
		in.WriteString("2025-03-30 00:00:00,36.2304,49.9935,Kharkiv,,\"" + strings.Repeat("Харків ", 20000) + "\"\n")
		in.WriteString("2025-03-30 00:00:00,36.2304,49.9935,Donetsk\x92s,,NO\xCBL\n")
		in.WriteString("2025-03-30 00:00:00,36.2304,49.9935,Dnipro,," + strings.Repeat("x\x92", 70000) + "\n")
		check(t, in.Bytes(), importer.Options{Format: importer.FormatVIINA})
	})
	t.Run("one API report", func(t *testing.T) {
		check(t, []byte(`{"id":"r-1","time":"2025-04-02","lon":30.5,"lat":50.4,"text":"shelling near a substation","source":"api"}`),
			importer.Options{Format: importer.FormatTruceJSON, File: "body", Strict: true})
	})
}
