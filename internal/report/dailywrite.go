package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

//go:embed templates/daily.html
var dailyHTML string

var dailyTemplate = template.Must(template.New("daily").Funcs(template.FuncMap{
	// sub says whether a label is a breakdown of the figure above it
	// (labels that start in lower case).
	"sub": func(label string) bool { return label != "" && strings.ToLower(label[:1]) == label[:1] },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}).Parse(dailyHTML))

// WriteDailyJSON writes the daily report as indented JSON.
func WriteDailyJSON(w io.Writer, d *Daily) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("report: daily json: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteDailyHTML writes the daily report as one self-contained HTML page
// (no request leaves it; every text from the data is escaped).
func WriteDailyHTML(w io.Writer, d *Daily) error {
	var buf bytes.Buffer
	if err := dailyTemplate.Execute(&buf, d); err != nil {
		return fmt.Errorf("report: daily html: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteDailyPDF writes the daily report as an A4 PDF with the content of
// WriteDailyHTML, in the embedded DejaVu Sans; its dates are the
// report's day (midnight UTC), never the current time: the same data
// give the same bytes.
func WriteDailyPDF(w io.Writer, d *Daily) error {
	pw := &pdfWriter{f: fpdf.New("P", "mm", "A4", ""), widths: map[int]bool{}}
	f := pw.f
	at := pdfEpoch
	if t, err := time.Parse(time.DateOnly, d.Day); err == nil {
		at = t
	}
	f.SetCatalogSort(true)
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.SetProducer("truce", true)
	f.SetCreator("truce", true)
	f.SetTitle(d.Title+": daily report "+d.Day, true)
	f.SetLang("en")
	addFont(f, pdfFont, "", fontRegular)
	addFont(f, pdfFont, "B", fontBold)
	f.SetMargins(15, 15, 15)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		pw.font("", 7.5, faintInk)
		f.CellFormat(0, 4, fmt.Sprintf("%s · daily report %s · page %d of {nb}", d.Agreement, d.Day, f.PageNo()), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	pw.daily(d)
	if err := f.Error(); err != nil {
		return fmt.Errorf("report: daily pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return fmt.Errorf("report: daily pdf: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func (p *pdfWriter) daily(d *Daily) {
	p.font("B", 16, pdfAccent)
	p.f.MultiCell(0, 8, "Daily report, "+d.Day, "", "L", false)
	since := "since the first record"
	if d.TotalsSince != "" {
		since = "since the recommitment of " + d.TotalsSince
		if d.Recommitment != "" {
			since += " (" + d.Recommitment + ")"
		}
	}
	p.para(fmt.Sprintf("%s (%s). Beside the previous day (%s); running totals %s. Days in %s.", d.Title, d.Agreement, d.PreviousDay, since, d.Timezone), 9, faintInk)
	p.heading("Figures")
	p.countTable([]string{"", d.Day, d.PreviousDay, "Total"}, []float64{105, 25, 25, 25}, countRows(d.Figures))
	p.para("Observations count events (an observation of 12 explosions counts 12); allegations and restrictions count records.", 8, faintInk)
	for _, g := range []struct {
		title string
		gs    []DailyGroup
	}{{"By area", d.Areas}, {"By side", d.Sides}} {
		p.heading(g.title)
		if len(g.gs) == 0 {
			p.para("No records.", 9, faintInk)
			continue
		}
		head := []string{""}
		for _, c := range g.gs[0].Figures {
			head = append(head, shortLabels[c.Key])
		}
		var rows [][]string
		for _, gr := range g.gs {
			row := []string{gr.Name}
			for _, c := range gr.Figures {
				row = append(row, fmt.Sprintf("%d (%d) %d", c.Day, c.Previous, c.Total))
			}
			rows = append(rows, row)
		}
		p.countTable(head, []float64{42, 23, 23, 23, 23, 23, 23}, rows)
		p.para("Each cell: the day, the previous day in brackets, then the running total.", 8, faintInk)
	}
	for _, s := range []struct {
		title string
		rs    []DailyRecord
	}{{"Observations of the day", d.Observations}, {"Restrictions of access of the day", d.Restrictions}} {
		p.heading(s.title)
		if len(s.rs) == 0 {
			p.para("None.", 9, faintInk)
			continue
		}
		var items []string
		for _, r := range s.rs {
			items = append(items, fmt.Sprintf("%s (%s): %s", r.ID, r.Outcome, r.Explanation))
		}
		p.bullets(items, 8.5)
	}
}

// shortLabels head the area and side tables' columns.
var shortLabels = map[string]string{"observed": "Observed", "observed.breach": "in breach", "observed.explosion": "Explosions",
	"alleged": "Alleged", "restrictions": "Restrictions", "restrictions.breach": "in breach"}

func countRows(cs []Count) [][]string {
	rows := make([][]string, 0, len(cs))
	for _, c := range cs {
		label := c.Label
		if label != "" && strings.ToLower(label[:1]) == label[:1] {
			label = "    " + label
		}
		rows = append(rows, []string{label, strconv.Itoa(c.Day), strconv.Itoa(c.Previous), strconv.Itoa(c.Total)})
	}
	return rows
}

// countTable writes a table whose first column is text and the others
// numbers.
func (p *pdfWriter) countTable(head []string, cols []float64, rows [][]string) {
	f := p.f
	p.fill(pdfBand)
	p.font("B", 8, inkColour)
	f.SetDrawColor(int(pdfRule.R), int(pdfRule.G), int(pdfRule.B))
	f.SetLineWidth(0.2)
	for i, h := range head {
		f.CellFormat(cols[i], 6, h, "B", 0, map[bool]string{true: "L", false: "R"}[i == 0], true, 0, "")
	}
	f.Ln(-1)
	p.font("", 8.5, inkColour)
	for _, r := range rows {
		p.need(6)
		for i := range head {
			f.CellFormat(cols[i], 5.5, r[i], "B", 0, map[bool]string{true: "L", false: "R"}[i == 0], false, 0, "")
		}
		f.Ln(-1)
	}
	f.Ln(2)
}
