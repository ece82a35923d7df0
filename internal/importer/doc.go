// Package importer reads incident reports and protected sites from the
// files monitors publish, as streams: ReadReports and ReadSites take an
// io.Reader, hand each good record to a callback and each bad one, with its
// FILE:LINE, to another, and never hold more than one record (plus a set of
// the ids seen, to reject duplicates) in memory.
//
// # Formats
//
// Reports: the project's own truce-csv, truce-json and truce-geojson;
// ACLED exports (acled); the UCDP Georeferenced Event Dataset (ucdp-ged);
// VIINA monthly incident files (viina); the Centre for Information
// Resilience's "Eyes on Russia" events (cir, ids cir-ENTRY, geolocated
// events placed within 500 m, others 5 km, the verification fields in
// EventType); NASA FIRMS active-fire files, VIIRS or MODIS (firms).
// Observations and restrictions of the monitors' own (field.go,
// docs/field-format.md) are read by ReadObservations and
// ReadRestrictions. Sites: the WRI Global Power Plant Database (gppd) and
// the project's own sites-csv and sites-geojson. DetectReports and
// DetectSites tell the format from an input's first bytes.
//
// # Satellite fire detections
//
// A FIRMS row is a hotspot, evidence rather than a claim: ReadHotspots
// streams them as Hotspot values with every sensor field (pixel size, FRP,
// confidence, brightness), and ReadReports as reports with source "firms",
// outlet "NASA FIRMS", the acquisition minute in UTC, half the pixel's
// diagonal as location precision, no actions and no category, and the
// sensor fields in EventType ("firms viirs N20 nominal frp=12.3"). Both
// parse with FIRMSParser: FIRMS files are never quoted, so rows are split
// at commas by hand and numbers parsed on a correctly rounded fast path
// (package sensor judges millions of rows with it). A FIRMS row is ASCII and
// at most MaxFIRMSLineBytes long; anything else is a bad row.
//
// # Text
//
// A leading UTF-8 BOM is dropped. Each line that is not valid UTF-8 is
// decoded as Windows-1252 (UCDP GED files that went through Excel are), so
// every string a reader emits is valid UTF-8. Unicode is otherwise kept as
// written (no normalisation: a GPPD name in NFD stays in NFD).
//
// # Provenance
//
// A report's ID is the source's own id where it has one (ACLED
// event_id_cnty, UCDP id, the own formats' id), else FILE:LINE: the base
// name of Options.File and the 1-based line where the record starts, the
// header being line 1. GeoJSON features without an id are FILE:feature-N
// instead (N counts features from 1), as a GeoJSON file may hold all its
// features on one line. Two records with the same id in one file: the
// second is a bad row. Original is the record's exact text as decoded to
// UTF-8 (a CSV record without its line end, which may span several lines;
// a JSON object or GeoJSON feature as written).
//
// # Numbers
//
// Every report and site is normalised ((*truce.Report).Normalize) before it
// is validated: a -0 in any float becomes 0, so that the value stored and
// the value logged are the same number.
//
// # Storing
//
// PutReports stores a batch and turns a stored report with the same id but
// other content into an ECONFLICT error that names both, where the store
// alone would keep the first silently: two different files with one base
// name, or a source record revised since it was stored. A file imported
// again adds nothing and is no error.
//
// # Time
//
// Start and End are a half-open interval in UTC. A date without a time is
// the whole local day in Options.TZ (default Europe/Kyiv), so a day is 23
// or 25 hours long across a DST change. ACLED time_precision 2 is the seven
// days centred on the date, 3 its calendar month. UCDP covers date_start to
// date_end, both whole days (date_prec sets Precision only). VIINA times at
// exactly 00:00:00 are dates; other times are minutes.
//
// # The project's own report formats
//
// truce-csv is a CSV with a header; columns may come in any order, only
// time, lon and lat are required and any column not listed here is an
// error (it is likely a misspelling):
//
//	id                    the report's id; empty = FILE:LINE
//	time                  RFC 3339 time ("2025-03-25T04:10:00+02:00") or a date ("2025-03-25")
//	time_precision        exact, minute, hour, day, week, month or year; default exact for a
//	                      time and day for a date. A time is widened in its own offset (hour:
//	                      its clock hour, day: its calendar day, week: the 7 days centred on
//	                      it, month, year); a date in Options.TZ
//	lon, lat              WGS 84 degrees
//	location_precision_m  radius in metres within which the true position lies; default 0
//	place                 place name
//	source                dataset or channel; default "truce"
//	outlet                who published the account
//	perpetrator           the party the source states as perpetrator (a truce.PartyID)
//	actions               "|"-separated truce.Action values, e.g. "drone_attack|shelling"
//	category              target category (a truce.CategoryID, e.g. "energy.power_plant")
//	site                  target site id (a truce.SiteID, e.g. "WRI1005114")
//	actor1, actor2        actors as the source names them
//	event_type            the source's own event type labels
//	text                  headline, notes or description
//	fatalities            non-negative integer
//
// truce-json is JSON Lines: one object per line with the same fields, lon,
// lat, location_precision_m and fatalities as JSON numbers and actions as
// an array of strings; unknown fields are errors. An input whose first
// non-blank character is '[' is instead read as one JSON array of such
// objects. truce-geojson is a FeatureCollection of Point features whose
// properties are the same fields without lon and lat, which come from the
// geometry; a feature's own "id" is used when properties have none.
//
// # The project's own site formats
//
// sites-csv has the columns id, name, lon, lat (required), category,
// country (ISO 3166-1 alpha-3), capacity_mw (optional); every other column
// is kept, when not empty, in Site.Attrs. sites-geojson is a
// FeatureCollection of Point features with the same properties (lon and lat
// from the geometry); other properties are kept as attributes.
//
// # Errors
//
// A bad row never stops a read unless Options.Strict is set. What is fatal:
// an I/O error, a header that lacks a required column, an error returned by
// the emit callback, and malformed JSON inside a JSON array or a GeoJSON
// file (which cannot be resynchronised; a bad JSON Lines line is just a bad
// row).
package importer
