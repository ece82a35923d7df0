package truce

import (
	"context"
	"time"

	"truce/internal/geo"
)

// ClaimID identifies a party's claim, e.g. "RU-001" in the bundled
// compilation, or an id the API assigns to a filed claim.
type ClaimID string

// TallyID identifies a tally: a party's stated count of breaches.
type TallyID string

// PlaceBasis says how a claim's position was established, from the most
// to the least precise.
type PlaceBasis string

// Ways a claim is placed.
const (
	// PlacedByCoordinates: the claim (or its compiler) gave coordinates,
	// usually a settlement's centre, not the facility's position.
	PlacedByCoordinates PlaceBasis = "coordinates"
	// PlacedBySite: the named facility is a protected site of the record
	// (matched by name), placed where the site is.
	PlacedBySite PlaceBasis = "site"
	// PlacedBySettlement: the named settlement is in the agreement's
	// gazetteer.
	PlacedBySettlement PlaceBasis = "settlement"
	// PlacedByRegion: only the region could be placed (its centre).
	PlacedByRegion PlaceBasis = "region"
	// NotPlaced: nothing named could be placed.
	NotPlaced PlaceBasis = ""
)

// Claim is one itemised accusation a party made: that the accused struck a
// facility or a place. It records what the claimant said, not that the
// strike happened: a claim is checked against independent evidence (see
// ClaimStatus), never believed.
type Claim struct {
	ID       ClaimID
	Claimant PartyID
	// Body is who spoke for the claimant (a ministry, a regional
	// official, a company).
	Body    string
	Accused PartyID
	// Stated is the day of the statement (midnight UTC of that date).
	Stated time.Time
	// EventStart and EventEnd bound the claimed event, [start, end) in
	// UTC; both zero when the claim gave no date.
	EventStart, EventEnd time.Time

	Facility     string // as named
	FacilityKind string // from the fixed list of docs/claims-format.md
	Settlement   string
	Region       string
	// SiteCountry is where the facility lies as the compiler recorded
	// it: "RU", "UA-occupied" or "UA".
	SiteCountry string

	// Location is where the claim is placed, with its basis and the
	// radius within which the claimed facility lies; zero with NotPlaced.
	Location                geo.Point
	LocationPrecisionMeters float64
	PlacedBy                PlaceBasis
	// Site is the protected site the facility was matched to, if any.
	Site SiteID

	Weapon       string
	Consequences string // the claimant's own figures, as stated
	SourceTitle  string
	SourceURL    string
	// Confidence is how faithfully the record reports the claim (high,
	// medium, low), not whether the strike happened.
	Confidence string
	Note       string

	// Published claims are readable by observers and the public; a
	// claim a party files is its own until a monitor publishes it.
	Published bool
	// File and Line locate the record the claim was imported from.
	File string
	Line int
}

// Tally is a party's stated count of the other side's breaches over a
// period, copied as stated ("more than 30", "101", "several hundred").
type Tally struct {
	ID          TallyID
	Claimant    PartyID
	Speaker     string
	Stated      time.Time // the day of the statement, midnight UTC
	Period      string    // the period it covers, as stated
	Count       string    // as stated
	Wording     string
	SourceTitle string
	SourceURL   string
	Published   bool
	File        string
	Line        int
}

// ClaimStatus is what independent evidence says of a claim.
type ClaimStatus string

// Claim statuses.
const (
	// ClaimCorroborated: an independent source reports the same event.
	ClaimCorroborated ClaimStatus = "corroborated"
	// ClaimContradicted: independent evidence says otherwise (another
	// actor, or a sensor that saw nothing at a point-precise site).
	ClaimContradicted ClaimStatus = "contradicted"
	// ClaimJudged: the claimed event was adjudicated; its verdict and
	// explanation carry over.
	ClaimJudged ClaimStatus = "judged"
	// ClaimUnverified: no independent evidence either way. Absence of
	// evidence is not contradiction.
	ClaimUnverified ClaimStatus = "unverified"
)

// MatchDecision is a monitor's decision on a proposed match between a
// claim and an incident.
type MatchDecision string

// Match decisions.
const (
	MatchConfirmed MatchDecision = "confirmed"
	MatchRejected  MatchDecision = "rejected"
)

// ClaimMatch is a monitor's decision that a claim is, or is not, the same
// event as an incident. Proposed matches are computed, not stored; only
// decisions are stored and logged.
type ClaimMatch struct {
	Claim    ClaimID
	Incident IncidentID
	Decision MatchDecision
	Note     string
	By       Principal
	At       time.Time
}

// ClaimFilter selects stored claims and tallies. Zero fields do not
// filter.
type ClaimFilter struct {
	Claimant PartyID
	Accused  PartyID
	// Visible keeps only what this principal may read: published claims,
	// and a party's own unpublished ones.
	Visible *Principal
}

// ClaimStore keeps the parties' claims and tallies and the monitors'
// match decisions, each logged with its write.
type ClaimStore interface {
	// PutClaims stores the claims whose ids are not stored yet, in one
	// transaction, and returns how many were new; a different claim under
	// a stored id is ECONFLICT. EINVALID if a claim fails Validate.
	PutClaims(ctx context.Context, by Principal, cs []*Claim) (added int, err error)
	// Claim returns the claim with the given id. ENOTFOUND if absent.
	Claim(ctx context.Context, id ClaimID) (*Claim, error)
	// Claims calls fn for every claim matching f, ordered by statement
	// date then id, stopping at fn's first error.
	Claims(ctx context.Context, f ClaimFilter, fn func(*Claim) error) error
	// PublishClaim makes a claim readable by everyone. ENOTFOUND if absent.
	PublishClaim(ctx context.Context, by Principal, id ClaimID) error
	// PutTallies stores the tallies whose ids are not stored yet.
	PutTallies(ctx context.Context, by Principal, ts []*Tally) (added int, err error)
	// Tallies returns the tallies matching f, ordered by statement date
	// then id.
	Tallies(ctx context.Context, f ClaimFilter) ([]Tally, error)
	// DecideMatch records a monitor's decision on a claim and an
	// incident; a later decision on the same pair replaces it.
	// ENOTFOUND if either is absent.
	DecideMatch(ctx context.Context, m ClaimMatch) error
	// ClaimMatches returns the decisions on claim id, or on every claim
	// when id is "", ordered by claim then incident.
	ClaimMatches(ctx context.Context, id ClaimID) ([]ClaimMatch, error)
}

// Normalize puts c's numbers in the one form the stores and the log keep
// (see Report.Normalize); every path by which claims enter MUST call it.
func (c *Claim) Normalize() {
	c.Location.Lon = normalFloat(c.Location.Lon)
	c.Location.Lat = normalFloat(c.Location.Lat)
	c.LocationPrecisionMeters = normalFloat(c.LocationPrecisionMeters)
}

// Validate checks the invariants every stored claim must hold.
func (c *Claim) Validate() error {
	switch {
	case c.ID == "":
		return Errorf(EINVALID, "claim: id required")
	case c.Claimant == "" || c.Accused == "":
		return Errorf(EINVALID, "claim %s: claimant and accused required", c.ID)
	case c.Claimant == c.Accused:
		return Errorf(EINVALID, "claim %s: a party does not accuse itself (%s)", c.ID, c.Claimant)
	case c.Stated.IsZero() || c.Stated.Year() < 1900 || c.Stated.Year() > 2200:
		return Errorf(EINVALID, "claim %s: statement date required", c.ID)
	case c.EventStart.IsZero() != c.EventEnd.IsZero():
		return Errorf(EINVALID, "claim %s: an event date needs both its start and its end", c.ID)
	case !c.EventStart.IsZero() && !c.EventEnd.After(c.EventStart):
		return Errorf(EINVALID, "claim %s: event end %s must be after its start %s", c.ID, c.EventEnd.Format(time.RFC3339), c.EventStart.Format(time.RFC3339))
	case c.PlacedBy != NotPlaced && !c.Location.Valid():
		return Errorf(EINVALID, "claim %s: location %v out of range", c.ID, c.Location)
	case c.PlacedBy == NotPlaced && c.Location != (geo.Point{}):
		return Errorf(EINVALID, "claim %s: a location without the basis it was placed on", c.ID)
	case !(c.LocationPrecisionMeters >= 0 && c.LocationPrecisionMeters <= 2_000_000):
		return Errorf(EINVALID, "claim %s: location precision %g m out of range", c.ID, c.LocationPrecisionMeters)
	}
	switch c.PlacedBy {
	case NotPlaced, PlacedByCoordinates, PlacedBySite, PlacedBySettlement, PlacedByRegion:
	default:
		return Errorf(EINVALID, "claim %s: unknown placement basis %q", c.ID, c.PlacedBy)
	}
	if err := checkNormal(c.Location.Lon, c.Location.Lat, c.LocationPrecisionMeters); err != nil {
		return Errorf(EINVALID, "claim %s: %v", c.ID, err)
	}
	for _, f := range []struct{ name, v string }{
		{"id", string(c.ID)}, {"claimant", string(c.Claimant)}, {"body", c.Body}, {"accused", string(c.Accused)},
		{"facility", c.Facility}, {"facility_kind", c.FacilityKind}, {"settlement", c.Settlement}, {"region", c.Region},
		{"country_of_site", c.SiteCountry}, {"site", string(c.Site)}, {"weapon", c.Weapon}, {"consequences", c.Consequences},
		{"source_title", c.SourceTitle}, {"source_url", c.SourceURL}, {"confidence", c.Confidence}, {"note", c.Note}, {"file", c.File},
	} {
		if err := checkText(f.v); err != nil {
			return Errorf(EINVALID, "claim %s: %s %v", c.ID, f.name, err)
		}
	}
	return nil
}

// Validate checks the invariants every stored tally must hold.
func (t *Tally) Validate() error {
	switch {
	case t.ID == "":
		return Errorf(EINVALID, "tally: id required")
	case t.Claimant == "":
		return Errorf(EINVALID, "tally %s: claimant required", t.ID)
	case t.Stated.IsZero() || t.Stated.Year() < 1900 || t.Stated.Year() > 2200:
		return Errorf(EINVALID, "tally %s: statement date required", t.ID)
	case t.Count == "":
		return Errorf(EINVALID, "tally %s: count required (as stated)", t.ID)
	}
	for _, f := range []struct{ name, v string }{
		{"id", string(t.ID)}, {"claimant", string(t.Claimant)}, {"speaker", t.Speaker}, {"period", t.Period},
		{"count", t.Count}, {"wording", t.Wording}, {"source_title", t.SourceTitle}, {"source_url", t.SourceURL}, {"file", t.File},
	} {
		if err := checkText(f.v); err != nil {
			return Errorf(EINVALID, "tally %s: %s %v", t.ID, f.name, err)
		}
	}
	return nil
}

// Validate checks a match decision before it is stored.
func (m *ClaimMatch) Validate() error {
	switch {
	case m.Claim == "" || m.Incident == "":
		return Errorf(EINVALID, "match: claim and incident required")
	case m.Decision != MatchConfirmed && m.Decision != MatchRejected:
		return Errorf(EINVALID, "match %s ~ %s: decision must be %q or %q, not %q", m.Claim, m.Incident, MatchConfirmed, MatchRejected, m.Decision)
	}
	return checkText(m.Note)
}

// CanReadClaim reports whether p may read a claim of claimant that is
// published or not: everyone reads published claims; a party reads its
// own unpublished ones; monitors and admins read all.
func CanReadClaim(p Principal, claimant PartyID, published bool) bool {
	switch {
	case published:
		return true
	case p.Role == RoleMonitor || p.Role == RoleAdmin:
		return true
	case p.Role == RoleParty:
		return p.Party == claimant
	}
	return false
}
