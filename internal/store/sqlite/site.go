package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"truce"
)

// PutSites stores the sites not yet stored, in one transaction.
func (s *Store) PutSites(ctx context.Context, ss []*truce.Site) (int, error) {
	for _, site := range ss {
		if err := site.Validate(); err != nil {
			return 0, err
		}
	}
	unlock, err := s.lockWriter(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put sites: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO sites (id, name, country, lon, lat, category, attrs, capacity_mw, source)
		VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put sites: %w", err)
	}
	defer stmt.Close()
	added := 0
	for _, site := range ss {
		attrs, err := json.Marshal(site.Attrs)
		if err != nil {
			return 0, fmt.Errorf("sqlite: put site %s: %w", site.ID, err)
		}
		res, err := stmt.ExecContext(ctx, string(site.ID), site.Name, site.Country, site.Location.Lon, site.Location.Lat,
			string(site.Category), string(attrs), site.CapacityMW, site.Source)
		if err != nil {
			return 0, fmt.Errorf("sqlite: put site %s: %w", site.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("sqlite: put site %s: %w", site.ID, err)
		}
		added += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: put sites: %w", err)
	}
	return added, nil
}

// SiteCount returns how many sites are stored.
func (s *Store) SiteCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sites`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: site count: %w", err)
	}
	return n, nil
}

// Sites returns every site, ordered by id.
func (s *Store) Sites(ctx context.Context) ([]truce.Site, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, country, lon, lat, category, attrs, capacity_mw, source FROM sites ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sites: %w", err)
	}
	defer rows.Close()
	var out []truce.Site
	for rows.Next() {
		var site truce.Site
		var id, cat, attrs string
		if err := rows.Scan(&id, &site.Name, &site.Country, &site.Location.Lon, &site.Location.Lat, &cat, &attrs, &site.CapacityMW, &site.Source); err != nil {
			return nil, fmt.Errorf("sqlite: sites: %w", err)
		}
		site.ID, site.Category = truce.SiteID(id), truce.CategoryID(cat)
		if err := json.Unmarshal([]byte(attrs), &site.Attrs); err != nil {
			return nil, fmt.Errorf("sqlite: site %s attrs: %w", id, err)
		}
		out = append(out, site)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sites: %w", err)
	}
	return out, nil
}
