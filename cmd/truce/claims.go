package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"truce"
	"truce/internal/agreement"
	"truce/internal/importer"
)

// Kinds of file truce import reads besides reports.
const (
	importClaimsKind  = "claims"
	importTalliesKind = "tallies"
)

// importClaims imports one open file of claims or tallies (kind) named p,
// in truce's claim import format (docs/claims-format.md), as published:
// they are the parties' public statements. Claims without coordinates are
// placed from the stored sites and the gazetteer of a, or of the current
// stored agreement when a is nil (none: by coordinates and sites only).
func (e *env) importClaims(ctx context.Context, st truce.Store, f fs.File, p, kind string, strict bool, a *truce.Agreement) error {
	var in io.Reader = f
	if osf, ok := f.(*os.File); ok {
		var done func()
		in, done = e.progress(osf, p)
		defer done()
	}
	opt := importer.ClaimOptions{File: path.Base(p), Strict: strict, Published: true}
	bad := func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) }
	var (
		stats importer.Stats
		added int
		err   error
	)
	if kind == importTalliesKind {
		var ts []*truce.Tally
		stats, err = importer.ReadTallies(in, opt, func(t *truce.Tally) error { ts = append(ts, t); return nil }, bad)
		if err == nil {
			added, err = st.PutTallies(ctx, truce.System, ts)
		}
		if err != nil {
			return fmt.Errorf("import %s: %w", p, err)
		}
		fmt.Fprintf(e.stderr, "%s: %d read, %d accepted, %d rejected; %d new tallies stored, %d already stored\n",
			p, stats.Read, stats.Accepted, stats.Rejected, added, stats.Accepted-added)
		return nil
	}
	if opt.Placer, err = e.claimPlacer(ctx, st, a); err != nil {
		return fmt.Errorf("import %s: %w", p, err)
	}
	var cs []*truce.Claim
	by := map[truce.PlaceBasis]int{}
	stats, err = importer.ReadClaims(in, opt, func(c *truce.Claim) error {
		cs = append(cs, c)
		by[c.PlacedBy]++
		return nil
	}, bad)
	if err == nil {
		added, err = st.PutClaims(ctx, truce.System, cs)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", p, err)
	}
	fmt.Fprintf(e.stderr, "%s: %d read, %d accepted, %d rejected; %d new claims stored, %d already stored\n",
		p, stats.Read, stats.Accepted, stats.Rejected, added, stats.Accepted-added)
	fmt.Fprintf(e.stderr, "%s: placed by coordinates %d, site %d, settlement %d, region %d; not placed %d\n", p,
		by[truce.PlacedByCoordinates], by[truce.PlacedBySite], by[truce.PlacedBySettlement], by[truce.PlacedByRegion], by[truce.NotPlaced])
	return nil
}

// claimPlacer returns the placer of claims: the stored sites, and the
// gazetteer of a or of the current stored agreement.
func (e *env) claimPlacer(ctx context.Context, st truce.Store, a *truce.Agreement) (importer.Placer, error) {
	sites, err := st.Sites(ctx)
	if err != nil {
		return nil, err
	}
	if a == nil {
		v, err := st.LatestAgreement(ctx, "")
		switch {
		case truce.ErrorCode(err) == truce.ENOTFOUND:
			fmt.Fprintln(e.stderr, "no agreement stored: claims are placed by their coordinates and the stored sites only")
		case err != nil:
			return nil, err
		default:
			if a, err = agreement.ParseBundle(string(v.ID), v.Bundle); err != nil {
				return nil, fmt.Errorf("placing claims needs the gazetteer of the stored agreement %s version %d: %w", v.ID, v.Version, err)
			}
		}
	}
	var places []truce.Place
	if a != nil {
		places = a.Places
	}
	return importer.NewClaimPlacer(sites, places), nil
}
