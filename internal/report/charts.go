package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"truce"
	"truce/internal/i18n"
)

// Charts are drawn 7 by 3 inches at 144 dpi (1008 by 432 pixels): sharp
// in a browser and at the PDF's 180 mm width.
const (
	chartW, chartH = 7 * vg.Inch, 3 * vg.Inch
	chartDPI       = 144
)

// chartOutcomes are the outcomes the charts show: not prohibited incidents
// would dwarf the rest and are in the tables.
var chartOutcomes = []truce.Outcome{truce.OutcomeViolation, truce.OutcomeDisputed, truce.OutcomeUndetermined}

// lighter blends c with white; t is the share of white.
func lighter(c color.RGBA, t float64) color.RGBA {
	m := func(v uint8) uint8 { return uint8(float64(v) + (255-float64(v))*t) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), 0xff}
}

// newChart returns a plot with every text in Liberation Sans.
func newChart(title string) *plot.Plot {
	p := plot.New()
	sans := func(s *text.Style, size vg.Length) {
		s.Font.Variant = "Sans"
		s.Font.Size = size
	}
	p.Title.Text = title
	sans(&p.Title.TextStyle, 12)
	p.Title.Padding = 8
	sans(&p.X.Label.TextStyle, 10)
	sans(&p.Y.Label.TextStyle, 10)
	sans(&p.X.Tick.Label, 9)
	sans(&p.Y.Tick.Label, 9)
	sans(&p.Legend.TextStyle, 9)
	p.Legend.Top = true
	p.Legend.XOffs = -4
	p.Legend.ThumbnailWidth = 10
	p.Y.Min = 0
	p.Y.Tick.Marker = plot.TickerFunc(intTicks)
	return p
}

// intTicks marks whole numbers only: the charts count incidents.
func intTicks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000} {
		step = s
		if (hi-lo)/s <= 6 {
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ts
}

func renderChart(p *plot.Plot) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	return encodePNG(c.Image())
}

// valueLabels writes each non-zero value above its bar.
func valueLabels(vals plotter.Values, offset vg.Length) (*plotter.Labels, error) {
	var xy plotter.XYLabels
	for i, v := range vals {
		if v > 0 {
			xy.XYs = append(xy.XYs, plotter.XY{X: float64(i), Y: v})
			xy.Labels = append(xy.Labels, strconv.Itoa(int(v)))
		}
	}
	l, err := plotter.NewLabels(xy)
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Variant = "Sans"
		l.TextStyle[i].Font.Size = 8
		l.TextStyle[i].XAlign = draw.XCenter
		l.TextStyle[i].Color = inkColour
	}
	l.Offset = vg.Point{X: offset, Y: 2}
	return l, nil
}

// partyChart draws a phase's violations, disputed and undetermined incidents
// per party: bars for this period and, if there is one, lighter bars for
// the previous period beside them.
func partyChart(lz *i18n.Localizer, p, prev *PhaseSummary, prevLabel string) ([]byte, error) {
	parties := partiesOf(p, prev)
	if len(parties) == 0 {
		return nil, nil
	}
	pl := newChart(lz.T("report.chart.by_party", "Phase", p.ID))
	pl.Y.Label.Text = lz.T("report.chart.incidents")
	pl.NominalX(parties...)
	per := 1
	if prev != nil {
		per = 2
	}
	nBars := len(chartOutcomes) * per
	w := min(vg.Length(22), vg.Length(400)/vg.Length(len(parties)*(nBars+2)))
	hi := 0.0
	k := 0
	for _, o := range chartOutcomes {
		for period := range per {
			ps := p
			if period == 1 {
				ps = prev
			}
			vals := make(plotter.Values, len(parties))
			for i, party := range parties {
				vals[i] = float64(ps.partyCounts(party).Of(o))
				hi = max(hi, vals[i])
			}
			b, err := plotter.NewBarChart(vals, w)
			if err != nil {
				return nil, fmt.Errorf("report: chart: %w", err)
			}
			b.Color = outcomeColour(o)
			if period == 1 {
				b.Color = lighter(outcomeColour(o), 0.6)
			}
			b.LineStyle.Width = 0
			b.Offset = (vg.Length(k) - vg.Length(nBars-1)/2) * w
			l, err := valueLabels(vals, b.Offset)
			if err != nil {
				return nil, fmt.Errorf("report: chart: %w", err)
			}
			pl.Add(b, l)
			if period == 0 {
				pl.Legend.Add(outcomeLabel(lz, o, false), b)
			}
			k++
		}
	}
	if prev != nil {
		// A thumbnail only: this bar chart is not drawn.
		thumb, err := plotter.NewBarChart(plotter.Values{0}, w)
		if err != nil {
			return nil, fmt.Errorf("report: chart: %w", err)
		}
		thumb.Color = lighter(inkColour, 0.6)
		thumb.LineStyle.Width = 0
		name := lz.T("report.chart.lighter")
		if prevLabel != "" {
			name += " (" + prevLabel + ")"
		}
		pl.Legend.Add(name, thumb)
	}
	pl.X.Min, pl.X.Max = -0.5, float64(len(parties))-0.5
	pl.Y.Max = max(1, hi) * 1.6
	return renderChart(pl)
}

// dailyChart draws a phase's violations, disputed and undetermined incidents
// per day, stacked, over the given days.
func dailyChart(lz *i18n.Localizer, p *PhaseSummary, days []string) ([]byte, error) {
	if len(days) == 0 {
		return nil, nil
	}
	byDay := map[string]Counts{}
	for _, dc := range p.Daily {
		byDay[dc.Day] = dc.Counts
	}
	pl := newChart(lz.T("report.chart.per_day", "Phase", p.ID))
	pl.Y.Label.Text = lz.T("report.chart.incidents")
	names := make([]string, len(days))
	every := (len(days) + 13) / 14 // at most 14 labels
	for i, d := range days {
		if i%every == 0 {
			if t, err := time.Parse(time.DateOnly, d); err == nil {
				names[i] = t.Format("2 Jan")
				if lz.Lang() != "en" {
					names[i] = t.Format("02.01")
				}
			} else {
				names[i] = d
			}
		}
	}
	pl.NominalX(names...)
	w := min(vg.Length(24), vg.Length(420)/vg.Length(len(days))*0.75)
	var below *plotter.BarChart
	hi := make([]float64, len(days))
	for _, o := range chartOutcomes {
		vals := make(plotter.Values, len(days))
		for i, d := range days {
			c := byDay[d]
			vals[i] = float64(c.Of(o))
			hi[i] += vals[i]
		}
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, fmt.Errorf("report: chart: %w", err)
		}
		b.Color = outcomeColour(o)
		b.LineStyle.Width = 0
		if below != nil {
			b.StackOn(below)
		}
		below = b
		pl.Add(b)
		pl.Legend.Add(outcomeLabel(lz, o, false), b)
	}
	top := 0.0
	for _, v := range hi {
		top = max(top, v)
	}
	totals := make(plotter.Values, len(days))
	copy(totals, hi)
	l, err := valueLabels(totals, 0)
	if err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	pl.Add(l)
	pl.X.Min, pl.X.Max = -0.5, float64(len(days))-0.5
	pl.Y.Max = max(1, top) * 1.45
	return renderChart(pl)
}
