package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"truce"
	"truce/internal/ledger"
)

const (
	agreementSelect = `SELECT ` + agreementCols + ` FROM agreements`
	// agreementHead selects agreementCols without the bundle.
	agreementHead = `SELECT id, version, sha256, NULL, created_ns, log_index FROM agreements`
)

// PutAgreement stores a new version of agreement id unless its latest
// version has the same bundle, and logs it; either way that version
// becomes the current agreement. EINVALID without an id.
func (c Core) PutAgreement(ctx context.Context, by truce.Principal, id truce.AgreementID, bundle []byte) (*truce.AgreementVersion, bool, error) {
	if id == "" {
		return nil, false, truce.Errorf(truce.EINVALID, "agreement id required")
	}
	if bundle == nil {
		bundle = []byte{} // NULL is not an empty bundle
	}
	sum := sha256.Sum256(bundle)
	hash := hex.EncodeToString(sum[:])
	created := false
	v, err := write(ctx, c, func(w WriteTx) (*truce.AgreementVersion, error) {
		latest, err := scanAgreement(w.QueryRow(ctx, agreementSelect+` WHERE id = $1 ORDER BY version DESC LIMIT 1`, string(id)))
		if errors.Is(err, ErrNoRows) {
			latest = nil
		} else if err != nil {
			return nil, fmt.Errorf("put agreement %s: %w", id, err)
		}
		if latest != nil && latest.SHA256 == hash {
			return latest, c.setCurrent(ctx, w, latest.ID, latest.Version)
		}
		v := &truce.AgreementVersion{ID: id, Version: 1, SHA256: hash, Bundle: bundle, CreatedAt: w.Now()}
		if latest != nil {
			v.Version = latest.Version + 1
		}
		if v.LogIndex, err = w.Log(ledger.AgreementRecord(by, w.Now(), v)); err != nil {
			return nil, err
		}
		if _, err := w.Exec(ctx, `INSERT INTO agreements (`+agreementCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			string(v.ID), v.Version, v.SHA256, v.Bundle, v.CreatedAt.UnixNano(), v.LogIndex); err != nil {
			return nil, TextError(err, "put agreement "+string(id))
		}
		created = true
		return v, c.setCurrent(ctx, w, v.ID, v.Version)
	})
	if err != nil {
		return nil, false, err
	}
	return v, created, nil
}

// LatestAgreement returns the latest version of agreement id, or the
// current agreement when id is "". ENOTFOUND if there is none.
func (c Core) LatestAgreement(ctx context.Context, id truce.AgreementID) (*truce.AgreementVersion, error) {
	if id == "" {
		return c.currentAgreement(ctx, agreementSelect)
	}
	v, err := scanAgreement(c.d.DB.QueryRow(ctx, agreementSelect+` WHERE id = $1 ORDER BY version DESC LIMIT 1`, string(id)))
	if err != nil {
		return nil, NotFound(err, "latest agreement", "agreement %s not found", id)
	}
	return v, nil
}

// LatestAgreementHead returns the current agreement without its bundle.
func (c Core) LatestAgreementHead(ctx context.Context) (*truce.AgreementVersion, error) {
	return c.currentAgreement(ctx, agreementHead)
}

// currentAgreement reads the current agreement version with sel.
func (c Core) currentAgreement(ctx context.Context, sel string) (*truce.AgreementVersion, error) {
	id, ver, err := Current(ctx, c.d.DB)
	if err != nil {
		return nil, err
	}
	v, err := scanAgreement(c.d.DB.QueryRow(ctx, sel+` WHERE id = $1 AND version = $2`, string(id), ver))
	if err != nil {
		return nil, NotFound(err, "current agreement", "no agreement is stored")
	}
	return v, nil
}

// Agreement returns one version of an agreement. ENOTFOUND if absent.
func (c Core) Agreement(ctx context.Context, id truce.AgreementID, version int) (*truce.AgreementVersion, error) {
	v, err := scanAgreement(c.d.DB.QueryRow(ctx, agreementSelect+` WHERE id = $1 AND version = $2`, string(id), version))
	if err != nil {
		return nil, NotFound(err, "agreement", "agreement %s version %d not found", id, version)
	}
	return v, nil
}

// AgreementVersions lists an agreement's versions, oldest first, without
// their bundles. ENOTFOUND if it has none.
func (c Core) AgreementVersions(ctx context.Context, id truce.AgreementID) ([]truce.AgreementVersion, error) {
	out, err := List(ctx, c.d.DB, "agreement versions", scanAgreement, agreementHead+` WHERE id = $1 ORDER BY version`, string(id))
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, truce.Errorf(truce.ENOTFOUND, "agreement %s not found", id)
	}
	return out, nil
}

// Current returns the current agreement version: the one most recently
// put (PutAgreement), or, in a database where none was put since the
// stores kept track, the most recently stored one; version 0 when no
// agreement is stored.
func Current(ctx context.Context, db DB) (truce.AgreementID, int, error) {
	var cur, ver *string
	if err := db.QueryRow(ctx, `SELECT `+currentSettings).Scan(&cur, &ver); err != nil {
		return "", 0, fmt.Errorf("settings: %w", err)
	}
	return currentOf(ctx, db, cur, ver)
}

// currentSettings selects the settings that name the current agreement
// version (Current), as two columns, NULL when not set.
const currentSettings = `(SELECT value FROM settings WHERE key = 'current_agreement'),
	(SELECT value FROM settings WHERE key = 'current_version')`

// currentOf is Current given the settings currentSettings read.
func currentOf(ctx context.Context, db DB, cur, ver *string) (truce.AgreementID, int, error) {
	if cur != nil && ver != nil {
		if v, err := strconv.Atoi(*ver); err == nil {
			return truce.AgreementID(*cur), v, nil
		}
	}
	var id string
	var v int
	err := db.QueryRow(ctx, `SELECT id, version FROM agreements ORDER BY log_index DESC LIMIT 1`).Scan(&id, &v)
	if errors.Is(err, ErrNoRows) {
		return "", 0, nil
	} else if err != nil {
		return "", 0, fmt.Errorf("current agreement: %w", err)
	}
	return truce.AgreementID(id), v, nil
}

// storedCurrent reads the current agreement version as stored in
// settings, without Current's fallback; ok is false if none is stored,
// and a version that is not a number is -1.
func storedCurrent(ctx context.Context, db DB) (id truce.AgreementID, version int, ok bool, err error) {
	err = Each(ctx, db, "settings", func(sc Scanner) ([2]string, error) {
		var kv [2]string
		return kv, sc.Scan(&kv[0], &kv[1])
	}, func(kv [2]string) error {
		ok = true
		if kv[0] == "current_agreement" {
			id = truce.AgreementID(kv[1])
		} else if v, err := strconv.Atoi(kv[1]); err == nil {
			version = v
		} else {
			version = -1
		}
		return nil
	}, `SELECT key, value FROM settings WHERE key IN ('current_agreement', 'current_version')`)
	if err != nil {
		return "", 0, false, err
	}
	return id, version, ok, nil
}

// setCurrent makes agreement version (id, version) the current one: the
// version whose judgements the incident figures and every reader show.
// When that changes the current version, every incident is refreshed
// under it: the version adjudicated again after another shows its own
// judgements at once, and a new one none until its reports are judged.
func (c Core) setCurrent(ctx context.Context, w WriteTx, id truce.AgreementID, version int) error {
	prevID, prevVer, err := Current(ctx, w)
	if err != nil {
		return err
	}
	if err := logCurrent(ctx, w, id, version); err != nil {
		return err
	}
	if _, err := w.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('current_agreement', $1), ('current_version', $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(id), strconv.Itoa(version)); err != nil {
		return TextError(err, "settings")
	}
	if prevID == id && prevVer == version {
		return nil
	}
	return refreshAll(ctx, w)
}

// refreshAll refreshes every incident that holds reports.
func refreshAll(ctx context.Context, w WriteTx) error {
	ids, err := Column(ctx, w, "refresh incidents", `SELECT DISTINCT incident_id FROM reports ORDER BY incident_id`)
	if err != nil {
		return err
	}
	return refresh(ctx, w, typed[truce.IncidentID](ids)...)
}

// refresh recomputes the figures of incidents ids under the current
// agreement version.
func refresh(ctx context.Context, w WriteTx, ids ...truce.IncidentID) error {
	if len(ids) == 0 {
		return nil
	}
	agreement, version, err := Current(ctx, w)
	if err != nil {
		return err
	}
	return w.Refresh(agreement, version, ids)
}

// logCurrent logs that agreement version (id, version) becomes the current
// one (agreement.current), unless it is already, or is a new version whose
// record this transaction appended: which version is current decides what
// every incident shows, so each change of it is in the log.
func logCurrent(ctx context.Context, w WriteTx, id truce.AgreementID, version int) error {
	cur, ver, ok, err := storedCurrent(ctx, w)
	if err != nil {
		return err
	}
	if ok && cur == id && ver == version {
		return nil
	}
	// A version whose record this transaction has just appended is
	// current by that record (ledger.State).
	if w.Appended() {
		size, err := w.Size()
		if err != nil {
			return err
		}
		var n int
		if err := w.QueryRow(ctx, `SELECT COUNT(*) FROM agreements WHERE id = $1 AND version = $2 AND log_index = $3`,
			string(id), version, size-1).Scan(&n); err != nil {
			return fmt.Errorf("current agreement: %w", err)
		}
		if n > 0 {
			return nil
		}
	}
	_, err = w.Log(ledger.CurrentRecord(truce.System, w.Now(), id, version))
	return err
}
