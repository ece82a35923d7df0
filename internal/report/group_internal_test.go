package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
)

// members returns n reports of March 2025 as GroupReports reads them:
// many at a few sites and towns (some at the very same point), the rest
// spread out; a few texts repeated far and near; perpetrators and
// categories that do and do not agree.
func members(n int, seed uint64) []adjudicate.Member {
	rng := rand.New(rand.NewPCG(seed, 1))
	texts := []string{"Russian drones struck a substation overnight", "Shelling damaged power lines", "Air raid alert in the region", "Вибух у промисловій зоні"}
	towns := []geo.Point{{Lon: 36.2304, Lat: 49.9935}, {Lon: 32.6169, Lat: 46.6354}, {Lon: 37.6058, Lat: 48.8523}, {Lon: 35.2667, Lat: 51.1936}}
	parties := []truce.PartyID{"RU", "UA", ""}
	cats := []truce.CategoryID{"energy.substation", "energy.power_plant", "energy", ""}
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	ms := make([]adjudicate.Member, n)
	for i := range ms {
		var p geo.Point
		switch k := rng.IntN(10); {
		case k < 3:
			p = towns[rng.IntN(len(towns))] // the same point
		case k < 6:
			c := towns[rng.IntN(len(towns))]
			p = geo.Point{Lon: c.Lon + rng.NormFloat64()*0.02, Lat: c.Lat + rng.NormFloat64()*0.015}
		default:
			p = geo.Point{Lon: 22 + rng.Float64()*19, Lat: 44 + rng.Float64()*9}
		}
		start := t0.Add(time.Duration(rng.IntN(31*24*60)) * time.Minute)
		prec, end := truce.PrecisionHour, start.Add(time.Hour)
		if rng.IntN(4) == 0 {
			prec, end = truce.PrecisionDay, start.Add(24*time.Hour)
		}
		text := texts[rng.IntN(len(texts))]
		if rng.IntN(3) == 0 {
			text = fmt.Sprintf("Report %d of an attack", i)
		}
		r := &truce.Report{ID: truce.ReportID(fmt.Sprintf("r%05d", i)), Source: "truce", Outlet: fmt.Sprintf("outlet-%d", rng.IntN(5)),
			Start: start, End: end, Precision: prec, Location: p, Text: text}
		f := &truce.Facts{Perpetrator: parties[rng.IntN(len(parties))], Category: cats[rng.IntN(len(cats))]}
		ms[i] = adjudicate.Member{Report: r, Facts: f}
	}
	return ms
}

// TestGroupReportsByCluster checks that grouping cluster by cluster gives
// the groups GroupReports gives for the whole.
func TestGroupReportsByCluster(t *testing.T) {
	for _, n := range []int{0, 1, 2, 50, 3000} {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("%d/%d", n, seed), func(t *testing.T) {
				ms := members(n, seed)
				want := adjudicate.GroupReports(ms, adjudicate.DefaultGroupOptions)
				got := groupReports(ms, adjudicate.DefaultGroupOptions)
				byID := func(a, b adjudicate.Group) int { return cmp.Compare(a.ID, b.ID) }
				slices.SortFunc(want, byID)
				slices.SortFunc(got, byID)
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("groups (-GroupReports +by cluster):\n%s", diff)
				}
				if n >= 3000 && len(clusterMembers(ms, adjudicate.DefaultGroupOptions.Meters)) < 10 {
					t.Errorf("%d reports make fewer than 10 clusters: the test does not test clustering", n)
				}
			})
		}
	}
}

// TestClusterMembers checks the clusters' edges: within the distance
// chained, beyond it apart, at any latitude, and one cluster for
// locations that are not finite.
func TestClusterMembers(t *testing.T) {
	at := func(pts ...geo.Point) []adjudicate.Member {
		ms := make([]adjudicate.Member, len(pts))
		for i, p := range pts {
			ms[i] = adjudicate.Member{Report: &truce.Report{ID: truce.ReportID(fmt.Sprint(i)), Location: p}}
		}
		return ms
	}
	ids := func(cs [][]adjudicate.Member) string {
		var out []string
		for _, c := range cs {
			var s []string
			for _, m := range c {
				s = append(s, string(m.Report.ID))
			}
			out = append(out, strings.Join(s, ","))
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	// 0.0179° of latitude is about 1,990 m; 0.0181° about 2,013 m.
	for _, tc := range []struct {
		name string
		pts  []geo.Point
		want string
	}{
		{"ChainWithin", []geo.Point{{Lon: 30, Lat: 50}, {Lon: 30, Lat: 50.0179}, {Lon: 30, Lat: 50.0358}}, "0,1,2"},
		{"Beyond", []geo.Point{{Lon: 30, Lat: 50}, {Lon: 30, Lat: 50.0181}}, "0 1"},
		{"EastWestHighLatitude", []geo.Point{{Lon: 30, Lat: 80}, {Lon: 30.1, Lat: 80}}, "0,1"},
		{"NearPole", []geo.Point{{Lon: -170, Lat: 89.995}, {Lon: 10, Lat: 89.995}}, "0,1"},
		{"SamePoint", []geo.Point{{Lon: 1, Lat: 1}, {Lon: 1, Lat: 1}, {Lon: 5, Lat: 5}}, "0,1 2"},
		{"NotFinite", []geo.Point{{Lon: 1, Lat: 1}, {Lon: 5, Lat: 5}, {Lon: 1, Lat: math.NaN()}}, "0,1,2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := at(tc.pts...)
			for i := range ms {
				for j := range i {
					if d := geo.Distance(ms[i].Report.Location, ms[j].Report.Location); d <= 2000 && tc.name != "NotFinite" {
						t.Logf("%d-%d: %.0f m", j, i, d)
					}
				}
			}
			if got := ids(clusterMembers(ms, 2000)); got != tc.want {
				t.Errorf("clusters = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDayCache checks the day a report and an incident are counted under,
// and its number, kept from one call to the next, against the plain
// conversion, in zones whose clocks change at midnight, forwards and
// backwards in time.
func TestDayCache(t *testing.T) {
	for _, name := range []string{"Europe/Kyiv", "America/Havana", "America/Santiago", "Asia/Beirut", "UTC"} {
		tz, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		var d dayCache
		check := func(at time.Time) {
			t.Helper()
			l := at.In(tz)
			y, m, day := l.Date()
			want, wantNum := l.Format("2006-01-02"), int32(time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Unix()/86400)
			if got := d.of(at, tz); got != want || d.num != wantNum {
				t.Fatalf("%s: day of %s = %s (number %d), want %s (%d)", name, at, got, d.num, want, wantNum)
			}
		}
		start, end := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for at := start; at.Before(end); at = at.Add(37 * time.Minute) {
			check(at)
		}
		for at := end; at.After(start); at = at.Add(-53 * time.Minute) {
			check(at)
		}
	}
}

type wrapped struct{ truce.Store }

func (w wrapped) Unwrap() truce.Store { return w.Store }

type sourceStore struct{ truce.Store }

func (sourceStore) SummaryJudgements(context.Context, truce.AgreementID, int, truce.ReportFilter, func(*truce.Report, *truce.Judgement, string) error) error {
	return nil
}

// TestSummarySourceUnwrapped checks that a summary finds the fast path of
// a store behind a wrapper (the server wraps its store to cache tokens).
func TestSummarySourceUnwrapped(t *testing.T) {
	if _, ok := truce.StoreAs[SummarySource](wrapped{wrapped{sourceStore{}}}); !ok {
		t.Error("a SummarySource behind two wrappers is not found")
	}
	if _, ok := truce.StoreAs[SummarySource](wrapped{}); ok {
		t.Error("a store that is no SummarySource is taken for one")
	}
}

// clusterMembers is clusterIndexes with the members themselves, for the
// tests.
func clusterMembers(ms []adjudicate.Member, meters float64) [][]adjudicate.Member {
	out := make([][]adjudicate.Member, 0, len(ms))
	for _, c := range clusterIndexes(ms, meters) {
		cm := make([]adjudicate.Member, len(c))
		for k, i := range c {
			cm[k] = ms[i]
		}
		out = append(out, cm)
	}
	return out
}
