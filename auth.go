package truce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
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

// Principal is who a request signed in with the token is.
func (t *Token) Principal() Principal {
	return Principal{TokenID: t.ID, Role: t.Role, Party: t.Party, Name: t.Name}
}

// MaxTokenSecretBytes bounds a bearer secret worth looking up; a secret
// from NewToken is 49 bytes.
const MaxTokenSecretBytes = 256

// HashToken returns the stored form of a token secret: its SHA-256, in
// hex. The store keeps only this, so a copy of the table signs no one in.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewToken makes a token for role (and party, for the party role) at time
// now, expiring after ttl (never when ttl <= 0): a random 256-bit secret,
// to be shown once, and the token to store, which holds only the secret's
// hash (HashToken). The caller validates and stores it.
func NewToken(role Role, party PartyID, name string, ttl time.Duration, now time.Time) (secret string, t *Token) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	secret = "truce_" + base64.RawURLEncoding.EncodeToString(b[:])
	var id [6]byte
	_, _ = rand.Read(id[:])
	t = &Token{ID: "tok_" + hex.EncodeToString(id[:]), Hash: HashToken(secret), Role: role, Party: party, Name: name, CreatedAt: now.UTC()}
	if ttl > 0 {
		exp := now.Add(ttl).UTC()
		t.ExpiresAt = &exp
	}
	return secret, t
}

// Authenticate resolves a bearer secret to the principal of its token at
// time now. Every transport MUST check secrets through it. It returns
// EUNAUTHORIZED for an empty, oversized, unknown, expired or revoked
// token, and the store's error if the lookup fails.
func Authenticate(ctx context.Context, tokens TokenStore, secret string, now time.Time) (Principal, error) {
	if secret == "" || len(secret) > MaxTokenSecretBytes {
		return Anonymous, Errorf(EUNAUTHORIZED, "invalid token")
	}
	hash := HashToken(secret)
	t, err := tokens.TokenByHash(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		return Anonymous, Errorf(EUNAUTHORIZED, "invalid token")
	} else if err != nil {
		return Anonymous, err
	}
	// The lookup is by hash already; compare again in constant time so
	// that no code path compares secrets byte by byte.
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) != 1 {
		return Anonymous, Errorf(EUNAUTHORIZED, "invalid token")
	}
	if !t.Active(now) {
		return Anonymous, Errorf(EUNAUTHORIZED, "token expired or revoked")
	}
	return t.Principal(), nil
}

// principalKey is the context key of the request's principal.
type principalKey struct{}

// WithPrincipal returns ctx carrying p, the caller a transport has
// authenticated (a bearer token, a dashboard session); handlers read it
// with PrincipalFrom. As wtf's NewContextWithUser, it lives with the
// domain so that every transport hands the caller on the same way.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal ctx carries (WithPrincipal), or
// Anonymous when it carries none.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
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
