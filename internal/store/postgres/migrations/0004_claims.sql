-- The parties' own claims (issue 15): itemised accusations, stated tallies
-- and the monitors' decisions matching a claim to an incident. Each row is
-- logged (claim.created, claim.published, tally.created, claim.match) and
-- log verify rebuilds it from the log, as it does sites. Times are
-- nanoseconds since the Unix epoch, UTC; an event without a date has 0 in
-- both of its bounds.
CREATE TABLE claims (
	id            text COLLATE "C" PRIMARY KEY,
	claimant      text NOT NULL,
	body          text NOT NULL DEFAULT '',
	accused       text NOT NULL,
	stated_ns     bigint NOT NULL,
	event_start_ns bigint NOT NULL DEFAULT 0,
	event_end_ns  bigint NOT NULL DEFAULT 0,
	facility      text NOT NULL DEFAULT '',
	facility_kind text NOT NULL DEFAULT '',
	settlement    text NOT NULL DEFAULT '',
	region        text NOT NULL DEFAULT '',
	site_country  text NOT NULL DEFAULT '',
	lon           double precision NOT NULL DEFAULT 0,
	lat           double precision NOT NULL DEFAULT 0,
	loc_prec_m    double precision NOT NULL DEFAULT 0,
	placed_by     text NOT NULL DEFAULT '',
	site          text NOT NULL DEFAULT '',
	weapon        text NOT NULL DEFAULT '',
	consequences  text NOT NULL DEFAULT '',
	source_title  text NOT NULL DEFAULT '',
	source_url    text NOT NULL DEFAULT '',
	confidence    text NOT NULL DEFAULT '',
	note          text NOT NULL DEFAULT '',
	published     boolean NOT NULL DEFAULT false,
	file          text NOT NULL DEFAULT '',
	line          integer NOT NULL DEFAULT 0
);
CREATE INDEX claims_stated ON claims (stated_ns, id);

CREATE TABLE tallies (
	id           text COLLATE "C" PRIMARY KEY,
	claimant     text NOT NULL,
	speaker      text NOT NULL DEFAULT '',
	stated_ns    bigint NOT NULL,
	period       text NOT NULL DEFAULT '',
	count        text NOT NULL,
	wording      text NOT NULL DEFAULT '',
	source_title text NOT NULL DEFAULT '',
	source_url   text NOT NULL DEFAULT '',
	published    boolean NOT NULL DEFAULT false,
	file         text NOT NULL DEFAULT '',
	line         integer NOT NULL DEFAULT 0
);
CREATE INDEX tallies_stated ON tallies (stated_ns, id);

-- The latest decision on each claim and incident. The store checks that
-- both exist when it writes one; no foreign key, so that an incident row
-- stays as free to change as before.
CREATE TABLE claim_matches (
	claim_id    text COLLATE "C" NOT NULL,
	incident_id text COLLATE "C" NOT NULL,
	decision    text NOT NULL,
	note        text NOT NULL DEFAULT '',
	by_token    text NOT NULL DEFAULT '',
	by_role     text NOT NULL DEFAULT '',
	by_party    text NOT NULL DEFAULT '',
	by_name     text NOT NULL DEFAULT '',
	at_ns       bigint NOT NULL,
	log_index   bigint NOT NULL,
	PRIMARY KEY (claim_id, incident_id)
);
