package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"truce"
	"truce/internal/claims"
	"truce/internal/pipeline"
)

// ClaimsNote is the report's word on unverified claims.
const ClaimsNote = "Absence of independent evidence is not contradiction: a claim stays unverified when no independent " +
	"report the readers of this report may read covers its place and time (most claims about sites in Russia lie " +
	"beyond the independent sources' reach), and only evidence that the event was otherwise contradicts it."

// ClaimsSection is the report's "Claimed vs found": per accused party and
// day of the period, the claims the parties made against it, checked
// against the independent reports (pipeline.CheckClaims), beside what truce
// itself found, under each reading of the phase in force
// (pipeline.Readings), with running totals from each reading's start; and
// the parties' tallies as stated in the period. Its type names are apart
// from claims.Table's: the API's schema registry holds both.
type ClaimsSection struct {
	// Phase is the phase in force in the period; "" when none was, and
	// then Readings is empty and nothing is found against anyone.
	Phase     string          `json:"phase,omitempty"`
	PhaseName string          `json:"phase_name,omitempty"`
	From      string          `json:"from"` // the period's first day, YYYY-MM-DD
	To        string          `json:"to"`   // its last day, included
	Readings  []ClaimsReading `json:"readings"`
	// Parties are the accused parties and those found against, sorted.
	Parties []ClaimsParty `json:"parties"`
	// Tallies are the parties' stated counts made in the period.
	Tallies []ClaimsTally `json:"tallies"`
	// Note says why an unverified claim is not a contradicted one.
	Note string `json:"note"`
}

// ClaimsReading is one reading of the phase whose running totals the
// section keeps (claims.Reading).
type ClaimsReading struct {
	Name    string   `json:"name"` // "RU", "UA", "common"
	Parties []string `json:"parties"`
	Start   string   `json:"start"` // the phase's first day under it, YYYY-MM-DD
}

// ClaimsParty is one accused party's figures.
type ClaimsParty struct {
	Accused string `json:"accused"`
	// Claims counts the claims against the party over the period's days,
	// under whichever reading.
	Claims ClaimsCounts `json:"claims"`
	// Days are the period's days with claims against the party or
	// incidents found against it, in order.
	Days []ClaimsDay `json:"days"`
	// Totals are per reading, in Readings order: the sums from the
	// reading's start (ClaimsTotals.Since, which may fall before the
	// period) through the period's last day.
	Totals []ClaimsTotals `json:"totals"`
}

// ClaimsDay is one day of claims against a party and of what truce found
// (claims.Day).
type ClaimsDay struct {
	Day    string        `json:"day"` // YYYY-MM-DD in the agreement's time zone
	Claims ClaimsCounts  `json:"claims"`
	Found  []ClaimsFound `json:"found"` // one per reading, in Readings order
}

// ClaimsCounts counts claims by status; the four add up to Total
// (claims.ClaimCounts).
type ClaimsCounts struct {
	Total        int      `json:"total"`
	Corroborated int      `json:"corroborated"`
	Contradicted int      `json:"contradicted"`
	Judged       int      `json:"judged"`
	Unverified   int      `json:"unverified"`
	IDs          []string `json:"ids"`
}

// ClaimsFound is what truce found against a party on a day under one
// reading, with the running totals (claims.FoundCount).
type ClaimsFound struct {
	Reading      string `json:"reading"`
	InForce      bool   `json:"in_force"` // the day is on or after the reading's start
	Violations   int    `json:"violations"`
	Disputed     int    `json:"disputed"`
	Undetermined int    `json:"undetermined"`
	// Running are the totals from the reading's start through this day;
	// zero before the start.
	Running ClaimsTotals `json:"running"`
}

// ClaimsTotals are running or overall sums under one reading
// (claims.Totals).
type ClaimsTotals struct {
	Reading string `json:"reading"`
	// Since is the first day counted: the reading's start, also when it
	// falls before the period.
	Since        string `json:"since"`
	Claims       int    `json:"claims"`
	Corroborated int    `json:"corroborated"`
	Contradicted int    `json:"contradicted"`
	Judged       int    `json:"judged"`
	Unverified   int    `json:"unverified"`
	Violations   int    `json:"violations"`
	Disputed     int    `json:"disputed"`
	Undetermined int    `json:"undetermined"`
}

// ClaimsTally is a party's count of the other side's breaches, as stated
// (truce.Tally).
type ClaimsTally struct {
	ID          string `json:"id"`
	Claimant    string `json:"claimant"`
	Speaker     string `json:"speaker"`
	Stated      string `json:"stated"` // YYYY-MM-DD
	Period      string `json:"period"` // as stated
	Count       string `json:"count"`  // as stated: "more than 30"
	Wording     string `json:"wording"`
	SourceTitle string `json:"source_title"`
	SourceURL   string `json:"source_url"`
}

// GatherClaims sets s.Claims, the "Claimed vs found" section, from the
// claims, tallies and incidents f.Visible may read (nil: everything, as
// for the record's own reports), over the period from to to (days in a's
// time zone; "" for the first or last day with a report in s). It leaves
// s.Claims nil when the period has neither a claim nor a tally.
func GatherClaims(ctx context.Context, st truce.Store, a *truce.Agreement, v *truce.AgreementVersion, s *Summary, f truce.ReportFilter, from, to string) error {
	s.Claims = nil
	per := Period{From: cmp.Or(from, s.From), To: cmp.Or(to, s.To)}
	if per.From == "" || per.To == "" {
		return nil
	}
	if _, _, err := per.days(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	tz := a.Timezone
	if tz == nil {
		tz = time.UTC
	}
	first, err1 := time.ParseInLocation(time.DateOnly, per.From, tz)
	last, err2 := time.ParseInLocation(time.DateOnly, per.To, tz)
	if err := cmp.Or(err1, err2); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	// Whoever may read everything: a monitor reads every claim and incident.
	visible := truce.Principal{TokenID: truce.System.TokenID, Role: truce.RoleMonitor}
	if f.Visible != nil {
		visible = *f.Visible
	}
	ts, err := st.Tallies(ctx, truce.ClaimFilter{Visible: f.Visible})
	if err != nil {
		return err
	}
	var tallies []ClaimsTally
	for _, t := range ts {
		day := t.Stated.UTC().Format(time.DateOnly)
		if day < per.From || day > per.To {
			continue
		}
		tallies = append(tallies, ClaimsTally{ID: string(t.ID), Claimant: string(t.Claimant), Speaker: t.Speaker, Stated: day,
			Period: t.Period, Count: t.Count, Wording: t.Wording, SourceTitle: t.SourceTitle, SourceURL: t.SourceURL})
	}
	// Without a claim or a tally there is no section: checking claims
	// reads every judgement, so find out first.
	if len(tallies) == 0 {
		found, err := anyClaim(ctx, st, visible)
		if err != nil || !found {
			return err
		}
	}
	id, version := a.ID, s.StoredVersion // an agreement not stored has no judgements
	if v != nil {
		id, version = v.ID, v.Version
	}
	ch, err := pipeline.CheckClaims(ctx, st, a, id, version, visible)
	if err != nil {
		return err
	}
	ph, rs, err := pipeline.Readings(a, "", first, last)
	if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
		return err
	}
	// The table starts at the earliest reading's start, if before the
	// period, so that its running totals count from there.
	start := first
	for _, r := range rs {
		if r.Start.Before(start) {
			start = r.Start
		}
	}
	tab := claims.ClaimedVsFound(a, tz, start, last, rs, ch.Claims, ch.Results, ch.Candidates)
	sec := claimsSection(tab, per)
	if sec.claims() == 0 && len(tallies) == 0 {
		return nil
	}
	if ph != "" {
		sec.Phase = string(ph)
		if p, ok := a.Phase(ph); ok {
			sec.PhaseName = p.Name
		}
	}
	sec.Tallies = append(sec.Tallies, tallies...)
	s.Claims = sec
	return nil
}

// claimsSection keeps of tab the days of per with claims or findings.
func claimsSection(tab claims.Table, per Period) *ClaimsSection {
	sec := &ClaimsSection{From: per.From, To: per.To, Readings: []ClaimsReading{}, Parties: []ClaimsParty{}, Tallies: []ClaimsTally{}, Note: ClaimsNote}
	since := map[string]string{}
	for _, r := range tab.Readings {
		cr := ClaimsReading{Name: r.Name, Parties: []string{}, Start: r.Start.Format(time.DateOnly)}
		for _, p := range r.Parties {
			cr.Parties = append(cr.Parties, string(p))
		}
		since[r.Name] = cr.Start
		sec.Readings = append(sec.Readings, cr)
	}
	totals := func(t claims.Totals) ClaimsTotals {
		return ClaimsTotals{Reading: t.Reading, Since: since[t.Reading], Claims: t.Claims, Corroborated: t.Corroborated, Contradicted: t.Contradicted,
			Judged: t.Judged, Unverified: t.Unverified, Violations: t.Violations, Disputed: t.Disputed, Undetermined: t.Undetermined}
	}
	for _, p := range tab.Parties {
		cp := ClaimsParty{Accused: string(p.Accused), Claims: ClaimsCounts{IDs: []string{}}, Days: []ClaimsDay{}, Totals: []ClaimsTotals{}}
		for _, t := range p.Totals {
			cp.Totals = append(cp.Totals, totals(t))
		}
		for _, d := range p.Days {
			if d.Day < per.From || d.Day > per.To || !busy(d) {
				continue
			}
			cd := ClaimsDay{Day: d.Day, Claims: claimsCounts(d.Claims), Found: []ClaimsFound{}}
			for _, f := range d.Found {
				cd.Found = append(cd.Found, ClaimsFound{Reading: f.Reading, InForce: f.InForce, Violations: f.Violations, Disputed: f.Disputed,
					Undetermined: f.Undetermined, Running: totals(f.Running)})
			}
			cp.Claims.add(cd.Claims)
			cp.Days = append(cp.Days, cd)
		}
		sec.Parties = append(sec.Parties, cp)
	}
	return sec
}

// busy reports whether d has claims or incidents found under a reading.
func busy(d claims.Day) bool {
	if d.Claims.Total > 0 {
		return true
	}
	for _, f := range d.Found {
		if f.Violations+f.Disputed+f.Undetermined > 0 {
			return true
		}
	}
	return false
}

func claimsCounts(c claims.ClaimCounts) ClaimsCounts {
	out := ClaimsCounts{Total: c.Total, Corroborated: c.Corroborated, Contradicted: c.Contradicted, Judged: c.Judged, Unverified: c.Unverified, IDs: []string{}}
	for _, id := range c.IDs {
		out.IDs = append(out.IDs, string(id))
	}
	return out
}

// add adds a day's claims.
func (c *ClaimsCounts) add(d ClaimsCounts) {
	c.Total += d.Total
	c.Corroborated += d.Corroborated
	c.Contradicted += d.Contradicted
	c.Judged += d.Judged
	c.Unverified += d.Unverified
	c.IDs = append(c.IDs, d.IDs...)
}

// claims is the number of claims in the section's period.
func (sec *ClaimsSection) claims() int {
	n := 0
	for _, p := range sec.Parties {
		n += p.Claims.Total
	}
	return n
}

// errFound stops a walk over the claims at the first one.
var errFound = errors.New("found")

// anyClaim reports whether visible may read a claim.
func anyClaim(ctx context.Context, st truce.Store, visible truce.Principal) (bool, error) {
	err := st.Claims(ctx, truce.ClaimFilter{Visible: &visible}, func(*truce.Claim) error { return errFound })
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}
