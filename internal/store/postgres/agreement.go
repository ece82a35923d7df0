package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/ledger"
)

const agreementSelect = `SELECT id, version, sha256, bundle, created_ns, log_index FROM agreements`

func scanAgreement(sc scanner) (*truce.AgreementVersion, error) {
	var v truce.AgreementVersion
	var id string
	var version int32
	var created int64
	if err := sc.Scan(&id, &version, &v.SHA256, &v.Bundle, &created, &v.LogIndex); err != nil {
		return nil, err
	}
	v.ID, v.Version, v.CreatedAt = truce.AgreementID(id), int(version), time.Unix(0, created).UTC()
	return &v, nil
}

// PutAgreement stores a new version of agreement id unless its latest
// version has the same bundle, and logs it; either way that version
// becomes the current agreement.
func (s *Store) PutAgreement(ctx context.Context, by truce.Principal, id truce.AgreementID, bundle []byte) (*truce.AgreementVersion, bool, error) {
	if id == "" {
		return nil, false, truce.Errorf(truce.EINVALID, "agreement id required")
	}
	if bundle == nil {
		bundle = []byte{}
	}
	sum := sha256.Sum256(bundle)
	hash := hex.EncodeToString(sum[:])
	var v *truce.AgreementVersion
	created := false
	err := s.write(ctx, func(w *writeTx) error {
		latest, err := scanAgreement(w.QueryRow(ctx, agreementSelect+` WHERE id = $1 ORDER BY version DESC LIMIT 1`, string(id)))
		if errors.Is(err, pgx.ErrNoRows) {
			latest = nil
		} else if err != nil {
			return fmt.Errorf("postgres: put agreement %s: %w", id, err)
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
		if _, err := w.Exec(ctx, `INSERT INTO agreements (id, version, sha256, bundle, created_ns, log_index) VALUES ($1, $2, $3, $4, $5, $6)`,
			string(v.ID), int32(v.Version), v.SHA256, v.Bundle, v.CreatedAt.UnixNano(), v.LogIndex); err != nil {
			return textError(err, "put agreement "+string(id))
		}
		created = true
		return w.setCurrent(v.ID, v.Version)
	})
	if err != nil {
		return nil, false, err
	}
	return v, created, nil
}

// LatestAgreement returns the latest version of agreement id, or the
// current agreement when id is "".
func (s *Store) LatestAgreement(ctx context.Context, id truce.AgreementID) (*truce.AgreementVersion, error) {
	if id == "" {
		return s.currentAgreement(ctx, agreementSelect)
	}
	v, err := scanAgreement(s.pool.QueryRow(ctx, agreementSelect+` WHERE id = $1 ORDER BY version DESC LIMIT 1`, string(id)))
	if err != nil {
		return nil, notFound(err, "latest agreement", "agreement %s not found", id)
	}
	return v, nil
}

// LatestAgreementHead returns the current agreement without its bundle.
func (s *Store) LatestAgreementHead(ctx context.Context) (*truce.AgreementVersion, error) {
	return s.currentAgreement(ctx, `SELECT id, version, sha256, NULL::bytea, created_ns, log_index FROM agreements`)
}

// currentAgreement reads the current agreement version with sel.
func (s *Store) currentAgreement(ctx context.Context, sel string) (*truce.AgreementVersion, error) {
	id, ver, err := current(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	v, err := scanAgreement(s.pool.QueryRow(ctx, sel+` WHERE id = $1 AND version = $2`, string(id), int32(ver)))
	if err != nil {
		return nil, notFound(err, "latest agreement", "no agreement is stored")
	}
	return v, nil
}

// Agreement returns one version of an agreement.
func (s *Store) Agreement(ctx context.Context, id truce.AgreementID, version int) (*truce.AgreementVersion, error) {
	v, err := scanAgreement(s.pool.QueryRow(ctx, agreementSelect+` WHERE id = $1 AND version = $2`, string(id), int32(version)))
	if err != nil {
		return nil, notFound(err, "agreement", "agreement %s version %d not found", id, version)
	}
	return v, nil
}

// AgreementVersions lists an agreement's versions, oldest first, without
// their bundles. ENOTFOUND if it has none.
func (s *Store) AgreementVersions(ctx context.Context, id truce.AgreementID) ([]truce.AgreementVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, version, sha256, NULL::bytea, created_ns, log_index FROM agreements WHERE id = $1 ORDER BY version`, string(id))
	if err != nil {
		return nil, fmt.Errorf("postgres: agreement versions: %w", err)
	}
	defer rows.Close()
	var out []truce.AgreementVersion
	for rows.Next() {
		v, err := scanAgreement(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: agreement versions: %w", err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: agreement versions: %w", err)
	}
	if len(out) == 0 {
		return nil, truce.Errorf(truce.ENOTFOUND, "agreement %s not found", id)
	}
	return out, nil
}
