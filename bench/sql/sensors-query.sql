-- PostGIS step 3, the per-point query: for every point, the nearest site
-- within 3 km and the zones that contain it. sensors.sh writes the result out
-- with \copy (this query) TO 'postgis.csv' CSV: line,site,distance_m,zones,
-- after SET jit = off and SET work_mem = '256MB' (the fastest settings found
-- here: JIT compilation alone cost seconds).
--
-- Predicates, chosen to mean what truce means:
--   site   ST_DWithin(site, point, 3000, false) on geography (the points'
--          geography made from their geometry), among the points in the
--          site's box (see sensors-zones.sql): distance on the sphere
--          (PostGIS's mean radius 6371008.77 m; truce's haversine uses
--          6371008.8 m), a site at exactly 3 km within; the nearest by
--          ST_Distance(..., false), ties to the lowest site index.
--   zones  ST_Covers(part, point) over the valid, subdivided zones: the
--          closed polygon, so a point on an edge is inside, as in truce; in
--          zone order, joined by |.
--
-- The fastest form found: set-based, each site and each zone part probing
-- the points' geometry index. The zone parts MUST be the outer side (the
-- LATERAL ... OFFSET 0 keeps the planner from turning the join around):
-- with one part fixed over many points, PostGIS reuses its prepared
-- polygon, three to four times faster than the plan the planner picks by
-- itself, which probes the parts' index once per point. Asking point by
-- point (LATERAL subqueries on the sites' and zone parts' indexes) was
-- slower still. A point's zones are gathered as a bit mask (zone idx < 63;
-- several parts of one zone count once) and each mask that occurs is
-- spelled out once.
WITH near AS MATERIALIZED (
  SELECT DISTINCT ON (f.id) f.id AS fid, s.id AS site, ST_Distance(s.geog, f.geom::geography, false) AS d
  FROM sensors.sites s JOIN sensors.fires f ON f.geom && s.box AND ST_DWithin(s.geog, f.geom::geography, 3000, false)
  ORDER BY f.id, d, s.idx),
inz AS MATERIALIZED (
  SELECT f.fid, bit_or(1::int8 << zp.idx) AS mask
  FROM sensors.zone_parts zp
  CROSS JOIN LATERAL (SELECT f.id AS fid FROM sensors.fires f WHERE ST_Covers(zp.geom, f.geom) OFFSET 0) f
  GROUP BY f.fid),
names AS MATERIALIZED (
  SELECT m.mask, string_agg(z.id, '|' ORDER BY z.idx) AS zones
  FROM (SELECT DISTINCT mask FROM inz) m JOIN sensors.zones_in z ON m.mask & (1::int8 << z.idx) <> 0
  GROUP BY m.mask)
SELECT f.id + 1 AS line, near.site, near.d, names.zones
FROM sensors.fires f
LEFT JOIN near ON near.fid = f.id
LEFT JOIN inz ON inz.fid = f.id
LEFT JOIN names ON names.mask = inz.mask
