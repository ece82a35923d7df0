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
	"truce/internal/ledger"
)

// PutAgreement stores a new version of agreement id unless its latest
// version has the same bundle, and logs it; either way that version
// becomes the current agreement.
func (s *Store) PutAgreement(ctx context.Context, by truce.Principal, id truce.AgreementID, bundle []byte) (*truce.AgreementVersion, bool, error) {
	if id == "" {
		return nil, false, truce.Errorf(truce.EINVALID, "agreement id required")
	}
	sum := sha256.Sum256(bundle)
	hash := hex.EncodeToString(sum[:])
	var v *truce.AgreementVersion
	created := false
	err := s.write(ctx, func(w *writeTx) error {
		latest, err := scanAgreement(w.QueryRowContext(ctx, agreementSelect+` WHERE id = ? ORDER BY version DESC LIMIT 1`, string(id)), id)
		if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
			return err
		}
		if latest != nil && latest.SHA256 == hash {
			v = latest
			return w.setCurrent(v.ID, v.Version)
		}
		v = &truce.AgreementVersion{ID: id, Version: 1, SHA256: hash, Bundle: bundle, CreatedAt: w.now}
		if latest != nil {
			v.Version = latest.Version + 1
		}
		if v.LogIndex, err = w.log(ledger.AgreementRecord(by, w.now, v)); err != nil {
			return err
		}
		if _, err := w.ExecContext(ctx, `INSERT INTO agreements (id, version, sha256, bundle, created_ns, log_index) VALUES (?,?,?,?,?,?)`,
			string(v.ID), v.Version, v.SHA256, v.Bundle, v.CreatedAt.UnixNano(), v.LogIndex); err != nil {
			return fmt.Errorf("sqlite: put agreement %s: %w", id, err)
		}
		created = true
		return w.setCurrent(v.ID, v.Version)
	})
	if err != nil {
		return nil, false, err
	}
	return v, created, nil
}

const agreementSelect = `SELECT id, version, sha256, bundle, created_ns, log_index FROM agreements`

func scanAgreement(row *sql.Row, id truce.AgreementID) (*truce.AgreementVersion, error) {
	var v truce.AgreementVersion
	var aid string
	var created int64
	err := row.Scan(&aid, &v.Version, &v.SHA256, &v.Bundle, &created, &v.LogIndex)
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

// LatestAgreement returns the latest version of agreement id, or the
// current agreement when id is "".
func (s *Store) LatestAgreement(ctx context.Context, id truce.AgreementID) (*truce.AgreementVersion, error) {
	if id == "" {
		return s.currentAgreement(ctx, agreementSelect)
	}
	return scanAgreement(s.db.QueryRowContext(ctx, agreementSelect+` WHERE id = ? ORDER BY version DESC LIMIT 1`, string(id)), id)
}

// LatestAgreementHead returns the current agreement without its bundle.
func (s *Store) LatestAgreementHead(ctx context.Context) (*truce.AgreementVersion, error) {
	return s.currentAgreement(ctx, `SELECT id, version, sha256, NULL, created_ns, log_index FROM agreements`)
}

// currentAgreement reads the current agreement version with sel.
func (s *Store) currentAgreement(ctx context.Context, sel string) (*truce.AgreementVersion, error) {
	id, ver, err := current(ctx, s.db)
	if err != nil {
		return nil, err
	}
	v, err := scanAgreement(s.db.QueryRowContext(ctx, sel+` WHERE id = ? AND version = ?`, string(id), ver), "")
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Agreement returns one version of an agreement.
func (s *Store) Agreement(ctx context.Context, id truce.AgreementID, version int) (*truce.AgreementVersion, error) {
	v, err := scanAgreement(s.db.QueryRowContext(ctx, agreementSelect+` WHERE id = ? AND version = ?`, string(id), version), id)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return nil, truce.Errorf(truce.ENOTFOUND, "agreement %s version %d not found", id, version)
	}
	return v, err
}

// AgreementVersions lists an agreement's versions without their bundles.
func (s *Store) AgreementVersions(ctx context.Context, id truce.AgreementID) ([]truce.AgreementVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, version, sha256, created_ns, log_index FROM agreements WHERE id = ? ORDER BY version`, string(id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: agreement versions: %w", err)
	}
	defer rows.Close()
	var out []truce.AgreementVersion
	for rows.Next() {
		var v truce.AgreementVersion
		var aid string
		var created int64
		if err := rows.Scan(&aid, &v.Version, &v.SHA256, &created, &v.LogIndex); err != nil {
			return nil, fmt.Errorf("sqlite: agreement versions: %w", err)
		}
		v.ID, v.CreatedAt = truce.AgreementID(aid), time.Unix(0, created).UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: agreement versions: %w", err)
	}
	if len(out) == 0 {
		return nil, truce.Errorf(truce.ENOTFOUND, "agreement %s not found", id)
	}
	return out, nil
}
