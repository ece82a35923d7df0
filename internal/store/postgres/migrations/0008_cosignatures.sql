-- Witnesses' cosignatures of the log's checkpoints (issue 17): one C2SP
-- tlog-cosignature line per witness and checkpoint size. They are not log
-- records: each verifies on its own against the witness's key, and a
-- checkpoint is final once enough of the agreement's witnesses cosigned it.
CREATE TABLE log_cosignatures (
	size        bigint NOT NULL REFERENCES log_checkpoints (size),
	witness     TEXT NOT NULL,    -- the witness's key name
	line        bytea NOT NULL,    -- the signature line, "— <name> <base64>\n"
	received_ns bigint NOT NULL,
	PRIMARY KEY (size, witness)
);
-- No index by witness: the newest final checkpoint (CosignedSize) is found
-- by reading the primary key backwards from the newest size, stopping at
-- the first size with enough cosignatures; an index by witness made the
-- planner group every row of the table first.
