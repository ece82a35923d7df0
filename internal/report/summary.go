package report

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
)

// Counts is a number of incidents (or, in Summary.ReportTotals, of
// reports) per outcome.
type Counts struct {
	Violation     int `json:"violation"`
	Disputed      int `json:"disputed"`
	Undetermined  int `json:"undetermined"`
	NotProhibited int `json:"not_prohibited"`
}

func (c *Counts) add(o truce.Outcome) {
	switch o {
	case truce.OutcomeViolation:
		c.Violation++
	case truce.OutcomeDisputed:
		c.Disputed++
	case truce.OutcomeUndetermined:
		c.Undetermined++
	default:
		c.NotProhibited++
	}
}

// Of returns the count for outcome o.
func (c Counts) Of(o truce.Outcome) int {
	switch o {
	case truce.OutcomeViolation:
		return c.Violation
	case truce.OutcomeDisputed:
		return c.Disputed
	case truce.OutcomeUndetermined:
		return c.Undetermined
	}
	return c.NotProhibited
}

// Summary is the period report: counts per phase and party, a daily
// series, and the violations and disputed cases with their explanations.
//
// The figures count incidents, not reports: the reports Add is given are
// grouped into incidents as adjudicate.GroupReports groups them (the
// reports of one event, near in place and time; a republished text joins
// its first appearance), and each incident counts once, on the day of its
// first report, under the most severe outcome among its reports other
// than reposts (a repost repeats an account; judged on its own later date
// it could fall under another phase, and it is dated by the first). Only
// Reports, ReportTotals, From and To count reports.
type Summary struct {
	// Explain, if set, renders a violation's or disputed case's judgement
	// for the report (adjudicate.Judge.Explain in another language): Add
	// keeps its explanations for the cases. The figures never change.
	Explain func(*truce.Report, *truce.Judgement) *truce.Judgement `json:"-"`
	// Lang is the language of the Markdown summary: "" or "en" (English),
	// "uk" or "ru". JSON and CSV are for programs and stay as they are.
	Lang string `json:"-"`
	// NoMap, set before the first Add, says the summary will not be drawn
	// as an HTML or PDF report: Add keeps no per-report points for its map.
	NoMap         bool           `json:"-"`
	Agreement     string         `json:"agreement"`
	Title         string         `json:"title"`
	Version       string         `json:"version,omitempty"`
	StoredVersion int            `json:"stored_version,omitempty"`
	Timezone      string         `json:"timezone"`
	From          string         `json:"from,omitempty"` // first day with a report
	To            string         `json:"to,omitempty"`   // last day with a report
	Reports       int            `json:"reports"`
	Incidents     int            `json:"incidents"`
	Totals        Counts         `json:"totals"`        // incidents per outcome
	ReportTotals  Counts         `json:"report_totals"` // reports per outcome
	Phases        []PhaseSummary `json:"phases"`
	Cases         []Case         `json:"cases"`
	Obligations   []Obligation   `json:"obligations"`
	// Claims is "Claimed vs found" (GatherClaims); nil when the period
	// has no claim or tally, or it was not gathered.
	Claims *ClaimsSection `json:"claims,omitempty"`

	a     *truce.Agreement
	index map[truce.PhaseID]int
	// entries are the reports added, to be grouped into incidents;
	// counted is how many of them the figures include (see finish).
	entries []*entry
	counted int
	// points and cases feed the HTML and PDF reports (the map and the
	// case list); they are not part of the md, json or csv output.
	points []reportPoint
	cases  map[truce.ReportID]caseDetail
	// days names the days of the reports added, and numbers them.
	days dayCache
	// facts are the facts grouping reads, shared by the entries that
	// have the same (most have one of a few).
	facts map[groupFacts]*truce.Facts
	// The entries' findings (phaseFinding) name phases and parties by
	// number: phaseIDs[n] and partyIDs[n], numbered by phaseNum and
	// partyNum (party 0 is ""); a violation's or disputed finding's
	// commitment and explanation are kept in caseInfos. worstSlab is
	// where the entries' findings are kept; worstBuf is add's buffer.
	phaseIDs  []truce.PhaseID
	phaseNum  map[truce.PhaseID]int32
	partyIDs  []truce.PartyID
	partyNum  map[truce.PartyID]int32
	caseInfos []caseInfo
	worstSlab []phaseFinding
	worstBuf  []phaseFinding
}

// caseInfo is what a case lists of the finding that decided it beyond
// its phase, party and outcome.
type caseInfo struct {
	commitment  truce.CommitmentID
	explanation string
}

// groupFacts is what grouping reads of a report's facts: its perpetrator,
// category and site (by id).
type groupFacts struct {
	perpetrator truce.PartyID
	category    truce.CategoryID
	site        truce.SiteID
	hasSite     bool
}

// entry is what the summary keeps of one judged report: what grouping
// reads, and the most severe finding per phase.
type entry struct {
	report  *truce.Report
	facts   *truce.Facts // shared: Summary.facts
	outcome truce.Outcome
	worst   []phaseFinding
	key     string // the report's text key, when keyed
	keyed   bool
	// day is the day of the report's start (in the agreement's time
	// zone), and dayNum its number (dayCache): an incident is counted on
	// the day of its first report.
	day    string
	dayNum int32
}

// phaseFinding is a report's most severe finding under one phase, its
// phase and party by number (Summary.phaseIDs, partyIDs); a violation or
// disputed finding has its caseInfos[info], others info -1.
type phaseFinding struct {
	phase, party, info int32
	outcome            truce.Outcome
}

// reportPoint is where one report placed its incident, and its outcome.
type reportPoint struct {
	ID       truce.ReportID
	Place    string // the place the report names, if any
	Location geo.Point
	Outcome  truce.Outcome
}

// caseDetail is what the HTML and PDF case list shows beyond Case.
type caseDetail struct {
	Place    string
	Location geo.Point
	Site     *truce.SiteMatch
}

// PhaseSummary is one phase's figures.
type PhaseSummary struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Schedule []string     `json:"schedule"`
	Totals   Counts       `json:"totals"`
	ByParty  []PartyCount `json:"by_party"`
	Daily    []DayCount   `json:"daily"`
}

// PartyCount is the figures for one party (the perpetrator) in a phase;
// "unknown" when the perpetrator is not established.
type PartyCount struct {
	Party  string `json:"party"`
	Counts Counts `json:"counts"`
	// Daily is the party's series, as PhaseSummary.Daily.
	Daily []DayCount `json:"daily"`
}

// DayCount is the figures for one day (in the agreement's time zone).
type DayCount struct {
	Day    string `json:"day"`
	Counts Counts `json:"counts"`
}

// Case is an incident judged a violation or disputed under a phase: one
// case per incident and phase, however many reports describe it.
type Case struct {
	// Incident is the id of the incident's first report (the id of its
	// incident in the record, unless a monitor merged or split it).
	Incident string `json:"incident"`
	// Reports and Sources are the incident's reports in the period and its
	// independent sources (sensor alerts included); Grouping says how they
	// were grouped ("3 reports from 2 independent sources, within …").
	Reports  int    `json:"reports"`
	Sources  int    `json:"sources"`
	Grouping string `json:"grouping"`
	// ReportID is the report whose finding decided the case, the first
	// (in time, then id) with the most severe finding.
	ReportID string `json:"report_id"`
	// Time is when the incident was first reported.
	Time        string `json:"time"`
	Outcome     string `json:"outcome"`
	Phase       string `json:"phase"`
	Commitment  string `json:"commitment"`
	Party       string `json:"party,omitempty"`
	Explanation string `json:"explanation"`
}

// Obligation is an obligation's status.
type Obligation struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Due         string `json:"due"`
	Status      string `json:"status"`
	Items       []Item `json:"items"`
}

// Item is one party's part of an obligation.
type Item struct {
	Party     string `json:"party"`
	What      string `json:"what"`
	Count     int    `json:"count"`
	Delivered int    `json:"delivered"`
}

// NewSummary starts an empty summary of agreement a (stored as version
// storedVersion, or 0 when not stored).
func NewSummary(a *truce.Agreement, storedVersion int) *Summary {
	s := &Summary{Agreement: string(a.ID), Title: a.Title, Version: a.Version, StoredVersion: storedVersion,
		Timezone: a.Timezone.String(), a: a, index: map[truce.PhaseID]int{}, Cases: []Case{},
		cases: map[truce.ReportID]caseDetail{}, phaseNum: map[truce.PhaseID]int32{},
		partyIDs: []truce.PartyID{""}, partyNum: map[truce.PartyID]int32{"": 0}, facts: map[groupFacts]*truce.Facts{}}
	for _, ps := range adjudicate.Schedule(a) {
		p := PhaseSummary{ID: string(ps.Phase.ID), Name: ps.Phase.Name, ByParty: []PartyCount{}, Daily: []DayCount{}}
		for _, w := range ps.Windows {
			who := make([]string, len(w.Parties))
			for i, pid := range w.Parties {
				who[i] = string(pid)
			}
			p.Schedule = append(p.Schedule, strings.Join(who, ", ")+": "+w.Why)
		}
		s.index[ps.Phase.ID] = len(s.Phases)
		s.Phases = append(s.Phases, p)
	}
	for _, o := range a.Obligations {
		ob := Obligation{ID: string(o.ID), Description: o.Description, Due: o.Due.In(a.Timezone).Format("2006-01-02"), Status: string(o.Status), Items: []Item{}}
		for _, it := range o.Items {
			ob.Items = append(ob.Items, Item{Party: string(it.Party), What: it.What, Count: it.Count, Delivered: it.Delivered})
		}
		s.Obligations = append(s.Obligations, ob)
	}
	return s
}

// Add adds one judged report. The figures are counted, per incident, when
// the summary is written (or Finish is called).
func (s *Summary) Add(r *truce.Report, j *truce.Judgement) {
	s.add(r, j, "", false)
}

// AddKeyed is Add for a report whose text is not given but its text key
// (adjudicate.TextKey), all that grouping reads of the text. It keeps r,
// which the caller must not change.
func (s *Summary) AddKeyed(r *truce.Report, j *truce.Judgement, key string) {
	s.add(r, j, key, true)
}

func (s *Summary) add(r *truce.Report, j *truce.Judgement, key string, keyed bool) {
	if s.Explain != nil && (j.Outcome == truce.OutcomeViolation || j.Outcome == truce.OutcomeDisputed) {
		j = s.Explain(r, j)
	}
	s.Reports++
	s.ReportTotals.add(j.Outcome)
	day := s.days.of(r.Start, s.a.Timezone)
	if s.From == "" || day < s.From {
		s.From = day
	}
	if day > s.To {
		s.To = day
	}
	if !s.NoMap {
		s.points = append(s.points, reportPoint{ID: r.ID, Place: r.Place, Location: r.Location, Outcome: j.Outcome})
	}
	// Keep what grouping reads, not the record as read.
	e := &entry{report: r, facts: s.groupFacts(&j.Facts), outcome: j.Outcome, key: key, keyed: keyed, day: day, dayNum: s.days.num}
	if !keyed {
		e.report = &truce.Report{ID: r.ID, Source: r.Source, Outlet: r.Outlet, Start: r.Start, End: r.End, Precision: r.Precision,
			Location: r.Location, Text: r.Text}
	}
	worst := s.worstBuf[:0]
	for i := range j.Findings {
		f := &j.Findings[i]
		phase := number(&s.phaseIDs, s.phaseNum, f.Phase)
		k := slices.IndexFunc(worst, func(w phaseFinding) bool { return w.phase == phase })
		if k >= 0 && f.Outcome <= worst[k].outcome {
			continue
		}
		w := phaseFinding{phase: phase, party: number(&s.partyIDs, s.partyNum, f.Party), info: -1, outcome: f.Outcome}
		if f.Outcome == truce.OutcomeViolation || f.Outcome == truce.OutcomeDisputed {
			w.info = int32(len(s.caseInfos))
			s.caseInfos = append(s.caseInfos, caseInfo{commitment: f.Commitment, explanation: f.Explanation})
			s.cases[r.ID] = caseDetail{Place: r.Place, Location: r.Location, Site: j.Facts.Site}
		}
		if k < 0 {
			worst = append(worst, w)
		} else {
			worst[k] = w
		}
	}
	s.worstBuf = worst
	// Kept in a slab, exactly as many as there are.
	if len(s.worstSlab) < len(worst) {
		s.worstSlab = make([]phaseFinding, max(len(worst), 4096))
	}
	e.worst, s.worstSlab = s.worstSlab[:len(worst):len(worst)], s.worstSlab[len(worst):]
	copy(e.worst, worst)
	s.entries = append(s.entries, e)
}

// number returns the number of id among the ids numbered so far (*ids,
// and nums, which numbers them), numbering it next if it is new.
func number[K comparable](ids *[]K, nums map[K]int32, id K) int32 {
	if n, ok := nums[id]; ok {
		return n
	}
	n := int32(len(*ids))
	*ids, nums[id] = append(*ids, id), n
	return n
}

// groupFacts returns the shared facts that grouping reads of f.
func (s *Summary) groupFacts(f *truce.Facts) *truce.Facts {
	k := groupFacts{perpetrator: f.Perpetrator, category: f.Category}
	if f.Site != nil {
		k.site, k.hasSite = f.Site.ID, true
	}
	if g, ok := s.facts[k]; ok {
		return g
	}
	g := &truce.Facts{Perpetrator: k.perpetrator, Category: k.category}
	if k.hasSite {
		g.Site = &truce.SiteMatch{ID: k.site}
	}
	s.facts[k] = g
	return g
}

// Finish groups the reports added so far into incidents and counts them
// into the figures, replacing any counted before. WriteSummary, WriteHTML
// and WritePDF call it; call it before reading the figures or changing
// them (dropping Cases, say) before writing.
func (s *Summary) Finish() {
	if s.counted == len(s.entries) {
		return
	}
	s.counted = len(s.entries)
	s.Incidents, s.Totals, s.Cases = 0, Counts{}, []Case{}
	for i := range s.Phases {
		p := &s.Phases[i]
		p.Totals, p.ByParty, p.Daily = Counts{}, []PartyCount{}, []DayCount{}
	}
	ms := make([]adjudicate.Member, len(s.entries))
	for i, e := range s.entries {
		ms[i] = adjudicate.Member{Report: e.report, Facts: e.facts, Key: e.key, Keyed: e.keyed}
	}
	opt := adjudicate.DefaultGroupOptions
	clusters := clusterIndexes(ms, opt.Meters)
	c := counter{s: s, days: map[dayKey]int{}, byID: map[truce.ReportID]*entry{}}
	groupClusters(ms, clusters, opt, func(k int, gs []adjudicate.Group) {
		// A group's reports are found among its cluster's entries.
		c.members = c.members[:0]
		for _, i := range clusters[k] {
			c.members = append(c.members, s.entries[i])
		}
		if len(c.members) > smallCluster {
			clear(c.byID)
			for _, e := range c.members {
				c.byID[e.report.ID] = e
			}
		}
		for g := range gs {
			c.addIncident(&gs[g])
		}
	})
}

// counter counts incidents into a summary's figures (Finish), with the
// indexes that find a report's entry and a phase's or party's count of a
// day without scanning.
type counter struct {
	s *Summary
	// members are the entries of the cluster being counted; byID finds
	// them by report when they are more than smallCluster.
	members []*entry
	byID    map[truce.ReportID]*entry
	// days finds the daily count of one day: a phase's (party 0) or one
	// party's under a phase, by its index in Daily.
	days map[dayKey]int
	// worst is addIncident's buffer of per-phase findings.
	worst []decided
	// The day of the incident counted before.
	named dayCache
}

// decided is the finding an incident is counted under in one phase, and
// the report it is from.
type decided struct {
	f      phaseFinding
	report truce.ReportID
}

// dayKey is a daily count: of a phase (by its index in Phases), of all
// parties (party 0) or of one (party i+1, the index in ByParty), on one
// day (its number, dayCache.num).
type dayKey struct {
	phase, party, day int32
}

// smallCluster is the most members of a cluster whose entries are found
// by scanning them.
const smallCluster = 8

// dayCache names days in a time zone, keeping the last day named and its
// bounds: reports come mostly in time order.
type dayCache struct {
	name     string
	num      int32 // the day's number: days from 1970-01-01 to it
	from, to time.Time
}

// of returns the day of t in tz (tz the same at every call).
func (d *dayCache) of(t time.Time, tz *time.Location) string {
	if !t.Before(d.from) && t.Before(d.to) {
		return d.name
	}
	l := t.In(tz)
	y, m, day := l.Date()
	d.from = time.Date(y, m, day, 0, 0, 0, 0, tz)
	d.to = time.Date(y, m, day+1, 0, 0, 0, 0, tz)
	d.name = l.Format("2006-01-02")
	d.num = int32(time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	// A zone whose clocks skip or repeat midnight: no bounds to trust.
	if d.from.Format("2006-01-02") != d.name || d.to.Add(-time.Nanosecond).Format("2006-01-02") != d.name {
		d.to = d.from
	}
	return d.name
}

// addIncident counts one incident: under its most severe outcome, and per
// phase under the most severe finding of its reports, reposts aside.
func (c *counter) addIncident(g *adjudicate.Group) {
	s := c.s
	s.Incidents++
	// The day of the first report, kept with its entry (the incident
	// starts with it), else named now.
	var day string
	var dayNum int32
	if e := c.entry(g.Reports[0]); e.report.Start.Equal(g.Start) {
		day, dayNum = e.day, e.dayNum
	} else {
		day = c.named.of(g.Start, s.a.Timezone)
		dayNum = c.named.num
	}
	outcome := truce.Outcome(0)
	worst := c.worst[:0] // per phase, in the order first seen
	defer func() { c.worst = worst[:0] }()
	for _, id := range g.Reports {
		if slices.Contains(g.Reposts, id) {
			continue
		}
		e := c.entry(id)
		outcome = max(outcome, e.outcome)
		for _, f := range e.worst {
			k := slices.IndexFunc(worst, func(d decided) bool { return d.f.phase == f.phase })
			switch {
			case k < 0:
				worst = append(worst, decided{f, id})
			case f.outcome > worst[k].f.outcome || f.outcome == worst[k].f.outcome && worst[k].f.party == 0 && f.party != 0:
				// More severe, or as severe with the party established.
				worst[k] = decided{f, id}
			}
		}
	}
	s.Totals.add(outcome)
	for _, d := range worst {
		f := d.f
		i, ok := s.index[s.phaseIDs[f.phase]]
		if !ok {
			continue
		}
		p := &s.Phases[i]
		p.Totals.add(f.outcome)
		party := string(s.partyIDs[f.party])
		if party == "" {
			party = "unknown"
		}
		k := slices.IndexFunc(p.ByParty, func(x PartyCount) bool { return x.Party == party })
		if k < 0 {
			k = len(p.ByParty)
			p.ByParty = append(p.ByParty, PartyCount{Party: party, Daily: []DayCount{}})
		}
		pc := &p.ByParty[k]
		pc.Counts.add(f.outcome)
		if f.outcome != truce.OutcomeNotProhibited {
			c.daily(&p.Daily, dayKey{int32(i), 0, dayNum}, day).add(f.outcome)
			c.daily(&pc.Daily, dayKey{int32(i), int32(k + 1), dayNum}, day).add(f.outcome)
		}
		if f.outcome == truce.OutcomeViolation || f.outcome == truce.OutcomeDisputed {
			info := s.caseInfos[f.info]
			s.Cases = append(s.Cases, Case{Incident: string(g.ID), Reports: len(g.Reports), Sources: g.Corroboration(), Grouping: g.Explanation,
				ReportID: string(d.report), Time: g.Start.UTC().Format(time.RFC3339), Outcome: f.outcome.String(),
				Phase: string(s.phaseIDs[f.phase]), Commitment: string(info.commitment), Party: string(s.partyIDs[f.party]), Explanation: info.explanation})
		}
	}
}

// entry returns the entry of report id among c.members: clusters are
// small, most of a single report.
func (c *counter) entry(id truce.ReportID) *entry {
	if len(c.members) == 1 {
		return c.members[0] // a group of a cluster of one is that report
	}
	if len(c.members) > smallCluster {
		if e, ok := c.byID[id]; ok {
			return e
		}
	}
	for _, e := range c.members {
		if e.report.ID == id {
			return e
		}
	}
	panic("report: grouping returned a report of another cluster: " + string(id))
}

// daily returns the counts of day k.day (named day) in ds, the daily
// counts of phase k.phase (of party k.party, if not 0), added if not
// there yet.
func (c *counter) daily(ds *[]DayCount, k dayKey, day string) *Counts {
	i, ok := c.days[k]
	if !ok {
		i = len(*ds)
		c.days[k] = i
		*ds = append(*ds, DayCount{Day: day})
	}
	return &(*ds)[i].Counts
}

// finish counts the incidents (see Finish) and sorts everything so output
// does not depend on input order.
func (s *Summary) finish() {
	s.Finish()
	for i := range s.Phases {
		p := &s.Phases[i]
		slices.SortFunc(p.ByParty, func(a, b PartyCount) int { return strings.Compare(a.Party, b.Party) })
		for j := range p.ByParty {
			slices.SortFunc(p.ByParty[j].Daily, func(a, b DayCount) int { return strings.Compare(a.Day, b.Day) })
		}
		slices.SortFunc(p.Daily, func(a, b DayCount) int { return strings.Compare(a.Day, b.Day) })
	}
	slices.SortFunc(s.Cases, func(a, b Case) int {
		return cmp.Or(strings.Compare(a.Time, b.Time), strings.Compare(a.Incident, b.Incident), strings.Compare(a.Phase, b.Phase), strings.Compare(a.Commitment, b.Commitment))
	})
}

// SummaryFormats lists the formats WriteSummary accepts.
var SummaryFormats = []string{"md", "json", "csv"}

// WriteSummary renders s as md, json or csv; json indented, for people
// reading a file.
func WriteSummary(w io.Writer, s *Summary, format string) error {
	return writeSummary(w, s, format, "  ")
}

// WriteSummaryCompact is WriteSummary with json on one line, for programs
// (the API): a summary with its cases runs to megabytes, and indenting them
// was a tenth of building one on 100,000 reports.
func WriteSummaryCompact(w io.Writer, s *Summary, format string) error {
	return writeSummary(w, s, format, "")
}

func writeSummary(w io.Writer, s *Summary, format, indent string) error {
	s.finish()
	switch format {
	case "md", "markdown":
		return writeMarkdown(w, s)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", indent)
		enc.SetEscapeHTML(false)
		return enc.Encode(s)
	case "csv":
		return writeSummaryCSV(w, s)
	}
	return fmt.Errorf("unknown report format %q: want %s", format, strings.Join(SummaryFormats, ", "))
}

func writeSummaryCSV(w io.Writer, s *Summary) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"section", "phase", "party", "day", "outcome", "count"}}
	add := func(section, phase, party, day string, c Counts) {
		for _, o := range truce.Outcomes() {
			rows = append(rows, []string{section, phase, party, day, o.String(), strconv.Itoa(c.Of(o))})
		}
	}
	add("reports", "", "", "", s.ReportTotals)
	add("total", "", "", "", s.Totals)
	for _, p := range s.Phases {
		add("phase", p.ID, "", "", p.Totals)
		for _, pc := range p.ByParty {
			add("party", p.ID, pc.Party, "", pc.Counts)
		}
		for _, dc := range p.Daily {
			add("day", p.ID, "", dc.Day, dc.Counts)
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
