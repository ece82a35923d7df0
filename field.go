package truce

import (
	"context"
	"time"

	"truce/internal/geo"
)

// Field monitoring (issue 19): what the mission's own monitors record, as
// the OSCE Special Monitoring Mission to Ukraine and CTSAMVM in South
// Sudan kept it. An observation is something monitors saw or heard
// themselves; an access restriction is a place or a time where they were
// refused, delayed or let through only on conditions. Neither is an
// allegation: both are the mission's own record.

// ObservationID identifies a monitors' observation.
type ObservationID string

// RestrictionID identifies a restriction of the monitors' access.
type RestrictionID string

// ObservedKind is what monitors observed, in the SMM's categories of
// ceasefire violations.
type ObservedKind string

// Observed kinds.
const (
	ObservedExplosion    ObservedKind = "explosion"
	ObservedProjectile   ObservedKind = "projectile"   // projectiles in flight
	ObservedMuzzleFlash  ObservedKind = "muzzle_flash" // muzzle flashes
	ObservedIllumination ObservedKind = "illumination" // illumination flares
	ObservedBurst        ObservedKind = "burst"        // bursts and shots of small arms or heavy machine guns
)

// ObservedKinds lists every kind, in the order reports show them.
var ObservedKinds = []ObservedKind{ObservedExplosion, ObservedProjectile, ObservedMuzzleFlash, ObservedIllumination, ObservedBurst}

// ExplosionKind says how monitors assessed an explosion.
type ExplosionKind string

// Explosion kinds; "" for an observation that is not an explosion.
const (
	ExplosionImpact       ExplosionKind = "impact"
	ExplosionAirburst     ExplosionKind = "airburst"
	ExplosionOutgoing     ExplosionKind = "outgoing"
	ExplosionUndetermined ExplosionKind = "undetermined"
)

// ExplosionKinds lists every explosion kind, in the order reports show
// them.
var ExplosionKinds = []ExplosionKind{ExplosionImpact, ExplosionAirburst, ExplosionOutgoing, ExplosionUndetermined}

// ObservationMeans is how monitors observed.
type ObservationMeans string

// Means of observation.
const (
	MeansPatrol ObservationMeans = "patrol" // monitors on the ground
	MeansCamera ObservationMeans = "camera" // the mission's fixed cameras
	MeansUAV    ObservationMeans = "uav"    // the mission's drones
)

// Sensed says whether monitors saw, heard, or saw and heard what they
// recorded.
type Sensed string

// Senses.
const (
	SensedSeen  Sensed = "seen"
	SensedHeard Sensed = "heard"
	SensedBoth  Sensed = "seen_heard"
)

// compassPoints are the directions an observation may give, as the SMM
// wrote them ("3-5 km south-east").
var compassPoints = map[string]bool{"N": true, "NNE": true, "NE": true, "ENE": true, "E": true, "ESE": true, "SE": true,
	"SSE": true, "S": true, "SSW": true, "SW": true, "WSW": true, "W": true, "WNW": true, "NW": true, "NNW": true}

// Observation is one record of ceasefire violations that monitors saw or
// heard themselves: from where (the observer's position), towards where
// (a compass direction and a distance band), what (the kind, with the
// explosion's assessment, and how many), with which weapon, over which
// time window and by which means.
type Observation struct {
	ID      ObservationID
	Monitor string // the patrol, camera or team that observed
	Means   ObservationMeans
	Sensed  Sensed
	// Start and End are the time window, [start, end) in UTC; a single
	// sighting has End == Start.
	Start, End time.Time
	// Position is where the monitors were, not where the event was.
	Position geo.Point
	// Area is the place the daily report counts it under (a settlement
	// or a sector), as the monitors named it.
	Area string
	// Region is the first-level administrative unit (an oblast), as
	// the monitors named it; "" when not given.
	Region string
	// Direction is a compass point (N, NNE, ... NNW), "" when not given.
	Direction string
	// DistanceMinMeters and DistanceMaxMeters are the distance band from
	// the observer; both 0 when not assessed.
	DistanceMinMeters, DistanceMaxMeters float64
	Kind                                 ObservedKind
	Explosion                            ExplosionKind // only for explosions
	Count                                int           // at least 1
	Weapon                               string        // as seen or assessed ("120mm mortar"), "" if none
	// Party is the side the monitors attribute it to, "" when they do
	// not (the SMM rarely did). A party reads the unpublished
	// observations attributed to it.
	Party     PartyID
	Note      string
	Published bool
	// File and Line locate the record it was imported from.
	File string
	Line int
}

// RestrictionKind is how the monitors' freedom of movement was
// restricted.
type RestrictionKind string

// Kinds of restriction.
const (
	RestrictionDenial      RestrictionKind = "denial"      // access refused
	RestrictionDelay       RestrictionKind = "delay"       // let through after a wait
	RestrictionConditional RestrictionKind = "conditional" // let through on conditions (an escort, a search, a shorter route)
)

// AccessRestriction is one restriction of the monitors' freedom of
// movement: when and where, how long, how large the patrol was, the
// reason given and the side responsible.
type AccessRestriction struct {
	ID       RestrictionID
	Kind     RestrictionKind
	Start    time.Time // when the patrol was stopped, UTC
	Duration time.Duration
	Location geo.Point
	Area     string
	Region   string           // the first-level administrative unit, as named
	Means    ObservationMeans // a patrol, or a UAV that was jammed or shot at
	// PatrolSize is the number of monitors (0 when not recorded).
	PatrolSize int
	Reason     string  // the reason given, as given
	Party      PartyID // the side responsible, "" when unknown
	Note       string
	Published  bool
	File       string
	Line       int
}

// FieldFilter selects stored observations and restrictions. Zero fields
// do not filter.
type FieldFilter struct {
	Since, Until *time.Time // Start in [Since, Until)
	Party        PartyID
	// Visible keeps only what this principal may read (CanReadField).
	Visible *Principal
}

// FieldStore keeps the monitors' observations and the restrictions of
// their access, each logged with its write.
type FieldStore interface {
	// PutObservations stores the observations whose ids are not stored
	// yet, in one transaction, and returns how many were new; a different
	// observation under a stored id is ECONFLICT. EINVALID if one fails
	// Validate.
	PutObservations(ctx context.Context, by Principal, os []*Observation) (added int, err error)
	// Observation returns one observation. ENOTFOUND if absent.
	Observation(ctx context.Context, id ObservationID) (*Observation, error)
	// Observations calls fn for every observation matching f, ordered by
	// start time then id, stopping at fn's first error.
	Observations(ctx context.Context, f FieldFilter, fn func(*Observation) error) error
	// PublishObservation makes an observation readable by everyone.
	// ENOTFOUND if absent.
	PublishObservation(ctx context.Context, by Principal, id ObservationID) error
	// PutRestrictions stores the restrictions whose ids are not stored
	// yet, as PutObservations does.
	PutRestrictions(ctx context.Context, by Principal, rs []*AccessRestriction) (added int, err error)
	// Restriction returns one restriction. ENOTFOUND if absent.
	Restriction(ctx context.Context, id RestrictionID) (*AccessRestriction, error)
	// Restrictions calls fn for every restriction matching f, ordered by
	// start time then id, stopping at fn's first error.
	Restrictions(ctx context.Context, f FieldFilter, fn func(*AccessRestriction) error) error
	// PublishRestriction makes a restriction readable by everyone.
	// ENOTFOUND if absent.
	PublishRestriction(ctx context.Context, by Principal, id RestrictionID) error
}

// CanReadField reports whether p may read an observation or restriction
// attributed to party, published or not: everyone reads published ones;
// monitors and admins read all; a party reads the unpublished ones
// attributed to it (so that it can answer them).
func CanReadField(p Principal, party PartyID, published bool) bool {
	switch {
	case published:
		return true
	case p.Role == RoleMonitor || p.Role == RoleAdmin:
		return true
	case p.Role == RoleParty:
		return party != "" && p.Party == party
	}
	return false
}

// Matches reports whether f selects a record of party starting at start
// (its visibility aside).
func (f FieldFilter) Matches(party PartyID, start time.Time) bool {
	switch {
	case f.Party != "" && party != f.Party:
		return false
	case f.Since != nil && start.Before(*f.Since):
		return false
	case f.Until != nil && !start.Before(*f.Until):
		return false
	}
	return true
}

// Normalize puts o's numbers in the one form the stores and the log keep
// (see Report.Normalize); every path by which observations enter MUST
// call it.
func (o *Observation) Normalize() {
	o.Position.Lon, o.Position.Lat = normalFloat(o.Position.Lon), normalFloat(o.Position.Lat)
	o.DistanceMinMeters, o.DistanceMaxMeters = normalFloat(o.DistanceMinMeters), normalFloat(o.DistanceMaxMeters)
	o.Start, o.End = o.Start.UTC(), o.End.UTC()
}

// Normalize puts r's numbers and time in normal form (see
// Observation.Normalize).
func (r *AccessRestriction) Normalize() {
	r.Location.Lon, r.Location.Lat = normalFloat(r.Location.Lon), normalFloat(r.Location.Lat)
	r.Start = r.Start.UTC()
}

// validTime reports whether t is a time a record may carry.
func validTime(t time.Time) bool { return !t.IsZero() && t.Year() >= 1900 && t.Year() <= 2200 }

// Validate checks the invariants every stored observation must hold; the
// message names the field.
func (o *Observation) Validate() error {
	if o.ID == "" {
		return Errorf(EINVALID, "observation: id required")
	}
	if err := o.validateWhat(); err != nil {
		return Errorf(EINVALID, "observation %s: %s", o.ID, ErrorMessage(err))
	}
	switch {
	case !validTime(o.Start) || !validTime(o.End):
		return Errorf(EINVALID, "observation %s: start and end required", o.ID)
	case o.End.Before(o.Start):
		return Errorf(EINVALID, "observation %s: end %s before start %s", o.ID, o.End.Format(time.RFC3339), o.Start.Format(time.RFC3339))
	case !o.Position.Valid():
		return Errorf(EINVALID, "observation %s: position %v out of range", o.ID, o.Position)
	case o.Direction != "" && !compassPoints[o.Direction]:
		return Errorf(EINVALID, "observation %s: direction %q is not a compass point (N, NNE, ... NNW)", o.ID, o.Direction)
	case !(o.DistanceMinMeters >= 0 && o.DistanceMinMeters <= o.DistanceMaxMeters && o.DistanceMaxMeters <= 100_000):
		return Errorf(EINVALID, "observation %s: distance band %g-%g m: want 0 <= min <= max <= 100 km", o.ID, o.DistanceMinMeters, o.DistanceMaxMeters)
	}
	if err := checkNormal(o.Position.Lon, o.Position.Lat, o.DistanceMinMeters, o.DistanceMaxMeters); err != nil {
		return Errorf(EINVALID, "observation %s: %v", o.ID, err)
	}
	for _, f := range []struct{ name, v string }{
		{"id", string(o.ID)}, {"monitor", o.Monitor}, {"area", o.Area}, {"region", o.Region}, {"weapon", o.Weapon}, {"party", string(o.Party)},
		{"note", o.Note}, {"file", o.File},
	} {
		if err := checkText(f.v); err != nil {
			return Errorf(EINVALID, "observation %s: %s %v", o.ID, f.name, err)
		}
	}
	return nil
}

// validateWhat checks the kind, the explosion's assessment, the count,
// the means and the sense.
func (o *Observation) validateWhat() error {
	switch o.Kind {
	case ObservedExplosion:
		switch o.Explosion {
		case ExplosionImpact, ExplosionAirburst, ExplosionOutgoing, ExplosionUndetermined:
		default:
			return Errorf(EINVALID, "explosion %q: want impact, airburst, outgoing or undetermined", o.Explosion)
		}
	case ObservedProjectile, ObservedMuzzleFlash, ObservedIllumination, ObservedBurst:
		if o.Explosion != "" {
			return Errorf(EINVALID, "explosion %q given for a %s", o.Explosion, o.Kind)
		}
	default:
		return Errorf(EINVALID, "kind %q: want explosion, projectile, muzzle_flash, illumination or burst", o.Kind)
	}
	switch {
	case o.Count < 1 || o.Count > 100_000:
		return Errorf(EINVALID, "count %d: want 1 to 100000", o.Count)
	case !validMeans(o.Means):
		return Errorf(EINVALID, "means %q: want patrol, camera or uav", o.Means)
	case o.Sensed != SensedSeen && o.Sensed != SensedHeard && o.Sensed != SensedBoth:
		return Errorf(EINVALID, "sensed %q: want seen, heard or seen_heard", o.Sensed)
	}
	return nil
}

func validMeans(m ObservationMeans) bool {
	return m == MeansPatrol || m == MeansCamera || m == MeansUAV
}

// Validate checks the invariants every stored restriction must hold.
func (r *AccessRestriction) Validate() error {
	switch {
	case r.ID == "":
		return Errorf(EINVALID, "restriction: id required")
	case r.Kind != RestrictionDenial && r.Kind != RestrictionDelay && r.Kind != RestrictionConditional:
		return Errorf(EINVALID, "restriction %s: kind %q: want denial, delay or conditional", r.ID, r.Kind)
	case !validTime(r.Start):
		return Errorf(EINVALID, "restriction %s: start required", r.ID)
	case r.Duration < 0 || r.Duration > 30*24*time.Hour || r.Duration%time.Minute != 0:
		return Errorf(EINVALID, "restriction %s: duration %s: want whole minutes, at most 30 days", r.ID, r.Duration)
	case !r.Location.Valid():
		return Errorf(EINVALID, "restriction %s: location %v out of range", r.ID, r.Location)
	case !validMeans(r.Means):
		return Errorf(EINVALID, "restriction %s: means %q: want patrol, camera or uav", r.ID, r.Means)
	case r.PatrolSize < 0 || r.PatrolSize > 10_000:
		return Errorf(EINVALID, "restriction %s: patrol size %d out of range", r.ID, r.PatrolSize)
	}
	if err := checkNormal(r.Location.Lon, r.Location.Lat); err != nil {
		return Errorf(EINVALID, "restriction %s: %v", r.ID, err)
	}
	for _, f := range []struct{ name, v string }{
		{"id", string(r.ID)}, {"area", r.Area}, {"region", r.Region}, {"reason", r.Reason}, {"party", string(r.Party)}, {"note", r.Note}, {"file", r.File},
	} {
		if err := checkText(f.v); err != nil {
			return Errorf(EINVALID, "restriction %s: %s %v", r.ID, f.name, err)
		}
	}
	return nil
}
