package report

import (
	"fmt"
	"slices"
	"time"

	"truce"
	"truce/internal/adjudicate"
)

// The daily report (issue 19), as the OSCE SMM published it: per area and
// per side, the ceasefire violations the monitors observed and those
// alleged, explosions by kind and restrictions of the monitors' access,
// each beside the previous day and with running totals since the last
// recommitment the agreement names.

// Allegation is a report judged under the current agreement, as the daily
// report counts it.
type Allegation struct {
	Report  truce.ReportID
	Start   time.Time
	Party   truce.PartyID // the perpetrator the judgement names, "" if none
	Area    string        // the report's place as given, "" if none
	Outcome truce.Outcome
}

// DailyInput is what a daily report is built from. The records may cover
// more than the report needs; it keeps those from the running totals'
// start to the end of the day.
type DailyInput struct {
	Agreement *truce.Agreement
	// Judge judges the observations and restrictions (built from
	// Agreement).
	Judge        *adjudicate.Judge
	Day          string // YYYY-MM-DD in the agreement's time zone
	Observations []*truce.Observation
	Restrictions []*truce.AccessRestriction
	Allegations  []Allegation
	// Generated is when the report was made (UTC); zero leaves it out,
	// so that the same data give the same bytes.
	Generated time.Time
}

// Count is one figure of the daily report: the day's, the previous
// day's and the running total since the report's TotalsSince.
type Count struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Day      int    `json:"day"`
	Previous int    `json:"previous"`
	Total    int    `json:"total"`
}

// DailyGroup is the figures of one area or one side.
type DailyGroup struct {
	Name    string  `json:"name"`
	Figures []Count `json:"figures"`
}

// DailyRecord is one of the day's observations or restrictions with its
// judgement.
type DailyRecord struct {
	ID          string `json:"id"`
	Area        string `json:"area,omitempty"`
	Party       string `json:"party,omitempty"`
	Outcome     string `json:"outcome"`
	Explanation string `json:"explanation"`
}

// Daily is the daily report.
type Daily struct {
	Agreement    string `json:"agreement"`
	Title        string `json:"title"`
	Timezone     string `json:"timezone"`
	Day          string `json:"day"`
	PreviousDay  string `json:"previous_day"`
	TotalsSince  string `json:"totals_since" doc:"the recommitment the running totals count from; empty: since the first record"`
	Recommitment string `json:"recommitment,omitempty" doc:"its source and note"`
	Generated    string `json:"generated,omitempty"`
	// Figures are the mission-wide counts; observations count events (an
	// observation of 12 explosions counts 12), allegations and
	// restrictions count records.
	Figures      []Count       `json:"figures"`
	Areas        []DailyGroup  `json:"areas"`
	Sides        []DailyGroup  `json:"sides"`
	Observations []DailyRecord `json:"observations"`
	Restrictions []DailyRecord `json:"restrictions"`
}

// bucket says which of the report's periods t falls in: the day, the
// previous day, and whether it counts in the running totals.
type bucket struct{ day, prev, total bool }

type periods struct{ prev0, day0, day1, since time.Time }

func (p periods) of(t time.Time) bucket {
	return bucket{
		day:   !t.Before(p.day0) && t.Before(p.day1),
		prev:  !t.Before(p.prev0) && t.Before(p.day0),
		total: !t.Before(p.since) && t.Before(p.day1),
	}
}

// tally adds n to the figure key of a group, in the periods b.
type tally map[string]*Count

func (t tally) add(key string, b bucket, n int) {
	c := t[key]
	if c == nil {
		c = &Count{Key: key, Label: dailyLabels[key]}
		t[key] = c
	}
	if b.day {
		c.Day += n
	}
	if b.prev {
		c.Previous += n
	}
	if b.total {
		c.Total += n
	}
}

// list is the figures of t in the order of keys, zeros included.
func (t tally) list(keys []string) []Count {
	out := make([]Count, 0, len(keys))
	for _, k := range keys {
		if c := t[k]; c != nil {
			out = append(out, *c)
		} else {
			out = append(out, Count{Key: k, Label: dailyLabels[k]})
		}
	}
	return out
}

// BuildDaily builds the daily report of in.Day. The running totals count
// from the latest recommitment on or before the day (midnight of its
// date), or from the first record when the agreement names none.
func BuildDaily(in DailyInput) (*Daily, error) {
	a := in.Agreement
	t, err := time.ParseInLocation(time.DateOnly, in.Day, a.Timezone)
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "daily report: day %q: want YYYY-MM-DD", in.Day)
	}
	p := periods{prev0: t.AddDate(0, 0, -1), day0: t, day1: t.AddDate(0, 0, 1)}
	d := &Daily{Agreement: string(a.ID), Title: a.Title, Timezone: a.Timezone.String(), Day: in.Day,
		PreviousDay: p.prev0.Format(time.DateOnly), Observations: []DailyRecord{}, Restrictions: []DailyRecord{}}
	for _, r := range a.Recommitments {
		if r.Start.Before(p.day1) {
			p.since = r.Start
			d.TotalsSince, d.Recommitment = r.Start.In(a.Timezone).Format(time.DateOnly), joinNonEmpty(r.Source, r.Note)
		}
	}
	if !in.Generated.IsZero() {
		d.Generated = in.Generated.UTC().Format(time.RFC3339)
	}
	all, areas, sides := tally{}, map[string]tally{}, map[string]tally{}
	group := func(m map[string]tally, name string) tally {
		if m[name] == nil {
			m[name] = tally{}
		}
		return m[name]
	}
	for _, o := range in.Observations {
		b := p.of(o.Start)
		if !b.day && !b.prev && !b.total {
			continue
		}
		jd := in.Judge.JudgeObservation(o)
		for _, t := range []tally{all, group(areas, areaName(o.Area)), group(sides, sideName(o.Party))} {
			countObservation(t, o, jd.Outcome, b)
		}
		if b.day {
			d.Observations = append(d.Observations, DailyRecord{ID: string(o.ID), Area: o.Area, Party: string(o.Party),
				Outcome: jd.Outcome.String(), Explanation: jd.Explanation})
		}
	}
	for _, x := range in.Restrictions {
		b := p.of(x.Start)
		if !b.day && !b.prev && !b.total {
			continue
		}
		jd := in.Judge.JudgeRestriction(x)
		for _, t := range []tally{all, group(areas, areaName(x.Area)), group(sides, sideName(x.Party))} {
			countRestriction(t, x, jd.Outcome, b)
		}
		if b.day {
			d.Restrictions = append(d.Restrictions, DailyRecord{ID: string(x.ID), Area: x.Area, Party: string(x.Party),
				Outcome: jd.Outcome.String(), Explanation: jd.Explanation})
		}
	}
	for _, al := range in.Allegations {
		if b := p.of(al.Start); al.Outcome == truce.OutcomeViolation || al.Outcome == truce.OutcomeDisputed {
			for _, t := range []tally{all, group(areas, areaName(al.Area)), group(sides, sideName(al.Party))} {
				t.add("alleged", b, 1)
			}
		}
	}
	d.Figures = all.list(dailyKeys)
	d.Areas, d.Sides = groups(areas, groupKeys), groups(sides, groupKeys)
	return d, nil
}

// countObservation adds observation o, judged outcome, to t.
func countObservation(t tally, o *truce.Observation, outcome truce.Outcome, b bucket) {
	t.add("observed", b, o.Count)
	t.add("observed."+string(o.Kind), b, o.Count)
	if o.Kind == truce.ObservedExplosion {
		t.add("explosion."+string(o.Explosion), b, o.Count)
	}
	switch outcome {
	case truce.OutcomeViolation, truce.OutcomeDisputed:
		t.add("observed.breach", b, o.Count)
	case truce.OutcomeUndetermined:
		t.add("observed.undetermined", b, o.Count)
	}
}

// countRestriction adds restriction x, judged outcome, to t.
func countRestriction(t tally, x *truce.AccessRestriction, outcome truce.Outcome, b bucket) {
	t.add("restrictions", b, 1)
	t.add("restriction."+string(x.Kind), b, 1)
	if outcome == truce.OutcomeViolation || outcome == truce.OutcomeDisputed {
		t.add("restrictions.breach", b, 1)
	}
}

// groups lists the groups of m by name, each with the figures of keys.
func groups(m map[string]tally, keys []string) []DailyGroup {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]DailyGroup, 0, len(names))
	for _, n := range names {
		out = append(out, DailyGroup{Name: n, Figures: m[n].list(keys)})
	}
	return out
}

func areaName(s string) string {
	if s == "" {
		return "(area not given)"
	}
	return s
}

func sideName(p truce.PartyID) string {
	if p == "" {
		return "(not attributed)"
	}
	return string(p)
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return fmt.Sprintf("%s: %s", a, b)
}

// dailyKeys are the mission-wide figures, in the order the report shows
// them; groupKeys those of each area and side.
var (
	dailyKeys = []string{"observed", "observed.breach", "observed.undetermined", "observed.explosion", "explosion.impact",
		"explosion.airburst", "explosion.outgoing", "explosion.undetermined", "observed.projectile", "observed.muzzle_flash",
		"observed.illumination", "observed.burst", "alleged", "restrictions", "restriction.denial", "restriction.delay",
		"restriction.conditional", "restrictions.breach"}
	groupKeys = []string{"observed", "observed.breach", "observed.explosion", "alleged", "restrictions", "restrictions.breach"}
)

var dailyLabels = map[string]string{
	"observed":                "Ceasefire violations observed by monitors",
	"observed.breach":         "observed where a commitment in force prohibits them (violation or disputed)",
	"observed.undetermined":   "observed where a commitment applies but a fact is missing (undetermined)",
	"observed.explosion":      "Explosions",
	"explosion.impact":        "impact",
	"explosion.airburst":      "airburst",
	"explosion.outgoing":      "outgoing",
	"explosion.undetermined":  "undetermined",
	"observed.projectile":     "Projectiles in flight",
	"observed.muzzle_flash":   "Muzzle flashes",
	"observed.illumination":   "Illumination flares",
	"observed.burst":          "Bursts and shots",
	"alleged":                 "Violations alleged (reports judged violation or disputed)",
	"restrictions":            "Restrictions of the monitors' access",
	"restriction.denial":      "denial",
	"restriction.delay":       "delay",
	"restriction.conditional": "conditional access",
	"restrictions.breach":     "in breach of an access commitment (violation or disputed)",
}
