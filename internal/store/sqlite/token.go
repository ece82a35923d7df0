package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
	var exp any
	if t.ExpiresAt != nil {
		exp = t.ExpiresAt.UnixNano()
	}
	return s.write(ctx, func(w *writeTx) error {
		_, err := w.ExecContext(ctx, `INSERT INTO tokens (id, hash, role, party, name, created_ns, expires_ns) VALUES (?,?,?,?,?,?,?)`,
			t.ID, t.Hash, string(t.Role), string(t.Party), t.Name, t.CreatedAt.UnixNano(), exp)
		if isConstraint(err) {
			return truce.Errorf(truce.ECONFLICT, "token %s already exists", t.ID)
		} else if err != nil {
			return fmt.Errorf("sqlite: create token: %w", err)
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
	var exp, rev sql.NullInt64
	if err := sc.Scan(&t.ID, &t.Hash, &role, &party, &t.Name, &created, &exp, &rev); err != nil {
		return nil, err
	}
	t.Role, t.Party, t.CreatedAt = truce.Role(role), truce.PartyID(party), time.Unix(0, created).UTC()
	if exp.Valid {
		e := time.Unix(0, exp.Int64).UTC()
		t.ExpiresAt = &e
	}
	if rev.Valid {
		r := time.Unix(0, rev.Int64).UTC()
		t.RevokedAt = &r
	}
	return &t, nil
}

// TokenByHash returns the token with the given secret hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*truce.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "no such token")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: token: %w", err)
	}
	return t, nil
}

// Tokens lists every token, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]truce.Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY created_ns, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tokens: %w", err)
	}
	defer rows.Close()
	var out []truce.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: tokens: %w", err)
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token from time at, and logs it.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(w *writeTx) error {
		res, err := w.ExecContext(ctx, `UPDATE tokens SET revoked_ns = ? WHERE id = ? AND revoked_ns IS NULL`, at.UnixNano(), id)
		if err != nil {
			return fmt.Errorf("sqlite: revoke token: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: revoke token: %w", err)
		} else if n == 0 {
			return truce.Errorf(truce.ENOTFOUND, "token %s not found or already revoked", id)
		}
		_, err = w.log(ledger.TokenRevokedRecord(truce.System, w.now, id, at))
		return err
	})
}
