-- The reference data of the PostGIS side of bench/sensors.sh: the sites and
-- the zones exactly as truce reads them (sensorcmp prep writes them), which
-- sensors.sh copies into sites and zones_in between this file and
-- sensors-zones.sql. Not counted in PostGIS's time, whereas truce's time
-- includes loading the agreement and the sites and building its index.
\set ON_ERROR_STOP 1
DROP SCHEMA IF EXISTS sensors CASCADE;
CREATE SCHEMA sensors;
SET search_path = sensors, public;
CREATE TABLE sites (idx int PRIMARY KEY, id text NOT NULL, lon float8, lat float8);
CREATE TABLE zones_in (idx int PRIMARY KEY, id text NOT NULL, gj text NOT NULL);
