package storetest

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
)

var incidentCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		judged(t, e)
		at := e.clock.Advance(time.Hour)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same explosions")
		must(t, err)
		_, err = e.s.Respond(e.ctx, partyUA, truce.IncidentID(rSloviansk), truce.ResponseDenial, "not us")
		must(t, err)
		in := mustIncident(t, e, rSloviansk)
		rs := scenario()
		want := &truce.IncidentSummary{
			Incident: truce.Incident{ID: truce.IncidentID(rSloviansk), Status: truce.StatusReported, Published: true,
				Accused: ids[truce.PartyID]("UA"), ContestedBy: ids[truce.PartyID]("UA"),
				Reports: ids(rSloviansk, rVysokoivanivka), CreatedAt: T0, UpdatedAt: at},
			Outcome: truce.OutcomeViolation, Parties: ids[truce.PartyID]("UA"), Phases: ids[truce.PhaseID]("black_sea"),
			Start: day(19), Location: byID(rs, rSloviansk).Location, Explanation: "Strike in Vysokoivanivka",
		}
		equal(t, "Incident", want, in)
		// A merged-away incident is still found, without reports.
		gone := mustIncident(t, e, rVysokoivanivka)
		if len(gone.Reports) != 0 {
			t.Errorf("merged-away incident has reports %v, want none", gone.Reports)
		}
		// IncidentHead reads the same incident without its report ids, the
		// merged-away one too; an absent one is not found.
		for _, in := range []*truce.IncidentSummary{in, gone} {
			head, err := e.s.IncidentHead(e.ctx, in.ID)
			must(t, err)
			bare := *in
			bare.Reports = nil
			equal(t, "IncidentHead "+string(in.ID), &bare, head)
		}
		_, err = e.s.IncidentHead(e.ctx, "no-such-incident")
		wantCode(t, err, truce.ENOTFOUND)
	}},
	{"CurrentAgreement", func(t *testing.T, e *env) {
		// Adjudicating an agreement again after another was stored (truce
		// adjudicate on an unchanged agreement, issue 12 item 11): the
		// incident figures and LatestAgreement("") — what the API shows
		// judgements under — both follow the agreement put last.
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, byID(scenario(), rKherson))
		const other truce.AgreementID = "black-sea-2025"
		violation := judgement(rKherson, truce.OutcomeViolation, "RU", "Drone attack on a substation", "energy")
		allowed := judgement(rKherson, truce.OutcomeNotProhibited, "", "No commitment covers substations")
		check := func(step string, wantID truce.AgreementID, want truce.Outcome) {
			t.Helper()
			cur, err := e.s.LatestAgreement(e.ctx, "")
			must(t, err)
			head, err := e.s.LatestAgreementHead(e.ctx)
			must(t, err)
			in := mustIncident(t, e, rKherson)
			equal(t, step, []any{wantID, wantID, want}, []any{cur.ID, head.ID, in.Outcome})
		}
		v := mustAgreement(t, e, bundleV1)
		mustJudge(t, e, v.Version, violation)
		check("after judging the agreement", agreementID, truce.OutcomeViolation)
		o, _, err := e.s.PutAgreement(e.ctx, admin, other, []byte("black sea"))
		must(t, err)
		_, err = e.s.PutJudgements(e.ctx, truce.System, other, o.Version, []truce.Judgement{allowed})
		must(t, err)
		check("after judging another agreement", other, truce.OutcomeNotProhibited)
		again, created, err := e.s.PutAgreement(e.ctx, admin, agreementID, bundleV1)
		must(t, err)
		if created || again.Version != v.Version {
			t.Fatalf("PutAgreement(the same bundle again) = version %d, created %v; want version %d, not created", again.Version, created, v.Version)
		}
		mustJudge(t, e, again.Version, violation)
		check("after judging the first agreement again", agreementID, truce.OutcomeViolation)
		// Judging under a version that is not current (a server whose
		// cached judge is a second old) changes neither.
		_, err = e.s.PutJudgements(e.ctx, truce.System, other, o.Version, []truce.Judgement{allowed})
		must(t, err)
		check("after judging under the other agreement, not current", agreementID, truce.OutcomeViolation)
		got, err := e.s.Judgement(e.ctx, agreementID, v.Version, rKherson)
		must(t, err)
		if got.Outcome != truce.OutcomeViolation {
			t.Errorf("judgement under the current agreement = %s, want violation", got.Outcome)
		}
		mustVerify(t, e)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.Incident(e.ctx, "UKR999999")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var incidentOfCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		got, err := e.s.IncidentOf(e.ctx, rVysokoivanivka)
		must(t, err)
		if got != truce.IncidentID(rVysokoivanivka) {
			t.Errorf("IncidentOf = %s, want its own incident", got)
		}
		_, err = e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same")
		must(t, err)
		got, err = e.s.IncidentOf(e.ctx, rVysokoivanivka)
		must(t, err)
		if got != truce.IncidentID(rSloviansk) {
			t.Errorf("IncidentOf after a merge = %s, want %s", got, rSloviansk)
		}
		_, err = e.s.Split(e.ctx, monitor, rVysokoivanivka, "not the same")
		must(t, err)
		got, err = e.s.IncidentOf(e.ctx, rVysokoivanivka)
		must(t, err)
		if got != truce.IncidentID(rVysokoivanivka) {
			t.Errorf("IncidentOf after a split = %s, want its own incident", got)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.IncidentOf(e.ctx, "UKR999999")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

// visibilityFixture stores one published report and unpublished ones
// submitted by UA, by RU and by a monitor.
func visibilityFixture(t *testing.T, e *env) {
	t.Helper()
	rs := scenario()
	mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, byID(rs, rSlobozhanske))
	mustPutReports(t, e, partyUA, truce.PutOptions{SubmittedBy: "UA"}, byID(rs, rKherson))
	mustPutReports(t, e, partyRU, truce.PutOptions{SubmittedBy: "RU"}, byID(rs, rSudzha))
	mustPutReports(t, e, monitor, truce.PutOptions{}, byID(rs, rKharkiv))
}

// filterFixture judges the scenario and moves incidents through the
// workflow: Kherson verified, Sloviansk under review, Kropyvnytskyi
// dismissed.
func filterFixture(t *testing.T, e *env) {
	t.Helper()
	judged(t, e)
	for _, m := range []struct {
		id truce.ReportID
		to []truce.Status
	}{
		{rKherson, []truce.Status{truce.StatusUnderReview, truce.StatusVerified}},
		{rSloviansk, []truce.Status{truce.StatusUnderReview}},
		{rKropyvnytskyi, []truce.Status{truce.StatusDismissed}},
	} {
		for _, to := range m.to {
			_, err := e.s.ChangeStatus(e.ctx, monitor, truce.IncidentID(m.id), to, "review")
			must(t, err)
		}
	}
}

func listIDs(t *testing.T, e *env, f truce.IncidentFilter) []truce.IncidentID {
	t.Helper()
	page, next, err := e.s.Incidents(e.ctx, f)
	must(t, err)
	if next != "" {
		t.Fatalf("Incidents(%+v) returned a next page", f)
	}
	return pageIDs(page)
}

func tp(t time.Time) *time.Time { return &t }

var incidentsCases = []tcase{
	{"Visibility", func(t *testing.T, e *env) {
		visibilityFixture(t, e)
		all := ids(truce.IncidentID(rSlobozhanske), truce.IncidentID(rSudzha), truce.IncidentID(rKherson), truce.IncidentID(rKharkiv))
		for _, tt := range []struct {
			name string
			p    truce.Principal
			want []truce.IncidentID
		}{
			{"admin", admin, all},
			{"monitor", monitor, all},
			{"party UA", partyUA, ids(truce.IncidentID(rSlobozhanske), truce.IncidentID(rKherson))},
			{"party RU", partyRU, ids(truce.IncidentID(rSlobozhanske), truce.IncidentID(rSudzha))},
			{"party US", truce.Principal{TokenID: "tok_us", Role: truce.RoleParty, Party: "US"}, ids(truce.IncidentID(rSlobozhanske))},
			{"observer", observer, ids(truce.IncidentID(rSlobozhanske))},
			{"anonymous", truce.Anonymous, ids(truce.IncidentID(rSlobozhanske))},
			{"system", truce.System, ids(truce.IncidentID(rSlobozhanske))},
		} {
			t.Run(tt.name, func(t *testing.T) {
				equal(t, "Incidents", tt.want, listIDs(t, e, truce.IncidentFilter{Visibility: tt.p}))
			})
		}
		// Publishing makes an incident public.
		_, err := e.s.Publish(e.ctx, monitor, truce.IncidentID(rKharkiv))
		must(t, err)
		equal(t, "public after Publish", ids(truce.IncidentID(rSlobozhanske), truce.IncidentID(rKharkiv)),
			listIDs(t, e, truce.IncidentFilter{Visibility: observer}))
	}},
	{"Filter", func(t *testing.T, e *env) {
		filterFixture(t, e)
		id := func(rs ...truce.ReportID) []truce.IncidentID {
			out := make([]truce.IncidentID, len(rs))
			for i, r := range rs {
				out[i] = truce.IncidentID(r)
			}
			return out
		}
		for _, tt := range []struct {
			name string
			f    truce.IncidentFilter
			want []truce.IncidentID
		}{
			{"none", truce.IncidentFilter{}, id(rSlobozhanske, rSloviansk, rVysokoivanivka, rKropyvnytskyi, rSudzha, rKherson, rKharkiv)},
			{"phase", truce.IncidentFilter{Phase: "energy"}, id(rSlobozhanske, rSudzha, rKherson)},
			{"phase with a hyphen", truce.IncidentFilter{Phase: "black-sea"}, id(rSudzha)},
			{"phase with an underscore", truce.IncidentFilter{Phase: "black_sea"}, id(rVysokoivanivka)},
			{"phase is matched exactly", truce.IncidentFilter{Phase: "Energy"}, nil},
			{"phase prefix", truce.IncidentFilter{Phase: "ener"}, nil},
			{"phase of not-prohibited findings only", truce.IncidentFilter{Phase: "peace"}, nil},
			{"party", truce.IncidentFilter{Party: "UA"}, id(rVysokoivanivka, rSudzha)},
			{"party is matched exactly", truce.IncidentFilter{Party: "ru"}, nil},
			{"party wildcard", truce.IncidentFilter{Party: "%"}, nil},
			{"outcome", truce.IncidentFilter{Outcome: truce.OutcomeViolation}, id(rSlobozhanske, rVysokoivanivka, rKherson)},
			{"outcome not prohibited", truce.IncidentFilter{Outcome: truce.OutcomeNotProhibited}, id(rKropyvnytskyi)},
			{"status", truce.IncidentFilter{Status: truce.StatusUnderReview}, id(rSloviansk)},
			{"status reported", truce.IncidentFilter{Status: truce.StatusReported}, id(rSlobozhanske, rVysokoivanivka, rSudzha, rKharkiv)},
			{"since is inclusive", truce.IncidentFilter{Since: tp(day(21).Add(7 * time.Hour))}, id(rSudzha, rKherson, rKharkiv)},
			{"until is exclusive", truce.IncidentFilter{Until: tp(day(20))}, id(rSlobozhanske, rSloviansk, rVysokoivanivka)},
			{"since and until", truce.IncidentFilter{Since: tp(day(19)), Until: tp(day(24))}, id(rSloviansk, rVysokoivanivka, rKropyvnytskyi, rSudzha)},
			{"phase, party and outcome", truce.IncidentFilter{Phase: "energy", Party: "RU", Outcome: truce.OutcomeViolation}, id(rSlobozhanske, rKherson)},
			{"bbox: eastern Ukraine", truce.IncidentFilter{Within: &geo.BBox{MinLon: 35, MinLat: 48, MaxLon: 40, MaxLat: 52}}, id(rSlobozhanske, rSloviansk, rVysokoivanivka, rSudzha, rKharkiv)},
			{"bbox and status", truce.IncidentFilter{Within: &geo.BBox{MinLon: 30, MinLat: 46, MaxLon: 40, MaxLat: 52}, Status: truce.StatusVerified}, id(rKherson)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.Visibility = admin
				equal(t, "Incidents", tt.want, listIDs(t, e, tt.f))
			})
		}
	}},
	{"BBox", func(t *testing.T, e *env) {
		// The box is in degrees of longitude and latitude, edges included,
		// as geo.BBox.Contains: not a geodesic polygon.
		box := geo.BBox{MinLon: 30, MinLat: 46, MaxLon: 40, MaxLat: 52}
		const eps = 1e-9
		points := []struct {
			name string
			p    geo.Point
		}{
			{"sw corner", geo.Point{Lon: 30, Lat: 46}},
			{"ne corner", geo.Point{Lon: 40, Lat: 52}},
			{"nw corner", geo.Point{Lon: 30, Lat: 52}},
			{"south edge middle", geo.Point{Lon: 35, Lat: 46}},
			{"north edge middle", geo.Point{Lon: 35, Lat: 52}},
			{"west edge", geo.Point{Lon: 30, Lat: 49}},
			{"inside", geo.Point{Lon: 35, Lat: 49}},
			{"just west", geo.Point{Lon: 30 - eps, Lat: 49}},
			{"just east", geo.Point{Lon: 40 + eps, Lat: 49}},
			{"just south of the middle", geo.Point{Lon: 35, Lat: 46 - eps}},
			{"just north of the middle", geo.Point{Lon: 35, Lat: 52 + eps}},
			{"north of the middle, inside the geodesic bulge", geo.Point{Lon: 35, Lat: 52.3}},
			{"far away", geo.Point{Lon: -73.98, Lat: 40.75}},
			{"antimeridian", geo.Point{Lon: 180, Lat: 50}},
		}
		base := scenario()[0]
		var rs []*truce.Report
		for i, pt := range points {
			r := *base
			r.ID, r.Location, r.Place = truce.ReportID(fmt.Sprintf("bbox:%02d", i)), pt.p, pt.name
			rs = append(rs, &r)
		}
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, rs...)
		brute := func(b geo.BBox) []truce.IncidentID {
			var out []truce.IncidentID
			for _, r := range rs {
				if b.Contains(r.Location) {
					out = append(out, truce.IncidentID(r.ID))
				}
			}
			return out
		}
		for _, tt := range []struct {
			name string
			b    geo.BBox
		}{
			{"box", box},
			{"point box", geo.BBox{MinLon: 35, MinLat: 49, MaxLon: 35, MaxLat: 49}},
			{"edge line", geo.BBox{MinLon: 30, MinLat: 40, MaxLon: 30, MaxLat: 60}},
			{"empty: min lon above max lon", geo.BBox{MinLon: 40, MinLat: 46, MaxLon: 30, MaxLat: 52}},
			{"world", geo.BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}},
			{"antimeridian edge", geo.BBox{MinLon: 179, MinLat: 49, MaxLon: 180, MaxLat: 51}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				b := tt.b
				want := brute(b)
				equal(t, fmt.Sprintf("Incidents(Within %+v)", b), want, listIDs(t, e, truce.IncidentFilter{Visibility: observer, Within: &b}))
			})
		}
		if n := len(brute(box)); n != 7 {
			t.Fatalf("fixture: %d points in the box, want 7", n)
		}
	}},
	{"Paging", func(t *testing.T, e *env) {
		// 23 incidents over 3 days, most sharing a start time: pages must
		// neither skip nor repeat an incident.
		base := scenario()[1]
		var want []truce.IncidentID
		var rs []*truce.Report
		for d := 0; d < 3; d++ {
			for i := 0; i < 8; i++ {
				if d == 2 && i == 7 {
					break
				}
				r := *base
				r.ID = truce.ReportID(fmt.Sprintf("viina_incidents_202503.csv:%d%c", 31+d, "aBcD_e-f"[i]))
				r.Start, r.End = day(19+d), day(20+d)
				rs = append(rs, &r)
			}
		}
		// Put them in reverse so that insertion order is not the answer.
		for i := len(rs) - 1; i >= 0; i-- {
			mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, rs[i])
		}
		want = listIDs(t, e, truce.IncidentFilter{Visibility: observer})
		if len(want) != len(rs) {
			t.Fatalf("listed %d incidents, want %d", len(want), len(rs))
		}
		for _, limit := range []int{1, 5, 7, 8, 22, 23} {
			t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
				var got []truce.IncidentID
				after := ""
				for pages := 0; ; pages++ {
					if pages > len(rs) {
						t.Fatal("paging does not end")
					}
					page, next, err := e.s.Incidents(e.ctx, truce.IncidentFilter{Visibility: observer, Limit: limit, After: after})
					must(t, err)
					if len(page) > limit {
						t.Fatalf("page of %d incidents, limit %d", len(page), limit)
					}
					got = append(got, pageIDs(page)...)
					if next == "" {
						break
					}
					after = next
				}
				equal(t, "pages joined", want, got)
			})
		}
		// Sorted by start, then by id.
		for i := 1; i < len(want); i++ {
			a, b := mustIncident(t, e, truce.ReportID(want[i-1])), mustIncident(t, e, truce.ReportID(want[i]))
			if a.Start.After(b.Start) || (a.Start.Equal(b.Start) && a.ID >= b.ID) {
				t.Errorf("incidents %s (%s) and %s (%s) out of order", a.ID, a.Start, b.ID, b.Start)
			}
		}
		// The cursor works with filters too.
		page, next, err := e.s.Incidents(e.ctx, truce.IncidentFilter{Visibility: observer, Since: tp(day(20)), Limit: 3})
		must(t, err)
		page2, _, err := e.s.Incidents(e.ctx, truce.IncidentFilter{Visibility: observer, Since: tp(day(20)), Limit: 3, After: next})
		must(t, err)
		equal(t, "filtered pages", want[8:14], append(pageIDs(page), pageIDs(page2)...))
	}},
	{"BadCursor", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, scenario()...)
		for _, c := range []string{"!!!", "bm90IGEgY3Vyc29y", base64.RawURLEncoding.EncodeToString([]byte("x|y")), "%%%", " "} {
			_, _, err := e.s.Incidents(e.ctx, truce.IncidentFilter{Visibility: admin, After: c})
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("Incidents(After %q) = %v, want EINVALID", c, err)
			}
		}
	}},
	{"Merged", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, scenario()...)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same")
		must(t, err)
		got := listIDs(t, e, truce.IncidentFilter{Visibility: admin})
		for _, id := range got {
			if id == truce.IncidentID(rVysokoivanivka) {
				t.Errorf("Incidents lists the merged-away incident %s", id)
			}
		}
		if len(got) != 6 {
			t.Errorf("Incidents = %v, want 6 incidents", got)
		}
	}},
}
