-- Indexes no query uses (issue 16): every report and incident written
-- paid for a GiST insert into each. The bounding-box filter of incident
-- listings uses incidents_geom (on geog::geometry, see db.go); reports are
-- never filtered by place. The geog columns stay, for users' own queries.
DROP INDEX reports_geog;
DROP INDEX incidents_geog;
