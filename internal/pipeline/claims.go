package pipeline

import (
	"context"
	"slices"
	"strings"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/claims"
)

// Checked is the parties' claims a principal may read, each with what
// the incidents that principal may read say of it (claims.Check), and
// those incidents: what the API lists and the claimed-vs-found table
// counts. It is immutable once built, so a server may cache it until the
// next write to the record.
type Checked struct {
	// Claims are in the store's order: statement date, then id.
	Claims []*truce.Claim
	// Results holds each claim's result, by claim id.
	Results map[truce.ClaimID]claims.Result
	// Candidates are the incidents the principal may read, with their
	// reports, judgements under the agreement version and review status.
	Candidates []claims.Candidate
	// Index is the candidates indexed for matching (claims.NewIndex).
	Index *claims.Index
	// Decisions are the monitors' match decisions on the claims.
	Decisions []truce.ClaimMatch
}

// ClaimOptions are the reading options the agreement gives: its time zone,
// each party's voices (claims.Options.Voices), the outlets each controls
// (claims.Options.Controlled; a party's own submissions through the API
// carry its id as their outlet, so its id counts as one of its outlets)
// and where the independent sources reach (ClaimReach).
func ClaimOptions(a *truce.Agreement) claims.Options {
	opt := claims.Options{TZ: a.Timezone, Reach: a.ClaimReach, Agreement: a,
		Voices: map[truce.PartyID][]string{}, Controlled: map[string]truce.PartyID{}}
	for _, p := range a.Parties {
		if len(p.Voices) > 0 {
			opt.Voices[p.ID] = slices.Clone(p.Voices)
		}
		opt.Controlled[string(p.ID)] = p.ID
		for _, o := range p.Outlets {
			opt.Controlled[o] = p.ID
		}
	}
	return opt
}

// ClaimCandidates returns every incident visible may read that holds a
// judged report, with its reports, their judgements under agreement
// version (id, version) and its review status. A report's submitting party
// is known when a party submitted it through the API (its outlet is the
// party's id and the incident names the party as submitter); imported
// reports have none.
func ClaimCandidates(ctx context.Context, st truce.Store, id truce.AgreementID, version int, visible truce.Principal) ([]claims.Candidate, error) {
	byReport := map[truce.ReportID]int{}
	var out []claims.Candidate
	var submitters []truce.PartyID
	f := truce.IncidentFilter{Visibility: visible, Limit: 1000}
	for {
		page, next, err := st.Incidents(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page {
			in := &page[i]
			if len(in.Reports) == 0 {
				continue // merged away
			}
			for _, r := range in.Reports {
				byReport[r] = len(out)
			}
			out = append(out, claims.Candidate{Incident: in.ID, Status: in.Status})
			submitters = append(submitters, in.SubmittedBy)
		}
		if next == "" {
			break
		}
		f.After = next
	}
	err := st.Judgements(ctx, id, version, truce.ReportFilter{Visible: &visible}, func(r *truce.Report, jd *truce.Judgement) error {
		i, ok := byReport[r.ID]
		if !ok {
			return nil // stored since the incidents were read
		}
		ev := claims.Evidence{Report: r, Judgement: jd}
		if p := submitters[i]; p != "" && r.Outlet == string(p) {
			ev.Party = p
		}
		out[i].Evidence = append(out[i].Evidence, ev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, c := range out {
		if len(c.Evidence) > 0 {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// CheckClaims checks every claim visible may read against the incidents
// visible may read, under agreement a stored as version (id, version),
// with the monitors' match decisions. Only what visible may read counts:
// a party's unpublished submission never corroborates a claim for the
// public.
func CheckClaims(ctx context.Context, st truce.Store, a *truce.Agreement, id truce.AgreementID, version int, visible truce.Principal) (*Checked, error) {
	cands, err := ClaimCandidates(ctx, st, id, version, visible)
	if err != nil {
		return nil, err
	}
	out := &Checked{Candidates: cands, Index: claims.NewIndex(cands, ClaimOptions(a)), Results: map[truce.ClaimID]claims.Result{}}
	if err := st.Claims(ctx, truce.ClaimFilter{Visible: &visible}, func(c *truce.Claim) error {
		out.Claims = append(out.Claims, c)
		return nil
	}); err != nil {
		return nil, err
	}
	all, err := st.ClaimMatches(ctx, "")
	if err != nil {
		return nil, err
	}
	byClaim := map[truce.ClaimID][]truce.ClaimMatch{}
	for _, m := range all {
		byClaim[m.Claim] = append(byClaim[m.Claim], m)
	}
	for _, c := range out.Claims {
		out.Decisions = append(out.Decisions, byClaim[c.ID]...)
		out.Results[c.ID] = claims.Check(c, out.Index, byClaim[c.ID])
	}
	return out, nil
}

// Readings returns the readings of phase ph of a whose running totals a
// claimed-vs-found table keeps: one per reading in which the phase
// entered into force and that a signatory holds (a mediator's reading
// finds nothing against anyone), named after its parties ("RU", "UA";
// "common" for the phase's own parameters),
// each starting on the first day of the phase under it, midnight in the
// agreement's time zone. When ph is "", the phase is the first in force,
// under any reading, on some day from from to to (inclusive days in the
// agreement's time zone). ENOTFOUND if there is no such phase.
func Readings(a *truce.Agreement, ph truce.PhaseID, from, to time.Time) (truce.PhaseID, []claims.Reading, error) {
	tz := a.Timezone
	if tz == nil {
		tz = time.UTC
	}
	end := midnight(to, tz).AddDate(0, 0, 1)
	start := midnight(from, tz)
	for _, ps := range adjudicate.Schedule(a) {
		if ph != "" && ps.Phase.ID != ph {
			continue
		}
		var rs []claims.Reading
		overlaps := false
		for _, w := range ps.Windows {
			if !w.InForce || !signatory(a, w.Parties) {
				continue
			}
			if w.Start.Before(end) && (w.End.IsZero() || w.End.After(start)) {
				overlaps = true
			}
			name := "common"
			if !w.Common {
				names := make([]string, len(w.Parties))
				for i, p := range w.Parties {
					names[i] = string(p)
				}
				name = strings.Join(names, "+")
			}
			rs = append(rs, claims.Reading{Name: name, Parties: slices.Clone(w.Parties), Start: midnight(w.Start, tz)})
		}
		if ph != "" || overlaps {
			return ps.Phase.ID, rs, nil
		}
	}
	if ph != "" {
		return "", nil, truce.Errorf(truce.ENOTFOUND, "phase %s not found in agreement %s", ph, a.ID)
	}
	return "", nil, truce.Errorf(truce.ENOTFOUND, "no phase of agreement %s is in force from %s to %s", a.ID,
		start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly))
}

// signatory reports whether one of ps is a party of a that is not a
// mediator.
func signatory(a *truce.Agreement, ps []truce.PartyID) bool {
	for _, id := range ps {
		if p, ok := a.Party(id); ok && !p.Mediator {
			return true
		}
	}
	return false
}

// midnight is the start of t's day in tz.
func midnight(t time.Time, tz *time.Location) time.Time {
	y, m, d := t.In(tz).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, tz)
}

// ClaimedVsFound sets the claims made against each party beside what
// truce found, day by day from from to to (inclusive days in a's time
// zone), under the readings of phase ph (Readings; "" for the phase in
// force in the period), from what ch holds (CheckClaims: the claims and
// incidents one principal may read).
func ClaimedVsFound(a *truce.Agreement, ch *Checked, ph truce.PhaseID, from, to time.Time) (claims.Table, error) {
	_, rs, err := Readings(a, ph, from, to)
	if err != nil {
		return claims.Table{}, err
	}
	return claims.ClaimedVsFound(a, a.Timezone, from, to, rs, ch.Claims, ch.Results, ch.Candidates), nil
}
