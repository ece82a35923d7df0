-- From this version on, sites, tokens and each change of the current
-- agreement version are logged, and log verify checks incident figures.
-- In a database written before (one that holds anything), this row asks
-- the store to log the sites, tokens and current agreement it already
-- holds and to recompute every incident's figures, the next time it opens
-- the database (backfill.go): one write transaction that also removes the
-- row. A new database, or one created to restore a backup into, needs
-- none of it.
INSERT INTO settings (key, value)
	SELECT 'log_backfill', 'pending'
	WHERE EXISTS (SELECT 1 FROM log_records) OR EXISTS (SELECT 1 FROM sites) OR EXISTS (SELECT 1 FROM tokens)
	ON CONFLICT (key) DO NOTHING;
