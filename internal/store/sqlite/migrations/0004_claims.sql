-- The parties' own claims (issue 15): itemised accusations, stated tallies
-- and the monitors' decisions matching a claim to an incident. Each row is
-- logged (claim.created, claim.published, tally.created, claim.match) and
-- log verify rebuilds it from the log, as it does sites. Times are
-- nanoseconds since the Unix epoch, UTC; an event without a date has 0 in
-- both of its bounds.
CREATE TABLE claims (
	id            TEXT PRIMARY KEY,
	claimant      TEXT NOT NULL,
	body          TEXT NOT NULL DEFAULT '',
	accused       TEXT NOT NULL,
	stated_ns     INTEGER NOT NULL,
	event_start_ns INTEGER NOT NULL DEFAULT 0,
	event_end_ns  INTEGER NOT NULL DEFAULT 0,
	facility      TEXT NOT NULL DEFAULT '',
	facility_kind TEXT NOT NULL DEFAULT '',
	settlement    TEXT NOT NULL DEFAULT '',
	region        TEXT NOT NULL DEFAULT '',
	site_country  TEXT NOT NULL DEFAULT '',
	lon           REAL NOT NULL DEFAULT 0,
	lat           REAL NOT NULL DEFAULT 0,
	loc_prec_m    REAL NOT NULL DEFAULT 0,
	placed_by     TEXT NOT NULL DEFAULT '',
	site          TEXT NOT NULL DEFAULT '',
	weapon        TEXT NOT NULL DEFAULT '',
	consequences  TEXT NOT NULL DEFAULT '',
	source_title  TEXT NOT NULL DEFAULT '',
	source_url    TEXT NOT NULL DEFAULT '',
	confidence    TEXT NOT NULL DEFAULT '',
	note          TEXT NOT NULL DEFAULT '',
	published     INTEGER NOT NULL DEFAULT 0,
	file          TEXT NOT NULL DEFAULT '',
	line          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX claims_stated ON claims (stated_ns, id);

CREATE TABLE tallies (
	id           TEXT PRIMARY KEY,
	claimant     TEXT NOT NULL,
	speaker      TEXT NOT NULL DEFAULT '',
	stated_ns    INTEGER NOT NULL,
	period       TEXT NOT NULL DEFAULT '',
	count        TEXT NOT NULL,
	wording      TEXT NOT NULL DEFAULT '',
	source_title TEXT NOT NULL DEFAULT '',
	source_url   TEXT NOT NULL DEFAULT '',
	published    INTEGER NOT NULL DEFAULT 0,
	file         TEXT NOT NULL DEFAULT '',
	line         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tallies_stated ON tallies (stated_ns, id);

-- The latest decision on each claim and incident. The store checks that
-- both exist when it writes one; no foreign key, so that an incident row
-- stays as free to change as before.
CREATE TABLE claim_matches (
	claim_id    TEXT NOT NULL,
	incident_id TEXT NOT NULL,
	decision    TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	by_token    TEXT NOT NULL DEFAULT '',
	by_role     TEXT NOT NULL DEFAULT '',
	by_party    TEXT NOT NULL DEFAULT '',
	by_name     TEXT NOT NULL DEFAULT '',
	at_ns       INTEGER NOT NULL,
	log_index   INTEGER NOT NULL,
	PRIMARY KEY (claim_id, incident_id)
);
