package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"truce"
	"truce/internal/ledger"
)

const incidentCols = `id, status, published, submitted_by, contested_by, merged_into, created_ns, updated_ns,
	start_ns, lon, lat, outcome, parties, phases, explanation`

func scanIncident(sc scanner, extra ...any) (*truce.IncidentSummary, error) {
	var in truce.IncidentSummary
	var id, status, sub, contested, merged, parties, phases string
	var published bool
	var created, updated, start int64
	var outcome int
	if err := sc.Scan(append([]any{&id, &status, &published, &sub, &contested, &merged, &created, &updated, &start,
		&in.Location.Lon, &in.Location.Lat, &outcome, &parties, &phases, &in.Explanation}, extra...)...); err != nil {
		return nil, err
	}
	in.ID, in.Status, in.Published, in.SubmittedBy = truce.IncidentID(id), truce.Status(status), published, truce.PartyID(sub)
	for _, p := range unbars(contested) {
		in.ContestedBy = append(in.ContestedBy, truce.PartyID(p))
	}
	for _, p := range unbars(parties) {
		in.Parties = append(in.Parties, truce.PartyID(p))
		in.Accused = append(in.Accused, truce.PartyID(p))
	}
	for _, p := range unbars(phases) {
		in.Phases = append(in.Phases, truce.PhaseID(p))
	}
	in.CreatedAt, in.UpdatedAt, in.Start = time.Unix(0, created).UTC(), time.Unix(0, updated).UTC(), time.Unix(0, start).UTC()
	in.Outcome = truce.Outcome(outcome)
	return &in, nil
}

// Incident returns one incident (merged-away incidents included) with its
// report ids.
func (s *Store) Incident(ctx context.Context, id truce.IncidentID) (*truce.IncidentSummary, error) {
	in, err := scanIncident(s.db.QueryRowContext(ctx, `SELECT `+incidentCols+` FROM incidents WHERE id = ?`, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "incident %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: incident %s: %w", id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM reports WHERE incident_id = ? ORDER BY start_ns, id`, string(id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: incident %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("sqlite: incident %s: %w", id, err)
		}
		in.Reports = append(in.Reports, truce.ReportID(r))
	}
	return in, rows.Err()
}

// IncidentOf returns the incident a report belongs to.
func (s *Store) IncidentOf(ctx context.Context, r truce.ReportID) (truce.IncidentID, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT incident_id FROM reports WHERE id = ?`, string(r)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", truce.Errorf(truce.ENOTFOUND, "report %s not found", r)
	} else if err != nil {
		return "", fmt.Errorf("sqlite: report %s: %w", r, err)
	}
	return truce.IncidentID(id), nil
}

// EncodeCursor and DecodeCursor turn a listing position into an opaque
// token and back.
func encodeCursor(start int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(start, 10) + "|" + id))
}

func decodeCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", truce.Errorf(truce.EINVALID, "cursor: not a cursor returned by this server")
	}
	s, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil {
		return 0, "", truce.Errorf(truce.EINVALID, "cursor: not a cursor returned by this server")
	}
	return n, id, nil
}

// Incidents returns one page of incidents, in (start, id) order.
func (s *Store) Incidents(ctx context.Context, f truce.IncidentFilter) ([]truce.IncidentSummary, string, error) {
	where := []string{"merged_into = ''"}
	var args []any
	switch p := f.Visibility; p.Role {
	case truce.RoleAdmin, truce.RoleMonitor:
	case truce.RoleParty:
		where = append(where, "(published = 1 OR submitted_by = ?)")
		args = append(args, string(p.Party))
	default:
		where = append(where, "published = 1")
	}
	if f.Phase != "" {
		// instr is exact and case-sensitive, unlike LIKE.
		where = append(where, "instr(phases, ?) > 0")
		args = append(args, "|"+string(f.Phase)+"|")
	}
	if f.Party != "" {
		where = append(where, "instr(parties, ?) > 0")
		args = append(args, "|"+string(f.Party)+"|")
	}
	if f.Outcome != 0 {
		where = append(where, "outcome = ?")
		args = append(args, int(f.Outcome))
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.Since != nil {
		where = append(where, "start_ns >= ?")
		args = append(args, f.Since.UnixNano())
	}
	if f.Until != nil {
		where = append(where, "start_ns < ?")
		args = append(args, f.Until.UnixNano())
	}
	if b := f.Within; b != nil {
		where = append(where, "lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?")
		args = append(args, b.MinLon, b.MaxLon, b.MinLat, b.MaxLat)
	}
	if f.After != "" {
		start, id, err := decodeCursor(f.After)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(start_ns > ? OR (start_ns = ? AND id > ?))")
		args = append(args, start, start, id)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	args = append(args, limit+1)
	// Each incident comes with its report ids, in the same statement.
	rows, err := s.db.QueryContext(ctx, `SELECT `+incidentCols+`,
		(SELECT json_group_array(r.id ORDER BY r.start_ns, r.id) FROM reports r WHERE r.incident_id = incidents.id)
		FROM incidents WHERE `+strings.Join(where, " AND ")+` ORDER BY start_ns, id LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: incidents: %w", err)
	}
	defer rows.Close()
	var out []truce.IncidentSummary
	for rows.Next() {
		var reports string
		in, err := scanIncident(rows, &reports)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: incidents: %w", err)
		}
		if err := json.Unmarshal([]byte(reports), &in.Reports); err != nil {
			return nil, "", fmt.Errorf("sqlite: incidents: reports of %s: %w", in.ID, err)
		}
		out = append(out, *in)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: incidents: %w", err)
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

// Events returns an incident's history, oldest first.
func (s *Store) Events(ctx context.Context, id truce.IncidentID) ([]truce.Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventCols+` FROM incident_events WHERE incident = ? ORDER BY id`, string(id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer rows.Close()
	var out []truce.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: events: %w", err)
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

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

// Evidence lists an incident's evidence items.
func (s *Store) Evidence(ctx context.Context, id truce.IncidentID) ([]truce.Evidence, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, incident, sha256, media_type, size, description, added_by, at_ns FROM evidence WHERE incident = ? ORDER BY at_ns, id`, string(id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: evidence: %w", err)
	}
	defer rows.Close()
	var out []truce.Evidence
	for rows.Next() {
		var e truce.Evidence
		var inc string
		var at int64
		if err := rows.Scan(&e.ID, &inc, &e.SHA256, &e.MediaType, &e.Size, &e.Description, &e.AddedBy, &at); err != nil {
			return nil, fmt.Errorf("sqlite: evidence: %w", err)
		}
		e.Incident, e.At = truce.IncidentID(inc), time.Unix(0, at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// EvidenceContent returns the bytes and media type of one evidence item.
func (s *Store) EvidenceContent(ctx context.Context, id truce.IncidentID, evidence string) ([]byte, string, error) {
	var b []byte
	var mt string
	err := s.db.QueryRowContext(ctx, `SELECT content, media_type FROM evidence WHERE incident = ? AND id = ?`, string(id), evidence).Scan(&b, &mt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", truce.Errorf(truce.ENOTFOUND, "evidence %s of incident %s not found", evidence, id)
	} else if err != nil {
		return nil, "", fmt.Errorf("sqlite: evidence: %w", err)
	}
	return b, mt, nil
}

// loadIncident reads an incident inside a write transaction. Merged-away
// incidents are not found: their reports live in another incident now.
func (w *writeTx) loadIncident(id truce.IncidentID) (*truce.IncidentSummary, error) {
	in, err := scanIncident(w.QueryRowContext(w.ctx, `SELECT `+incidentCols+` FROM incidents WHERE id = ?`, string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, truce.Errorf(truce.ENOTFOUND, "incident %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: incident %s: %w", id, err)
	}
	var merged string
	if err := w.QueryRowContext(w.ctx, `SELECT merged_into FROM incidents WHERE id = ?`, string(id)).Scan(&merged); err != nil {
		return nil, fmt.Errorf("sqlite: incident %s: %w", id, err)
	}
	if merged != "" {
		return nil, truce.Errorf(truce.ECONFLICT, "incident %s was merged into %s", id, merged)
	}
	return in, nil
}

// addEvent stores e (filling its id and log index) and logs it.
func (w *writeTx) addEvent(by truce.Principal, e *truce.Event, ev *truce.Evidence) error {
	e.At, e.Actor = w.now, by.String()
	res, err := w.ExecContext(w.ctx, `INSERT INTO incident_events (incident, at_ns, actor, kind, from_status, to_status, reason, party, response, evidence, other, log_index)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,-1)`, string(e.Incident), e.At.UnixNano(), e.Actor, string(e.Kind), string(e.From), string(e.To),
		e.Reason, string(e.Party), string(e.Response), e.Evidence, string(e.Other))
	if err != nil {
		return fmt.Errorf("sqlite: event: %w", err)
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("sqlite: event: %w", err)
	}
	if e.LogIndex, err = w.log(ledger.EventRecord(by, e, ev)); err != nil {
		return err
	}
	if _, err := w.ExecContext(w.ctx, `UPDATE incident_events SET log_index = ? WHERE id = ?`, e.LogIndex, e.ID); err != nil {
		return fmt.Errorf("sqlite: event: %w", err)
	}
	_, err = w.ExecContext(w.ctx, `UPDATE incidents SET updated_ns = ? WHERE id = ?`, w.now.UnixNano(), string(e.Incident))
	return err
}

func (w *writeTx) setStatus(by truce.Principal, in *truce.IncidentSummary, to truce.Status, reason string) (*truce.Event, error) {
	if !in.Status.CanMove(to) {
		return nil, truce.Errorf(truce.ECONFLICT, "incident %s is %s: it cannot move to %s", in.ID, in.Status, to)
	}
	e := &truce.Event{Incident: in.ID, Kind: truce.EventStatus, From: in.Status, To: to, Reason: reason}
	if _, err := w.ExecContext(w.ctx, `UPDATE incidents SET status = ? WHERE id = ?`, string(to), string(in.ID)); err != nil {
		return nil, fmt.Errorf("sqlite: status: %w", err)
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
	if _, err := w.ExecContext(w.ctx, `UPDATE incidents SET published = 1 WHERE id = ?`, string(in.ID)); err != nil {
		return nil, fmt.Errorf("sqlite: publish: %w", err)
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
	return e, err
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
	return e, err
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
			contested := append(slices.Clone(in.ContestedBy), by.Party)
			ss := make([]string, len(contested))
			for i, p := range contested {
				ss[i] = string(p)
			}
			slices.Sort(ss)
			if _, err := w.ExecContext(ctx, `UPDATE incidents SET contested_by = ? WHERE id = ?`, bars(ss), string(id)); err != nil {
				return fmt.Errorf("sqlite: respond: %w", err)
			}
		}
		return w.addEvent(by, e, nil)
	})
	return e, err
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
		if _, err := w.ExecContext(ctx, `INSERT INTO evidence (id, incident, sha256, media_type, size, description, added_by, at_ns, content, log_index)
			VALUES (?,?,?,?,?,?,?,?,?,?)`, ev.ID, string(id), ev.SHA256, ev.MediaType, ev.Size, ev.Description, ev.AddedBy, ev.At.UnixNano(), content, e.LogIndex); err != nil {
			if isConstraint(err) {
				return truce.Errorf(truce.ECONFLICT, "incident %s already has evidence %s", id, ev.ID)
			}
			return fmt.Errorf("sqlite: evidence: %w", err)
		}
		if truce.EvidenceReopens(in.Status, by) {
			_, err = w.setStatus(by, in, truce.StatusUnderReview, "new evidence "+ev.ID)
		}
		return err
	})
	return e, err
}

// Publish makes an incident public.
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
	return e, err
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
		return w.refreshIncident(string(target))
	})
	return e, err
}

// MergeMany applies merges in one transaction (see truce.IncidentStore).
func (s *Store) MergeMany(ctx context.Context, by truce.Principal, ops []truce.MergeOp) (int, error) {
	n := 0
	err := s.write(ctx, func(w *writeTx) error {
		targets := map[truce.IncidentID]bool{}
		var order []truce.IncidentID
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
				order = append(order, op.Target)
			}
		}
		for _, t := range order {
			if err := w.refreshIncident(string(t)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// merge moves source's reports into target and records it on both.
func (w *writeTx) merge(by truce.Principal, target, source truce.IncidentID, reason string) (*truce.Event, error) {
	if _, err := w.ExecContext(w.ctx, `UPDATE reports SET incident_id = ? WHERE incident_id = ?`, string(target), string(source)); err != nil {
		return nil, fmt.Errorf("sqlite: merge: %w", err)
	}
	if _, err := w.ExecContext(w.ctx, `UPDATE incidents SET merged_into = ? WHERE id = ?`, string(target), string(source)); err != nil {
		return nil, fmt.Errorf("sqlite: merge: %w", err)
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
// it (reviving it if it was merged away).
func (s *Store) Split(ctx context.Context, by truce.Principal, report truce.ReportID, reason string) (*truce.Event, error) {
	var e *truce.Event
	err := s.write(ctx, func(w *writeTx) error {
		var from string
		err := w.QueryRowContext(ctx, `SELECT incident_id FROM reports WHERE id = ?`, string(report)).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return truce.Errorf(truce.ENOTFOUND, "report %s not found", report)
		} else if err != nil {
			return fmt.Errorf("sqlite: split: %w", err)
		}
		if from == string(report) {
			return truce.Errorf(truce.ECONFLICT, "report %s already has an incident of its own (%s): split the other reports out of it instead", report, from)
		}
		if _, err := w.ExecContext(ctx, `UPDATE incidents SET merged_into = '' WHERE id = ?`, string(report)); err != nil {
			return fmt.Errorf("sqlite: split: %w", err)
		}
		if _, err := w.ExecContext(ctx, `UPDATE reports SET incident_id = ? WHERE id = ?`, string(report), string(report)); err != nil {
			return fmt.Errorf("sqlite: split: %w", err)
		}
		e = &truce.Event{Incident: truce.IncidentID(from), Kind: truce.EventSplit, Other: truce.IncidentID(report), Reason: reason}
		if err := w.addEvent(by, e, nil); err != nil {
			return err
		}
		if err := w.addEvent(by, &truce.Event{Incident: truce.IncidentID(report), Kind: truce.EventSplitFrom, Other: truce.IncidentID(from), Reason: reason}, nil); err != nil {
			return err
		}
		if err := w.refreshIncident(from); err != nil {
			return err
		}
		return w.refreshIncident(string(report))
	})
	return e, err
}
