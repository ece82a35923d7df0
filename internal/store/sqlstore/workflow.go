package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"truce"
	"truce/internal/ledger"
)

// The incident workflow. The rules are the root package's (Incident.Move,
// EvidenceMove, CheckPublish, CheckRespond, Contest, CheckMerge, CanGroup,
// CheckSplit, CheckNotMerged); the methods here read what the rules need,
// ask them, and write what they decide, each in one write transaction.

// ChangeStatus moves an incident in the workflow (Incident.Move); a move
// that ends a review also publishes it. EINVALID for an unknown status,
// ECONFLICT for a move the workflow does not allow.
func (c Core) ChangeStatus(ctx context.Context, by truce.Principal, id truce.IncidentID, to truce.Status, reason string) (*truce.Event, error) {
	if err := to.Validate(); err != nil {
		return nil, err
	}
	return c.onIncident(ctx, id, func(w WriteTx, in *truce.IncidentSummary) (*truce.Event, error) {
		m, err := in.Move(to, reason)
		if err != nil {
			return nil, err
		}
		return c.move(ctx, w, by, in, m)
	})
}

// AddNote attaches a note.
func (c Core) AddNote(ctx context.Context, by truce.Principal, id truce.IncidentID, text string) (*truce.Event, error) {
	return c.onIncident(ctx, id, func(w WriteTx, _ *truce.IncidentSummary) (*truce.Event, error) {
		e := &truce.Event{Incident: id, Kind: truce.EventNote, Reason: text}
		return e, c.addEvent(ctx, w, by, e, nil)
	})
}

// Respond records a party's response and marks the incident as contested
// by the party (truce.Contest). EINVALID unless by acts for a party.
func (c Core) Respond(ctx context.Context, by truce.Principal, id truce.IncidentID, kind truce.ResponseKind, text string) (*truce.Event, error) {
	if err := truce.CheckRespond(by); err != nil {
		return nil, err
	}
	return c.onIncident(ctx, id, func(w WriteTx, in *truce.IncidentSummary) (*truce.Event, error) {
		if parties, changed := truce.Contest(in.ContestedBy, by.Party); changed {
			if _, err := w.Exec(ctx, `UPDATE incidents SET contested_by = $1 WHERE id = $2`, c.d.Dialect.ListValue(Texts(parties)), string(id)); err != nil {
				return nil, TextError(err, "respond")
			}
		}
		e := &truce.Event{Incident: id, Kind: truce.EventResponse, Party: by.Party, Response: kind, Reason: text}
		return e, c.addEvent(ctx, w, by, e, nil)
	})
}

// AddEvidence stores an evidence item (Evidence.Attach); an incident in a
// final status goes back to under_review when Incident.EvidenceMove says
// so. ECONFLICT if the incident has the item already.
func (c Core) AddEvidence(ctx context.Context, by truce.Principal, id truce.IncidentID, ev *truce.Evidence, content []byte) (*truce.Event, error) {
	if err := ev.Attach(id, by, content); err != nil {
		return nil, err
	}
	if content == nil {
		content = []byte{} // NULL is not empty content
	}
	return write(ctx, c, func(w WriteTx) (*truce.Event, error) {
		// The incident is read with the item's and its event's statements,
		// in one round trip where a statement costs one: they run whatever
		// it finds, and a write that finds it missing or merged away fails
		// and is rolled back with them.
		var in *truce.IncidentSummary
		var inErr error
		if err := w.QueryRowLater(ctx, func(err error) error { return fmt.Errorf("incident %s: %w", id, err) }, func(sc Scanner) error {
			in, inErr = openIncidentRow(c.d.Dialect, sc, id)
			return nil
		}, incidentByID, string(id)); err != nil {
			return nil, err
		}
		if inErr != nil { // read already, in process
			return nil, inErr
		}
		ev.At = w.Now()
		e := &truce.Event{Incident: id, Kind: truce.EventEvidence, Evidence: ev.ID, Reason: ev.Description}
		// The item's row takes the index its event's record is logged at
		// (addEvent checks it is the next), and goes with the event's
		// insert: one round trip for both.
		next, err := w.Size()
		if err != nil {
			return nil, err
		}
		if err := w.ExecLater(ctx, func(err error) error {
			if errors.Is(err, ErrUnique) {
				return truce.Errorf(truce.ECONFLICT, "incident %s already has evidence %s", id, ev.ID)
			}
			return TextError(err, "evidence")
		}, `INSERT INTO evidence (`+evidenceCols+`, content, log_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			ev.ID, string(id), ev.SHA256, ev.MediaType, ev.Size, ev.Description, ev.AddedBy, ev.At.UnixNano(), content, next); err != nil {
			return nil, err
		}
		err = c.addEvent(ctx, w, by, e, ev)
		// The incident's error comes first: an item of an incident merged
		// away is refused as that, whatever its own statements found.
		if inErr != nil {
			return nil, inErr
		}
		if err != nil {
			return nil, err
		}
		if in == nil {
			return nil, fmt.Errorf("evidence %s: incident %s not read", ev.ID, id)
		}
		if e.LogIndex != next {
			return nil, fmt.Errorf("evidence %s: its event logged at %d, want %d", ev.ID, e.LogIndex, next)
		}
		if m, ok := in.EvidenceMove(by, ev.ID); ok {
			if _, err := c.move(ctx, w, by, in, m); err != nil {
				return nil, err
			}
		}
		return e, nil
	})
}

// Publish makes an incident public. ECONFLICT if it is already.
func (c Core) Publish(ctx context.Context, by truce.Principal, id truce.IncidentID) (*truce.Event, error) {
	return c.onIncident(ctx, id, func(w WriteTx, in *truce.IncidentSummary) (*truce.Event, error) {
		if err := in.CheckPublish(); err != nil {
			return nil, err
		}
		return c.publish(ctx, w, by, in)
	})
}

// Merge moves the reports of source into target; source stays, marked as
// merged, with its history. EINVALID for an incident into itself,
// ECONFLICT if truce.CheckMerge refuses or either is merged away.
func (c Core) Merge(ctx context.Context, by truce.Principal, target, source truce.IncidentID, reason string) (*truce.Event, error) {
	op := truce.MergeOp{Target: target, Source: source, Reason: reason}
	if err := op.Validate(); err != nil {
		return nil, err
	}
	return write(ctx, c, func(w WriteTx) (*truce.Event, error) {
		tgt, err := c.openIncident(ctx, w, target)
		if err != nil {
			return nil, err
		}
		src, err := c.openIncident(ctx, w, source)
		if err != nil {
			return nil, err
		}
		if err := truce.CheckMerge(&tgt.Incident, &src.Incident); err != nil {
			return nil, err
		}
		e, err := c.merge(ctx, w, by, op)
		if err != nil {
			return nil, err
		}
		return e, refresh(ctx, w, target)
	})
}

// MergeMany applies merges in one transaction (see truce.IncidentStore):
// a merge of an incident into itself, of a source merged away already, or
// that truce.CanGroup refuses is skipped. It returns how many it applied.
func (c Core) MergeMany(ctx context.Context, by truce.Principal, ops []truce.MergeOp) (int, error) {
	return write(ctx, c, func(w WriteTx) (int, error) {
		var targets []truce.IncidentID
		merged := map[truce.IncidentID]bool{}
		n := 0
		for _, op := range ops {
			ok, err := c.groups(ctx, w, op)
			if err != nil {
				return 0, err
			} else if !ok {
				continue
			}
			if _, err := c.merge(ctx, w, by, op); err != nil {
				return 0, err
			}
			n++
			if !merged[op.Target] {
				merged[op.Target] = true
				targets = append(targets, op.Target)
			}
		}
		return n, refresh(ctx, w, targets...)
	})
}

// groups reports whether grouping applies op: see MergeMany.
func (c Core) groups(ctx context.Context, w WriteTx, op truce.MergeOp) (bool, error) {
	if op.Validate() != nil {
		return false, nil
	}
	tgt, err := c.openIncident(ctx, w, op.Target)
	if err != nil {
		return false, err
	}
	src, into, err := c.incident(ctx, w, op.Source)
	if err != nil {
		return false, err
	}
	return into == "" && truce.CanGroup(&tgt.Incident, &src.Incident), nil
}

// Split moves a report out of its incident into the incident named after
// it (reviving it if it was merged away). ENOTFOUND if the report is
// absent, ECONFLICT if truce.CheckSplit refuses.
func (c Core) Split(ctx context.Context, by truce.Principal, report truce.ReportID, reason string) (*truce.Event, error) {
	return write(ctx, c, func(w WriteTx) (*truce.Event, error) {
		var from string
		if err := w.QueryRow(ctx, `SELECT incident_id FROM reports WHERE id = $1`, string(report)).Scan(&from); err != nil {
			return nil, NotFound(err, "split", "report %s not found", report)
		}
		if err := truce.CheckSplit(report, truce.IncidentID(from)); err != nil {
			return nil, err
		}
		own := truce.IncidentID(report)
		if err := execAll(ctx, w, "split",
			stmt{`UPDATE incidents SET merged_into = '' WHERE id = $1`, []any{string(own)}},
			stmt{`UPDATE reports SET incident_id = $1 WHERE id = $1`, []any{string(report)}}); err != nil {
			return nil, err
		}
		e := &truce.Event{Incident: truce.IncidentID(from), Kind: truce.EventSplit, Other: own, Reason: reason}
		if err := c.addEvent(ctx, w, by, e, nil); err != nil {
			return nil, err
		}
		if err := c.addEvent(ctx, w, by, &truce.Event{Incident: own, Kind: truce.EventSplitFrom, Other: e.Incident, Reason: reason}, nil); err != nil {
			return nil, err
		}
		return e, refresh(ctx, w, e.Incident, own)
	})
}

// onIncident runs fn in a write transaction on incident id, read with
// openIncident.
func (c Core) onIncident(ctx context.Context, id truce.IncidentID, fn func(w WriteTx, in *truce.IncidentSummary) (*truce.Event, error)) (*truce.Event, error) {
	return write(ctx, c, func(w WriteTx) (*truce.Event, error) {
		in, err := c.openIncident(ctx, w, id)
		if err != nil {
			return nil, err
		}
		return fn(w, in)
	})
}

// openIncident reads an incident that takes writes: ENOTFOUND if absent,
// ECONFLICT if merged away (truce.CheckNotMerged).
func (c Core) openIncident(ctx context.Context, db DB, id truce.IncidentID) (*truce.IncidentSummary, error) {
	return openIncidentRow(c.d.Dialect, db.QueryRow(ctx, incidentByID, string(id)), id)
}

// openIncidentRow is openIncident given the row of IncidentCols.
func openIncidentRow(d Dialect, sc Scanner, id truce.IncidentID) (*truce.IncidentSummary, error) {
	in, into, err := ScanIncident(d, sc)
	if err != nil {
		return nil, NotFound(err, "incident "+string(id), "incident %s not found", id)
	}
	if err := truce.CheckNotMerged(id, into); err != nil {
		return nil, err
	}
	return in, nil
}

// move executes a decided status move: the status, its event and, if it
// says so, the publication.
func (c Core) move(ctx context.Context, w WriteTx, by truce.Principal, in *truce.IncidentSummary, m truce.StatusMove) (*truce.Event, error) {
	if err := w.ExecLater(ctx, func(err error) error { return fmt.Errorf("status: %w", err) },
		`UPDATE incidents SET status = $1 WHERE id = $2`, string(m.To), string(in.ID)); err != nil {
		return nil, err
	}
	e := &truce.Event{Incident: in.ID, Kind: truce.EventStatus, From: m.From, To: m.To, Reason: m.Reason}
	if err := c.addEvent(ctx, w, by, e, nil); err != nil {
		return nil, err
	}
	in.Status = m.To
	if m.Publish {
		if _, err := c.publish(ctx, w, by, in); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// publish makes in public and records it.
func (c Core) publish(ctx context.Context, w WriteTx, by truce.Principal, in *truce.IncidentSummary) (*truce.Event, error) {
	if err := w.ExecLater(ctx, func(err error) error { return fmt.Errorf("publish: %w", err) },
		`UPDATE incidents SET published = TRUE WHERE id = $1`, string(in.ID)); err != nil {
		return nil, err
	}
	in.Published = true
	e := &truce.Event{Incident: in.ID, Kind: truce.EventPublished}
	return e, c.addEvent(ctx, w, by, e, nil)
}

// merge moves the reports of op.Source into op.Target and records it on
// both.
func (c Core) merge(ctx context.Context, w WriteTx, by truce.Principal, op truce.MergeOp) (*truce.Event, error) {
	if err := execAll(ctx, w, "merge",
		stmt{`UPDATE reports SET incident_id = $1 WHERE incident_id = $2`, []any{string(op.Target), string(op.Source)}},
		stmt{`UPDATE incidents SET merged_into = $1 WHERE id = $2`, []any{string(op.Target), string(op.Source)}}); err != nil {
		return nil, err
	}
	// Emptied, the source shows no figures, as VerifyRows expects.
	if err := c.clearFigures(ctx, w, op.Source); err != nil {
		return nil, err
	}
	e := &truce.Event{Incident: op.Target, Kind: truce.EventMerged, Other: op.Source, Reason: op.Reason}
	if err := c.addEvent(ctx, w, by, e, nil); err != nil {
		return nil, err
	}
	return e, c.addEvent(ctx, w, by, &truce.Event{Incident: op.Source, Kind: truce.EventMergedInto, Other: op.Target, Reason: op.Reason}, nil)
}

// addEvent stores e, filling its id, time, actor and log index, logs it
// and touches its incident. The record holds the event's id, and the row
// its record's index, known beforehand (appends are serialised), so the
// row is written once.
func (c Core) addEvent(ctx context.Context, w WriteTx, by truce.Principal, e *truce.Event, ev *truce.Evidence) error {
	e.At, e.Actor = w.Now(), by.String()
	next, err := w.Size()
	if err != nil {
		return err
	}
	// Sent with the event's insert: one round trip for both.
	if err := w.ExecLater(ctx, func(err error) error { return fmt.Errorf("event: %w", err) },
		`UPDATE incidents SET updated_ns = $1 WHERE id = $2`, e.At.UnixNano(), string(e.Incident)); err != nil {
		return err
	}
	if err := w.QueryRow(ctx, `INSERT INTO incident_events (incident, at_ns, actor, kind, from_status, to_status, reason, party, response, evidence, other, log_index)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, string(e.Incident), e.At.UnixNano(), e.Actor, string(e.Kind),
		string(e.From), string(e.To), e.Reason, string(e.Party), string(e.Response), e.Evidence, string(e.Other), next).Scan(&e.ID); err != nil {
		return TextError(err, "event")
	}
	if e.LogIndex, err = w.Log(ledger.EventRecord(by, e, ev)); err != nil {
		return err
	}
	if e.LogIndex != next {
		return fmt.Errorf("event %d logged at %d, want %d", e.ID, e.LogIndex, next)
	}
	return nil
}

// emptiedFigures gives the incidents that hold no reports any more
// (merged away) no judgement figures, at their own report's time and
// place, as ledger.VerifyRows derives them: the figures they had describe
// reports they no longer hold, and could not be checked. $1 is an empty
// list.
const emptiedFigures = `UPDATE incidents SET outcome = 0, parties = $1, phases = $1, explanation = '',
	start_ns = r.start_ns, lon = r.lon, lat = r.lat
	FROM reports r WHERE r.id = incidents.id AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.incident_id = incidents.id)`

// clearFigures applies emptiedFigures to incident id, or to every
// incident if id is "".
func (c Core) clearFigures(ctx context.Context, w WriteTx, id truce.IncidentID) error {
	q, args := emptiedFigures, []any{c.d.Dialect.ListValue(nil)}
	if id != "" {
		q, args = q+` AND incidents.id = $2`, append(args, string(id))
	}
	if _, err := w.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("clear figures of incident %s: %w", id, err)
	}
	return nil
}

// stmt is one statement with its arguments.
type stmt struct {
	sql  string
	args []any
}

// execAll runs statements in order, wrapping an error with what.
func execAll(ctx context.Context, db DB, what string, ss ...stmt) error {
	for _, s := range ss {
		if _, err := db.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}
