package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"truce"
	"truce/internal/ledger"
)

// Backfill brings a database written before sites, tokens and the current
// agreement version were logged up to date, once, in one write
// transaction, when migration 3 asked for it: it logs the sites and tokens
// the log does not have and the current agreement version if the log does
// not make it current (ledger.Backfill), and recomputes every incident's
// figures. The stores call it when they open. A database with none of
// those rows is only unmarked, so that opening an empty database does not
// generate its log key. A log that does not replay is left as it is, for
// `truce log verify` to report.
func Backfill(ctx context.Context, c Core) error {
	if pending, err := backfillPending(ctx, c.d.DB); err != nil || !pending {
		return err
	}
	var data bool
	if err := c.d.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sites) OR EXISTS (SELECT 1 FROM tokens)
		OR EXISTS (SELECT 1 FROM settings WHERE key = 'current_agreement') OR EXISTS (SELECT 1 FROM incidents)`).Scan(&data); err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	if !data {
		return unmarkBackfill(ctx, c.d.DB)
	}
	return c.d.Write(ctx, func(w WriteTx) error {
		if pending, err := backfillPending(ctx, w); err != nil || !pending {
			return err
		}
		st, err := replayLog(ctx, w)
		if err != nil || st == nil {
			return err // a log that does not replay is left for log verify to report
		}
		recs, err := unlogged(ctx, w, st)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if _, err := w.Log(rec, nil); err != nil {
				return err
			}
		}
		// An earlier store may have left figures as they were when the
		// current agreement changed, and merged-away incidents with the
		// figures of reports they no longer hold.
		if err := refreshAll(ctx, w); err != nil {
			return err
		}
		if err := c.clearFigures(ctx, w, ""); err != nil {
			return err
		}
		return unmarkBackfill(ctx, w)
	})
}

// backfillPending reports whether migration 3 asked for a backfill that
// has not run yet.
func backfillPending(ctx context.Context, db DB) (bool, error) {
	return settingPending(ctx, db, "log_backfill")
}

// settingPending reports whether a migration left the settings row key
// asking for work it could not do in SQL.
func settingPending(ctx context.Context, db DB, key string) (bool, error) {
	var v string
	err := db.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("backfill: %w", err)
	}
	return true, nil
}

func unmarkBackfill(ctx context.Context, db DB) error {
	if _, err := db.Exec(ctx, `DELETE FROM settings WHERE key = 'log_backfill'`); err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	return nil
}

// replayLog replays the whole log; nil if a record does not decode or
// replay.
func replayLog(ctx context.Context, db DB) (*ledger.State, error) {
	st := ledger.NewState()
	replays := true
	err := Each(ctx, db, "backfill", scanRecord, func(r record) error {
		rec, err := ledger.DecodeRecord(r.data)
		if err == nil {
			err = st.Apply(rec)
		}
		replays = replays && err == nil
		return nil
	}, `SELECT idx, data FROM log_records ORDER BY idx`)
	if err != nil || !replays {
		return nil, err
	}
	return st, nil
}

// unlogged returns the records of the sites, tokens and current agreement
// version that st, the replayed log, does not have.
func unlogged(ctx context.Context, w WriteTx, st *ledger.State) ([]*ledger.Record, error) {
	src := rowSource{db: w}
	var sites []truce.Site
	if err := src.Sites(ctx, func(s *truce.Site) error { sites = append(sites, *s); return nil }); err != nil {
		return nil, err
	}
	var tokens []truce.Token
	if err := src.Tokens(ctx, func(t *truce.Token) error { tokens = append(tokens, *t); return nil }); err != nil {
		return nil, err
	}
	cur, ver, ok, err := storedCurrent(ctx, w)
	if err != nil {
		return nil, err
	}
	return ledger.Backfill(st, truce.System, w.Now(), sites, tokens, cur, ver, ok)
}
