-- PostGIS step 1, COPY load: the FIRMS CSV into an unlogged table whose
-- point is a stored geometry. id numbers the rows in file
-- order (COPY inserts in order), so a row's line is id + 1 (the header is
-- line 1). sensors.sh then runs
--   \copy sensors.fires (latitude, ..., daynight) FROM 'fires.csv' CSV HEADER
\set ON_ERROR_STOP 1
SET search_path = sensors, public;
DROP TABLE IF EXISTS fires;
CREATE UNLOGGED TABLE fires (
  id bigint GENERATED ALWAYS AS IDENTITY,
  latitude float8, longitude float8, bright_ti4 float8, scan float8, track float8,
  acq_date date, acq_time text, satellite text, instrument text, confidence text, version text,
  bright_ti5 float8, frp float8, daynight text,
  geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED
);
