package adjudicate_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/adjudicate"
)

// TestTimeline is issue 15's timeline per reading on the release fixture:
// a Russian violation not verified (24 March), Ukraine's verified breach
// (25 March), Russia released under its own reading and its act of 28
// March judged released there; under Ukraine's reading the clause on
// c-ua (any violation, a day's delay) frees Ukraine from 25 March 10:01.
func TestTimeline(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/release.yaml"), nil)
	type step struct {
		r        *truce.Report
		incident truce.IncidentID
		status   truce.Status
	}
	steps := []step{
		{strike("ru-24", "RU", 31.5, 51.5, at(2025, 3, 24, 10, 0)), "inc-ru-24", truce.StatusReported},
		{strike("ua-25", "UA", 35, 50, at(2025, 3, 25, 9, 0)), "inc-ua-25", truce.StatusVerified},
		{strike("ru-28", "RU", 31.5, 51.5, at(2025, 3, 28, 10, 0)), "inc-ru-28", truce.StatusReported},
		{strike("ua-dis", "UA", 35, 50, at(2025, 3, 20, 9, 0)), "inc-ua-dis", truce.StatusDismissed},
	}
	// Judge in time order, as the pipeline does, each knowing the
	// breaches before it.
	var breaches []truce.Breach
	var acts []adjudicate.Act
	for _, s := range steps {
		jd := j.JudgeWith(s.r, breaches)
		breaches = append(breaches, j.Breaches(s.r, &jd, s.incident, s.status)...)
		acts = append(acts, adjudicate.ActsOf(s.r, &jd, s.incident, s.status)...)
	}
	tl := j.Timeline(acts)
	if tl.Agreement != "release" || len(tl.Readings) != 3 || tl.Readings[0].Name != "energy, reading of RU" {
		t.Fatalf("Timeline = %+v, want one phase with three readings", tl)
	}
	type ev struct {
		Day   string
		Kind  adjudicate.TimelineKind
		Party truce.PartyID
		Rep   truce.ReportID
	}
	events := func(rt adjudicate.ReadingTimeline) []ev {
		var out []ev
		for _, e := range rt.Events {
			out = append(out, ev{e.At.In(kyiv).Format("01-02 15:04"), e.Kind, e.Party, e.Report})
		}
		return out
	}
	byReading := map[truce.PartyID]adjudicate.ReadingTimeline{}
	for _, rt := range tl.Readings {
		byReading[rt.Parties[0]] = rt
	}
	for _, tt := range []struct {
		name    string
		reading truce.PartyID
		want    []ev
		counts  []adjudicate.PartyCount
		summary []string
	}{
		{"RU's reading: RU released by UA's verified breach", "RU", []ev{
			{"03-18 00:00", adjudicate.TimelineBound, "RU", ""},
			{"03-18 00:00", adjudicate.TimelineBound, "UA", ""},
			{"03-24 10:00", adjudicate.TimelineFirstViolation, "RU", "ru-24"},
			{"03-25 09:00", adjudicate.TimelineFirstBreach, "UA", "ua-25"},
			{"03-25 09:01", adjudicate.TimelineReleased, "RU", "ua-25"},
			{"03-28 10:00", adjudicate.TimelineReleasedAct, "RU", "ru-28"},
			{"04-18 00:00", adjudicate.TimelineEnd, "", ""},
		}, []adjudicate.PartyCount{{Party: "RU", Violations: 1, Released: 1}, {Party: "UA", Violations: 1, Verified: 1}},
			[]string{"UA breached first, as a monitor verified: c-ua on 25 March 2025 09:00 EET (report ua-25)",
				"Reports judged violations under this reading, not verified by a monitor: 1 against RU.", "Released: RU from 25 March 2025 09:01 EET."}},
		{"UA's reading: UA released a day after RU's violation", "UA", []ev{
			{"03-18 00:00", adjudicate.TimelineBound, "RU", ""},
			{"03-18 00:00", adjudicate.TimelineBound, "UA", ""},
			{"03-24 10:00", adjudicate.TimelineFirstViolation, "RU", "ru-24"},
			{"03-25 09:00", adjudicate.TimelineFirstBreach, "UA", "ua-25"},
			{"03-25 10:01", adjudicate.TimelineReleased, "UA", "ru-24"},
			{"04-18 00:00", adjudicate.TimelineEnd, "", ""},
		}, []adjudicate.PartyCount{{Party: "RU", Violations: 2}, {Party: "UA", Violations: 1, Verified: 1}},
			[]string{"Reports judged violations under this reading, not verified by a monitor: 2 against RU.", "Released: UA from 25 March 2025 10:01 EET."}},
		{"the mediator's reading: no clause", "US", []ev{
			{"03-18 00:00", adjudicate.TimelineBound, "RU", ""},
			{"03-18 00:00", adjudicate.TimelineBound, "UA", ""},
			{"03-24 10:00", adjudicate.TimelineFirstViolation, "RU", "ru-24"},
			{"03-25 09:00", adjudicate.TimelineFirstBreach, "UA", "ua-25"},
			{"04-18 00:00", adjudicate.TimelineEnd, "", ""},
		}, []adjudicate.PartyCount{{Party: "RU", Violations: 2}, {Party: "UA", Violations: 1, Verified: 1}},
			[]string{"No party could consider itself free under a release clause."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rt := byReading[tt.reading]
			if diff := cmp.Diff(tt.want, events(rt)); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.counts, rt.Counts); diff != "" {
				t.Errorf("counts mismatch (-want +got):\n%s", diff)
			}
			for _, s := range tt.summary {
				if !strings.Contains(rt.Summary, s) {
					t.Errorf("summary lacks %q:\n%s", s, rt.Summary)
				}
			}
		})
	}
	rel := byReading["RU"].Events[4]
	for _, want := range []string{"RU may consider itself free of c-ru from 25 March 2025 09:01 EET (release clause of phase energy, KR-0325), by UA's breach of c-ua on 25 March 2025 09:00 EET (report ua-25, verified by a monitor)"} {
		if !strings.Contains(rel.Text, want) {
			t.Errorf("release text lacks %q:\n%s", want, rel.Text)
		}
	}
	if !rel.Verified || rel.By != "UA" || rel.Source != "KR-0325" {
		t.Errorf("release event = %+v, want verified, by UA, source KR-0325", rel)
	}
	if got := byReading["UA"].Events[2].Text; !strings.Contains(got, "not verified by a monitor (reported)") {
		t.Errorf("first violation text = %q, want it labelled not verified", got)
	}
	data, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"in_force":true`, `"kind":"released_act"`, `"events":[`, `"counts":[`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

// TestTimelineNoBreach: with no act known the timeline says when the
// obligations began and that no breach was verified.
func TestTimelineNoBreach(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/release.yaml"), nil)
	rt := j.Timeline(nil).Readings[0]
	if len(rt.Events) != 3 || rt.Events[0].Kind != adjudicate.TimelineBound || !rt.Events[0].At.Equal(time.Date(2025, 3, 18, 0, 0, 0, 0, kyiv)) {
		t.Errorf("events = %+v, want the two parties bound from 18 March and the end", rt.Events)
	}
	for _, want := range []string{"No breach was verified by a monitor under this reading.", "No violation verdict either."} {
		if !strings.Contains(rt.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, rt.Summary)
		}
	}
}
