-- Indexes no query uses (issue 16): every report and incident written
-- paid for a random-key insert into each. The bounding-box filter of
-- incident listings uses incidents_bbox (migration 6); reports are never
-- filtered by place.
DROP INDEX reports_bbox;
DROP INDEX incidents_lonlat;
