package adjudicate_test

import (
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

func viinaMembers(t *testing.T) []adjudicate.Member {
	t.Helper()
	a := mustAgreement(t, "../../examples/energy-ceasefire-2025/agreement.yaml")
	j := adjudicate.New(a, loadGPPD(t))
	f, err := os.Open("../../examples/energy-ceasefire-2025/reports/viina_incidents_202503.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ms []adjudicate.Member
	if _, err := importer.ReadReports(f, importer.Options{File: "viina_incidents_202503.csv"}, func(r *truce.Report) error {
		jd := j.Judge(r)
		ms = append(ms, adjudicate.Member{Report: r, Facts: &jd.Facts})
		return nil
	}, func(e importer.RowError) { t.Fatal(e) }); err != nil {
		t.Fatal(err)
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
		{"same site, 1 km and 2 hours apart, two outlets", adjudicate.Member{rep("a", 0, 0, "Ukrinform", "drones hit the plant", truce.PrecisionMinute), ru},
			adjudicate.Member{rep("b", 1000, 2*time.Hour, "Suspilne", "explosions at the CHP", truce.PrecisionMinute), ru}, true, 2},
		{"too far apart", adjudicate.Member{rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), ru},
			adjudicate.Member{rep("b", 2500, 0, "y", "t2 one two three", truce.PrecisionMinute), ru}, false, 0},
		{"too late", adjudicate.Member{rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), ru},
			adjudicate.Member{rep("b", 0, 7*time.Hour, "y", "t2 one two three", truce.PrecisionMinute), ru}, false, 0},
		{"different perpetrators", adjudicate.Member{rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), ru},
			adjudicate.Member{rep("b", 0, time.Hour, "y", "t2 one two three", truce.PrecisionMinute), &truce.Facts{Perpetrator: "UA", Site: site}}, false, 0},
		{"different sites", adjudicate.Member{rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), ru},
			adjudicate.Member{rep("b", 0, time.Hour, "y", "t2 one two three", truce.PrecisionMinute), &truce.Facts{Site: other}}, false, 0},
		{"unknown perpetrator joins", adjudicate.Member{rep("a", 0, 0, "x", "t1 one two three", truce.PrecisionMinute), ru},
			adjudicate.Member{rep("b", 0, time.Hour, "y", "t2 one two three", truce.PrecisionMinute), &truce.Facts{Site: site}}, true, 2},
		{"same town, same day, nothing in common", adjudicate.Member{rep("a", 0, 0, "", "shelling of a market in the town", truce.PrecisionDay), nil},
			adjudicate.Member{rep("b", 0, 0, "", "a drone hit a bus station there", truce.PrecisionDay), nil}, false, 0},
		{"repost of the same text counts once", adjudicate.Member{rep("a", 0, 0, "", "Росіяни вдарили по підстанції у Харкові вночі", truce.PrecisionDay), nil},
			adjudicate.Member{rep("b", 0, 48*time.Hour, "", "Росіяни вдарили по підстанції у Харкові вночі!", truce.PrecisionDay), nil}, true, 1},
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

// heavy skips t in the short pass of scripts/test.sh (the one with the race
// detector): it works on the full scenario, and runs in the full pass.
func heavy(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("works on the full scenario: runs in the full pass of scripts/test.sh")
	}
}
