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

// Counts is a number of reports per outcome.
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
type Summary struct {
	Agreement     string         `json:"agreement"`
	Title         string         `json:"title"`
	Version       string         `json:"version,omitempty"`
	StoredVersion int            `json:"stored_version,omitempty"`
	Timezone      string         `json:"timezone"`
	From          string         `json:"from,omitempty"` // first day with a report
	To            string         `json:"to,omitempty"`   // last day with a report
	Reports       int            `json:"reports"`
	Totals        Counts         `json:"totals"`
	Phases        []PhaseSummary `json:"phases"`
	Cases         []Case         `json:"cases"`
	Obligations   []Obligation   `json:"obligations"`

	a     *truce.Agreement
	index map[truce.PhaseID]int
	// points and cases feed the HTML and PDF reports (the map and the
	// case list); they are not part of the md, json or csv output.
	points []reportPoint
	cases  map[truce.ReportID]caseDetail
}

// reportPoint is where one report placed its incident, and its outcome.
type reportPoint struct {
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

// Case is a violation or disputed case.
type Case struct {
	ReportID    string `json:"report_id"`
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
		cases: map[truce.ReportID]caseDetail{}}
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

// Add counts one judged report. Per phase, the report counts once, under
// its most severe finding among the phase's commitments.
func (s *Summary) Add(r *truce.Report, j *truce.Judgement) {
	s.Reports++
	s.Totals.add(j.Outcome)
	day := r.Start.In(s.a.Timezone).Format("2006-01-02")
	if s.From == "" || day < s.From {
		s.From = day
	}
	if day > s.To {
		s.To = day
	}
	s.points = append(s.points, reportPoint{Location: r.Location, Outcome: j.Outcome})
	worst := map[truce.PhaseID]*truce.Finding{}
	var order []truce.PhaseID
	for i := range j.Findings {
		f := &j.Findings[i]
		if w, ok := worst[f.Phase]; !ok || f.Outcome > w.Outcome {
			if !ok {
				order = append(order, f.Phase)
			}
			worst[f.Phase] = f
		}
	}
	for _, pid := range order {
		f := worst[pid]
		i, ok := s.index[pid]
		if !ok {
			continue
		}
		p := &s.Phases[i]
		p.Totals.add(f.Outcome)
		party := string(f.Party)
		if party == "" {
			party = "unknown"
		}
		pc := findOrAdd(&p.ByParty, func(x *PartyCount) bool { return x.Party == party }, PartyCount{Party: party, Daily: []DayCount{}})
		pc.Counts.add(f.Outcome)
		if f.Outcome != truce.OutcomeNotProhibited {
			dc := findOrAdd(&p.Daily, func(x *DayCount) bool { return x.Day == day }, DayCount{Day: day})
			dc.Counts.add(f.Outcome)
			pd := findOrAdd(&pc.Daily, func(x *DayCount) bool { return x.Day == day }, DayCount{Day: day})
			pd.Counts.add(f.Outcome)
		}
		if f.Outcome == truce.OutcomeViolation || f.Outcome == truce.OutcomeDisputed {
			s.Cases = append(s.Cases, Case{ReportID: string(r.ID), Time: r.Start.UTC().Format(time.RFC3339), Outcome: f.Outcome.String(),
				Phase: string(f.Phase), Commitment: string(f.Commitment), Party: string(f.Party), Explanation: f.Explanation})
			s.cases[r.ID] = caseDetail{Place: r.Place, Location: r.Location, Site: j.Facts.Site}
		}
	}
}

func findOrAdd[T any](xs *[]T, match func(*T) bool, zero T) *T {
	for i := range *xs {
		if match(&(*xs)[i]) {
			return &(*xs)[i]
		}
	}
	*xs = append(*xs, zero)
	return &(*xs)[len(*xs)-1]
}

// finish sorts everything so output does not depend on input order.
func (s *Summary) finish() {
	for i := range s.Phases {
		p := &s.Phases[i]
		slices.SortFunc(p.ByParty, func(a, b PartyCount) int { return strings.Compare(a.Party, b.Party) })
		for j := range p.ByParty {
			slices.SortFunc(p.ByParty[j].Daily, func(a, b DayCount) int { return strings.Compare(a.Day, b.Day) })
		}
		slices.SortFunc(p.Daily, func(a, b DayCount) int { return strings.Compare(a.Day, b.Day) })
	}
	slices.SortFunc(s.Cases, func(a, b Case) int {
		return cmp.Or(strings.Compare(a.Time, b.Time), strings.Compare(a.ReportID, b.ReportID), strings.Compare(a.Commitment, b.Commitment))
	})
}

// SummaryFormats lists the formats WriteSummary accepts.
var SummaryFormats = []string{"md", "json", "csv"}

// WriteSummary renders s as md, json or csv.
func WriteSummary(w io.Writer, s *Summary, format string) error {
	s.finish()
	switch format {
	case "md", "markdown":
		return writeMarkdown(w, s)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
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
