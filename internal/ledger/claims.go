package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"truce"
)

// Record kinds of the parties' claims (issue 15). A claim, a tally and a
// match decision are logged with every field a store keeps, so that
// VerifyRows can rebuild each row from the log, as it does for sites.
const (
	// KindClaim logs a new claim: the whole claim as stored.
	KindClaim = "claim.created"
	// KindClaimPublished logs a claim made readable by everyone.
	KindClaimPublished = "claim.published"
	// KindTally logs a new tally.
	KindTally = "tally.created"
	// KindClaimMatch logs a monitor's decision on a claim and an
	// incident; a later one on the same pair replaces it.
	KindClaimMatch = "claim.match"
)

// ClaimBody is the logged form of a claim.
type ClaimBody struct {
	ID           string  `json:"id"`
	Claimant     string  `json:"claimant"`
	Body         string  `json:"body,omitempty"`
	Accused      string  `json:"accused"`
	Stated       string  `json:"stated"`
	EventStart   string  `json:"event_start,omitempty"`
	EventEnd     string  `json:"event_end,omitempty"`
	Facility     string  `json:"facility,omitempty"`
	FacilityKind string  `json:"facility_kind,omitempty"`
	Settlement   string  `json:"settlement,omitempty"`
	Region       string  `json:"region,omitempty"`
	SiteCountry  string  `json:"country_of_site,omitempty"`
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
	LocPrecM     float64 `json:"location_precision_m,omitempty"`
	PlacedBy     string  `json:"placed_by,omitempty"`
	Site         string  `json:"site,omitempty"`
	Weapon       string  `json:"weapon,omitempty"`
	Consequences string  `json:"consequences,omitempty"`
	SourceTitle  string  `json:"source_title,omitempty"`
	SourceURL    string  `json:"source_url,omitempty"`
	Confidence   string  `json:"confidence,omitempty"`
	Note         string  `json:"note,omitempty"`
	Published    bool    `json:"published,omitempty"`
	File         string  `json:"file,omitempty"`
	Line         int     `json:"line,omitempty"`
}

// optTime is rfc3339 of t, "" for the zero time.
func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return rfc3339(t)
}

func claimBody(c *truce.Claim) ClaimBody {
	return ClaimBody{ID: string(c.ID), Claimant: string(c.Claimant), Body: c.Body, Accused: string(c.Accused),
		Stated: rfc3339(c.Stated), EventStart: optTime(c.EventStart), EventEnd: optTime(c.EventEnd),
		Facility: c.Facility, FacilityKind: c.FacilityKind, Settlement: c.Settlement, Region: c.Region, SiteCountry: c.SiteCountry,
		Lon: c.Location.Lon, Lat: c.Location.Lat, LocPrecM: c.LocationPrecisionMeters, PlacedBy: string(c.PlacedBy), Site: string(c.Site),
		Weapon: c.Weapon, Consequences: c.Consequences, SourceTitle: c.SourceTitle, SourceURL: c.SourceURL,
		Confidence: c.Confidence, Note: c.Note, Published: c.Published, File: c.File, Line: c.Line}
}

// ClaimRecord is the record of a new claim; its body is the whole claim
// as stored, Published as it was when the claim was put.
func ClaimRecord(by truce.Principal, at time.Time, c *truce.Claim) (*Record, error) {
	return newRecord(KindClaim, by, at, string(c.ID), claimBody(c))
}

// SameClaim reports whether a and b are the same claim, whether or not
// either has been published since: what a re-put of a stored id must be.
func SameClaim(a, b *truce.Claim) bool {
	x, y := claimBody(a), claimBody(b)
	x.Published, y.Published = false, false
	return x == y
}

// ClaimPublishedBody is the logged form of a claim published.
type ClaimPublishedBody struct {
	ID string `json:"id"`
}

// ClaimPublishedRecord is the record of claim id made readable by
// everyone.
func ClaimPublishedRecord(by truce.Principal, at time.Time, id truce.ClaimID) (*Record, error) {
	return newRecord(KindClaimPublished, by, at, string(id), ClaimPublishedBody{ID: string(id)})
}

// TallyBody is the logged form of a tally.
type TallyBody struct {
	ID          string `json:"id"`
	Claimant    string `json:"claimant"`
	Speaker     string `json:"speaker,omitempty"`
	Stated      string `json:"stated"`
	Period      string `json:"period,omitempty"`
	Count       string `json:"count"`
	Wording     string `json:"wording,omitempty"`
	SourceTitle string `json:"source_title,omitempty"`
	SourceURL   string `json:"source_url,omitempty"`
	Published   bool   `json:"published,omitempty"`
	File        string `json:"file,omitempty"`
	Line        int    `json:"line,omitempty"`
}

func tallyBody(t *truce.Tally) TallyBody {
	return TallyBody{ID: string(t.ID), Claimant: string(t.Claimant), Speaker: t.Speaker, Stated: rfc3339(t.Stated),
		Period: t.Period, Count: t.Count, Wording: t.Wording, SourceTitle: t.SourceTitle, SourceURL: t.SourceURL,
		Published: t.Published, File: t.File, Line: t.Line}
}

// TallyRecord is the record of a new tally.
func TallyRecord(by truce.Principal, at time.Time, t *truce.Tally) (*Record, error) {
	return newRecord(KindTally, by, at, string(t.ID), tallyBody(t))
}

// SameTally reports whether a and b are the same tally.
func SameTally(a, b *truce.Tally) bool { return tallyBody(a) == tallyBody(b) }

// ClaimMatchBody is the logged form of a match decision; the record's
// actor and time are the decision's.
type ClaimMatchBody struct {
	Claim    string `json:"claim"`
	Incident string `json:"incident"`
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
}

func matchBody(m *truce.ClaimMatch) ClaimMatchBody {
	return ClaimMatchBody{Claim: string(m.Claim), Incident: string(m.Incident), Decision: string(m.Decision), Note: m.Note}
}

// ClaimMatchRecord is the record of a match decision, made by m.By at
// m.At.
func ClaimMatchRecord(m *truce.ClaimMatch) (*Record, error) {
	return newRecord(KindClaimMatch, m.By, m.At, string(m.Claim), matchBody(m))
}

// ClaimState is a claim as the log says it must be stored.
type ClaimState struct {
	Body      json.RawMessage // canonical ClaimBody, Published as put
	Published bool            // put published, or published since
	Index     int64           // the record that created it
}

// TallyState is a tally as the log says it must be stored.
type TallyState struct {
	Body  json.RawMessage // canonical TallyBody
	Index int64
}

// MatchKey names the decision on one claim and one incident.
type MatchKey struct {
	Claim    truce.ClaimID
	Incident truce.IncidentID
}

// MatchState is the latest decision on a pair as the log says it must be
// stored.
type MatchState struct {
	Body  ClaimMatchBody
	Actor string
	At    time.Time
	Index int64
}

// applyClaim replays record idx of a claim, a publication, a tally or a
// match decision.
func (st *State) applyClaim(rec *Record, idx int64) error {
	switch rec.Kind {
	case KindClaim:
		b, err := body[ClaimBody](rec, "claim")
		if err != nil {
			return err
		} else if st.Claims[truce.ClaimID(b.ID)] != nil {
			return fmt.Errorf("claim record for claim %s, which the log has already", b.ID)
		}
		st.Claims[truce.ClaimID(b.ID)] = &ClaimState{Body: rec.Body, Published: b.Published, Index: idx}
	case KindClaimPublished:
		b, err := body[ClaimPublishedBody](rec, "claim publication")
		if err != nil {
			return err
		}
		c := st.Claims[truce.ClaimID(b.ID)]
		if c == nil {
			return fmt.Errorf("publication of claim %s, which the log does not have", b.ID)
		}
		c.Published = true
	case KindTally:
		b, err := body[TallyBody](rec, "tally")
		if err != nil {
			return err
		} else if st.Tallies[truce.TallyID(b.ID)] != nil {
			return fmt.Errorf("tally record for tally %s, which the log has already", b.ID)
		}
		st.Tallies[truce.TallyID(b.ID)] = &TallyState{Body: rec.Body, Index: idx}
	case KindClaimMatch:
		b, err := body[ClaimMatchBody](rec, "claim match")
		if err != nil {
			return err
		}
		if st.Claims[truce.ClaimID(b.Claim)] == nil {
			return fmt.Errorf("match decision on claim %s, which the log does not have", b.Claim)
		}
		st.Matches[MatchKey{truce.ClaimID(b.Claim), truce.IncidentID(b.Incident)}] = &MatchState{Body: b, Actor: rec.Actor, At: rec.At, Index: idx}
	}
	return nil
}

// claimRows checks the claims, tallies and match decisions against the
// state the log replays to: each row must be what the log holds, and
// every claim, tally and latest decision the log holds must have its row.
func (v *rowVerifier) claimRows(ctx context.Context, src RowSource) error {
	seen := map[truce.ClaimID]bool{}
	err := src.Claims(ctx, func(c *truce.Claim) error {
		what := "claim " + string(c.ID)
		logged := v.st.Claims[c.ID]
		if logged == nil {
			return diverged("%s is not in the log: it was not stored through the store", what)
		}
		b := claimBody(c)
		published := b.Published
		var put ClaimBody
		if err := json.Unmarshal(logged.Body, &put); err != nil {
			return diverged("%s: log record %d does not decode", what, logged.Index)
		}
		b.Published = put.Published
		mine, err := Canonical(b)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !bytes.Equal(mine, logged.Body) {
			return diverged("%s does not match log record %d", what, logged.Index)
		}
		if published != logged.Published {
			return diverged("%s: its publication does not match the log", what)
		}
		seen[c.ID] = true
		v.rc.Claims++
		return nil
	})
	if err != nil {
		return err
	}
	if err := deletedRow("claim", v.st.Claims, seen, func(c *ClaimState) int64 { return c.Index }); err != nil {
		return err
	}
	if err := v.tallyRows(ctx, src); err != nil {
		return err
	}
	return v.matchRows(ctx, src)
}

func (v *rowVerifier) tallyRows(ctx context.Context, src RowSource) error {
	seen := map[truce.TallyID]bool{}
	err := src.Tallies(ctx, func(t *truce.Tally) error {
		what := "tally " + string(t.ID)
		logged := v.st.Tallies[t.ID]
		if logged == nil {
			return diverged("%s is not in the log: it was not stored through the store", what)
		}
		mine, err := Canonical(tallyBody(t))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if !bytes.Equal(mine, logged.Body) {
			return diverged("%s does not match log record %d", what, logged.Index)
		}
		seen[t.ID] = true
		v.rc.Tallies++
		return nil
	})
	if err != nil {
		return err
	}
	return deletedRow("tally", v.st.Tallies, seen, func(t *TallyState) int64 { return t.Index })
}

// deletedRow returns the error of the first (by id) of the logged things
// of a kind that has no row, nil if every one was seen.
func deletedRow[K ~string, V any](what string, logged map[K]V, seen map[K]bool, index func(V) int64) error {
	if len(seen) == len(logged) {
		return nil
	}
	for _, id := range sortedKeys(logged) {
		if !seen[id] {
			return diverged("%s %s is in log record %d but has no row: it was deleted", what, id, index(logged[id]))
		}
	}
	return nil
}

func (v *rowVerifier) matchRows(ctx context.Context, src RowSource) error {
	seen := map[MatchKey]bool{}
	err := src.ClaimMatches(ctx, func(m *truce.ClaimMatch) error {
		k := MatchKey{m.Claim, m.Incident}
		what := fmt.Sprintf("match decision on claim %s and incident %s", m.Claim, m.Incident)
		logged := v.st.Matches[k]
		if logged == nil {
			return diverged("%s is not in the log: it was not stored through the store", what)
		}
		if matchBody(m) != logged.Body || m.By.String() != logged.Actor || !sameTime(m.At, logged.At) {
			return diverged("%s does not match log record %d", what, logged.Index)
		}
		seen[k] = true
		v.rc.ClaimMatches++
		return nil
	})
	if err != nil {
		return err
	}
	if len(seen) != len(v.st.Matches) {
		for k, m := range v.st.Matches {
			if !seen[k] {
				return diverged("match decision on claim %s and incident %s is in log record %d but has no row: it was deleted", k.Claim, k.Incident, m.Index)
			}
		}
	}
	return nil
}
