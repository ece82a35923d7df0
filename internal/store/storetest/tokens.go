package storetest

import (
	"bytes"
	"testing"
	"time"

	"truce"
	"truce/internal/ledger"
)

func tokens(now time.Time) []truce.Token {
	exp := now.Add(90 * 24 * time.Hour)
	return []truce.Token{
		{ID: "tok_admin", Hash: hashOf("admin-secret"), Role: truce.RoleAdmin, Name: "operator", CreatedAt: now},
		{ID: "tok_ua", Hash: hashOf("ua-secret"), Role: truce.RoleParty, Party: "UA", Name: "Ukraine MFA", CreatedAt: now.Add(time.Second), ExpiresAt: &exp},
		{ID: "tok_mon1", Hash: hashOf("monitor-secret"), Role: truce.RoleMonitor, Name: "monitor 1", CreatedAt: now.Add(time.Second)},
		{ID: "tok_obs", Hash: hashOf("observer-secret"), Role: truce.RoleObserver, Name: "press", CreatedAt: now.Add(-time.Hour)},
	}
}

func mustTokens(t *testing.T, e *env) []truce.Token {
	t.Helper()
	ts := tokens(T0)
	for i := range ts {
		must(t, e.s.CreateToken(e.ctx, &ts[i]))
	}
	return ts
}

var createTokenCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		got, err := e.s.TokenByHash(e.ctx, ts[1].Hash)
		must(t, err)
		equal(t, "TokenByHash", &ts[1], got)
		// What a token may do is logged, so that a row changed below the
		// store is detected.
		if logSize(t, e) != int64(len(ts)) {
			t.Errorf("LogSize = %d, want a record per token", logSize(t, e))
		}
		for i := range ts {
			rec := mustRecord(t, e, int64(i))
			if rec.Kind != ledger.KindToken || rec.Subject != ts[i].ID || bytes.Contains(rec.Body, []byte(ts[i].Hash)) {
				t.Errorf("record %d is %s %s %s, want %s %s without the secret's hash", i, rec.Kind, rec.Subject, rec.Body, ledger.KindToken, ts[i].ID)
			}
		}
		_, rc := mustVerify(t, e)
		if rc.Tokens != len(ts) {
			t.Errorf("VerifyRows checked %d tokens, want %d", rc.Tokens, len(ts))
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		for _, tt := range []struct {
			name string
			tok  truce.Token
		}{
			{"unknown role", truce.Token{ID: "t1", Hash: hashOf("1"), Role: "superuser"}},
			{"no role", truce.Token{ID: "t2", Hash: hashOf("2")}},
			{"party without party", truce.Token{ID: "t3", Hash: hashOf("3"), Role: truce.RoleParty}},
			{"monitor with a party", truce.Token{ID: "t4", Hash: hashOf("4"), Role: truce.RoleMonitor, Party: "UA"}},
			{"admin with a party", truce.Token{ID: "t5", Hash: hashOf("5"), Role: truce.RoleAdmin, Party: "RU"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.tok.CreatedAt = T0
				wantCode(t, e.s.CreateToken(e.ctx, &tt.tok), truce.EINVALID)
			})
		}
		got, err := e.s.Tokens(e.ctx)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("Tokens = %+v after invalid creations, want none", got)
		}
	}},
	{"Conflict", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		sameID := truce.Token{ID: ts[0].ID, Hash: hashOf("other"), Role: truce.RoleAdmin, CreatedAt: T0}
		wantCode(t, e.s.CreateToken(e.ctx, &sameID), truce.ECONFLICT)
		sameHash := truce.Token{ID: "tok_new", Hash: ts[0].Hash, Role: truce.RoleObserver, CreatedAt: T0}
		wantCode(t, e.s.CreateToken(e.ctx, &sameHash), truce.ECONFLICT)
	}},
}

var tokenByHashCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		for i := range ts {
			got, err := e.s.TokenByHash(e.ctx, ts[i].Hash)
			must(t, err)
			equal(t, "TokenByHash "+ts[i].ID, &ts[i], got)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustTokens(t, e)
		_, err := e.s.TokenByHash(e.ctx, hashOf("wrong secret"))
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var tokensCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		got, err := e.s.Tokens(e.ctx)
		must(t, err)
		// Oldest first, then by id.
		equal(t, "Tokens", []truce.Token{ts[3], ts[0], ts[2], ts[1]}, got)
	}},
	{"Empty", func(t *testing.T, e *env) {
		got, err := e.s.Tokens(e.ctx)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("Tokens = %+v, want none", got)
		}
	}},
}

var revokeTokenCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		at := T0.Add(48*time.Hour + 123456789)
		must(t, e.s.RevokeToken(e.ctx, "tok_ua", at))
		got, err := e.s.TokenByHash(e.ctx, ts[1].Hash)
		must(t, err)
		want := ts[1]
		want.RevokedAt = &at
		equal(t, "revoked token", &want, got)
		if got.Active(at) {
			t.Error("revoked token is active")
		}
		// Revoking twice is an error: the first revocation time stands.
		wantCode(t, e.s.RevokeToken(e.ctx, "tok_ua", at.Add(time.Hour)), truce.ENOTFOUND)
		got, err = e.s.TokenByHash(e.ctx, ts[1].Hash)
		must(t, err)
		if !got.RevokedAt.Equal(at) {
			t.Errorf("RevokedAt = %s after a second revocation, want %s", got.RevokedAt, at)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustTokens(t, e)
		wantCode(t, e.s.RevokeToken(e.ctx, "tok_nobody", T0), truce.ENOTFOUND)
	}},
}
