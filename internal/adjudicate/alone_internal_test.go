package adjudicate

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
)

// TestGroupAlone checks that the incident GroupReports makes of a report
// alone (its fast path) is the one the grouper makes of it, and that a
// key given ahead is used as computed.
func TestGroupAlone(t *testing.T) {
	t0 := time.Date(2025, 3, 20, 4, 0, 0, 0, time.UTC)
	at := geo.Point{Lon: 36.23, Lat: 49.99}
	long := "Russian drones struck a substation in Kharkiv overnight"
	for _, r := range []truce.Report{
		{ID: "a", Source: "viina", Start: t0, End: t0.Add(24 * time.Hour), Location: at, Text: long},
		{ID: "b", Source: "viina", Outlet: " Ukrainska Pravda ", Start: t0, End: t0.Add(time.Hour), Location: at, Text: long},
		{ID: "c", Source: "acled", Start: t0, End: t0, Location: at, Text: "Shelling"},
		{ID: "d", Source: "firms", Start: t0, End: t0.Add(time.Minute), Location: at},
		{ID: "e", Source: "csv", Start: t0.Add(time.Hour), End: t0, Location: at, Text: long}, // ends before it starts
	} {
		m := Member{Report: &r}
		g := newGrouper([]Member{m}, DefaultGroupOptions)
		g.add(0)
		want := g.groups()
		got := GroupReports([]Member{m}, DefaultGroupOptions)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("report %s alone (-grouper +fast path):\n%s", r.ID, diff)
		}
		keyed := GroupReports([]Member{{Report: &truce.Report{ID: r.ID, Source: r.Source, Outlet: r.Outlet, Start: r.Start, End: r.End,
			Location: r.Location}, Key: TextKey(r.Text), Keyed: true}}, DefaultGroupOptions)
		if diff := cmp.Diff(want, keyed); diff != "" {
			t.Errorf("report %s with its key given (-text +key):\n%s", r.ID, diff)
		}
	}
}
