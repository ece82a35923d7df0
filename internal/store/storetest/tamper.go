package storetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// wantDetected fails the test unless ledger.Verify or VerifyRows reports
// tampering (ErrLedgerDiverged or ErrBadCheckpoint) in a message that
// names every one of names.
func wantDetected(t *testing.T, e *env, names ...string) {
	t.Helper()
	_, _, err := verify(t, e)
	switch {
	case err == nil:
		t.Fatal("tampering not detected: Verify and VerifyRows pass")
	case !errorsIsAny(err, ledger.ErrLedgerDiverged, ledger.ErrBadCheckpoint):
		t.Fatalf("verify = %v, want ErrLedgerDiverged or ErrBadCheckpoint", err)
	case !contains(err.Error(), names...):
		t.Errorf("verify = %q, want a message naming %q", err, names)
	}
}

// mustRecord returns log record i, decoded.
func mustRecord(t *testing.T, e *env, i int64) *ledger.Record {
	t.Helper()
	data, err := e.s.LogRecord(e.ctx, i)
	must(t, err)
	rec, err := ledger.DecodeRecord(data)
	must(t, err)
	return rec
}

// populateSigned is populate with every record integrated into the tree
// and signed: a checkpoint covers them all, as a few tens of milliseconds
// after any write.
func populateSigned(t *testing.T, e *env) *mix {
	t.Helper()
	m := populate(t, e)
	checkpoint(t, e)
	return m
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x01
	return out
}

var tamperCases = []tcase{
	{"RecordByte", func(t *testing.T, e *env) {
		populateSigned(t, e)
		data, err := e.s.LogRecord(e.ctx, 5)
		must(t, err)
		e.exec(t, `UPDATE log_records SET data = $1 WHERE idx = $2`, flip(data, len(data)/2), int64(5))
		wantDetected(t, e, "record 5")
	}},
	{"RecordDeleted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `DELETE FROM log_records WHERE idx = $1`, int64(4))
		wantDetected(t, e, "record 4", "missing")
	}},
	{"LastRecordDeleted", func(t *testing.T, e *env) {
		// The signed checkpoint still covers the dropped record.
		populateSigned(t, e)
		n := logSize(t, e)
		e.exec(t, `DELETE FROM log_records WHERE idx = $1`, n-1)
		wantDetected(t, e, "record "+itoa(n-1), "missing")
	}},
	{"RecordsSwapped", func(t *testing.T, e *env) {
		populateSigned(t, e)
		a, err := e.s.LogRecord(e.ctx, 2)
		must(t, err)
		b, err := e.s.LogRecord(e.ctx, 3)
		must(t, err)
		e.exec(t, `UPDATE log_records SET data = $1 WHERE idx = $2`, b, int64(2))
		e.exec(t, `UPDATE log_records SET data = $1 WHERE idx = $2`, a, int64(3))
		wantDetected(t, e, "record 2")
	}},
	{"HashAltered", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE log_hashes SET hash = $1 WHERE idx = $2`, make([]byte, 32), tlog.StoredHashIndex(0, 6))
		wantDetected(t, e, "record 6")
	}},
	{"Checkpoint", func(t *testing.T, e *env) {
		populateSigned(t, e)
		n := logSize(t, e)
		signed, err := e.s.LatestCheckpoint(e.ctx)
		must(t, err)
		e.exec(t, `UPDATE log_checkpoints SET note = $1 WHERE size = $2`, flip(signed, len(signed)-10), n)
		wantDetected(t, e, "checkpoint")
	}},
	{"ReportText", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE reports SET text = text || $1 WHERE id = $2`, " (edited)", string(rKherson))
		wantDetected(t, e, "report "+string(rKherson))
	}},
	{"JudgementExplanation", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE judgements SET explanation = $1 WHERE report_id = $2`, "Not a violation", string(rKherson))
		wantDetected(t, e, "judgement", string(rKherson))
	}},
	{"JudgementDetailRepacked", func(t *testing.T, e *env) {
		// A stored detail replaced with another that decodes and is
		// packed as the stores pack them, one fact changed: its hash is
		// not the logged one.
		m := populateSigned(t, e)
		jd, err := e.s.Judgement(e.ctx, agreementID, m.v1.Version, rKherson)
		must(t, err)
		jd.Facts.Place = "somewhere else"
		d, err := sqlstore.EncodeDetail(jd)
		must(t, err)
		e.exec(t, `UPDATE judgements SET detail = $1 WHERE report_id = $2`, sqlstore.PackDetail(d), string(rKherson))
		wantDetected(t, e, "judgement", string(rKherson))
	}},
	{"JudgementDetailDamaged", func(t *testing.T, e *env) {
		// The packed detail with a byte flipped: it may no longer unpack,
		// and is then checked as it is stored.
		m := populateSigned(t, e)
		jd, err := e.s.Judgement(e.ctx, agreementID, m.v1.Version, rKherson)
		must(t, err)
		d, err := sqlstore.EncodeDetail(jd)
		must(t, err)
		e.exec(t, `UPDATE judgements SET detail = $1 WHERE report_id = $2`, flip(sqlstore.PackDetail(d), 9), string(rKherson))
		wantDetected(t, e, "judgement", string(rKherson))
	}},
	{"EvidenceDeleted", func(t *testing.T, e *env) {
		m := populateSigned(t, e)
		e.exec(t, `DELETE FROM evidence WHERE id = $1 AND incident = $2`, m.evidence.ID, string(rKherson))
		wantDetected(t, e, "evidence "+m.evidence.ID, string(rKherson))
	}},
	{"EvidenceContent", func(t *testing.T, e *env) {
		m := populateSigned(t, e)
		e.exec(t, `UPDATE evidence SET content = $1 WHERE id = $2`, flip(m.content, 3), m.evidence.ID)
		wantDetected(t, e, "evidence "+m.evidence.ID)
	}},
	{"IncidentStatus", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET status = $1 WHERE id = $2`, string(truce.StatusDismissed), string(rKherson))
		wantDetected(t, e, "incident "+string(rKherson))
	}},
	{"IncidentPublished", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET published = NOT published WHERE id = $1`, string(rKherson))
		wantDetected(t, e, "incident "+string(rKherson))
	}},
	{"ReportMovedToAnotherIncident", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE reports SET incident_id = $1 WHERE id = $2`, string(rSudzha), string(rKherson))
		wantDetected(t, e, "report "+string(rKherson))
	}},
	{"JudgementPerpetratorColumn", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE judgements SET perpetrator = $1 WHERE report_id = $2`, "US", string(rKherson))
		wantDetected(t, e, "judgement", string(rKherson))
	}},
	{"JudgementRepointed", func(t *testing.T, e *env) {
		// Version 2's judgement replaced by version 1's, record and all.
		populateSigned(t, e)
		e.exec(t, `UPDATE judgements SET (outcome, explanation, detail, perpetrator, phases, log_index) =
			(SELECT outcome, explanation, detail, perpetrator, phases, log_index FROM judgements j WHERE j.report_id = judgements.report_id AND j.version = 1)
			WHERE report_id = $1 AND version = 2`, string(rKharkiv))
		wantDetected(t, e, "judgement of report "+string(rKharkiv), "version 2")
	}},

	// The briefs a period summary counts from (derived from reports and
	// judgements): one that counts another report's verdict, one
	// missing (a report left out of the counts), one added (a report
	// counted twice).
	{"BriefOfAnotherReport", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE judgement_briefs SET brief = (SELECT b.brief FROM judgement_briefs b WHERE b.report_id = $1 AND b.version = judgement_briefs.version)
			WHERE report_id = $2`, string(rSudzha), string(rKherson))
		wantDetected(t, e, "brief of report "+string(rKherson), "does not match")
	}},
	{"BriefMissing", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `DELETE FROM judgement_briefs WHERE report_id = $1`, string(rKherson))
		wantDetected(t, e, "brief of report "+string(rKherson), "missing")
	}},
	{"BriefCountedTwice", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `INSERT INTO judgement_briefs (agreement, version, start_ns, report_id, brief)
			SELECT agreement, version, start_ns + 1, report_id, brief FROM judgement_briefs WHERE report_id = $1`, string(rKherson))
		wantDetected(t, e, "brief of report "+string(rKherson), "no judgement")
	}},

	// Rows the public reads that are derived from the log or are not
	// records of their own: incident figures, reference data (sites),
	// permissions (tokens), the current agreement (issue 12).
	{"IncidentVerdict", func(t *testing.T, e *env) {
		// A violation by RU that was never judged, as the list and the
		// CSV export would show it.
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET outcome = $1, parties = (SELECT parties FROM incidents WHERE id = $2), explanation = $3 WHERE id = $4`,
			int64(truce.OutcomeViolation), string(rKharkiv), "Strike by RU", string(rSudzha))
		wantDetected(t, e, "incident "+string(rSudzha))
	}},
	{"IncidentOutcome", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET outcome = $1 WHERE id = $2`, int64(truce.OutcomeViolation), string(rKropyvnytskyi))
		wantDetected(t, e, "incident "+string(rKropyvnytskyi), "outcome")
	}},
	{"IncidentParties", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET parties = (SELECT parties FROM incidents WHERE id = $1) WHERE id = $2`, string(rKharkiv), string(rSloviansk))
		wantDetected(t, e, "incident "+string(rSloviansk), "parties")
	}},
	{"IncidentPhases", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET phases = (SELECT phases FROM incidents WHERE id = $1) WHERE id = $2`, string(rKharkiv), string(rSloviansk))
		wantDetected(t, e, "incident "+string(rSloviansk), "phases")
	}},
	{"IncidentExplanation", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET explanation = $1 WHERE id = $2`, "Not a violation", string(rKharkiv))
		wantDetected(t, e, "incident "+string(rKharkiv), "explanation")
	}},
	{"IncidentStart", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET start_ns = start_ns + 86400000000000 WHERE id = $1`, string(rKharkiv))
		wantDetected(t, e, "incident "+string(rKharkiv), "start")
	}},
	{"IncidentUpdated", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET updated_ns = updated_ns + 3600000000000 WHERE id = $1`, string(rKherson))
		wantDetected(t, e, "incident "+string(rKherson))
	}},
	{"MergedAwayIncidentOutcome", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incidents SET outcome = $1 WHERE id = $2`, int64(truce.OutcomeViolation), string(rVysokoivanivka))
		wantDetected(t, e, "incident "+string(rVysokoivanivka), "outcome")
	}},
	{"IncidentDeleted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `DELETE FROM incidents WHERE id = $1`, string(rVysokoivanivka))
		wantDetected(t, e, "incident "+string(rVysokoivanivka))
	}},
	{"SiteEdited", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE sites SET capacity_mw = 800 WHERE id = $1`, "UKR0001234")
		wantDetected(t, e, "site UKR0001234")
	}},
	{"SiteMoved", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE sites SET lon = lon + 0.5 WHERE id = $1`, "RUS0000042")
		wantDetected(t, e, "site RUS0000042")
	}},
	{"SiteDeleted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `DELETE FROM sites WHERE id = $1`, "RUS0000042")
		wantDetected(t, e, "site RUS0000042", "deleted")
	}},
	{"SiteInserted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `INSERT INTO sites (id, lon, lat) VALUES ($1, 30.5, 50.4)`, "UKR9999999")
		wantDetected(t, e, "site UKR9999999")
	}},
	{"TokenRoleRaisedToAdmin", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE tokens SET role = $1, party = '' WHERE id = $2`, string(truce.RoleAdmin), "tok_ua")
		wantDetected(t, e, "token tok_ua")
	}},
	{"TokenHashReplaced", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE tokens SET hash = $1 WHERE id = $2`, hashOf("attacker-secret"), "tok_ua")
		wantDetected(t, e, "token tok_ua")
	}},
	{"TokenInserted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `INSERT INTO tokens (id, hash, role, created_ns) VALUES ($1, $2, $3, $4)`, "tok_evil", hashOf("evil"), string(truce.RoleAdmin), T0.UnixNano())
		wantDetected(t, e, "token tok_evil")
	}},
	{"TokenUnrevoked", func(t *testing.T, e *env) {
		populateSigned(t, e)
		must(t, e.s.RevokeToken(e.ctx, "tok_ua", e.clock.Now()))
		mustVerify(t, e)
		e.exec(t, `UPDATE tokens SET revoked_ns = NULL WHERE id = $1`, "tok_ua")
		wantDetected(t, e, "token tok_ua", "revocation")
	}},
	{"TokenDeleted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `DELETE FROM tokens WHERE id = $1`, "tok_ua")
		wantDetected(t, e, "token tok_ua", "deleted")
	}},
	{"CurrentAgreement", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE settings SET value = $1 WHERE key = 'current_version'`, "1")
		wantDetected(t, e, "settings", "current agreement")
	}},
	{"AgreementCreated", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE agreements SET created_ns = created_ns - 86400000000000 WHERE version = 2`)
		wantDetected(t, e, "agreement "+string(agreementID)+" version 2")
	}},
	{"EventActor", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `UPDATE incident_events SET actor = $1 WHERE kind = 'note'`, partyRU.String())
		wantDetected(t, e, "incident "+string(rSloviansk), "actor")
	}},
	{"EventDeleted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `DELETE FROM incident_events WHERE kind = 'note'`)
		wantDetected(t, e, "has no row", "incident.event "+string(rSloviansk))
	}},
	{"EventDuplicated", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `INSERT INTO incident_events (incident, at_ns, actor, kind, from_status, to_status, reason, party, response, evidence, other, log_index)
			SELECT incident, at_ns, actor, kind, from_status, to_status, reason, party, response, evidence, other, log_index FROM incident_events WHERE kind = 'note'`)
		wantDetected(t, e, "incident "+string(rSloviansk), "another event")
	}},
	{"CreatedEventDeleted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		e.exec(t, `DELETE FROM incident_events WHERE kind = 'created' AND incident = $1`, string(rKharkiv))
		wantDetected(t, e, "incident "+string(rKharkiv), "created event")
	}},
	{"EvidenceUploader", func(t *testing.T, e *env) {
		m := populateSigned(t, e)
		e.exec(t, `UPDATE evidence SET added_by = $1`, partyRU.String())
		wantDetected(t, e, "evidence "+m.evidence.ID, "uploader")
	}},
	{"EvidenceInserted", func(t *testing.T, e *env) {
		populateSigned(t, e)
		content := []byte("forged")
		id := "sha256:" + sha(content)
		e.exec(t, `INSERT INTO evidence (id, incident, sha256, media_type, size, added_by, at_ns, content, log_index) VALUES ($1, $2, $3, 'text/plain', $4, $5, $6, $7, 0)`,
			id, string(rKherson), sha(content), int64(len(content)), monitor.String(), T0.UnixNano(), content)
		wantDetected(t, e, "evidence "+id, "no evidence event")
	}},
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// state is everything a failed write must leave unchanged.
type state struct {
	Size        int64
	Checkpoint  []byte
	Reports     []*truce.Report
	Incidents   []truce.IncidentSummary
	Events      map[truce.IncidentID][]truce.Event
	Evidence    map[truce.IncidentID][]truce.Evidence
	Judgements  map[truce.ReportID]*truce.Judgement
	Agreements  []truce.AgreementVersion
	Tokens      []truce.Token
	Sites       []truce.Site
	Checkpoints int
}

func snapshot(t *testing.T, e *env) state {
	t.Helper()
	st := state{Size: logSize(t, e), Events: map[truce.IncidentID][]truce.Event{}, Evidence: map[truce.IncidentID][]truce.Evidence{},
		Judgements: map[truce.ReportID]*truce.Judgement{}}
	_, err := e.s.Integrate(e.ctx) // the background integrator may be behind
	must(t, err)
	st.Checkpoint, err = e.s.LatestCheckpoint(e.ctx)
	must(t, err)
	must(t, e.s.Reports(e.ctx, truce.ReportFilter{}, func(r *truce.Report) error {
		st.Reports = append(st.Reports, r)
		in, err := e.s.Incident(e.ctx, truce.IncidentID(r.ID))
		if err != nil {
			return err
		}
		st.Incidents = append(st.Incidents, *in)
		if st.Events[in.ID], err = e.s.Events(e.ctx, in.ID); err != nil {
			return err
		}
		if st.Evidence[in.ID], err = e.s.Evidence(e.ctx, in.ID); err != nil {
			return err
		}
		return nil
	}))
	for v := 1; v <= 2; v++ {
		must(t, e.s.Judgements(e.ctx, agreementID, v, truce.ReportFilter{}, func(r *truce.Report, j *truce.Judgement) error {
			st.Judgements[truce.ReportID(string(r.ID)+"@"+itoa(int64(v)))] = j
			return nil
		}))
	}
	st.Agreements, err = e.s.AgreementVersions(e.ctx, agreementID)
	must(t, err)
	st.Tokens, err = e.s.Tokens(e.ctx)
	must(t, err)
	st.Sites, err = e.s.Sites(e.ctx)
	must(t, err)
	_, vk, err := e.s.LogKey(e.ctx)
	must(t, err)
	src, done, err := e.s.LogSource(e.ctx)
	must(t, err)
	defer done()
	rep, err := ledger.Verify(e.ctx, src, vk)
	must(t, err)
	st.Checkpoints = rep.Checkpoints
	return st
}

var atomicCases = []tcase{
	{"FailedWrites", func(t *testing.T, e *env) {
		m := populateSigned(t, e)
		inc := func(r truce.ReportID) truce.IncidentID { return truce.IncidentID(r) }
		canceled, cancel := context.WithCancel(e.ctx)
		cancel()
		for _, tt := range []struct {
			name string
			code string // "" for any error
			do   func() error
		}{
			{"PutReports with an invalid report in the middle", truce.EINVALID, func() error {
				rs := scenario()
				bad := *rs[0]
				bad.ID, bad.End = "viina_incidents_202503.csv:9999", bad.Start
				good := *rs[0]
				good.ID = "viina_incidents_202503.csv:9998"
				_, err := e.s.PutReports(e.ctx, truce.System, []*truce.Report{&good, &bad, rs[1]}, truce.PutOptions{})
				return err
			}},
			{"PutJudgements of an unknown report in the middle", truce.ENOTFOUND, func() error {
				_, err := e.s.PutJudgements(e.ctx, truce.System, agreementID, m.v2.Version, []truce.Judgement{
					judgement(rKherson, truce.OutcomeNotProhibited, "", "changed"),
					judgement("UKR999999", truce.OutcomeViolation, "RU", "no such report"),
					judgement(rSudzha, truce.OutcomeNotProhibited, "", "changed"),
				})
				return err
			}},
			{"PutJudgements under an unknown version", truce.ENOTFOUND, func() error {
				_, err := e.s.PutJudgements(e.ctx, truce.System, agreementID, 9, []truce.Judgement{judgement(rKherson, truce.OutcomeNotProhibited, "", "x")})
				return err
			}},
			{"AddEvidence twice", truce.ECONFLICT, func() error {
				_, err := e.s.AddEvidence(e.ctx, monitor, inc(rKherson), &truce.Evidence{MediaType: "image/png"}, m.content)
				return err
			}},
			{"AddEvidence to a missing incident", truce.ENOTFOUND, func() error {
				_, err := e.s.AddEvidence(e.ctx, monitor, "UKR999999", &truce.Evidence{MediaType: "image/png"}, []byte("new photo"))
				return err
			}},
			{"AddEvidence to a merged-away incident", truce.ECONFLICT, func() error {
				_, err := e.s.AddEvidence(e.ctx, monitor, inc(rVysokoivanivka), &truce.Evidence{MediaType: "image/png"}, []byte("new photo"))
				return err
			}},
			{"ChangeStatus not allowed", truce.ECONFLICT, func() error {
				_, err := e.s.ChangeStatus(e.ctx, monitor, inc(rKharkiv), truce.StatusVerified, "")
				return err
			}},
			{"Publish twice", truce.ECONFLICT, func() error {
				_, err := e.s.Publish(e.ctx, monitor, inc(rSudzha))
				return err
			}},
			{"Merge a merged-away incident", truce.ECONFLICT, func() error {
				_, err := e.s.Merge(e.ctx, monitor, inc(rKharkiv), inc(rVysokoivanivka), "")
				return err
			}},
			{"Split a namesake", truce.ECONFLICT, func() error {
				_, err := e.s.Split(e.ctx, monitor, rKherson, "")
				return err
			}},
			{"Respond without a party", truce.EINVALID, func() error {
				_, err := e.s.Respond(e.ctx, monitor, inc(rKherson), truce.ResponseDenial, "")
				return err
			}},
			{"PutJudgedReports with a judgement under an unknown version", truce.ENOTFOUND, func() error {
				r := *scenario()[0]
				r.ID = "viina_incidents_202503.csv:9996"
				_, _, err := judgedPutterOf(t, e).PutJudgedReports(e.ctx, truce.System, []*truce.Report{&r}, truce.PutOptions{}, agreementID, 9,
					[]truce.Judgement{judgement(r.ID, truce.OutcomeViolation, "RU", "x", "energy")})
				return err
			}},
			{"PutReports on a canceled context", "", func() error {
				r := *scenario()[0]
				r.ID = "viina_incidents_202503.csv:9997"
				_, err := e.s.PutReports(canceled, truce.System, []*truce.Report{&r}, truce.PutOptions{})
				return err
			}},
			{"AddNote on a canceled context", "", func() error {
				_, err := e.s.AddNote(canceled, monitor, inc(rKherson), "x")
				return err
			}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := snapshot(t, e)
				e.clock.Advance(1)
				err := tt.do()
				if err == nil {
					t.Fatal("no error")
				}
				if tt.code != "" {
					wantCode(t, err, tt.code)
				}
				equal(t, "state after a failed write", before, snapshot(t, e))
			})
		}
		mustVerify(t, e)
	}},
	{"JudgedReports", func(t *testing.T, e *env) {
		// A report and its judgement stored in one write read back as if
		// stored by PutReports, then PutJudgements.
		m := populateSigned(t, e)
		r := *scenario()[0]
		r.ID = "viina_incidents_202503.csv:9995"
		j := judgement(r.ID, truce.OutcomeViolation, "RU", "Strike on a refinery during the energy moratorium", "energy")
		stored, changed, err := judgedPutterOf(t, e).PutJudgedReports(e.ctx, truce.System, []*truce.Report{&r}, truce.PutOptions{Published: true},
			agreementID, m.v2.Version, []truce.Judgement{j})
		must(t, err)
		if added := sqlstore.Count(stored); added != 1 || changed != 1 {
			t.Fatalf("PutJudgedReports: %d added, %d changed, want 1 and 1", added, changed)
		}
		got, err := e.s.Judgement(e.ctx, agreementID, m.v2.Version, r.ID)
		must(t, err)
		if got.Outcome != truce.OutcomeViolation || got.Explanation != j.Explanation {
			t.Errorf("stored judgement %v %q, want violation %q", got.Outcome, got.Explanation, j.Explanation)
		}
		// The incident's figures are the judgement's (the current version).
		if in := mustIncident(t, e, r.ID); in.Outcome != truce.OutcomeViolation {
			t.Errorf("incident outcome %v, want violation", in.Outcome)
		}
		// Again: nothing new, nothing logged.
		n := logSize(t, e)
		stored, changed, err = judgedPutterOf(t, e).PutJudgedReports(e.ctx, truce.System, []*truce.Report{&r}, truce.PutOptions{Published: true},
			agreementID, m.v2.Version, []truce.Judgement{j})
		must(t, err)
		if added := sqlstore.Count(stored); added != 0 || changed != 0 || logSize(t, e) != n {
			t.Errorf("the same again: %d added, %d changed, log %d -> %d; want nothing", added, changed, n, logSize(t, e))
		}
		mustVerify(t, e)
	}},
	{"JudgedReportsBatch", func(t *testing.T, e *env) {
		// New reports, a report stored before (with a judgement) and a
		// second copy of a new report's id in one call: only the new ones
		// are stored and judged, their incidents start with their
		// judgements' figures (as a refresh would give them, which
		// verification recomputes from the log), and the stored report
		// keeps its judgement.
		m := populateSigned(t, e)
		var rs []*truce.Report
		var js []truce.Judgement
		for i, o := range []truce.Outcome{truce.OutcomeViolation, truce.OutcomeDisputed, truce.OutcomeUndetermined} {
			r := *scenario()[i]
			r.ID = truce.ReportID(fmt.Sprintf("viina_incidents_202503.csv:98%02d", i))
			rs = append(rs, &r)
			js = append(js, judgement(r.ID, o, "RU", fmt.Sprintf("batch judgement %d", i), "energy", "full"))
		}
		old := scenario()[0] // stored, judged a violation under v1 and v2
		before, err := e.s.Judgement(e.ctx, agreementID, m.v2.Version, old.ID)
		must(t, err)
		copyOf := *rs[1]
		copyOf.Text = "another text under the id of a new report"
		rs = append(rs, old, &copyOf)
		js = append(js, judgement(old.ID, truce.OutcomeNotProhibited, "UA", "must not be stored"),
			judgement(copyOf.ID, truce.OutcomeNotProhibited, "UA", "must not be stored either"))
		n := logSize(t, e)
		stored, changed, err := judgedPutterOf(t, e).PutJudgedReports(e.ctx, truce.System, rs, truce.PutOptions{Published: true},
			agreementID, m.v2.Version, js)
		must(t, err)
		equal(t, "stored", []bool{true, true, true, false, false}, stored)
		if changed != 3 || logSize(t, e) != n+6 {
			t.Errorf("%d judgements logged, log %d -> %d; want 3 and 6 records (a report and a judgement each)", changed, n, logSize(t, e))
		}
		for i := range 3 {
			in := mustIncident(t, e, rs[i].ID)
			equal(t, "figures of "+string(rs[i].ID), []any{js[i].Outcome, ids[truce.PartyID]("RU"), ids[truce.PhaseID]("energy", "full"), js[i].Explanation},
				[]any{in.Outcome, in.Parties, in.Phases, in.Explanation})
			// A new report is stored as given, in an incident with its
			// id, with the judgement given: the API answers its creation
			// with them without reading them back.
			inc, err := e.s.IncidentOf(e.ctx, rs[i].ID)
			must(t, err)
			equal(t, "incident of "+string(rs[i].ID), truce.IncidentID(rs[i].ID), inc)
			r, err := e.s.Report(e.ctx, rs[i].ID)
			must(t, err)
			equal(t, "stored report "+string(rs[i].ID), rs[i], r)
			jd, err := e.s.Judgement(e.ctx, agreementID, m.v2.Version, rs[i].ID)
			must(t, err)
			equal(t, "stored judgement of "+string(rs[i].ID), &js[i], jd)
		}
		got, err := e.s.Judgement(e.ctx, agreementID, m.v2.Version, old.ID)
		must(t, err)
		equal(t, "the stored report's judgement", before, got)
		r, err := e.s.Report(e.ctx, copyOf.ID)
		must(t, err)
		if r.Text != rs[1].Text {
			t.Errorf("report %s stored with %q, want the first copy's text", copyOf.ID, r.Text)
		}
		mustVerify(t, e)

		// Judged under a version that is not the current one: stored,
		// and the incidents show no judgement.
		r2 := *scenario()[3]
		r2.ID = "viina_incidents_202503.csv:9810"
		_, _, err = judgedPutterOf(t, e).PutJudgedReports(e.ctx, truce.System, []*truce.Report{&r2}, truce.PutOptions{Published: true},
			agreementID, m.v1.Version, []truce.Judgement{judgement(r2.ID, truce.OutcomeViolation, "RU", "under v1", "energy")})
		must(t, err)
		if in := mustIncident(t, e, r2.ID); in.Outcome != 0 || len(in.Parties) != 0 {
			t.Errorf("incident judged under an old version shows outcome %v, parties %v; want none", in.Outcome, in.Parties)
		}
		mustVerify(t, e)

		// Judgements that are not the reports' are refused, nothing stored.
		r3 := *scenario()[4]
		r3.ID = "viina_incidents_202503.csv:9811"
		n = logSize(t, e)
		if _, _, err := judgedPutterOf(t, e).PutJudgedReports(e.ctx, truce.System, []*truce.Report{&r3}, truce.PutOptions{},
			agreementID, m.v2.Version, []truce.Judgement{judgement(rs[0].ID, truce.OutcomeViolation, "RU", "x")}); err == nil {
			t.Error("a judgement of another report was accepted")
		}
		if _, err := e.s.Report(e.ctx, r3.ID); truce.ErrorCode(err) != truce.ENOTFOUND || logSize(t, e) != n {
			t.Errorf("after a refused call: report lookup %v, log %d -> %d; want nothing stored", err, n, logSize(t, e))
		}
	}},
}

// judgedPutter is a store that stores reports with their judgements in
// one write (sqlstore.Core.PutJudgedReports, which the API uses).
type judgedPutter interface {
	PutJudgedReports(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions, id truce.AgreementID, version int, js []truce.Judgement) (stored []bool, changed int, err error)
}

func judgedPutterOf(t *testing.T, e *env) judgedPutter {
	t.Helper()
	jp, ok := e.s.(judgedPutter)
	if !ok {
		t.Fatalf("%T cannot store reports with their judgements in one write", e.s)
	}
	return jp
}
