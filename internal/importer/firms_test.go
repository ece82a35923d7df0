package importer_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
	"truce/internal/importer"
)

const firmsSample = "firms/firms_viirs_noaa20_nrt_ukraine_2025-08-11.csv"

// readHotspots runs ReadHotspots over data and collects copies of the
// hotspots and the row errors.
func readHotspots(data []byte, opt importer.Options) ([]importer.Hotspot, []importer.RowError, importer.Stats, error) {
	var hs []importer.Hotspot
	var bad []importer.RowError
	st, err := importer.ReadHotspots(bytes.NewReader(data), opt,
		func(h *importer.Hotspot) error { hs = append(hs, *h); return nil },
		func(e importer.RowError) { bad = append(bad, e) })
	return hs, bad, st, err
}

func TestReadHotspotsRealSample(t *testing.T) {
	data := MustReadFile(t, firmsSample)
	hs, bad, st, err := readHotspots(data, importer.Options{File: "testdata/" + firmsSample})
	if err != nil || len(bad) > 0 {
		t.Fatalf("err %v, bad rows %v", err, errorStrings(bad))
	}
	if st != (importer.Stats{Read: 307, Accepted: 307}) || len(hs) != 307 {
		t.Fatalf("stats %+v, %d hotspots; want 307 rows", st, len(hs))
	}
	want := importer.Hotspot{
		Line: 2, Location: geo.Point{Lon: 37.21014, Lat: 48.26382}, Time: time.Date(2025, 8, 11, 0, 45, 0, 0, time.UTC),
		Instrument: "VIIRS", Satellite: "N20", Confidence: "nominal", Version: "2.0NRT", DayNight: "N", Type: -1,
		BrightnessKelvin: 297.54, Brightness2Kelvin: 281.83, ScanKm: 0.53, TrackKm: 0.67, FRPMegawatts: 0.36,
		Original: "48.26382,37.21014,297.54,0.53,0.67,2025-08-11,00:45:00,N20,nominal,2.0NRT,281.83,0.36,N,VIIRS",
	}
	if diff := cmp.Diff(want, hs[0]); diff != "" {
		t.Errorf("first hotspot mismatch (-want +got):\n%s", diff)
	}
	// Line 27 carries float noise in the source; it is kept exactly.
	if h := hs[25]; h.Line != 27 || h.Location.Lon != 32.943600000000004 {
		t.Errorf("line 27: %+v", h)
	}
	// The strongest fire of the day, in Crimea.
	var top importer.Hotspot
	for _, h := range hs {
		if h.FRPMegawatts > top.FRPMegawatts {
			top = h
		}
		if h.Time.Location() != time.UTC || h.Time.Second() != 0 || h.Time.Format("2006-01-02") != "2025-08-11" {
			t.Errorf("line %d: time %v", h.Line, h.Time)
		}
	}
	if top.FRPMegawatts != 133.4 || top.Location.Lat != 45.15097 || top.Time.Format("15:04") != "10:32" {
		t.Errorf("top FRP hotspot %+v", top)
	}
	if got, want := hs[0].LocationPrecisionMeters(), 500*math.Hypot(0.53, 0.67); got != want || math.Abs(got-427.14) > 0.01 {
		t.Errorf("LocationPrecisionMeters = %v, want %v (half the diagonal of a 530 x 670 m pixel)", got, want)
	}
	if s, tr := hs[0].PixelSizeMeters(); math.Abs(s-530) > 1e-9 || math.Abs(tr-670) > 1e-9 {
		t.Errorf("PixelSizeMeters = %v, %v", s, tr)
	}
}

func TestReadReportsFIRMS(t *testing.T) {
	data := MustReadFile(t, firmsSample)
	res := readReports(data, importer.Options{File: "sample.csv"}) // detected
	if res.err != nil || len(res.bad) > 0 || len(res.reports) != 307 {
		t.Fatalf("err %v, %d bad, %d reports", res.err, len(res.bad), len(res.reports))
	}
	r := res.reports[0]
	want := &truce.Report{
		ID: "sample.csv:2", Source: "firms", Outlet: "NASA FIRMS", File: "sample.csv", Line: 2,
		Original: "48.26382,37.21014,297.54,0.53,0.67,2025-08-11,00:45:00,N20,nominal,2.0NRT,281.83,0.36,N,VIIRS",
		Start:    time.Date(2025, 8, 11, 0, 45, 0, 0, time.UTC), End: time.Date(2025, 8, 11, 0, 46, 0, 0, time.UTC),
		Precision: truce.PrecisionMinute, Location: geo.Point{Lon: 37.21014, Lat: 48.26382},
		LocationPrecisionMeters: 500 * math.Hypot(0.53, 0.67), EventType: "firms viirs N20 nominal frp=0.36",
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("first report mismatch (-want +got):\n%s", diff)
	}
	for _, r := range res.reports {
		if len(r.Actions) > 0 || r.Category != "" || r.Fatalities != 0 || r.Perpetrator != "" {
			t.Errorf("%s: a fire is not an attack: %+v", r.ID, r)
		}
	}
	// Hotspot.Report gives the same report as ReadReports.
	hs, _, _, _ := readHotspots(data, importer.Options{File: "sample.csv"})
	for i := range hs {
		if diff := cmp.Diff(res.reports[i], hs[i].Report("dir/sample.csv")); diff != "" {
			t.Fatalf("line %d: Hotspot.Report differs from ReadReports (-read +Report):\n%s", hs[i].Line, diff)
		}
	}
	if r := hs[0].Report(""); r.ID != "stdin:2" || r.File != "" {
		t.Errorf("Report(\"\") id %q file %q", r.ID, r.File)
	}
}

func TestReadHotspotsLayouts(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	type brief struct {
		Line                         int
		Time                         time.Time
		Instrument, Satellite, Conf  string
		Type                         int
		Bright, Bright2, Scan, Track float64
		FRP                          float64
		DayNight, Version, EventType string
		PrecM                        float64
	}
	for _, tt := range []struct {
		file string
		want []brief
	}{
		{file: "firms/modis_handwritten.csv", want: []brief{
			{2, utc("2025-08-11 08:32"), "MODIS", "Terra", "87", 0, 339.6, 301.2, 1.1, 1.0, 95.4, "D", "6.1NRT", "firms modis Terra 87 frp=95.4", 500 * math.Hypot(1.1, 1)},
			{3, utc("2025-08-11 10:47"), "MODIS", "Aqua", "64", 0, 322.4, 299.8, 1.4, 1.2, 31.7, "D", "6.1NRT", "firms modis Aqua 64 frp=31.7", 500 * math.Hypot(1.4, 1.2)},
			{4, utc("2025-08-11 10:47"), "MODIS", "Aqua", "0", 2, 310.9, 296.1, 2.3, 1.5, 12.3, "D", "6.1NRT", "firms modis Aqua 0 frp=12.3", 500 * math.Hypot(2.3, 1.5)},
			{5, utc("2025-08-11 00:45"), "MODIS", "Terra", "100", 3, 305.2, 288.4, 4.8, 2, 7, "N", "6.1NRT", "firms modis Terra 100 frp=7", 500 * math.Hypot(4.8, 2)},
		}},
		{file: "firms/viirs_archive_style.csv", want: []brief{
			{2, utc("2025-03-20 00:45"), "VIIRS", "N", "nominal", 0, 297.54, 281.83, 0.53, 0.67, 0.36, "N", "2", "firms viirs N nominal frp=0.36", 500 * math.Hypot(0.53, 0.67)},
			{3, utc("2025-03-20 00:45"), "VIIRS", "1", "low", 0, 305.84, 285.82, 0.62, 0.72, 1.49, "N", "2", "firms viirs 1 low frp=1.49", 500 * math.Hypot(0.62, 0.72)},
			{4, utc("2025-03-20 10:32"), "VIIRS", "N", "high", 2, 367, 333.82, 0.39, 0.36, 99.8, "D", "2", "firms viirs N high frp=99.8", 500 * math.Hypot(0.39, 0.36)},
		}},
		{file: "firms/viirs_crlf_noeol.csv", want: []brief{
			{2, utc("2025-08-11 00:45"), "VIIRS", "N20", "nominal", -1, 297.54, 281.83, 0.53, 0.67, 0.36, "N", "2.0NRT", "firms viirs N20 nominal frp=0.36", 500 * math.Hypot(0.53, 0.67)},
			{4, utc("2025-08-11 00:45"), "VIIRS", "N20", "nominal", -1, 304.9, 285.79, 0.62, 0.72, 2.11, "N", "2.0NRT", "firms viirs N20 nominal frp=2.11", 500 * math.Hypot(0.62, 0.72)},
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data := MustReadFile(t, tt.file)
			if f, err := importer.DetectReports(data); err != nil || f != importer.FormatFIRMS {
				t.Fatalf("DetectReports = %q, %v", f, err)
			}
			hs, bad, _, err := readHotspots(data, importer.Options{})
			if err != nil || len(bad) > 0 {
				t.Fatalf("err %v, bad %v", err, errorStrings(bad))
			}
			var got []brief
			for _, h := range hs {
				got = append(got, brief{h.Line, h.Time, h.Instrument, h.Satellite, h.Confidence, h.Type,
					h.BrightnessKelvin, h.Brightness2Kelvin, h.ScanKm, h.TrackKm, h.FRPMegawatts, h.DayNight,
					h.Version, h.EventType(), h.LocationPrecisionMeters()})
				if strings.ContainsAny(h.Original, "\r\n") {
					t.Errorf("line %d: Original %q keeps its line end", h.Line, h.Original)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("hotspots mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadHotspotsMalformed(t *testing.T) {
	data := MustReadFile(t, "firms/malformed.csv")
	hs, bad, st, err := readHotspots(data, importer.Options{File: "malformed.csv"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`malformed.csv:3: column latitude: "abc" is not a number`,
		`malformed.csv:4: column longitude: 200.1 is out of range [-180, 180]`,
		`malformed.csv:5: column acq_date: "2025-02-30" is not a date (YYYY-MM-DD)`,
		`malformed.csv:6: column acq_time: "24:45:00" is not a time (HHMM or HH:MM[:SS])`,
		`malformed.csv:7: column confidence: "medium" is not low, nominal or high`,
		`malformed.csv:8: column scan: "0" is not a pixel size in km (0, 20]`,
		`malformed.csv:9: column frp: "-0.36" is negative`,
		`malformed.csv:10: wrong column count: 13 fields, header has 14`,
		`malformed.csv:11: column daynight: "X" is not D or N`,
		`malformed.csv:12: column instrument: "MODIS" in a VIIRS file`,
		`malformed.csv:14: column latitude: "\"48.26382\"" is not a number`,
	}
	if diff := cmp.Diff(want, errorStrings(bad)); diff != "" {
		t.Errorf("row errors mismatch (-want +got):\n%s", diff)
	}
	if len(hs) != 2 || hs[0].Line != 2 || hs[1].Line != 15 || st != (importer.Stats{Read: 13, Accepted: 2, Rejected: 11}) {
		t.Errorf("hotspots %d (lines %v), stats %+v", len(hs), hs, st)
	}
	for _, e := range bad {
		if truce.ErrorCode(e) != truce.EINVALID {
			t.Errorf("%v: code %q, want invalid", e, truce.ErrorCode(e))
		}
	}
	// Strict: the first bad row ends the read.
	_, _, _, err = readHotspots(data, importer.Options{File: "malformed.csv", Strict: true})
	var re importer.RowError
	if !errors.As(err, &re) || re.Line != 3 {
		t.Errorf("strict read: err %v, want the row error of line 3", err)
	}
}

func TestReadHotspotsHeaderErrors(t *testing.T) {
	for _, tt := range []struct {
		name, input, want string
	}{
		{"empty", "", "f:1: empty input, no header"},
		{"missing frp", "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,daynight\n",
			`f:1: header: missing column "frp" for format firms (VIIRS)`},
		{"mixed instruments", "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight\n",
			"f:1: header: not a FIRMS header: it needs bright_ti4 and bright_ti5 (VIIRS) or brightness and bright_t31 (MODIS)"},
		{"duplicate", "latitude,latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight\n",
			`f:1: header: duplicate column "latitude"`},
		{"blank lines first", "\n\nlatitude,longitude,acq_date,acq_time\n", "f:3: header: not a FIRMS header: it needs bright_ti4 and bright_ti5 (VIIRS) or brightness and bright_t31 (MODIS)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := readHotspots([]byte(tt.input), importer.Options{File: "f", Format: importer.FormatFIRMS})
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// Another format is refused.
	data := MustReadFile(t, "viina/viina_incidents_202503_extract.csv")
	if _, _, _, err := readHotspots(data, importer.Options{File: "v"}); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("VIINA read as FIRMS: err %v", err)
	}
}

// nines yields n bytes of '9' without holding them.
type nines struct{ n int }

func (r *nines) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = '9'
	}
	r.n -= k
	return k, nil
}

func TestReadHotspotsLongLine(t *testing.T) {
	r := io.MultiReader(
		strings.NewReader("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight\n"),
		&nines{n: 50 << 20},
		strings.NewReader("\n48.26382,37.21014,297.54,0.53,0.67,2025-08-11,0045,N20,nominal,2.0NRT,281.83,0.36,N\n"))
	var bad []string
	var lines []int
	st, err := importer.ReadHotspots(r, importer.Options{File: "long"}, func(h *importer.Hotspot) error {
		lines = append(lines, h.Line)
		return nil
	}, func(e importer.RowError) { bad = append(bad, e.Error()) })
	if err != nil || st.Accepted != 1 || !cmp.Equal(lines, []int{3}) || !cmp.Equal(bad, []string{"long:2: line longer than 4096 bytes"}) {
		t.Errorf("stats %+v, err %v, lines %v, bad %v", st, err, lines, bad)
	}
}

// TestFIRMSGolden checks the normalised report output of every FIRMS test
// file against testdata/golden (run with -update to rewrite).
func TestFIRMSGolden(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "firms", "*.csv"))
	if err != nil || len(names) == 0 {
		t.Fatal("no FIRMS test files", err)
	}
	for _, name := range names {
		rel, _ := filepath.Rel("testdata", name)
		t.Run(rel, func(t *testing.T) {
			data := MustReadFile(t, rel)
			res := readReports(data, importer.Options{Format: importer.FormatFIRMS, File: filepath.Base(rel)})
			got := goldenLines(t, res.events, res.stats, res.err)
			path := filepath.Join("testdata", "golden", strings.NewReplacer("/", "_", ".", "_").Replace(rel)+".jsonl")
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
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFIRMSParserDirect covers what the fast path of package sensor relies
// on: Parse without ReadHotspots.
func TestFIRMSParserDirect(t *testing.T) {
	p, err := importer.NewFIRMSParser([]byte("\xef\xbb\xbfLatitude , LONGITUDE,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight,extra\r"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Instrument() != "MODIS" {
		t.Errorf("Instrument = %q", p.Instrument())
	}
	var h importer.Hotspot
	if err := p.Parse([]byte(" 45.5 ,\t30.25,330,1,1,2024-02-29,2359,Aqua,50,6.1NRT,290,3.5,N,whatever\r"), &h); err != nil {
		t.Fatal(err)
	}
	if h.Location != (geo.Point{Lon: 30.25, Lat: 45.5}) || !h.Time.Equal(time.Date(2024, 2, 29, 23, 59, 0, 0, time.UTC)) || h.Confidence != "50" {
		t.Errorf("hotspot %+v", h)
	}
	for _, row := range []string{
		"45.5,30.25,330,1,1,2023-02-29,2359,Aqua,50,6.1NRT,290,3.5,N,x", // not a leap year
		"45.5,30.25,330,1,1,2024-02-29,2360,Aqua,50,6.1NRT,290,3.5,N,x",
		"45.5,30.25,330,1,1,2024-02-29,2359,Aqua,101,6.1NRT,290,3.5,N,x",
		"45.5,30.25,330,1,1,2024-02-29,2359,Aq ua,50,6.1NRT,290,3.5,N,x",
		"45.5,30.25,330,1,1,2024-02-29,2359,Aqua,50,6.1NRT,290,NaN,N,x",
		"45.5,30.25,330,1,1,2024-02-29,2359,Aqua,50,6.1NRT,290,1e999,N,x",
		"45.5,30.25,330,1,1,1899-12-31,2359,Aqua,50,6.1NRT,290,3.5,N,x",
		"45.5,30.25,330,1,1,2024-02-29,12:3,Aqua,50,6.1NRT,290,3.5,N,x",
		"45.5,30.25,330,1,1,2024-02-29,,Aqua,50,6.1NRT,290,3.5,N,x",
		"45.5,30.25,330,1,1,2024-02-29,2359,Aqua,50,6.1NRT,290,3.5,N,x,y",
		"45.5,30.25,330,1,1,2024-02-29,2359,Aqua,50,6.1NRT\xe9,290,3.5,N,x",
	} {
		if err := p.Parse([]byte(row), &h); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("Parse(%q) = %v, want an EINVALID error", row, err)
		}
	}
}

// FuzzReadFIRMS reads arbitrary input as FIRMS and checks the reader's
// invariants, and that ReadHotspots and ReadReports accept the same rows.
func FuzzReadFIRMS(f *testing.F) {
	addSeeds(f, "firms/*.csv")
	addNegZeroSeeds(f, importer.FormatFIRMS)
	f.Fuzz(func(t *testing.T, data []byte) {
		opt := importer.Options{Format: importer.FormatFIRMS, File: "fuzz"}
		checkReports(t, data, opt)
		hs, hbad, hst, herr := readHotspots(data, opt)
		res := readReports(data, opt)
		if hst != res.stats || len(hs) != len(res.reports) || len(hbad) != len(res.bad) || (herr == nil) != (res.err == nil) {
			t.Fatalf("ReadHotspots: %+v, %d, %d, %v; ReadReports: %+v, %d, %d, %v",
				hst, len(hs), len(hbad), herr, res.stats, len(res.reports), len(res.bad), res.err)
		}
		for i, h := range hs {
			r := res.reports[i]
			if r.Line != h.Line || r.Location != h.Location || !r.Start.Equal(h.Time) || r.Original != h.Original {
				t.Fatalf("hotspot %+v, report %+v", h, r)
			}
			if !h.Location.Valid() || h.ScanKm <= 0 || h.TrackKm <= 0 || h.FRPMegawatts < 0 || h.Time.Second() != 0 {
				t.Fatalf("hotspot out of range: %+v", h)
			}
		}
	})
}

func BenchmarkFIRMSParse(b *testing.B) {
	p, err := importer.NewFIRMSParser([]byte("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight"))
	if err != nil {
		b.Fatal(err)
	}
	row := []byte("48.84680,25.03909,364.21,0.75,0.62,2025-04-12,0333,N20,VIIRS,low,2.0NRT,290.04,3.16,N")
	var h importer.Hotspot
	b.SetBytes(int64(len(row)))
	for b.Loop() {
		if err := p.Parse(row, &h); err != nil {
			b.Fatal(err)
		}
	}
}
