-- PostGIS step 2, indexing: GiST on the points' geometry, which both
-- halves of the query probe. (A second index on a geography column, for
-- the sites, took another 8 s to build here and made the query no faster
-- than the sites' boxes in degrees do.)
\set ON_ERROR_STOP 1
SET search_path = sensors, public;
SET maintenance_work_mem = '1GB';
CREATE INDEX fires_geom ON fires USING gist (geom);
ANALYZE fires;
