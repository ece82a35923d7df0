package sensor_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
	"truce/internal/importer"
	"truce/internal/sensor"
)

const firmsSample = "../importer/testdata/firms/firms_viirs_noaa20_nrt_ukraine_2025-08-11.csv"

// answer is one parsed line of Judge's output.
type answer struct {
	Line       int
	Lon, Lat   float64
	Time       string
	Site       string
	DistanceM  float64
	Zones      string
	Alert      bool
	FRP        float64
	Confidence string
}

// parseAnswers reads Judge's output.
func parseAnswers(t *testing.T, out []byte) []answer {
	t.Helper()
	if !bytes.HasPrefix(out, []byte(sensor.Header)) {
		t.Fatalf("output does not start with the header: %.100q", out)
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var res []answer
	for _, r := range recs[1:] {
		var a answer
		var errs [5]error
		a.Line, errs[0] = strconv.Atoi(r[0])
		a.Lon, errs[1] = strconv.ParseFloat(r[1], 64)
		a.Lat, errs[2] = strconv.ParseFloat(r[2], 64)
		a.Time, a.Site, a.Zones, a.Alert, a.Confidence = r[3], r[4], r[6], r[7] == "alert", r[9]
		if r[5] != "" {
			a.DistanceM, errs[3] = strconv.ParseFloat(r[5], 64)
		}
		a.FRP, errs[4] = strconv.ParseFloat(r[8], 64)
		if err := errors.Join(errs[:]...); err != nil || (r[7] != "" && r[7] != "alert") {
			t.Fatalf("bad answer %q: %v", r, err)
		}
		res = append(res, a)
	}
	return res
}

// oracle answers every good row of a FIRMS file the slow way: rows through
// importer.ReadHotspots, the nearest site through geo.PointIndex, zones
// through Agreement.InZone, and alerts by walking every phase's windows.
func oracle(t *testing.T, a *truce.Agreement, sites []truce.Site, data []byte) ([]answer, []string) {
	t.Helper()
	pts := make([]geo.Point, len(sites))
	for i := range sites {
		pts[i] = sites[i].Location
	}
	pix := geo.NewPointIndex(pts)
	radius := a.SiteRadiusMeters
	sched := adjudicate.Schedule(a)
	var res []answer
	var bad []string
	_, err := importer.ReadHotspots(bytes.NewReader(data), importer.Options{Format: importer.FormatFIRMS, File: "in.csv"},
		func(h *importer.Hotspot) error {
			an := answer{Line: h.Line, Lon: h.Location.Lon, Lat: h.Location.Lat, Time: h.Time.Format(time.RFC3339),
				FRP: h.FRPMegawatts, Confidence: h.Confidence}
			if i, d, ok := pix.Nearest(h.Location, radius); ok {
				an.Site, an.DistanceM = string(sites[i].ID), d
			}
			var zs []string
			for _, z := range a.Zones {
				if a.InZone(z.ID, h.Location, nil) {
					zs = append(zs, string(z.ID))
				}
			}
			an.Zones = strings.Join(zs, "|")
			pix.Within(h.Location, radius, func(i int, _ float64) bool {
				an.Alert = an.Alert || covered(a, sched, &sites[i], h.Time)
				return !an.Alert
			})
			res = append(res, an)
			return nil
		}, func(e importer.RowError) { bad = append(bad, e.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	return res, bad
}

// covered is the brute-force alert rule: some commitment of some phase in
// force at t under some reading covers the site's category, holds the site
// in one of its zones (after the reading's substitutions) and has no
// exception (without actions) matching it.
func covered(a *truce.Agreement, sched []adjudicate.PhaseSchedule, s *truce.Site, t time.Time) bool {
	cat := a.SiteCategory(s)
	for _, ps := range sched {
		for _, cm := range ps.Phase.Commitments {
			if !slices.ContainsFunc(cm.Categories, func(c truce.CategoryID) bool {
				return c == truce.CategoryAny || (cat != "" && c.Covers(cat))
			}) {
				continue
			}
			for _, w := range ps.Windows {
				if !w.Contains(t) {
					continue
				}
				in := slices.ContainsFunc(cm.Zones, func(z truce.ZoneID) bool { return a.InZone(z, s.Location, w.Zones) })
				for _, ex := range cm.Exceptions {
					if len(ex.Actions) == 0 &&
						(len(ex.Categories) == 0 || slices.ContainsFunc(ex.Categories, func(c truce.CategoryID) bool { return cat != "" && c.Covers(cat) })) &&
						(len(ex.Zones) == 0 || slices.ContainsFunc(ex.Zones, func(z truce.ZoneID) bool { return a.InZone(z, s.Location, w.Zones) })) {
						in = false
					}
				}
				if in {
					return true
				}
			}
		}
	}
	return false
}

// compareAnswers checks Judge's answers against the oracle's: exact ids,
// zones, alerts, times and confidences; coordinates and distances as
// rounded for output.
func compareAnswers(t *testing.T, got, want []answer) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d answers, oracle has %d", len(got), len(want))
	}
	bad := 0
	for i := range got {
		g, w := got[i], want[i]
		okNum := math.Abs(g.Lon-w.Lon) <= 5e-7+1e-12 && math.Abs(g.Lat-w.Lat) <= 5e-7+1e-12 &&
			math.Abs(g.DistanceM-w.DistanceM) <= 5e-4+1e-9 && g.FRP == w.FRP
		g.Lon, g.Lat, g.DistanceM = w.Lon, w.Lat, w.DistanceM
		if !okNum || g != w {
			t.Errorf("line %d: got %+v\nwant %+v", w.Line, got[i], want[i])
			if bad++; bad > 10 {
				t.FailNow()
			}
		}
	}
}

// judge runs sensor.Judge and collects output and bad rows.
func judge(t *testing.T, ix *sensor.Index, data []byte, opt sensor.Options) ([]byte, []string, sensor.Stats, error) {
	t.Helper()
	var out bytes.Buffer
	var bad []string
	opt.Bad = func(e importer.RowError) { bad = append(bad, e.Error()) }
	if opt.File == "" {
		opt.File = "in.csv"
	}
	st, err := sensor.Judge(context.Background(), bytes.NewReader(data), &out, ix, opt)
	return out.Bytes(), bad, st, err
}

// inForceOn returns a copy of a whose phases are all in force from day on,
// for every reading.
func inForceOn(a *truce.Agreement, day time.Time) *truce.Agreement {
	b := *a
	b.Phases = slices.Clone(a.Phases)
	for i := range b.Phases {
		ph := &b.Phases[i]
		ph.Start = truce.StartRule{Kind: truce.StartFixed, At: day}
		ph.End, ph.Duration = nil, 0
		ph.Readings = slices.Clone(ph.Readings)
		for k := range ph.Readings {
			ph.Readings[k].Start, ph.Readings[k].End = &day, nil
		}
	}
	return &b
}

// TestJudgeRealSample judges the 307 real VIIRS detections of 2025-08-11
// against the GPPD plants. None lies within 3 km of a plant; 36 lie within
// 10 km of one: 7.0 to 9.8 km from Kakhovka HPP, Dnipro HPP-2,
// Dniprodzerzhynsk HPP, the Priozernaya solar park and, near Enerhodar (FRP
// up to 69 MW), the Zaporizhzhia NPP and thermal power station. With a 10
// km radius they become alerts on those six plants. The bench agreement's
// moratorium ended in April 2025: the test puts it in force from 1 August
// 2025.
func TestJudgeRealSample(t *testing.T) {
	data, err := os.ReadFile(firmsSample)
	if err != nil {
		t.Fatal(err)
	}
	sites := MustSites(t)
	for _, tt := range []struct {
		radius       float64
		near, alerts int
		sites        []truce.SiteID
	}{
		{radius: 3000},
		{radius: 10_000, near: 36, alerts: 36, sites: []truce.SiteID{"WKS0061933", "WRI1005101", "WRI1005114", "WRI1005118", "WRI1005119", "WRI1005120"}},
	} {
		t.Run(fmt.Sprint(tt.radius), func(t *testing.T) {
			a := inForceOn(MustBenchAgreement(t), time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC))
			a.SiteRadiusMeters = tt.radius
			ix := sensor.NewIndex(a, sites)
			out, bad, st, err := judge(t, ix, data, sensor.Options{})
			if err != nil || len(bad) > 0 {
				t.Fatalf("err %v, bad %v", err, bad)
			}
			want, _ := oracle(t, a, sites, data)
			got := parseAnswers(t, out)
			compareAnswers(t, got, want)
			if st.Read != 307 || st.Accepted != 307 || st.Bytes != int64(len(data)) || st.InZone != 307 ||
				st.NearSite != tt.near || st.Alerts != tt.alerts {
				t.Errorf("stats %+v; want 307 rows in zones, %d near a site, %d alerts", st, tt.near, tt.alerts)
			}
			// The sensor alerts of the general path agree with the fast
			// path's alert column.
			var alerted []truce.SiteID
			_, err = importer.ReadHotspots(bytes.NewReader(data), importer.Options{}, func(h *importer.Hotspot) error {
				als := ix.Alerts(h)
				ans := got[slices.IndexFunc(got, func(a answer) bool { return a.Line == h.Line })]
				if (len(als) > 0) != ans.Alert {
					t.Errorf("line %d: %d alerts, fast path says %v", h.Line, len(als), ans.Alert)
				}
				for _, al := range als {
					if !slices.Contains(alerted, al.Site) {
						alerted = append(alerted, al.Site)
						t.Logf("line %d: %s (%s, %s) %.0f m, FRP %g MW, %s, pixel %.0f m: %+v",
							h.Line, al.Site, al.SiteName, al.Category, al.DistanceMeters, al.Hotspot.FRPMegawatts,
							al.Hotspot.Confidence, al.Hotspot.LocationPrecisionMeters(), al.InForce)
					}
					if al.DistanceMeters > ix.RadiusMeters() || len(al.InForce) == 0 || al.Hotspot.Line != h.Line {
						t.Errorf("line %d: bad alert %+v", h.Line, al)
					}
				}
				return nil
			}, nil)
			slices.Sort(alerted)
			if err != nil || !slices.Equal(alerted, tt.sites) {
				t.Errorf("err %v, alerts on %v, want %v", err, alerted, tt.sites)
			}
		})
	}
}

// synthFIRMS writes n FIRMS VIIRS rows the way bench/gensensors does (60%
// over 44-53°N, 22-41°E, 40% within 10 km of a site, times over March and
// April 2025), with the odd bad row, blank line and CRLF mixed in when
// messy is set.
func synthFIRMS(n int, sites []truce.Site, seed uint64, messy bool) []byte {
	rng := rand.New(rand.NewPCG(seed, 99))
	var b bytes.Buffer
	b.WriteString("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight\n")
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var p geo.Point
		switch {
		case rng.Float64() < 0.6:
			p = geo.Point{Lon: 22 + rng.Float64()*19, Lat: 44 + rng.Float64()*9}
		default:
			s := sites[rng.IntN(len(sites))].Location
			d, a := math.Sqrt(rng.Float64())*10_000, rng.Float64()*2*math.Pi
			p = geo.Point{Lon: s.Lon + d*math.Sin(a)/(111_320*math.Cos(s.Lat*math.Pi/180)), Lat: s.Lat + d*math.Cos(a)/110_574}
			if rng.IntN(20) == 0 {
				p = s // on the site
			}
		}
		tm := start.Add(time.Duration(rng.Int64N(int64(61*24*time.Hour))) / time.Minute * time.Minute)
		fmt.Fprintf(&b, "%.5f,%.5f,%.2f,%.2f,%.2f,%s,%s,N20,%s,2.0NRT,%.2f,%.2f,%s",
			p.Lat, p.Lon, 300+rng.Float64()*67, 0.32+rng.Float64()*0.5, 0.36+rng.Float64()*0.4,
			tm.Format("2006-01-02"), tm.Format("1504"), []string{"low", "nominal", "high"}[rng.IntN(3)],
			280+rng.Float64()*40, rng.Float64()*50, []string{"D", "N"}[rng.IntN(2)])
		if messy {
			switch rng.IntN(50) {
			case 0:
				b.WriteString(",extra")
			case 1:
				b.WriteString("\r")
			case 2:
				b.WriteString("\n")
			}
		}
		if i < n-1 || !messy {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func TestJudgeAgainstOracle(t *testing.T) {
	sites := MustSites(t)
	n := 30_000
	if testing.Short() || raceEnabled {
		n = 3000
	}
	for _, tt := range []struct {
		name  string
		agree func(testing.TB) *truce.Agreement
		messy bool
		opt   sensor.Options
	}{
		{name: "bench zones, clean, defaults", agree: MustBenchAgreement},
		{name: "bench zones, messy, small blocks, 3 workers", agree: MustBenchAgreement, messy: true, opt: sensor.Options{BlockBytes: 9000, Workers: 3}},
		{name: "scenario zones (exclusions, substitutions), messy, 1 worker", agree: MustScenario, messy: true, opt: sensor.Options{Workers: 1, BlockBytes: 50_000}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.agree(t)
			data := synthFIRMS(n, sites, 1, tt.messy)
			ix := sensor.NewIndex(a, sites)
			out, bad, st, err := judge(t, ix, data, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			want, wantBad := oracle(t, a, sites, data)
			compareAnswers(t, parseAnswers(t, out), want)
			if diff := cmp.Diff(wantBad, bad); diff != "" {
				t.Errorf("bad rows differ from ReadHotspots' (-ReadHotspots +Judge):\n%s", diff)
			}
			if st.Accepted != len(want) || st.Rejected != len(bad) || st.Read != st.Accepted+st.Rejected || st.Bytes != int64(len(data)) {
				t.Errorf("stats %+v, %d answers, %d bad", st, len(want), len(bad))
			}
			if tt.messy == (len(bad) == 0) {
				t.Errorf("%d bad rows", len(bad))
			}
			t.Logf("%+v", st)
		})
	}
}

// TestJudgeWhile builds the index while the rows are read: slowly, so that
// more blocks are parsed than MaxParseAhead lets wait, and the answers
// must still be the oracle's, in order.
func TestJudgeWhile(t *testing.T) {
	sites := MustSites(t)
	a := MustBenchAgreement(t)
	n := 20_000
	if raceEnabled {
		n = 4000
	}
	data := synthFIRMS(n, sites, 4, true)
	want, wantBad := oracle(t, a, sites, data)
	for _, delay := range []time.Duration{0, 200 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			var out bytes.Buffer
			var bad []string
			st, err := sensor.JudgeWhile(context.Background(), bytes.NewReader(data), &out, func() (*sensor.Index, error) {
				time.Sleep(delay)
				return sensor.NewIndex(a, sites), nil
			}, sensor.Options{File: "in.csv", BlockBytes: 9000, Bad: func(e importer.RowError) { bad = append(bad, e.Error()) }})
			if err != nil {
				t.Fatal(err)
			}
			compareAnswers(t, parseAnswers(t, out.Bytes()), want)
			if !slices.Equal(bad, wantBad) || st.Accepted != len(want) || st.Bytes != int64(len(data)) {
				t.Errorf("stats %+v, bad %v", st, bad)
			}
		})
	}
	t.Run("build fails", func(t *testing.T) {
		errBuild := errors.New("no agreement")
		_, err := sensor.JudgeWhile(context.Background(), bytes.NewReader(data), io.Discard, func() (*sensor.Index, error) {
			time.Sleep(50 * time.Millisecond)
			return nil, errBuild
		}, sensor.Options{BlockBytes: 9000})
		if !errors.Is(err, errBuild) {
			t.Errorf("err = %v, want the build error", err)
		}
	})
	t.Run("header only", func(t *testing.T) {
		var out bytes.Buffer
		st, err := sensor.JudgeWhile(context.Background(), bytes.NewReader(data[:bytes.IndexByte(data, '\n')+1]), &out, func() (*sensor.Index, error) {
			time.Sleep(20 * time.Millisecond)
			return sensor.NewIndex(a, sites), nil
		}, sensor.Options{})
		if err != nil || st.Read != 0 || out.String() != sensor.Header {
			t.Errorf("stats %+v, err %v, output %q", st, err, out.String())
		}
	})
}

func TestJudgeStrict(t *testing.T) {
	sites := MustSites(t)
	ix := sensor.NewIndex(MustBenchAgreement(t), sites)
	data := synthFIRMS(5000, sites, 2, false)
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines[3000] = []byte("1,2,3\n") // line 3001
	data = bytes.Join(lines, nil)
	out, bad, _, err := judge(t, ix, data, sensor.Options{Strict: true, BlockBytes: 10_000})
	var re importer.RowError
	if !errors.As(err, &re) || re.Line != 3001 || len(bad) != 0 {
		t.Fatalf("err %v, bad %v; want the row error of line 3001", err, bad)
	}
	got := parseAnswers(t, out)
	if len(got) != 2999 || got[len(got)-1].Line != 3000 {
		t.Errorf("%d answers before the bad row, last line %d; want 2999, line 3000", len(got), got[len(got)-1].Line)
	}
}

func TestJudgeInputs(t *testing.T) {
	sites := MustSites(t)
	ix := sensor.NewIndex(MustBenchAgreement(t), sites)
	hdr := "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight\n"
	row := "48.26382,37.21014,297.54,0.53,0.67,2025-03-20,0045,N20,nominal,2.0NRT,281.83,0.36,N"
	for _, tt := range []struct {
		name, input string
		lines       []int
		bad         []string
		err         string
	}{
		{name: "empty", input: "", err: "in.csv:1: empty input, no header"},
		{name: "blank", input: "\n\r\n\n", err: "in.csv:3: empty input, no header"},
		{name: "not FIRMS", input: "time,lon,lat\n", err: "in.csv:1: header: not a FIRMS header: it needs bright_ti4 and bright_ti5 (VIIRS) or brightness and bright_t31 (MODIS)"},
		{name: "header only, no line end", input: strings.TrimSuffix(hdr, "\n")},
		{name: "BOM, blank lines, CRLF, no final line end", input: "\xef\xbb\xbf\r\n" + strings.ReplaceAll(hdr, "\n", "\r\n") + row + "\r\n\r\n" + row,
			lines: []int{3, 5}},
		{name: "long line", input: hdr + strings.Repeat("9", 3<<20) + "\n" + row + "\n", lines: []int{3},
			bad: []string{"in.csv:2: line longer than 4096 bytes"}},
		{name: "long last line", input: hdr + row + "\n" + strings.Repeat("9", 3<<20), lines: []int{2},
			bad: []string{"in.csv:3: line longer than 4096 bytes"}},
		{name: "a Windows-1252 byte", input: hdr + strings.Replace(row, "N20", "N2\xe9", 1) + "\n" + row + "\n", lines: []int{3},
			bad: []string{"in.csv:2: not a FIRMS row: it has non-ASCII characters"}},
		{name: "line of 4097 bytes", input: hdr + row + strings.Repeat(" ", 4097-len(row)) + "\n" + row + strings.Repeat(" ", 4096-len(row)) + "\n",
			lines: []int{3}, bad: []string{"in.csv:2: line longer than 4096 bytes"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, bad, _, err := judge(t, ix, []byte(tt.input), sensor.Options{BlockBytes: 1 << 16})
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || truce.ErrorCode(err) != truce.EINVALID {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, a := range parseAnswers(t, out) {
				lines = append(lines, a.Line)
			}
			if !slices.Equal(lines, tt.lines) || !slices.Equal(bad, tt.bad) {
				t.Errorf("lines %v, bad %v; want %v, %v", lines, bad, tt.lines, tt.bad)
			}
			// ReadHotspots agrees on which lines are good.
			hs, hbad := []int(nil), []string(nil)
			_, err = importer.ReadHotspots(strings.NewReader(tt.input), importer.Options{File: "in.csv", Format: importer.FormatFIRMS},
				func(h *importer.Hotspot) error { hs = append(hs, h.Line); return nil },
				func(e importer.RowError) { hbad = append(hbad, e.Error()) })
			if err != nil || !slices.Equal(hs, lines) || !slices.Equal(hbad, bad) {
				t.Errorf("ReadHotspots: lines %v, bad %v, err %v", hs, hbad, err)
			}
		})
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestJudgeStops(t *testing.T) {
	sites := MustSites(t)
	ix := sensor.NewIndex(MustBenchAgreement(t), sites)
	rows := 20_000
	if raceEnabled {
		rows = 5000
	}
	data := synthFIRMS(rows, sites, 3, false)
	_, err := sensor.Judge(context.Background(), bytes.NewReader(data), &failWriter{n: 100_000}, ix, sensor.Options{BlockBytes: 20_000})
	if !errors.Is(err, errFull) {
		t.Errorf("writer error: got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err = sensor.Judge(ctx, bytes.NewReader(data), io.Discard, ix, sensor.Options{BlockBytes: 20_000, Progress: func(p sensor.Progress) {
		if calls++; calls == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	// Progress reaches the whole input, in order.
	var last sensor.Progress
	st, err := sensor.Judge(context.Background(), bytes.NewReader(data), io.Discard, ix, sensor.Options{BlockBytes: 20_000, Progress: func(p sensor.Progress) {
		if p.Bytes <= last.Bytes || p.Rows <= last.Rows {
			t.Errorf("progress went from %+v to %+v", last, p)
		}
		last = p
	}})
	if err != nil || last.Bytes != int64(len(data)) || last.Rows != rows || st.Read != rows {
		t.Errorf("progress %+v, stats %+v, err %v", last, st, err)
	}
}

// TestJudgeLayouts judges the other FIRMS layouts of the importer's test
// data (MODIS with percentage confidences, the archive layout with l/n/h)
// against the oracle.
func TestJudgeLayouts(t *testing.T) {
	sites := MustSites(t)
	a := MustBenchAgreement(t)
	ix := sensor.NewIndex(a, sites)
	for _, name := range []string{"modis_handwritten.csv", "viirs_archive_style.csv", "viirs_crlf_noeol.csv", "malformed.csv"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("../importer/testdata/firms/" + name)
			if err != nil {
				t.Fatal(err)
			}
			out, bad, _, err := judge(t, ix, data, sensor.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, wantBad := oracle(t, a, sites, data)
			compareAnswers(t, parseAnswers(t, out), want)
			if !slices.Equal(bad, wantBad) {
				t.Errorf("bad rows %v, want %v", bad, wantBad)
			}
		})
	}
}
