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
	CHECK (end_ns > start_ns)
);
CREATE INDEX reports_start ON reports (start_ns, id);

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
	PRIMARY KEY (agreement, version, report_id),
	FOREIGN KEY (agreement, version) REFERENCES agreements (id, version)
);
