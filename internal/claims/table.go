package claims

import (
	"slices"
	"time"

	"truce"
)

// Reading names one reading of the phase whose running totals a table
// keeps, and the day it counts from.
type Reading struct {
	// Name is how the table labels the reading, e.g. "RU" for Russia's.
	Name string `json:"name"`
	// Parties are the parties holding the reading, as in the
	// judgements' ReadingResult.Parties.
	Parties []truce.PartyID `json:"parties"`
	// Start is the first day of the phase under this reading, midnight
	// in the agreement's time zone (e.g. 2025-03-18 for Russia's,
	// 2025-03-25 for Ukraine's reading of the energy moratorium).
	Start time.Time `json:"start"`
}

// Table sets the claims made against each party beside what truce found,
// day by day.
type Table struct {
	From     string    `json:"from"` // first day, YYYY-MM-DD
	To       string    `json:"to"`   // last day, inclusive
	TimeZone string    `json:"time_zone"`
	Readings []Reading `json:"readings"`
	Parties  []Party   `json:"parties"`
}

// Party is one accused party's rows.
type Party struct {
	Accused truce.PartyID `json:"accused"`
	Days    []Day         `json:"days"`
	// Totals are the sums over the table's days, per reading, counted
	// from each reading's start.
	Totals []Totals `json:"totals"`
}

// Day is one day of claims against a party and of what truce found.
type Day struct {
	Day    string       `json:"day"` // YYYY-MM-DD in the agreement's time zone
	Claims ClaimCounts  `json:"claims"`
	Found  []FoundCount `json:"found"` // one per reading, in Table.Readings order
}

// ClaimCounts counts the claims of a day by status; the four statuses add
// up to Total. A judged claim is corroborated as well (Result.Corroborated)
// but is counted once, as judged.
type ClaimCounts struct {
	Total        int             `json:"total"`
	Corroborated int             `json:"corroborated"`
	Contradicted int             `json:"contradicted"`
	Judged       int             `json:"judged"`
	Unverified   int             `json:"unverified"`
	IDs          []truce.ClaimID `json:"ids"`
}

// FoundCount is what truce found against a party on a day under one
// reading: incidents by their most severe outcome for the party.
type FoundCount struct {
	Reading      string `json:"reading"`
	InForce      bool   `json:"in_force"` // the day is on or after the reading's start
	Violations   int    `json:"violations"`
	Disputed     int    `json:"disputed"`
	Undetermined int    `json:"undetermined"`
	// Running are the totals from the reading's start through this day;
	// zero before the start.
	Running Totals `json:"running"`
}

// Totals are running or overall sums under one reading.
type Totals struct {
	Reading      string `json:"reading"`
	Claims       int    `json:"claims"`
	Corroborated int    `json:"corroborated"`
	Contradicted int    `json:"contradicted"`
	Judged       int    `json:"judged"`
	Unverified   int    `json:"unverified"`
	Violations   int    `json:"violations"`
	Disputed     int    `json:"disputed"`
	Undetermined int    `json:"undetermined"`
}

// ClaimedVsFound tallies, for each accused party and each day from from
// to to (inclusive, days in tz), the claims made against it with their
// statuses, and the incidents truce found against it, under each reading,
// with running totals from each reading's start.
//
// A claim is counted on its event's first day, else on its statement day;
// checked holds the claims' Results, by claim id (a claim without one is
// counted as unverified). An incident is counted on the first day of its
// earliest report, once per party and reading, with its most severe
// outcome among its reports' findings about the party under that reading
// (a finding names the party as perpetrator, or names none under a
// commitment of a that binds the party alone); dismissed incidents and
// not-prohibited outcomes are not counted. Parties are those accused by a
// claim or found against, sorted.
func ClaimedVsFound(a *truce.Agreement, tz *time.Location, from, to time.Time, readings []Reading,
	cs []*truce.Claim, checked map[truce.ClaimID]Result, incidents []Candidate) Table {
	if tz == nil {
		tz = time.UTC
	}
	first, last := localDay(from, tz), localDay(to, tz)
	t := Table{From: dayString(first), To: dayString(last), TimeZone: tz.String(), Readings: readings}
	type key struct {
		p truce.PartyID
		d int
	}
	claims := map[key]*ClaimCounts{}
	found := map[key][]FoundCount{}
	parties := map[truce.PartyID]bool{}
	for _, c := range cs {
		d := civilDay(c.Stated)
		if !c.EventStart.IsZero() {
			d = civilDay(c.EventStart)
		}
		if d < first || d > last {
			continue
		}
		parties[c.Accused] = true
		k := key{c.Accused, d}
		cc := claims[k]
		if cc == nil {
			cc = &ClaimCounts{IDs: []truce.ClaimID{}}
			claims[k] = cc
		}
		cc.add(c.ID, checked[c.ID])
	}
	for i := range incidents {
		in := &incidents[i]
		if in.Status == truce.StatusDismissed || len(in.Evidence) == 0 {
			continue
		}
		d := incidentDay(in, tz)
		if d < first || d > last {
			continue
		}
		for p, outs := range outcomesByParty(a, in, readings) {
			parties[p] = true
			k := key{p, d}
			fc := found[k]
			if fc == nil {
				fc = make([]FoundCount, len(readings))
				found[k] = fc
			}
			for ri, o := range outs {
				fc[ri].count(o)
			}
		}
	}
	ps := make([]truce.PartyID, 0, len(parties))
	for p := range parties {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	for _, p := range ps {
		row := Party{Accused: p, Days: []Day{}, Totals: make([]Totals, len(readings))}
		running := make([]Totals, len(readings))
		for ri, rd := range readings {
			running[ri].Reading, row.Totals[ri].Reading = rd.Name, rd.Name
		}
		for d := first; d <= last; d++ {
			day := Day{Day: dayString(d), Claims: ClaimCounts{IDs: []truce.ClaimID{}}, Found: make([]FoundCount, len(readings))}
			if cc := claims[key{p, d}]; cc != nil {
				day.Claims = *cc
			}
			fc := found[key{p, d}]
			for ri, rd := range readings {
				f := &day.Found[ri]
				if fc != nil {
					*f = fc[ri]
				}
				f.Reading = rd.Name
				f.InForce = d >= localDay(rd.Start, tz)
				if f.InForce {
					running[ri].add(day.Claims, *f)
				}
				f.Running = running[ri]
			}
			row.Days = append(row.Days, day)
		}
		copy(row.Totals, running)
		t.Parties = append(t.Parties, row)
	}
	return t
}

// add counts claim id with its result.
func (cc *ClaimCounts) add(id truce.ClaimID, res Result) {
	cc.Total++
	cc.IDs = append(cc.IDs, id)
	switch res.Status {
	case truce.ClaimCorroborated:
		cc.Corroborated++
	case truce.ClaimContradicted:
		cc.Contradicted++
	case truce.ClaimJudged:
		cc.Judged++
	default:
		cc.Unverified++
	}
}

// count counts one incident's outcome.
func (f *FoundCount) count(o truce.Outcome) {
	switch o {
	case truce.OutcomeViolation:
		f.Violations++
	case truce.OutcomeDisputed:
		f.Disputed++
	case truce.OutcomeUndetermined:
		f.Undetermined++
	}
}

// add adds a day's counts to running totals.
func (t *Totals) add(c ClaimCounts, f FoundCount) {
	t.Claims += c.Total
	t.Corroborated += c.Corroborated
	t.Contradicted += c.Contradicted
	t.Judged += c.Judged
	t.Unverified += c.Unverified
	t.Violations += f.Violations
	t.Disputed += f.Disputed
	t.Undetermined += f.Undetermined
}

// incidentDay is the first local day of the incident's earliest report.
func incidentDay(in *Candidate, tz *time.Location) int {
	start := in.Evidence[0].Report.Start
	for _, ev := range in.Evidence[1:] {
		if ev.Report.Start.Before(start) {
			start = ev.Report.Start
		}
	}
	return localDay(start, tz)
}

// outcomesByParty returns, for each party an incident's findings concern,
// its most severe outcome under each reading (indexed as readings).
func outcomesByParty(a *truce.Agreement, in *Candidate, readings []Reading) map[truce.PartyID][]truce.Outcome {
	out := map[truce.PartyID][]truce.Outcome{}
	for _, ev := range in.Evidence {
		if ev.Judgement == nil {
			continue
		}
		for _, f := range ev.Judgement.Findings {
			p := f.Party
			if p == "" {
				p = soleBound(a, f.Commitment)
			}
			if p == "" {
				continue
			}
			for ri, rd := range readings {
				o := readingOutcome(f, rd)
				if o <= truce.OutcomeNotProhibited {
					continue
				}
				if out[p] == nil {
					out[p] = make([]truce.Outcome, len(readings))
				}
				out[p][ri] = max(out[p][ri], o)
			}
		}
	}
	return out
}

// readingOutcome is f's outcome under the reading rd: the reading result
// whose parties include rd's, else the finding's own outcome.
func readingOutcome(f truce.Finding, rd Reading) truce.Outcome {
	for _, rr := range f.Readings {
		for _, p := range rd.Parties {
			if slices.Contains(rr.Parties, p) {
				return rr.Outcome
			}
		}
	}
	return f.Outcome
}

// soleBound returns the one party commitment id binds, or "".
func soleBound(a *truce.Agreement, id truce.CommitmentID) truce.PartyID {
	if a == nil {
		return ""
	}
	for _, ph := range a.Phases {
		for _, cm := range ph.Commitments {
			if cm.ID == id && len(cm.Bound) == 1 {
				return cm.Bound[0]
			}
		}
	}
	return ""
}
