package storetest

import (
	"context"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/ledger"
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

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x01
	return out
}

var tamperCases = []tcase{
	{"RecordByte", func(t *testing.T, e *env) {
		populate(t, e)
		data, err := e.s.LogRecord(e.ctx, 5)
		must(t, err)
		e.exec(t, `UPDATE log_records SET data = $1 WHERE idx = $2`, flip(data, len(data)/2), int64(5))
		wantDetected(t, e, "record 5")
	}},
	{"RecordDeleted", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `DELETE FROM log_records WHERE idx = $1`, int64(4))
		wantDetected(t, e, "record 4", "missing")
	}},
	{"LastRecordDeleted", func(t *testing.T, e *env) {
		// The signed checkpoint still covers the dropped record.
		populate(t, e)
		n := logSize(t, e)
		e.exec(t, `DELETE FROM log_records WHERE idx = $1`, n-1)
		wantDetected(t, e, "record "+itoa(n-1), "missing")
	}},
	{"RecordsSwapped", func(t *testing.T, e *env) {
		populate(t, e)
		a, err := e.s.LogRecord(e.ctx, 2)
		must(t, err)
		b, err := e.s.LogRecord(e.ctx, 3)
		must(t, err)
		e.exec(t, `UPDATE log_records SET data = $1 WHERE idx = $2`, b, int64(2))
		e.exec(t, `UPDATE log_records SET data = $1 WHERE idx = $2`, a, int64(3))
		wantDetected(t, e, "record 2")
	}},
	{"HashAltered", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `UPDATE log_hashes SET hash = $1 WHERE idx = $2`, make([]byte, 32), tlog.StoredHashIndex(0, 6))
		wantDetected(t, e, "record 6")
	}},
	{"Checkpoint", func(t *testing.T, e *env) {
		populate(t, e)
		n := logSize(t, e)
		signed, err := e.s.LatestCheckpoint(e.ctx)
		must(t, err)
		e.exec(t, `UPDATE log_checkpoints SET note = $1 WHERE size = $2`, flip(signed, len(signed)-10), n)
		wantDetected(t, e, "checkpoint")
	}},
	{"ReportText", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `UPDATE reports SET text = text || $1 WHERE id = $2`, " (edited)", string(rKherson))
		wantDetected(t, e, "report "+string(rKherson))
	}},
	{"JudgementExplanation", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `UPDATE judgements SET explanation = $1 WHERE report_id = $2`, "Not a violation", string(rKherson))
		wantDetected(t, e, "judgement", string(rKherson))
	}},
	{"EvidenceDeleted", func(t *testing.T, e *env) {
		m := populate(t, e)
		e.exec(t, `DELETE FROM evidence WHERE id = $1 AND incident = $2`, m.evidence.ID, string(rKherson))
		wantDetected(t, e, "evidence "+m.evidence.ID, string(rKherson))
	}},
	{"EvidenceContent", func(t *testing.T, e *env) {
		m := populate(t, e)
		e.exec(t, `UPDATE evidence SET content = $1 WHERE id = $2`, flip(m.content, 3), m.evidence.ID)
		wantDetected(t, e, "evidence "+m.evidence.ID)
	}},
	{"IncidentStatus", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `UPDATE incidents SET status = $1 WHERE id = $2`, string(truce.StatusDismissed), string(rKherson))
		wantDetected(t, e, "incident "+string(rKherson))
	}},
	{"IncidentPublished", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `UPDATE incidents SET published = NOT published WHERE id = $1`, string(rKherson))
		wantDetected(t, e, "incident "+string(rKherson))
	}},
	{"ReportMovedToAnotherIncident", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `UPDATE reports SET incident_id = $1 WHERE id = $2`, string(rSudzha), string(rKherson))
		wantDetected(t, e, "report "+string(rKherson))
	}},
	{"JudgementPerpetratorColumn", func(t *testing.T, e *env) {
		populate(t, e)
		e.exec(t, `UPDATE judgements SET perpetrator = $1 WHERE report_id = $2`, "US", string(rKherson))
		wantDetected(t, e, "judgement", string(rKherson))
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
	var err error
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
		m := populate(t, e)
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
}
