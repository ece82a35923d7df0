package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
)

const smallAgreement = "../../internal/httpapi/testdata/small.yaml"

// readers are the principals whose view grouping must not change.
var readers = []truce.Principal{
	truce.Anonymous,
	{TokenID: "tok_obs", Role: truce.RoleObserver},
	{TokenID: "tok_ua", Role: truce.RoleParty, Party: "UA"},
	{TokenID: "tok_ru", Role: truce.RoleParty, Party: "RU"},
	{TokenID: "tok_mon", Role: truce.RoleMonitor},
}

// readable says whether p may read in, as the API decides.
func readable(p truce.Principal, in *truce.Incident) bool {
	if p.Role == truce.RoleMonitor || p.Role == truce.RoleAdmin {
		return true
	}
	a := in.Audience()
	return a.Public || (p.Role == truce.RoleParty && a.Party == p.Party)
}

// readerView lists the reports p can read, and fails the test if a
// history p can read names an incident p cannot read (issue 12: an
// emptied published incident showed "merged_into" RU's unpublished id).
func readerView(t *testing.T, st truce.Store, p truce.Principal) []truce.ReportID {
	t.Helper()
	ctx := context.Background()
	var out []truce.ReportID
	if err := st.Reports(ctx, truce.ReportFilter{Visible: &p}, func(r *truce.Report) error {
		out = append(out, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	page, _, err := st.Incidents(ctx, truce.IncidentFilter{Visibility: p, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range page {
		evs, err := st.Events(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Other == "" {
				continue
			}
			other, err := st.Incident(ctx, ev.Other)
			if err != nil {
				t.Fatal(err)
			}
			if !readable(p, &other.Incident) {
				t.Errorf("%s reads incident %s, whose %s event names %s, which it may not read", p, in.ID, ev.Kind, ev.Other)
			}
		}
	}
	return out
}

// TestAdjudicateGroupsWithinAudiences is issue 12's item 2 on both stores:
// reports of one strike submitted by UA and by RU (unpublished), reported
// by a monitor (unpublished) and published by the bulk import. truce
// adjudicate groups each audience's reports into one incident and never
// one audience's with another's, so what each role reads is what it read
// before: UA's report does not become public, and the published one does
// not vanish into RU's unpublished incident.
func TestAdjudicateGroupsWithinAudiences(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			db := d.db(t)
			ctx := context.Background()
			st, err := openStore(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Date(2025, 3, 28, 1, 0, 0, 0, time.UTC)
			n := 0
			strike := func(id string) *truce.Report {
				n++
				start := t0.Add(time.Duration(n) * 5 * time.Minute)
				return &truce.Report{ID: truce.ReportID(id), Source: "truce", Outlet: id, Start: start, End: start.Add(time.Minute),
					Precision: truce.PrecisionMinute, Location: geo.Point{Lon: 36.1, Lat: 49.97 + float64(n)*0.001},
					Text: "Explosions at the substation, power is out"}
			}
			// Interleaved in time, so that a grouping blind to audiences
			// would chain them all into the earliest report's incident.
			for _, s := range []struct {
				by  truce.Principal
				opt truce.PutOptions
				id  string
			}{
				{truce.Principal{TokenID: "tok_ru", Role: truce.RoleParty, Party: "RU"}, truce.PutOptions{SubmittedBy: "RU"}, "api-RU-1"},
				{truce.System, truce.PutOptions{Published: true}, "pub-1"},
				{truce.Principal{TokenID: "tok_ua", Role: truce.RoleParty, Party: "UA"}, truce.PutOptions{SubmittedBy: "UA"}, "api-UA-1"},
				{truce.Principal{TokenID: "tok_mon", Role: truce.RoleMonitor}, truce.PutOptions{}, "mon-1"},
				{truce.System, truce.PutOptions{Published: true}, "pub-2"},
				{truce.Principal{TokenID: "tok_ua", Role: truce.RoleParty, Party: "UA"}, truce.PutOptions{SubmittedBy: "UA"}, "api-UA-2"},
				{truce.Principal{TokenID: "tok_ru", Role: truce.RoleParty, Party: "RU"}, truce.PutOptions{SubmittedBy: "RU"}, "api-RU-2"},
				{truce.Principal{TokenID: "tok_mon", Role: truce.RoleMonitor}, truce.PutOptions{}, "mon-2"},
			} {
				if _, err := st.PutReports(ctx, s.by, []*truce.Report{strike(s.id)}, s.opt); err != nil {
					t.Fatal(err)
				}
			}
			before := map[truce.Principal][]truce.ReportID{}
			for _, p := range readers {
				before[p] = readerView(t, st, p)
			}
			st.Close()

			_, errs := mustRun(t, "adjudicate", "--db", db, "--agreement", smallAgreement)
			if !strings.Contains(errs, "4 incidents merged") {
				t.Errorf("adjudicate: %s", errs)
			}
			st, err = openStore(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for _, p := range readers {
				if diff := cmp.Diff(before[p], readerView(t, st, p)); diff != "" {
					t.Errorf("%s's reports changed (-before +after):\n%s", p, diff)
				}
			}
			for _, want := range [][]truce.ReportID{{"api-RU-1", "api-RU-2"}, {"pub-1", "pub-2"}, {"api-UA-1", "api-UA-2"}, {"mon-1", "mon-2"}} {
				in, err := st.Incident(ctx, truce.IncidentID(want[0]))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(in.Reports, want) {
					t.Errorf("incident %s holds %v, want %v", in.ID, in.Reports, want)
				}
			}
		})
	}
}

// TestAdjudicateAgainAfterAnotherAgreement is issue 12's item 11: after
// another agreement id was adjudicated, truce adjudicate on the first one
// again (its bundle unchanged) left the incident list on one agreement
// and the reports' judgements (read under the latest stored agreement)
// on the other. Both now follow the agreement adjudicated last.
func TestAdjudicateAgainAfterAnotherAgreement(t *testing.T) {
	small, err := os.ReadFile(smallAgreement)
	if err != nil {
		t.Fatal(err)
	}
	// The same text, another id, its moratorium two winters earlier: the
	// March 2025 strikes are not prohibited under it.
	other := strings.NewReplacer("id: energy-ceasefire-2025", "id: energy-draft-winter-2022",
		"start: {at: 2025-03-18}", "start: {at: 2022-11-15}", "end: 2025-04-17", "end: 2023-03-01").Replace(string(small))
	if other == string(small) || !strings.Contains(other, "2022-11-15") {
		t.Fatal("the other agreement is the same text")
	}
	otherPath := mustWriteFile(t, t.TempDir(), "other.yaml", other)
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			db := d.db(t)
			mustRun(t, "import", "--db", db, "testdata/acled_sample.csv")
			mustRun(t, "adjudicate", "--db", db, "--agreement", smallAgreement)
			check := func(step string, wantID truce.AgreementID, want truce.Outcome) {
				t.Helper()
				ctx := context.Background()
				st, err := openStore(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				v, err := st.LatestAgreement(ctx, "")
				if err != nil {
					t.Fatal(err)
				}
				in, err := st.Incident(ctx, "UKR200101")
				if err != nil {
					t.Fatal(err)
				}
				j, err := st.Judgement(ctx, v.ID, v.Version, "UKR200101")
				if err != nil {
					t.Fatal(err)
				}
				got := fmt.Sprintf("current %s, incident %s, judgement %s", v.ID, in.Outcome, j.Outcome)
				if w := fmt.Sprintf("current %s, incident %s, judgement %s", wantID, want, want); got != w {
					t.Errorf("%s: %s; want %s", step, got, w)
				}
			}
			check("first adjudication", "energy-ceasefire-2025", truce.OutcomeViolation)
			mustRun(t, "adjudicate", "--db", db, "--agreement", otherPath)
			check("the other agreement", "energy-draft-winter-2022", truce.OutcomeNotProhibited)
			_, errs := mustRun(t, "adjudicate", "--db", db, "--agreement", smallAgreement)
			if !strings.Contains(errs, "version 1 (unchanged") {
				t.Errorf("adjudicating the same agreement again: %s", errs)
			}
			check("the first agreement again", "energy-ceasefire-2025", truce.OutcomeViolation)
			out, _ := mustRun(t, "report", "--db", db, "--format", "md")
			if !strings.Contains(out, "energy-ceasefire-2025") {
				t.Errorf("truce report does not report on the agreement adjudicated last:\n%.400s", out)
			}
			mustRun(t, "log", "verify", "--db", db)
		})
	}
}
