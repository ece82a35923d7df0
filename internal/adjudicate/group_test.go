package adjudicate_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
	"truce/internal/importer"
)

// viinaMembers judges the bundled VIINA reports of the given months
// ("202503", "202504"; March when none is given) and returns them as
// members to group.
func viinaMembers(t *testing.T, months ...string) []adjudicate.Member {
	t.Helper()
	if len(months) == 0 {
		months = []string{"202503"}
	}
	a := mustAgreement(t, "../../examples/energy-ceasefire-2025/agreement.yaml")
	j := adjudicate.New(a, loadGPPD(t))
	var ms []adjudicate.Member
	for _, month := range months {
		name := "viina_incidents_" + month + ".csv"
		f, err := os.Open("../../examples/energy-ceasefire-2025/reports/" + name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = importer.ReadReports(f, importer.Options{File: name}, func(r *truce.Report) error {
			jd := j.Judge(r)
			ms = append(ms, adjudicate.Member{Report: r, Facts: &jd.Facts})
			return nil
		}, func(e importer.RowError) { t.Fatal(e) })
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return ms
}

func groupOf(gs []adjudicate.Group, id truce.ReportID) *adjudicate.Group {
	for i := range gs {
		if slices.Contains(gs[i].Reports, id) {
			return &gs[i]
		}
	}
	return nil
}

func TestGroupVIINA(t *testing.T) {
	heavy(t)
	ms := viinaMembers(t)
	gs := adjudicate.GroupReports(ms, adjudicate.DefaultGroupOptions)
	if len(gs) >= len(ms) || len(gs) < len(ms)/3 {
		t.Errorf("%d reports grouped into %d incidents", len(ms), len(gs))
	}
	// Corroboration of a stored incident's reports (what the API shows)
	// counts as grouping does.
	byID := map[truce.ReportID]*truce.Report{}
	for _, m := range ms {
		byID[m.Report.ID] = m.Report
	}
	for _, g := range gs {
		var rs []*truce.Report
		for _, id := range g.Reports {
			rs = append(rs, byID[id])
		}
		if c := adjudicate.Corroboration(rs); c != g.Corroboration() {
			t.Fatalf("incident %s: Corroboration = %d, grouping counted %d (%s)", g.ID, c, g.Corroboration(), g.Explanation)
		}
	}
	// The oil depot fire in Chortkovo, geocoded to Milove, recurs on 4, 5
	// and 6 March with the same headline: one incident, one source.
	byText := func(day, place, prefix string) truce.ReportID {
		t.Helper()
		for _, m := range ms {
			r := m.Report
			if r.Place == place && strings.HasPrefix(r.Text, prefix) && r.Start.In(kyiv).Format("2006-01-02") == day {
				return r.ID
			}
		}
		t.Fatalf("no report on %s at %s starting %q", day, place, prefix)
		return ""
	}
	const depot = "У місті Чортково Ростовської області"
	g := groupOf(gs, byText("2025-03-04", "Milove", depot))
	for _, day := range []string{"2025-03-05", "2025-03-06"} {
		if !slices.Contains(g.Reports, byText(day, "Milove", depot)) {
			t.Errorf("the repost of %s is not in incident %s", day, g.ID)
		}
	}
	if g.Corroboration() != 1 || !strings.Contains(g.Explanation, "from 1 independent source") {
		t.Errorf("reposts counted apart: %d sources (%s)", g.Corroboration(), g.Explanation)
	}
	// The same headline geocoded to two towns 30 km apart is two incidents.
	const gs2 = "Генштаб ЗСУ заявляє про удари по складу термобаричних"
	a, b := groupOf(gs, byText("2025-03-01", "Selydove", gs2)), groupOf(gs, byText("2025-03-01", "Ruttschenkowo", gs2))
	if a.ID == b.ID {
		t.Errorf("reports 30 km apart were grouped: %s", a.Explanation)
	}
}

func TestGroupDeterministic(t *testing.T) {
	heavy(t)
	ms := viinaMembers(t)[:1500]
	want := adjudicate.GroupReports(ms, adjudicate.DefaultGroupOptions)
	shuffled := slices.Clone(ms)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if diff := cmp.Diff(want, adjudicate.GroupReports(shuffled, adjudicate.DefaultGroupOptions)); diff != "" {
		t.Errorf("grouping depends on input order (-sorted +shuffled):\n%s", diff)
	}
}

func TestGroupRules(t *testing.T) {
	t0 := time.Date(2025, 3, 28, 10, 0, 0, 0, time.UTC)
	rep := func(id string, dm float64, dt time.Duration, outlet, text string, prec truce.TimePrecision) *truce.Report {
		p := geo.Point{Lon: 36.1, Lat: 49.97 + dm/111_195}
		end := t0.Add(dt).Add(time.Minute)
		if prec == truce.PrecisionDay {
			end = t0.Add(dt).Add(24 * time.Hour)
		}
		return &truce.Report{ID: truce.ReportID(id), Source: "test", Outlet: outlet, Text: text, Start: t0.Add(dt), End: end, Precision: prec, Location: p}
	}
	site := &truce.SiteMatch{ID: "WRI1005126", Name: "Karkov CHP-5"}
	other := &truce.SiteMatch{ID: "WRI1005125", Name: "Kiev CHP-5"}
	ru := &truce.Facts{Perpetrator: "RU", Site: site, Category: "energy.power_plant.thermal"}
	for _, tt := range []struct {
		name  string
		a, b  adjudicate.Member
		same  bool
		sourc int
	}{
		{"same site, 1 km and 2 hours apart, two outlets", adjudicate.Member{Report: rep("a", 0, 0, "Ukrinform", "drones hit the plant", truce.PrecisionMinute), Facts: ru},
			adjudicate.Member{Report: rep("b", 1000, 2*time.Hour, "Suspilne", "explosions at the CHP", truce.PrecisionMinute), Facts: ru}, true, 2},
		{"too far apart", adjudicate.Member{Report: rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), Facts: ru},
			adjudicate.Member{Report: rep("b", 2500, 0, "y", "t2 one two three", truce.PrecisionMinute), Facts: ru}, false, 0},
		{"too late", adjudicate.Member{Report: rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), Facts: ru},
			adjudicate.Member{Report: rep("b", 0, 7*time.Hour, "y", "t2 one two three", truce.PrecisionMinute), Facts: ru}, false, 0},
		{"different perpetrators", adjudicate.Member{Report: rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), Facts: ru},
			adjudicate.Member{Report: rep("b", 0, time.Hour, "y", "t2 one two three", truce.PrecisionMinute), Facts: &truce.Facts{Perpetrator: "UA", Site: site}}, false, 0},
		{"different sites", adjudicate.Member{Report: rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), Facts: ru},
			adjudicate.Member{Report: rep("b", 0, time.Hour, "y", "t2 one two three", truce.PrecisionMinute), Facts: &truce.Facts{Site: other}}, false, 0},
		{"unknown perpetrator joins", adjudicate.Member{Report: rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), Facts: ru},
			adjudicate.Member{Report: rep("b", 0, time.Hour, "y", "t2 one two three", truce.PrecisionMinute), Facts: &truce.Facts{Site: site}}, true, 2},
		{"same town, same day, nothing in common", adjudicate.Member{Report: rep("a", 0, 0, "", "shelling of a market in the town", truce.PrecisionDay), Facts: nil},
			adjudicate.Member{Report: rep("b", 0, 0, "", "a drone hit a bus station there", truce.PrecisionDay), Facts: nil}, false, 0},
		{"repost of the same text counts once", adjudicate.Member{Report: rep("a", 0, 0, "", "Росіяни вдарили по підстанції у Харкові вночі", truce.PrecisionDay), Facts: nil},
			adjudicate.Member{Report: rep("b", 0, 48*time.Hour, "", "Росіяни вдарили по підстанції у Харкові вночі!", truce.PrecisionDay), Facts: nil}, true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gs := adjudicate.GroupReports([]adjudicate.Member{tt.a, tt.b}, adjudicate.DefaultGroupOptions)
			if got := len(gs) == 1; got != tt.same {
				t.Fatalf("grouped = %v, want %v: %+v", got, tt.same, gs)
			}
			if tt.same && gs[0].Corroboration() != tt.sourc {
				t.Errorf("corroboration %d, want %d (%s)", gs[0].Corroboration(), tt.sourc, gs[0].Explanation)
			}
		})
	}
}

// TestGroupWindows checks that no incident outgrows its window, however
// its reports chain: neighbours within Window of each other, or a text
// republished day after day.
func TestGroupWindows(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 0, 0, 0, 0, kyiv)
	site := &truce.Facts{Perpetrator: "RU", Site: &truce.SiteMatch{ID: "WRI1005126", Name: "Karkov CHP-5"}, Category: "energy.power_plant.thermal"}
	// at makes a report of text at t0 + dt in Kharkiv, to the minute or
	// (minute false) to the day.
	at := func(id string, dt time.Duration, text string, minute bool) adjudicate.Member {
		end := t0.Add(dt).Add(24 * time.Hour)
		prec := truce.PrecisionDay
		if minute {
			end, prec = t0.Add(dt).Add(time.Minute), truce.PrecisionMinute
		}
		r := &truce.Report{ID: truce.ReportID(id), Source: "viina", Text: text, Start: t0.Add(dt), End: end, Precision: prec,
			Location: geo.Point{Lon: 36.2312, Lat: 49.99217}, Place: "Kharkiv"}
		return adjudicate.Member{Report: r, Facts: site}
	}
	const day = 24 * time.Hour
	// A real headline VIINA repeats at Kyiv on 30 days from 3 March 2025.
	const evrika = `Суд открыл производство о банкротстве застройщика ЖК "Эврика" в Киеве`
	var daily []adjudicate.Member
	for d := range 30 {
		daily = append(daily, at(fmt.Sprintf("d%02d", d), time.Duration(d)*day, evrika, false))
	}
	type group struct {
		Reports []string
		Reposts int
		Start   time.Time
		Span    time.Duration
	}
	ids := func(from, to int) []string {
		var out []string
		for d := from; d <= to; d++ {
			out = append(out, fmt.Sprintf("d%02d", d))
		}
		return out
	}
	for _, tt := range []struct {
		name string
		ms   []adjudicate.Member
		want []group
	}{
		{"a headline republished on 30 days makes an incident per repost window, each dated by its first appearance", daily, []group{
			{ids(0, 7), 7, t0, 0}, {ids(8, 15), 7, t0.Add(8 * day), 0}, {ids(16, 23), 7, t0.Add(16 * day), 0}, {ids(24, 29), 5, t0.Add(24 * day), 0},
		}},
		{"a repost joins its first appearance, not the previous repost", []adjudicate.Member{
			at("a", 0, evrika, false), at("b", 6*day, evrika, false), at("c", 12*day, evrika, false),
		}, []group{{[]string{"a", "b"}, 1, t0, 0}, {[]string{"c"}, 0, t0.Add(12 * day), 0}}},
		{"neighbours 5 hours apart do not chain past the 6-hour window", []adjudicate.Member{
			at("a", 10*time.Hour, "Дрони атакували ТЕЦ-5 у Харкові", true),
			at("b", 15*time.Hour, "Вибухи на ТЕЦ-5 у Харкові після атаки", true),
			at("c", 20*time.Hour, "Знову удар по ТЕЦ-5 у Харкові ввечері", true),
		}, []group{{[]string{"a", "b"}, 0, t0.Add(10 * time.Hour), 5*time.Hour - time.Minute}, {[]string{"c"}, 0, t0.Add(20 * time.Hour), 0}}},
		{"a repost three days later does not pull that day's reports into the first day's incident", []adjudicate.Member{
			at("a", 10*time.Hour, "Дрони атакували ТЕЦ-5 у Харкові", true),
			at("b", 3*day+10*time.Hour, "Дрони атакували ТЕЦ-5 у Харкові", true),
			at("c", 3*day+11*time.Hour, "Вибухи на ТЕЦ-5 у Харкові після атаки", true),
		}, []group{{[]string{"a", "b"}, 1, t0.Add(10 * time.Hour), 0}, {[]string{"c"}, 0, t0.Add(3*day + 11*time.Hour), 0}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []group
			for _, g := range adjudicate.GroupReports(tt.ms, adjudicate.DefaultGroupOptions) {
				got = append(got, group{Reports: joinIDs(g.Reports), Reposts: len(g.Reposts), Start: g.Start, Span: g.Span})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGroupRepublishedVIINA groups both bundled VIINA months, where
// headlines recur on up to 31 days: no incident outgrows its window, and
// each is dated by its first appearance.
func TestGroupRepublishedVIINA(t *testing.T) {
	heavy(t)
	ms := viinaMembers(t, "202503", "202504")
	opt := adjudicate.DefaultGroupOptions
	gs := adjudicate.GroupReports(ms, opt)
	byID := map[truce.ReportID]*truce.Report{}
	for _, m := range ms {
		byID[m.Report.ID] = m.Report
	}
	for _, g := range gs {
		first := byID[truce.ReportID(g.ID)]
		if !g.Start.Equal(first.Start) || truce.ReportID(g.ID) != g.Reports[0] {
			t.Errorf("incident %s starts %s, want its first report's start %s", g.ID, g.Start, first.Start)
		}
		if g.Span > opt.Window {
			t.Errorf("incident %s spans %s, more than the %s window: %s", g.ID, g.Span, opt.Window, g.Explanation)
		}
		for _, id := range g.Reports {
			if d := byID[id].Start.Sub(g.Start); d > opt.RepostWindow {
				t.Errorf("incident %s: report %s is %s after its start, more than the %s repost window", g.ID, id, d, opt.RepostWindow)
			}
		}
	}
	// VIINA repeats this headline at Kyiv on 30 days, 3 March to 1 April
	// 2025: one incident per repost window, each holding its repeats of
	// the 7 days after its first appearance, one source each.
	const evrika = `Суд открыл производство о банкротстве застройщика ЖК "Эврика" в Киеве`
	var repeats []*truce.Report
	for _, m := range ms {
		if m.Report.Text == evrika {
			repeats = append(repeats, m.Report)
		}
	}
	slices.SortFunc(repeats, func(a, b *truce.Report) int { return a.Start.Compare(b.Start) })
	if len(repeats) != 30 || repeats[29].Start.Sub(repeats[0].Start) < 28*24*time.Hour {
		t.Fatalf("the headline appears %d times, want 30 over 29 days", len(repeats))
	}
	var incidents []truce.IncidentID
	for _, r := range repeats {
		g := groupOf(gs, r.ID)
		if !slices.Contains(incidents, g.ID) {
			incidents = append(incidents, g.ID)
			if truce.ReportID(g.ID) != r.ID || !g.Start.Equal(r.Start) {
				t.Errorf("the incident of the repeat of %s is %s, starting %s: want the repeat itself, its first appearance", r.Start.In(kyiv).Format(time.DateOnly), g.ID, g.Start)
			}
			if g.Corroboration() != 1 {
				t.Errorf("incident %s: %d sources, want 1 (%s)", g.ID, g.Corroboration(), g.Explanation)
			}
		}
		if d := r.Start.Sub(g.Start); d > opt.RepostWindow {
			t.Errorf("the repeat of %s is %s after its incident's first appearance", r.Start.In(kyiv).Format(time.DateOnly), d)
		}
	}
	if len(incidents) != 4 {
		t.Errorf("30 repeats over 29 days make %d incidents, want 4 (one per 7-day repost window): %v", len(incidents), incidents)
	}
}

func joinIDs(ids []truce.ReportID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// heavy skips t in the short pass of scripts/test.sh (the one with the race
// detector): it works on the full scenario, and runs in the full pass.
func heavy(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("works on the full scenario: runs in the full pass of scripts/test.sh")
	}
}

// TestPlanMergesAudiences: reports of one event are grouped only with
// reports whose incidents the same readers may read. For every pair of
// audiences, two reports of one strike (the same site, minutes apart)
// merge only when their audiences are equal, into the earlier report's
// incident; a source a monitor is reviewing is left alone.
func TestPlanMergesAudiences(t *testing.T) {
	audiences := []struct {
		name      string
		published bool
		by        truce.PartyID
	}{{"published", true, ""}, {"published UA submission", true, "UA"}, {"UA-unpublished", false, "UA"}, {"RU-unpublished", false, "RU"}, {"monitor-only", false, ""}}
	t0 := time.Date(2025, 3, 28, 1, 0, 0, 0, time.UTC)
	facts := &truce.Facts{Perpetrator: "RU", Site: &truce.SiteMatch{ID: "WRI1005126"}, Category: "energy.power_plant.thermal"}
	place := func(id string, dt time.Duration, published bool, by truce.PartyID, status truce.Status) adjudicate.Placed {
		r := &truce.Report{ID: truce.ReportID(id), Source: "test", Text: id, Start: t0.Add(dt), End: t0.Add(dt + time.Minute),
			Precision: truce.PrecisionMinute, Location: geo.Point{Lon: 36.1, Lat: 49.97}}
		in := &truce.Incident{ID: truce.IncidentID(id), Status: status, Published: published, SubmittedBy: by, Reports: []truce.ReportID{r.ID}}
		return adjudicate.Placed{Member: adjudicate.Member{Report: r, Facts: facts}, Incident: in}
	}
	for _, a := range audiences {
		for _, b := range audiences {
			t.Run(a.name+" then "+b.name, func(t *testing.T) {
				first := place("first", 0, a.published, a.by, truce.StatusReported)
				second := place("second", 10*time.Minute, b.published, b.by, truce.StatusReported)
				got := adjudicate.PlanMerges([]adjudicate.Placed{second, first}, adjudicate.DefaultGroupOptions)
				var want []truce.IncidentID
				if truce.CanMerge(first.Incident, second.Incident) {
					want = []truce.IncidentID{"first", "second"}
				}
				var pairs []truce.IncidentID
				for _, op := range got {
					pairs = append(pairs, op.Target, op.Source)
				}
				if diff := cmp.Diff(want, pairs); diff != "" {
					t.Errorf("PlanMerges (target, source) mismatch (-want +got):\n%s", diff)
				}
				if a.published != b.published || (!a.published && a.by != b.by) {
					if len(got) != 0 {
						t.Errorf("merged across audiences: %+v", got)
					}
				}
			})
		}
	}
	t.Run("source under review", func(t *testing.T) {
		first := place("first", 0, true, "", truce.StatusReported)
		second := place("second", 10*time.Minute, true, "", truce.StatusUnderReview)
		if got := adjudicate.PlanMerges([]adjudicate.Placed{first, second}, adjudicate.DefaultGroupOptions); len(got) != 0 {
			t.Errorf("PlanMerges merged an incident under review: %+v", got)
		}
	})
	t.Run("each audience groups on its own", func(t *testing.T) {
		// Published, UA's and RU's reports of one event, interleaved in
		// time: the published pair merges, and so does each party's, each
		// into its own earliest report's incident.
		ps := []adjudicate.Placed{
			place("p1", 0, true, "", truce.StatusReported),
			place("ua1", time.Minute, false, "UA", truce.StatusReported),
			place("ru1", 2*time.Minute, false, "RU", truce.StatusReported),
			place("p2", 3*time.Minute, true, "", truce.StatusReported),
			place("ua2", 4*time.Minute, false, "UA", truce.StatusReported),
			place("ru2", 5*time.Minute, false, "RU", truce.StatusReported),
		}
		var got []string
		for _, op := range adjudicate.PlanMerges(ps, adjudicate.DefaultGroupOptions) {
			got = append(got, string(op.Source)+"->"+string(op.Target))
		}
		if diff := cmp.Diff([]string{"p2->p1", "ru2->ru1", "ua2->ua1"}, got); diff != "" {
			t.Errorf("PlanMerges mismatch (-want +got):\n%s", diff)
		}
	})
}
