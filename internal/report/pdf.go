package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"truce"
	"truce/internal/i18n"
)

// pdfFont is the family name the embedded DejaVu Sans is registered under.
const pdfFont = "DejaVu"

// pdfMonoFont is the family name the embedded DejaVu Sans Mono is
// registered under.
const pdfMonoFont = "DejaVuMono"

// pdfEpoch is the PDF's creation and modification date when the report's
// data give none (see pdfDate): fpdf would otherwise write the current time.
var pdfEpoch = time.Unix(0, 0).UTC()

var (
	pdfAccent = color.RGBA{0x1f, 0x3b, 0x63, 0xff}
	pdfBand   = color.RGBA{0xf4, 0xf5, 0xf7, 0xff}
	pdfRule   = color.RGBA{0xd7, 0xd7, 0xd7, 0xff}
)

// WritePDF writes the period report as an A4 PDF with the content of
// WriteHTML. Text is set in DejaVu Sans, embedded (subset) in the file, so
// Ukrainian and Russian text renders; the log checkpoint is set in DejaVu
// Sans Mono, one line of the signed note to a line, so that text copied
// out of the PDF verifies. The document's dates (in UTC) are d.Generated,
// else d.CheckpointTime if there is a checkpoint, else the end of the
// period (midnight after its last day, in the agreement's time zone),
// else 1970-01-01, never the current time; its catalogues are sorted: the
// same data give the same bytes.
func WritePDF(w io.Writer, d *ReportData) error {
	v, err := buildView(d)
	if err != nil {
		return err
	}
	at := d.pdfDate()
	pw := &pdfWriter{l: v.l, f: fpdf.New("P", "mm", "A4", ""), widths: map[int]bool{}}
	f := pw.f
	f.SetCatalogSort(true)
	f.SetCreationDate(at.UTC())
	f.SetModificationDate(at.UTC())
	f.SetProducer("truce", true)
	f.SetCreator("truce", true)
	f.SetTitle(v.Title, true)
	f.SetSubject(v.l.T("report.pdf.kind")+" "+v.Period, true)
	f.SetLang(v.l.Lang())
	addFont(f, pdfFont, "", fontRegular)
	addFont(f, pdfFont, "B", fontBold)
	f.SetMargins(15, 15, 15)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		pw.font("", 7.5, faintInk)
		f.CellFormat(0, 4, v.l.T("report.pdf.footer", "Agreement", v.Agreement, "Period", v.Period, "Page", strconv.Itoa(f.PageNo())), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	pw.document(v)
	if err := f.Error(); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

type pdfWriter struct {
	l      *i18n.Localizer
	f      *fpdf.Fpdf
	images int
	widths map[int]bool // pixel widths of the images placed so far
}

func (p *pdfWriter) font(style string, size float64, c color.RGBA) {
	p.f.SetFont(pdfFont, style, size)
	p.f.SetTextColor(int(c.R), int(c.G), int(c.B))
}

func (p *pdfWriter) fill(c color.RGBA) { p.f.SetFillColor(int(c.R), int(c.G), int(c.B)) }

// width is the printable width of the page.
func (p *pdfWriter) width() float64 {
	w, _ := p.f.GetPageSize()
	l, _, r, _ := p.f.GetMargins()
	return w - l - r
}

// need starts a new page unless h millimetres are left on this one.
func (p *pdfWriter) need(h float64) {
	_, ph := p.f.GetPageSize()
	_, _, _, b := p.f.GetMargins()
	if p.f.GetY()+h > ph-b-4 {
		p.f.AddPage()
	}
}

func (p *pdfWriter) heading(s string) { p.headingWith(s, 20) }

// headingWith writes a section heading, on a new page unless next
// millimetres of what follows fit under it.
func (p *pdfWriter) headingWith(s string, next float64) {
	p.need(14 + next)
	p.f.Ln(4)
	p.font("B", 13, pdfAccent)
	p.f.MultiCell(0, 6.5, s, "", "L", false)
	x, y := p.f.GetX(), p.f.GetY()
	p.f.SetDrawColor(int(pdfAccent.R), int(pdfAccent.G), int(pdfAccent.B))
	p.f.SetLineWidth(0.5)
	p.f.Line(x, y+0.5, x+p.width(), y+0.5)
	p.f.Ln(3)
}

func (p *pdfWriter) subheading(s string) {
	p.need(22)
	p.f.Ln(2)
	p.font("B", 11, inkColour)
	p.f.MultiCell(0, 5.5, s, "", "L", false)
	p.f.Ln(1)
}

func (p *pdfWriter) para(s string, size float64, c color.RGBA) {
	p.font("", size, c)
	p.f.MultiCell(0, size*0.5, s, "", "L", false)
}

func (p *pdfWriter) bullets(items []string, size float64) {
	l, t, r, _ := p.f.GetMargins()
	for _, it := range items {
		p.font("", size, inkColour)
		p.f.SetX(l)
		p.f.CellFormat(5, size*0.5, "•", "", 0, "L", false, 0, "")
		p.f.SetLeftMargin(l + 5)
		p.f.MultiCell(0, size*0.5, it, "", "L", false)
		p.f.SetLeftMargin(l)
		p.f.Ln(0.8)
	}
	p.f.SetMargins(l, t, r)
}

// image places a PNG at the full printable width, on a new page if it
// does not fit.
func (p *pdfWriter) image(png []byte, pxW, pxH int) {
	if len(png) == 0 {
		return
	}
	png, pxW = p.uniqueWidth(png, pxW, pxH)
	p.images++
	name := "img" + strconv.Itoa(p.images)
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	p.f.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	w := p.width()
	h := w * float64(pxH) / float64(pxW)
	p.need(h + 2)
	x, y := p.f.GetX(), p.f.GetY()
	p.f.ImageOptions(name, x, y, w, h, false, opt, 0, "")
	p.f.SetY(y + h + 3)
}

// uniqueWidth widens an image with white columns on the right until no
// other image of the document has its pixel width. fpdf's catalogue sort
// orders images by width alone, leaving images of equal width in map
// order, so two charts of the same size would come out in either order
// and the PDF would not be reproducible. A column or two of white does
// not show.
func (p *pdfWriter) uniqueWidth(b []byte, pxW, pxH int) ([]byte, int) {
	if !p.widths[pxW] {
		p.widths[pxW] = true
		return b, pxW
	}
	src, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		p.f.SetError(fmt.Errorf("decode image: %w", err))
		return b, pxW
	}
	w := pxW
	for p.widths[w] {
		w++
	}
	p.widths[w] = true
	dst := image.NewRGBA(image.Rect(0, 0, w, pxH))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	draw.Draw(dst, src.Bounds(), src, src.Bounds().Min, draw.Src)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		p.f.SetError(fmt.Errorf("encode image: %w", err))
		return b, pxW
	}
	return out.Bytes(), w
}

func (p *pdfWriter) document(v *view) {
	p.masthead(v)

	p.heading(p.l.T("report.pdf.summary"))
	p.bullets(v.Highlights, 9.5)

	p.heading(p.l.T("report.pdf.key_figures"))
	p.figures(v)

	p.headingWith(p.l.T("report.pdf.map"), p.width()*mapHeight/mapWidth+4)
	p.image(v.Map, mapWidth, mapHeight)
	p.para(v.MapNote, 8, faintInk)
	if v.MapOutliers != "" {
		p.para(v.MapOutliers, 8, inkColour)
	}

	p.phases(v)

	p.heading(p.l.T("report.pdf.cases"))
	if len(v.Cases) == 0 {
		p.para(p.l.T("report.pdf.no_cases"), 10, inkColour)
	}
	for _, c := range v.Cases {
		p.caseEntry(c)
	}

	p.claims(v.Claims)
	p.obligations(v.Obligations)
	p.checkpoint(v.Checkpoint)
	p.f.Ln(4)
	p.para(p.l.T("report.pdf.made_by"), 7.5, faintInk)
}

// masthead writes the band at the top of the first page: what the report
// is, its title and its agreement. The wrapped lines are measured first,
// to size the band.
func (p *pdfWriter) masthead(v *view) {
	f := p.f
	l, _, _, _ := f.GetMargins()
	inner := p.width() - 8
	line := p.l.T("report.pdf.kind")
	if v.Period != "" {
		line += " · " + v.Period
	}
	meta := p.l.T("report.pdf.agreement", "ID", v.Agreement)
	if v.Version != "" {
		meta += p.l.T("report.pdf.version", "Version", v.Version)
	}
	if v.StoredVersion > 0 {
		meta += p.l.T("report.pdf.stored_version", "N", strconv.Itoa(v.StoredVersion))
	}
	meta += p.l.T("report.pdf.days_in", "Zone", v.Timezone)
	if v.Generated != "" {
		meta += p.l.T("report.pdf.generated", "At", v.Generated)
	}
	p.font("B", 13.5, white)
	titleLines := len(f.SplitText(v.Title, inner-2))
	p.font("", 8, white)
	metaLines := len(f.SplitText(meta, inner-2))
	top := f.GetY()
	band := 3 + 4.5 + 6*float64(titleLines) + 4*float64(metaLines) + 3
	p.fill(pdfAccent)
	f.Rect(l, top, p.width(), band, "F")
	f.SetXY(l+4, top+3)
	p.font("", 8.5, white)
	f.CellFormat(0, 4.5, line, "", 2, "L", false, 0, "")
	f.SetX(l + 4)
	p.font("B", 13.5, white)
	f.MultiCell(inner, 6, v.Title, "", "L", false)
	f.SetX(l + 4)
	p.font("", 8, white)
	f.SetLeftMargin(l + 4)
	f.MultiCell(inner, 4, meta, "", "L", false)
	f.SetLeftMargin(l)
	f.SetY(top + band + 4)
}

// phases writes each phase's schedule, party table and charts.
func (p *pdfWriter) phases(v *view) {
	f := p.f
	p.heading(p.l.T("report.pdf.phases"))
	p.para(p.l.T("report.pdf.phases_note"), 8, faintInk)
	for _, ph := range v.Phases {
		title := ph.ID + ": " + ph.Name
		if ph.Status != "" {
			title += " (" + ph.Status + ")"
		}
		// Keep the heading, the schedule and the table together.
		p.font("", 8.5, inkColour)
		h := 12 + 6*float64(len(ph.Parties)+1)
		for _, line := range ph.Schedule {
			h += 4.25*float64(len(f.SplitText(line, p.width()-5))) + 0.8
		}
		p.need(h)
		p.subheading(title)
		p.bullets(ph.Schedule, 8.5)
		p.partyTable(ph, v.HasPrevious)
		p.image(ph.Chart, int(chartW.Dots(chartDPI)), int(chartH.Dots(chartDPI)))
		p.image(ph.Daily, int(chartW.Dots(chartDPI)), int(chartH.Dots(chartDPI)))
	}
}

// obligations writes the obligations and their delivery, if there are
// any.
func (p *pdfWriter) obligations(obs []Obligation) {
	if len(obs) == 0 {
		return
	}
	f := p.f
	p.heading(p.l.T("report.pdf.obligations"))
	for _, o := range obs {
		p.need(18)
		p.font("B", 9.5, inkColour)
		f.MultiCell(0, 5, p.l.T("report.pdf.obligation", "ID", o.ID, "Due", o.Due, "Status", p.l.T("report.status_word."+o.Status)), "", "L", false)
		p.para(o.Description, 9, inkColour)
		var items []string
		for _, it := range o.Items {
			items = append(items, p.l.T("report.pdf.item", "Party", it.Party, "What", it.What, "Done", strconv.Itoa(it.Delivered), "Of", strconv.Itoa(it.Count)))
		}
		p.bullets(items, 8.5)
		f.Ln(1.5)
	}
}

// checkpoint writes the log checkpoint the figures were read at, if any.
func (p *pdfWriter) checkpoint(cp *checkpointView) {
	p.heading(p.l.T("report.pdf.checkpoint"))
	if cp == nil {
		p.para(p.l.T("report.pdf.no_checkpoint"), 9, faintInk)
		return
	}
	s := p.l.T("report.pdf.read_from", "Origin", cp.Origin, "Size", cp.Size, "Hash", cp.Hash)
	if cp.Verified {
		s += p.l.T("report.pdf.verified")
	} else {
		s += p.l.T("report.pdf.not_verified")
	}
	p.para(s, 9, inkColour)
	p.f.Ln(2)
	p.signedNote(cp.Text)
}

// signedNote writes a signed note in a framed band, each line of the note
// on a line of its own, never wrapped, in a monospace font small enough
// for the longest line to fit the band (down to a floor, below which a
// longer line runs past the band rather than wrap). Text copied out of
// the PDF is then the note again, and verifies: a signature line broken in
// two does not. The band is kept on one page, so no page footer comes
// between the lines.
func (p *pdfWriter) signedNote(text string) {
	const (
		maxSize, minSize = 7.0, 4.5 // points
		pad              = 2.0      // millimetres inside the band
	)
	f := p.f
	addFont(f, pdfMonoFont, "", fontMono)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	room := p.width() - 2*pad - 2*f.GetCellMargin()
	size := maxSize
	f.SetFont(pdfMonoFont, "", size)
	widest := 0.0
	for _, line := range lines {
		widest = max(widest, f.GetStringWidth(line))
	}
	if widest > room {
		// Tenths of a point, rounded down: the widest line fits.
		size = max(minSize, math.Floor(size*room/widest*10)/10)
	}
	f.SetFont(pdfMonoFont, "", size)
	f.SetTextColor(int(inkColour.R), int(inkColour.G), int(inkColour.B))
	_, sizeMM := f.GetFontSize()
	lineH := sizeMM * 1.35
	h := float64(len(lines))*lineH + 2*pad
	p.need(h)
	l, _, _, _ := f.GetMargins()
	top := f.GetY()
	p.fill(pdfBand)
	f.SetDrawColor(int(pdfRule.R), int(pdfRule.G), int(pdfRule.B))
	f.SetLineWidth(0.2)
	f.Rect(l, top, p.width(), h, "FD")
	f.SetY(top + pad)
	for _, line := range lines {
		f.SetX(l + pad)
		f.CellFormat(p.width()-2*pad, lineH, line, "", 2, "L", false, 0, "")
	}
	f.SetY(top + h)
}

// figures is the table of headline numbers.
func (p *pdfWriter) figures(v *view) {
	f := p.f
	cols := []float64{62, 36, 36, 36}
	head := []string{"", p.l.T("report.pdf.this_period"), p.l.T("report.pdf.previous_period"), p.l.T("report.pdf.change")}
	if !v.HasPrevious {
		cols, head = cols[:2], head[:2]
	}
	p.fill(pdfBand)
	p.font("B", 9, inkColour)
	f.SetDrawColor(int(pdfRule.R), int(pdfRule.G), int(pdfRule.B))
	f.SetLineWidth(0.2)
	for i, h := range head {
		align := "R"
		if i == 0 {
			align = "L"
		}
		f.CellFormat(cols[i], 6.5, h, "B", 0, align, true, 0, "")
	}
	f.Ln(-1)
	for _, fg := range v.Figures {
		x, y := f.GetX(), f.GetY()
		c := pdfAccent
		if o, ok := truce.ParseOutcome(fg.Class); ok {
			c = outcomeColour(o)
		}
		p.fill(c)
		f.Rect(x, y+1, 2, 4.5, "F")
		p.font("", 9.5, inkColour)
		f.SetX(x + 3)
		f.CellFormat(cols[0]-3, 6.5, fg.Label, "B", 0, "L", false, 0, "")
		p.font("B", 9.5, inkColour)
		f.CellFormat(cols[1], 6.5, numText(p.l, fg.Now), "B", 0, "R", false, 0, "")
		if v.HasPrevious {
			p.font("", 9.5, inkColour)
			f.CellFormat(cols[2], 6.5, numText(p.l, fg.Prev), "B", 0, "R", false, 0, "")
			f.CellFormat(cols[3], 6.5, fg.Change(), "B", 0, "R", false, 0, "")
		}
		f.Ln(-1)
	}
	f.Ln(1)
	if v.HasPrevious {
		p.para(p.l.T("report.pdf.changes_against", "Period", v.PreviousPeriod), 8, faintInk)
	} else {
		p.para(p.l.T("report.pdf.no_previous"), 8, faintInk)
	}
}

func (p *pdfWriter) partyTable(ph phaseView, hasPrev bool) {
	f := p.f
	if len(ph.Parties) == 0 {
		p.para(p.l.T("report.pdf.no_reports"), 9, faintInk)
		return
	}
	cols := []float64{40, 28, 28, 28, 28, 28}
	head := []string{p.l.T("report.pdf.party"), p.l.T("report.outcome_one.violation"), p.l.T("report.outcome_one.disputed"),
		p.l.T("report.outcome_one.undetermined"), p.l.T("report.outcome_one.not_prohibited"), p.l.T("report.pdf.change")}
	if !hasPrev {
		cols, head = cols[:5], head[:5]
	}
	p.need(7 * float64(len(ph.Parties)+1))
	p.fill(pdfBand)
	p.font("B", 8.5, inkColour)
	f.SetDrawColor(int(pdfRule.R), int(pdfRule.G), int(pdfRule.B))
	f.SetLineWidth(0.2)
	for i, h := range head {
		align := "R"
		if i == 0 {
			align = "L"
		}
		f.CellFormat(cols[i], 6, h, "B", 0, align, true, 0, "")
	}
	f.Ln(-1)
	p.font("", 9, inkColour)
	for _, r := range ph.Parties {
		vals := []string{r.Party, strconv.Itoa(r.Counts.Violation), strconv.Itoa(r.Counts.Disputed), strconv.Itoa(r.Counts.Undetermined), strconv.Itoa(r.Counts.NotProhibited), r.Change()}
		for i := range cols {
			align := "R"
			if i == 0 {
				align = "L"
			}
			f.CellFormat(cols[i], 6, vals[i], "B", 0, align, false, 0, "")
		}
		f.Ln(-1)
	}
	f.Ln(2)
}

// caseFacts is the line of facts under a case's heading.
func (p *pdfWriter) caseFacts(c caseView) string {
	facts := c.Grouping
	if c.ReportID != c.Incident {
		facts += p.l.T("report.pdf.finding_of", "ID", c.ReportID)
	}
	facts += p.l.T("report.pdf.phase", "ID", c.Phase)
	if c.PhaseName != "" {
		facts += ": " + c.PhaseName
	}
	facts += p.l.T("report.pdf.commitment", "ID", c.Commitment)
	if c.Party != "" {
		facts += p.l.T("report.pdf.party_of", "ID", c.Party)
	}
	if c.Place != "" || c.Location != "" {
		facts += p.l.T("report.pdf.location")
		if c.Place != "" {
			facts += c.Place + ", "
		}
		facts += c.Location
	}
	if c.Site != "" {
		facts += p.l.T("report.pdf.site", "Site", c.Site)
	}
	return facts
}

func (p *pdfWriter) caseEntry(c caseView) {
	f := p.f
	p.need(30)
	o, _ := truce.ParseOutcome(c.Outcome)
	col := outcomeColour(o)
	l, _, _, _ := f.GetMargins()
	top, page := f.GetY(), f.PageNo()
	f.SetX(l + 3)
	p.font("B", 9.5, inkColour)
	f.CellFormat(8, 5.5, strconv.Itoa(c.N)+".", "", 0, "L", false, 0, "")
	p.fill(col)
	p.font("B", 8, white)
	bw := f.GetStringWidth(c.Label) + 4
	f.CellFormat(bw, 5.5, c.Label, "", 0, "C", true, 0, "")
	p.font("B", 9.5, inkColour)
	f.CellFormat(0, 5.5, "  "+c.Time+p.l.T("report.pdf.incident", "ID", c.Incident), "", 1, "L", false, 0, "")
	f.SetLeftMargin(l + 3)
	p.para(p.caseFacts(c), 8, faintInk)
	f.Ln(0.8)
	p.para(c.Explanation, 9, inkColour)
	f.SetLeftMargin(l)
	bottom := f.GetY()
	if f.PageNo() == page && bottom > top {
		p.fill(col)
		f.Rect(l, top, 1.2, bottom-top, "F")
	}
	f.Ln(3)
}
