package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"truce"
)

// Judgement is the wire form of one judged report.
type Judgement struct {
	ReportID           string    `json:"report_id"`
	Source             string    `json:"source"`
	SourceID           string    `json:"source_id,omitempty"`
	Outlet             string    `json:"outlet,omitempty"`
	Time               string    `json:"time"`
	TimeEnd            string    `json:"time_end"`
	TimePrecision      string    `json:"time_precision"`
	Lon                float64   `json:"lon"`
	Lat                float64   `json:"lat"`
	LocationPrecisionM float64   `json:"location_precision_m,omitempty"`
	Place              string    `json:"place,omitempty"`
	Outcome            string    `json:"outcome"`
	Explanation        string    `json:"explanation"`
	Facts              Facts     `json:"facts"`
	Findings           []Finding `json:"findings"`
}

// Facts is the wire form of truce.Facts.
type Facts struct {
	Perpetrator      string   `json:"perpetrator,omitempty"`
	PerpetratorBasis string   `json:"perpetrator_basis,omitempty"`
	PerpetratorNote  string   `json:"perpetrator_note,omitempty"`
	Actions          []string `json:"actions,omitempty"`
	ActionBasis      string   `json:"action_basis,omitempty"`
	Category         string   `json:"category,omitempty"`
	CategoryBasis    string   `json:"category_basis,omitempty"`
	CategoryNote     string   `json:"category_note,omitempty"`
	Site             *Site    `json:"site,omitempty"`
	Zones            []string `json:"zones,omitempty"`
	Modality         string   `json:"modality,omitempty"`
	Attempted        bool     `json:"attempted,omitempty"`
	Place            string   `json:"place,omitempty"`
	// Evidence is what established each fact: words of the text with
	// their offsets in code points (end exclusive), or a field, tag,
	// site or sensor.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is the wire form of truce.Span.
type Evidence struct {
	Fact  string `json:"fact"`
	Basis string `json:"basis"`
	Words string `json:"words,omitempty"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Note  string `json:"note,omitempty"`
}

// Site is the wire form of truce.SiteMatch.
type Site struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Category  string  `json:"category,omitempty"`
	DistanceM float64 `json:"distance_m"`
}

// Finding is the wire form of truce.Finding.
type Finding struct {
	Commitment  string    `json:"commitment"`
	Phase       string    `json:"phase"`
	Party       string    `json:"party,omitempty"`
	Outcome     string    `json:"outcome"`
	Readings    []Reading `json:"readings"`
	Missing     []string  `json:"missing,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Zone        string    `json:"zone,omitempty"`
	Explanation string    `json:"explanation"`
}

// Reading is the wire form of truce.ReadingResult.
type Reading struct {
	Parties []string `json:"parties"`
	Outcome string   `json:"outcome"`
	Day     int      `json:"day,omitempty"`
	Days    int      `json:"days,omitempty"`
	Note    string   `json:"note"`
}

// NewJudgement converts a report and its judgement to the wire form.
func NewJudgement(r *truce.Report, j *truce.Judgement) Judgement {
	out := Judgement{
		ReportID:           string(r.ID),
		Source:             r.Source,
		SourceID:           r.SourceID,
		Outlet:             r.Outlet,
		Time:               r.Start.UTC().Format(time.RFC3339),
		TimeEnd:            r.End.UTC().Format(time.RFC3339),
		TimePrecision:      r.Precision.String(),
		Lon:                round6(r.Location.Lon),
		Lat:                round6(r.Location.Lat),
		LocationPrecisionM: r.LocationPrecisionMeters,
		Place:              r.Place,
		Outcome:            j.Outcome.String(),
		Explanation:        j.Explanation,
		Findings:           make([]Finding, 0, len(j.Findings)),
	}
	f := &j.Facts
	out.Facts = Facts{
		Perpetrator:      string(f.Perpetrator),
		PerpetratorBasis: string(f.PerpetratorBasis),
		PerpetratorNote:  f.PerpetratorNote,
		ActionBasis:      string(f.ActionBasis),
		Category:         string(f.Category),
		CategoryBasis:    string(f.CategoryBasis),
		CategoryNote:     f.CategoryNote,
		Modality:         f.Modality,
		Attempted:        f.Attempted,
		Place:            f.Place,
	}
	for _, ev := range f.Evidence {
		out.Facts.Evidence = append(out.Facts.Evidence, Evidence{Fact: ev.Fact, Basis: string(ev.Basis), Words: ev.Words, Start: ev.Start, End: ev.End, Note: ev.Note})
	}
	for _, a := range f.Actions {
		out.Facts.Actions = append(out.Facts.Actions, string(a))
	}
	for _, z := range f.Zones {
		out.Facts.Zones = append(out.Facts.Zones, string(z))
	}
	if f.Site != nil {
		out.Facts.Site = &Site{ID: string(f.Site.ID), Name: f.Site.Name, Category: string(f.Site.Category), DistanceM: float64(int(f.Site.DistanceMeters))}
	}
	for _, fd := range j.Findings {
		wf := Finding{
			Commitment: string(fd.Commitment), Phase: string(fd.Phase), Party: string(fd.Party),
			Outcome: fd.Outcome.String(), Missing: fd.Missing, Reason: fd.Reason, Zone: string(fd.Zone),
			Explanation: fd.Explanation, Readings: make([]Reading, 0, len(fd.Readings)),
		}
		for _, rr := range fd.Readings {
			ps := make([]string, len(rr.Parties))
			for i, p := range rr.Parties {
				ps[i] = string(p)
			}
			wf.Readings = append(wf.Readings, Reading{Parties: ps, Outcome: rr.Outcome.String(), Day: rr.Day, Days: rr.Days, Note: rr.Note})
		}
		out.Findings = append(out.Findings, wf)
	}
	return out
}

func round6(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 6, 64), 64)
	return v
}

// Writer writes judgements in one of the line formats.
type Writer interface {
	Write(r *truce.Report, j *truce.Judgement) error
	Flush() error
}

// Formats lists the line formats NewWriter accepts.
var Formats = []string{"jsonl", "table", "csv"}

// NewWriter returns a writer for format jsonl, table or csv.
func NewWriter(w io.Writer, format string) (Writer, error) {
	switch format {
	case "jsonl", "json":
		return &jsonlWriter{enc: json.NewEncoder(w)}, nil
	case "csv":
		cw := csv.NewWriter(w)
		err := cw.Write([]string{"report_id", "source", "time", "time_end", "lon", "lat", "outcome", "perpetrator", "category", "commitment", "phase", "explanation"})
		return &csvWriter{w: cw}, err
	case "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		_, err := fmt.Fprintln(tw, "REPORT\tTIME\tOUTCOME\tEXPLANATION")
		return &tableWriter{w: tw}, err
	}
	return nil, fmt.Errorf("unknown output format %q: want %s", format, strings.Join(Formats, ", "))
}

type jsonlWriter struct{ enc *json.Encoder }

func (w *jsonlWriter) Write(r *truce.Report, j *truce.Judgement) error {
	w.enc.SetEscapeHTML(false)
	return w.enc.Encode(NewJudgement(r, j))
}

func (w *jsonlWriter) Flush() error { return nil }

type csvWriter struct{ w *csv.Writer }

func (w *csvWriter) Write(r *truce.Report, j *truce.Judgement) error {
	var cm, ph string
	for _, f := range j.Findings {
		if f.Explanation == j.Explanation {
			cm, ph = string(f.Commitment), string(f.Phase)
			break
		}
	}
	return w.w.Write([]string{
		SafeCell(string(r.ID)), SafeCell(r.Source), r.Start.UTC().Format(time.RFC3339), r.End.UTC().Format(time.RFC3339),
		strconv.FormatFloat(r.Location.Lon, 'f', 6, 64), strconv.FormatFloat(r.Location.Lat, 'f', 6, 64),
		j.Outcome.String(), string(j.Facts.Perpetrator), string(j.Facts.Category), cm, ph, SafeCell(j.Explanation),
	})
}

func (w *csvWriter) Flush() error { w.w.Flush(); return w.w.Error() }

type tableWriter struct{ w *tabwriter.Writer }

func (w *tableWriter) Write(r *truce.Report, j *truce.Judgement) error {
	expl := strings.ReplaceAll(j.Explanation, "\t", " ")
	_, err := fmt.Fprintf(w.w, "%s\t%s\t%s\t%s\n", r.ID, r.Start.UTC().Format("2006-01-02T15:04Z"), j.Outcome, expl)
	return err
}

func (w *tableWriter) Flush() error { return w.w.Flush() }

// SafeCell neutralises a CSV cell that a spreadsheet would run as a
// formula (a leading =, +, -, @, tab or carriage return) by prefixing a
// single quote. Report text is untrusted.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
