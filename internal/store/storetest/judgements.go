package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"truce"
	"truce/internal/ledger"
)

var cmpIgnoreEventID = cmpopts.IgnoreFields(truce.Event{}, "ID")

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hashOf(secret string) string { return sha([]byte(secret)) }

var putAgreementCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		v, created, err := e.s.PutAgreement(e.ctx, admin, agreementID, bundleV1)
		must(t, err)
		want := &truce.AgreementVersion{ID: agreementID, Version: 1, SHA256: sha(bundleV1), Bundle: bundleV1, CreatedAt: T0, LogIndex: 0}
		equal(t, "PutAgreement", want, v)
		if !created {
			t.Error("created = false for the first version")
		}
		data, err := e.s.LogRecord(e.ctx, 0)
		must(t, err)
		rec, err := ledger.AgreementRecord(admin, T0, want)
		must(t, err)
		wantData, err := rec.Bytes()
		must(t, err)
		if string(data) != string(wantData) {
			t.Errorf("record = %s\nwant %s", data, wantData)
		}
	}},
	{"Unchanged", func(t *testing.T, e *env) {
		v1 := mustAgreement(t, e, bundleV1)
		e.clock.Advance(time.Hour)
		v, created, err := e.s.PutAgreement(e.ctx, admin, agreementID, append([]byte(nil), bundleV1...))
		must(t, err)
		if created {
			t.Error("created = true for the same bundle")
		}
		equal(t, "PutAgreement(same bundle)", v1, v)
		if logSize(t, e) != 1 {
			t.Errorf("LogSize = %d, want 1", logSize(t, e))
		}
	}},
	{"NewVersion", func(t *testing.T, e *env) {
		mustAgreement(t, e, bundleV1)
		at := e.clock.Advance(time.Hour)
		v, created, err := e.s.PutAgreement(e.ctx, admin, agreementID, bundleV2)
		must(t, err)
		want := &truce.AgreementVersion{ID: agreementID, Version: 2, SHA256: sha(bundleV2), Bundle: bundleV2, CreatedAt: at, LogIndex: 1}
		equal(t, "PutAgreement(v2)", want, v)
		if !created {
			t.Error("created = false for a changed bundle")
		}
		// Going back to the first bundle is a third version: only the
		// latest version is compared.
		v, created, err = e.s.PutAgreement(e.ctx, admin, agreementID, bundleV1)
		must(t, err)
		if !created || v.Version != 3 || v.SHA256 != sha(bundleV1) {
			t.Errorf("PutAgreement(v1 again) = version %d, created %v; want version 3, created", v.Version, created)
		}
		// Versions count per agreement.
		other, created, err := e.s.PutAgreement(e.ctx, admin, "black-sea-2025", bundleV1)
		must(t, err)
		if !created || other.Version != 1 {
			t.Errorf("PutAgreement(other id) = version %d, created %v; want 1, created", other.Version, created)
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		_, _, err := e.s.PutAgreement(e.ctx, admin, "", bundleV1)
		wantCode(t, err, truce.EINVALID)
		if logSize(t, e) != 0 {
			t.Errorf("LogSize = %d, want 0", logSize(t, e))
		}
	}},
}

var latestAgreementCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustAgreement(t, e, bundleV1)
		e.clock.Advance(time.Hour)
		v2 := mustAgreement(t, e, bundleV2)
		got, err := e.s.LatestAgreement(e.ctx, agreementID)
		must(t, err)
		equal(t, "LatestAgreement", v2, got)
	}},
	{"Any", func(t *testing.T, e *env) {
		// "" means the most recently stored agreement, whatever its id.
		mustAgreement(t, e, bundleV1)
		mustAgreement(t, e, bundleV2)
		other, _, err := e.s.PutAgreement(e.ctx, admin, "black-sea-2025", []byte("black sea"))
		must(t, err)
		got, err := e.s.LatestAgreement(e.ctx, "")
		must(t, err)
		equal(t, "LatestAgreement(\"\")", other, got)
		head, err := e.s.LatestAgreementHead(e.ctx)
		must(t, err)
		want := *other
		want.Bundle = nil
		equal(t, "LatestAgreementHead", &want, head)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.LatestAgreement(e.ctx, "")
		wantCode(t, err, truce.ENOTFOUND)
		_, err = e.s.LatestAgreementHead(e.ctx)
		wantCode(t, err, truce.ENOTFOUND)
		mustAgreement(t, e, bundleV1)
		_, err = e.s.LatestAgreement(e.ctx, "black-sea-2025")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var agreementCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		v1 := mustAgreement(t, e, bundleV1)
		mustAgreement(t, e, bundleV2)
		got, err := e.s.Agreement(e.ctx, agreementID, 1)
		must(t, err)
		equal(t, "Agreement(v1)", v1, got)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustAgreement(t, e, bundleV1)
		_, err := e.s.Agreement(e.ctx, agreementID, 2)
		wantCode(t, err, truce.ENOTFOUND)
		_, err = e.s.Agreement(e.ctx, "black-sea-2025", 1)
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var agreementVersionsCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		v1 := mustAgreement(t, e, bundleV1)
		e.clock.Advance(time.Hour)
		v2 := mustAgreement(t, e, bundleV2)
		_, _, err := e.s.PutAgreement(e.ctx, admin, "black-sea-2025", bundleV1)
		must(t, err)
		got, err := e.s.AgreementVersions(e.ctx, agreementID)
		must(t, err)
		// Oldest first, without bundles.
		v1.Bundle, v2.Bundle = nil, nil
		equal(t, "AgreementVersions", []truce.AgreementVersion{*v1, *v2}, got)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		got, err := e.s.AgreementVersions(e.ctx, agreementID)
		if err == nil && len(got) == 0 {
			return // an empty list is an acceptable answer
		}
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

// judged stores the scenario's reports, agreement v1 and judgements of
// every report, and returns the judgements.
func judged(t *testing.T, e *env) ([]*truce.Report, []truce.Judgement) {
	t.Helper()
	rs := scenario()
	mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, rs...)
	mustAgreement(t, e, bundleV1)
	js := []truce.Judgement{
		judgement(rSlobozhanske, truce.OutcomeViolation, "RU", "Strike on a refinery during the energy moratorium", "energy"),
		judgement(rSloviansk, truce.OutcomeUndetermined, "", "Perpetrator unknown"),
		judgement(rVysokoivanivka, truce.OutcomeViolation, "UA", "Strike in Vysokoivanivka", "black_sea"),
		judgement(rKropyvnytskyi, truce.OutcomeNotProhibited, "RU", "Not an energy target"),
		judgement(rSudzha, truce.OutcomeDisputed, "UA", "The parties read the start of the moratorium differently", "energy", "black-sea"),
		judgement(rKherson, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy"),
		judgement(rKharkiv, truce.OutcomeUndetermined, "RU", "Target category unknown", "full"),
	}
	mustJudge(t, e, 1, js...)
	return rs, js
}

var putJudgementsCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		rs := scenario()
		mustPutReports(t, e, truce.System, truce.PutOptions{}, rs...)
		v := mustAgreement(t, e, bundleV1)
		before := logSize(t, e)
		js := []truce.Judgement{
			judgement(rKherson, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy"),
			judgement(rSudzha, truce.OutcomeDisputed, "UA", "Disputed start", "energy"),
		}
		if n := mustJudge(t, e, v.Version, js...); n != 2 {
			t.Errorf("changed = %d, want 2", n)
		}
		if got := logSize(t, e); got != before+2 {
			t.Errorf("LogSize = %d, want %d", got, before+2)
		}
		for _, j := range js {
			got, err := e.s.Judgement(e.ctx, agreementID, 1, j.Report)
			must(t, err)
			equal(t, "Judgement "+string(j.Report), &j, got)
		}
		// The record is built by ledger.JudgementRecord over the stored detail.
		data, err := e.s.LogRecord(e.ctx, before)
		must(t, err)
		rec, err := ledger.DecodeRecord(data)
		must(t, err)
		if rec.Kind != ledger.KindJudgement || rec.Subject != string(rKherson) || rec.Actor != "system" || !rec.At.Equal(T0) {
			t.Errorf("record = %s, want a judgement of %s by system at %s", data, rKherson, T0)
		}
	}},
	{"Unchanged", func(t *testing.T, e *env) {
		_, js := judged(t, e)
		before := logSize(t, e)
		if n := mustJudge(t, e, 1, js...); n != 0 {
			t.Errorf("changed = %d judging again with the same result, want 0", n)
		}
		if got := logSize(t, e); got != before {
			t.Errorf("LogSize = %d, want %d: unchanged judgements are not logged again", got, before)
		}
		mustVerify(t, e)
	}},
	{"Changed", func(t *testing.T, e *env) {
		_, js := judged(t, e)
		before := logSize(t, e)
		js[1] = judgement(rSloviansk, truce.OutcomeViolation, "RU", "Perpetrator now attributed", "energy")
		js[3].Explanation = "Not an energy target (reworded)"
		if n := mustJudge(t, e, 1, js...); n != 2 {
			t.Errorf("changed = %d, want 2", n)
		}
		if got := logSize(t, e); got != before+2 {
			t.Errorf("LogSize = %d, want %d", got, before+2)
		}
		got, err := e.s.Judgement(e.ctx, agreementID, 1, rSloviansk)
		must(t, err)
		equal(t, "Judgement", &js[1], got)
		mustVerify(t, e)
	}},
	{"NewVersion", func(t *testing.T, e *env) {
		// A new agreement version that judges a report as before does not
		// log it again; one that judges it differently does.
		_, js := judged(t, e)
		v2 := mustAgreement(t, e, bundleV2)
		before := logSize(t, e)
		js[0].Outcome = truce.OutcomeDisputed
		if n := mustJudge(t, e, v2.Version, js...); n != 1 {
			t.Errorf("changed = %d under version 2 with one different judgement, want 1", n)
		}
		if got := logSize(t, e); got != before+1 {
			t.Errorf("LogSize = %d, want %d", got, before+1)
		}
		for _, j := range js {
			got, err := e.s.Judgement(e.ctx, agreementID, 2, j.Report)
			must(t, err)
			equal(t, "Judgement v2 "+string(j.Report), &j, got)
		}
		old, err := e.s.Judgement(e.ctx, agreementID, 1, rSlobozhanske)
		must(t, err)
		if old.Outcome != truce.OutcomeViolation {
			t.Errorf("version 1 judgement outcome = %v, want violation (unchanged)", old.Outcome)
		}
		_, rc := mustVerify(t, e)
		if rc.Judgements != 2*len(js) {
			t.Errorf("VerifyRows checked %d judgements, want %d", rc.Judgements, 2*len(js))
		}
	}},
	{"IncidentFigures", func(t *testing.T, e *env) {
		judged(t, e)
		for _, tt := range []struct {
			id      truce.ReportID
			outcome truce.Outcome
			parties []truce.PartyID
			phases  []truce.PhaseID
			expl    string
		}{
			{rSlobozhanske, truce.OutcomeViolation, ids[truce.PartyID]("RU"), ids[truce.PhaseID]("energy"), "Strike on a refinery during the energy moratorium"},
			{rSloviansk, truce.OutcomeUndetermined, nil, nil, "Perpetrator unknown"},
			{rKropyvnytskyi, truce.OutcomeNotProhibited, ids[truce.PartyID]("RU"), nil, "Not an energy target"},
			{rSudzha, truce.OutcomeDisputed, ids[truce.PartyID]("UA"), ids[truce.PhaseID]("black-sea", "energy"), "The parties read the start of the moratorium differently"},
			{rKharkiv, truce.OutcomeUndetermined, ids[truce.PartyID]("RU"), ids[truce.PhaseID]("full"), "Target category unknown"},
		} {
			in := mustIncident(t, e, tt.id)
			equal(t, "figures of "+string(tt.id), []any{tt.outcome, tt.parties, tt.parties, tt.phases, tt.expl},
				[]any{in.Outcome, in.Parties, in.Accused, in.Phases, in.Explanation})
		}
		// Several reports in one incident: the most severe outcome, the
		// explanation of the first most severe report, every party and
		// phase, sorted.
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same explosions")
		must(t, err)
		_, err = e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rKharkiv), "test")
		must(t, err)
		_, err = e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rSlobozhanske), "test")
		must(t, err)
		in := mustIncident(t, e, rSloviansk)
		equal(t, "merged figures", []any{truce.OutcomeViolation, ids[truce.PartyID]("RU", "UA"), ids[truce.PhaseID]("black_sea", "energy", "full"),
			"Strike on a refinery during the energy moratorium", day(18), scenario()[0].Location},
			[]any{in.Outcome, in.Parties, in.Phases, in.Explanation, in.Start, in.Location})
		// Re-judging updates the figures.
		mustJudge(t, e, 1, judgement(rSlobozhanske, truce.OutcomeNotProhibited, "", "Retracted"))
		in = mustIncident(t, e, rSloviansk)
		equal(t, "figures after re-judging", []any{truce.OutcomeViolation, ids[truce.PartyID]("RU", "UA"), ids[truce.PhaseID]("black_sea", "full"), "Strike in Vysokoivanivka"},
			[]any{in.Outcome, in.Parties, in.Phases, in.Explanation})
	}},
	{"NotFound", func(t *testing.T, e *env) {
		// A judgement of an unknown report in the middle of a batch fails
		// the whole batch.
		rs := scenario()
		mustPutReports(t, e, truce.System, truce.PutOptions{}, rs...)
		mustAgreement(t, e, bundleV1)
		before := logSize(t, e)
		n, err := e.s.PutJudgements(e.ctx, truce.System, agreementID, 1, []truce.Judgement{
			judgement(rKherson, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy"),
			judgement("UKR999999", truce.OutcomeViolation, "RU", "no such report", "energy"),
			judgement(rSudzha, truce.OutcomeDisputed, "UA", "Disputed start", "energy"),
		})
		wantCode(t, err, truce.ENOTFOUND)
		if n != 0 {
			t.Errorf("changed = %d with an error, want 0", n)
		}
		if got := logSize(t, e); got != before {
			t.Errorf("LogSize = %d after a failed batch, want %d", got, before)
		}
		_, err = e.s.Judgement(e.ctx, agreementID, 1, rKherson)
		wantCode(t, err, truce.ENOTFOUND)
		if in := mustIncident(t, e, rKherson); in.Outcome != 0 || len(in.Parties) != 0 {
			t.Errorf("incident figures changed by a failed batch: %+v", in)
		}
	}},
	{"UnknownVersion", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		mustAgreement(t, e, bundleV1)
		before := logSize(t, e)
		_, err := e.s.PutJudgements(e.ctx, truce.System, agreementID, 2, []truce.Judgement{
			judgement(rKherson, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy"),
		})
		wantCode(t, err, truce.ENOTFOUND)
		if got := logSize(t, e); got != before {
			t.Errorf("LogSize = %d after a failed batch, want %d", got, before)
		}
	}},
}

var judgementsCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		rs, js := judged(t, e)
		since, until := day(19), day(24)
		type pair struct {
			R *truce.Report
			J *truce.Judgement
		}
		var got []pair
		must(t, e.s.Judgements(e.ctx, agreementID, 1, truce.ReportFilter{Since: &since, Until: &until}, func(r *truce.Report, j *truce.Judgement) error {
			got = append(got, pair{r, j})
			return nil
		}))
		// Ordered by report start then id: Sloviansk and Vysokoivanivka
		// share 19 March.
		var want []pair
		for i := 1; i <= 4; i++ {
			want = append(want, pair{rs[i], &js[i]})
		}
		equal(t, "Judgements", want, got)
		// Other versions have none.
		calls := 0
		must(t, e.s.Judgements(e.ctx, agreementID, 2, truce.ReportFilter{}, func(*truce.Report, *truce.Judgement) error { calls++; return nil }))
		if calls != 0 {
			t.Errorf("Judgements(version 2) called fn %d times, want 0", calls)
		}
	}},
	{"Visible", func(t *testing.T, e *env) {
		visibilityFixture(t, e)
		mustAgreement(t, e, bundleV1)
		mustJudge(t, e, 1,
			judgement(rSlobozhanske, truce.OutcomeViolation, "RU", "a", "energy"),
			judgement(rKherson, truce.OutcomeViolation, "RU", "b", "energy"),
			judgement(rSudzha, truce.OutcomeDisputed, "UA", "c", "energy"),
			judgement(rKharkiv, truce.OutcomeUndetermined, "RU", "d"),
		)
		for _, tt := range []struct {
			name string
			p    *truce.Principal
			want []truce.ReportID
		}{
			{"monitor", &monitor, ids(rSlobozhanske, rSudzha, rKherson, rKharkiv)},
			{"party UA", &partyUA, ids(rSlobozhanske, rKherson)},
			{"observer", &observer, ids(rSlobozhanske)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got []truce.ReportID
				must(t, e.s.Judgements(e.ctx, agreementID, 1, truce.ReportFilter{Visible: tt.p}, func(r *truce.Report, _ *truce.Judgement) error {
					got = append(got, r.ID)
					return nil
				}))
				equal(t, "Judgements", tt.want, got)
			})
		}
	}},
	{"StopOnError", func(t *testing.T, e *env) {
		judged(t, e)
		stop := errors.New("enough")
		calls := 0
		err := e.s.Judgements(e.ctx, agreementID, 1, truce.ReportFilter{}, func(*truce.Report, *truce.Judgement) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("Judgements = %v after %d calls, want fn's error after 1 call", err, calls)
		}
	}},
}

var judgementCases = []tcase{
	{"NotFound", func(t *testing.T, e *env) {
		judged(t, e)
		_, err := e.s.Judgement(e.ctx, agreementID, 1, "UKR999999")
		wantCode(t, err, truce.ENOTFOUND)
		_, err = e.s.Judgement(e.ctx, agreementID, 2, rKherson)
		wantCode(t, err, truce.ENOTFOUND)
	}},
}
