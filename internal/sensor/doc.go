// Package sensor judges satellite fire detections (NASA FIRMS hotspots) by
// the million: which protected site each lies near, which zones contain it,
// and whether a commitment covering that site was in force at the time.
//
// A hotspot is evidence, not a claim: its position is the centre of a pixel
// of 375 m (VIIRS) or 1 km (MODIS) or more, and it says nothing of who or
// what lit the fire. So a hotspot is never judged as an attack; near a
// covered site while a phase is in force it becomes a sensor alert
// (Index.Alerts), which can corroborate a reported strike on that site.
//
// # Two paths
//
// Judge is the fast path, for files of any size: it cuts a FIRMS CSV into
// blocks of whole lines, parses and judges the blocks on every core with
// importer.FIRMSParser, and writes one CSV answer per row in input order,
// holding at most 2*Workers+2 blocks (a megabyte each by default) at once.
// Index.Alerts is the general path: the alerts of one importer.Hotspot,
// with the commitments, phases and readings behind them.
//
// # Exactly the slow answers
//
// Every answer is the one the general code gives, not an approximation:
//
//   - zones: ZoneGrid answers as truce.Agreement.InZone(id, p, nil) does
//     (geo.Region's even-odd rule, edges inside, holes, exclusions). A
//     two-level grid (cells of 1/4 degree, 1/16 degree where an edge
//     passes) records, per region, the cells wholly inside or outside it;
//     only a point in a cell within 1e-8 degrees of the region's edges asks
//     Region.Contains. A cell with no edge that near has one answer
//     throughout, computed once at build time.
//   - sites: SiteGrid answers as geo.PointIndex does (geo.Distance, a site
//     at exactly the radius within, ties to the lowest index): each site is
//     filed under every cell its conservative search box meets, so a query
//     reads one cell and computes the exact haversine for the few sites
//     filed there.
//   - alerts: Index works out, per site, the windows (adjudicate.Schedule,
//     per reading) in which a commitment covers it: its categories cover the
//     site's ("any" covers every site), the site lies in one of its zones
//     after the reading's substitutions, and no exception matches (an
//     exception that names actions never does: a hotspot shows no act).
//
// The tests check each of these against the brute-force answer on random
// points, on and beside zone edges, in holes, at the radius edge, and on
// the real zones: Natural Earth's Ukraine and Russia share a zero-area
// spike on their border (a ring that goes out and back along one edge,
// which PostGIS calls a self-intersection). Region reads it by the even-odd
// rule: the spike adds no area, and a point exactly on it, being on an
// edge, is inside.
package sensor
