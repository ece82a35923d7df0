package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"truce/internal/httpapi"
)

// TestTokenHandlers exercises the token operations (tokens.go): a token
// is created with its secret shown once, listed without it, used, and
// revoked.
func TestTokenHandlers(t *testing.T) {
	f := newFixture(t)
	f.run(t, []call{
		// create-token
		{name: "create/an observer token", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]any{"role": "observer", "name": "press desk", "expires_in_days": 30},
			status: http.StatusCreated, check: func(t *testing.T, vars map[string]string, _ http.Header, body []byte) {
				tok := decode[httpapi.TokenOut](t, body)
				if !strings.HasPrefix(tok.Secret, "truce_") || !strings.HasPrefix(tok.ID, "tok_") || tok.Role != "observer" || tok.Name != "press desk" ||
					tok.ExpiresAt == nil || tok.ExpiresAt.Sub(tok.CreatedAt).Hours() != 30*24 || tok.RevokedAt != nil {
					t.Errorf("token %+v, want an observer token named press desk, expiring in 30 days, with its secret", tok)
				}
				vars["secret"], vars["id"] = tok.Secret, tok.ID
			}},
		{name: "create/the new token signs in", who: "secret:{secret}", method: "GET", path: "/api/v1/incidents", status: http.StatusOK,
			check: wantIncidents([]string{"acc-ru", "acc-ua", "extra-1", "extra-2"}, false)},
		{name: "create/a party token", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "party", "party": "UA"},
			status: http.StatusCreated, check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				if tok := decode[httpapi.TokenOut](t, body); tok.Role != "party" || tok.Party != "UA" || tok.ExpiresAt != nil {
					t.Errorf("token %+v, want a party token for UA that never expires", tok)
				}
			}},
		{name: "create/the party role needs a party", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "party"},
			status: http.StatusUnprocessableEntity, detail: "token: the party role needs a party"},
		{name: "create/only a party token has a party", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "monitor", "party": "UA"},
			status: http.StatusUnprocessableEntity, detail: "token: only a party token acts for a party"},
		{name: "create/not a party of the agreement", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "party", "party": "XX"},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.party"},
		{name: "create/unknown role", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "root"},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.role"},
		{name: "create/a name with a line break", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "observer", "name": "a\nb"},
			status: http.StatusUnprocessableEntity, detail: "token: name contains a control or non-printing character"},
		{name: "create/too long a life", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]any{"role": "observer", "expires_in_days": 4000},
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "body.expires_in_days"},
		{name: "create/a monitor may not", who: "monitor", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "admin"},
			status: http.StatusForbidden, detail: "the monitor role may not manage-tokens"},

		// list-tokens
		{name: "list/without secrets", who: "admin", method: "GET", path: "/api/v1/tokens", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, _ http.Header, body []byte) {
				var names []string
				for _, tok := range decode[[]httpapi.TokenOut](t, body) {
					names = append(names, tok.Name)
					if tok.Secret != "" {
						t.Errorf("token %s is listed with its secret", tok.ID)
					}
				}
				if len(names) != 9 || !slices.Contains(names, "press desk") || !slices.Contains(names, "revoked") {
					t.Errorf("tokens %q, want the fixture's seven and the two created", names)
				}
				if strings.Contains(string(body), vars["secret"]) || strings.Contains(string(body), f.tokens["admin"]) {
					t.Error("the list holds a secret")
				}
			}},
		{name: "list/an observer may not", who: "observer", method: "GET", path: "/api/v1/tokens", status: http.StatusForbidden, detail: "the observer role may not read-tokens"},

		// revoke-token
		{name: "revoke/revoked", who: "admin", method: "DELETE", path: "/api/v1/tokens/{id}", status: http.StatusNoContent,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				if len(body) != 0 {
					t.Errorf("body %q, want none", body)
				}
			}},
		{name: "revoke/the token no longer signs in", who: "secret:{secret}", method: "GET", path: "/api/v1/incidents", status: http.StatusUnauthorized, detail: "token expired or revoked"},
		{name: "revoke/again", who: "admin", method: "DELETE", path: "/api/v1/tokens/{id}", status: http.StatusNotFound, detail: "token {id} not found or already revoked"},
		{name: "revoke/unknown token", who: "admin", method: "DELETE", path: "/api/v1/tokens/tok_nope", status: http.StatusNotFound, detail: "token tok_nope not found or already revoked"},
		{name: "revoke/a monitor may not", who: "monitor", method: "DELETE", path: "/api/v1/tokens/{id}", status: http.StatusForbidden, detail: "the monitor role may not manage-tokens"},
		{name: "revoke/an unknown secret", who: "secret:truce_nope", method: "GET", path: "/api/v1/incidents", status: http.StatusUnauthorized, detail: "invalid token"},
	})
}
