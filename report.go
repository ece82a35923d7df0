package truce

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"truce/internal/geo"
)

// ReportID is a report's stable identifier: the source's own id where it has
// one (ACLED event_id_cnty, UCDP id), else "FILE:LINE" (the file's base name
// and the 1-based line where the record starts, the header being line 1).
type ReportID string

// SiteID identifies a protected site (e.g. a GPPD gppd_idnr).
type SiteID string

// TimePrecision says how precisely a report's time is known.
type TimePrecision uint8

// Time precisions, finest first.
const (
	PrecisionExact TimePrecision = iota + 1 // to the second or better
	PrecisionMinute
	PrecisionHour
	PrecisionDay
	PrecisionWeek
	PrecisionMonth
	PrecisionYear
)

var precisionNames = [...]string{"", "exact", "minute", "hour", "day", "week", "month", "year"}

// String returns the lower-case name of p.
func (p TimePrecision) String() string {
	if int(p) < len(precisionNames) && p != 0 {
		return precisionNames[p]
	}
	return "unknown"
}

// ParseTimePrecision returns the precision named s.
func ParseTimePrecision(s string) (TimePrecision, bool) {
	for i, n := range precisionNames {
		if i > 0 && n == s {
			return TimePrecision(i), true
		}
	}
	return 0, false
}

// Report is one account of an incident, from one source, with its
// provenance kept.
type Report struct {
	ID       ReportID
	Source   string // the dataset or channel: "acled", "ucdp-ged", "viina", "truce", "firms", ...
	SourceID string // the source's own id, if any
	// Outlet is who published the account (a news outlet, a party, a
	// monitor). Independent outlets corroborate one another.
	Outlet   string
	File     string // base name of the file it came from, if any
	Line     int    // 1-based line where its record starts, if any
	Original string // the record as read, for provenance

	// Start and End bound when the incident happened: [Start, End) in UTC.
	// A day-precision report covers its whole day.
	Start, End time.Time
	Precision  TimePrecision

	Location geo.Point
	// LocationPrecisionMeters is the radius within which the true position
	// lies; 0 if exact.
	LocationPrecisionMeters float64
	Place                   string

	Actor1, Actor2 string     // as the source names them
	Perpetrator    PartyID    // explicit perpetrator, if the source states one
	Actions        []Action   // explicit actions, if the source states them
	EventType      string     // the source's own event type labels
	Category       CategoryID // explicit target category, if stated
	Site           SiteID     // explicit target site, if stated
	Text           string     // headline, notes or description
	Fatalities     int
}

// Validate checks the invariants every stored or judged report must hold.
func (r *Report) Validate() error {
	switch {
	case r.ID == "":
		return Errorf(EINVALID, "report: id required")
	case r.Source == "":
		return Errorf(EINVALID, "report %s: source required", r.ID)
	case r.Start.IsZero():
		return Errorf(EINVALID, "report %s: time required", r.ID)
	case !r.End.After(r.Start):
		return Errorf(EINVALID, "report %s: end %s must be after start %s", r.ID, r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
	case r.Start.Year() < 1900 || r.End.Year() > 2200:
		return Errorf(EINVALID, "report %s: time %s out of range", r.ID, r.Start.Format(time.RFC3339))
	case !r.Location.Valid():
		return Errorf(EINVALID, "report %s: location %v out of range", r.ID, r.Location)
	case !(r.LocationPrecisionMeters >= 0 && r.LocationPrecisionMeters <= 2_000_000): // NaN fails both
		return Errorf(EINVALID, "report %s: location precision %g m out of range", r.ID, r.LocationPrecisionMeters)
	}
	if err := checkNormal(r.Location.Lon, r.Location.Lat, r.LocationPrecisionMeters); err != nil {
		return Errorf(EINVALID, "report %s: %v", r.ID, err)
	}
	for _, a := range r.Actions {
		if !a.Known() {
			return Errorf(EINVALID, "report %s: unknown action %q", r.ID, a)
		}
	}
	for _, f := range []struct{ name, v string }{
		{"id", string(r.ID)}, {"source", r.Source}, {"source_id", r.SourceID}, {"outlet", r.Outlet}, {"file", r.File},
		{"original", r.Original}, {"place", r.Place}, {"actor1", r.Actor1}, {"actor2", r.Actor2},
		{"perpetrator", string(r.Perpetrator)}, {"event_type", r.EventType}, {"category", string(r.Category)},
		{"site", string(r.Site)}, {"text", r.Text},
	} {
		if err := checkText(f.v); err != nil {
			return Errorf(EINVALID, "report %s: %s %v", r.ID, f.name, err)
		}
	}
	return nil
}

// Normalize puts r's numbers in the one form the stores and the log all
// keep: a negative zero becomes 0. Every path by which reports enter the
// record (the importers, and through them the API) MUST call it before
// Validate, which refuses a report that was not normalised.
func (r *Report) Normalize() {
	r.Location.Lon = normalFloat(r.Location.Lon)
	r.Location.Lat = normalFloat(r.Location.Lat)
	r.LocationPrecisionMeters = normalFloat(r.LocationPrecisionMeters)
}

// normalFloat maps -0 to 0 and returns every other value as it is.
//
// Why: -0 == 0 in Go, but the two are different float64 values. SQLite
// stores -0.0 as 0 while the log's JSON writes "-0", so a report with a -0
// coordinate did not match its own log record (issue 12).
func normalFloat(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// checkNormal refuses the floats that are not in normal form: NaN and the
// infinities, which neither the log's JSON nor the stores can keep, and -0
// (see normalFloat).
func checkNormal(fs ...float64) error {
	for _, f := range fs {
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			return fmt.Errorf("%g is not a finite number", f)
		case f == 0 && math.Signbit(f):
			return errors.New("-0 is not normalised (call Normalize)")
		}
	}
	return nil
}

// checkText refuses text that a store cannot keep byte for byte: invalid
// UTF-8 and NUL characters.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("contains a NUL character")
	}
	return nil
}

// Site is a protected facility.
type Site struct {
	ID         SiteID
	Name       string
	Country    string // ISO 3166-1 alpha-3 where known
	Location   geo.Point
	Category   CategoryID        // explicit category; else derived by SiteRules
	Attrs      map[string]string // source attributes, e.g. primary_fuel
	CapacityMW float64
	Source     string // dataset, e.g. "gppd-1.3.0"
}

// Validate checks a site's invariants.
func (s *Site) Validate() error {
	switch {
	case s.ID == "":
		return Errorf(EINVALID, "site: id required")
	case !s.Location.Valid():
		return Errorf(EINVALID, "site %s: location %v out of range", s.ID, s.Location)
	case !(s.CapacityMW >= 0): // NaN fails too
		return Errorf(EINVALID, "site %s: capacity %g MW out of range", s.ID, s.CapacityMW)
	}
	if err := checkNormal(s.Location.Lon, s.Location.Lat, s.CapacityMW); err != nil {
		return Errorf(EINVALID, "site %s: %v", s.ID, err)
	}
	return nil
}

// Normalize is (*Report).Normalize for a site: every path by which sites
// enter the record MUST call it before Validate.
func (s *Site) Normalize() {
	s.Location.Lon = normalFloat(s.Location.Lon)
	s.Location.Lat = normalFloat(s.Location.Lat)
	s.CapacityMW = normalFloat(s.CapacityMW)
}

// machineTaggedSources are the sources whose event types are a
// classifier's output, not a coder's: VIINA labels each news item with a
// model. Their tags may say how an attack was made; they never establish
// that one happened.
var machineTaggedSources = map[string]bool{"viina": true}

// TaggedByMachine reports whether r's event type and actions come from a
// machine classifier rather than from people coding the event.
func (r *Report) TaggedByMachine() bool { return machineTaggedSources[r.Source] }
