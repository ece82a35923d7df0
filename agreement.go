package truce

import (
	"slices"
	"strings"
	"time"

	"truce/internal/geo"
)

// AgreementID identifies an agreement; versions of one agreement share it.
type AgreementID string

// PartyID identifies a party, e.g. "RU", "UA", "US".
type PartyID string

// ZoneID identifies a named area of an agreement.
type ZoneID string

// CategoryID is a dotted path in the target taxonomy, e.g. "energy.power_plant".
// A category covers itself and every category below it.
type CategoryID string

// PhaseID identifies a phase of an agreement.
type PhaseID string

// CommitmentID identifies a commitment; it is unique across the agreement.
type CommitmentID string

// ObligationID identifies an obligation of an agreement.
type ObligationID string

// CategoryAny is the pseudo-category that covers every target.
const CategoryAny CategoryID = "*"

// Covers reports whether c is other or an ancestor of other in the taxonomy.
// CategoryAny covers every category.
func (c CategoryID) Covers(other CategoryID) bool {
	if c == CategoryAny || c == other {
		return true
	}
	return strings.HasPrefix(string(other), string(c)+".")
}

// Agreement is an agreement written as code. It is the parsed, validated and
// resolved form of an agreement file: zone geometry is loaded and prepared,
// and every reference between its parts is known to resolve.
type Agreement struct {
	ID      AgreementID
	Title   string
	Version string
	// Timezone interprets dates written without a time, in the agreement and
	// in day-precision reports judged against it.
	Timezone *time.Location
	// SiteRadiusMeters is how far from a protected site a report may lie and
	// still be taken as a report about that site (before widening by the
	// report's own location precision).
	SiteRadiusMeters float64
	Sources          []string

	Parties     []Party
	Zones       []*Zone
	Categories  []Category
	SiteRules   []SiteRule
	Phases      []Phase
	Obligations []Obligation
	Positions   []Position
	// Places is the agreement's gazetteer: the places whose names report
	// text may use, so that a place a text names can be resolved to a
	// point. Empty when the agreement names no places file.
	Places []Place
}

// Party is a signatory or a mediator.
type Party struct {
	ID   PartyID
	Name string
	// Aliases recognise the party in actor fields and report text (e.g.
	// ACLED's "Military Forces of Russia (2000-)", "ЗСУ").
	Aliases []string
	// Attribution phrases attribute an attack to the party when they appear
	// in a report's text (e.g. "РФ атакувала", "Генштаб ЗСУ заявляє про удари").
	Attribution []string
	// Mediator parties are not bound by commitments.
	Mediator bool
}

// Zone is a named area. A point is in the zone when it lies in Region (edges
// included) and in none of the zones listed in Exclude.
type Zone struct {
	ID          ZoneID
	Name        string
	Description string
	Source      string // the file the geometry came from, or "inline"
	Region      *geo.Region
	Exclude     []ZoneID
}

// Place is one entry of an agreement's gazetteer: a named place with a
// representative point and an extent.
type Place struct {
	ID string
	// Kind is one of the PlaceKind constants (e.g. "oblast", "city").
	Kind string
	// Location is a point inside the place: a city's centre, a site's
	// position, a point inside a region.
	Location geo.Point
	// RadiusMeters is how far the place reaches from Location: every part
	// of it lies within this distance. 0 means the extent is not given.
	RadiusMeters float64
	// Names are the phrases that name the place in report text, in the
	// agreement's keyword syntax (whole words, case-insensitive, a
	// trailing "*" matches any ending), in any of the report languages.
	Names []string
}

// The kinds of place a gazetteer may hold.
const (
	PlaceKindOblast  = "oblast"  // a first-level unit of Ukraine (oblast, Crimea)
	PlaceKindCity    = "city"    // a city, town or village
	PlaceKindRegion  = "region"  // a first-level unit of another country (a Russian oblast, krai, republic)
	PlaceKindSite    = "site"    // a facility, e.g. a power plant
	PlaceKindCountry = "country" // a country
	PlaceKindArea    = "area"    // any other named area (a sea, a front sector)
)

// PlaceKinds lists every place kind.
func PlaceKinds() []string {
	return []string{PlaceKindOblast, PlaceKindCity, PlaceKindRegion, PlaceKindSite, PlaceKindCountry, PlaceKindArea}
}

// Category is one node of the target taxonomy.
type Category struct {
	ID   CategoryID
	Name string
	// Keywords recognise the category in report text, per language code
	// ("en", "uk", "ru"). See the agreement format for the matching rule.
	Keywords map[string][]string
}

// SiteRule maps a site attribute value (e.g. GPPD primary_fuel "Nuclear") to
// a target category.
type SiteRule struct {
	Attribute string
	Values    map[string]CategoryID
}

// StartKind says how a phase begins.
type StartKind uint8

// Start kinds.
const (
	StartFixed     StartKind = iota + 1 // at a fixed instant
	StartAllAccept                      // when every listed party has accepted
	StartAfterHeld                      // N days after another phase began and held
)

// String returns the agreement-file spelling of k.
func (k StartKind) String() string {
	switch k {
	case StartFixed:
		return "fixed"
	case StartAllAccept:
		return "all_accept"
	case StartAfterHeld:
		return "after_held"
	}
	return "unknown"
}

// StartRule says when a phase enters into force.
type StartRule struct {
	Kind    StartKind
	At      time.Time // StartFixed
	Parties []PartyID // StartAllAccept
	After   PhaseID   // StartAfterHeld
	Days    int       // StartAfterHeld
}

// Phase is one stage of an agreement with its own start rule, duration and
// commitments.
type Phase struct {
	ID          PhaseID
	Name        string
	Description string
	Start       StartRule
	Duration    time.Duration // 0: no fixed duration
	End         *time.Time    // exclusive end instant; nil: none
	// Readings are the parties' differing readings of the phase's
	// parameters. Parties not named in any reading hold the phase's own
	// parameters (the "common" reading).
	Readings    []Reading
	Commitments []Commitment
}

// Reading is one party group's reading of a phase's disputed parameters.
type Reading struct {
	Parties []PartyID
	Start   *time.Time // overrides the phase's start instant
	End     *time.Time // overrides the phase's end instant
	// Zones substitutes zones in this reading, e.g. {russia: russia_incl_crimea}.
	Zones  map[ZoneID]ZoneID
	Note   string
	Source string
}

// Action is a kind of act a commitment can prohibit. Actions form a small
// fixed hierarchy: attack covers every other action, strike covers the
// remote strikes.
type Action string

// The actions truce recognises.
const (
	ActionAttack        Action = "attack"
	ActionStrike        Action = "strike"
	ActionAirStrike     Action = "air_strike"
	ActionDroneAttack   Action = "drone_attack"
	ActionMissileAttack Action = "missile_attack"
	ActionShelling      Action = "shelling"
	ActionNavalAttack   Action = "naval_attack"
	ActionGroundAttack  Action = "ground_attack"
	ActionSabotage      Action = "sabotage"
	ActionSeizure       Action = "seizure"
)

var actionParent = map[Action]Action{
	ActionStrike:        ActionAttack,
	ActionAirStrike:     ActionStrike,
	ActionDroneAttack:   ActionStrike,
	ActionMissileAttack: ActionStrike,
	ActionShelling:      ActionStrike,
	ActionNavalAttack:   ActionAttack,
	ActionGroundAttack:  ActionAttack,
	ActionSabotage:      ActionAttack,
	ActionSeizure:       ActionAttack,
}

// Actions lists every known action, parents before children.
func Actions() []Action {
	return []Action{ActionAttack, ActionStrike, ActionAirStrike, ActionDroneAttack, ActionMissileAttack,
		ActionShelling, ActionNavalAttack, ActionGroundAttack, ActionSabotage, ActionSeizure}
}

// Known reports whether a is one of the actions truce recognises.
func (a Action) Known() bool {
	return a == ActionAttack || actionParent[a] != ""
}

// Covers reports whether a is b or an ancestor of b.
func (a Action) Covers(b Action) bool {
	for x := b; x != ""; x = actionParent[x] {
		if x == a {
			return true
		}
	}
	return false
}

// Commitment is a prohibition binding some parties: they shall not perform
// Actions against targets of Categories in Zones, except as Exceptions say.
type Commitment struct {
	ID          CommitmentID
	Description string
	Bound       []PartyID
	Actions     []Action
	Categories  []CategoryID // may hold CategoryAny
	Zones       []ZoneID
	Exceptions  []Exception
	// UnstatedKindCovered says that a report naming a broader category
	// than the covered ones (the kind not stated: "energy infrastructure")
	// names a covered target. When false, such a report is undetermined.
	UnstatedKindCovered bool
	// UnclearTargets are categories whose coverage the parties may
	// dispute: a report naming one is undetermined, not prohibited.
	UnclearTargets []CategoryID
}

// Exception carves acts out of a commitment. An act matches the exception
// when it matches every non-empty field.
type Exception struct {
	Description string
	Categories  []CategoryID
	Zones       []ZoneID
	Actions     []Action
}

// Binds reports whether p is bound by c.
func (c *Commitment) Binds(p PartyID) bool { return slices.Contains(c.Bound, p) }

// Stance is a party's position on a phase.
type Stance string

// Stances, in the words of the agreement format.
const (
	StanceProposed            Stance = "proposed"
	StanceAccepted            Stance = "accepted"
	StanceAcceptedInPrinciple Stance = "accepted_in_principle"
	StanceConditional         Stance = "conditional"
	StanceRejected            Stance = "rejected"
	StanceWithdrawn           Stance = "withdrawn"
)

// Known reports whether s is one of the defined stances.
func (s Stance) Known() bool {
	switch s {
	case StanceProposed, StanceAccepted, StanceAcceptedInPrinciple, StanceConditional, StanceRejected, StanceWithdrawn:
		return true
	}
	return false
}

// Position is a party's stated stance on a phase at a date.
type Position struct {
	Party      PartyID
	Phase      PhaseID
	At         time.Time
	Stance     Stance
	Conditions []string
	Source     string
	Note       string
}

// ObligationStatus is where an obligation stands.
type ObligationStatus string

// Obligation statuses.
const (
	ObligationPending   ObligationStatus = "pending"
	ObligationFulfilled ObligationStatus = "fulfilled"
	ObligationPartial   ObligationStatus = "partially_fulfilled"
	ObligationBreached  ObligationStatus = "breached"
)

// Known reports whether s is a defined obligation status.
func (s ObligationStatus) Known() bool {
	switch s {
	case ObligationPending, ObligationFulfilled, ObligationPartial, ObligationBreached:
		return true
	}
	return false
}

// Obligation is something parties must do (e.g. a prisoner exchange).
type Obligation struct {
	ID          ObligationID
	Description string
	Due         time.Time
	Status      ObligationStatus
	Items       []ObligationItem
	Source      string
	Note        string
}

// ObligationItem is one party's part of an obligation, with a count.
type ObligationItem struct {
	Party     PartyID
	What      string
	Count     int
	Delivered int
}

// Party returns the party with the given id.
func (a *Agreement) Party(id PartyID) (*Party, bool) {
	for i := range a.Parties {
		if a.Parties[i].ID == id {
			return &a.Parties[i], true
		}
	}
	return nil, false
}

// Zone returns the zone with the given id.
func (a *Agreement) Zone(id ZoneID) (*Zone, bool) {
	for _, z := range a.Zones {
		if z.ID == id {
			return z, true
		}
	}
	return nil, false
}

// Phase returns the phase with the given id.
func (a *Agreement) Phase(id PhaseID) (*Phase, bool) {
	for i := range a.Phases {
		if a.Phases[i].ID == id {
			return &a.Phases[i], true
		}
	}
	return nil, false
}

// Category returns the taxonomy node with the given id.
func (a *Agreement) Category(id CategoryID) (*Category, bool) {
	for i := range a.Categories {
		if a.Categories[i].ID == id {
			return &a.Categories[i], true
		}
	}
	return nil, false
}

// InZone reports whether p lies in zone id, honouring the zone's exclusions
// and the zone substitutions subst of a reading (nil for none).
func (a *Agreement) InZone(id ZoneID, p geo.Point, subst map[ZoneID]ZoneID) bool {
	return a.inZone(id, p, subst, 0)
}

func (a *Agreement) inZone(id ZoneID, p geo.Point, subst map[ZoneID]ZoneID, depth int) bool {
	if s, ok := subst[id]; ok && depth == 0 {
		id = s
	}
	z, ok := a.Zone(id)
	if !ok || z.Region == nil || depth > 8 {
		return false
	}
	if !z.Region.Contains(p) {
		return false
	}
	for _, ex := range z.Exclude {
		if a.inZone(ex, p, nil, depth+1) {
			return false
		}
	}
	return true
}

// SiteCategory returns the category of a site under a's site rules: the
// site's explicit category if set, else the first rule whose attribute value
// matches (case-insensitively), else "".
func (a *Agreement) SiteCategory(s *Site) CategoryID {
	if s.Category != "" {
		return s.Category
	}
	for _, r := range a.SiteRules {
		v, ok := s.Attrs[r.Attribute]
		if !ok {
			continue
		}
		for k, c := range r.Values {
			if strings.EqualFold(strings.TrimSpace(v), k) {
				return c
			}
		}
	}
	return ""
}
