-- truce's PostgreSQL schema. Times are bigint nanoseconds since the Unix
-- epoch, UTC: the log records report times to the nanosecond, and
-- timestamptz keeps microseconds, so a timestamptz row could no longer be
-- compared with its record. Identifiers use the "C" collation, so that
-- (start, id) ordering and the cursors built on it are byte order, as in
-- Go and in the SQLite store, whatever the database's locale.

-- geography(Point, 4326) columns need PostGIS. Creating the extension needs
-- a superuser; if it already exists (scripts/pg.sh creates it) this is a no-op.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Reports: one row per account of an incident, keyed by its stable id.
CREATE TABLE reports (
	id           text COLLATE "C" PRIMARY KEY,
	source       text NOT NULL,
	source_id    text NOT NULL DEFAULT '',
	outlet       text NOT NULL DEFAULT '',
	file         text NOT NULL DEFAULT '',
	line         integer NOT NULL DEFAULT 0,
	original     text NOT NULL DEFAULT '',
	start_ns     bigint NOT NULL,
	end_ns       bigint NOT NULL,
	precision    smallint NOT NULL,
	lon          double precision NOT NULL,
	lat          double precision NOT NULL,
	geog         geography(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED,
	loc_prec_m   double precision NOT NULL DEFAULT 0,
	place        text NOT NULL DEFAULT '',
	actor1       text NOT NULL DEFAULT '',
	actor2       text NOT NULL DEFAULT '',
	perpetrator  text NOT NULL DEFAULT '',
	actions      text[] NOT NULL DEFAULT '{}',
	event_type   text NOT NULL DEFAULT '',
	category     text NOT NULL DEFAULT '',
	site         text NOT NULL DEFAULT '',
	text         text NOT NULL DEFAULT '',
	fatalities   integer NOT NULL DEFAULT 0,
	created_ns   bigint NOT NULL,
	incident_id  text COLLATE "C" NOT NULL,
	submitted_by text NOT NULL DEFAULT '', -- the party that submitted it through the API
	log_index    bigint NOT NULL,          -- its record in the tamper-evident log
	CHECK (end_ns > start_ns)
);
CREATE INDEX reports_start ON reports (start_ns, id);
CREATE INDEX reports_incident ON reports (incident_id);
CREATE INDEX reports_geog ON reports USING gist (geog);
CREATE INDEX reports_log ON reports (log_index);

CREATE TABLE sites (
	id          text COLLATE "C" PRIMARY KEY,
	name        text NOT NULL DEFAULT '',
	country     text NOT NULL DEFAULT '',
	lon         double precision NOT NULL,
	lat         double precision NOT NULL,
	category    text NOT NULL DEFAULT '',
	attrs       jsonb NOT NULL DEFAULT '{}',
	capacity_mw double precision NOT NULL DEFAULT 0,
	source      text NOT NULL DEFAULT ''
);

CREATE TABLE agreements (
	id         text COLLATE "C" NOT NULL,
	version    integer NOT NULL,
	sha256     text NOT NULL,
	bundle     bytea NOT NULL,
	created_ns bigint NOT NULL,
	log_index  bigint NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE INDEX agreements_log ON agreements (log_index);

-- Judgements: the adjudication of one report under one agreement version.
-- detail is text, not jsonb: the log holds the SHA-256 of its exact bytes.
CREATE TABLE judgements (
	report_id   text COLLATE "C" NOT NULL REFERENCES reports (id),
	agreement   text COLLATE "C" NOT NULL,
	version     integer NOT NULL,
	outcome     smallint NOT NULL,
	explanation text NOT NULL,
	detail      text NOT NULL,
	perpetrator text NOT NULL DEFAULT '',
	phases      text[] NOT NULL DEFAULT '{}', -- phases with a finding other than not_prohibited
	log_index   bigint NOT NULL,
	PRIMARY KEY (agreement, version, report_id),
	FOREIGN KEY (agreement, version) REFERENCES agreements (id, version)
);
CREATE INDEX judgements_report ON judgements (report_id, log_index);

-- Incidents group the reports of one event; the review workflow works on
-- them. The figures (start_ns .. explanation) are those of its reports under
-- the current adjudication, kept by the store so that listings filter and
-- sort without joins.
CREATE TABLE incidents (
	id           text COLLATE "C" PRIMARY KEY,
	status       text NOT NULL,
	published    boolean NOT NULL DEFAULT false,
	submitted_by text NOT NULL DEFAULT '',
	contested_by text[] NOT NULL DEFAULT '{}',
	merged_into  text COLLATE "C" NOT NULL DEFAULT '', -- set when merged into another incident
	created_ns   bigint NOT NULL,
	updated_ns   bigint NOT NULL,
	start_ns     bigint NOT NULL, -- earliest report start
	lon          double precision NOT NULL,
	lat          double precision NOT NULL,
	geog         geography(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED,
	outcome      smallint NOT NULL DEFAULT 0,
	parties      text[] NOT NULL DEFAULT '{}',
	phases       text[] NOT NULL DEFAULT '{}',
	explanation  text NOT NULL DEFAULT ''
);
CREATE INDEX incidents_start ON incidents (start_ns, id);
CREATE INDEX incidents_geog ON incidents USING gist (geog);
-- The bounding-box filter is a box in degrees of longitude and latitude,
-- not a geodesic polygon, so it searches the points as planar geometry.
CREATE INDEX incidents_geom ON incidents USING gist ((geog::geometry));
CREATE INDEX incidents_phases ON incidents USING gin (phases);
CREATE INDEX incidents_parties ON incidents USING gin (parties);

-- Which agreement version the incident figures come from.
CREATE TABLE settings (
	key   text PRIMARY KEY,
	value text NOT NULL
);

CREATE TABLE incident_events (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	incident    text COLLATE "C" NOT NULL,
	at_ns       bigint NOT NULL,
	actor       text NOT NULL,
	kind        text NOT NULL,
	from_status text NOT NULL DEFAULT '',
	to_status   text NOT NULL DEFAULT '',
	reason      text NOT NULL DEFAULT '',
	party       text NOT NULL DEFAULT '',
	response    text NOT NULL DEFAULT '',
	evidence    text NOT NULL DEFAULT '',
	other       text NOT NULL DEFAULT '',
	log_index   bigint NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident, id);
CREATE INDEX incident_events_log ON incident_events (log_index);

CREATE TABLE evidence (
	id          text COLLATE "C" NOT NULL,
	incident    text COLLATE "C" NOT NULL,
	sha256      text NOT NULL,
	media_type  text NOT NULL,
	size        bigint NOT NULL,
	description text NOT NULL DEFAULT '',
	added_by    text NOT NULL,
	at_ns       bigint NOT NULL,
	content     bytea NOT NULL,
	log_index   bigint NOT NULL,
	PRIMARY KEY (incident, id)
);

CREATE TABLE tokens (
	id         text COLLATE "C" PRIMARY KEY,
	hash       text NOT NULL UNIQUE,
	role       text NOT NULL,
	party      text NOT NULL DEFAULT '',
	name       text NOT NULL DEFAULT '',
	created_ns bigint NOT NULL,
	expires_ns bigint,
	revoked_ns bigint
);

-- The tamper-evident log: records (bytea, verbatim: never json or jsonb,
-- which would change the bytes the tree hashes), the RFC 6962 tree's stored
-- hashes in tlog's layout, signed checkpoints and the signing key. The
-- indexes are primary keys, so two transactions appending the same record
-- number cannot both commit.
CREATE TABLE log_records (
	idx  bigint PRIMARY KEY,
	data bytea NOT NULL
);
CREATE TABLE log_hashes (
	idx  bigint PRIMARY KEY,
	hash bytea NOT NULL
);
CREATE TABLE log_checkpoints (
	size       bigint PRIMARY KEY,
	note       bytea NOT NULL,
	created_ns bigint NOT NULL
);
CREATE TABLE log_key (
	id       integer PRIMARY KEY CHECK (id = 1),
	origin   text NOT NULL,
	signer   text NOT NULL,
	verifier text NOT NULL
);
