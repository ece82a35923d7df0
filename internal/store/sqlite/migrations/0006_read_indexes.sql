-- Indexes for the incident listing's filters (issue 16). Listings read
-- incidents not merged away, in (start, id) order, a page at a time.

-- outcome=…: the page is read in order from the incidents with that
-- outcome, instead of scanning every incident for the few that match.
CREATE INDEX incidents_outcome ON incidents (outcome, start_ns, id) WHERE merged_into = '';

-- bbox=…: the incidents in the box are found and sorted from the index
-- alone (it holds start and id), and only the page's rows are read.
CREATE INDEX incidents_bbox ON incidents (lon, lat, start_ns, id) WHERE merged_into = '';
