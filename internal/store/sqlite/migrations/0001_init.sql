-- Reports: one row per account of an incident, keyed by its stable id.
CREATE TABLE reports (
	id           TEXT PRIMARY KEY,
	source       TEXT NOT NULL,
	source_id    TEXT NOT NULL DEFAULT '',
	outlet       TEXT NOT NULL DEFAULT '',
	file         TEXT NOT NULL DEFAULT '',
	line         INTEGER NOT NULL DEFAULT 0,
	original     TEXT NOT NULL DEFAULT '',
	start_ns     INTEGER NOT NULL,
	end_ns       INTEGER NOT NULL,
	precision    INTEGER NOT NULL,
	lon          REAL NOT NULL,
	lat          REAL NOT NULL,
	loc_prec_m   REAL NOT NULL DEFAULT 0,
	place        TEXT NOT NULL DEFAULT '',
	actor1       TEXT NOT NULL DEFAULT '',
	actor2       TEXT NOT NULL DEFAULT '',
	perpetrator  TEXT NOT NULL DEFAULT '',
	actions      TEXT NOT NULL DEFAULT '',
	event_type   TEXT NOT NULL DEFAULT '',
	category     TEXT NOT NULL DEFAULT '',
	site         TEXT NOT NULL DEFAULT '',
	text         TEXT NOT NULL DEFAULT '',
	fatalities   INTEGER NOT NULL DEFAULT 0,
	created_ns   INTEGER NOT NULL,
	incident_id  TEXT NOT NULL,
	submitted_by TEXT NOT NULL DEFAULT '', -- the party that submitted it through the API
	log_index    INTEGER NOT NULL,         -- its record in the tamper-evident log
	CHECK (end_ns > start_ns)
);
CREATE INDEX reports_start ON reports (start_ns, id);
CREATE INDEX reports_incident ON reports (incident_id);
CREATE INDEX reports_bbox ON reports (lon, lat);
CREATE INDEX reports_log ON reports (log_index);

CREATE TABLE sites (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL DEFAULT '',
	country     TEXT NOT NULL DEFAULT '',
	lon         REAL NOT NULL,
	lat         REAL NOT NULL,
	category    TEXT NOT NULL DEFAULT '',
	attrs       TEXT NOT NULL DEFAULT '{}',
	capacity_mw REAL NOT NULL DEFAULT 0,
	source      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE agreements (
	id         TEXT NOT NULL,
	version    INTEGER NOT NULL,
	sha256     TEXT NOT NULL,
	bundle     BLOB NOT NULL,
	created_ns INTEGER NOT NULL,
	log_index  INTEGER NOT NULL,
	PRIMARY KEY (id, version)
);

-- Judgements: the adjudication of one report under one agreement version.
CREATE TABLE judgements (
	report_id   TEXT NOT NULL REFERENCES reports (id),
	agreement   TEXT NOT NULL,
	version     INTEGER NOT NULL,
	outcome     INTEGER NOT NULL,
	explanation TEXT NOT NULL,
	detail      TEXT NOT NULL, -- JSON: facts and findings
	perpetrator TEXT NOT NULL DEFAULT '',
	phases      TEXT NOT NULL DEFAULT '', -- |phase| for every phase with a finding other than not_prohibited
	log_index   INTEGER NOT NULL,
	PRIMARY KEY (agreement, version, report_id),
	FOREIGN KEY (agreement, version) REFERENCES agreements (id, version)
);
CREATE INDEX judgements_report ON judgements (report_id, log_index);

-- Incidents group the reports of one event; the review workflow works on them.
CREATE TABLE incidents (
	id           TEXT PRIMARY KEY,
	status       TEXT NOT NULL,
	published    INTEGER NOT NULL DEFAULT 0,
	submitted_by TEXT NOT NULL DEFAULT '',
	contested_by TEXT NOT NULL DEFAULT '', -- |UA|RU|
	merged_into  TEXT NOT NULL DEFAULT '', -- set when merged into another incident
	created_ns   INTEGER NOT NULL,
	updated_ns   INTEGER NOT NULL,
	-- The figures of its reports under the current adjudication, kept by
	-- the store so that listings can filter and sort without joins.
	start_ns     INTEGER NOT NULL,         -- earliest report start
	lon          REAL NOT NULL,
	lat          REAL NOT NULL,
	outcome      INTEGER NOT NULL DEFAULT 0,
	parties      TEXT NOT NULL DEFAULT '', -- |RU|UA|
	phases       TEXT NOT NULL DEFAULT '', -- |energy|
	explanation  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incidents_start ON incidents (start_ns, id);
CREATE INDEX incidents_lonlat ON incidents (lon, lat);

-- Which agreement version the incident figures come from.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE incident_events (
	id         INTEGER PRIMARY KEY,
	incident   TEXT NOT NULL,
	at_ns      INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	from_status TEXT NOT NULL DEFAULT '',
	to_status  TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	party      TEXT NOT NULL DEFAULT '',
	response   TEXT NOT NULL DEFAULT '',
	evidence   TEXT NOT NULL DEFAULT '',
	other      TEXT NOT NULL DEFAULT '',
	log_index  INTEGER NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident, id);
CREATE INDEX incident_events_log ON incident_events (log_index);

CREATE TABLE evidence (
	id          TEXT NOT NULL,
	incident    TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	media_type  TEXT NOT NULL,
	size        INTEGER NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	added_by    TEXT NOT NULL,
	at_ns       INTEGER NOT NULL,
	content     BLOB,
	log_index   INTEGER NOT NULL,
	PRIMARY KEY (incident, id)
);

CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	hash       TEXT NOT NULL UNIQUE,
	role       TEXT NOT NULL,
	party      TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL DEFAULT '',
	created_ns INTEGER NOT NULL,
	expires_ns INTEGER,
	revoked_ns INTEGER
);

-- The tamper-evident log: records, the RFC 6962 tree's stored hashes
-- (tlog layout), signed checkpoints and the signing key.
CREATE TABLE log_records (
	idx  INTEGER PRIMARY KEY,
	data BLOB NOT NULL
);
CREATE TABLE log_hashes (
	idx  INTEGER PRIMARY KEY,
	hash BLOB NOT NULL
);
CREATE TABLE log_checkpoints (
	size       INTEGER PRIMARY KEY,
	note       BLOB NOT NULL,
	created_ns INTEGER NOT NULL
);
CREATE TABLE log_key (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	origin   TEXT NOT NULL,
	signer   TEXT NOT NULL,
	verifier TEXT NOT NULL
);
