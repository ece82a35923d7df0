package report

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed templates/report.html
var reportHTML string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	// src makes the src attribute of an img from PNG bytes we rendered
	// ourselves, as a data: URL; it is the only value the template trusts.
	// (As a template.URL, html/template would write each "+" of the base64
	// as "&#43;".)
	"src": func(b []byte) template.HTMLAttr {
		return template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(b) + `"`)
	},
}).Parse(reportHTML))

// WriteHTML writes the period report as one self-contained HTML page: the
// key figures with their change from the previous period, the map, per
// phase the parties' figures and charts, the violations and disputed cases
// with their explanations, the obligations and the log checkpoint. Styles
// are inline and the map and charts are PNG data: URLs, so the page makes
// no request; a Content-Security-Policy forbids any. Every text from the
// data (report explanations carry report headlines) is escaped by
// html/template. The same data give the same bytes.
func WriteHTML(w io.Writer, d *ReportData) error {
	v, err := buildView(d)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// T returns the report's message id in its language, its fields from kv
// (i18n.Localizer.T); html/template escapes it like any text.
func (v *view) T(id string, kv ...any) string { return v.l.T(id, kv...) }

// H returns the report's message id, which has no fields, as HTML: the
// catalogue is part of the program, and English text is written as the
// template always wrote it (quotes and apostrophes unescaped).
func (v *view) H(id string) template.HTML { return template.HTML(v.l.T(id)) }

// Alt returns an alt attribute holding message id with its fields from kv,
// escaped for a double-quoted attribute.
func (v *view) Alt(id string, kv ...any) template.HTMLAttr {
	return template.HTMLAttr(`alt="` + attrEscaper.Replace(v.l.T(id, kv...)) + `"`)
}

// Lang is the report's language code, for <html lang>.
func (v *view) Lang() string { return v.l.Lang() }

var attrEscaper = strings.NewReplacer(`&`, "&amp;", `"`, "&#34;", `<`, "&lt;", `>`, "&gt;")
