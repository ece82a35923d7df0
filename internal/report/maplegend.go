package report

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"

	"truce"
	"truce/internal/geo"
	"truce/internal/i18n"
)

// mapFace returns Liberation Sans (the font gonum/plot bundles, with Latin,
// Greek and Cyrillic) at size pixels.
func mapFace(size float64, bold bool) font.Face {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return font.DefaultCache.Lookup(f, vg.Length(size))
}

// haloOffset is how far, in units, haloText's halo reaches beyond the text.
const haloOffset = 1.2

// haloText writes s with a white halo so it reads over any background.
func haloText(c vg.Canvas, f font.Face, x, y float64, s string, u float64) {
	c.SetColor(white)
	for _, d := range [][2]float64{{-1, 0}, {1, 0}, {0, -1}, {0, 1}, {-1, -1}, {1, 1}, {-1, 1}, {1, -1}} {
		c.FillString(f, vgPt(x+d[0]*haloOffset*u, y+d[1]*haloOffset*u), s)
	}
	c.SetColor(inkColour)
	c.FillString(f, vgPt(x, y), s)
}

// niceStep returns a step from steps giving about n divisions of span.
func niceStep(span float64, n float64, steps []float64) float64 {
	for _, s := range steps {
		if span/s <= n {
			return s
		}
	}
	return steps[len(steps)-1]
}

func drawGraticule(c vg.Canvas, pr *projection, u float64) {
	b := pr.ext
	step := niceStep(b.MaxLat-b.MinLat, 7, []float64{0.25, 0.5, 1, 2, 5, 10, 15, 30})
	f := mapFace(13*u, false)
	c.SetLineWidth(vg.Length(0.6 * u))
	c.SetLineDash([]vg.Length{vg.Length(3 * u), vg.Length(3 * u)}, 0)
	for lat := math.Ceil(b.MinLat/step) * step; lat <= b.MaxLat; lat += step {
		_, y := pr.xy(geo.Point{Lon: b.MinLon, Lat: lat})
		c.SetColor(gridColour)
		c.Stroke(vgLine(pr.x0, y, pr.x0+pr.fw, y))
		lbl := degreesText(lat, "N", "S")
		c.SetColor(faintInk)
		c.FillString(f, vgPt(pr.x0-float64(f.Width(lbl))-5*u, y-4*u), lbl)
	}
	for lon := math.Ceil(b.MinLon/step) * step; lon <= b.MaxLon; lon += step {
		x, _ := pr.xy(geo.Point{Lon: lon, Lat: b.MinLat})
		c.SetColor(gridColour)
		c.Stroke(vgLine(x, pr.y0, x, pr.y0+pr.fh))
		lbl := degreesText(lon, "E", "W")
		c.SetColor(faintInk)
		c.FillString(f, vgPt(x-float64(f.Width(lbl))/2, pr.y0-18*u), lbl)
	}
	c.SetLineDash(nil, 0)
}

func degreesText(v float64, pos, neg string) string {
	h := pos
	if v < 0 {
		v, h = -v, neg
	}
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "°" + h
}

func vgLine(x0, y0, x1, y1 float64) vg.Path {
	var p vg.Path
	p.Move(vgPt(x0, y0))
	p.Line(vgPt(x1, y1))
	return p
}

func drawScaleBar(c vg.Canvas, pr *projection, u float64) {
	pxPerKm := pr.scale / 111.32 // a projected degree is a degree of latitude
	km := 1.0
	for _, k := range []float64{5000, 2000, 1000, 500, 250, 200, 100, 50, 25, 20, 10, 5, 2, 1} {
		if k*pxPerKm <= pr.fw*0.22 {
			km = k
			break
		}
	}
	w := km * pxPerKm
	x, y := pr.x0+14*u, pr.y0+14*u
	f := mapFace(14*u, false)
	lbl := fmt.Sprintf("%g km", km)
	c.SetColor(color.NRGBA{0xff, 0xff, 0xff, 0xd8})
	c.Fill(vgRect(x-6*u, y-6*u, x+w+12*u+float64(f.Width(lbl)), y+14*u))
	c.SetColor(inkColour)
	c.Fill(vgRect(x, y, x+w/2, y+4*u))
	c.SetLineWidth(vg.Length(1 * u))
	c.Stroke(vgRect(x, y, x+w, y+4*u))
	c.FillString(f, vgPt(x+w+6*u, y), lbl)
}

type legendInput struct {
	l          *i18n.Localizer
	x, y, w, u float64 // top left corner, width, unit
	zones      []mapZone
	counts     map[truce.Outcome]int
	outside    int // reports outside the map's extent
	sites      int
	cited      int
	pr         *projection
}

func drawLegend(c vg.Canvas, in legendInput) {
	u := in.u
	head, body, note := mapFace(18*u, true), mapFace(16*u, false), mapFace(13*u, false)
	x, y := in.x, in.y
	lh := 22 * u
	heading := func(s string) {
		y -= 24 * u
		c.SetColor(inkColour)
		c.FillString(head, vgPt(x, y), s)
		y -= 8 * u
	}
	text := func(f font.Face, indent float64, s string, step float64) {
		for _, l := range wrapText(f, s, in.w-indent) {
			y -= step
			c.SetColor(inkColour)
			c.FillString(f, vgPt(x+indent, y), l)
		}
	}
	if len(in.zones) > 0 {
		heading(in.l.T("report.legend.zones"))
		for _, z := range in.zones {
			y -= lh
			r := vgRect(x, y-2*u, x+22*u, y+11*u)
			c.SetColor(z.Fill)
			c.Fill(r)
			c.SetColor(z.Stroke)
			c.SetLineWidth(vg.Length(1.2 * u))
			c.Stroke(r)
			y += lh
			text(body, 30*u, z.Name, lh)
		}
		y -= 6 * u
	}
	heading(in.l.T("report.legend.reports"))
	for _, o := range truce.Outcomes() {
		y -= lh
		var p vg.Path
		vgCircle(&p, x+11*u, y+4*u, pointRadius(o, u))
		if o != truce.OutcomeNotProhibited {
			c.SetColor(white)
			c.SetLineWidth(vg.Length(1.6 * u))
			c.Stroke(p)
		}
		c.SetColor(outcomeColour(o))
		c.Fill(p)
		c.SetColor(inkColour)
		c.FillString(body, vgPt(x+30*u, y), fmt.Sprintf("%s (%s)", outcomeLabel(in.l, o, false), numText(in.l, in.counts[o])))
	}
	if in.outside > 0 {
		y -= 4 * u
		text(note, 0, in.l.N("report.legend.outside", in.outside, "N", numText(in.l, in.outside)), 17*u)
	}
	y -= 6 * u
	if in.sites > 0 {
		heading(in.l.T("report.legend.sites"))
		y -= lh
		var p vg.Path
		vgSquare(&p, x+11*u, y+4*u, 1.8*u)
		c.SetColor(siteColour)
		c.Fill(p)
		c.SetColor(inkColour)
		c.FillString(body, vgPt(x+30*u, y), in.l.T("report.legend.in_view", "N", numText(in.l, in.sites)))
		if in.cited > 0 {
			y -= lh + 4*u
			var q vg.Path
			vgSquare(&q, x+11*u, y+4*u, 8*u)
			c.SetColor(siteColour)
			c.SetLineWidth(vg.Length(2 * u))
			c.Stroke(q)
			c.SetColor(inkColour)
			c.FillString(body, vgPt(x+30*u, y), in.l.T("report.legend.cited", "N", numText(in.l, in.cited)))
		}
		y -= 6 * u
	}
	y -= 10 * u
	b := in.pr.ext
	text(note, 0, in.l.T("report.legend.projection", "Cos", fmt.Sprintf("%.1f", in.pr.latitude), "W", degreesText(b.MinLon, "E", "W"), "E", degreesText(b.MaxLon, "E", "W"),
		"S", degreesText(b.MinLat, "N", "S"), "N", degreesText(b.MaxLat, "N", "S")), 17*u)
}

// wrapText breaks s into lines no wider than w.
func wrapText(f font.Face, s string, w float64) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if cur != "" && float64(f.Width(next)) > w {
			lines = append(lines, cur)
			next = word
		}
		cur = next
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
