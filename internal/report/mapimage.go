package report

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

	"truce"
	"truce/internal/geo"
	"truce/internal/i18n"
)

// Map colours. Zones get light fills in agreement order; reports are
// coloured by outcome, most severe drawn last (on top).
var (
	zoneFills = []color.RGBA{
		{0xfd, 0xf1, 0xc7, 0xff}, // sand
		{0xe3, 0xd9, 0xef, 0xff}, // lavender
		{0xd6, 0xec, 0xd2, 0xff}, // green
		{0xf9, 0xd9, 0xd3, 0xff}, // rose
		{0xd2, 0xe5, 0xf5, 0xff}, // blue
		{0xf6, 0xe0, 0xc4, 0xff}, // peach
		{0xd3, 0xee, 0xea, 0xff}, // mint
		{0xe6, 0xe6, 0xe6, 0xff}, // grey
	}
	mapBackground = color.RGBA{0xfb, 0xfb, 0xf9, 0xff}
	gridColour    = color.RGBA{0xbd, 0xbd, 0xbd, 0xff}
	inkColour     = color.RGBA{0x33, 0x33, 0x33, 0xff}
	faintInk      = color.RGBA{0x75, 0x75, 0x75, 0xff}
	siteColour    = color.RGBA{0x2f, 0x3e, 0x46, 0xff}
	white         = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// outcomeColour is the colour of an outcome, shared by the map, the charts
// and the HTML.
func outcomeColour(o truce.Outcome) color.RGBA {
	switch o {
	case truce.OutcomeViolation:
		return color.RGBA{0xc6, 0x28, 0x28, 0xff}
	case truce.OutcomeDisputed:
		return color.RGBA{0xef, 0x8a, 0x17, 0xff}
	case truce.OutcomeUndetermined:
		return color.RGBA{0x5c, 0x6b, 0xc0, 0xff}
	}
	return color.RGBA{0xa0, 0xa0, 0xa0, 0xff}
}

// darker returns c with every channel scaled by f (0..1).
func darker(c color.RGBA, f float64) color.RGBA {
	return color.RGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), c.A}
}

// mapZone is a zone drawn on the map.
type mapZone struct {
	Name   string
	Geom   geo.MultiPolygon
	Fill   color.RGBA
	Stroke color.RGBA
}

// mapZones returns the agreement's zones that have geometry of their own.
// A zone defined as another minus exclusions (e.g. "Russia without
// Ukraine") is not drawn: it is the difference of zones already drawn.
func mapZones(a *truce.Agreement, lang string) []mapZone {
	if a == nil {
		return nil
	}
	var out []mapZone
	for _, z := range a.Zones {
		if z.Region == nil || len(z.Exclude) > 0 {
			continue
		}
		f := zoneFills[len(out)%len(zoneFills)]
		name := z.Names.In(lang, z.Name)
		if name == "" {
			name = string(z.ID)
		}
		out = append(out, mapZone{Name: name, Geom: z.Region.Geometry(), Fill: f, Stroke: darker(f, 0.55)})
	}
	return out
}

// projection is an equirectangular projection scaled by the cosine of the
// central latitude, fitted into a frame of the canvas. Canvas y grows up.
type projection struct {
	ext      geo.BBox // the extent shown, in degrees
	kx       float64  // cos(central latitude)
	scale    float64  // pixels per projected degree
	x0, y0   float64  // frame origin (bottom left), pixels
	fw, fh   float64  // frame size, pixels
	latitude float64  // central latitude, degrees
}

func (p *projection) xy(pt geo.Point) (x, y float64) {
	return p.x0 + (pt.Lon-p.ext.MinLon)*p.kx*p.scale, p.y0 + (pt.Lat-p.ext.MinLat)*p.scale
}

// mapExtent is the box the map shows before fitting to the frame: the
// reports inside the agreement's zones (every report when there is no
// agreement to test against), else the sites', else the zones'. A report
// outside every zone does not widen the map: one stray report (a point in
// Madrid) would otherwise shrink the zones to a corner of half of Europe;
// such reports are listed instead (see mapOutliers). The zones' own box is
// not used while reports are inside them, because a zone may be a whole
// country spanning the globe (Natural Earth's Russia runs from 19°E to
// 180°).
func mapExtent(s *Summary, sites []truce.Site, zones []mapZone) geo.BBox {
	b := geo.EmptyBBox()
	if s != nil {
		for _, p := range s.points {
			if p.Location.Valid() && inZones(s.a, p.Location) {
				b = b.Extend(p.Location)
			}
		}
	}
	if b.Empty() {
		for i := range sites {
			if sites[i].Location.Valid() {
				b = b.Extend(sites[i].Location)
			}
		}
	}
	if b.Empty() {
		for _, z := range zones {
			b = b.Union(z.Geom.BBox())
		}
		b.MinLat, b.MaxLat = max(b.MinLat, -80), min(b.MaxLat, 80)
	}
	if b.Empty() {
		b = geo.BBox{MinLon: -180, MinLat: -60, MaxLon: 180, MaxLat: 75}
	}
	return b
}

// inZones reports whether p is in one of a's zones, exclusions ignored (a
// zone with exclusions lies within its region); with no agreement, or one
// without zones, every point is.
func inZones(a *truce.Agreement, p geo.Point) bool {
	if a == nil {
		return true
	}
	hasZones := false
	for _, z := range a.Zones {
		if z.Region == nil {
			continue
		}
		hasZones = true
		if z.Region.BBox().Contains(p) && z.Region.Contains(p) {
			return true
		}
	}
	return !hasZones
}

// mapOutliers returns the reports with a location outside the map's
// extent, sorted by report ID: the map does not draw them, so the report
// lists them (see outlierNote).
func mapOutliers(points []reportPoint, pr *projection) []reportPoint {
	var out []reportPoint
	for _, p := range points {
		if p.Location.Valid() && !pr.ext.Contains(p.Location) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b reportPoint) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// maxOutliersListed is how many reports outside the map outlierNote names.
const maxOutliersListed = 10

// outlierNote says how many reports lie outside the map and names the
// first maxOutliersListed: "2 reports outside the map: R-1 (Madrid,
// 40.4000°N 3.7000°W); R-2 (…)."; "" when there are none.
func outlierNote(l *i18n.Localizer, out []reportPoint) string {
	if len(out) == 0 {
		return ""
	}
	var items []string
	for _, p := range out[:min(len(out), maxOutliersListed)] {
		where := latLonText(p.Location)
		if p.Place != "" {
			where = p.Place + ", " + where
		}
		items = append(items, fmt.Sprintf("%s (%s)", p.ID, where))
	}
	if n := len(out) - maxOutliersListed; n > 0 {
		items = append(items, l.T("report.map.more", "N", numText(l, n)))
	}
	return l.T("report.map.outside", "Reports", l.N("report.n.reports", len(out), "N", numText(l, len(out))), "List", strings.Join(items, "; "))
}

// fitExtent pads b and widens it to the frame's aspect ratio.
func fitExtent(b geo.BBox, x0, y0, fw, fh float64) *projection {
	padLon := max((b.MaxLon-b.MinLon)*0.08, 0.3)
	padLat := max((b.MaxLat-b.MinLat)*0.08, 0.3)
	b = geo.BBox{MinLon: b.MinLon - padLon, MaxLon: b.MaxLon + padLon, MinLat: max(b.MinLat-padLat, -85), MaxLat: min(b.MaxLat+padLat, 85)}
	lat := (b.MinLat + b.MaxLat) / 2
	kx := math.Cos(lat * math.Pi / 180)
	w, h := (b.MaxLon-b.MinLon)*kx, b.MaxLat-b.MinLat
	if w/h < fw/fh {
		grow := (h*fw/fh - w) / kx / 2
		b.MinLon, b.MaxLon = b.MinLon-grow, b.MaxLon+grow
	} else {
		grow := (w*fh/fw - h) / 2
		b.MinLat, b.MaxLat = b.MinLat-grow, b.MaxLat+grow
	}
	return &projection{ext: b, kx: kx, scale: fw / ((b.MaxLon - b.MinLon) * kx), x0: x0, y0: y0, fw: fw, fh: fh, latitude: lat}
}

// RenderMap draws the period's map as a PNG of widthPx by heightPx pixels:
// country outlines (Natural Earth) beneath the agreement's zones (filled
// lightly and outlined), the protected sites in view (sites named by a
// case are labelled, inside the frame) and every report of the period in
// view coloured by outcome, with a legend, a graticule and a scale bar.
// The projection is equirectangular, scaled by the cosine of the central
// latitude, and the map is bounded to the reports inside the agreement's
// zones (else the sites', else the zones'); the legend counts the reports
// left outside, and the HTML and PDF reports list them under the map. The
// same data give the same bytes.
func RenderMap(d *ReportData, widthPx, heightPx int) ([]byte, error) {
	b, _, err := renderMap(d, widthPx, heightPx)
	return b, err
}

// mapLayout is where a map of a size is drawn: the unit every size scales
// with, the legend's column and the projection into the frame.
type mapLayout struct {
	u, legendW, top, gap float64
	zones                []mapZone
	pr                   *projection
}

// layoutMap fits the map of d into a canvas of widthPx by heightPx.
func layoutMap(d *ReportData, widthPx, heightPx int) mapLayout {
	u := float64(widthPx) / 1400
	legendW := math.Round(max(340*u, float64(widthPx)*0.28))
	left, bottom, top, gap := math.Round(58*u), math.Round(32*u), math.Round(14*u), math.Round(18*u)
	fw, fh := float64(widthPx)-legendW-left-gap, float64(heightPx)-bottom-top
	zones := mapZones(d.Summary.a, i18n.For(d.Lang).Lang())
	pr := fitExtent(mapExtent(d.Summary, d.Sites, zones), left, bottom, fw, fh)
	return mapLayout{u: u, legendW: legendW, top: top, gap: gap, zones: zones, pr: pr}
}

// renderMap is RenderMap, also returning the reports outside the map.
func renderMap(d *ReportData, widthPx, heightPx int) ([]byte, []reportPoint, error) {
	if widthPx < 400 || heightPx < 300 || widthPx > 8000 || heightPx > 8000 {
		return nil, nil, fmt.Errorf("report: map size %dx%d: want 400..8000 by 300..8000 pixels", widthPx, heightPx)
	}
	if d == nil || d.Summary == nil {
		return nil, nil, fmt.Errorf("report: no summary")
	}
	countries, err := basemapCountries()
	if err != nil {
		return nil, nil, err
	}
	s := d.Summary
	l := layoutMap(d, widthPx, heightPx)
	u, pr := l.u, l.pr
	// At 72 dpi one vg point is one pixel.
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(widthPx), vg.Length(heightPx)), vgimg.UseDPI(72), vgimg.UseBackgroundColor(white))
	frame := vgRect(pr.x0, pr.y0, pr.x0+pr.fw, pr.y0+pr.fh)
	c.SetColor(mapBackground)
	c.Fill(frame)
	drawBasemap(c, countriesInView(countries, pr), pr, u)
	drawZones(c, l.zones, pr, u)
	sites := placeSites(d.Sites, s.cases, pr, u)
	c.SetColor(siteColour)
	c.Fill(sites.all)
	counts := drawReports(c, s.points, pr, u)
	drawCitedSites(c, sites, u)
	drawScaleBar(c, pr, u)
	c.SetColor(faintInk)
	c.SetLineWidth(vg.Length(1 * u))
	c.Stroke(frame)
	outliers := mapOutliers(s.points, pr)
	drawLegend(c, legendInput{l: i18n.For(d.Lang), x: pr.x0 + pr.fw + l.gap, y: float64(heightPx) - l.top, w: l.legendW - 2*u, u: u,
		zones: l.zones, counts: counts, outside: len(outliers), sites: sites.n, cited: len(sites.labels), pr: pr})

	b, err := encodePNG(c.Image())
	return b, outliers, err
}

// drawZones fills the zones, draws the graticule over the fills and then
// outlines the zones. Larger zones are drawn first, so smaller ones
// (Crimea inside Ukraine inside Natural Earth's Russia) stay visible.
func drawZones(c vg.Canvas, zones []mapZone, pr *projection, u float64) {
	order := make([]int, len(zones))
	paths := make([]vg.Path, len(zones))
	area := make([]float64, len(zones))
	for i, z := range zones {
		order[i] = i
		bb := z.Geom.BBox()
		area[i] = (bb.MaxLon - bb.MinLon) * (bb.MaxLat - bb.MinLat)
		paths[i] = zonePath(z.Geom, pr)
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(area[b], area[a]) })
	for _, i := range order {
		c.SetColor(zones[i].Fill)
		c.Fill(paths[i])
	}
	drawGraticule(c, pr, u)
	c.SetLineWidth(vg.Length(1.1 * u))
	for _, i := range order {
		c.SetColor(zones[i].Stroke)
		c.Stroke(paths[i])
	}
}

// mapSites is the sites in view: small squares for all of them, larger
// ones, framed and labelled, for those a case names.
type mapSites struct {
	all, cited vg.Path
	labels     []siteLabel
	n          int // sites in view
}

// placeSites projects the sites in view.
func placeSites(sites []truce.Site, cases map[truce.ReportID]caseDetail, pr *projection, u float64) mapSites {
	cited := map[truce.SiteID]bool{}
	for _, cd := range cases {
		if cd.Site != nil {
			cited[cd.Site.ID] = true
		}
	}
	var ms mapSites
	for i := range sites {
		st := &sites[i]
		if !inBox(pr.ext, st.Location) {
			continue
		}
		ms.n++
		x, y := pr.xy(st.Location)
		vgSquare(&ms.all, x, y, 1.8*u)
		if cited[st.ID] {
			vgSquare(&ms.cited, x, y, 8*u)
			ms.labels = append(ms.labels, placeLabel(labelFace(u), x, y, st.Name, pr, u))
			delete(cited, st.ID) // label a site once, even if listed twice
		}
	}
	return ms
}

// drawReports draws the reports in view, least severe first, and counts
// the reports of each outcome, in view or not. Unknown outcomes are drawn
// and counted with the not-prohibited ones.
func drawReports(c vg.Canvas, points []reportPoint, pr *projection, u float64) map[truce.Outcome]int {
	counts := map[truce.Outcome]int{}
	for _, o := range slices.Backward(truce.Outcomes()) {
		var path vg.Path
		r := pointRadius(o, u)
		for _, p := range points {
			if p.Outcome != o && (o != truce.OutcomeNotProhibited || knownOutcome(p.Outcome)) {
				continue
			}
			counts[o]++
			if !inBox(pr.ext, p.Location) {
				continue
			}
			x, y := pr.xy(p.Location)
			vgCircle(&path, x, y, r)
		}
		if o != truce.OutcomeNotProhibited {
			c.SetColor(white)
			c.SetLineWidth(vg.Length(1.6 * u))
			c.Stroke(path)
		}
		c.SetColor(outcomeColour(o))
		c.Fill(path)
	}
	return counts
}

// drawCitedSites frames the sites a case names, over the reports so that
// the report on a site stays visible, and labels them.
func drawCitedSites(c vg.Canvas, sites mapSites, u float64) {
	c.SetColor(white)
	c.SetLineWidth(vg.Length(4 * u))
	c.Stroke(sites.cited)
	c.SetColor(siteColour)
	c.SetLineWidth(vg.Length(2 * u))
	c.Stroke(sites.cited)
	f := labelFace(u)
	for _, l := range sites.labels {
		haloText(c, f, l.x, l.y, l.name, u)
	}
}

// labelFace is the face of site labels.
func labelFace(u float64) font.Face { return mapFace(15*u, false) }

// placeLabel places the label of the site at (x, y): right of its square,
// or left of it if it would run past the frame's right edge, then moved
// inside the frame if it still crosses an edge, so that no label runs into
// the legend or over the axis labels. A name wider than the frame is cut
// short with an ellipsis.
func placeLabel(f font.Face, x, y float64, name string, pr *projection, u float64) siteLabel {
	halo := haloOffset * u
	margin := halo + 2*u
	fx0, fy0, fx1, fy1 := pr.x0+margin, pr.y0+margin, pr.x0+pr.fw-margin, pr.y0+pr.fh-margin
	for r := []rune(name); float64(f.Width(name)) > fx1-fx0 && len(r) > 0; {
		r = r[:len(r)-1]
		name = strings.TrimRight(string(r), " ") + "…"
	}
	w := float64(f.Width(name))
	e := f.Extents()
	asc, desc := float64(e.Ascent), float64(e.Descent)
	lx, ly := x+12*u, y-4*u
	if lx+w > fx1 {
		lx = x - 12*u - w
	}
	lx = max(min(lx, fx1-w), fx0)
	ly = max(min(ly, fy1-asc), fy0+desc)
	return siteLabel{x: lx, y: ly, name: name, box: geo.BBox{MinLon: lx - halo, MinLat: ly - desc - halo, MaxLon: lx + w + halo, MaxLat: ly + asc + halo}}
}

// encodePNG encodes img with the fastest compression: a third faster than
// the default for 4% more bytes.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("report: encode image: %w", err)
	}
	return buf.Bytes(), nil
}

func knownOutcome(o truce.Outcome) bool {
	return o >= truce.OutcomeNotProhibited && o <= truce.OutcomeViolation
}

func pointRadius(o truce.Outcome, u float64) float64 {
	switch o {
	case truce.OutcomeViolation:
		return 5.5 * u
	case truce.OutcomeDisputed:
		return 5 * u
	case truce.OutcomeUndetermined:
		return 3.2 * u
	}
	return 2 * u
}

// siteLabel is a site's label: its baseline's start and the box it
// covers, halo included, in canvas pixels (MinLon..MaxLon is x,
// MinLat..MaxLat is y).
type siteLabel struct {
	x, y float64
	name string
	box  geo.BBox
}

func inBox(b geo.BBox, p geo.Point) bool { return p.Valid() && b.Contains(p) }

func vgRect(x0, y0, x1, y1 float64) vg.Path {
	var p vg.Path
	p.Move(vgPt(x0, y0))
	p.Line(vgPt(x1, y0))
	p.Line(vgPt(x1, y1))
	p.Line(vgPt(x0, y1))
	p.Close()
	return p
}

func vgPt(x, y float64) vg.Point { return vg.Point{X: vg.Length(x), Y: vg.Length(y)} }

func vgCircle(p *vg.Path, x, y, r float64) {
	p.Move(vgPt(x+r, y))
	p.Arc(vgPt(x, y), vg.Length(r), 0, 2*math.Pi)
	p.Close()
}

func vgSquare(p *vg.Path, x, y, half float64) {
	p.Move(vgPt(x-half, y-half))
	p.Line(vgPt(x+half, y-half))
	p.Line(vgPt(x+half, y+half))
	p.Line(vgPt(x-half, y+half))
	p.Close()
}

// zonePath projects a multipolygon, drops vertices closer than a third of
// a pixel to the previous one, clips every ring to the frame and orients
// outer rings and holes oppositely, so that the non-zero fill rule of the
// rasteriser leaves holes empty whatever the file's ring orientation.
func zonePath(m geo.MultiPolygon, pr *projection) vg.Path {
	var path vg.Path
	for _, poly := range m {
		if len(poly) == 0 {
			continue
		}
		bb := geo.MultiPolygon{geo.Polygon{poly[0]}}.BBox()
		if !bb.Intersects(pr.ext) {
			continue
		}
		for ri, ring := range poly {
			xy := make([][2]float64, 0, len(ring))
			for _, p := range ring {
				x, y := pr.xy(p)
				if n := len(xy); n > 0 && math.Abs(xy[n-1][0]-x) < 0.33 && math.Abs(xy[n-1][1]-y) < 0.33 {
					continue
				}
				xy = append(xy, [2]float64{x, y})
			}
			xy = clipRing(xy, pr.x0, pr.y0, pr.x0+pr.fw, pr.y0+pr.fh)
			if len(xy) < 3 {
				continue
			}
			if ccw := signedArea(xy) > 0; ccw != (ri == 0) {
				slices.Reverse(xy)
			}
			path.Move(vgPt(xy[0][0], xy[0][1]))
			for _, q := range xy[1:] {
				path.Line(vgPt(q[0], q[1]))
			}
			path.Close()
		}
	}
	return path
}

func signedArea(r [][2]float64) float64 {
	a := 0.0
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return a / 2
}

// clipRing clips a closed ring to a rectangle (Sutherland–Hodgman). The
// result may run along the rectangle's edges, which is right for filling.
func clipRing(r [][2]float64, x0, y0, x1, y1 float64) [][2]float64 {
	type edge struct {
		inside func(p [2]float64) bool
		cross  func(a, b [2]float64) [2]float64
	}
	atX := func(a, b [2]float64, x float64) [2]float64 {
		t := (x - a[0]) / (b[0] - a[0])
		return [2]float64{x, a[1] + t*(b[1]-a[1])}
	}
	atY := func(a, b [2]float64, y float64) [2]float64 {
		t := (y - a[1]) / (b[1] - a[1])
		return [2]float64{a[0] + t*(b[0]-a[0]), y}
	}
	edges := []edge{
		{func(p [2]float64) bool { return p[0] >= x0 }, func(a, b [2]float64) [2]float64 { return atX(a, b, x0) }},
		{func(p [2]float64) bool { return p[0] <= x1 }, func(a, b [2]float64) [2]float64 { return atX(a, b, x1) }},
		{func(p [2]float64) bool { return p[1] >= y0 }, func(a, b [2]float64) [2]float64 { return atY(a, b, y0) }},
		{func(p [2]float64) bool { return p[1] <= y1 }, func(a, b [2]float64) [2]float64 { return atY(a, b, y1) }},
	}
	out := r
	for _, e := range edges {
		if len(out) == 0 {
			return nil
		}
		in := out
		out = make([][2]float64, 0, len(in)+4)
		prev := in[len(in)-1]
		for _, cur := range in {
			switch ci, pi := e.inside(cur), e.inside(prev); {
			case ci && pi:
				out = append(out, cur)
			case ci && !pi:
				out = append(out, e.cross(prev, cur), cur)
			case !ci && pi:
				out = append(out, e.cross(prev, cur))
			}
			prev = cur
		}
	}
	return out
}
