package postgres

import (
	"context"
	"fmt"
	"time"

	"truce"
	"truce/internal/ledger"
)

// CreateToken stores a token (its hash only) and logs it: what a token
// may do is checked against the log.
func (s *Store) CreateToken(ctx context.Context, t *truce.Token) error {
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
	return s.write(ctx, func(w *writeTx) error {
		_, err := w.Exec(ctx, `INSERT INTO tokens (id, hash, role, party, name, created_ns, expires_ns) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.ID, t.Hash, string(t.Role), string(t.Party), t.Name, t.CreatedAt.UnixNano(), exp)
		if pgCode(err) == codeUniqueViolation {
			return truce.Errorf(truce.ECONFLICT, "token %s already exists", t.ID)
		} else if err != nil {
			return textError(err, "create token")
		}
		_, err = w.log(ledger.TokenRecord(truce.System, w.now, t))
		return err
	})
}

const tokenCols = `id, hash, role, party, name, created_ns, expires_ns, revoked_ns`

func scanToken(sc scanner) (*truce.Token, error) {
	var t truce.Token
	var role, party string
	var created int64
	var exp, rev *int64
	if err := sc.Scan(&t.ID, &t.Hash, &role, &party, &t.Name, &created, &exp, &rev); err != nil {
		return nil, err
	}
	t.Role, t.Party, t.CreatedAt = truce.Role(role), truce.PartyID(party), time.Unix(0, created).UTC()
	if exp != nil {
		e := time.Unix(0, *exp).UTC()
		t.ExpiresAt = &e
	}
	if rev != nil {
		r := time.Unix(0, *rev).UTC()
		t.RevokedAt = &r
	}
	return &t, nil
}

// TokenByHash returns the token with the given secret hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*truce.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "token", "no such token")
	}
	return t, nil
}

// Tokens lists every token, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]truce.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY created_ns, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: tokens: %w", err)
	}
	defer rows.Close()
	var out []truce.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: tokens: %w", err)
		}
		out = append(out, *t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes a token from time at, and logs it. ENOTFOUND if it
// does not exist or is revoked already.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(w *writeTx) error {
		ct, err := w.Exec(ctx, `UPDATE tokens SET revoked_ns = $1 WHERE id = $2 AND revoked_ns IS NULL`, at.UnixNano(), id)
		if err != nil {
			return fmt.Errorf("postgres: revoke token: %w", err)
		}
		if ct.RowsAffected() == 0 {
			return truce.Errorf(truce.ENOTFOUND, "token %s not found or already revoked", id)
		}
		_, err = w.log(ledger.TokenRevokedRecord(truce.System, w.now, id, at))
		return err
	})
}
