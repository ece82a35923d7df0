-- The incidents under review by status (issue 16). Judging every new report
-- reads the verified incidents (a verified breach may release the other
-- side, see pipeline.New); without this index each write scanned every
-- incident for the few verified ones. Most incidents stay "reported": the
-- index holds only the others, so it stays small and a listing without a
-- status filter never picks it.
CREATE INDEX incidents_status ON incidents (status, start_ns, id) WHERE merged_into = '' AND status <> 'reported';
