package report

import (
	"bytes"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/i18n"
)

// mapTestAgreement has one zone, a triangle over Ukraine from Kyiv to
// Kharkiv to Odesa.
const mapTestAgreement = `truce: 1
id: maptest
title: Map test
timezone: Europe/Kyiv
parties:
  - {id: RU, name: Russia}
  - {id: UA, name: Ukraine}
zones:
  - id: z
    name: Zone
    geometry: {type: Polygon, coordinates: [[[30, 50.8], [30.5, 46], [37, 50.3], [30, 50.8]]]}
categories:
  - id: energy
phases:
  - id: p
    name: Phase
    start: {at: 2025-03-18}
    commitments:
      - id: c
        description: No attacks on energy.
        bound: [RU]
        prohibits: [attack]
        targets: [energy]
        zones: [z]
`

var (
	kyiv    = geo.Point{Lon: 30.52, Lat: 50.45}
	kharkiv = geo.Point{Lon: 36.23, Lat: 49.99}
	odesa   = geo.Point{Lon: 30.73, Lat: 46.48}
	madrid  = geo.Point{Lon: -3.7, Lat: 40.4}
)

// MustMapData is a summary of four reports, three inside the zone and one
// stray report in Madrid.
func MustMapData(tb testing.TB) *ReportData {
	tb.Helper()
	a, err := agreement.Parse("maptest.yaml", []byte(mapTestAgreement), nil)
	if err != nil {
		tb.Fatal(err)
	}
	s := NewSummary(a, 1)
	at := time.Date(2025, 3, 26, 10, 0, 0, 0, time.UTC)
	for _, r := range []truce.Report{
		{ID: "r-kyiv", Place: "Kyiv", Location: kyiv},
		{ID: "r-kharkiv", Place: "Kharkiv", Location: kharkiv},
		{ID: "r-odesa", Location: odesa},
		{ID: "r-madrid", Place: "Madrid", Location: madrid},
	} {
		r.Start, r.End = at, at
		s.Add(&r, &truce.Judgement{Outcome: truce.OutcomeUndetermined})
	}
	return &ReportData{Summary: s}
}

// TestMapExtentIgnoresStrayReport checks that a report far outside the
// agreement's zones (Madrid) does not widen the map: the extent is that
// of the reports inside the zones, and the stray report is listed.
func TestMapExtentIgnoresStrayReport(t *testing.T) {
	t.Parallel()
	d := MustMapData(t)
	l := layoutMap(d, mapWidth, mapHeight)
	want := geo.BBox{MinLon: kyiv.Lon, MinLat: odesa.Lat, MaxLon: kharkiv.Lon, MaxLat: kyiv.Lat}
	if diff := cmp.Diff(want, mapExtent(d.Summary, nil, l.zones)); diff != "" {
		t.Errorf("mapExtent() mismatch (-want +got):\n%s", diff)
	}
	ext := l.pr.ext
	for _, p := range []geo.Point{kyiv, kharkiv, odesa} {
		if !ext.Contains(p) {
			t.Errorf("map extent %+v leaves out %v, a report inside the zone", ext, p)
		}
	}
	if ext.Contains(madrid) || ext.MinLon < 25 || ext.MaxLon > 42 || ext.MinLat < 44 || ext.MaxLat > 53 {
		t.Errorf("map extent %+v, want about 25..42°E by 44..53°N, without Madrid", ext)
	}
	out := mapOutliers(d.Summary.points, l.pr)
	if got := outlierNote(i18n.English(), out); got != "1 report outside the map: r-madrid (Madrid, 40.4000°N 3.7000°W)." {
		t.Errorf("outlierNote() = %q", got)
	}
	v, err := buildView(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.MapOutliers, "r-madrid (Madrid") {
		t.Errorf("view's MapOutliers = %q, want the Madrid report listed", v.MapOutliers)
	}
}

func TestOutlierNoteTruncates(t *testing.T) {
	t.Parallel()
	var pts []reportPoint
	for i := range 12 {
		pts = append(pts, reportPoint{ID: truce.ReportID("r" + string(rune('a'+i))), Location: madrid})
	}
	got := outlierNote(i18n.English(), pts)
	if !strings.HasPrefix(got, "12 reports outside the map: ra (40.4000°N 3.7000°W); rb") || !strings.HasSuffix(got, "rj (40.4000°N 3.7000°W); and 2 more.") {
		t.Errorf("outlierNote() = %q", got)
	}
	if outlierNote(i18n.English(), nil) != "" {
		t.Error(`outlierNote(nil) != ""`)
	}
}

// TestSiteLabelsInsideFrame places labels of cited sites at the frame's
// corners and edges, long names among them, and checks every label's box
// (halo included) lies inside the frame.
func TestSiteLabelsInsideFrame(t *testing.T) {
	t.Parallel()
	for _, u := range []float64{0.6, 1, 2} {
		pr := fitExtent(geo.BBox{MinLon: 30, MinLat: 46, MaxLon: 36, MaxLat: 50}, 58*u, 32*u, 900*u, 850*u)
		e := pr.ext
		var sites []truce.Site
		cases := map[truce.ReportID]caseDetail{}
		for i, p := range []geo.Point{
			{Lon: e.MinLon, Lat: e.MinLat}, {Lon: e.MaxLon, Lat: e.MinLat}, {Lon: e.MinLon, Lat: e.MaxLat}, {Lon: e.MaxLon, Lat: e.MaxLat},
			{Lon: e.MaxLon - 0.01, Lat: (e.MinLat + e.MaxLat) / 2}, {Lon: (e.MinLon + e.MaxLon) / 2, Lat: e.MaxLat - 0.01},
			{Lon: (e.MinLon + e.MaxLon) / 2, Lat: (e.MinLat + e.MaxLat) / 2},
		} {
			id := truce.SiteID(string(rune('A' + i)))
			name := "Zaporizhzhia Thermal Power Plant, switchyard " + string(id)
			if i == 6 {
				name = strings.Repeat("Very long site name ", 20)
			}
			sites = append(sites, truce.Site{ID: id, Name: name, Location: p})
			cases[truce.ReportID("r"+id)] = caseDetail{Site: &truce.SiteMatch{ID: id}}
		}
		ms := placeSites(sites, cases, pr, u)
		if len(ms.labels) != len(sites) {
			t.Fatalf("u=%g: %d labels, want %d", u, len(ms.labels), len(sites))
		}
		frame := geo.BBox{MinLon: pr.x0, MinLat: pr.y0, MaxLon: pr.x0 + pr.fw, MaxLat: pr.y0 + pr.fh}
		for i, l := range ms.labels {
			b := l.box
			if b.MinLon < frame.MinLon || b.MaxLon > frame.MaxLon || b.MinLat < frame.MinLat || b.MaxLat > frame.MaxLat {
				t.Errorf("u=%g: label %q box %+v runs outside the frame %+v", u, l.name, b, frame)
			}
			if x, _ := pr.xy(sites[i].Location); i == 4 && b.MaxLon > x {
				t.Errorf("u=%g: label of the site at the right edge is not left of it: box %+v, site at x=%g", u, b, x)
			}
		}
	}
}

// TestBasemapDrawn checks the country outlines are loaded, that the
// countries around the zone are given to drawBasemap, and that the map
// shows land outside the zone in the basemap's colours.
func TestBasemapDrawn(t *testing.T) {
	t.Parallel()
	all, err := basemapCountries()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 11 {
		t.Errorf("basemap has %d countries, want 11", len(all))
	}
	d := MustMapData(t)
	l := layoutMap(d, mapWidth, mapHeight)
	var names []string
	for _, c := range countriesInView(all, l.pr) {
		names = append(names, c.Name)
	}
	for _, want := range []string{"Moldova", "Romania", "Russia", "Ukraine"} {
		if !slices.Contains(names, want) {
			t.Errorf("countries in view %v: no %s", names, want)
		}
	}
	b, err := RenderMap(d, mapWidth, mapHeight)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	near := func(r, g, b uint32, c [3]uint8) bool {
		d := func(a uint32, b uint8) int { return max(int(a>>8)-int(b), int(b)-int(a>>8)) }
		return d(r, c[0])+d(g, c[1])+d(b, c[2]) <= 12
	}
	fill, stroke := 0, 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, g, b, [3]uint8{basemapFill.R, basemapFill.G, basemapFill.B}) {
				fill++
			}
			if near(r, g, b, [3]uint8{basemapStroke.R, basemapStroke.G, basemapStroke.B}) {
				stroke++
			}
		}
	}
	// The basemap's colours show only outside the zone, which it fills:
	// western and southern Ukraine, Moldova and Russia.
	if fill < 10000 || stroke < 200 {
		t.Errorf("map has %d land-fill and %d outline pixels of the basemap, want at least 10000 and 200", fill, stroke)
	}
}
