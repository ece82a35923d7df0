package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"truce"
	"truce/internal/ledger"
)

const incidentCols = `id, status, published, submitted_by, contested_by, merged_into, created_ns, updated_ns,
	start_ns, lon, lat, outcome, parties, phases, explanation`

// scanIncident scans incidentCols, then extra, and returns the incident
// and its merged_into.
func scanIncident(sc scanner, extra ...any) (*truce.IncidentSummary, string, error) {
	var in truce.IncidentSummary
	var id, status, sub, merged string
	var contested, parties, phases []string
	var created, updated, start int64
	var outcome int16
	dest := []any{&id, &status, &in.Published, &sub, &contested, &merged, &created, &updated, &start,
		&in.Location.Lon, &in.Location.Lat, &outcome, &parties, &phases, &in.Explanation}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, "", err
	}
	in.ID, in.Status, in.SubmittedBy = truce.IncidentID(id), truce.Status(status), truce.PartyID(sub)
	for _, p := range contested {
		in.ContestedBy = append(in.ContestedBy, truce.PartyID(p))
	}
	for _, p := range parties {
		in.Parties = append(in.Parties, truce.PartyID(p))
		in.Accused = append(in.Accused, truce.PartyID(p))
	}
	for _, p := range phases {
		in.Phases = append(in.Phases, truce.PhaseID(p))
	}
	in.CreatedAt, in.UpdatedAt, in.Start = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC(), time.Unix(0, start).UTC()
	in.Outcome = truce.Outcome(outcome)
	return &in, merged, nil
}

// Incident returns one incident (merged-away incidents included) with its
// report ids, in one statement.
func (s *Store) Incident(ctx context.Context, id truce.IncidentID) (*truce.IncidentSummary, error) {
	var reports []string
	in, _, err := scanIncident(s.pool.QueryRow(ctx, `SELECT `+incidentCols+`,
		ARRAY(SELECT r.id FROM reports r WHERE r.incident_id = i.id ORDER BY r.start_ns, r.id)
		FROM incidents i WHERE i.id = $1`, string(id)), &reports)
	if err != nil {
		return nil, notFound(err, "incident", "incident %s not found", id)
	}
	for _, r := range reports {
		in.Reports = append(in.Reports, truce.ReportID(r))
	}
	return in, nil
}

// IncidentOf returns the incident a report belongs to. ENOTFOUND if the
// report is absent.
func (s *Store) IncidentOf(ctx context.Context, r truce.ReportID) (truce.IncidentID, error) {
	var id string
	if err := s.pool.QueryRow(ctx, `SELECT incident_id FROM reports WHERE id = $1`, string(r)).Scan(&id); err != nil {
		return "", notFound(err, "incident of report", "report %s not found", r)
	}
	return truce.IncidentID(id), nil
}

// encodeCursor and decodeCursor turn a listing position into an opaque
// token and back.
func encodeCursor(start int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(start, 10) + "|" + id))
}

func decodeCursor(c string) (int64, string, error) {
	bad := truce.Errorf(truce.EINVALID, "cursor: not a cursor returned by this server")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", bad
	}
	s, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil {
		return 0, "", bad
	}
	return n, id, nil
}

// Incidents returns one page of incidents, in (start, id) order.
func (s *Store) Incidents(ctx context.Context, f truce.IncidentFilter) ([]truce.IncidentSummary, string, error) {
	where := []string{"merged_into = ''"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	switch p := f.Visibility; p.Role {
	case truce.RoleAdmin, truce.RoleMonitor:
	case truce.RoleParty:
		where = append(where, "(published OR submitted_by = "+arg(string(p.Party))+")")
	default:
		where = append(where, "published")
	}
	// Array containment is exact element equality, served by GIN indexes.
	if f.Phase != "" {
		where = append(where, "phases @> ARRAY["+arg(string(f.Phase))+"::text]")
	}
	if f.Party != "" {
		where = append(where, "parties @> ARRAY["+arg(string(f.Party))+"::text]")
	}
	if f.Outcome != 0 {
		where = append(where, "outcome = "+arg(int16(f.Outcome)))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.Since != nil {
		where = append(where, "start_ns >= "+arg(f.Since.UnixNano()))
	}
	if f.Until != nil {
		where = append(where, "start_ns < "+arg(f.Until.UnixNano()))
	}
	if b := f.Within; b != nil {
		// Two phases: the GiST index on geog::geometry finds candidates
		// (its boxes are rounded outward, so none is missed), then the
		// exact box test, edges included, as geo.BBox.Contains.
		minLon, minLat, maxLon, maxLat := arg(b.MinLon), arg(b.MinLat), arg(b.MaxLon), arg(b.MaxLat)
		where = append(where, fmt.Sprintf("geog::geometry && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", minLon, minLat, maxLon, maxLat),
			fmt.Sprintf("lon >= %s AND lon <= %s AND lat >= %s AND lat <= %s", minLon, maxLon, minLat, maxLat))
	}
	if f.After != "" {
		start, id, err := decodeCursor(f.After)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(start_ns, id) > ("+arg(start)+", "+arg(id)+")")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	// Each incident comes with its report ids, in the same statement.
	rows, err := s.pool.Query(ctx, `SELECT `+incidentCols+`,
		ARRAY(SELECT r.id FROM reports r WHERE r.incident_id = incidents.id ORDER BY r.start_ns, r.id)
		FROM incidents WHERE `+strings.Join(where, " AND ")+` ORDER BY start_ns, id LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: incidents: %w", err)
	}
	defer rows.Close()
	var out []truce.IncidentSummary
	for rows.Next() {
		var reports []string
		in, _, err := scanIncident(rows, &reports)
		if err != nil {
			return nil, "", fmt.Errorf("postgres: incidents: %w", err)
		}
		for _, r := range reports {
			in.Reports = append(in.Reports, truce.ReportID(r))
		}
		out = append(out, *in)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("postgres: incidents: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		next = encodeCursor(last.Start.UnixNano(), string(last.ID))
	}
	return out, next, nil
}

const eventCols = `id, incident, at_ns, actor, kind, from_status, to_status, reason, party, response, evidence, other, log_index`

func scanEvent(sc scanner) (*truce.Event, error) {
	var e truce.Event
	var inc, kind, from, to, party, resp, other string
	var at int64
	if err := sc.Scan(&e.ID, &inc, &at, &e.Actor, &kind, &from, &to, &e.Reason, &party, &resp, &e.Evidence, &other, &e.LogIndex); err != nil {
		return nil, err
	}
	e.Incident, e.Kind, e.From, e.To = truce.IncidentID(inc), truce.EventKind(kind), truce.Status(from), truce.Status(to)
	e.Party, e.Response, e.Other, e.At = truce.PartyID(party), truce.ResponseKind(resp), truce.IncidentID(other), time.Unix(0, at).UTC()
	return &e, nil
}

// Events returns an incident's history, oldest first.
func (s *Store) Events(ctx context.Context, id truce.IncidentID) ([]truce.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+eventCols+` FROM incident_events WHERE incident = $1 ORDER BY id`, string(id))
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	defer rows.Close()
	var out []truce.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: events: %w", err)
		}
		out = append(out, *e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	return out, nil
}

// Evidence lists an incident's evidence items.
func (s *Store) Evidence(ctx context.Context, id truce.IncidentID) ([]truce.Evidence, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, incident, sha256, media_type, size, description, added_by, at_ns FROM evidence
		WHERE incident = $1 ORDER BY at_ns, id`, string(id))
	if err != nil {
		return nil, fmt.Errorf("postgres: evidence: %w", err)
	}
	defer rows.Close()
	var out []truce.Evidence
	for rows.Next() {
		var e truce.Evidence
		var inc string
		var at int64
		if err := rows.Scan(&e.ID, &inc, &e.SHA256, &e.MediaType, &e.Size, &e.Description, &e.AddedBy, &at); err != nil {
			return nil, fmt.Errorf("postgres: evidence: %w", err)
		}
		e.Incident, e.At = truce.IncidentID(inc), time.Unix(0, at).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: evidence: %w", err)
	}
	return out, nil
}

// EvidenceContent returns the bytes and media type of one evidence item.
func (s *Store) EvidenceContent(ctx context.Context, id truce.IncidentID, evidence string) ([]byte, string, error) {
	var b []byte
	var mt string
	err := s.pool.QueryRow(ctx, `SELECT content, media_type FROM evidence WHERE incident = $1 AND id = $2`, string(id), evidence).Scan(&b, &mt)
	if err != nil {
		return nil, "", notFound(err, "evidence", "evidence %s of incident %s not found", evidence, id)
	}
	return b, mt, nil
}

// loadIncident reads an incident inside a write transaction. A merged-away
// incident is a conflict: its reports live in another incident now.
func (w *writeTx) loadIncident(id truce.IncidentID) (*truce.IncidentSummary, error) {
	in, merged, err := scanIncident(w.QueryRow(w.ctx, `SELECT `+incidentCols+` FROM incidents WHERE id = $1`, string(id)))
	if err != nil {
		return nil, notFound(err, "incident", "incident %s not found", id)
	}
	if merged != "" {
		return nil, truce.Errorf(truce.ECONFLICT, "incident %s was merged into %s", id, merged)
	}
	return in, nil
}

// addEvent stores e (filling its id, time, actor and log index), logs it
// and touches its incident.
func (w *writeTx) addEvent(by truce.Principal, e *truce.Event, ev *truce.Evidence) error {
	e.At, e.Actor = w.now, by.String()
	// The record holds the event's id and the row its record's index: the
	// index is known (appends are serialised), so the row is written once.
	next := w.size
	err := w.QueryRow(w.ctx, `WITH ev AS (
			INSERT INTO incident_events (incident, at_ns, actor, kind, from_status, to_status, reason, party, response, evidence, other, log_index)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id
		), touched AS (
			UPDATE incidents SET updated_ns = $2 WHERE id = $1
		)
		SELECT id FROM ev`, string(e.Incident), e.At.UnixNano(), e.Actor, string(e.Kind), string(e.From), string(e.To),
		e.Reason, string(e.Party), string(e.Response), e.Evidence, string(e.Other), next).Scan(&e.ID)
	if err != nil {
		return textError(err, "event")
	}
	if e.LogIndex, err = w.log(ledger.EventRecord(by, e, ev)); err != nil {
		return err
	}
	if e.LogIndex != next {
		return fmt.Errorf("postgres: event %d logged at %d, want %d", e.ID, e.LogIndex, next)
	}
	return nil
}

func (w *writeTx) setStatus(by truce.Principal, in *truce.IncidentSummary, to truce.Status, reason string) (*truce.Event, error) {
	if !in.Status.CanMove(to) {
		return nil, truce.Errorf(truce.ECONFLICT, "incident %s is %s: it cannot move to %s", in.ID, in.Status, to)
	}
	e := &truce.Event{Incident: in.ID, Kind: truce.EventStatus, From: in.Status, To: to, Reason: reason}
	if _, err := w.Exec(w.ctx, `UPDATE incidents SET status = $1 WHERE id = $2`, string(to), string(in.ID)); err != nil {
		return nil, fmt.Errorf("postgres: status: %w", err)
	}
	if err := w.addEvent(by, e, nil); err != nil {
		return nil, err
	}
	in.Status = to
	return e, nil
}

func (w *writeTx) publish(by truce.Principal, in *truce.IncidentSummary) (*truce.Event, error) {
	if in.Published {
		return nil, nil
	}
	if _, err := w.Exec(w.ctx, `UPDATE incidents SET published = true WHERE id = $1`, string(in.ID)); err != nil {
		return nil, fmt.Errorf("postgres: publish: %w", err)
	}
	e := &truce.Event{Incident: in.ID, Kind: truce.EventPublished}
	in.Published = true
	return e, w.addEvent(by, e, nil)
}

// ChangeStatus moves an incident in the workflow. A final status
// (verified, unverifiable, dismissed) also publishes it: the outcome of a
// review is public.
func (s *Store) ChangeStatus(ctx context.Context, by truce.Principal, id truce.IncidentID, to truce.Status, reason string) (*truce.Event, error) {
	if !to.Known() {
		return nil, truce.Errorf(truce.EINVALID, "unknown status %q", to)
	}
	var e *truce.Event
	err := s.write(ctx, func(w *writeTx) error {
		in, err := w.loadIncident(id)
		if err != nil {
			return err
		}
		if e, err = w.setStatus(by, in, to, reason); err != nil {
			return err
		}
		if to.Final() {
			_, err = w.publish(by, in)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// AddNote attaches a note.
func (s *Store) AddNote(ctx context.Context, by truce.Principal, id truce.IncidentID, text string) (*truce.Event, error) {
	e := &truce.Event{Incident: id, Kind: truce.EventNote, Reason: text}
	err := s.write(ctx, func(w *writeTx) error {
		if _, err := w.loadIncident(id); err != nil {
			return err
		}
		return w.addEvent(by, e, nil)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Respond records a party's response and marks the incident as contested
// by the party.
func (s *Store) Respond(ctx context.Context, by truce.Principal, id truce.IncidentID, kind truce.ResponseKind, text string) (*truce.Event, error) {
	if by.Party == "" {
		return nil, truce.Errorf(truce.EINVALID, "only a party can respond")
	}
	e := &truce.Event{Incident: id, Kind: truce.EventResponse, Party: by.Party, Response: kind, Reason: text}
	err := s.write(ctx, func(w *writeTx) error {
		in, err := w.loadIncident(id)
		if err != nil {
			return err
		}
		if !slices.Contains(in.ContestedBy, by.Party) {
			contested := []string{string(by.Party)}
			for _, p := range in.ContestedBy {
				contested = append(contested, string(p))
			}
			slices.Sort(contested)
			if _, err := w.Exec(ctx, `UPDATE incidents SET contested_by = $1 WHERE id = $2`, contested, string(id)); err != nil {
				return textError(err, "respond")
			}
		}
		return w.addEvent(by, e, nil)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// AddEvidence stores an evidence item; an incident in a final status goes
// back to under_review when truce.EvidenceReopens says so.
func (s *Store) AddEvidence(ctx context.Context, by truce.Principal, id truce.IncidentID, ev *truce.Evidence, content []byte) (*truce.Event, error) {
	sum := sha256.Sum256(content)
	ev.SHA256, ev.Size, ev.Incident, ev.AddedBy = hex.EncodeToString(sum[:]), int64(len(content)), id, by.String()
	ev.ID = "sha256:" + ev.SHA256
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	if content == nil {
		content = []byte{} // NULL is not empty content
	}
	e := &truce.Event{Incident: id, Kind: truce.EventEvidence, Evidence: ev.ID, Reason: ev.Description}
	err := s.write(ctx, func(w *writeTx) error {
		in, err := w.loadIncident(id)
		if err != nil {
			return err
		}
		ev.At = w.now
		if err := w.addEvent(by, e, ev); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `INSERT INTO evidence (id, incident, sha256, media_type, size, description, added_by, at_ns, content, log_index)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, ev.ID, string(id), ev.SHA256, ev.MediaType, ev.Size, ev.Description,
			ev.AddedBy, ev.At.UnixNano(), content, e.LogIndex); err != nil {
			if pgCode(err) == codeUniqueViolation {
				return truce.Errorf(truce.ECONFLICT, "incident %s already has evidence %s", id, ev.ID)
			}
			return textError(err, "evidence")
		}
		if truce.EvidenceReopens(in.Status, by) {
			_, err = w.setStatus(by, in, truce.StatusUnderReview, "new evidence "+ev.ID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Publish makes an incident public. ECONFLICT if it is already.
func (s *Store) Publish(ctx context.Context, by truce.Principal, id truce.IncidentID) (*truce.Event, error) {
	var e *truce.Event
	err := s.write(ctx, func(w *writeTx) error {
		in, err := w.loadIncident(id)
		if err != nil {
			return err
		}
		if in.Published {
			return truce.Errorf(truce.ECONFLICT, "incident %s is already published", id)
		}
		e, err = w.publish(by, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Merge moves the reports of source into target; source stays, marked as
// merged, with its history.
func (s *Store) Merge(ctx context.Context, by truce.Principal, target, source truce.IncidentID, reason string) (*truce.Event, error) {
	if target == source {
		return nil, truce.Errorf(truce.EINVALID, "cannot merge incident %s into itself", target)
	}
	var e *truce.Event
	err := s.write(ctx, func(w *writeTx) error {
		tgt, err := w.loadIncident(target)
		if err != nil {
			return err
		}
		src, err := w.loadIncident(source)
		if err != nil {
			return err
		}
		if !truce.CanMerge(&tgt.Incident, &src.Incident) {
			return truce.Errorf(truce.ECONFLICT, "incidents %s and %s are visible to different readers: publish them both, or neither, before merging", target, source)
		}
		if e, err = w.merge(by, target, source, reason); err != nil {
			return err
		}
		return w.refreshIncidents(string(target))
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// MergeMany applies merges in one transaction (see truce.IncidentStore).
func (s *Store) MergeMany(ctx context.Context, by truce.Principal, ops []truce.MergeOp) (int, error) {
	n := 0
	err := s.write(ctx, func(w *writeTx) error {
		targets := map[truce.IncidentID]bool{}
		var order []string
		for _, op := range ops {
			if op.Target == op.Source {
				continue
			}
			tgt, err := w.loadIncident(op.Target)
			if err != nil {
				return err
			}
			src, err := w.loadIncident(op.Source)
			if truce.ErrorCode(err) == truce.ECONFLICT {
				continue // already merged
			} else if err != nil {
				return err
			}
			if !truce.CanGroup(&tgt.Incident, &src.Incident) {
				continue
			}
			if _, err := w.merge(by, op.Target, op.Source, op.Reason); err != nil {
				return err
			}
			n++
			if !targets[op.Target] {
				targets[op.Target] = true
				order = append(order, string(op.Target))
			}
		}
		if len(order) == 0 {
			return nil
		}
		return w.refreshIncidents(order...)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// merge moves source's reports into target and records it on both.
func (w *writeTx) merge(by truce.Principal, target, source truce.IncidentID, reason string) (*truce.Event, error) {
	b := &pgx.Batch{}
	b.Queue(`UPDATE reports SET incident_id = $1 WHERE incident_id = $2`, string(target), string(source))
	b.Queue(`UPDATE incidents SET merged_into = $1 WHERE id = $2`, string(target), string(source))
	if err := w.SendBatch(w.ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("postgres: merge: %w", err)
	}
	// Emptied, source shows no figures (derived.go), as log verify expects.
	if err := w.clearFigures(source); err != nil {
		return nil, err
	}
	e := &truce.Event{Incident: target, Kind: truce.EventMerged, Other: source, Reason: reason}
	if err := w.addEvent(by, e, nil); err != nil {
		return nil, err
	}
	if err := w.addEvent(by, &truce.Event{Incident: source, Kind: truce.EventMergedInto, Other: target, Reason: reason}, nil); err != nil {
		return nil, err
	}
	return e, nil
}

// Split moves a report out of its incident into the incident named after
// it (reviving it if it was merged away). ECONFLICT if the report is in its
// namesake incident already.
func (s *Store) Split(ctx context.Context, by truce.Principal, report truce.ReportID, reason string) (*truce.Event, error) {
	var e *truce.Event
	err := s.write(ctx, func(w *writeTx) error {
		var from string
		err := w.QueryRow(ctx, `SELECT incident_id FROM reports WHERE id = $1`, string(report)).Scan(&from)
		if errors.Is(err, pgx.ErrNoRows) {
			return truce.Errorf(truce.ENOTFOUND, "report %s not found", report)
		} else if err != nil {
			return fmt.Errorf("postgres: split: %w", err)
		}
		if from == string(report) {
			return truce.Errorf(truce.ECONFLICT, "report %s already has an incident of its own (%s): split the other reports out of it instead", report, from)
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE incidents SET merged_into = '' WHERE id = $1`, string(report))
		b.Queue(`UPDATE reports SET incident_id = $1 WHERE id = $1`, string(report))
		if err := w.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("postgres: split: %w", err)
		}
		e = &truce.Event{Incident: truce.IncidentID(from), Kind: truce.EventSplit, Other: truce.IncidentID(report), Reason: reason}
		if err := w.addEvent(by, e, nil); err != nil {
			return err
		}
		if err := w.addEvent(by, &truce.Event{Incident: truce.IncidentID(report), Kind: truce.EventSplitFrom, Other: truce.IncidentID(from), Reason: reason}, nil); err != nil {
			return err
		}
		return w.refreshIncidents(from, string(report))
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}
