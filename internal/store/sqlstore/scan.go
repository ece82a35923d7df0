package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	"truce"
	"truce/internal/ledger"
)

// Column lists, in the order of the scan functions that read them. Both
// drivers' schemas use these names.
const (
	// ReportCols are a report's own columns (ScanReport).
	ReportCols = `id, source, source_id, outlet, file, line, original, start_ns, end_ns, precision, lon, lat, loc_prec_m,
	place, actor1, actor2, perpetrator, actions, event_type, category, site, text, fatalities`
	// IncidentCols are an incident's columns (ScanIncident).
	IncidentCols = `id, status, published, submitted_by, contested_by, merged_into, created_ns, updated_ns,
	start_ns, lon, lat, outcome, parties, phases, explanation`
	// EventCols are an incident event's columns (ScanEvent).
	EventCols = `id, incident, at_ns, actor, kind, from_status, to_status, reason, party, response, evidence, other, log_index`

	evidenceCols  = `id, incident, sha256, media_type, size, description, added_by, at_ns`
	tokenCols     = `id, hash, role, party, name, created_ns, expires_ns, revoked_ns`
	siteCols      = `id, name, country, lon, lat, category, attrs, capacity_mw, source`
	agreementCols = `id, version, sha256, bundle, created_ns, log_index`
)

func unixUTC(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// ScanReport reads ReportCols, then extra.
func ScanReport(d Dialect, sc Scanner, extra ...any) (*truce.Report, error) {
	var r truce.Report
	var id, perp, cat, site string
	var actions []string
	var start, end int64
	var prec int
	if err := sc.Scan(append([]any{&id, &r.Source, &r.SourceID, &r.Outlet, &r.File, &r.Line, &r.Original, &start, &end, &prec,
		&r.Location.Lon, &r.Location.Lat, &r.LocationPrecisionMeters, &r.Place, &r.Actor1, &r.Actor2, &perp, d.List(&actions),
		&r.EventType, &cat, &site, &r.Text, &r.Fatalities}, extra...)...); err != nil {
		return nil, err
	}
	r.ID, r.Perpetrator, r.Category, r.Site = truce.ReportID(id), truce.PartyID(perp), truce.CategoryID(cat), truce.SiteID(site)
	r.Start, r.End, r.Precision = unixUTC(start), unixUTC(end), truce.TimePrecision(prec)
	r.Actions = typed[truce.Action](actions)
	return &r, nil
}

// ScanIncident reads IncidentCols, then extra, and returns the incident
// and the incident it was merged into ("" if none).
func ScanIncident(d Dialect, sc Scanner, extra ...any) (*truce.IncidentSummary, truce.IncidentID, error) {
	var in truce.IncidentSummary
	var id, status, sub, merged string
	var contested, parties, phases []string
	var created, updated, start int64
	var outcome int
	if err := sc.Scan(append([]any{&id, &status, &in.Published, &sub, d.List(&contested), &merged, &created, &updated, &start,
		&in.Location.Lon, &in.Location.Lat, &outcome, d.List(&parties), d.List(&phases), &in.Explanation}, extra...)...); err != nil {
		return nil, "", err
	}
	in.ID, in.Status, in.SubmittedBy = truce.IncidentID(id), truce.Status(status), truce.PartyID(sub)
	in.ContestedBy, in.Parties, in.Phases = typed[truce.PartyID](contested), typed[truce.PartyID](parties), typed[truce.PhaseID](phases)
	in.Accused = typed[truce.PartyID](parties)
	in.CreatedAt, in.UpdatedAt, in.Start = unixUTC(created), unixUTC(updated), unixUTC(start)
	in.Outcome = truce.Outcome(outcome)
	return &in, truce.IncidentID(merged), nil
}

// ScanEvent reads EventCols.
func ScanEvent(sc Scanner) (*truce.Event, error) {
	var e truce.Event
	var inc, kind, from, to, party, resp, other string
	var at int64
	if err := sc.Scan(&e.ID, &inc, &at, &e.Actor, &kind, &from, &to, &e.Reason, &party, &resp, &e.Evidence, &other, &e.LogIndex); err != nil {
		return nil, err
	}
	e.Incident, e.Kind, e.From, e.To = truce.IncidentID(inc), truce.EventKind(kind), truce.Status(from), truce.Status(to)
	e.Party, e.Response, e.Other, e.At = truce.PartyID(party), truce.ResponseKind(resp), truce.IncidentID(other), unixUTC(at)
	return &e, nil
}

// scanEvidence reads evidenceCols.
func scanEvidence(sc Scanner) (*truce.Evidence, error) {
	var e truce.Evidence
	var inc string
	var at int64
	if err := sc.Scan(&e.ID, &inc, &e.SHA256, &e.MediaType, &e.Size, &e.Description, &e.AddedBy, &at); err != nil {
		return nil, err
	}
	e.Incident, e.At = truce.IncidentID(inc), unixUTC(at)
	return &e, nil
}

// scanToken reads tokenCols.
func scanToken(sc Scanner) (*truce.Token, error) {
	var t truce.Token
	var role, party string
	var created int64
	var exp, rev *int64
	if err := sc.Scan(&t.ID, &t.Hash, &role, &party, &t.Name, &created, &exp, &rev); err != nil {
		return nil, err
	}
	t.Role, t.Party, t.CreatedAt = truce.Role(role), truce.PartyID(party), unixUTC(created)
	if exp != nil {
		e := unixUTC(*exp)
		t.ExpiresAt = &e
	}
	if rev != nil {
		r := unixUTC(*rev)
		t.RevokedAt = &r
	}
	return &t, nil
}

// scanSite reads siteCols. The attributes are JSON (SQLite text,
// PostgreSQL jsonb); none read as nil, however they were written.
func scanSite(sc Scanner) (*truce.Site, error) {
	var site truce.Site
	var id, cat string
	var attrs []byte
	if err := sc.Scan(&id, &site.Name, &site.Country, &site.Location.Lon, &site.Location.Lat, &cat, &attrs, &site.CapacityMW, &site.Source); err != nil {
		return nil, err
	}
	site.ID, site.Category = truce.SiteID(id), truce.CategoryID(cat)
	if err := json.Unmarshal(attrs, &site.Attrs); err != nil {
		return nil, fmt.Errorf("site %s attrs: %w", id, err)
	}
	if len(site.Attrs) == 0 {
		site.Attrs = nil
	}
	return &site, nil
}

// scanAgreement reads agreementCols (the bundle may be selected as NULL).
func scanAgreement(sc Scanner) (*truce.AgreementVersion, error) {
	var v truce.AgreementVersion
	var id string
	var created int64
	if err := sc.Scan(&id, &v.Version, &v.SHA256, &v.Bundle, &created, &v.LogIndex); err != nil {
		return nil, err
	}
	v.ID, v.CreatedAt = truce.AgreementID(id), unixUTC(created)
	return &v, nil
}

// ScanFigures reads what an incident's figures take from one of its
// reports (ledger.ReportFigures): the report's id, start_ns, lon and lat,
// then its judgement's outcome, perpetrator, phases and explanation under
// the current agreement version: zero, empty text and an empty list when
// it has none.
func ScanFigures(d Dialect, sc Scanner) (ledger.ReportFigures, error) {
	var r ledger.ReportFigures
	var report, perp string
	var start int64
	var outcome int
	var phases []string
	if err := sc.Scan(&report, &start, &r.Location.Lon, &r.Location.Lat, &outcome, &perp, d.List(&phases), &r.Explanation); err != nil {
		return ledger.ReportFigures{}, err
	}
	r.Report, r.Start, r.Outcome, r.Perpetrator = truce.ReportID(report), unixUTC(start), truce.Outcome(outcome), truce.PartyID(perp)
	r.Phases = typed[truce.PhaseID](phases)
	return r, nil
}

// FigureValues returns the values of an incident's figure columns (start_ns,
// lon, lat, outcome, parties, phases, explanation), as the driver's
// refresh writes them.
func FigureValues(d Dialect, f ledger.Figures) []any {
	return []any{f.Start.UnixNano(), f.Location.Lon, f.Location.Lat, int(f.Outcome), d.ListValue(Texts(f.Parties)), d.ListValue(Texts(f.Phases)),
		f.Explanation}
}
