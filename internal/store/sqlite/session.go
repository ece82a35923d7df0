package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"truce"
)

// CreateSession stores a session of an active token, removing the
// sessions that have expired.
func (s *Store) CreateSession(ctx context.Context, se *truce.Session) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, se.TokenID))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !t.Active(now)) {
		return truce.Errorf(truce.ENOTFOUND, "token %s not found or not active", se.TokenID)
	} else if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_ns <= ?`, now.UnixNano()); err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sessions (hash, token_id, created_ns, expires_ns) VALUES (?,?,?,?)`,
		se.Hash, se.TokenID, se.CreatedAt.UnixNano(), se.ExpiresAt.UnixNano())
	if isConstraint(err) {
		return truce.Errorf(truce.ECONFLICT, "the session exists already")
	} else if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
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
	row := s.db.QueryRowContext(ctx, `SELECT `+sessionTokenCols+`, s.created_ns, s.expires_ns
		FROM sessions s JOIN tokens t ON t.id = s.token_id WHERE s.hash = ?`, hash)
	t, err := scanToken(withExtra{row, []any{&created, &expires}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: session: %w", err)
	}
	se := truce.Session{Hash: hash, TokenID: t.ID, CreatedAt: time.Unix(0, created).UTC(), ExpiresAt: time.Unix(0, expires).UTC()}
	if !se.Active(t, s.Now()) {
		return nil, truce.Errorf(truce.ENOTFOUND, "the session has ended")
	}
	return t, nil
}

// DeleteSession removes a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	} else if n == 0 {
		return truce.Errorf(truce.ENOTFOUND, "no such session")
	}
	return nil
}
