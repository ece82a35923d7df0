package storetest

import (
	"slices"
	"testing"
	"time"

	"truce"
)

// marked reads incident id with its mark, and checks that the incident is
// the one Incident returns.
func marked(t *testing.T, e *env, id truce.ReportID) (*truce.IncidentSummary, truce.IncidentMark) {
	t.Helper()
	in, m, err := e.s.MarkedIncident(e.ctx, truce.IncidentID(id))
	must(t, err)
	equal(t, "MarkedIncident's incident", mustIncident(t, e, id), in)
	return in, m
}

// The API reuses an incident page while the incident's report ids and
// mark stay the same: every write that changes what the page shows
// beyond the incident's own row must change one of them.
var markedIncidentCases = []tcase{
	{"ChangesWithEveryWrite", func(t *testing.T, e *env) {
		const id = rKherson
		type seen struct {
			reports []truce.ReportID
			mark    truce.IncidentMark
		}
		var last seen
		check := func(step string, wantChange bool) {
			t.Helper()
			in, m := marked(t, e, id)
			now := seen{in.Reports, m}
			changed := !slices.Equal(now.reports, last.reports) || now.mark != last.mark
			if changed != wantChange {
				t.Errorf("%s: reports %v mark %+v, before %v %+v: changed %v, want %v", step, now.reports, now.mark, last.reports, last.mark, changed, wantChange)
			}
			// Read again with no write between: the same.
			in2, m2 := marked(t, e, id)
			if !slices.Equal(in2.Reports, now.reports) || m2 != now.mark {
				t.Errorf("%s: read twice, %v %+v then %v %+v", step, now.reports, now.mark, in2.Reports, m2)
			}
			last = now
		}
		rs := scenario()
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, byID(rs, id), byID(rs, rSloviansk))
		check("created", true)
		// Writes to another incident change nothing here.
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, byID(rs, rKharkiv))
		_, err := e.s.AddNote(e.ctx, monitor, truce.IncidentID(rSloviansk), "elsewhere")
		must(t, err)
		check("other incidents written", false)
		v1 := mustAgreement(t, e, bundleV1)
		check("agreement stored, nothing judged", false)
		mustJudge(t, e, v1.Version, judgement(id, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy"))
		check("judged", true)
		mustJudge(t, e, v1.Version, judgement(id, truce.OutcomeUndetermined, "", "Perpetrator unknown"))
		check("judged again under the same version", true)
		e.clock.Advance(time.Minute)
		_, err = e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(id), truce.StatusUnderReview, "triage")
		must(t, err)
		check("status", true)
		_, err = e.s.AddNote(e.ctx, monitor, truce.IncidentID(id), "asked the operator")
		must(t, err)
		check("note", true)
		_, err = e.s.Respond(e.ctx, partyRU, truce.IncidentID(id), truce.ResponseDenial, "not us")
		must(t, err)
		check("response", true)
		_, err = e.s.AddEvidence(e.ctx, monitor, truce.IncidentID(id), &truce.Evidence{MediaType: "text/plain", Description: "statement"}, []byte("operator statement"))
		must(t, err)
		check("evidence", true)
		v2, _, err := e.s.PutAgreement(e.ctx, admin, agreementID, bundleV2)
		must(t, err)
		mustJudge(t, e, v2.Version, judgement(id, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy"))
		check("judged under a new version", true)
		_, err = e.s.Merge(e.ctx, monitor, truce.IncidentID(id), truce.IncidentID(rSloviansk), "same strike")
		must(t, err)
		check("another incident merged in", true)
		_, err = e.s.Split(e.ctx, monitor, rSloviansk, "not the same strike")
		must(t, err)
		check("a report split out", true)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, _, err := e.s.MarkedIncident(e.ctx, "UKR999999")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}
