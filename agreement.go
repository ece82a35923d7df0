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
	ID    AgreementID
	Title string
	// Titles are Title in other languages.
	Titles  Names
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
	// ClaimReach lists where the record's independent sources report at
	// all, as claims record a site's country ("UA", "UA-occupied",
	// "RU"): a claim about a site elsewhere stays unverified, and says
	// so. Empty means everywhere.
	ClaimReach []string
	// Witnesses is who must cosign the log's checkpoints before one is
	// published as final; nil when the agreement names no witnesses.
	Witnesses *WitnessPolicy
	// Recommitments are the dates on which the parties recommitted to the
	// ceasefire, oldest first: the daily report's running totals count
	// from the latest one on or before its day.
	Recommitments []Recommitment
}

// WitnessPolicy names the witnesses of the record's log and how many of
// them must cosign a checkpoint (C2SP tlog-cosignature) before it is
// final: with witnesses held by different parties, no one of them (the
// operator included) can show one party one history and another party
// another.
type WitnessPolicy struct {
	// Threshold is how many distinct witnesses must cosign, at least 1
	// and at most len(Witnesses).
	Threshold int
	Witnesses []Witness
}

// Witness is one witness of the log: an independent server, run by a
// party, the mediator or an observer, that cosigns a checkpoint only if
// it is consistent with every checkpoint it has cosigned before.
type Witness struct {
	// Name is the witness's key name, the first field of Key.
	Name string
	// Party is who runs it, if a party of the agreement does.
	Party PartyID
	// Key is its cosignature verifier key in the note encoding,
	// "<name>+<hash>+<base64 of 0x04 and the Ed25519 public key>".
	Key string
	// URL is where it answers add-checkpoint requests (C2SP
	// tlog-witness), e.g. "https://witness.example.org/".
	URL string
}

// Recommitment is a day on which the parties recommitted to the ceasefire
// (the SMM counted "since the recommitment of 21 July").
type Recommitment struct {
	// Start is the start of the day in the agreement's time zone, in
	// UTC.
	Start  time.Time
	Source string
	Note   string
}

// AccessCommitment binds parties to give the mission's monitors freedom
// of movement (safe and unimpeded access) while its phase is in force: a
// restriction of access by a bound party, where the commitment applies,
// breaches it.
type AccessCommitment struct {
	ID          CommitmentID
	Description string
	Bound       []PartyID
	// Zones is where the commitment applies; empty: everywhere.
	Zones  []ZoneID
	Source string
}

// Names are a name or a description in languages other than English, by
// language code ("uk", "ru"): the agreement writes them beside the English
// text they translate.
type Names map[string]string

// In returns the text in language lang, else en, the English text.
func (n Names) In(lang, en string) string {
	if s := n[lang]; s != "" {
		return s
	}
	return en
}

// Party is a signatory or a mediator.
type Party struct {
	ID   PartyID
	Name string
	// Names are Name in other languages.
	Names Names
	// Aliases recognise the party in actor fields and report text (e.g.
	// ACLED's "Military Forces of Russia (2000-)", "ЗСУ").
	Aliases []string
	// Attribution phrases attribute an attack to the party when they appear
	// in a report's text (e.g. "РФ атакувала", "Генштаб ЗСУ заявляє про удари").
	Attribution []string
	// Mediator parties are not bound by commitments.
	Mediator bool
	// Voices are the party's officials and bodies as report text names
	// them ("Минобороны", "Генштаб ЗСУ"): a report that quotes one relays
	// the party's own statement, which never corroborates its claims.
	Voices []string
	// Outlets are the sources and outlets the party controls (a report's
	// Source or Outlet); their reports are the party's own voice.
	Outlets []string
}

// Zone is a named area. A point is in the zone when it lies in Region (edges
// included) and in none of the zones listed in Exclude.
type Zone struct {
	ID          ZoneID
	Name        string
	Description string
	// Names and Descriptions are Name and Description in other languages.
	Names, Descriptions Names
	Source              string // the file the geometry came from, or "inline"
	Region              *geo.Region
	Exclude             []ZoneID
	// HeldBy, when set, says the zone is the territory that party holds
	// (on the date of an act, when the zone is Dated): a commitment that
	// protects only the other side's facilities (Commitment.OtherSide)
	// does not prohibit the party's acts there.
	HeldBy PartyID
	// Dated, when not empty, gives the zone's geometry by date, oldest
	// first (the line of contact as it moved). Region is then the last
	// entry's geometry: the one used where no date is given (maps, the
	// sensor grids).
	Dated []DatedRegion
}

// DatedRegion is a zone's geometry from a date on, until the next entry's.
type DatedRegion struct {
	From   time.Time
	Source string // the file the geometry came from
	Region *geo.Region
}

// RegionAt returns the zone's geometry in force at t: for a dated zone the
// last entry whose From is not after t, or the first entry when t is
// before every entry (the earliest line known); Region when the zone is
// not dated or t is zero.
func (z *Zone) RegionAt(t time.Time) *geo.Region {
	if len(z.Dated) == 0 || t.IsZero() {
		return z.Region
	}
	r := z.Dated[0].Region
	for _, d := range z.Dated[1:] {
		if d.From.After(t) {
			break
		}
		r = d.Region
	}
	return r
}

// SourceAt returns the file of the geometry RegionAt(t) returns.
func (z *Zone) SourceAt(t time.Time) string {
	if len(z.Dated) == 0 || t.IsZero() {
		return z.Source
	}
	s := z.Dated[0].Source
	for _, d := range z.Dated[1:] {
		if d.From.After(t) {
			break
		}
		s = d.Source
	}
	return s
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
	// Names are Name in other languages.
	Names Names
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
	// Names and Descriptions are Name and Description in other languages.
	Names, Descriptions Names
	Start               StartRule
	Duration            time.Duration // 0: no fixed duration
	End                 *time.Time    // exclusive end instant; nil: none
	// Readings are the parties' differing readings of the phase's
	// parameters. Parties not named in any reading hold the phase's own
	// parameters (the "common" reading).
	Readings    []Reading
	Commitments []Commitment
	// Territory says which zones the common reading counts as each
	// party's territory (a place in any of them); a reading's own Territory overrides it party by party.
	// Empty: the agreement draws no territory (commitments use their zones).
	Territory map[PartyID][]ZoneID
	// Releases are the phase's reciprocity clauses, those written on one
	// of its commitments included (with From naming that commitment).
	Releases []Release
	// Access are the phase's commitments to give monitors access.
	Access []AccessCommitment
}

// ReleaseStart says from when a release takes effect.
type ReleaseStart string

// Release starts.
const (
	// ReleaseAtBreach: from the releasing breach (plus the delay).
	ReleaseAtBreach ReleaseStart = "breach"
	// ReleaseAtNotice: from the released party's notice, its first
	// position on the phase at or after the breach whose stance is
	// withdrawn or rejected (plus the delay).
	ReleaseAtNotice ReleaseStart = "notice"
)

// ReleaseBasis says which breaches a release rests on.
type ReleaseBasis string

// Release bases.
const (
	// ReleaseOnVerified: only a breach in an incident a monitor verified.
	ReleaseOnVerified ReleaseBasis = "verified"
	// ReleaseOnViolation: any violation verdict, verified or not.
	ReleaseOnViolation ReleaseBasis = "violation"
)

// Release is a reciprocity clause: a breach of one of the commitments Of
// by a party of By releases the parties Released from the commitments
// From, under the readings Readings, from the breach, or the released
// party's notice, plus Delay. The 2025 moratorium's text is the Kremlin's
// of 25 March (KR-0325): if one side breaches, "the other party has the
// right to consider itself free".
type Release struct {
	Released []PartyID
	From     []CommitmentID
	By       []PartyID
	Of       []CommitmentID
	Starts   ReleaseStart
	Delay    time.Duration
	// Readings names the readings the clause applies under, by a party
	// holding each; empty: every reading.
	Readings []PartyID
	RestsOn  ReleaseBasis
	Source   string
	Note     string
}

// Reading is one party group's reading of a phase's disputed parameters.
type Reading struct {
	Parties []PartyID
	Start   *time.Time // overrides the phase's start instant
	End     *time.Time // overrides the phase's end instant
	// Zones substitutes zones in this reading, e.g. {russia: russia_incl_crimea}.
	Zones map[ZoneID]ZoneID
	// Territory overrides, party by party, which zone the phase's
	// Territory counts as a party's under this reading (e.g. Russia's
	// reading: Russia, Crimea and what it holds of the four oblasts it
	// claims; Ukraine's: its 1991 borders).
	Territory map[PartyID][]ZoneID
	Note      string
	Source    string
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
	// OtherSide says the commitment protects only the other side's
	// facilities (the labelling policy, rule 5): a bound party's act on
	// a place it holds on the act's date (a zone HeldBy it) is not
	// prohibited, and where a reading draws territory, nor is its act on
	// a place that reading counts as no other party's.
	OtherSide bool
}

// Exception carves acts out of a commitment. An act matches the exception
// when it matches every non-empty field.
type Exception struct {
	Description string
	Categories  []CategoryID
	Zones       []ZoneID
	Actions     []Action
}

// Releases reports whether rl releases party p from commitment c.
func (rl *Release) Releases(p PartyID, c CommitmentID) bool {
	return slices.Contains(rl.Released, p) && slices.Contains(rl.From, c)
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
	return a.inZone(id, p, subst, time.Time{}, 0)
}

// InZoneAt is InZone with the geometry of dated zones as it was at t (see
// Zone.RegionAt); a zero t uses each zone's Region.
func (a *Agreement) InZoneAt(id ZoneID, p geo.Point, subst map[ZoneID]ZoneID, t time.Time) bool {
	return a.inZone(id, p, subst, t, 0)
}

func (a *Agreement) inZone(id ZoneID, p geo.Point, subst map[ZoneID]ZoneID, t time.Time, depth int) bool {
	if s, ok := subst[id]; ok && depth == 0 {
		id = s
	}
	z, ok := a.Zone(id)
	if !ok || depth > 8 {
		return false
	}
	if r := z.RegionAt(t); r == nil || !r.Contains(p) {
		return false
	}
	for _, ex := range z.Exclude {
		if a.inZone(ex, p, nil, t, depth+1) {
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
