package httpapi

import (
	"context"
	"time"

	"truce"
)

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

// The inputs and outputs of the token operations. createIn names its
// body's schema in the OpenAPI document (CreateInBody).
type (
	createIn struct {
		Body struct {
			Role          string `json:"role" enum:"admin,monitor,party,observer"`
			Party         string `json:"party,omitempty" maxLength:"64" doc:"required for the party role"`
			Name          string `json:"name,omitempty" maxLength:"200"`
			ExpiresInDays int    `json:"expires_in_days,omitempty" minimum:"0" maximum:"3650" doc:"0: never expires"`
		}
	}
	tokenBody    struct{ Body TokenOut }
	tokenListOut struct{ Body []TokenOut }
	tokenIDIn    struct {
		ID string `path:"id" maxLength:"64"`
	}
)

// createToken serves create-token: the answer holds the secret, the only
// time it is shown.
func (s *Server) createToken(ctx context.Context, _ truce.Principal, in *createIn) (*tokenBody, error) {
	if in.Body.Party != "" {
		if _, a, err := s.currentAgreement(ctx); err == nil {
			if _, ok := a.Party(truce.PartyID(in.Body.Party)); !ok {
				return nil, fieldError("body.party", "not a party of the current agreement", in.Body.Party)
			}
		}
	}
	secret, t := truce.NewToken(truce.Role(in.Body.Role), truce.PartyID(in.Body.Party), in.Body.Name, time.Duration(in.Body.ExpiresInDays)*24*time.Hour, s.now())
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return nil, err
	}
	out := tokenOut(t)
	out.Secret = secret
	return &tokenBody{Body: out}, nil
}

// listTokens serves list-tokens.
func (s *Server) listTokens(ctx context.Context, _ truce.Principal, _ *struct{}) (*tokenListOut, error) {
	ts, err := s.store.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	out := &tokenListOut{Body: make([]TokenOut, 0, len(ts))}
	for i := range ts {
		out.Body = append(out.Body, tokenOut(&ts[i]))
	}
	return out, nil
}

// revokeToken serves revoke-token.
func (s *Server) revokeToken(ctx context.Context, _ truce.Principal, in *tokenIDIn) (*struct{}, error) {
	return nil, s.store.RevokeToken(ctx, in.ID, s.now())
}
