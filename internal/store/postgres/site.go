package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"truce"
)

// PutSites stores the sites not yet stored, in one transaction and one
// round trip.
func (s *Store) PutSites(ctx context.Context, ss []*truce.Site) (int, error) {
	for _, site := range ss {
		if err := site.Validate(); err != nil {
			return 0, err
		}
	}
	added := 0
	b := &pgx.Batch{}
	for _, site := range ss {
		attrs := site.Attrs
		if attrs == nil {
			attrs = map[string]string{}
		}
		b.Queue(`INSERT INTO sites (id, name, country, lon, lat, category, attrs, capacity_mw, source)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
			string(site.ID), site.Name, site.Country, site.Location.Lon, site.Location.Lat, string(site.Category), attrs,
			site.CapacityMW, site.Source).Exec(func(ct pgconn.CommandTag) error {
			added += int(ct.RowsAffected())
			return nil
		})
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return 0, textError(err, "put sites")
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

// Sites returns every site, ordered by id.
func (s *Store) Sites(ctx context.Context) ([]truce.Site, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, country, lon, lat, category, attrs, capacity_mw, source FROM sites ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: sites: %w", err)
	}
	defer rows.Close()
	var out []truce.Site
	for rows.Next() {
		var site truce.Site
		var id, cat string
		if err := rows.Scan(&id, &site.Name, &site.Country, &site.Location.Lon, &site.Location.Lat, &cat, &site.Attrs, &site.CapacityMW, &site.Source); err != nil {
			return nil, fmt.Errorf("postgres: sites: %w", err)
		}
		site.ID, site.Category = truce.SiteID(id), truce.CategoryID(cat)
		if len(site.Attrs) == 0 {
			site.Attrs = nil
		}
		out = append(out, site)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sites: %w", err)
	}
	return out, nil
}
