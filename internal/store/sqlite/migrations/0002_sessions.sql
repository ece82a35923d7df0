-- Browser sessions of the dashboard. The session cookie holds a random id;
-- only its SHA-256 is kept, with the token the session acts as. Sessions
-- are not logged: a session grants only what its token grants, and ends
-- with it (a lookup checks the token: revoked or expired, the session is
-- over). Expired rows are removed when a session is created.
CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	token_id   TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	created_ns INTEGER NOT NULL,
	expires_ns INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_ns);
