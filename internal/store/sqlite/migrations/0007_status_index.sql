-- The incidents under review by status (issue 16). Judging every new report
-- reads the verified incidents (a verified breach may release the other
-- side, see pipeline.New); without this index each write scanned every
-- incident for the few verified ones. (PostgreSQL's index leaves out the
-- "reported" ones; SQLite could not prove that status = 'verified' implies
-- status <> 'reported', and would never use it.)
CREATE INDEX incidents_status ON incidents (status, start_ns, id) WHERE merged_into = '';
