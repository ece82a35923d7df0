package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"truce"
	"truce/internal/ledger"
)

// PutSites stores the sites not yet stored and logs each one (site.added),
// in one transaction: sites are reference data that verdicts depend on.
func (s *Store) PutSites(ctx context.Context, ss []*truce.Site) (int, error) {
	for _, site := range ss {
		if err := site.Validate(); err != nil {
			return 0, err
		}
	}
	added := 0
	err := s.write(ctx, func(w *writeTx) error {
		b := &pgx.Batch{}
		inserted := make([]bool, len(ss))
		for i, site := range ss {
			attrs := site.Attrs
			if attrs == nil {
				attrs = map[string]string{}
			}
			b.Queue(`INSERT INTO sites (`+siteCols+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
				string(site.ID), site.Name, site.Country, site.Location.Lon, site.Location.Lat, string(site.Category), attrs,
				site.CapacityMW, site.Source).Exec(func(ct pgconn.CommandTag) error {
				inserted[i] = ct.RowsAffected() > 0
				return nil
			})
		}
		if err := w.SendBatch(ctx, b).Close(); err != nil {
			return textError(err, "put sites")
		}
		for i, site := range ss {
			if !inserted[i] {
				continue
			}
			if _, err := w.log(ledger.SiteRecord(ledger.KindSiteAdded, truce.System, w.now, site)); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// SiteCount returns how many sites are stored.
func (s *Store) SiteCount(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sites`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: site count: %w", err)
	}
	return n, nil
}

const siteCols = `id, name, country, lon, lat, category, attrs, capacity_mw, source`

func scanSite(sc scanner) (*truce.Site, error) {
	var site truce.Site
	var id, cat string
	if err := sc.Scan(&id, &site.Name, &site.Country, &site.Location.Lon, &site.Location.Lat, &cat, &site.Attrs, &site.CapacityMW, &site.Source); err != nil {
		return nil, err
	}
	site.ID, site.Category = truce.SiteID(id), truce.CategoryID(cat)
	if len(site.Attrs) == 0 {
		site.Attrs = nil
	}
	return &site, nil
}

// Sites returns every site, ordered by id.
func (s *Store) Sites(ctx context.Context) ([]truce.Site, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+siteCols+` FROM sites ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: sites: %w", err)
	}
	defer rows.Close()
	var out []truce.Site
	for rows.Next() {
		site, err := scanSite(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: sites: %w", err)
		}
		out = append(out, *site)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sites: %w", err)
	}
	return out, nil
}
