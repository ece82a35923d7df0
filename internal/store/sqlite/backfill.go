package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"truce"
	"truce/internal/ledger"
)

// backfillPending reports whether migration 3 asked for a backfill that
// has not run yet.
func backfillPending(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'log_backfill'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("sqlite: backfill: %w", err)
	}
	return true, nil
}

// backfill brings a database written before sites, tokens and the current
// agreement version were logged up to date, once, in one write
// transaction: it logs the sites and tokens the log does not have and the
// current agreement version if the log does not make it current
// (ledger.Backfill), and recomputes every incident's figures (refreshAll).
// A log that does not replay is left as it is, for `truce log verify` to
// report.
func (s *Store) backfill(ctx context.Context) error {
	if pending, err := backfillPending(ctx, s.db); err != nil || !pending {
		return err
	}
	return s.write(ctx, func(w *writeTx) error {
		if pending, err := backfillPending(ctx, w.Tx); err != nil || !pending {
			return err
		}
		st, err := replayLog(ctx, w.Tx)
		if err != nil {
			return err
		}
		if st == nil {
			return nil // the log does not replay: left for log verify to report
		}
		recs, err := w.unlogged(st)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if _, err := w.log(rec, nil); err != nil {
				return err
			}
		}
		if err := w.refreshAll(); err != nil {
			return err
		}
		if _, err := w.ExecContext(ctx, `DELETE FROM settings WHERE key = 'log_backfill'`); err != nil {
			return fmt.Errorf("sqlite: backfill: %w", err)
		}
		return nil
	})
}

// refreshAll recomputes the figures of every incident, as ledger.VerifyRows
// derives them: an earlier store may have left some as they were when the
// current agreement changed, and merged-away incidents with the figures of
// reports they no longer hold.
func (w *writeTx) refreshAll() error {
	rows, err := w.QueryContext(w.ctx, `SELECT DISTINCT incident_id FROM reports ORDER BY incident_id`)
	if err != nil {
		return fmt.Errorf("sqlite: backfill: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: backfill: %w", err)
		}
		ids = append(ids, id)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("sqlite: backfill: %w", err)
	}
	for _, id := range ids {
		if err := w.refreshIncident(id); err != nil {
			return err
		}
	}
	if _, err := w.ExecContext(w.ctx, emptiedFigures); err != nil {
		return fmt.Errorf("sqlite: backfill: %w", err)
	}
	return nil
}

// replayLog replays the whole log; nil if a record does not decode or
// replay.
func replayLog(ctx context.Context, tx *sql.Tx) (*ledger.State, error) {
	rows, err := tx.QueryContext(ctx, `SELECT data FROM log_records ORDER BY idx`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: backfill: %w", err)
	}
	defer rows.Close()
	st := ledger.NewState()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("sqlite: backfill: %w", err)
		}
		rec, err := ledger.DecodeRecord(data)
		if err == nil {
			err = st.Apply(rec)
		}
		if err != nil {
			return nil, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: backfill: %w", err)
	}
	return st, nil
}

// unlogged returns the records of the sites, tokens and current agreement
// version that st, the replayed log, does not have.
func (w *writeTx) unlogged(st *ledger.State) ([]*ledger.Record, error) {
	var sites []truce.Site
	src := rowSource{w.Tx}
	if err := src.Sites(w.ctx, func(s *truce.Site) error { sites = append(sites, *s); return nil }); err != nil {
		return nil, err
	}
	var tokens []truce.Token
	if err := src.Tokens(w.ctx, func(t *truce.Token) error { tokens = append(tokens, *t); return nil }); err != nil {
		return nil, err
	}
	cur, ver, ok, err := storedCurrent(w.ctx, w.Tx)
	if err != nil {
		return nil, err
	}
	return ledger.Backfill(st, truce.System, w.now, sites, tokens, cur, ver, ok)
}
