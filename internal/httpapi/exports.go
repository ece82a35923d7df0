package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"truce"
	"truce/internal/report"
)

type summaryIn struct {
	Format string `query:"format" enum:"json,md,csv,html,pdf" default:"json" doc:"html and pdf give the period report (map, charts, cases, checkpoint); give from and to to compare with the previous period"`
	From   string `query:"from" maxLength:"10" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"first day, in the agreement's time zone"`
	To     string `query:"to" maxLength:"10" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"last day, included"`
	Cases  bool   `query:"cases" default:"true" doc:"json: include the list of violations and disputed cases (false: the counts and daily series only, e.g. for charts)"`
	Lang   string `query:"lang" enum:"en,uk,ru," doc:"md, html and pdf: the report's language, en (the default), uk or ru; json and csv are the same in every language"`
}
type summaryOut struct {
	ContentType string `header:"Content-Type"`
	Disposition string `header:"Content-Disposition"`
	CSP         string `header:"Content-Security-Policy"`
	Body        []byte
}

// getSummary serves get-summary. Summaries are cached by log size, and
// the anonymous public may have only so many built per address.
func (s *Server) getSummary(ctx context.Context, p truce.Principal, in *summaryIn) (*summaryOut, error) {
	// Every change to the record appends to the log, so a summary built at
	// one log size holds until the next write.
	size, err := s.store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	if in.Lang == "" || in.Format == "json" || in.Format == "csv" {
		in.Lang = "en"
	}
	key := summaryKey{size: size, visible: visibility(p), format: in.Format, from: in.From, to: in.To, cases: in.Cases, lang: in.Lang}
	if out, ok := s.summaries.get(key); ok {
		return out, nil
	}
	// A summary reads every judgement: the public, who can ask for a new
	// from/to pair at every request, may have only so many built per
	// address.
	if p.Role == "" {
		if ok, wait := s.anonSummaries.allow(clientAddrOf(ctx), time.Now()); !ok {
			return nil, retryAfter(wait, "too many summaries built for this address; summaries already built (same from, to and format) are served at once")
		}
	}
	out, err := s.buildSummary(ctx, p, in)
	if err == nil {
		s.summaries.put(key, out)
	}
	return out, err
}

// summaryKey names one summary: the log size it was built at, what the
// caller may read and the request.
type summaryKey struct {
	size                      int64
	visible, format, from, to string
	cases                     bool
	lang                      string
}

// visibility is what p may read, as IncidentFilter.Visibility decides it.
func visibility(p truce.Principal) string {
	switch p.Role {
	case truce.RoleAdmin, truce.RoleMonitor:
		return "all"
	case truce.RoleParty:
		return "party:" + string(p.Party)
	}
	return "published"
}

// summaryCache keeps the last few summaries built.
type summaryCache struct {
	mu   sync.Mutex
	keys []summaryKey
	m    map[summaryKey]*summaryOut
}

const maxSummaries = 16

func (c *summaryCache) get(k summaryKey) (*summaryOut, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out, ok := c.m[k]
	return out, ok
}

func (c *summaryCache) put(k summaryKey, out *summaryOut) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[summaryKey]*summaryOut{}
	}
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.keys) >= maxSummaries {
		delete(c.m, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.keys = append(c.keys, k)
	c.m[k] = out
}

// buildSummary builds the summary get-summary asks for.
func (s *Server) buildSummary(ctx context.Context, p truce.Principal, in *summaryIn) (*summaryOut, error) {
	v, a, err := s.currentAgreement(ctx)
	if err != nil {
		return nil, err
	}
	f, err := summaryFilter(p, in, a.Timezone)
	if err != nil {
		return nil, err
	}
	sum := report.NewSummary(a, v.Version)
	sum.NoMap = in.Format != "html" && in.Format != "pdf"
	if sum.Lang = in.Lang; in.Lang != "en" {
		judge, jv, err := s.judges.current(ctx)
		if err != nil {
			return nil, err
		}
		if judge != nil && jv != nil && jv.ID == v.ID && jv.Version == v.Version {
			sum.Explain = report.Explainer(ctx, s.store, v, judge, in.Lang)
		}
	}
	if err := sum.AddJudgements(ctx, s.store, v.ID, v.Version, f); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	switch in.Format {
	case "html", "pdf":
		d, err := report.Gather(ctx, s.store, a, v, sum, f, in.From, in.To)
		if err != nil {
			return nil, err
		}
		d.Lang = in.Lang
		if in.Format == "pdf" {
			if err := report.WritePDF(&buf, d); err != nil {
				return nil, err
			}
			return &summaryOut{ContentType: "application/pdf", Disposition: `attachment; filename="truce-report.pdf"`, Body: buf.Bytes()}, nil
		}
		if err := report.WriteHTML(&buf, d); err != nil {
			return nil, err
		}
		// The report is self-contained: inline styles, images as data: URLs.
		return &summaryOut{ContentType: "text/html; charset=utf-8", CSP: "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'", Body: buf.Bytes()}, nil
	}
	// The claimed-vs-found section (Gather adds it for html and pdf).
	if err := report.GatherClaims(ctx, s.store, a, v, sum, f, in.From, in.To); err != nil {
		return nil, err
	}
	if in.Format == "json" && !in.Cases {
		sum.Finish() // count the incidents first: Finish lists their cases
		sum.Cases = []report.Case{}
	}
	// The answer is kept whole: room for it at once, not by doubling
	// (about 1.4 KB a case in JSON or Markdown).
	sum.Finish()
	buf.Grow(64<<10 + 1536*len(sum.Cases))
	if err := report.WriteSummaryCompact(&buf, sum, in.Format); err != nil {
		return nil, err
	}
	ct := map[string]string{"json": "application/json", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8"}[in.Format]
	return &summaryOut{ContentType: ct, Body: buf.Bytes()}, nil
}

// summaryFilter selects the reports a summary counts: those p may read,
// between the request's days in the agreement's time zone tz.
func summaryFilter(p truce.Principal, in *summaryIn, tz *time.Location) (truce.ReportFilter, error) {
	f := truce.ReportFilter{Visible: &p}
	for _, d := range []struct {
		field, s string
		dst      **time.Time
		end      bool
	}{{"from", in.From, &f.Since, false}, {"to", in.To, &f.Until, true}} {
		if d.s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.s, tz)
		if err != nil || t.Year() < 1900 || t.Year() > 2200 {
			return f, fieldError("query."+d.field, "not a valid date", d.s)
		}
		if d.end {
			t = t.AddDate(0, 0, 1)
		}
		*d.dst = &t
	}
	return f, nil
}

// exportIn is the request of export-incidents.
type exportIn struct {
	Format string `query:"format" enum:"csv,geojson,json" default:"csv"`
	HXL    bool   `query:"hxl" doc:"csv: a second row of HXL hashtags (#event+id, #date+start, #geo+lon, #geo+lat, #event+type+verdict, #actor+name, ...) under the header"`
	ListParams
}

// incidentCSVColumns are the incidents export's CSV header and, in the
// same order, their HXL hashtags.
var incidentCSVColumns = [2][]string{
	{"id", "start", "lon", "lat", "status", "published", "outcome", "parties", "phases", "contested_by", "explanation", "reports", "corroboration"},
	{"#event+id", "#date+start", "#geo+lon", "#geo+lat", "#status+review", "#status+published", "#event+type+verdict", "#actor+name",
		"#x_phase", "#actor+name+contested", "#description", "#indicator+num+reports", "#indicator+num+corroboration"},
}

// exportIncidentsDoc describes export-incidents.
const exportIncidentsDoc = "CSV cells that a spreadsheet would run as a formula are prefixed with a quote. " +
	"An export that fails after it started is aborted: the connection closes without the end of the response " +
	"(no final chunk), so an HTTP client reports an error (an unexpected EOF) instead of a complete-looking file."

// exportIncidents serves export-incidents: every incident p may read that
// matches the filters, streamed a page at a time. An export that fails
// after it started is aborted (http.ErrAbortHandler): its client gets an
// error reading the body, never a truncated file that ends cleanly.
func (s *Server) exportIncidents(ctx context.Context, p truce.Principal, in *exportIn) (*huma.StreamResponse, error) {
	f, err := in.filter(p)
	if err != nil {
		return nil, err
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		ct := map[string]string{"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json", "json": "application/json"}[in.Format]
		hc.SetHeader("Content-Type", ct)
		hc.SetHeader("Content-Disposition", `attachment; filename="incidents.`+in.Format+`"`)
		if err := s.export(ctx, hc.BodyWriter(), in.Format, in.HXL, f); err != nil {
			s.log.ErrorContext(ctx, "export failed", "request_id", requestID(ctx), "err", err)
			// The 200 may be sent already: abort the response, so the
			// client sees an incomplete transfer (no final chunk, the
			// connection closed) instead of a file that looks whole.
			panic(http.ErrAbortHandler)
		}
	}}, nil
}

type writer interface{ Write([]byte) (int, error) }

// export streams every incident matching f, a page at a time.
func (s *Server) export(ctx context.Context, w writer, format string, hxl bool, f truce.IncidentFilter) error {
	f.Limit = 1000
	var cw *csv.Writer
	first := true
	switch format {
	case "csv":
		cw = csv.NewWriter(w)
		if err := cw.Write(incidentCSVColumns[0]); err != nil {
			return err
		}
		if hxl {
			if err := cw.Write(incidentCSVColumns[1]); err != nil {
				return err
			}
		}
	case "geojson":
		if _, err := w.Write([]byte(`{"type":"FeatureCollection","features":[`)); err != nil {
			return err
		}
	default:
		if _, err := w.Write([]byte(`[`)); err != nil {
			return err
		}
	}
	for {
		page, next, err := s.store.Incidents(ctx, f)
		if err != nil {
			return err
		}
		outs := make([]IncidentOut, len(page))
		for i := range page {
			outs[i] = incidentOut(&page[i])
		}
		if err := s.corroborate(ctx, page, outs); err != nil {
			return err
		}
		for i := range page {
			o := outs[i]
			switch format {
			case "csv":
				if err := cw.Write([]string{report.SafeCell(o.ID), o.Start.UTC().Format(time.RFC3339),
					strconv.FormatFloat(o.Lon, 'f', 6, 64), strconv.FormatFloat(o.Lat, 'f', 6, 64), o.Status,
					strconv.FormatBool(o.Published), o.Outcome, strings.Join(o.Parties, "|"), strings.Join(o.Phases, "|"),
					strings.Join(o.ContestedBy, "|"), report.SafeCell(o.Explanation), strconv.Itoa(o.Reports), strconv.Itoa(o.Corroboration)}); err != nil {
					return err
				}
			case "geojson":
				feat := map[string]any{"type": "Feature", "id": o.ID,
					"geometry":   map[string]any{"type": "Point", "coordinates": []float64{o.Lon, o.Lat}},
					"properties": o}
				if err := writeJSONItem(w, feat, &first); err != nil {
					return err
				}
			default:
				if err := writeJSONItem(w, o, &first); err != nil {
					return err
				}
			}
		}
		if next == "" {
			break
		}
		f.After = next
	}
	switch format {
	case "csv":
		cw.Flush()
		return cw.Error()
	case "geojson":
		_, err := w.Write([]byte("]}\n"))
		return err
	}
	_, err := w.Write([]byte("]\n"))
	return err
}

func writeJSONItem(w writer, v any, first *bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !*first {
		if _, err := w.Write([]byte(",\n")); err != nil {
			return err
		}
	}
	*first = false
	_, err = w.Write(b)
	return err
}
