package truce_test

import (
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
)

func validClaim() *truce.Claim {
	d := time.Date(2025, 3, 24, 0, 0, 0, 0, time.UTC)
	return &truce.Claim{ID: "RU-003", Claimant: "RU", Accused: "UA", Stated: d, EventStart: d.AddDate(0, 0, -2), EventEnd: d.AddDate(0, 0, -1),
		Location: geo.Point{Lon: 38.1, Lat: 50.217}, LocationPrecisionMeters: 5000, PlacedBy: truce.PlacedByCoordinates}
}

// TestClaimValidate checks each invariant of a stored claim.
func TestClaimValidate(t *testing.T) {
	if err := validClaim().Validate(); err != nil {
		t.Fatalf("valid claim: %v", err)
	}
	for name, edit := range map[string]func(c *truce.Claim){
		"NoID":           func(c *truce.Claim) { c.ID = "" },
		"NoAccused":      func(c *truce.Claim) { c.Accused = "" },
		"SelfAccused":    func(c *truce.Claim) { c.Accused = "RU" },
		"NoStated":       func(c *truce.Claim) { c.Stated = time.Time{} },
		"HalfEvent":      func(c *truce.Claim) { c.EventEnd = time.Time{} },
		"EventBackwards": func(c *truce.Claim) { c.EventEnd = c.EventStart },
		"OutOfRange":     func(c *truce.Claim) { c.Location.Lat = 91 },
		"UnplacedPoint":  func(c *truce.Claim) { c.PlacedBy = truce.NotPlaced },
		"UnknownBasis":   func(c *truce.Claim) { c.PlacedBy = "guess" },
		"Precision":      func(c *truce.Claim) { c.LocationPrecisionMeters = -1 },
		"NegativeZero":   func(c *truce.Claim) { c.LocationPrecisionMeters = negZero },
		"NUL":            func(c *truce.Claim) { c.Facility = "a\x00" },
	} {
		c := validClaim()
		edit(c)
		if err := c.Validate(); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
	c := validClaim()
	c.LocationPrecisionMeters = negZero
	c.Normalize()
	if err := c.Validate(); err != nil {
		t.Errorf("normalised -0: %v", err)
	}
}

// TestTallyAndMatchValidate checks the invariants of tallies and match
// decisions.
func TestTallyAndMatchValidate(t *testing.T) {
	tl := truce.Tally{ID: "t:2", Claimant: "UA", Stated: time.Date(2025, 3, 26, 0, 0, 0, 0, time.UTC), Count: "at least 8"}
	if err := tl.Validate(); err != nil {
		t.Fatal(err)
	}
	tl.Count = ""
	if truce.ErrorCode(tl.Validate()) != truce.EINVALID {
		t.Error("a tally without a count validates")
	}
	m := truce.ClaimMatch{Claim: "RU-002", Incident: "viina:1", Decision: truce.MatchConfirmed}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	m.Decision = "maybe"
	if truce.ErrorCode(m.Validate()) != truce.EINVALID {
		t.Error("an unknown decision validates")
	}
}

// TestCanReadClaim is the visibility rule of claims: published for
// everyone, unpublished for the claimant and the monitors.
func TestCanReadClaim(t *testing.T) {
	ru := truce.Principal{Role: truce.RoleParty, Party: "RU", TokenID: "r"}
	ua := truce.Principal{Role: truce.RoleParty, Party: "UA", TokenID: "u"}
	mon := truce.Principal{Role: truce.RoleMonitor, TokenID: "m"}
	obs := truce.Principal{Role: truce.RoleObserver, TokenID: "o"}
	for _, c := range []struct {
		p         truce.Principal
		published bool
		want      bool
	}{
		{truce.Anonymous, true, true}, {truce.Anonymous, false, false}, {obs, false, false},
		{ru, false, true}, {ua, false, false}, {mon, false, true},
	} {
		if got := truce.CanReadClaim(c.p, "RU", c.published); got != c.want {
			t.Errorf("CanReadClaim(%s, RU, published %v) = %v, want %v", c.p, c.published, got, c.want)
		}
	}
}
