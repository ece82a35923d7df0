package sqlite

import (
	"fmt"

	"truce"
	"truce/internal/ledger"
)

// logCurrent logs that agreement version (id, version) becomes the current
// one (agreement.current), unless it is already, or is a new version whose
// record this transaction appended: which version is current decides what
// every incident shows, so each change of it is in the log.
func (w *writeTx) logCurrent(id truce.AgreementID, version int) error {
	cur, ver, ok, err := storedCurrent(w.ctx, w.Tx)
	if err != nil {
		return err
	}
	if ok && cur == id && ver == version {
		return nil
	}
	// A version whose record this transaction has just appended is
	// current by that record (ledger.State).
	if w.size > 0 {
		var n int
		if err := w.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM agreements WHERE id = ? AND version = ? AND log_index = ?`,
			string(id), version, w.size-1).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: current agreement: %w", err)
		}
		if n > 0 {
			return nil
		}
	}
	_, err = w.log(ledger.CurrentRecord(truce.System, w.now, id, version))
	return err
}

// emptiedFigures is the update that gives incidents that hold no reports
// any more (merged away) no judgement figures, at their own report's time
// and place, as ledger.VerifyRows derives them: the figures they had
// describe reports they no longer hold, and could not be checked.
const emptiedFigures = `UPDATE incidents SET outcome = 0, parties = '', phases = '', explanation = '',
	start_ns = r.start_ns, lon = r.lon, lat = r.lat
	FROM reports r WHERE r.id = incidents.id AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.incident_id = incidents.id)`

// clearFigures applies emptiedFigures to incident id.
func (w *writeTx) clearFigures(id truce.IncidentID) error {
	if _, err := w.ExecContext(w.ctx, emptiedFigures+` AND incidents.id = ?`, string(id)); err != nil {
		return fmt.Errorf("sqlite: incident %s: %w", id, err)
	}
	return nil
}
