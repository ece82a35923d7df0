package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/ledger"
)

// backfillPending reports whether migration 3 asked for a backfill that
// has not run yet.
func backfillPending(ctx context.Context, q querier) (bool, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'log_backfill'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("postgres: backfill: %w", err)
	}
	return true, nil
}

// backfill brings a database written before sites, tokens and the current
// agreement version were logged up to date, once, in one write
// transaction: it logs the sites and tokens the log does not have and the
// current agreement version if the log does not make it current
// (ledger.Backfill), and recomputes every incident's figures (refreshAll).
// A database with none of those rows is only unmarked, so that opening an
// empty database does not generate its log key (see Store.LogOrigin). A
// log that does not replay is left as it is, for `truce log verify` to
// report.
func (s *Store) backfill(ctx context.Context) error {
	if pending, err := backfillPending(ctx, s.pool); err != nil || !pending {
		return err
	}
	var data bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sites) OR EXISTS (SELECT 1 FROM tokens)
		OR EXISTS (SELECT 1 FROM settings WHERE key = 'current_agreement') OR EXISTS (SELECT 1 FROM incidents)`).Scan(&data); err != nil {
		return fmt.Errorf("postgres: backfill: %w", err)
	}
	if !data {
		if _, err := s.pool.Exec(ctx, `DELETE FROM settings WHERE key = 'log_backfill'`); err != nil {
			return fmt.Errorf("postgres: backfill: %w", err)
		}
		return nil
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
		if _, err := w.Exec(ctx, `DELETE FROM settings WHERE key = 'log_backfill'`); err != nil {
			return fmt.Errorf("postgres: backfill: %w", err)
		}
		return nil
	})
}

// refreshAll recomputes the figures of every incident, as ledger.VerifyRows
// derives them: an earlier store may have left some as they were when the
// current agreement changed, and merged-away incidents with the figures of
// reports they no longer hold.
func (w *writeTx) refreshAll() error {
	rows, err := w.Query(w.ctx, `SELECT DISTINCT incident_id FROM reports ORDER BY incident_id`)
	if err != nil {
		return fmt.Errorf("postgres: backfill: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("postgres: backfill: %w", err)
	}
	if err := w.refreshIncidents(ids...); err != nil {
		return err
	}
	if _, err := w.Exec(w.ctx, emptiedFigures); err != nil {
		return fmt.Errorf("postgres: backfill: %w", err)
	}
	return nil
}

// replayLog replays the whole log; nil if a record does not decode or
// replay.
func replayLog(ctx context.Context, tx pgx.Tx) (*ledger.State, error) {
	rows, err := tx.Query(ctx, `SELECT data FROM log_records ORDER BY idx`)
	if err != nil {
		return nil, fmt.Errorf("postgres: backfill: %w", err)
	}
	defer rows.Close()
	st := ledger.NewState()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("postgres: backfill: %w", err)
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
		return nil, fmt.Errorf("postgres: backfill: %w", err)
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
