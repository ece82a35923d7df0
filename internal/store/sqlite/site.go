package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

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
		stmt, err := w.PrepareContext(ctx, `INSERT INTO sites (`+siteCols+`) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("sqlite: put sites: %w", err)
		}
		defer stmt.Close()
		for _, site := range ss {
			attrs, err := json.Marshal(site.Attrs)
			if err != nil {
				return fmt.Errorf("sqlite: put site %s: %w", site.ID, err)
			}
			res, err := stmt.ExecContext(ctx, string(site.ID), site.Name, site.Country, site.Location.Lon, site.Location.Lat,
				string(site.Category), string(attrs), site.CapacityMW, site.Source)
			if err != nil {
				return fmt.Errorf("sqlite: put site %s: %w", site.ID, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("sqlite: put site %s: %w", site.ID, err)
			}
			if n == 0 {
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
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sites`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: site count: %w", err)
	}
	return n, nil
}

const siteCols = `id, name, country, lon, lat, category, attrs, capacity_mw, source`

func scanSite(sc scanner) (*truce.Site, error) {
	var site truce.Site
	var id, cat, attrs string
	if err := sc.Scan(&id, &site.Name, &site.Country, &site.Location.Lon, &site.Location.Lat, &cat, &attrs, &site.CapacityMW, &site.Source); err != nil {
		return nil, err
	}
	site.ID, site.Category = truce.SiteID(id), truce.CategoryID(cat)
	if err := json.Unmarshal([]byte(attrs), &site.Attrs); err != nil {
		return nil, fmt.Errorf("site %s attrs: %w", id, err)
	}
	return &site, nil
}

// Sites returns every site, ordered by id.
func (s *Store) Sites(ctx context.Context) ([]truce.Site, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+siteCols+` FROM sites ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sites: %w", err)
	}
	defer rows.Close()
	var out []truce.Site
	for rows.Next() {
		site, err := scanSite(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: sites: %w", err)
		}
		out = append(out, *site)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sites: %w", err)
	}
	return out, nil
}
