package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"truce"
)

// PutAgreement stores a new version of agreement id unless its latest
// version has the same bundle.
func (s *Store) PutAgreement(ctx context.Context, id truce.AgreementID, bundle []byte) (*truce.AgreementVersion, bool, error) {
	if id == "" {
		return nil, false, truce.Errorf(truce.EINVALID, "agreement id required")
	}
	sum := sha256.Sum256(bundle)
	hash := hex.EncodeToString(sum[:])
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: put agreement: %w", err)
	}
	defer tx.Rollback()
	latest, err := latestAgreement(ctx, tx, id)
	if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
		return nil, false, err
	}
	if latest != nil && latest.SHA256 == hash {
		return latest, false, nil
	}
	v := &truce.AgreementVersion{ID: id, Version: 1, SHA256: hash, Bundle: bundle, CreatedAt: s.Now().UTC()}
	if latest != nil {
		v.Version = latest.Version + 1
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agreements (id, version, sha256, bundle, created_ns) VALUES (?,?,?,?,?)`,
		string(v.ID), v.Version, v.SHA256, v.Bundle, v.CreatedAt.UnixNano()); err != nil {
		return nil, false, fmt.Errorf("sqlite: put agreement %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("sqlite: put agreement %s: %w", id, err)
	}
	return v, true, nil
}

// LatestAgreement returns the latest version of agreement id, or of the
// most recently stored agreement when id is "".
func (s *Store) LatestAgreement(ctx context.Context, id truce.AgreementID) (*truce.AgreementVersion, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: agreement: %w", err)
	}
	defer tx.Rollback()
	return latestAgreement(ctx, tx, id)
}

func latestAgreement(ctx context.Context, tx *sql.Tx, id truce.AgreementID) (*truce.AgreementVersion, error) {
	q := `SELECT id, version, sha256, bundle, created_ns FROM agreements WHERE id = ? ORDER BY version DESC LIMIT 1`
	args := []any{string(id)}
	if id == "" {
		q = `SELECT id, version, sha256, bundle, created_ns FROM agreements ORDER BY created_ns DESC, rowid DESC LIMIT 1`
		args = nil
	}
	var v truce.AgreementVersion
	var aid string
	var created int64
	err := tx.QueryRowContext(ctx, q, args...).Scan(&aid, &v.Version, &v.SHA256, &v.Bundle, &created)
	if errors.Is(err, sql.ErrNoRows) {
		if id == "" {
			return nil, truce.Errorf(truce.ENOTFOUND, "no agreement is stored")
		}
		return nil, truce.Errorf(truce.ENOTFOUND, "agreement %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: agreement %s: %w", id, err)
	}
	v.ID, v.CreatedAt = truce.AgreementID(aid), time.Unix(0, created).UTC()
	return &v, nil
}
