-- Field monitoring (issue 19): the monitors' own observations of
-- ceasefire violations and the restrictions of their access. Each row is
-- logged (observation.created, observation.published,
-- restriction.created, restriction.published) and log verify rebuilds it
-- from the log, as it does claims. Times are nanoseconds since the Unix
-- epoch, UTC.
CREATE TABLE observations (
	id          TEXT PRIMARY KEY,
	monitor     TEXT NOT NULL DEFAULT '',
	means       TEXT NOT NULL,
	sensed      TEXT NOT NULL,
	start_ns    INTEGER NOT NULL,
	end_ns      INTEGER NOT NULL,
	lon         REAL NOT NULL,
	lat         REAL NOT NULL,
	area        TEXT NOT NULL DEFAULT '',
	region      TEXT NOT NULL DEFAULT '',
	direction   TEXT NOT NULL DEFAULT '',
	dist_min_m  REAL NOT NULL DEFAULT 0,
	dist_max_m  REAL NOT NULL DEFAULT 0,
	kind        TEXT NOT NULL,
	explosion   TEXT NOT NULL DEFAULT '',
	count       INTEGER NOT NULL,
	weapon      TEXT NOT NULL DEFAULT '',
	party       TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	published   INTEGER NOT NULL DEFAULT 0,
	file        TEXT NOT NULL DEFAULT '',
	line        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX observations_start ON observations (start_ns, id);

CREATE TABLE access_restrictions (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	start_ns    INTEGER NOT NULL,
	duration_s  INTEGER NOT NULL DEFAULT 0,
	lon         REAL NOT NULL,
	lat         REAL NOT NULL,
	area        TEXT NOT NULL DEFAULT '',
	region      TEXT NOT NULL DEFAULT '',
	means       TEXT NOT NULL,
	patrol_size INTEGER NOT NULL DEFAULT 0,
	reason      TEXT NOT NULL DEFAULT '',
	party       TEXT NOT NULL DEFAULT '',
	note        TEXT NOT NULL DEFAULT '',
	published   INTEGER NOT NULL DEFAULT 0,
	file        TEXT NOT NULL DEFAULT '',
	line        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX access_restrictions_start ON access_restrictions (start_ns, id);
