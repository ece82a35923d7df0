-- Indexes for the incident listing's filters (issue 16). Listings read
-- incidents not merged away, in (start, id) order, a page at a time.

-- outcome=…: the page is read in order from the incidents with that
-- outcome, instead of scanning every incident for the few that match.
-- The listing writes the outcome as a literal, so the planner sees that
-- "outcome > 0" holds; a listing without an outcome cannot use this
-- index, and keeps its plan (bbox=… the GiST index incidents_geom,
-- phase=… and party=… the GIN indexes of 0001).
CREATE INDEX incidents_outcome ON incidents (outcome, start_ns, id) WHERE merged_into = '' AND outcome > 0;
