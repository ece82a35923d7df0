-- Every event on an incident (evidence, a note, a status change) updates
-- its row's updated_ns, which no index covers. With room left in the
-- row's page the new version stays there (a HOT update) and none of the
-- seven indexes on incidents, two GIN and one GiST among them, takes a
-- new entry; in a full page every index does. Pages written from now on
-- keep a tenth free: an incident whose row has moved to one is updated in
-- place from then on. Nothing is rewritten.
ALTER TABLE incidents SET (fillfactor = 90);
