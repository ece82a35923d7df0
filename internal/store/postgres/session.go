package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"truce"
)

// CreateSession stores a session of an active token, removing the
// sessions that have expired.
func (s *Store) CreateSession(ctx context.Context, se *truce.Session) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	now := s.Now()
	t, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = $1`, se.TokenID))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !t.Active(now)) {
		return truce.Errorf(truce.ENOTFOUND, "token %s not found or not active", se.TokenID)
	} else if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_ns <= $1`, now.UnixNano()); err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO sessions (hash, token_id, created_ns, expires_ns) VALUES ($1, $2, $3, $4)`,
		se.Hash, se.TokenID, se.CreatedAt.UnixNano(), se.ExpiresAt.UnixNano())
	if err != nil {
		switch pgCode(err) {
		case codeUniqueViolation:
			return truce.Errorf(truce.ECONFLICT, "the session exists already")
		case codeForeignKeyViolation: // the token went after it was read
			return truce.Errorf(truce.ENOTFOUND, "token %s not found or not active", se.TokenID)
		}
		return textError(err, "create session")
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	return nil
}

// sessionTokenCols are tokenCols of the tokens table joined as t.
const sessionTokenCols = `t.id, t.hash, t.role, t.party, t.name, t.created_ns, t.expires_ns, t.revoked_ns`

// withExtra scans a row into a scanner's columns and then into extra.
type withExtra struct {
	sc    scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// SessionToken returns the token an active session acts as.
func (s *Store) SessionToken(ctx context.Context, hash string) (*truce.Token, error) {
	var created, expires int64
	row := s.pool.QueryRow(ctx, `SELECT `+sessionTokenCols+`, s.created_ns, s.expires_ns
		FROM sessions s JOIN tokens t ON t.id = s.token_id WHERE s.hash = $1`, hash)
	t, err := scanToken(withExtra{row, []any{&created, &expires}})
	if err != nil {
		return nil, notFound(err, "session", "no such session")
	}
	se := truce.Session{Hash: hash, TokenID: t.ID, CreatedAt: time.Unix(0, created).UTC(), ExpiresAt: time.Unix(0, expires).UTC()}
	if !se.Active(t, s.Now()) {
		return nil, truce.Errorf(truce.ENOTFOUND, "the session has ended")
	}
	return t, nil
}

// DeleteSession removes a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	ct, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	if err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	if ct.RowsAffected() == 0 {
		return truce.Errorf(truce.ENOTFOUND, "no such session")
	}
	return nil
}
