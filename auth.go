package truce

import (
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a principal may do.
type Role string

// Roles.
const (
	RoleAdmin    Role = "admin"    // agreements, tokens, everything
	RoleMonitor  Role = "monitor"  // triage, verify, mark unverifiable, dismiss, notes
	RoleParty    Role = "party"    // submit reports, answer accusations against its party
	RoleObserver Role = "observer" // read published records
)

// Known reports whether r is a defined role.
func (r Role) Known() bool {
	switch r {
	case RoleAdmin, RoleMonitor, RoleParty, RoleObserver:
		return true
	}
	return false
}

// Principal is who makes a request: the anonymous public when Role is "".
type Principal struct {
	TokenID string
	Role    Role
	Party   PartyID // RoleParty only
	Name    string
}

// Anonymous is the principal of a request without a token.
var Anonymous = Principal{}

// String describes the principal for records: "monitor:tok_1a2b",
// "party:UA:tok_3c4d", "public", "system".
func (p Principal) String() string {
	switch {
	case p.Role == "" && p.TokenID == "system":
		return "system"
	case p.Role == "":
		return "public"
	case p.Role == RoleParty:
		return "party:" + string(p.Party) + ":" + p.TokenID
	}
	return string(p.Role) + ":" + p.TokenID
}

// System is the principal of writes made by the command line on the
// operator's own machine (imports, adjudication).
var System = Principal{TokenID: "system"}

// Token is an API token as stored: only the SHA-256 of the secret is kept.
type Token struct {
	ID        string
	Hash      string // hex SHA-256 of the secret
	Role      Role
	Party     PartyID
	Name      string
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// Active reports whether the token may be used at time now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// Session is a browser session of the dashboard as stored. The session's
// cookie holds a random id; only the id's SHA-256 is kept, with the token
// the session acts as, so a copy of the table opens no session.
type Session struct {
	Hash      string // hex SHA-256 of the session id
	TokenID   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Active reports whether the session, acting as token t, may be used at
// time now: it has not expired and its token is active. A session MUST
// NOT outlive its token.
func (s *Session) Active(t *Token, now time.Time) bool {
	return now.Before(s.ExpiresAt) && t.ID == s.TokenID && t.Active(now)
}

// MaxTokenNameRunes bounds a token holder's name.
const MaxTokenNameRunes = 200

// Validate checks a new token: a known role, a party exactly for the party
// role, and a holder's name of printable characters (a line break in a
// name would forge a line of `truce token list`).
func (t *Token) Validate() error {
	switch {
	case !t.Role.Known():
		return Errorf(EINVALID, "token: unknown role %q", t.Role)
	case t.Role == RoleParty && t.Party == "":
		return Errorf(EINVALID, "token: the party role needs a party")
	case t.Role != RoleParty && t.Party != "":
		return Errorf(EINVALID, "token: only a party token acts for a party (role %s, party %s)", t.Role, t.Party)
	case utf8.RuneCountInString(t.Name) > MaxTokenNameRunes:
		return Errorf(EINVALID, "token: name longer than %d characters", MaxTokenNameRunes)
	}
	for _, r := range t.Name {
		if !unicode.IsPrint(r) {
			return Errorf(EINVALID, "token: name contains a control or non-printing character %U", r)
		}
	}
	return nil
}
