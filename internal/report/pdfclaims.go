package report

// claims writes the "Claimed vs found" section, if there is one: per
// accused party a compact table per reading, its columns sized to the
// printable width.
func (p *pdfWriter) claims(v *claimsView) {
	if v == nil {
		return
	}
	f := p.f
	p.heading(p.l.T("report.claims.heading"))
	p.para(v.Intro, 8.5, inkColour)
	f.Ln(1)
	p.font("B", 8.5, inkColour)
	f.MultiCell(0, 4.25, v.Note, "", "L", false)
	f.Ln(1)
	if len(v.Parties) > 0 {
		p.para(v.Legend, 7.5, faintInk)
	}
	for _, pv := range v.Parties {
		p.subheading(p.l.T("report.claims.against", "Party", pv.Accused))
		p.para(pv.Summary, 8.5, inkColour)
		for _, t := range pv.Tables {
			p.claimsTable(t)
		}
	}
	if len(v.Tallies) > 0 {
		p.subheading(p.l.T("report.claims.tallies"))
		var items []string
		for _, t := range v.Tallies {
			s := t.Head
			if t.Wording != "" {
				s += ". " + t.Wording
			}
			if t.Source != "" || t.URL != "" {
				s += p.l.T("report.claims.source", "Source", t.Source)
				if t.URL != "" {
					s += ", " + t.URL
				}
				s += ")"
			}
			items = append(items, s)
		}
		p.bullets(items, 8)
	}
}

// claimsTable writes one party's days under one reading. The day column
// takes what the number columns leave of the printable width.
func (p *pdfWriter) claimsTable(t claimsTable) {
	const rowH, numW = 4.6, 11.5
	f := p.f
	dayW := p.width() - numW*float64(len(t.Columns))
	p.need(4*rowH + 6)
	f.Ln(1)
	if t.Title != "" {
		p.font("B", 8, inkColour)
		f.CellFormat(0, 4.5, t.Title, "", 1, "L", false, 0, "")
	}
	f.SetDrawColor(int(pdfRule.R), int(pdfRule.G), int(pdfRule.B))
	f.SetLineWidth(0.2)
	header := func() {
		p.fill(pdfBand)
		p.font("B", 6, inkColour)
		f.CellFormat(dayW, rowH+0.6, p.l.T("report.claims.day"), "B", 0, "L", true, 0, "")
		for _, c := range t.Columns {
			f.CellFormat(numW, rowH+0.6, c, "B", 0, "R", true, 0, "")
		}
		f.Ln(-1)
	}
	header()
	row := func(r claimsRow, style string, fill bool) {
		if p.needs(rowH) {
			f.AddPage()
			header()
		}
		p.font(style, 7.5, inkColour)
		f.CellFormat(dayW, rowH, r.Day, "B", 0, "L", fill, 0, "")
		for _, v := range r.Values {
			f.CellFormat(numW, rowH, v, "B", 0, "R", fill, 0, "")
		}
		f.Ln(-1)
	}
	for _, r := range t.Rows {
		row(r, "", false)
	}
	p.fill(pdfBand)
	row(t.Total, "B", true)
	if t.Earlier != "" {
		f.Ln(0.5)
		p.para(t.Earlier, 7.5, faintInk)
	}
	f.Ln(1.5)
}

// needs reports whether fewer than h millimetres are left on the page.
func (p *pdfWriter) needs(h float64) bool {
	_, ph := p.f.GetPageSize()
	_, _, _, b := p.f.GetMargins()
	return p.f.GetY()+h > ph-b-4
}
