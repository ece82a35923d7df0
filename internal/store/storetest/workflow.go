package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"truce"
	"truce/internal/ledger"
)

// ev is an expected event, compared without its id.
func ev(id truce.ReportID, at time.Time, by truce.Principal, kind truce.EventKind) truce.Event {
	return truce.Event{Incident: truce.IncidentID(id), At: at, Actor: by.String(), Kind: kind}
}

// checkLogged checks that e is the last log record, built by
// ledger.EventRecord.
func checkLogged(t *testing.T, env *env, by truce.Principal, e *truce.Event, evidence *truce.Evidence) {
	t.Helper()
	data, err := env.s.LogRecord(env.ctx, e.LogIndex)
	must(t, err)
	rec, err := ledger.EventRecord(by, e, evidence)
	must(t, err)
	want, err := rec.Bytes()
	must(t, err)
	if !bytes.Equal(data, want) {
		t.Errorf("record %d = %s\nwant %s", e.LogIndex, data, want)
	}
}

var eventsCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutReports(t, e, partyUA, truce.PutOptions{SubmittedBy: "UA"}, byID(scenario(), rKherson))
		id := truce.IncidentID(rKherson)
		t1 := e.clock.Advance(time.Minute)
		_, err := e.s.ChangeStatus(e.ctx, monitor, id, truce.StatusUnderReview, "triage")
		must(t, err)
		t2 := e.clock.Advance(time.Minute)
		_, err = e.s.AddNote(e.ctx, monitor, id, "asked the operator")
		must(t, err)
		t3 := e.clock.Advance(time.Minute)
		_, err = e.s.Respond(e.ctx, partyRU, id, truce.ResponseCounterClaim, "air defence debris")
		must(t, err)
		t4 := e.clock.Advance(time.Minute)
		_, err = e.s.ChangeStatus(e.ctx, monitor, id, truce.StatusVerified, "confirmed")
		must(t, err)
		got, err := e.s.Events(e.ctx, id)
		must(t, err)
		want := []truce.Event{
			{Incident: id, At: T0, Actor: "party:UA:tok_ua", Kind: truce.EventCreated, To: truce.StatusReported, LogIndex: 0},
			{Incident: id, At: t1, Actor: "monitor:tok_mon1", Kind: truce.EventStatus, From: truce.StatusReported, To: truce.StatusUnderReview, Reason: "triage", LogIndex: 1},
			{Incident: id, At: t2, Actor: "monitor:tok_mon1", Kind: truce.EventNote, Reason: "asked the operator", LogIndex: 2},
			{Incident: id, At: t3, Actor: "party:RU:tok_ru", Kind: truce.EventResponse, Reason: "air defence debris", Party: "RU", Response: truce.ResponseCounterClaim, LogIndex: 3},
			{Incident: id, At: t4, Actor: "monitor:tok_mon1", Kind: truce.EventStatus, From: truce.StatusUnderReview, To: truce.StatusVerified, Reason: "confirmed", LogIndex: 4},
			{Incident: id, At: t4, Actor: "monitor:tok_mon1", Kind: truce.EventPublished, LogIndex: 5},
		}
		equal(t, "Events", want, got, cmpIgnoreEventID)
		for i := 1; i < len(got); i++ {
			if got[i].ID <= got[i-1].ID {
				t.Errorf("event ids not increasing: %d then %d", got[i-1].ID, got[i].ID)
			}
		}
	}},
	{"Unknown", func(t *testing.T, e *env) {
		got, err := e.s.Events(e.ctx, "UKR999999")
		if err == nil && len(got) == 0 {
			return
		}
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var changeStatusCases = []tcase{
	{"Allowed", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		id := truce.IncidentID(rKherson)
		for _, m := range []struct {
			to        truce.Status
			publishes bool
		}{
			{truce.StatusUnderReview, false},
			{truce.StatusVerified, true},
			{truce.StatusUnderReview, false},
			{truce.StatusUnverifiable, false}, // already published
			{truce.StatusUnderReview, false},
			{truce.StatusDismissed, false},
			{truce.StatusUnderReview, false},
		} {
			before := logSize(t, e)
			in := mustIncident(t, e, truce.ReportID(id))
			at := e.clock.Advance(time.Minute)
			got, err := e.s.ChangeStatus(e.ctx, monitor, id, m.to, "because "+string(m.to))
			must(t, err)
			want := ev(rKherson, at, monitor, truce.EventStatus)
			want.From, want.To, want.Reason, want.LogIndex = in.Status, m.to, "because "+string(m.to), before
			equal(t, "ChangeStatus event", &want, got, cmpIgnoreEventID)
			checkLogged(t, e, monitor, got, nil)
			after := mustIncident(t, e, truce.ReportID(id))
			if after.Status != m.to || !after.UpdatedAt.Equal(at) {
				t.Errorf("incident status %s updated %s, want %s at %s", after.Status, after.UpdatedAt, m.to, at)
			}
			wantSize := before + 1
			if m.publishes {
				wantSize++
				if !after.Published {
					t.Errorf("incident not published by a final status")
				}
				evs, err := e.s.Events(e.ctx, id)
				must(t, err)
				last := evs[len(evs)-1]
				if last.Kind != truce.EventPublished || last.LogIndex != before+1 {
					t.Errorf("last event = %+v, want a published event at log index %d", last, before+1)
				}
			}
			if got := logSize(t, e); got != wantSize {
				t.Errorf("LogSize = %d after moving to %s, want %d", got, m.to, wantSize)
			}
		}
		// Straight from reported to dismissed.
		_, err := e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rSudzha), truce.StatusDismissed, "duplicate")
		must(t, err)
		if in := mustIncident(t, e, rSudzha); in.Status != truce.StatusDismissed || !in.Published {
			t.Errorf("dismissed incident: status %s published %v, want dismissed, published", in.Status, in.Published)
		}
	}},
	{"Forbidden", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rSudzha), truce.StatusUnderReview, "")
		must(t, err)
		_, err = e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rKharkiv), truce.StatusDismissed, "")
		must(t, err)
		for _, m := range []struct {
			id truce.ReportID
			to truce.Status
		}{
			{rKherson, truce.StatusVerified},        // reported
			{rKherson, truce.StatusUnverifiable},    // reported
			{rKherson, truce.StatusReported},        // reported
			{rSudzha, truce.StatusReported},         // under_review
			{rSudzha, truce.StatusUnderReview},      // under_review
			{rKharkiv, truce.StatusVerified},        // dismissed
			{rKharkiv, truce.StatusReported},        // dismissed
			{rKharkiv, truce.StatusDismissed},       // dismissed
			{rKharkiv, truce.StatusUnverifiable},    // dismissed
			{rSloviansk, truce.StatusDismissed},     // ok, below
			{rSloviansk, truce.StatusUnderReview},   // dismissed → under_review is allowed
			{rSloviansk, truce.StatusUnderReview},   // but not twice
			{rSloviansk, truce.StatusReported},      // under_review
			{rVysokoivanivka, truce.StatusVerified}, // reported
		} {
			in := mustIncident(t, e, m.id)
			before := logSize(t, e)
			_, err := e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(m.id), m.to, "")
			if in.Status.CanMove(m.to) {
				must(t, err)
				continue
			}
			if truce.ErrorCode(err) != truce.ECONFLICT {
				t.Errorf("ChangeStatus(%s: %s → %s) = %v, want ECONFLICT", m.id, in.Status, m.to, err)
			}
			if after := mustIncident(t, e, m.id); after.Status != in.Status || after.Published != in.Published {
				t.Errorf("a refused move changed the incident: %+v", after)
			}
			if got := logSize(t, e); got != before {
				t.Errorf("LogSize = %d after a refused move, want %d", got, before)
			}
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rKherson), "confirmed", "")
		wantCode(t, err, truce.EINVALID)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.ChangeStatus(e.ctx, monitor, "UKR999999", truce.StatusUnderReview, "")
		wantCode(t, err, truce.ENOTFOUND)
	}},
	{"Merged", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same")
		must(t, err)
		_, err = e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rVysokoivanivka), truce.StatusUnderReview, "")
		wantCode(t, err, truce.ECONFLICT)
	}},
}

var addNoteCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		at := e.clock.Advance(time.Minute)
		got, err := e.s.AddNote(e.ctx, monitor, truce.IncidentID(rSloviansk), "Same explosions as 3196? — перевірити")
		must(t, err)
		want := ev(rSloviansk, at, monitor, truce.EventNote)
		want.Reason, want.LogIndex = "Same explosions as 3196? — перевірити", 7
		equal(t, "AddNote event", &want, got, cmpIgnoreEventID)
		checkLogged(t, e, monitor, got, nil)
		if in := mustIncident(t, e, rSloviansk); !in.UpdatedAt.Equal(at) || in.Status != truce.StatusReported {
			t.Errorf("incident after a note: status %s updated %s; want reported, %s", in.Status, in.UpdatedAt, at)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.AddNote(e.ctx, monitor, "UKR999999", "x")
		wantCode(t, err, truce.ENOTFOUND)
		if logSize(t, e) != 0 {
			t.Errorf("LogSize = %d, want 0", logSize(t, e))
		}
	}},
}

var respondCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		id := truce.IncidentID(rKherson)
		got, err := e.s.Respond(e.ctx, partyRU, id, truce.ResponseDenial, "No strikes on energy facilities")
		must(t, err)
		want := ev(rKherson, T0, partyRU, truce.EventResponse)
		want.Party, want.Response, want.Reason, want.LogIndex = "RU", truce.ResponseDenial, "No strikes on energy facilities", 7
		equal(t, "Respond event", &want, got, cmpIgnoreEventID)
		checkLogged(t, e, partyRU, got, nil)
		_, err = e.s.Respond(e.ctx, partyUA, id, truce.ResponseCounterClaim, "Photos attached")
		must(t, err)
		_, err = e.s.Respond(e.ctx, partyRU, id, truce.ResponseCounterClaim, "Ukrainian air defence")
		must(t, err)
		in := mustIncident(t, e, rKherson)
		equal(t, "contested by", ids[truce.PartyID]("RU", "UA"), in.ContestedBy)
		if in.Status != truce.StatusReported {
			t.Errorf("status = %s after responses, want reported", in.Status)
		}
	}},
	{"NotParty", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		before := logSize(t, e)
		_, err := e.s.Respond(e.ctx, monitor, truce.IncidentID(rKherson), truce.ResponseDenial, "x")
		wantCode(t, err, truce.EINVALID)
		if logSize(t, e) != before {
			t.Errorf("LogSize changed by a refused response")
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.Respond(e.ctx, partyRU, "UKR999999", truce.ResponseDenial, "x")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var addEvidenceCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		id := truce.IncidentID(rKherson)
		content := []byte("\x89PNG\r\n\x1a\n\x00\x00 transformer photo")
		at := e.clock.Advance(time.Minute)
		item := truce.Evidence{MediaType: "image/png", Description: "damaged transformer, 24 March"}
		got, err := e.s.AddEvidence(e.ctx, monitor, id, &item, content)
		must(t, err)
		wantItem := truce.Evidence{ID: "sha256:" + sha(content), Incident: id, SHA256: sha(content), MediaType: "image/png",
			Size: int64(len(content)), Description: "damaged transformer, 24 March", AddedBy: "monitor:tok_mon1", At: at}
		equal(t, "evidence item filled in", wantItem, item)
		want := ev(rKherson, at, monitor, truce.EventEvidence)
		want.Evidence, want.Reason, want.LogIndex = wantItem.ID, wantItem.Description, 7
		equal(t, "AddEvidence event", &want, got, cmpIgnoreEventID)
		checkLogged(t, e, monitor, got, &wantItem)
		list, err := e.s.Evidence(e.ctx, id)
		must(t, err)
		equal(t, "Evidence", []truce.Evidence{wantItem}, list)
		b, mt, err := e.s.EvidenceContent(e.ctx, id, wantItem.ID)
		must(t, err)
		if !bytes.Equal(b, content) || mt != "image/png" {
			t.Errorf("EvidenceContent = %q, %q; want %q, image/png", b, mt, content)
		}
		// The same bytes may back another incident.
		other := truce.Evidence{MediaType: "image/png"}
		_, err = e.s.AddEvidence(e.ctx, monitor, truce.IncidentID(rSudzha), &other, content)
		must(t, err)
		// Empty content is evidence too (e.g. a placeholder for a video).
		empty := truce.Evidence{MediaType: "video/mp4", Description: "to follow"}
		_, err = e.s.AddEvidence(e.ctx, monitor, id, &empty, nil)
		must(t, err)
		b, _, err = e.s.EvidenceContent(e.ctx, id, empty.ID)
		must(t, err)
		if len(b) != 0 || empty.Size != 0 {
			t.Errorf("empty evidence: %d bytes, size %d", len(b), empty.Size)
		}
		list, err = e.s.Evidence(e.ctx, id)
		must(t, err)
		if len(list) != 2 {
			t.Errorf("Evidence lists %d items, want 2", len(list))
		}
		mustVerify(t, e)
	}},
	{"FinalStatus", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		id := truce.IncidentID(rKherson)
		move := func(to truce.Status) {
			t.Helper()
			_, err := e.s.ChangeStatus(e.ctx, monitor, id, to, "")
			must(t, err)
		}
		move(truce.StatusUnderReview)
		n := 0
		// Each final status, then evidence from each kind of principal:
		// a reviewer's evidence reopens the review, a party's (the accused
		// RU's included) is attached without moving the status.
		for _, final := range []truce.Status{truce.StatusVerified, truce.StatusUnverifiable, truce.StatusDismissed} {
			for _, by := range []truce.Principal{partyRU, partyUA, monitor, admin, truce.System} {
				if in := mustIncident(t, e, rKherson); in.Status != final {
					if in.Status != truce.StatusUnderReview {
						move(truce.StatusUnderReview)
					}
					move(final)
				}
				before := logSize(t, e)
				at := e.clock.Advance(time.Minute)
				n++
				content := fmt.Appendf(nil, "%%PDF-1.7 statement %d", n)
				got, err := e.s.AddEvidence(e.ctx, by, id, &truce.Evidence{MediaType: "application/pdf"}, content)
				must(t, err)
				if got.Kind != truce.EventEvidence || got.LogIndex != before {
					t.Errorf("AddEvidence returned %+v, want the evidence event at log index %d", got, before)
				}
				in := mustIncident(t, e, rKherson)
				evs, err := e.s.Events(e.ctx, id)
				must(t, err)
				last := evs[len(evs)-1]
				if !truce.EvidenceReopens(final, by) {
					if in.Status != final || !in.Published {
						t.Errorf("%s's evidence on a %s incident: status %s published %v, want %s, published", by, final, in.Status, in.Published, final)
					}
					if last.Kind != truce.EventEvidence || logSize(t, e) != before+1 {
						t.Errorf("%s's evidence on a %s incident: last event %+v, log size %d; want the evidence event alone", by, final, last, logSize(t, e))
					}
					continue
				}
				if by.Role == truce.RoleParty {
					t.Errorf("EvidenceReopens(%s, %s) = true: a party's evidence must not move the status", final, by)
				}
				want := ev(rKherson, at, by, truce.EventStatus)
				want.From, want.To, want.Reason, want.LogIndex = final, truce.StatusUnderReview, "new evidence sha256:"+sha(content), before+1
				equal(t, "status event", want, last, cmpIgnoreEventID)
				if in.Status != truce.StatusUnderReview || logSize(t, e) != before+2 {
					t.Errorf("%s's evidence on a %s incident: status %s, log size %d; want under_review, %d", by, final, in.Status, logSize(t, e), before+2)
				}
			}
		}
		// Under review already: no status change, whoever adds it.
		before := logSize(t, e)
		_, err := e.s.AddEvidence(e.ctx, monitor, id, &truce.Evidence{MediaType: "text/plain"}, []byte("note"))
		must(t, err)
		if in := mustIncident(t, e, rKherson); in.Status != truce.StatusUnderReview || logSize(t, e) != before+1 {
			t.Errorf("evidence on an incident under review: status %s, log size %d; want under_review, %d", in.Status, logSize(t, e), before+1)
		}
		mustVerify(t, e)
	}},
	{"Duplicate", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		id := truce.IncidentID(rKherson)
		content := []byte("same bytes")
		_, err := e.s.AddEvidence(e.ctx, monitor, id, &truce.Evidence{MediaType: "text/plain"}, content)
		must(t, err)
		before := logSize(t, e)
		evs, err := e.s.Events(e.ctx, id)
		must(t, err)
		_, err = e.s.AddEvidence(e.ctx, partyUA, id, &truce.Evidence{MediaType: "text/plain", Description: "again"}, content)
		wantCode(t, err, truce.ECONFLICT)
		if got := logSize(t, e); got != before {
			t.Errorf("LogSize = %d after a duplicate, want %d", got, before)
		}
		after, err := e.s.Events(e.ctx, id)
		must(t, err)
		if len(after) != len(evs) {
			t.Errorf("a duplicate added events: %d, then %d", len(evs), len(after))
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.AddEvidence(e.ctx, monitor, truce.IncidentID(rKherson), &truce.Evidence{}, []byte("x"))
		wantCode(t, err, truce.EINVALID)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		before := logSize(t, e)
		_, err := e.s.AddEvidence(e.ctx, monitor, "UKR999999", &truce.Evidence{MediaType: "text/plain"}, []byte("x"))
		wantCode(t, err, truce.ENOTFOUND)
		// A store may run the item's and its event's statements before
		// it reads the incident: the refused write leaves none of them.
		nothingLeft(t, e, "UKR999999", before)
	}},
	{"Merged away", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same explosions")
		must(t, err)
		gone := truce.IncidentID(rVysokoivanivka)
		evs, err := e.s.Events(e.ctx, gone)
		must(t, err)
		before := logSize(t, e)
		_, err = e.s.AddEvidence(e.ctx, monitor, gone, &truce.Evidence{MediaType: "text/plain"}, []byte("late photo"))
		wantCode(t, err, truce.ECONFLICT)
		nothingLeft(t, e, gone, before)
		if after, err := e.s.Events(e.ctx, gone); err != nil || len(after) != len(evs) {
			t.Errorf("refused evidence on a merged incident: %d events, then %d (%v)", len(evs), len(after), err)
		}
		mustVerify(t, e)
	}},
}

// nothingLeft fails t unless incident id has no evidence and the log has
// its size before a refused write.
func nothingLeft(t *testing.T, e *env, id truce.IncidentID, before int64) {
	t.Helper()
	if got := logSize(t, e); got != before {
		t.Errorf("LogSize = %d after a refused evidence item, want %d", got, before)
	}
	if list, err := e.s.Evidence(e.ctx, id); err != nil || len(list) != 0 {
		t.Errorf("Evidence(%s) after a refused item = %d items, %v; want none", id, len(list), err)
	}
}

var evidenceContentCases = []tcase{
	{"NotFound", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		content := []byte("x")
		_, err := e.s.AddEvidence(e.ctx, monitor, truce.IncidentID(rKherson), &truce.Evidence{MediaType: "text/plain"}, content)
		must(t, err)
		_, _, err = e.s.EvidenceContent(e.ctx, truce.IncidentID(rKherson), "sha256:"+sha([]byte("y")))
		wantCode(t, err, truce.ENOTFOUND)
		// Evidence belongs to its incident.
		_, _, err = e.s.EvidenceContent(e.ctx, truce.IncidentID(rSudzha), "sha256:"+sha(content))
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var publishCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutReports(t, e, partyUA, truce.PutOptions{SubmittedBy: "UA"}, scenario()...)
		at := e.clock.Advance(time.Minute)
		got, err := e.s.Publish(e.ctx, monitor, truce.IncidentID(rKherson))
		must(t, err)
		want := ev(rKherson, at, monitor, truce.EventPublished)
		want.LogIndex = 7
		equal(t, "Publish event", &want, got, cmpIgnoreEventID)
		checkLogged(t, e, monitor, got, nil)
		if in := mustIncident(t, e, rKherson); !in.Published || in.Status != truce.StatusReported {
			t.Errorf("incident published=%v status %s, want published, reported", in.Published, in.Status)
		}
	}},
	{"Again", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, scenario()...)
		_, err := e.s.Publish(e.ctx, monitor, truce.IncidentID(rKherson))
		wantCode(t, err, truce.ECONFLICT)
		if logSize(t, e) != 7 {
			t.Errorf("LogSize = %d, want 7", logSize(t, e))
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.Publish(e.ctx, monitor, "UKR999999")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var mergeCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		rs, _ := judged(t, e)
		target, source := truce.IncidentID(rKherson), truce.IncidentID(rSudzha)
		before := logSize(t, e)
		at := e.clock.Advance(time.Minute)
		got, err := e.s.Merge(e.ctx, monitor, target, source, "one attack, two accounts")
		must(t, err)
		want := ev(rKherson, at, monitor, truce.EventMerged)
		want.Other, want.Reason, want.LogIndex = source, "one attack, two accounts", before
		equal(t, "Merge event", &want, got, cmpIgnoreEventID)
		checkLogged(t, e, monitor, got, nil)
		srcEvents, err := e.s.Events(e.ctx, source)
		must(t, err)
		wantSrc := ev(rSudzha, at, monitor, truce.EventMergedInto)
		wantSrc.Other, wantSrc.Reason, wantSrc.LogIndex = target, "one attack, two accounts", before+1
		equal(t, "source's merged event", wantSrc, srcEvents[len(srcEvents)-1], cmpIgnoreEventID)
		if got := logSize(t, e); got != before+2 {
			t.Errorf("LogSize = %d, want %d", got, before+2)
		}
		// The reports moved, and the figures are recomputed: the earliest
		// report (Sudzha, 21 March) gives the start and location.
		in := mustIncident(t, e, rKherson)
		equal(t, "merged incident", []any{ids(rSudzha, rKherson), byID(rs, rSudzha).Start, byID(rs, rSudzha).Location,
			truce.OutcomeViolation, ids[truce.PartyID]("RU", "UA"), ids[truce.PhaseID]("black-sea", "energy"), "Drone attack on a substation", at},
			[]any{in.Reports, in.Start, in.Location, in.Outcome, in.Parties, in.Phases, in.Explanation, in.UpdatedAt})
		if src := mustIncident(t, e, rSudzha); len(src.Reports) != 0 {
			t.Errorf("source still has reports %v", src.Reports)
		}
	}},
	{"Self", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rKherson), truce.IncidentID(rKherson), "")
		wantCode(t, err, truce.EINVALID)
	}},
	{"Many", func(t *testing.T, e *env) {
		judged(t, e)
		target := truce.IncidentID(rKherson)
		// Sudzha is merged; Sloviansk goes under review first, so it is
		// skipped, as are a self-merge and a repeat of the first merge.
		_, err := e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.StatusUnderReview, "triage")
		must(t, err)
		before := logSize(t, e)
		n, err := e.s.MergeMany(e.ctx, truce.System, []truce.MergeOp{
			{Target: target, Source: truce.IncidentID(rSudzha), Reason: "grouped"},
			{Target: target, Source: truce.IncidentID(rSloviansk), Reason: "grouped"},
			{Target: target, Source: target, Reason: "grouped"},
			{Target: target, Source: truce.IncidentID(rSudzha), Reason: "grouped"},
		})
		must(t, err)
		if n != 1 {
			t.Errorf("MergeMany applied %d merges, want 1", n)
		}
		if got := logSize(t, e); got != before+2 {
			t.Errorf("LogSize = %d, want %d (two events for the one merge)", got, before+2)
		}
		equal(t, "merged reports", ids(rSudzha, rKherson), mustIncident(t, e, rKherson).Reports)
		if _, err := e.s.MergeMany(e.ctx, truce.System, []truce.MergeOp{{Target: "UKR999999", Source: target}}); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("MergeMany into a missing incident: %v, want ENOTFOUND", err)
		}
	}},
	{"Audiences", func(t *testing.T, e *env) {
		// Every pair of audiences: only a merge within one audience is
		// made, by a monitor (Merge) or by grouping (MergeMany), and no
		// reader's view of reports changes, nor does any history name an
		// incident its reader may not read.
		manual, same := audiencePairs(t, e, "merge")
		grouped, sameGrouped := audiencePairs(t, e, "group")
		before := map[truce.Principal]view{}
		for _, p := range readers {
			before[p] = viewOf(t, e, p)
		}
		for _, op := range manual {
			size := logSize(t, e)
			_, err := e.s.Merge(e.ctx, monitor, op.Target, op.Source, op.Reason)
			if same[op] {
				must(t, err)
				continue
			}
			if truce.ErrorCode(err) != truce.ECONFLICT {
				t.Errorf("Merge(%s) = %v, want ECONFLICT", op.Reason, err)
			}
			if logSize(t, e) != size {
				t.Errorf("Merge(%s) was refused but logged", op.Reason)
			}
		}
		n, err := e.s.MergeMany(e.ctx, truce.System, grouped)
		must(t, err)
		if n != len(audiences) {
			t.Errorf("MergeMany applied %d merges, want %d (one per audience)", n, len(audiences))
		}
		for _, ops := range [][]truce.MergeOp{manual, grouped} {
			for _, op := range ops {
				in := mustIncident(t, e, truce.ReportID(op.Target))
				merged := len(in.Reports) == 2
				if merged != (same[op] || sameGrouped[op]) {
					t.Errorf("%s: target holds %v", op.Reason, in.Reports)
				}
			}
		}
		for _, p := range readers {
			after := viewOf(t, e, p)
			equal(t, p.String()+"'s reports", before[p].Reports, after.Reports)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rKherson), "UKR999999", "")
		wantCode(t, err, truce.ENOTFOUND)
		_, err = e.s.Merge(e.ctx, monitor, "UKR999999", truce.IncidentID(rKherson), "")
		wantCode(t, err, truce.ENOTFOUND)
	}},
	{"Conflict", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "")
		must(t, err)
		before := logSize(t, e)
		// Neither side may be merged away already.
		_, err = e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "")
		wantCode(t, err, truce.ECONFLICT)
		_, err = e.s.Merge(e.ctx, monitor, truce.IncidentID(rVysokoivanivka), truce.IncidentID(rKherson), "")
		wantCode(t, err, truce.ECONFLICT)
		if got := logSize(t, e); got != before {
			t.Errorf("LogSize = %d after refused merges, want %d", got, before)
		}
		if in := mustIncident(t, e, rKherson); len(in.Reports) != 1 {
			t.Errorf("a refused merge moved reports: %v", in.Reports)
		}
	}},
}

// audience is one way an incident can be visible: who submitted its
// report and whether it is published.
type audience struct {
	name string
	by   truce.Principal
	opt  truce.PutOptions
}

// audiences are the visibilities an incident can have: published, a
// party's unpublished submission, and a monitor's unpublished report.
var audiences = []audience{
	{"published", truce.System, truce.PutOptions{Published: true}},
	{"UA-unpublished", partyUA, truce.PutOptions{SubmittedBy: "UA"}},
	{"RU-unpublished", partyRU, truce.PutOptions{SubmittedBy: "RU"}},
	{"monitor-only", monitor, truce.PutOptions{}},
}

// readers are the principals whose view a merge must not change.
var readers = []truce.Principal{truce.Anonymous, observer, partyUA, partyRU, monitor, admin}

// sees says whether p may read an incident, as the API decides
// (httpapi's canSee): monitors and admins everything, parties what is
// published and their own submissions, everyone else what is published.
func sees(p truce.Principal, in *truce.Incident) bool {
	if p.Role == truce.RoleMonitor || p.Role == truce.RoleAdmin {
		return true
	}
	a := in.Audience()
	return a.Public || (p.Role == truce.RoleParty && a.Party == p.Party)
}

// view is what one reader can read: reports, and incidents with the ids
// their histories name.
type view struct {
	Reports   []truce.ReportID
	Incidents []truce.IncidentID
}

// viewOf returns what p can read, and fails the test if a history p can
// read names an incident p cannot read.
func viewOf(t *testing.T, e *env, p truce.Principal) view {
	t.Helper()
	var v view
	must(t, e.s.Reports(e.ctx, truce.ReportFilter{Visible: &p}, func(r *truce.Report) error {
		v.Reports = append(v.Reports, r.ID)
		return nil
	}))
	v.Incidents = listIDs(t, e, truce.IncidentFilter{Visibility: p, Limit: 1000})
	for _, id := range v.Incidents {
		evs, err := e.s.Events(e.ctx, id)
		must(t, err)
		for _, ev := range evs {
			if ev.Other == "" {
				continue
			}
			other, err := e.s.Incident(e.ctx, ev.Other)
			must(t, err)
			if !sees(p, &other.Incident) {
				t.Errorf("%s reads incident %s, whose %s event names %s, which %s may not read", p, id, ev.Kind, ev.Other, p)
			}
		}
	}
	return v
}

// audiencePairs stores, for every ordered pair of audiences, two reports
// of one event (the same place and hour): a target in the first audience
// and a source in the second. It returns the pairs' incident ids.
func audiencePairs(t *testing.T, e *env, prefix string) (ops []truce.MergeOp, same map[truce.MergeOp]bool) {
	t.Helper()
	same = map[truce.MergeOp]bool{}
	base := byID(scenario(), rKherson)
	for i, ta := range audiences {
		for j, sa := range audiences {
			tr, sr := *base, *base
			tr.ID = truce.ReportID(fmt.Sprintf("%s-%d-%d-target", prefix, i, j))
			sr.ID = truce.ReportID(fmt.Sprintf("%s-%d-%d-source", prefix, i, j))
			sr.Start, sr.End = sr.Start.Add(time.Minute), sr.End.Add(time.Minute)
			mustPutReports(t, e, ta.by, ta.opt, &tr)
			mustPutReports(t, e, sa.by, sa.opt, &sr)
			op := truce.MergeOp{Target: truce.IncidentID(tr.ID), Source: truce.IncidentID(sr.ID), Reason: ta.name + " <- " + sa.name}
			ops = append(ops, op)
			same[op] = i == j
		}
	}
	return ops, same
}

var splitCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		judged(t, e)
		target := truce.IncidentID(rKherson)
		_, err := e.s.Merge(e.ctx, monitor, target, truce.IncidentID(rSudzha), "one attack")
		must(t, err)
		before := logSize(t, e)
		at := e.clock.Advance(time.Minute)
		got, err := e.s.Split(e.ctx, monitor, rSudzha, "two attacks after all")
		must(t, err)
		want := ev(rKherson, at, monitor, truce.EventSplit)
		want.Other, want.Reason, want.LogIndex = truce.IncidentID(rSudzha), "two attacks after all", before
		equal(t, "Split event", &want, got, cmpIgnoreEventID)
		checkLogged(t, e, monitor, got, nil)
		if got := logSize(t, e); got != before+2 {
			t.Errorf("LogSize = %d, want %d", got, before+2)
		}
		in := mustIncident(t, e, rKherson)
		equal(t, "split-from incident", []any{ids(rKherson), byID(scenario(), rKherson).Start, truce.OutcomeViolation, ids[truce.PartyID]("RU"), ids[truce.PhaseID]("energy")},
			[]any{in.Reports, in.Start, in.Outcome, in.Parties, in.Phases})
		back := mustIncident(t, e, rSudzha)
		equal(t, "revived incident", []any{ids(rSudzha), truce.OutcomeDisputed, ids[truce.PartyID]("UA"), ids[truce.PhaseID]("black-sea", "energy")},
			[]any{back.Reports, back.Outcome, back.Parties, back.Phases})
		evs, err := e.s.Events(e.ctx, truce.IncidentID(rSudzha))
		must(t, err)
		wantBack := ev(rSudzha, at, monitor, truce.EventSplitFrom)
		wantBack.Other, wantBack.Reason, wantBack.LogIndex = target, "two attacks after all", before+1
		equal(t, "revived incident's split event", wantBack, evs[len(evs)-1], cmpIgnoreEventID)
		// It is listed again, and workflow moves work on it.
		found := false
		for _, id := range listIDs(t, e, truce.IncidentFilter{Visibility: admin}) {
			found = found || id == truce.IncidentID(rSudzha)
		}
		if !found {
			t.Errorf("Incidents does not list the split-out incident")
		}
		_, err = e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(rSudzha), truce.StatusUnderReview, "")
		must(t, err)
		mustVerify(t, e)
	}},
	{"Namesake", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rKherson), truce.IncidentID(rSudzha), "one attack")
		must(t, err)
		before := logSize(t, e)
		// Kherson's own report is in its namesake incident: nothing to split.
		_, err = e.s.Split(e.ctx, monitor, rKherson, "")
		wantCode(t, err, truce.ECONFLICT)
		_, err = e.s.Split(e.ctx, monitor, rKharkiv, "")
		wantCode(t, err, truce.ECONFLICT)
		if got := logSize(t, e); got != before {
			t.Errorf("LogSize = %d after refused splits, want %d", got, before)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.Split(e.ctx, monitor, "UKR999999", "")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}
