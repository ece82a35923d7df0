-- Witnesses' cosignatures of the log's checkpoints (issue 17): one C2SP
-- tlog-cosignature line per witness and checkpoint size. They are not log
-- records: each verifies on its own against the witness's key, and a
-- checkpoint is final once enough of the agreement's witnesses cosigned it.
CREATE TABLE log_cosignatures (
	size        INTEGER NOT NULL REFERENCES log_checkpoints (size),
	witness     TEXT NOT NULL,    -- the witness's key name
	line        BLOB NOT NULL,    -- the signature line, "— <name> <base64>\n"
	received_ns INTEGER NOT NULL,
	PRIMARY KEY (size, witness)
);
CREATE INDEX log_cosignatures_witness ON log_cosignatures (witness, size);
