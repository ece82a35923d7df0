package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"truce"
	"truce/internal/ledger"
)

// PutSites stores the sites not yet stored and logs each one (site.added),
// in one transaction: sites are reference data that verdicts depend on.
// EINVALID if a site fails Validate.
func (c Core) PutSites(ctx context.Context, ss []*truce.Site) (int, error) {
	for _, site := range ss {
		if err := site.Validate(); err != nil {
			return 0, err
		}
	}
	return write(ctx, c, func(w WriteTx) (int, error) {
		added := 0
		for _, site := range ss {
			ok, err := insertSite(ctx, w, site)
			if err != nil {
				return 0, err
			} else if !ok {
				continue
			}
			if _, err := w.Log(ledger.SiteRecord(ledger.KindSiteAdded, truce.System, w.Now(), site)); err != nil {
				return 0, err
			}
			added++
		}
		return added, nil
	})
}

// insertSite inserts site unless its id is stored, and reports whether it
// did.
func insertSite(ctx context.Context, w WriteTx, site *truce.Site) (bool, error) {
	attrs := site.Attrs
	if attrs == nil {
		attrs = map[string]string{}
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return false, fmt.Errorf("put site %s: %w", site.ID, err)
	}
	n, err := w.Exec(ctx, `INSERT INTO sites (`+siteCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		string(site.ID), site.Name, site.Country, site.Location.Lon, site.Location.Lat, string(site.Category), string(b),
		site.CapacityMW, site.Source)
	if err != nil {
		return false, TextError(err, "put site "+string(site.ID))
	}
	return n > 0, nil
}

// SiteCount returns how many sites are stored.
func (c Core) SiteCount(ctx context.Context) (int, error) {
	var n int
	if err := c.d.DB.QueryRow(ctx, `SELECT count(*) FROM sites`).Scan(&n); err != nil {
		return 0, fmt.Errorf("site count: %w", err)
	}
	return n, nil
}

// Sites returns every site, ordered by id.
func (c Core) Sites(ctx context.Context) ([]truce.Site, error) {
	return List(ctx, c.d.DB, "sites", scanSite, `SELECT `+siteCols+` FROM sites ORDER BY id`)
}
