package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"truce"
	"truce/internal/claims"
	"truce/internal/importer"
	"truce/internal/pipeline"
)

// ClaimOut is a party's claim as the API shows it: what the claimant said,
// where truce placed it and on what basis, and what the independent
// evidence the caller may read says of it.
type ClaimOut struct {
	ID           string   `json:"id"`
	Claimant     string   `json:"claimant"`
	Body         string   `json:"claimant_body,omitempty" doc:"who spoke for the claimant"`
	Accused      string   `json:"accused"`
	Stated       string   `json:"statement_date" doc:"YYYY-MM-DD"`
	EventStart   string   `json:"event_start,omitempty" doc:"RFC 3339; absent when the claim gave no date"`
	EventEnd     string   `json:"event_end,omitempty" doc:"RFC 3339, exclusive"`
	Facility     string   `json:"facility,omitempty"`
	FacilityKind string   `json:"facility_kind,omitempty"`
	Settlement   string   `json:"settlement,omitempty"`
	Region       string   `json:"region,omitempty"`
	SiteCountry  string   `json:"country_of_site,omitempty" doc:"RU, UA-occupied or UA, as recorded"`
	Lon          *float64 `json:"lon,omitempty"`
	Lat          *float64 `json:"lat,omitempty"`
	PrecisionM   float64  `json:"location_precision_m,omitempty" doc:"the claimed facility lies within this distance of lon, lat"`
	PlacedBy     string   `json:"placed_by" enum:"coordinates,site,settlement,region,none" doc:"how the position was established"`
	Site         string   `json:"site,omitempty" doc:"the protected site the facility was matched to"`
	Weapon       string   `json:"weapon,omitempty"`
	Consequences string   `json:"consequences,omitempty" doc:"the claimant's own figures, as stated"`
	SourceTitle  string   `json:"source_title,omitempty"`
	SourceURL    string   `json:"source_url,omitempty"`
	Confidence   string   `json:"confidence,omitempty" doc:"how faithfully the record reports the claim, not whether the strike happened"`
	Note         string   `json:"note,omitempty"`
	Published    bool     `json:"published"`
	// What the evidence says (pipeline.CheckClaims).
	Status       string   `json:"status" enum:"corroborated,contradicted,judged,unverified" doc:"what the independent evidence the caller may read says of the claim; absence of evidence is not contradiction"`
	Reason       string   `json:"reason" doc:"what the status rests on, in plain words"`
	Corroborated bool     `json:"corroborated" doc:"an independent source reports the event (set for judged claims too)"`
	Verdict      string   `json:"verdict,omitempty" doc:"a judged claim: the outcome of its event's judgement, carried over"`
	Explanation  string   `json:"explanation,omitempty" doc:"a judged claim: the judgement's explanation, carried over"`
	Incidents    []string `json:"incidents" doc:"the matched incidents the status rests on"`
}

func claimOut(c *truce.Claim, res claims.Result) ClaimOut {
	o := ClaimOut{
		ID: string(c.ID), Claimant: string(c.Claimant), Body: c.Body, Accused: string(c.Accused),
		Stated: c.Stated.UTC().Format(time.DateOnly), Facility: c.Facility, FacilityKind: c.FacilityKind,
		Settlement: c.Settlement, Region: c.Region, SiteCountry: c.SiteCountry, PrecisionM: c.LocationPrecisionMeters,
		PlacedBy: string(c.PlacedBy), Site: string(c.Site), Weapon: c.Weapon, Consequences: c.Consequences,
		SourceTitle: c.SourceTitle, SourceURL: c.SourceURL, Confidence: c.Confidence, Note: c.Note, Published: c.Published,
		Status: string(res.Status), Reason: res.Reason, Corroborated: res.Corroborated, Verdict: res.Verdict,
		Explanation: res.Explanation, Incidents: make([]string, 0, len(res.Incidents)),
	}
	if o.Status == "" {
		o.Status, o.Reason = string(truce.ClaimUnverified), "not checked yet"
	}
	for _, id := range res.Incidents {
		o.Incidents = append(o.Incidents, string(id))
	}
	if c.PlacedBy == truce.NotPlaced {
		o.PlacedBy = "none"
	} else {
		lon, lat := c.Location.Lon, c.Location.Lat
		o.Lon, o.Lat = &lon, &lat
	}
	if !c.EventStart.IsZero() {
		o.EventStart, o.EventEnd = c.EventStart.UTC().Format(time.RFC3339), c.EventEnd.UTC().Format(time.RFC3339)
	}
	return o
}

// ProposalOut is an incident that could be the event a claim describes.
type ProposalOut struct {
	Incident       string   `json:"incident"`
	Reports        []string `json:"reports" doc:"the incident's reports that match the claim"`
	BySite         bool     `json:"by_site" doc:"a report names the claim's protected site"`
	DistanceMeters float64  `json:"distance_m" doc:"the shortest distance from the claim's position to a matching report; -1 when the match is not by distance"`
	Vague          bool     `json:"vague" doc:"the match rests on a wide area: it may corroborate the claim, never contradict it"`
	Reason         string   `json:"reason"`
	Decision       string   `json:"decision,omitempty" enum:"confirmed,rejected" doc:"a monitor's decision on the match, if any"`
}

// MatchOut is a monitor's decision on a claim and an incident.
type MatchOut struct {
	Claim    string    `json:"claim"`
	Incident string    `json:"incident"`
	Decision string    `json:"decision" enum:"confirmed,rejected"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by" doc:"the monitor or admin, as the log records them"`
	At       time.Time `json:"at"`
}

func matchOut(m truce.ClaimMatch) MatchOut {
	return MatchOut{Claim: string(m.Claim), Incident: string(m.Incident), Decision: string(m.Decision), Note: m.Note,
		By: m.By.String(), At: m.At.UTC()}
}

// ClaimDetail is one claim with the incidents proposed as its event and
// the monitors' decisions.
type ClaimDetail struct {
	ClaimOut
	Proposals []ProposalOut `json:"proposals" doc:"incidents the caller may read that could be the claimed event, with the reason"`
	Matches   []MatchOut    `json:"matches" doc:"the monitors' decisions on incidents the caller may read"`
}

// TallyOut is a party's stated count of breaches, as stated.
type TallyOut struct {
	ID          string `json:"id"`
	Claimant    string `json:"claimant"`
	Speaker     string `json:"speaker,omitempty"`
	Stated      string `json:"statement_date"`
	Period      string `json:"period_covered,omitempty"`
	Count       string `json:"count" doc:"as stated: \"more than 30\", \"101\""`
	Wording     string `json:"wording,omitempty"`
	SourceTitle string `json:"source_title,omitempty"`
	SourceURL   string `json:"source_url,omitempty"`
	Published   bool   `json:"published"`
}

// ClaimIn is one claim filed through the API, in the fields of the claim
// import format (docs/claims-format.md), read by the same reader.
type ClaimIn struct {
	ID           string   `json:"id,omitempty" maxLength:"200" doc:"monitors and admins only: the claim's id (e.g. a compilation's RU-085); default: one the server assigns"`
	Claimant     string   `json:"claimant,omitempty" maxLength:"64" doc:"the party making the claim; a party files only as itself (default: the caller's party)"`
	Body         string   `json:"claimant_body,omitempty" maxLength:"500"`
	Stated       string   `json:"statement_date" maxLength:"10" doc:"YYYY-MM-DD"`
	EventDate    string   `json:"event_date,omitempty" maxLength:"10" doc:"YYYY-MM-DD, the day of the claimed event"`
	Accused      string   `json:"accused" maxLength:"64"`
	Facility     string   `json:"facility,omitempty" maxLength:"1000"`
	FacilityKind string   `json:"facility_kind,omitempty" maxLength:"200"`
	Settlement   string   `json:"settlement,omitempty" maxLength:"500"`
	Region       string   `json:"region,omitempty" maxLength:"500"`
	SiteCountry  string   `json:"country_of_site,omitempty" maxLength:"64"`
	Lat          *float64 `json:"lat,omitempty"`
	Lon          *float64 `json:"lon,omitempty"`
	Weapon       string   `json:"weapon,omitempty" maxLength:"500"`
	Consequences string   `json:"consequences,omitempty" maxLength:"5000"`
	SourceTitle  string   `json:"source_title,omitempty" maxLength:"1000"`
	SourceURL    string   `json:"source_url,omitempty" maxLength:"2000"`
	Confidence   string   `json:"confidence,omitempty" enum:"high,medium,low,"`
	Note         string   `json:"note,omitempty" maxLength:"5000"`
	Published    *bool    `json:"published,omitempty" doc:"monitors and admins: publish at once (default true); a party's claim stays unpublished until a monitor publishes it"`
}

// The inputs and outputs of the claim operations.
type (
	createClaimIn  struct{ Body ClaimIn }
	createClaimOut struct {
		Location string `header:"Location"`
		Body     ClaimOut
	}
	claimsBulkIn struct {
		Kind      string `query:"kind" enum:"claims,tallies" default:"claims"`
		Strict    bool   `query:"strict" doc:"refuse the whole file at the first bad row"`
		Published bool   `query:"published" default:"true" doc:"publish at once (the parties' public statements)"`
		Name      string `query:"name" maxLength:"200" doc:"the file's name, used in messages and tally ids; default upload-HASH"`
		RawBody   []byte `contentType:"text/csv"`
	}
	claimsBulkOut struct{ Body ClaimsBulkResult }
	claimsIn      struct {
		Claimant string `query:"claimant" maxLength:"64" doc:"only the claims of this party"`
		Accused  string `query:"accused" maxLength:"64" doc:"only the claims against this party"`
		Status   string `query:"status" enum:"corroborated,contradicted,judged,unverified," doc:"only the claims with this status"`
	}
	claimsOut struct{ Body []ClaimOut }
	claimIn   struct {
		ID string `path:"id" maxLength:"200"`
	}
	claimDetailOut struct{ Body ClaimDetail }
	claimBody      struct{ Body ClaimOut }
	talliesIn      struct {
		Claimant string `query:"claimant" maxLength:"64" doc:"only the tallies of this party"`
	}
	talliesOut struct{ Body []TallyOut }
	decideIn   struct {
		ID   string `path:"id" maxLength:"200"`
		Body struct {
			Incident string `json:"incident" minLength:"1" maxLength:"300"`
			Decision string `json:"decision" enum:"confirmed,rejected"`
			Note     string `json:"note,omitempty" maxLength:"5000"`
		}
	}
	decideOut struct {
		Body struct {
			Match MatchOut `json:"match"`
			Claim ClaimOut `json:"claim" doc:"the claim with its status after the decision"`
		}
	}
	figuresIn struct {
		From  string `query:"from" required:"true" maxLength:"10" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"first day, in the agreement's time zone"`
		To    string `query:"to" required:"true" maxLength:"10" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"last day, included"`
		Phase string `query:"phase" maxLength:"200" doc:"the phase whose readings count; default: the first in force in the period"`
	}
	figuresOut struct{ Body FiguresTable }
)

// ClaimsBulkResult reports a claims or tallies upload.
type ClaimsBulkResult struct {
	Read     int            `json:"read"`
	Accepted int            `json:"accepted"`
	Rejected int            `json:"rejected"`
	Added    int            `json:"added" doc:"new claims or tallies stored (the rest were already stored)"`
	PlacedBy map[string]int `json:"placed_by,omitempty" doc:"claims: how many were placed on each basis (none: not placed)"`
	Errors   []string       `json:"errors" doc:"the first 100 bad rows, as FILE:LINE: message"`
}

// maxClaimDays is the longest period claims/figures tabulates: a table
// has a row per party and day.
const maxClaimDays = 400

// createClaim serves create-claim. A party files as itself, unpublished;
// a monitor or admin files for a named claimant, published unless told
// otherwise. The body is read by the claim import format's reader and
// placed as an import places it.
func (s *Server) createClaim(ctx context.Context, p truce.Principal, in *createClaimIn) (*createClaimOut, error) {
	b := in.Body
	published := true
	if p.Role == truce.RoleParty {
		switch {
		case b.Claimant != "" && b.Claimant != string(p.Party):
			return nil, truce.Errorf(truce.EFORBIDDEN, "a party files claims only as itself (%s), not as %s", p.Party, b.Claimant)
		case b.ID != "":
			return nil, fieldError("body.id", "a party's claims get their id from the server", b.ID)
		case b.Published != nil && *b.Published:
			return nil, truce.Errorf(truce.EFORBIDDEN, "a party's claim is published by a monitor")
		}
		b.Claimant, published = string(p.Party), false
		b.ID = newID("api-" + string(p.Party) + "-")
	} else {
		if b.Claimant == "" {
			return nil, fieldError("body.claimant", "required: the party making the claim", nil)
		}
		if b.Published != nil {
			published = *b.Published
		}
		if b.ID == "" {
			b.ID = newID("api-")
		}
	}
	_, a, err := s.currentAgreement(ctx)
	if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
		return nil, err
	}
	if a != nil {
		for _, f := range []struct{ loc, id string }{{"body.claimant", b.Claimant}, {"body.accused", b.Accused}} {
			if _, ok := a.Party(truce.PartyID(f.id)); !ok && f.id != "" {
				return nil, fieldError(f.loc, "not a party of the current agreement", f.id)
			}
		}
	}
	placer, err := s.claimPlacer(ctx, a)
	if err != nil {
		return nil, err
	}
	c, err := parseClaimIn(&b, placer)
	if err != nil {
		return nil, err
	}
	c.Published = published
	if _, err := s.store.PutClaims(ctx, p, []*truce.Claim{c}); err != nil {
		return nil, err
	}
	stored, err := s.store.Claim(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	ch, err := s.checked(ctx, p)
	if err != nil {
		return nil, err
	}
	return &createClaimOut{Location: "/api/v1/claims/" + string(c.ID), Body: claimOut(stored, ch.Results[c.ID])}, nil
}

// parseClaimIn turns the API form into a claim through the same reader
// as claim files, so that both mean the same.
func parseClaimIn(in *ClaimIn, placer importer.Placer) (*truce.Claim, error) {
	obj := map[string]any{"claim_id": in.ID, "claimant": in.Claimant, "claimant_body": in.Body, "statement_date": in.Stated,
		"event_date": in.EventDate, "accused": in.Accused, "facility": in.Facility, "facility_kind": in.FacilityKind,
		"settlement": in.Settlement, "region": in.Region, "country_of_site": in.SiteCountry, "weapon": in.Weapon,
		"consequences": in.Consequences, "source_title": in.SourceTitle, "source_url": in.SourceURL,
		"confidence": in.Confidence, "note": in.Note}
	if in.Lat != nil {
		obj["lat"] = *in.Lat
	}
	if in.Lon != nil {
		obj["lon"] = *in.Lon
	}
	line, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	// Dates are UTC calendar days, as in claim files (docs/claims-format.md).
	opt := importer.ClaimOptions{File: "body", Strict: true, Placer: placer}
	var c *truce.Claim
	_, err = importer.ReadClaims(bytes.NewReader(line), opt, func(got *truce.Claim) error { c = got; return nil }, nil)
	if err != nil {
		var re importer.RowError
		if errors.As(err, &re) {
			return nil, truce.Errorf(truce.EINVALID, "%s", truce.ErrorMessage(re.Err))
		}
		return nil, err
	}
	if c == nil {
		return nil, truce.Errorf(truce.EINVALID, "no claim in the body")
	}
	c.File, c.Line = "", 0 // filed, not imported
	return c, nil
}

// claimPlacer places claims from the stored sites and the gazetteer of a
// (none when a is nil).
func (s *Server) claimPlacer(ctx context.Context, a *truce.Agreement) (importer.Placer, error) {
	sites, err := s.store.Sites(ctx)
	if err != nil {
		return nil, err
	}
	var places []truce.Place
	if a != nil {
		places = a.Places
	}
	return importer.NewClaimPlacer(sites, places), nil
}

// uploadClaims serves upload-claims: a file of claims or tallies in the
// claim import format, as 'truce import --claims/--tallies' reads it.
func (s *Server) uploadClaims(ctx context.Context, p truce.Principal, in *claimsBulkIn) (*claimsBulkOut, error) {
	name := in.Name
	if name == "" {
		name = uploadName(in.RawBody)
	}
	res := ClaimsBulkResult{Errors: []string{}}
	bad := func(re importer.RowError) {
		if len(res.Errors) < 100 {
			res.Errors = append(res.Errors, re.Error())
		}
	}
	_, a, err := s.currentAgreement(ctx)
	if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
		return nil, err
	}
	opt := importer.ClaimOptions{File: name, Strict: in.Strict, Published: in.Published}
	var st importer.Stats
	if in.Kind == "tallies" {
		var ts []*truce.Tally
		st, err = importer.ReadTallies(bytes.NewReader(in.RawBody), opt, func(t *truce.Tally) error { ts = append(ts, t); return nil }, bad)
		if err != nil {
			return nil, truce.Errorf(truce.EINVALID, "%s", importErr(err))
		}
		if res.Added, err = s.store.PutTallies(ctx, p, ts); err != nil {
			return nil, err
		}
	} else {
		if opt.Placer, err = s.claimPlacer(ctx, a); err != nil {
			return nil, err
		}
		var cs []*truce.Claim
		res.PlacedBy = map[string]int{}
		st, err = importer.ReadClaims(bytes.NewReader(in.RawBody), opt, func(c *truce.Claim) error {
			cs = append(cs, c)
			basis := string(c.PlacedBy)
			if basis == "" {
				basis = "none"
			}
			res.PlacedBy[basis]++
			return nil
		}, bad)
		if err != nil {
			return nil, truce.Errorf(truce.EINVALID, "%s", importErr(err))
		}
		if res.Added, err = s.store.PutClaims(ctx, p, cs); err != nil {
			return nil, err
		}
	}
	res.Read, res.Accepted, res.Rejected = st.Read, st.Accepted, st.Rejected
	return &claimsBulkOut{Body: res}, nil
}

// listClaims serves list-claims: the claims the caller may read, each with
// what the incidents the caller may read say of it.
func (s *Server) listClaims(ctx context.Context, p truce.Principal, in *claimsIn) (*claimsOut, error) {
	ch, err := s.checked(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &claimsOut{Body: []ClaimOut{}}
	for _, c := range ch.Claims {
		res := ch.Results[c.ID]
		if (in.Claimant != "" && string(c.Claimant) != in.Claimant) || (in.Accused != "" && string(c.Accused) != in.Accused) ||
			(in.Status != "" && string(res.Status) != in.Status) {
			continue
		}
		out.Body = append(out.Body, claimOut(c, res))
	}
	return out, nil
}

// readableClaim returns claim id if p may read it, and ENOTFOUND
// otherwise, so that an unpublished claim's existence is not revealed.
func (s *Server) readableClaim(ctx context.Context, p truce.Principal, id string) (*truce.Claim, error) {
	c, err := s.store.Claim(ctx, truce.ClaimID(id))
	if err != nil {
		return nil, err
	}
	if !truce.CanReadClaim(p, c.Claimant, c.Published) {
		return nil, truce.Errorf(truce.ENOTFOUND, "claim %s not found", id)
	}
	return c, nil
}

// getClaim serves get-claim: the claim, its status, the incidents
// proposed as its event and the monitors' decisions, as far as the caller
// may read them.
func (s *Server) getClaim(ctx context.Context, p truce.Principal, in *claimIn) (*claimDetailOut, error) {
	c, err := s.readableClaim(ctx, p, in.ID)
	if err != nil {
		return nil, err
	}
	d, err := s.claimDetail(ctx, p, c)
	if err != nil {
		return nil, err
	}
	return &claimDetailOut{Body: *d}, nil
}

// claimDetail builds the detail of claim c for p.
func (s *Server) claimDetail(ctx context.Context, p truce.Principal, c *truce.Claim) (*ClaimDetail, error) {
	ch, err := s.checked(ctx, p)
	if err != nil {
		return nil, err
	}
	res := ch.Results[c.ID]
	d := &ClaimDetail{ClaimOut: claimOut(c, res), Proposals: []ProposalOut{}, Matches: []MatchOut{}}
	decided := map[truce.IncidentID]truce.MatchDecision{}
	for _, m := range ch.Decisions {
		if m.Claim != c.ID {
			continue
		}
		// A decision about an incident p may not read would reveal it.
		if _, ok := ch.Index.Candidate(m.Incident); !ok {
			continue
		}
		decided[m.Incident] = m.Decision
		d.Matches = append(d.Matches, matchOut(m))
	}
	for _, pr := range res.Proposals {
		po := ProposalOut{Incident: string(pr.Incident), Reports: make([]string, 0, len(pr.Reports)), BySite: pr.BySite,
			DistanceMeters: pr.DistanceMeters, Vague: pr.Vague, Reason: pr.Reason, Decision: string(decided[pr.Incident])}
		for _, r := range pr.Reports {
			po.Reports = append(po.Reports, string(r))
		}
		d.Proposals = append(d.Proposals, po)
	}
	return d, nil
}

// publishClaim serves publish-claim: a monitor makes a party's claim
// readable by everyone.
func (s *Server) publishClaim(ctx context.Context, p truce.Principal, in *claimIn) (*claimBody, error) {
	if err := s.store.PublishClaim(ctx, p, truce.ClaimID(in.ID)); err != nil {
		return nil, err
	}
	c, err := s.store.Claim(ctx, truce.ClaimID(in.ID))
	if err != nil {
		return nil, err
	}
	ch, err := s.checked(ctx, p)
	if err != nil {
		return nil, err
	}
	return &claimBody{Body: claimOut(c, ch.Results[c.ID])}, nil
}

// decideMatch serves decide-claim-match: a monitor confirms or rejects
// that a claim and an incident are the same event.
func (s *Server) decideMatch(ctx context.Context, p truce.Principal, in *decideIn) (*decideOut, error) {
	m := truce.ClaimMatch{Claim: truce.ClaimID(in.ID), Incident: truce.IncidentID(in.Body.Incident),
		Decision: truce.MatchDecision(in.Body.Decision), Note: in.Body.Note, By: p, At: s.now().UTC()}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.DecideMatch(ctx, m); err != nil {
		return nil, err
	}
	c, err := s.store.Claim(ctx, m.Claim)
	if err != nil {
		return nil, err
	}
	ch, err := s.checked(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &decideOut{}
	for _, d := range ch.Decisions {
		if d.Claim == m.Claim && d.Incident == m.Incident {
			m = d // as stored: the store sets the time
		}
	}
	out.Body.Match, out.Body.Claim = matchOut(m), claimOut(c, ch.Results[c.ID])
	return out, nil
}

// listTallies serves list-tallies: the parties' stated counts the caller
// may read.
func (s *Server) listTallies(ctx context.Context, p truce.Principal, in *talliesIn) (*talliesOut, error) {
	ts, err := s.store.Tallies(ctx, truce.ClaimFilter{Claimant: truce.PartyID(in.Claimant), Visible: &p})
	if err != nil {
		return nil, err
	}
	out := &talliesOut{Body: make([]TallyOut, 0, len(ts))}
	for _, t := range ts {
		out.Body = append(out.Body, TallyOut{ID: string(t.ID), Claimant: string(t.Claimant), Speaker: t.Speaker,
			Stated: t.Stated.UTC().Format(time.DateOnly), Period: t.Period, Count: t.Count, Wording: t.Wording,
			SourceTitle: t.SourceTitle, SourceURL: t.SourceURL, Published: t.Published})
	}
	return out, nil
}

// claimFigures serves claim-figures: claimed vs found per accused party
// and day, under each reading of the phase, over what the caller may read.
func (s *Server) claimFigures(ctx context.Context, p truce.Principal, in *figuresIn) (*figuresOut, error) {
	_, a, err := s.currentAgreement(ctx)
	if err != nil {
		return nil, err
	}
	day := func(loc, v string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, v, a.Timezone)
		if err != nil || t.Year() < 1900 || t.Year() > 2200 {
			return t, fieldError(loc, "not a valid date", v)
		}
		return t, nil
	}
	from, err := day("query.from", in.From)
	if err != nil {
		return nil, err
	}
	to, err := day("query.to", in.To)
	if err != nil {
		return nil, err
	}
	if to.Before(from) || to.Sub(from) > maxClaimDays*24*time.Hour {
		return nil, fieldError("query.to", "must be on or after from, and at most 400 days later", in.To)
	}
	ch, err := s.checked(ctx, p)
	if err != nil {
		return nil, err
	}
	tab, err := pipeline.ClaimedVsFound(a, ch, truce.PhaseID(in.Phase), from, to)
	if err != nil {
		return nil, err
	}
	return &figuresOut{Body: figuresTable(tab)}, nil
}

// FiguresTable is claimed vs found (claims.Table): the claims made
// against each party beside what truce found, day by day, under each
// reading. Its types are named for the API, apart from the report's.
type FiguresTable struct {
	From     string           `json:"from" doc:"first day, YYYY-MM-DD"`
	To       string           `json:"to" doc:"last day, included"`
	TimeZone string           `json:"time_zone"`
	Readings []FiguresReading `json:"readings" doc:"the readings whose running totals the table keeps, each from its start"`
	Parties  []FiguresParty   `json:"parties" doc:"one per accused party, sorted"`
}

// FiguresReading is one reading of the phase (claims.Reading).
type FiguresReading claims.Reading

// FiguresParty is one accused party's rows (claims.Party).
type FiguresParty struct {
	Accused string          `json:"accused"`
	Days    []FiguresDay    `json:"days"`
	Totals  []FiguresTotals `json:"totals" doc:"per reading, counted from the reading's start"`
}

// FiguresDay is one day of claims against a party and of what truce
// found under each reading (claims.Day).
type FiguresDay struct {
	Day    string             `json:"day" doc:"YYYY-MM-DD in the agreement's time zone"`
	Claims FiguresClaimCounts `json:"claims"`
	Found  []FiguresFound     `json:"found" doc:"one per reading, in the order of readings"`
}

// FiguresClaimCounts counts a day's claims by status (claims.ClaimCounts).
type FiguresClaimCounts claims.ClaimCounts

// FiguresTotals are running or overall sums under one reading
// (claims.Totals).
type FiguresTotals claims.Totals

// FiguresFound is what truce found against a party on a day under one
// reading (claims.FoundCount).
type FiguresFound struct {
	Reading      string        `json:"reading"`
	InForce      bool          `json:"in_force" doc:"the day is on or after the reading's start"`
	Violations   int           `json:"violations"`
	Disputed     int           `json:"disputed"`
	Undetermined int           `json:"undetermined"`
	Running      FiguresTotals `json:"running" doc:"totals from the reading's start through this day; zero before it"`
}

func figuresTable(t claims.Table) FiguresTable {
	out := FiguresTable{From: t.From, To: t.To, TimeZone: t.TimeZone, Readings: make([]FiguresReading, 0, len(t.Readings)),
		Parties: make([]FiguresParty, 0, len(t.Parties))}
	for _, r := range t.Readings {
		out.Readings = append(out.Readings, FiguresReading(r))
	}
	for _, p := range t.Parties {
		fp := FiguresParty{Accused: string(p.Accused), Days: make([]FiguresDay, 0, len(p.Days)), Totals: make([]FiguresTotals, 0, len(p.Totals))}
		for _, tt := range p.Totals {
			fp.Totals = append(fp.Totals, FiguresTotals(tt))
		}
		for _, d := range p.Days {
			fd := FiguresDay{Day: d.Day, Claims: FiguresClaimCounts(d.Claims), Found: make([]FiguresFound, 0, len(d.Found))}
			if fd.Claims.IDs == nil {
				fd.Claims.IDs = []truce.ClaimID{}
			}
			for _, f := range d.Found {
				fd.Found = append(fd.Found, FiguresFound{Reading: f.Reading, InForce: f.InForce, Violations: f.Violations,
					Disputed: f.Disputed, Undetermined: f.Undetermined, Running: FiguresTotals(f.Running)})
			}
			fp.Days = append(fp.Days, fd)
		}
		out.Parties = append(out.Parties, fp)
	}
	return out
}

// checked returns the claims p may read checked against the incidents p
// may read, under the current agreement (pipeline.CheckClaims). Checking
// reads every judged report: it is cached by log size, as summaries are,
// since every write to the record appends to the log.
func (s *Server) checked(ctx context.Context, p truce.Principal) (*pipeline.Checked, error) {
	size, err := s.store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	j, v, err := s.judges.current(ctx)
	if err != nil {
		return nil, err
	}
	a, id, version := &truce.Agreement{}, truce.AgreementID(""), 0
	if j != nil {
		a, id, version = j.Agreement(), v.ID, v.Version
	}
	key := checkedKey{size: size, visible: visibility(p), agreement: id, version: version}
	if ch, ok := s.claimChecks.get(key); ok {
		return ch, nil
	}
	ch, err := pipeline.CheckClaims(ctx, s.store, a, id, version, p)
	if err != nil {
		return nil, err
	}
	s.claimChecks.put(key, ch)
	return ch, nil
}

// checkedKey names one check of the claims: the log size it was made at,
// what the caller may read and the agreement version.
type checkedKey struct {
	size      int64
	visible   string
	agreement truce.AgreementID
	version   int
}

// checkedCache keeps the last few values derived from the whole record
// (the claims checked, the timeline), by log size, audience and agreement
// version: a write grows the log and so retires them.
type checkedCache[V any] struct {
	mu   sync.Mutex
	keys []checkedKey
	m    map[checkedKey]V
}

// maxChecked is how many values are kept: one per audience (the public,
// each party, the staff) at the latest log size, and a few older ones.
const maxChecked = 8

func (c *checkedCache[V]) get(k checkedKey) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *checkedCache[V]) put(k checkedKey, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[checkedKey]V{}
	}
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.keys) >= maxChecked {
		delete(c.m, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.keys = append(c.keys, k)
	c.m[k] = v
}
