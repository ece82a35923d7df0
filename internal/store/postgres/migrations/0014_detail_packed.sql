-- A judgement's detail is packed by the server before it is sent
-- (sqlstore.PackDetail: a marker byte, then the JSON compressed with S2,
-- ~28% of its ~6 KB), as the SQLite store keeps it. The server packs it
-- before its write takes the log lock; PostgreSQL compressed it with lz4
-- while the lock was held, and received, parsed and logged four times the
-- bytes. The column becomes bytea (a packed detail is
-- not text); the details stored before stay the JSON they were, as bytes,
-- and readers take either form (sqlstore.UnpackDetail). This rewrites the
-- table once.
ALTER TABLE judgements ALTER COLUMN detail TYPE bytea USING convert_to(detail, 'UTF8');
-- Packed, a detail does not compress further: a row too long for its page
-- moves it out of line as it is, without trying lz4 on it first, and a row
-- of up to ~4 KB (most are 2–2.5 KB) stays whole in its page.
ALTER TABLE judgements ALTER COLUMN detail SET STORAGE EXTERNAL;
ALTER TABLE judgements SET (toast_tuple_target = 4080);
