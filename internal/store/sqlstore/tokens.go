package sqlstore

import (
	"context"
	"errors"
	"time"

	"truce"
	"truce/internal/ledger"
)

// CreateToken stores a token (its hash only) and logs it: what a token
// may do is checked against the log. EINVALID for an unknown role or a
// party that does not go with it, ECONFLICT if its id or hash is stored.
func (c Core) CreateToken(ctx context.Context, t *truce.Token) error {
	if !t.Role.Known() {
		return truce.Errorf(truce.EINVALID, "unknown role %q", t.Role)
	}
	if (t.Role == truce.RoleParty) != (t.Party != "") {
		return truce.Errorf(truce.EINVALID, "a party token needs a party, and only a party token may have one")
	}
	var exp *int64
	if t.ExpiresAt != nil {
		ns := t.ExpiresAt.UnixNano()
		exp = &ns
	}
	return c.d.Write(ctx, func(w WriteTx) error {
		_, err := w.Exec(ctx, `INSERT INTO tokens (id, hash, role, party, name, created_ns, expires_ns) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.ID, t.Hash, string(t.Role), string(t.Party), t.Name, t.CreatedAt.UnixNano(), exp)
		if errors.Is(err, ErrUnique) {
			return truce.Errorf(truce.ECONFLICT, "token %s already exists", t.ID)
		} else if err != nil {
			return TextError(err, "create token")
		}
		_, err = w.Log(ledger.TokenRecord(truce.System, w.Now(), t))
		return err
	})
}

// TokenByHash returns the token with the given secret hash. ENOTFOUND if
// absent.
func (c Core) TokenByHash(ctx context.Context, hash string) (*truce.Token, error) {
	t, err := scanToken(c.d.DB.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, NotFound(err, "token", "no such token")
	}
	return t, nil
}

// Tokens lists every token, oldest first.
func (c Core) Tokens(ctx context.Context) ([]truce.Token, error) {
	return List(ctx, c.d.DB, "tokens", scanToken, `SELECT `+tokenCols+` FROM tokens ORDER BY created_ns, id`)
}

// RevokeToken revokes a token from time at, and logs it. ENOTFOUND if it
// does not exist or is revoked already.
func (c Core) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return c.d.Write(ctx, func(w WriteTx) error {
		n, err := w.Exec(ctx, `UPDATE tokens SET revoked_ns = $1 WHERE id = $2 AND revoked_ns IS NULL`, at.UnixNano(), id)
		if err != nil {
			return TextError(err, "revoke token")
		}
		if n == 0 {
			return truce.Errorf(truce.ENOTFOUND, "token %s not found or already revoked", id)
		}
		_, err = w.Log(ledger.TokenRevokedRecord(truce.System, w.Now(), id, at))
		return err
	})
}

// CreateSession stores a session of an active token, removing the
// sessions that have expired. ENOTFOUND if the token is absent or not
// active, ECONFLICT if the session exists.
func (c Core) CreateSession(ctx context.Context, se *truce.Session) error {
	return c.d.Tx(ctx, func(db DB) error {
		now := c.d.Now()
		t, err := scanToken(db.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = $1`, se.TokenID))
		if errors.Is(err, ErrNoRows) || (err == nil && !t.Active(now)) {
			return truce.Errorf(truce.ENOTFOUND, "token %s not found or not active", se.TokenID)
		} else if err != nil {
			return TextError(err, "create session")
		}
		if _, err := db.Exec(ctx, `DELETE FROM sessions WHERE expires_ns <= $1`, now.UnixNano()); err != nil {
			return TextError(err, "create session")
		}
		_, err = db.Exec(ctx, `INSERT INTO sessions (hash, token_id, created_ns, expires_ns) VALUES ($1, $2, $3, $4)`,
			se.Hash, se.TokenID, se.CreatedAt.UnixNano(), se.ExpiresAt.UnixNano())
		switch {
		case errors.Is(err, ErrUnique):
			return truce.Errorf(truce.ECONFLICT, "the session exists already")
		case errors.Is(err, ErrForeignKey): // the token went after it was read
			return truce.Errorf(truce.ENOTFOUND, "token %s not found or not active", se.TokenID)
		case err != nil:
			return TextError(err, "create session")
		}
		return nil
	})
}

// SessionToken returns the token an active session acts as. ENOTFOUND if
// there is no such session or it has ended.
func (c Core) SessionToken(ctx context.Context, hash string) (*truce.Token, error) {
	var created, expires int64
	row := c.d.DB.QueryRow(ctx, `SELECT `+Prefixed(tokenCols, "t.")+`, s.created_ns, s.expires_ns
		FROM sessions s JOIN tokens t ON t.id = s.token_id WHERE s.hash = $1`, hash)
	t, err := scanToken(WithExtra(row, &created, &expires))
	if err != nil {
		return nil, NotFound(err, "session", "no such session")
	}
	se := truce.Session{Hash: hash, TokenID: t.ID, CreatedAt: unixUTC(created), ExpiresAt: unixUTC(expires)}
	if !se.Active(t, c.d.Now()) {
		return nil, truce.Errorf(truce.ENOTFOUND, "the session has ended")
	}
	return t, nil
}

// DeleteSession removes a session (sign-out). ENOTFOUND if absent.
func (c Core) DeleteSession(ctx context.Context, hash string) error {
	return c.d.Tx(ctx, func(db DB) error {
		n, err := db.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
		if err != nil {
			return TextError(err, "delete session")
		}
		if n == 0 {
			return truce.Errorf(truce.ENOTFOUND, "no such session")
		}
		return nil
	})
}
