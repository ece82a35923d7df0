package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"truce"
)

// NewToken makes a token: a random 256-bit secret, shown once, of which
// only the SHA-256 is stored.
func NewToken(role truce.Role, party truce.PartyID, name string, ttl time.Duration, now time.Time) (secret string, t *truce.Token) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = "truce_" + base64.RawURLEncoding.EncodeToString(b[:])
	var id [6]byte
	_, _ = rand.Read(id[:])
	t = &truce.Token{ID: "tok_" + hex.EncodeToString(id[:]), Hash: HashToken(secret), Role: role, Party: party, Name: name, CreatedAt: now.UTC()}
	if ttl > 0 {
		exp := now.Add(ttl).UTC()
		t.ExpiresAt = &exp
	}
	return secret, t
}

// TokenOut describes a token (never its secret, except once at creation).
type TokenOut struct {
	ID        string     `json:"id"`
	Role      string     `json:"role"`
	Party     string     `json:"party,omitempty"`
	Name      string     `json:"name,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Secret    string     `json:"secret,omitempty" doc:"the bearer token; shown only in the response that creates it"`
}

func tokenOut(t *truce.Token) TokenOut {
	return TokenOut{ID: t.ID, Role: string(t.Role), Party: string(t.Party), Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
}

func (s *Server) tokenRoutes() {
	type createIn struct {
		Body struct {
			Role          string `json:"role" enum:"admin,monitor,party,observer"`
			Party         string `json:"party,omitempty" maxLength:"64" doc:"required for the party role"`
			Name          string `json:"name,omitempty" maxLength:"200"`
			ExpiresInDays int    `json:"expires_in_days,omitempty" minimum:"0" maximum:"3650" doc:"0: never expires"`
		}
	}
	type tokenBody struct{ Body TokenOut }
	handle(s, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/tokens", Tags: []string{"tokens"},
		Summary: "Create a token", DefaultStatus: http.StatusCreated}, OpManageTokens,
		func(ctx context.Context, p truce.Principal, in *createIn) (*tokenBody, error) {
			if in.Body.Party != "" {
				if _, a, err := s.currentAgreement(ctx); err == nil {
					if _, ok := a.Party(truce.PartyID(in.Body.Party)); !ok {
						return nil, fieldError("body.party", "not a party of the current agreement", in.Body.Party)
					}
				}
			}
			secret, t := NewToken(truce.Role(in.Body.Role), truce.PartyID(in.Body.Party), in.Body.Name, time.Duration(in.Body.ExpiresInDays)*24*time.Hour, s.now())
			if err := t.Validate(); err != nil {
				return nil, err
			}
			if err := s.store.CreateToken(ctx, t); err != nil {
				return nil, err
			}
			out := tokenOut(t)
			out.Secret = secret
			return &tokenBody{Body: out}, nil
		})

	type listOut struct{ Body []TokenOut }
	handle(s, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/tokens", Tags: []string{"tokens"},
		Summary: "List tokens (never their secrets)"}, OpReadTokens,
		func(ctx context.Context, p truce.Principal, _ *struct{}) (*listOut, error) {
			ts, err := s.store.Tokens(ctx)
			if err != nil {
				return nil, err
			}
			out := &listOut{Body: make([]TokenOut, 0, len(ts))}
			for i := range ts {
				out.Body = append(out.Body, tokenOut(&ts[i]))
			}
			return out, nil
		})

	type revokeIn struct {
		ID string `path:"id" maxLength:"64"`
	}
	handle(s, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/tokens/{id}", Tags: []string{"tokens"},
		Summary: "Revoke a token", DefaultStatus: http.StatusNoContent}, OpManageTokens,
		func(ctx context.Context, p truce.Principal, in *revokeIn) (*struct{}, error) {
			return nil, s.store.RevokeToken(ctx, in.ID, s.now())
		})
}
