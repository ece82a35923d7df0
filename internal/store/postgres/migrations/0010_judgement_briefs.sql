-- What a period summary reads of each judged report (issue 16): one short
-- row per judgement, in the order a summary reads them, so that a summary
-- of 100,000 reports is a range scan of a narrow table rather than a join
-- of every report to its judgement and a decode of each judgement's
-- detail. Written with the judgement (sqlstore/brief.go) and recomputed
-- from the report and judgement by log verify.
CREATE TABLE judgement_briefs (
	agreement text COLLATE "C" NOT NULL,
	version   integer NOT NULL,
	start_ns  bigint NOT NULL, -- the report's start
	report_id text COLLATE "C" NOT NULL,
	brief     bytea NOT NULL,
	PRIMARY KEY (agreement, version, start_ns, report_id)
);
-- A database judged before this version gets its briefs the next time a
-- store opens it (sqlstore.BackfillBriefs), in one write transaction.
INSERT INTO settings (key, value)
	SELECT 'brief_backfill', 'pending' WHERE EXISTS (SELECT 1 FROM judgements)
	ON CONFLICT (key) DO NOTHING;
