package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"truce"
)

// Record kinds written by the stores. Every backend MUST build its records
// with these functions, so that a log copied from one backend to another
// still matches the rows it covers.
const (
	KindReport    = "report.created"
	KindAgreement = "agreement.version"
	KindJudgement = "judgement"
	KindEvent     = "incident.event"
	// KindCurrent makes an existing agreement version the current one,
	// whose judgements the incidents show (a new version, KindAgreement,
	// becomes current by its own record).
	KindCurrent = "agreement.current"
	// KindSiteAdded, KindSiteChanged and KindSiteRemoved log each site
	// added, changed or removed: sites are reference data that verdicts
	// depend on.
	KindSiteAdded   = "site.added"
	KindSiteChanged = "site.changed"
	KindSiteRemoved = "site.removed"
	// KindToken and KindTokenRevoked log each token created or revoked:
	// tokens decide what a request may do.
	KindToken        = "token.created"
	KindTokenRevoked = "token.revoked"
)

// ReportBody is the logged form of a new report and the incident it opens.
type ReportBody struct {
	ID          string   `json:"id"`
	Source      string   `json:"source"`
	SourceID    string   `json:"source_id,omitempty"`
	Outlet      string   `json:"outlet,omitempty"`
	File        string   `json:"file,omitempty"`
	Line        int      `json:"line,omitempty"`
	Original    string   `json:"original,omitempty"`
	Start       string   `json:"start"`
	End         string   `json:"end"`
	Precision   string   `json:"precision"`
	Lon         float64  `json:"lon"`
	Lat         float64  `json:"lat"`
	LocPrecM    float64  `json:"location_precision_m,omitempty"`
	Place       string   `json:"place,omitempty"`
	Actor1      string   `json:"actor1,omitempty"`
	Actor2      string   `json:"actor2,omitempty"`
	Perpetrator string   `json:"perpetrator,omitempty"`
	Actions     []string `json:"actions,omitempty"`
	EventType   string   `json:"event_type,omitempty"`
	Category    string   `json:"category,omitempty"`
	Site        string   `json:"site,omitempty"`
	Text        string   `json:"text,omitempty"`
	Fatalities  int      `json:"fatalities,omitempty"`
	SubmittedBy string   `json:"submitted_by,omitempty"`
	Published   bool     `json:"published,omitempty"`
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ReportRecord is the record of a new report.
func ReportRecord(by truce.Principal, at time.Time, r *truce.Report, opt truce.PutOptions) (*Record, error) {
	b := ReportBody{
		ID: string(r.ID), Source: r.Source, SourceID: r.SourceID, Outlet: r.Outlet, File: r.File, Line: r.Line,
		Original: r.Original, Start: rfc3339(r.Start), End: rfc3339(r.End), Precision: r.Precision.String(),
		Lon: r.Location.Lon, Lat: r.Location.Lat, LocPrecM: r.LocationPrecisionMeters, Place: r.Place,
		Actor1: r.Actor1, Actor2: r.Actor2, Perpetrator: string(r.Perpetrator), EventType: r.EventType,
		Category: string(r.Category), Site: string(r.Site), Text: r.Text, Fatalities: r.Fatalities,
		SubmittedBy: string(opt.SubmittedBy), Published: opt.Published,
	}
	for _, a := range r.Actions {
		b.Actions = append(b.Actions, string(a))
	}
	return newRecord(KindReport, by, at, string(r.ID), b)
}

// AgreementBody is the logged form of an agreement version.
type AgreementBody struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"` // of the bundle
	Size    int    `json:"size"`
}

// AgreementRecord is the record of a new agreement version.
func AgreementRecord(by truce.Principal, at time.Time, v *truce.AgreementVersion) (*Record, error) {
	return newRecord(KindAgreement, by, at, string(v.ID)+"@"+itoa(v.Version),
		AgreementBody{ID: string(v.ID), Version: v.Version, SHA256: v.SHA256, Size: len(v.Bundle)})
}

// JudgementBody is the logged form of a judgement (a verdict).
type JudgementBody struct {
	Report      string             `json:"report"`
	Agreement   string             `json:"agreement"`
	Version     int                `json:"version"`
	Outcome     string             `json:"outcome"`
	Explanation string             `json:"explanation"`
	Findings    []JudgementFinding `json:"findings"`
	// DetailSHA256 is the SHA-256 of the stored detail (facts and
	// findings) exactly as the store keeps it.
	DetailSHA256 string `json:"detail_sha256"`
}

// JudgementFinding is one finding's outcome in a JudgementBody.
type JudgementFinding struct {
	Commitment string `json:"commitment"`
	Outcome    string `json:"outcome"`
}

// JudgementRecord is the record of a judgement; detail is the store's own
// serialisation of its facts and findings.
func JudgementRecord(by truce.Principal, at time.Time, id truce.AgreementID, version int, j *truce.Judgement, detail []byte) (*Record, error) {
	sum := sha256.Sum256(detail)
	b := JudgementBody{Report: string(j.Report), Agreement: string(id), Version: version, Outcome: j.Outcome.String(),
		Explanation: j.Explanation, DetailSHA256: hex.EncodeToString(sum[:]), Findings: []JudgementFinding{}}
	for _, f := range j.Findings {
		b.Findings = append(b.Findings, JudgementFinding{Commitment: string(f.Commitment), Outcome: f.Outcome.String()})
	}
	return canonicalRecord(KindJudgement, by, at, string(j.Report), b.canonical()), nil
}

// canonical returns the canonical JSON of b (Canonical(b)), written
// directly: every judged report's write makes a judgement record, and
// marshalling it with encoding/json and canonicalising the result was
// most of a judged report's ~15 µs of records (now ~9.5 µs for both,
// sqlstore's BenchmarkEncodeRecord), mostly for its explanation. Strings are written as
// encoding/json and then the canonicalizer would write them: each byte
// that is not valid UTF-8 as U+FFFD, then the minimal escapes.
// TestJudgementBodyCanonical and FuzzJudgementBodyCanonical compare it
// with Canonical, and fail when JudgementBody gains a field.
func (b *JudgementBody) canonical() json.RawMessage {
	n := 160 + len(b.Report) + len(b.Agreement) + len(b.Explanation) + len(b.DetailSHA256)
	for _, f := range b.Findings {
		n += 32 + len(f.Commitment) + len(f.Outcome)
	}
	out := make([]byte, 0, n)
	out = append(out, `{"agreement":`...)
	out = appendCanonicalString(out, b.Agreement)
	out = append(out, `,"detail_sha256":`...)
	out = appendCanonicalString(out, b.DetailSHA256)
	out = append(out, `,"explanation":`...)
	out = appendCanonicalString(out, b.Explanation)
	out = append(out, `,"findings":`...)
	if b.Findings == nil {
		out = append(out, "null"...)
	} else {
		out = append(out, '[')
		for i, f := range b.Findings {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, `{"commitment":`...)
			out = appendCanonicalString(out, f.Commitment)
			out = append(out, `,"outcome":`...)
			out = appendCanonicalString(out, f.Outcome)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	out = append(out, `,"outcome":`...)
	out = appendCanonicalString(out, b.Outcome)
	out = append(out, `,"report":`...)
	out = appendCanonicalString(out, b.Report)
	out = append(out, `,"version":`...)
	out = strconv.AppendInt(out, int64(b.Version), 10)
	return append(out, '}')
}

// appendCanonicalString appends s as a canonical JSON string, after
// replacing each byte of s that is not part of valid UTF-8 with U+FFFD,
// as encoding/json does before the canonicalizer sees the string.
func appendCanonicalString(dst []byte, s string) []byte {
	if utf8.ValidString(s) {
		return appendString(dst, s)
	}
	valid := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			valid = utf8.AppendRune(valid, utf8.RuneError)
		} else {
			valid = append(valid, s[i:i+size]...)
		}
		i += size
	}
	return appendString(dst, valid)
}

// EventBody is the logged form of an incident event.
type EventBody struct {
	ID       int64         `json:"id"`
	Incident string        `json:"incident"`
	Kind     string        `json:"kind"`
	From     string        `json:"from,omitempty"`
	To       string        `json:"to,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	Party    string        `json:"party,omitempty"`
	Response string        `json:"response,omitempty"`
	Other    string        `json:"other,omitempty"`
	Evidence *EvidenceBody `json:"evidence,omitempty"`
}

// EvidenceBody is the logged form of an evidence item.
type EvidenceBody struct {
	ID          string `json:"id"`
	SHA256      string `json:"sha256"`
	MediaType   string `json:"media_type"`
	Size        int64  `json:"size"`
	Description string `json:"description,omitempty"`
}

// EventRecord is the record of an incident event; ev describes the
// evidence of an evidence event.
func EventRecord(by truce.Principal, e *truce.Event, ev *truce.Evidence) (*Record, error) {
	b := EventBody{ID: e.ID, Incident: string(e.Incident), Kind: string(e.Kind), From: string(e.From), To: string(e.To),
		Reason: e.Reason, Party: string(e.Party), Response: string(e.Response), Other: string(e.Other)}
	if ev != nil {
		b.Evidence = &EvidenceBody{ID: ev.ID, SHA256: ev.SHA256, MediaType: ev.MediaType, Size: ev.Size, Description: ev.Description}
	}
	return newRecord(KindEvent, by, e.At, string(e.Incident), b)
}

// CurrentBody is the logged form of the current agreement version.
type CurrentBody struct {
	Agreement string `json:"agreement"`
	Version   int    `json:"version"`
}

// CurrentRecord is the record that makes agreement version (id, version)
// the current one.
func CurrentRecord(by truce.Principal, at time.Time, id truce.AgreementID, version int) (*Record, error) {
	return newRecord(KindCurrent, by, at, string(id)+"@"+itoa(version), CurrentBody{Agreement: string(id), Version: version})
}

// SiteBody is the logged form of a protected site: every field a store
// keeps, since verdicts depend on all of them.
type SiteBody struct {
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	Country    string            `json:"country,omitempty"`
	Lon        float64           `json:"lon"`
	Lat        float64           `json:"lat"`
	Category   string            `json:"category,omitempty"`
	Attrs      map[string]string `json:"attrs,omitempty"`
	CapacityMW float64           `json:"capacity_mw,omitempty"`
	Source     string            `json:"source,omitempty"`
}

func siteBody(s *truce.Site) SiteBody {
	return SiteBody{ID: string(s.ID), Name: s.Name, Country: s.Country, Lon: s.Location.Lon, Lat: s.Location.Lat,
		Category: string(s.Category), Attrs: s.Attrs, CapacityMW: s.CapacityMW, Source: s.Source}
}

// SiteRecord is the record of a site added (KindSiteAdded) or changed
// (KindSiteChanged); the body is the whole site as stored.
func SiteRecord(kind string, by truce.Principal, at time.Time, s *truce.Site) (*Record, error) {
	if kind != KindSiteAdded && kind != KindSiteChanged {
		return nil, fmt.Errorf("ledger: a site record is %s or %s, not %s", KindSiteAdded, KindSiteChanged, kind)
	}
	return newRecord(kind, by, at, string(s.ID), siteBody(s))
}

// SiteRemovedBody is the logged form of a removed site.
type SiteRemovedBody struct {
	ID string `json:"id"`
}

// SiteRemovedRecord is the record of a site removed.
func SiteRemovedRecord(by truce.Principal, at time.Time, id truce.SiteID) (*Record, error) {
	return newRecord(KindSiteRemoved, by, at, string(id), SiteRemovedBody{ID: string(id)})
}

// TokenBody is the logged form of a new token: what it may do and until
// when. The secret's hash and the holder's name are not published; their
// SHA-256 commits to them, so that a changed hash or name is detected.
type TokenBody struct {
	ID         string `json:"id"`
	Role       string `json:"role"`
	Party      string `json:"party,omitempty"`
	Created    string `json:"created"`
	Expires    string `json:"expires,omitempty"`
	HashSHA256 string `json:"hash_sha256"` // of the stored hash (itself the SHA-256 of the secret)
	NameSHA256 string `json:"name_sha256"`
}

func tokenBody(t *truce.Token) TokenBody {
	b := TokenBody{ID: t.ID, Role: string(t.Role), Party: string(t.Party), Created: rfc3339(t.CreatedAt),
		HashSHA256: sha256Hex(t.Hash), NameSHA256: sha256Hex(t.Name)}
	if t.ExpiresAt != nil {
		b.Expires = rfc3339(*t.ExpiresAt)
	}
	return b
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TokenRecord is the record of a new token.
func TokenRecord(by truce.Principal, at time.Time, t *truce.Token) (*Record, error) {
	return newRecord(KindToken, by, at, t.ID, tokenBody(t))
}

// TokenRevokedBody is the logged form of a token's revocation.
type TokenRevokedBody struct {
	ID      string `json:"id"`
	Revoked string `json:"revoked"`
}

// TokenRevokedRecord is the record of a token revoked from time revoked.
func TokenRevokedRecord(by truce.Principal, at time.Time, id string, revoked time.Time) (*Record, error) {
	return newRecord(KindTokenRevoked, by, at, id, TokenRevokedBody{ID: id, Revoked: rfc3339(revoked)})
}

func newRecord(kind string, by truce.Principal, at time.Time, subject string, body any) (*Record, error) {
	raw, err := Canonical(body)
	if err != nil {
		return nil, err
	}
	return canonicalRecord(kind, by, at, subject, raw), nil
}

// canonicalRecord is a record whose body raw is canonical JSON.
func canonicalRecord(kind string, by truce.Principal, at time.Time, subject string, raw json.RawMessage) *Record {
	return &Record{V: RecordVersion, Kind: kind, At: at.UTC().Truncate(time.Microsecond), Actor: by.String(), Subject: subject, Body: raw, canon: raw}
}

func itoa(n int) string { return strconv.Itoa(n) }
