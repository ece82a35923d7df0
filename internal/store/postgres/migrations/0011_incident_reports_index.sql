-- The report ids of an incident, in (start, id) order, from the index
-- alone: listings read them for every incident of a page (issue 16),
-- and the index on incident_id alone sent each to the table for its start.
CREATE INDEX reports_incident_start ON reports (incident_id, start_ns, id);
DROP INDEX reports_incident;
