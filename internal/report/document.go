package report

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
	"truce/internal/i18n"
	"truce/internal/ledger"
)

// ReportData is everything the HTML and PDF period reports show. Only
// Summary is required.
//
// WriteHTML and WritePDF sort Summary and Previous in place, as
// WriteSummary does: a Summary MUST NOT be written by two goroutines at
// once.
type ReportData struct {
	// Summary is the period's summary, built with NewSummary and Add: its
	// agreement gives the map's zones, and Add records each report's
	// location and outcome for the map.
	Summary *Summary
	// Period is the period Summary covers (the --from/--to it was read
	// with): it labels the report and gives the daily charts their days;
	// zero: Summary.From to Summary.To (the first and last day with a
	// report).
	Period Period
	// Previous is the summary of the period before, for the changes; nil:
	// no comparison is shown.
	Previous *Summary
	// PreviousPeriod labels Previous; zero: Period.Previous() when Period is
	// set, else Previous.From to Previous.To.
	PreviousPeriod Period
	// Checkpoint is the signed log checkpoint the figures were read at
	// (LogStore.LatestCheckpoint, a signed note); "": none shown.
	Checkpoint string
	// VerifierKey, if set, is the log's verifier key: the checkpoint's
	// signature is then checked and a bad one fails the report.
	VerifierKey string
	// Sites are protected sites to draw on the map; only those in the map's
	// extent are drawn, and sites named by a case are labelled.
	Sites []truce.Site
	// Generated is when the report was made, shown on it and used as the
	// PDF's creation date; zero: not shown, and the PDF is dated by
	// CheckpointTime or the period's end instead (see WritePDF).
	Generated time.Time
	// CheckpointTime is when Checkpoint was signed: Gather sets it to the
	// time of the last log record the checkpoint covers (a store signs a
	// checkpoint in the transaction that appends its records). It dates
	// the PDF when Generated is zero; zero: unknown.
	CheckpointTime time.Time
	// Lang is the language of the report: "" or "en" (English), "uk" or
	// "ru". The explanations of the cases are the summary's: set
	// Summary.Explain to have them in the same language.
	Lang string
}

// figure is one headline number with its change from the previous period.
type figure struct {
	Label   string
	Class   string // CSS class and colour key: the outcome's wire name, or "reports"
	Now     int
	Prev    int
	HasPrev bool
}

// Change formats the change from the previous period: "+3", "−2", "±0".
func (f figure) Change() string { return changeText(f.Now, f.Prev) }

// Trend is "up", "down" or "same", for styling.
func (f figure) Trend() string {
	switch {
	case f.Now > f.Prev:
		return "up"
	case f.Now < f.Prev:
		return "down"
	}
	return "same"
}

func changeText(now, prev int) string {
	switch d := now - prev; {
	case d > 0:
		return "+" + strconv.Itoa(d)
	case d < 0:
		return "−" + strconv.Itoa(-d)
	}
	return "±0"
}

// view is the content of a report, shared by the HTML and PDF writers.
type view struct {
	l              *i18n.Localizer
	Title          string
	Agreement      string
	Version        string
	StoredVersion  int
	Timezone       string
	Period         string
	PreviousPeriod string
	HasPrevious    bool
	Generated      string
	Reports        int
	Figures        []figure // reports, incidents, then the four outcomes
	Highlights     []string
	Map            []byte // PNG
	MapNote        string
	MapOutliers    string // the reports outside the map's extent, counted and named; "": none
	Phases         []phaseView
	Cases          []caseView
	Claims         *claimsView // nil: no claimed-vs-found section
	Obligations    []Obligation
	Checkpoint     *checkpointView
}

type phaseView struct {
	ID, Name  string
	Status    string // "in force", "partly in force", "never in force"; "" if unknown
	Never     bool   // never in force
	Schedule  []string
	Totals    Counts
	Parties   []partyRow
	Active    bool   // has violations, disputed or undetermined cases: charts are drawn
	Chart     []byte // PNG: per-party outcomes
	Daily     []byte // PNG: the daily series
	DailyNote string
}

type partyRow struct {
	Party   string
	Counts  Counts
	Prev    Counts
	HasPrev bool
}

// Change is the change in violations and disputed cases.
func (r partyRow) Change() string {
	return changeText(r.Counts.Violation+r.Counts.Disputed, r.Prev.Violation+r.Prev.Disputed)
}

type caseView struct {
	N        int
	Outcome  string
	Label    string // "Violation", "Disputed"
	Time     string // "2025-03-28 14:05 EET" or the day
	Incident string
	Grouping string // "3 reports from 2 independent sources, …"
	// ReportID is the report whose finding decided the case.
	ReportID    string
	Phase       string
	PhaseName   string
	Commitment  string
	Party       string
	Place       string
	Location    string
	Site        string
	Explanation string
}

type checkpointView struct {
	Text     string
	Origin   string
	Size     string
	Hash     string
	Signers  []string
	Verified bool
}

// mapWidth and mapHeight are the pixel size of the map in both reports.
const mapWidth, mapHeight = 1400, 900

func buildView(d *ReportData) (*view, error) {
	s := d.Summary
	if s == nil {
		return nil, errors.New("report: no summary")
	}
	s.finish()
	prev := d.Previous
	if prev != nil {
		prev.finish()
	}
	l := i18n.For(d.Lang)
	v := &view{l: l, Title: titleIn(s, l.Lang()), Agreement: s.Agreement, Version: s.Version, StoredVersion: s.StoredVersion,
		Timezone: s.Timezone, Reports: s.Reports, HasPrevious: prev != nil, Obligations: s.Obligations}
	per := d.period()
	v.Period = periodText(l, per)
	if prev != nil {
		pp, err := d.previousPeriod()
		if err != nil {
			return nil, err
		}
		v.PreviousPeriod = periodText(l, pp)
	}
	if !d.Generated.IsZero() {
		v.Generated = d.Generated.UTC().Format("2 January 2006 15:04 UTC")
		if l.Lang() != "en" {
			v.Generated = l.T("date.at", "Date", l.Date(d.Generated.UTC()), "Time", d.Generated.UTC().Format("15:04 UTC"))
		}
	}
	v.Figures = figuresOf(l, s, prev)
	cp, err := readCheckpoint(d.Checkpoint, d.VerifierKey)
	if err != nil {
		return nil, err
	}
	v.Checkpoint = cp
	if v.Phases, err = phaseViews(l, s, prev, per, v.PreviousPeriod); err != nil {
		return nil, err
	}
	v.Cases = caseViews(l, s)
	v.Claims = buildClaimsView(l, claimsIn(s, l.Lang()))
	var outliers []reportPoint
	if v.Map, outliers, err = renderMap(d, mapWidth, mapHeight); err != nil {
		return nil, err
	}
	v.MapOutliers = outlierNote(l, outliers)
	v.MapNote = mapNote(l, d)
	v.Highlights = highlights(s, prev, v)
	return v, nil
}

// period is the period the report covers: d.Period, else the summary's
// first to last day.
func (d *ReportData) period() Period {
	if d.Period.IsZero() {
		return Period{From: d.Summary.From, To: d.Summary.To}
	}
	return d.Period
}

// previousPeriod is the period d.Previous covers: d.PreviousPeriod, else
// the one before d.Period, else the previous summary's first to last day.
func (d *ReportData) previousPeriod() (Period, error) {
	pp := d.PreviousPeriod
	if pp.IsZero() && !d.Period.IsZero() {
		var err error
		if pp, err = d.Period.Previous(); err != nil {
			return Period{}, fmt.Errorf("report: %w", err)
		}
	}
	if pp.IsZero() {
		pp = Period{From: d.Previous.From, To: d.Previous.To}
	}
	return pp, nil
}

// pdfDate is the PDF's creation and modification date, as WritePDF
// describes it.
func (d *ReportData) pdfDate() time.Time {
	switch {
	case !d.Generated.IsZero():
		return d.Generated
	case d.Checkpoint != "" && !d.CheckpointTime.IsZero():
		return d.CheckpointTime
	}
	_, to, err := d.period().days()
	if err != nil {
		return pdfEpoch
	}
	return time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, d.Summary.location())
}

// figuresOf returns the headline numbers: reports, incidents, then the
// four outcomes, with the previous period's if there is one.
func figuresOf(l *i18n.Localizer, s, prev *Summary) []figure {
	var pt Counts
	if prev != nil {
		pt = prev.Totals
	}
	out := []figure{{Label: l.T("report.fig.reports"), Class: "reports", Now: s.Reports}, {Label: l.T("report.fig.incidents"), Class: "reports", Now: s.Incidents}}
	if prev != nil {
		out[0].Prev, out[0].HasPrev = prev.Reports, true
		out[1].Prev, out[1].HasPrev = prev.Incidents, true
	}
	for _, o := range truce.Outcomes() {
		out = append(out, figure{Label: outcomeLabel(l, o, true), Class: o.String(), Now: s.Totals.Of(o), Prev: pt.Of(o), HasPrev: prev != nil})
	}
	return out
}

// phaseViews returns each phase's status, party table and, for an active
// phase, its charts, against prev (nil: no comparison) labelled prevLabel.
// The daily chart has a bar for every day of per, or for the days with
// reports when per's days are not known or number more than 366.
func phaseViews(l *i18n.Localizer, s, prev *Summary, per Period, prevLabel string) ([]phaseView, error) {
	var sched map[string]string
	var lines map[string][]string
	if s.a != nil {
		sched = phaseStatus(s.a)
		lines = scheduleIn(s.a, l.Lang())
	}
	days, err := per.Days()
	if err != nil || len(days) > 366 {
		days = nil
	}
	var out []phaseView
	for i := range s.Phases {
		p := &s.Phases[i]
		pv := phaseView{ID: p.ID, Name: phaseName(s.a, p.ID, p.Name, l.Lang()), Status: sched[p.ID], Schedule: p.Schedule, Totals: p.Totals}
		pv.Never = pv.Status == "never in force"
		if pv.Status != "" {
			pv.Status = l.T("report.status." + strings.ReplaceAll(pv.Status, " ", "_"))
		}
		if ls, ok := lines[p.ID]; ok {
			pv.Schedule = ls
		}
		var pp *PhaseSummary
		if prev != nil {
			pp = prev.phase(p.ID)
		}
		for _, party := range partiesOf(p, pp) {
			row := partyRow{Party: party, Counts: p.partyCounts(party), HasPrev: prev != nil}
			if pp != nil {
				row.Prev = pp.partyCounts(party)
			}
			pv.Parties = append(pv.Parties, row)
		}
		pv.Active = p.Totals.Violation+p.Totals.Disputed+p.Totals.Undetermined > 0 ||
			(pp != nil && pp.Totals.Violation+pp.Totals.Disputed+pp.Totals.Undetermined > 0)
		if pv.Active {
			if pv.Chart, pv.Daily, err = phaseCharts(l, p, pp, days, prevLabel); err != nil {
				return nil, err
			}
		}
		out = append(out, pv)
	}
	return out, nil
}

// phaseCharts draws a phase's per-party chart and its daily chart, over
// days (nil: the days with reports).
func phaseCharts(l *i18n.Localizer, p, pp *PhaseSummary, days []string, prevLabel string) (chart, daily []byte, err error) {
	if chart, err = partyChart(l, p, pp, prevLabel); err != nil {
		return nil, nil, err
	}
	if days == nil {
		for _, dc := range p.Daily {
			days = append(days, dc.Day)
		}
	}
	if daily, err = dailyChart(l, p, days); err != nil {
		return nil, nil, err
	}
	return chart, daily, nil
}

// caseViews returns the violations and disputed cases, numbered from 1.
func caseViews(l *i18n.Localizer, s *Summary) []caseView {
	var out []caseView
	for i, c := range s.Cases {
		cv := caseView{N: i + 1, Outcome: c.Outcome, Incident: c.Incident, Grouping: c.Grouping, ReportID: c.ReportID, Phase: c.Phase,
			Commitment: c.Commitment, Party: c.Party, Explanation: c.Explanation, Time: caseTime(l, s, c.Time)}
		if l.Lang() != "en" {
			cv.Grouping = l.T("report.case.grouping", "Reports", l.N("report.n.reports", c.Reports, "N", l.Int(c.Reports)),
				"Sources", l.N("report.n.sources_from", c.Sources, "N", l.Int(c.Sources)))
		}
		if o, ok := truce.ParseOutcome(c.Outcome); ok {
			cv.Label = outcomeLabel(l, o, false)
		}
		if p := s.phase(c.Phase); p != nil {
			cv.PhaseName = phaseName(s.a, c.Phase, p.Name, l.Lang())
		}
		if cd, ok := s.cases[truce.ReportID(c.ReportID)]; ok {
			cv.Place = cd.Place
			cv.Location = latLonText(cd.Location)
			if cd.Site != nil {
				cv.Site = l.T("report.case.site", "Name", cd.Site.Name, "ID", cd.Site.ID, "Distance", distanceIn(l, cd.Site.DistanceMeters))
			}
		}
		out = append(out, cv)
	}
	return out
}

// outcomeLabel names an outcome for a reader, as a heading of counts
// when plural.
func outcomeLabel(l *i18n.Localizer, o truce.Outcome, plural bool) string {
	if plural {
		return l.T("report.outcome_many." + o.String())
	}
	return l.T("report.outcome_one." + o.String())
}

// phaseName is phase id's name in lang as agreement a gives it (nil:
// unknown), else name.
func phaseName(a *truce.Agreement, id, name, lang string) string {
	if a == nil {
		return name
	}
	for i := range a.Phases {
		if string(a.Phases[i].ID) == id {
			return a.Phases[i].Names.In(lang, name)
		}
	}
	return name
}

// scheduleIn returns, per phase of a, its schedule lines in lang as
// NewSummary writes them in English ("RU, UA: in force from …"); nil in
// English, where the summary's own lines serve.
func scheduleIn(a *truce.Agreement, lang string) map[string][]string {
	if lang == "en" {
		return nil
	}
	out := map[string][]string{}
	for _, ps := range adjudicate.Schedule(a) {
		var lines []string
		for i := range ps.Windows {
			w := &ps.Windows[i]
			who := make([]string, len(w.Parties))
			for j, pid := range w.Parties {
				who[j] = string(pid)
			}
			lines = append(lines, strings.Join(who, ", ")+": "+w.WhyIn(a, lang))
		}
		out[string(ps.Phase.ID)] = lines
	}
	return out
}

// titleIn is the agreement's title in lang where it gives one.
func titleIn(s *Summary, lang string) string {
	if s.a == nil {
		return s.Title
	}
	return s.a.Titles.In(lang, s.Title)
}

// claimsIn is s's claims section with its phase named in lang.
func claimsIn(s *Summary, lang string) *ClaimsSection {
	if s.Claims == nil || lang == "en" {
		return s.Claims
	}
	c := *s.Claims
	c.PhaseName = phaseName(s.a, c.Phase, c.PhaseName, lang)
	return &c
}

// periodText writes a period: as Period.String in English, with the
// language's dates otherwise.
func periodText(l *i18n.Localizer, p Period) string {
	from, to, err := p.days()
	if l.Lang() == "en" || err != nil {
		return p.String()
	}
	if from.Equal(to) {
		return l.Date(from)
	}
	return l.Date(from) + " – " + l.Date(to)
}

func (s *Summary) phase(id string) *PhaseSummary {
	for i := range s.Phases {
		if s.Phases[i].ID == id {
			return &s.Phases[i]
		}
	}
	return nil
}

func (p *PhaseSummary) partyCounts(party string) Counts {
	for _, pc := range p.ByParty {
		if pc.Party == party {
			return pc.Counts
		}
	}
	return Counts{}
}

// partiesOf lists the parties with figures in either period, sorted.
func partiesOf(p, prev *PhaseSummary) []string {
	var out []string
	for _, ps := range []*PhaseSummary{p, prev} {
		if ps == nil {
			continue
		}
		for _, pc := range ps.ByParty {
			if !slices.Contains(out, pc.Party) {
				out = append(out, pc.Party)
			}
		}
	}
	slices.Sort(out)
	return out
}

// phaseStatus says, per phase, whether it was in force under every
// reading, under some, or under none.
func phaseStatus(a *truce.Agreement) map[string]string {
	out := map[string]string{}
	for _, ps := range adjudicate.Schedule(a) {
		n := 0
		for _, w := range ps.Windows {
			if w.InForce {
				n++
			}
		}
		switch {
		case n == 0:
			out[string(ps.Phase.ID)] = "never in force"
		case n < len(ps.Windows):
			out[string(ps.Phase.ID)] = "in force under some readings"
		default:
			out[string(ps.Phase.ID)] = "in force"
		}
	}
	return out
}

// location is the agreement's time zone: that of the agreement s was made
// for, else (a decoded summary) the zone s names, else UTC.
func (s *Summary) location() *time.Location {
	if s.a != nil {
		return s.a.Timezone
	}
	if s.Timezone != "" && s.Timezone != "Local" {
		if loc, err := time.LoadLocation(s.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// caseTime formats a case's RFC 3339 time in the agreement's zone.
func caseTime(l *i18n.Localizer, s *Summary, t string) string {
	tt, err := time.Parse(time.RFC3339, t)
	if err != nil || s.a == nil {
		return t
	}
	at := tt.In(s.a.Timezone)
	midnight := at.Hour() == 0 && at.Minute() == 0
	switch {
	case l.Lang() != "en" && midnight:
		return l.Date(at)
	case l.Lang() != "en":
		return l.DateTime(at)
	case midnight:
		return at.Format("2006-01-02")
	}
	return at.Format("2006-01-02 15:04 MST")
}

// latLonText formats a point for a reader: "47.8383°N 35.1388°E".
func latLonText(p geo.Point) string {
	ns, ew := "N", "E"
	lat, lon := p.Lat, p.Lon
	if lat < 0 {
		lat, ns = -lat, "S"
	}
	if lon < 0 {
		lon, ew = -lon, "W"
	}
	return fmt.Sprintf("%.4f°%s %.4f°%s", lat, ns, lon, ew)
}

// distanceIn is distanceText in l's language.
func distanceIn(l *i18n.Localizer, m float64) string {
	if l.Lang() == "en" {
		return distanceText(m)
	}
	if m < 1000 {
		return l.T("unit.m", "N", l.Int(int(m)))
	}
	return l.T("unit.km", "N", l.Decimal(m/1000, 1))
}

func distanceText(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%d m", int(m))
	}
	return fmt.Sprintf("%.1f km", m/1000)
}

// readCheckpoint reads a signed note: verified against key if one is given,
// else read without checking the signature.
func readCheckpoint(text, key string) (*checkpointView, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	cv := &checkpointView{Text: text}
	body, sigs, _ := strings.Cut(text, "\n\n")
	for _, line := range strings.Split(sigs, "\n") {
		if name, ok := strings.CutPrefix(line, "— "); ok {
			name, _, _ = strings.Cut(name, " ")
			cv.Signers = append(cv.Signers, name)
		}
	}
	if key != "" {
		c, err := ledger.Open(key, []byte(text))
		if err != nil {
			return nil, fmt.Errorf("report: checkpoint: %w", err)
		}
		cv.Origin, cv.Size, cv.Hash, cv.Verified = c.Origin, strconv.FormatInt(c.Size, 10), c.Hash.String(), true
		return cv, nil
	}
	lines := strings.Split(body, "\n")
	for len(lines) < 3 {
		lines = append(lines, "")
	}
	cv.Origin, cv.Size, cv.Hash = lines[0], lines[1], lines[2]
	return cv, nil
}

// highlights are the summary sentences at the top of the report, in the
// manner of a monitoring mission's daily report.
func highlights(s, prev *Summary, v *view) []string {
	l := v.l
	n := func(id string, c int) string { return l.N(id, c, "N", numText(l, c)) }
	var out []string
	per := ""
	if v.Period != "" {
		per = l.T("report.hl.in_period", "Period", v.Period)
	}
	if s.Reports == 0 {
		out = append(out, per+l.T("report.hl.no_reports"))
	} else {
		out = append(out, l.T("report.hl.judged", "Per", per, "Reports", n("report.n.reports_judged", s.Reports),
			"Incidents", n("report.n.incidents", s.Incidents), "Violations", n("report.n.violations", s.Totals.Violation),
			"Disputed", n("report.n.disputed", s.Totals.Disputed), "Undetermined", numText(l, s.Totals.Undetermined),
			"NotProhibited", numText(l, s.Totals.NotProhibited)))
	}
	if prev != nil {
		out = append(out, l.T("report.hl.previous", "Period", v.PreviousPeriod, "Violations", n("report.n.violations", prev.Totals.Violation),
			"Disputed", n("report.n.disputed", prev.Totals.Disputed), "Undetermined", numText(l, prev.Totals.Undetermined),
			"Incidents", n("report.n.incidents_of", prev.Incidents), "ChangeV", changeText(s.Totals.Violation, prev.Totals.Violation),
			"ChangeD", changeText(s.Totals.Disputed, prev.Totals.Disputed)))
	}
	out = append(out, phaseHighlights(v)...)
	var never []string
	for _, p := range v.Phases {
		if p.Never {
			never = append(never, p.ID)
		}
	}
	switch len(never) {
	case 0:
	case 1:
		out = append(out, l.T("report.hl.never_one", "Phase", never[0]))
	default:
		out = append(out, l.T("report.hl.never_many", "Head", strings.Join(never[:len(never)-1], ", "), "Last", never[len(never)-1]))
	}
	if len(s.Obligations) > 0 {
		out = append(out, obligationHighlight(l, s.Obligations))
	}
	if v.Checkpoint != nil {
		out = append(out, l.T("report.hl.checkpoint", "Origin", v.Checkpoint.Origin, "Size", v.Checkpoint.Size))
	}
	return out
}

// phaseHighlights says, per active phase, each party's violations and
// disputed cases.
func phaseHighlights(v *view) []string {
	l := v.l
	n := func(id string, c int) string { return l.N(id, c, "N", numText(l, c)) }
	var out []string
	for _, p := range v.Phases {
		if !p.Active {
			continue
		}
		var parts []string
		for _, r := range p.Parties {
			if r.Counts.Violation+r.Counts.Disputed+r.Prev.Violation+r.Prev.Disputed == 0 {
				continue
			}
			x := l.T("report.hl.party", "Party", r.Party, "Violations", n("report.n.violations", r.Counts.Violation), "Disputed", n("report.n.disputed", r.Counts.Disputed))
			if r.HasPrev {
				x += l.T("report.hl.party_prev", "Violations", numText(l, r.Prev.Violation), "Disputed", numText(l, r.Prev.Disputed))
			}
			parts = append(parts, x)
		}
		if len(parts) > 0 {
			out = append(out, l.T("report.hl.phase", "ID", p.ID, "Name", p.Name, "Status", p.Status, "Parts", strings.Join(parts, "; ")))
		}
	}
	return out
}

// obligationHighlight counts the obligations by status.
func obligationHighlight(l *i18n.Localizer, obs []Obligation) string {
	n := map[string]int{}
	for _, o := range obs {
		n[o.Status]++
	}
	var parts []string
	for _, st := range []truce.ObligationStatus{truce.ObligationFulfilled, truce.ObligationPartial, truce.ObligationPending, truce.ObligationBreached} {
		if n[string(st)] > 0 {
			parts = append(parts, l.N("report.obligation."+string(st), n[string(st)], "N", numText(l, n[string(st)])))
		}
	}
	return l.T("report.hl.obligations", "List", strings.Join(parts, ", "))
}

// numText writes n: plainly in English (as the reports always did), with
// the language's digit grouping otherwise.
func numText(l *i18n.Localizer, n int) string {
	if l.Lang() == "en" {
		return strconv.Itoa(n)
	}
	return l.Int(n)
}

// mapNote is the map's caption.
func mapNote(l *i18n.Localizer, d *ReportData) string {
	s := d.Summary
	n := len(s.points)
	sites, zones := "", ""
	if len(d.Sites) > 0 {
		sites = l.T("report.map.sites")
	}
	if s.a != nil {
		zones = l.T("report.map.zones")
	}
	return l.T("report.map.note", "Reports", l.N("report.n.reports", n, "N", numText(l, n)), "Sites", sites, "Zones", zones)
}
