package storetest

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
)

var putReportsCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		rs := scenario()
		if n := mustPutReports(t, e, truce.System, truce.PutOptions{}, rs...); n != len(rs) {
			t.Fatalf("added = %d, want %d", n, len(rs))
		}
		if n := logSize(t, e); n != int64(len(rs)) {
			t.Fatalf("LogSize = %d, want one record per report (%d)", n, len(rs))
		}
		for i, r := range rs {
			got, err := e.s.Report(e.ctx, r.ID)
			must(t, err)
			equal(t, "Report "+string(r.ID), r, got)

			// Every report opens an incident of its own, with the same id.
			in := mustIncident(t, e, r.ID)
			want := truce.IncidentSummary{
				Incident: truce.Incident{ID: truce.IncidentID(r.ID), Status: truce.StatusReported,
					Reports: []truce.ReportID{r.ID}, CreatedAt: T0, UpdatedAt: T0},
				Start: r.Start, Location: r.Location,
			}
			equal(t, "Incident "+string(r.ID), &want, in)

			// Its record is report number i, and its created event points at it.
			data, err := e.s.LogRecord(e.ctx, int64(i))
			must(t, err)
			rec, err := ledger.DecodeRecord(data)
			must(t, err)
			wantRec, err := ledger.ReportRecord(truce.System, T0, r, truce.PutOptions{})
			must(t, err)
			wantData, err := wantRec.Bytes()
			must(t, err)
			if string(data) != string(wantData) {
				t.Errorf("LogRecord(%d) = %s\nwant %s", i, data, wantData)
			}
			if rec.Kind != ledger.KindReport || rec.Subject != string(r.ID) {
				t.Errorf("LogRecord(%d) is %s %s, want %s %s", i, rec.Kind, rec.Subject, ledger.KindReport, r.ID)
			}
			evs, err := e.s.Events(e.ctx, truce.IncidentID(r.ID))
			must(t, err)
			equal(t, "Events "+string(r.ID), []truce.Event{{Incident: truce.IncidentID(r.ID), At: T0, Actor: "system",
				Kind: truce.EventCreated, To: truce.StatusReported, LogIndex: int64(i)}}, evs,
				cmpIgnoreEventID)
		}
	}},
	{"Dedup", func(t *testing.T, e *env) {
		rs := scenario()
		mustPutReports(t, e, truce.System, truce.PutOptions{}, rs[:3]...)
		size := logSize(t, e)
		if n := mustPutReports(t, e, truce.System, truce.PutOptions{}, rs[:3]...); n != 0 {
			t.Errorf("added = %d putting the same reports again, want 0", n)
		}
		if got := logSize(t, e); got != size {
			t.Errorf("LogSize = %d after putting stored reports again, want %d", got, size)
		}
		// A stored report is left unchanged even if the new copy differs.
		changed := *rs[0]
		changed.Text = "edited"
		// A batch of old and new reports, with a new one twice.
		n := mustPutReports(t, e, truce.System, truce.PutOptions{}, &changed, rs[3], rs[1], rs[4], rs[3])
		if n != 2 {
			t.Errorf("added = %d, want 2 (%s and %s)", n, rs[3].ID, rs[4].ID)
		}
		if got := logSize(t, e); got != size+2 {
			t.Errorf("LogSize = %d, want %d", got, size+2)
		}
		got, err := e.s.Report(e.ctx, rs[0].ID)
		must(t, err)
		if got.Text != rs[0].Text {
			t.Errorf("Report(%s).Text = %q after a second put, want the first %q", rs[0].ID, got.Text, rs[0].Text)
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		for _, tt := range []struct {
			name string
			edit func(r *truce.Report)
		}{
			{"no id", func(r *truce.Report) { r.ID = "" }},
			{"no source", func(r *truce.Report) { r.Source = "" }},
			{"no time", func(r *truce.Report) { r.Start = time.Time{} }},
			{"end before start", func(r *truce.Report) { r.End = r.Start.Add(-time.Hour) }},
			{"empty interval", func(r *truce.Report) { r.End = r.Start }},
			{"longitude out of range", func(r *truce.Report) { r.Location.Lon = 180.5 }},
			{"latitude NaN", func(r *truce.Report) { r.Location.Lat = math.NaN() }},
			{"negative location precision", func(r *truce.Report) { r.LocationPrecisionMeters = -1 }},
			{"unknown action", func(r *truce.Report) { r.Actions = []truce.Action{"bombardment"} }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				rs := scenario()
				bad := *rs[1]
				bad.ID = "bad:" + truce.ReportID(tt.name)
				tt.edit(&bad)
				before := logSize(t, e)
				n, err := e.s.PutReports(e.ctx, truce.System, []*truce.Report{rs[0], &bad, rs[2]}, truce.PutOptions{})
				wantCode(t, err, truce.EINVALID)
				if n != 0 {
					t.Errorf("added = %d with an error, want 0", n)
				}
				if _, err := e.s.Report(e.ctx, rs[0].ID); truce.ErrorCode(err) != truce.ENOTFOUND {
					t.Errorf("Report(%s) after a failed batch: err = %v, want ENOTFOUND", rs[0].ID, err)
				}
				if _, err := e.s.Incident(e.ctx, truce.IncidentID(rs[0].ID)); truce.ErrorCode(err) != truce.ENOTFOUND {
					t.Errorf("Incident(%s) after a failed batch: err = %v, want ENOTFOUND", rs[0].ID, err)
				}
				if got := logSize(t, e); got != before {
					t.Errorf("LogSize = %d after a failed batch, want %d", got, before)
				}
			})
		}
	}},
	{"Empty", func(t *testing.T, e *env) {
		n, err := e.s.PutReports(e.ctx, truce.System, nil, truce.PutOptions{})
		must(t, err)
		if n != 0 || logSize(t, e) != 0 {
			t.Errorf("PutReports(nil) = %d, log size %d; want 0, 0", n, logSize(t, e))
		}
	}},
	{"Published", func(t *testing.T, e *env) {
		rs := scenario()
		mustPutReports(t, e, monitor, truce.PutOptions{Published: true}, rs[0])
		in := mustIncident(t, e, rs[0].ID)
		if !in.Published || in.SubmittedBy != "" {
			t.Errorf("incident published=%v submitted_by=%q, want true, \"\"", in.Published, in.SubmittedBy)
		}
		page, _, err := e.s.Incidents(e.ctx, truce.IncidentFilter{Visibility: truce.Anonymous})
		must(t, err)
		equal(t, "public incidents", ids(truce.IncidentID(rs[0].ID)), pageIDs(page))
		data, err := e.s.LogRecord(e.ctx, 0)
		must(t, err)
		want, err := ledger.ReportRecord(monitor, T0, rs[0], truce.PutOptions{Published: true})
		must(t, err)
		wantData, err := want.Bytes()
		must(t, err)
		if string(data) != string(wantData) {
			t.Errorf("record = %s\nwant %s", data, wantData)
		}
	}},
	{"SubmittedBy", func(t *testing.T, e *env) {
		rs := scenario()
		r := byID(rs, rKherson)
		mustPutReports(t, e, partyUA, truce.PutOptions{SubmittedBy: "UA"}, r)
		in := mustIncident(t, e, r.ID)
		if in.Published || in.SubmittedBy != "UA" {
			t.Errorf("incident published=%v submitted_by=%q, want false, UA", in.Published, in.SubmittedBy)
		}
		evs, err := e.s.Events(e.ctx, in.ID)
		must(t, err)
		if len(evs) != 1 || evs[0].Actor != "party:UA:tok_ua" {
			t.Errorf("events = %+v, want one created event by party:UA:tok_ua", evs)
		}
		data, err := e.s.LogRecord(e.ctx, 0)
		must(t, err)
		rec, err := ledger.DecodeRecord(data)
		must(t, err)
		if rec.Actor != "party:UA:tok_ua" || !contains(string(rec.Body), `"submitted_by":"UA"`) {
			t.Errorf("record = %s, want actor party:UA:tok_ua and submitted_by UA", data)
		}
	}},
	{"Bulk", func(t *testing.T, e *env) {
		// Enough reports to take a backend's bulk path (COPY, batches)
		// and to fill a page of the maximum size.
		const n, more = 1001, 100
		rs := make([]*truce.Report, n)
		for i := range rs {
			r := viina(truce.ReportID(fmt.Sprintf("viina_incidents_202503.csv:%d", 5000+i)), 5000+i, 18+i%11,
				30+float64(i%100)/10, 45+float64(i/100)/3, "", "uav", fmt.Sprintf("report %d", i))
			rs[i] = r
		}
		if got := mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, rs...); got != n {
			t.Fatalf("added = %d, want %d", got, n)
		}
		// Old and new reports interleaved.
		var batch []*truce.Report
		for i := range more {
			batch = append(batch, rs[i*7], viina(truce.ReportID(fmt.Sprintf("viina_incidents_202504.csv:%d", 2+i)), 2+i, 27, 31, 47, "", "", "april"))
		}
		if got := mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, batch...); got != more {
			t.Fatalf("added = %d, want %d", got, more)
		}
		if got := logSize(t, e); got != n+more {
			t.Fatalf("LogSize = %d, want %d", got, n+more)
		}
		// The log verifies. (VerifyRows is left to the smaller tests: it
		// reads every row, and this test is about the bulk write path.)
		_, vk, err := e.s.LogKey(e.ctx)
		must(t, err)
		src, done, err := e.s.LogSource(e.ctx)
		must(t, err)
		rep, err := ledger.Verify(e.ctx, src, vk)
		done()
		must(t, err)
		if rep.Records != n+more || rep.Unsigned != 0 {
			t.Errorf("verify: %d records, %d unsigned; want %d, 0", rep.Records, rep.Unsigned, n+more)
		}
		// The new reports' records follow batch order.
		for i := range more {
			data, err := e.s.LogRecord(e.ctx, int64(n+i))
			must(t, err)
			rec, err := ledger.DecodeRecord(data)
			must(t, err)
			if want := batch[2*i+1].ID; rec.Subject != string(want) {
				t.Fatalf("record %d is about %s, want %s", n+i, rec.Subject, want)
			}
		}
		got, err := e.s.Report(e.ctx, rs[777].ID)
		must(t, err)
		equal(t, "Report", rs[777], got)
		// The 1,000-incident page limit.
		page, next, err := e.s.Incidents(e.ctx, truce.IncidentFilter{Visibility: admin, Limit: 5000})
		must(t, err)
		if len(page) != 1000 || next == "" {
			t.Errorf("Incidents(Limit 5000) = %d incidents, next %q; want 1000 and a cursor", len(page), next)
		}
		page, _, err = e.s.Incidents(e.ctx, truce.IncidentFilter{Visibility: admin})
		must(t, err)
		if len(page) != 100 {
			t.Errorf("Incidents(Limit 0) = %d incidents, want the default 100", len(page))
		}
	}},
}

var reportCases = []tcase{
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.Report(e.ctx, "UKR000000")
		wantCode(t, err, truce.ENOTFOUND)
	}},
	{"RoundTrip", func(t *testing.T, e *env) {
		// Every field, nanosecond times, several actions, text that needs
		// escaping: what is stored is what comes back.
		r := &truce.Report{
			ID: "ACLED:UKR215487", Source: "acled", SourceID: "UKR215487", Outlet: "Ukrainska Pravda; Suspilne",
			File: "acled_2025-03.csv", Line: 17,
			Original: "UKR215487,25 March 2025,\"Kryvyi Rih\"\n\"quoted\" \\ back\tslash",
			Start:    time.Date(2025, 3, 25, 3, 14, 15, 926535897, time.UTC), End: time.Date(2025, 3, 25, 3, 14, 16, 0, time.UTC),
			Precision: truce.PrecisionExact, Location: geo.Point{Lon: 33.391781, Lat: 47.910483}, LocationPrecisionMeters: 12.5,
			Place: "Кривий Ріг", Actor1: "Military Forces of Russia (2000-)", Actor2: "Civilians (Ukraine)", Perpetrator: "RU",
			Actions:   []truce.Action{truce.ActionMissileAttack, truce.ActionDroneAttack, truce.ActionShelling},
			EventType: "Explosions/Remote violence|Air/drone strike", Category: "energy.power_plant.thermal", Site: "UKR0000777",
			Text: "Ракетний удар по ТЕЦ — 🚀 <b>&amp;</b> \u2028", Fatalities: 3,
		}
		mustPutReports(t, e, truce.System, truce.PutOptions{}, r)
		got, err := e.s.Report(e.ctx, r.ID)
		must(t, err)
		equal(t, "Report", r, got)
		mustVerify(t, e)
	}},
}

var reportsCases = []tcase{
	{"Order", func(t *testing.T, e *env) {
		// Equal start times are ordered by id, byte by byte (upper case
		// before lower case, '-' before '_').
		base := scenario()[1]
		var rs []*truce.Report
		for _, id := range []truce.ReportID{"viina:b", "viina:B", "viina:a_1", "viina:a-1", "viina:a", "Viina:z"} {
			r := *base
			r.ID = id
			rs = append(rs, &r)
		}
		early := *base
		early.ID, early.Start = "zzz-early", base.Start.Add(-time.Second)
		rs = append(rs, &early)
		mustPutReports(t, e, truce.System, truce.PutOptions{}, rs...)
		var got []truce.ReportID
		must(t, e.s.Reports(e.ctx, truce.ReportFilter{}, func(r *truce.Report) error {
			got = append(got, r.ID)
			return nil
		}))
		equal(t, "Reports order", ids[truce.ReportID]("zzz-early", "Viina:z", "viina:B", "viina:a", "viina:a-1", "viina:a_1", "viina:b"), got)
	}},
	{"Filter", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		since, until := day(19), day(21)
		for _, tt := range []struct {
			name string
			f    truce.ReportFilter
			want []truce.ReportID
		}{
			{"all", truce.ReportFilter{}, ids(rSlobozhanske, rSloviansk, rVysokoivanivka, rKropyvnytskyi, rSudzha, rKherson, rKharkiv)},
			{"since is inclusive", truce.ReportFilter{Since: &since}, ids(rSloviansk, rVysokoivanivka, rKropyvnytskyi, rSudzha, rKherson, rKharkiv)},
			{"until is exclusive", truce.ReportFilter{Until: &until}, ids(rSlobozhanske, rSloviansk, rVysokoivanivka, rKropyvnytskyi)},
			{"both", truce.ReportFilter{Since: &since, Until: &until}, ids(rSloviansk, rVysokoivanivka, rKropyvnytskyi)},
			{"empty range", truce.ReportFilter{Since: &until, Until: &since}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got []truce.ReportID
				must(t, e.s.Reports(e.ctx, tt.f, func(r *truce.Report) error {
					got = append(got, r.ID)
					return nil
				}))
				equal(t, "Reports", tt.want, got)
			})
		}
	}},
	{"Incident", func(t *testing.T, e *env) {
		// The reports of one incident, after a merge, with and without
		// their judgements.
		judged(t, e)
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same explosions")
		must(t, err)
		f := truce.ReportFilter{Incidents: ids(truce.IncidentID(rSloviansk))}
		var got []truce.ReportID
		must(t, e.s.Reports(e.ctx, f, func(r *truce.Report) error {
			got = append(got, r.ID)
			return nil
		}))
		equal(t, "Reports of the merged incident", ids(rSloviansk, rVysokoivanivka), got)
		got = nil
		must(t, e.s.Judgements(e.ctx, agreementID, 1, f, func(r *truce.Report, j *truce.Judgement) error {
			if j.Report != r.ID {
				t.Errorf("judgement of %s given with report %s", j.Report, r.ID)
			}
			got = append(got, r.ID)
			return nil
		}))
		equal(t, "Judgements of the merged incident", ids(rSloviansk, rVysokoivanivka), got)
		got = nil
		must(t, e.s.Reports(e.ctx, truce.ReportFilter{Incidents: ids(truce.IncidentID(rVysokoivanivka))}, func(r *truce.Report) error {
			got = append(got, r.ID)
			return nil
		}))
		equal(t, "Reports of the merged-away incident", []truce.ReportID(nil), got)
		got = nil
		must(t, e.s.Reports(e.ctx, truce.ReportFilter{Incidents: ids(truce.IncidentID(rKharkiv), truce.IncidentID(rSloviansk), "nonexistent")}, func(r *truce.Report) error {
			got = append(got, r.ID)
			return nil
		}))
		equal(t, "Reports of three incidents", ids(rSloviansk, rVysokoivanivka, rKharkiv), got)
	}},
	{"Visible", func(t *testing.T, e *env) {
		// Reports are visible as their incidents are (IncidentFilter.Visibility).
		visibilityFixture(t, e)
		// A second RU submission merged into RU's first (a merge keeps to
		// one audience, truce.CanMerge), which a monitor then publishes:
		// the report follows its incident, not the merged-away one it
		// was submitted as.
		mustPutReports(t, e, partyRU, truce.PutOptions{SubmittedBy: "RU"}, byID(scenario(), rSloviansk))
		_, err := e.s.Merge(e.ctx, monitor, truce.IncidentID(rSudzha), truce.IncidentID(rSloviansk), "same")
		must(t, err)
		_, err = e.s.Publish(e.ctx, monitor, truce.IncidentID(rSudzha))
		must(t, err)
		all := ids(rSlobozhanske, rSloviansk, rSudzha, rKherson, rKharkiv)
		public := ids(rSlobozhanske, rSloviansk, rSudzha)
		for _, tt := range []struct {
			name string
			p    *truce.Principal
			want []truce.ReportID
		}{
			{"no principal", nil, all},
			{"admin", &admin, all},
			{"monitor", &monitor, all},
			{"party UA", &partyUA, ids(rSlobozhanske, rSloviansk, rSudzha, rKherson)},
			{"party RU", &partyRU, ids(rSlobozhanske, rSloviansk, rSudzha)},
			{"observer", &observer, public},
			{"anonymous", &truce.Anonymous, public},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got []truce.ReportID
				must(t, e.s.Reports(e.ctx, truce.ReportFilter{Visible: tt.p}, func(r *truce.Report) error {
					got = append(got, r.ID)
					return nil
				}))
				equal(t, "Reports", tt.want, got)
			})
		}
		since := day(20)
		var got []truce.ReportID
		must(t, e.s.Reports(e.ctx, truce.ReportFilter{Since: &since, Visible: &partyRU}, func(r *truce.Report) error {
			got = append(got, r.ID)
			return nil
		}))
		equal(t, "Reports(since, visible to RU)", ids(rSudzha), got)
	}},
	{"StopOnError", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{}, scenario()...)
		stop := errors.New("enough")
		calls := 0
		err := e.s.Reports(e.ctx, truce.ReportFilter{}, func(*truce.Report) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("Reports = %v after %d calls, want fn's error after 1 call", err, calls)
		}
	}},
}

var putSitesCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ss := sites()
		n, err := e.s.PutSites(e.ctx, ss)
		must(t, err)
		if n != 2 {
			t.Errorf("added = %d, want 2", n)
		}
		// Sites are reference data that verdicts depend on: each is logged.
		if logSize(t, e) != 2 {
			t.Errorf("LogSize = %d, want a record per site", logSize(t, e))
		}
		for i := range ss {
			rec := mustRecord(t, e, int64(i))
			if rec.Kind != ledger.KindSiteAdded || rec.Subject != string(ss[i].ID) {
				t.Errorf("record %d is %s %s, want %s %s", i, rec.Kind, rec.Subject, ledger.KindSiteAdded, ss[i].ID)
			}
		}
		_, rc := mustVerify(t, e)
		if rc.Sites != 2 {
			t.Errorf("VerifyRows checked %d sites, want 2", rc.Sites)
		}
	}},
	{"Dedup", func(t *testing.T, e *env) {
		ss := sites()
		_, err := e.s.PutSites(e.ctx, ss[:1])
		must(t, err)
		changed := *ss[0]
		changed.Name = "renamed"
		n, err := e.s.PutSites(e.ctx, []*truce.Site{&changed, ss[1], ss[1]})
		must(t, err)
		if n != 1 {
			t.Errorf("added = %d, want 1", n)
		}
		got, err := e.s.Sites(e.ctx)
		must(t, err)
		if len(got) != 2 || got[1].Name != ss[0].Name {
			t.Errorf("Sites = %+v, want the first copy of %s kept", got, ss[0].ID)
		}
		if c, err := e.s.SiteCount(e.ctx); err != nil || c != 2 {
			t.Errorf("SiteCount = %d, %v; want 2", c, err)
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		ss := sites()
		for _, bad := range []*truce.Site{{ID: "", Location: geo.Point{Lon: 30, Lat: 50}}, {ID: "X", Location: geo.Point{Lon: 30, Lat: 91}}} {
			n, err := e.s.PutSites(e.ctx, []*truce.Site{ss[0], bad})
			wantCode(t, err, truce.EINVALID)
			if n != 0 {
				t.Errorf("added = %d with an error, want 0", n)
			}
		}
		got, err := e.s.Sites(e.ctx)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("Sites = %+v after failed puts, want none", got)
		}
	}},
}

var sitesCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		ss := sites()
		_, err := e.s.PutSites(e.ctx, ss)
		must(t, err)
		got, err := e.s.Sites(e.ctx)
		must(t, err)
		// Ordered by id.
		equal(t, "Sites", []truce.Site{*ss[1], *ss[0]}, got)
	}},
	{"Empty", func(t *testing.T, e *env) {
		got, err := e.s.Sites(e.ctx)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("Sites = %+v, want none", got)
		}
	}},
}
