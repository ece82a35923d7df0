-- What a period summary reads of each judged report (issue 16): one short
-- row per judgement, in the order a summary reads them, so that a summary
-- of 100,000 reports is a range scan of a narrow table rather than a join
-- of every report to its judgement and a decode of each judgement's
-- detail. Written with the judgement (sqlstore/brief.go) and recomputed
-- from the report and judgement by log verify. WITHOUT ROWID: the rows
-- are stored in key order, read in it.
CREATE TABLE judgement_briefs (
	agreement TEXT NOT NULL,
	version   INTEGER NOT NULL,
	start_ns  INTEGER NOT NULL, -- the report's start
	report_id TEXT NOT NULL,
	brief     BLOB NOT NULL,
	PRIMARY KEY (agreement, version, start_ns, report_id)
) WITHOUT ROWID;
-- A database judged before this version gets its briefs the next time a
-- store opens it (sqlstore.BackfillBriefs), in one write transaction.
INSERT INTO settings (key, value)
	SELECT 'brief_backfill', 'pending' WHERE EXISTS (SELECT 1 FROM judgements)
	ON CONFLICT (key) DO NOTHING;
