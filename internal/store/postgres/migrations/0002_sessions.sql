-- Browser sessions of the dashboard, shared by every API server. The
-- session cookie holds a random id; only its SHA-256 is kept, with the
-- token the session acts as. Sessions are not logged: a session grants
-- only what its token grants, and ends with it (a lookup checks the token:
-- revoked or expired, the session is over). Expired rows are removed when
-- a session is created.
CREATE TABLE sessions (
	hash       text COLLATE "C" PRIMARY KEY,
	token_id   text COLLATE "C" NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	created_ns bigint NOT NULL,
	expires_ns bigint NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_ns);
