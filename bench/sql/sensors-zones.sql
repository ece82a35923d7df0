-- The reference data, once copied in: the sites' geography and a box in
-- degrees that holds every point within 3 km of the site (0.0271 degrees of
-- latitude is 3,013 m; the longitude half-width is widened for the box's
-- highest latitude; no GPPD site is within 3 km of the antimeridian), and
-- the zones made valid and subdivided (psql variable subdivide: the most
-- vertices per part) with a GiST index.
\set ON_ERROR_STOP 1
SET search_path = sensors, public;
ALTER TABLE sites ADD COLUMN geog geography(Point, 4326), ADD COLUMN box geometry(Polygon, 4326);
UPDATE sites SET
  geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography,
  box = ST_MakeEnvelope(lon - 0.0271 / cos(radians(least(abs(lat) + 0.03, 89.9))), lat - 0.0271,
                        lon + 0.0271 / cos(radians(least(abs(lat) + 0.03, 89.9))), lat + 0.0271, 4326);
-- truce reads a zone as the union of its polygons, each by the even-odd
-- rule (outer ring, minus holes, edges inside; overlapping polygons do not
-- cancel). PostGIS needs valid polygons, and two Natural Earth ones are not
-- (a zero-area spike on the border Ukraine and Russia share, at 38.6626E
-- 49.9622N; two self-crossings in Russia's far east): ST_Subdivide refuses
-- them. So each polygon is made valid on its own, by ST_MakeValid's linework
-- method (which keeps the even-odd area and drops the spike's line), and
-- kept as its own part: made valid as one MultiPolygon, Russia would lose
-- the polygons that Natural Earth nests inside others (the linework method
-- cancels overlaps).
CREATE TABLE zone_polys AS
  SELECT zi.idx, zi.id, ST_CollectionExtract(ST_MakeValid(d.geom), 3) AS geom
  FROM zones_in zi, ST_Dump(ST_SetSRID(ST_GeomFromGeoJSON(zi.gj), 4326)) d;
CREATE TABLE zone_parts AS
  SELECT idx, id, ST_Subdivide(geom, :subdivide) AS geom FROM zone_polys WHERE NOT ST_IsEmpty(geom);
CREATE INDEX zone_parts_geom ON zone_parts USING gist (geom);
ANALYZE sites;
ANALYZE zone_parts;
