package storetest

import (
	"testing"
	"time"

	"truce"
)

// sessionAge is how long the suite's sessions last, as the dashboard's do.
const sessionAge = 12 * time.Hour

// mustSession stores a session of token tokenID that starts now and lasts
// sessionAge, and returns it.
func mustSession(t *testing.T, e *env, secret, tokenID string) truce.Session {
	t.Helper()
	now := e.clock.Now()
	se := truce.Session{Hash: hashOf(secret), TokenID: tokenID, CreatedAt: now, ExpiresAt: now.Add(sessionAge)}
	must(t, e.s.CreateSession(e.ctx, &se))
	return se
}

// wantSessionToken fails the test unless the session with hash acts as want.
func wantSessionToken(t *testing.T, e *env, hash string, want *truce.Token) {
	t.Helper()
	got, err := e.s.SessionToken(e.ctx, hash)
	must(t, err)
	equal(t, "SessionToken", want, got)
}

var createSessionCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		before := logSize(t, e)
		se := mustSession(t, e, "session-ua", "tok_ua")
		wantSessionToken(t, e, se.Hash, &ts[1])
		// A second session of the same token is a session of its own.
		se2 := mustSession(t, e, "session-ua-2", "tok_ua")
		wantSessionToken(t, e, se2.Hash, &ts[1])
		if n := logSize(t, e); n != before {
			t.Errorf("LogSize = %d after two sessions, was %d: sessions are not logged", n, before)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustTokens(t, e)
		past := T0.Add(-time.Minute)
		must(t, e.s.CreateToken(e.ctx, &truce.Token{ID: "tok_old", Hash: hashOf("old-secret"), Role: truce.RoleMonitor, CreatedAt: T0.Add(-time.Hour), ExpiresAt: &past}))
		must(t, e.s.RevokeToken(e.ctx, "tok_mon1", T0))
		for _, tt := range []struct{ name, token string }{
			{"no such token", "tok_nobody"},
			{"revoked token", "tok_mon1"},
			{"expired token", "tok_old"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				se := truce.Session{Hash: hashOf("s-" + tt.token), TokenID: tt.token, CreatedAt: T0, ExpiresAt: T0.Add(sessionAge)}
				wantCode(t, e.s.CreateSession(e.ctx, &se), truce.ENOTFOUND)
				_, err := e.s.SessionToken(e.ctx, se.Hash)
				wantCode(t, err, truce.ENOTFOUND)
			})
		}
	}},
	{"Conflict", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		se := mustSession(t, e, "session", "tok_ua")
		again := truce.Session{Hash: se.Hash, TokenID: "tok_admin", CreatedAt: T0, ExpiresAt: T0.Add(sessionAge)}
		wantCode(t, e.s.CreateSession(e.ctx, &again), truce.ECONFLICT)
		// The first session still acts as its own token.
		wantSessionToken(t, e, se.Hash, &ts[1])
	}},
	{"RemovesExpired", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		old := mustSession(t, e, "old", "tok_admin")
		e.clock.Advance(sessionAge + time.Minute)
		mustSession(t, e, "new", "tok_admin")
		// Back to when the old session was young: it was removed, not
		// just judged expired.
		e.clock.Advance(-sessionAge)
		_, err := e.s.SessionToken(e.ctx, old.Hash)
		wantCode(t, err, truce.ENOTFOUND)
		wantSessionToken(t, e, hashOf("new"), &ts[0])
	}},
}

var sessionTokenCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		for i, tk := range ts {
			se := mustSession(t, e, "session-"+tk.ID, tk.ID)
			wantSessionToken(t, e, se.Hash, &ts[i])
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustTokens(t, e)
		mustSession(t, e, "session", "tok_admin")
		for _, hash := range []string{hashOf("another session"), hashOf("admin-secret"), ""} {
			_, err := e.s.SessionToken(e.ctx, hash)
			wantCode(t, err, truce.ENOTFOUND)
		}
	}},
	{"Expired", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		se := mustSession(t, e, "session", "tok_admin")
		e.clock.Advance(sessionAge - time.Nanosecond)
		wantSessionToken(t, e, se.Hash, &ts[0])
		e.clock.Advance(time.Nanosecond)
		_, err := e.s.SessionToken(e.ctx, se.Hash)
		wantCode(t, err, truce.ENOTFOUND)
	}},
	{"RevokedToken", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		ua := mustSession(t, e, "session-ua", "tok_ua")
		mon := mustSession(t, e, "session-mon", "tok_mon1")
		must(t, e.s.RevokeToken(e.ctx, "tok_ua", T0.Add(time.Minute)))
		e.clock.Advance(time.Minute)
		_, err := e.s.SessionToken(e.ctx, ua.Hash)
		wantCode(t, err, truce.ENOTFOUND)
		wantSessionToken(t, e, mon.Hash, &ts[2])
	}},
	{"ExpiredToken", func(t *testing.T, e *env) {
		mustTokens(t, e)
		exp := T0.Add(time.Hour)
		tok := truce.Token{ID: "tok_short", Hash: hashOf("short-secret"), Role: truce.RoleObserver, CreatedAt: T0, ExpiresAt: &exp}
		must(t, e.s.CreateToken(e.ctx, &tok))
		se := mustSession(t, e, "session", "tok_short")
		wantSessionToken(t, e, se.Hash, &tok)
		// The session would last 12 hours; its token, one.
		e.clock.Advance(time.Hour)
		_, err := e.s.SessionToken(e.ctx, se.Hash)
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var deleteSessionCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ts := mustTokens(t, e)
		a := mustSession(t, e, "a", "tok_ua")
		b := mustSession(t, e, "b", "tok_ua")
		must(t, e.s.DeleteSession(e.ctx, a.Hash))
		_, err := e.s.SessionToken(e.ctx, a.Hash)
		wantCode(t, err, truce.ENOTFOUND)
		// Another session of the same token goes on.
		wantSessionToken(t, e, b.Hash, &ts[1])
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustTokens(t, e)
		a := mustSession(t, e, "a", "tok_ua")
		must(t, e.s.DeleteSession(e.ctx, a.Hash))
		wantCode(t, e.s.DeleteSession(e.ctx, a.Hash), truce.ENOTFOUND)
		wantCode(t, e.s.DeleteSession(e.ctx, hashOf("never")), truce.ENOTFOUND)
	}},
}
