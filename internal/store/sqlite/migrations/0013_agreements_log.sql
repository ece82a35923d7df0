-- The agreement version stored last, which Current falls back to when no
-- setting names the current version, is read by log index. Without an
-- index SQLite scanned every version, and log_index comes after the
-- bundle (megabytes of overflow pages) in the row: each call read every
-- bundle stored. PostgreSQL has had this index since its first migration.
CREATE INDEX agreements_log ON agreements (log_index);
