-- Field monitoring (issue 19): the monitors' own observations of
-- ceasefire violations and the restrictions of their access. Each row is
-- logged (observation.created, observation.published,
-- restriction.created, restriction.published) and log verify rebuilds it
-- from the log, as it does claims. Times are nanoseconds since the Unix
-- epoch, UTC.
CREATE TABLE observations (
	id          text COLLATE "C" PRIMARY KEY,
	monitor     text NOT NULL DEFAULT '',
	means       text NOT NULL,
	sensed      text NOT NULL,
	start_ns    bigint NOT NULL,
	end_ns      bigint NOT NULL,
	lon         double precision NOT NULL,
	lat         double precision NOT NULL,
	area        text NOT NULL DEFAULT '',
	region      text NOT NULL DEFAULT '',
	direction   text NOT NULL DEFAULT '',
	dist_min_m  double precision NOT NULL DEFAULT 0,
	dist_max_m  double precision NOT NULL DEFAULT 0,
	kind        text NOT NULL,
	explosion   text NOT NULL DEFAULT '',
	count       integer NOT NULL,
	weapon      text NOT NULL DEFAULT '',
	party       text NOT NULL DEFAULT '',
	note        text NOT NULL DEFAULT '',
	published   boolean NOT NULL DEFAULT false,
	file        text NOT NULL DEFAULT '',
	line        integer NOT NULL DEFAULT 0
);
CREATE INDEX observations_start ON observations (start_ns, id);

CREATE TABLE access_restrictions (
	id          text COLLATE "C" PRIMARY KEY,
	kind        text NOT NULL,
	start_ns    bigint NOT NULL,
	duration_s  bigint NOT NULL DEFAULT 0,
	lon         double precision NOT NULL,
	lat         double precision NOT NULL,
	area        text NOT NULL DEFAULT '',
	region      text NOT NULL DEFAULT '',
	means       text NOT NULL,
	patrol_size integer NOT NULL DEFAULT 0,
	reason      text NOT NULL DEFAULT '',
	party       text NOT NULL DEFAULT '',
	note        text NOT NULL DEFAULT '',
	published   boolean NOT NULL DEFAULT false,
	file        text NOT NULL DEFAULT '',
	line        integer NOT NULL DEFAULT 0
);
CREATE INDEX access_restrictions_start ON access_restrictions (start_ns, id);
