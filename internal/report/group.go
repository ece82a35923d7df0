package report

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"

	"truce/internal/adjudicate"
	"truce/internal/geo"
)

// groupReports is adjudicate.GroupReports(ms, opt), computed one cluster
// at a time: reports farther than opt.Meters apart never join one
// incident, nor does either decide what the other joins (a repost and a
// neighbour both lie within opt.Meters of the report they join), so the
// groups of the clusters of reports chained by distances within
// opt.Meters are the groups of the whole. It is much faster when many
// reports repeat a few texts far apart: GroupReports then compares each
// report with every earlier one of the same text. The groups come in no
// particular order.
func groupReports(ms []adjudicate.Member, opt adjudicate.GroupOptions) []adjudicate.Group {
	clusters := clusterMembers(ms, opt.Meters)
	if len(clusters) <= 1 {
		return adjudicate.GroupReports(ms, opt)
	}
	// The clusters are grouped apart, on every core, and their incidents
	// joined in the clusters' order.
	per := make([][]adjudicate.Group, len(clusters))
	workers := min(runtime.GOMAXPROCS(0), 1+len(clusters)/1024)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w; k < len(clusters); k += workers {
				per[k] = adjudicate.GroupReports(clusters[k], opt)
			}
		})
	}
	wg.Wait()
	n := 0
	for _, gs := range per {
		n += len(gs)
	}
	out := make([]adjudicate.Group, 0, n)
	for _, gs := range per {
		out = append(out, gs...)
	}
	return out
}

// clusterMembers splits ms into clusters: two members lie in one cluster
// when a chain of members, each within meters of the next (geo.Distance),
// links them. It returns ms whole, as one cluster, if a location is not
// finite or meters is not positive.
func clusterMembers(ms []adjudicate.Member, meters float64) [][]adjudicate.Member {
	if len(ms) < 2 || !(meters > 0) {
		return [][]adjudicate.Member{ms}
	}
	// Two points within meters differ in latitude by at most theta
	// (haversine: hav(d/R) >= hav(dLat)) and in longitude by at most
	// 2 asin(sin(theta/2) / cos(lat)) at the largest |lat| of either.
	// Cells that large (and a margin) put such points in the same or
	// adjacent cells. geo.Distance does not wrap at the antimeridian, so
	// neither do the cells.
	theta := meters / geo.EarthRadiusMeters
	maxLat := 0.0
	for i := range ms {
		p := ms[i].Report.Location
		if math.IsNaN(p.Lat) || math.IsInf(p.Lat, 0) || math.IsNaN(p.Lon) || math.IsInf(p.Lon, 0) {
			return [][]adjudicate.Member{ms}
		}
		maxLat = max(maxLat, math.Abs(p.Lat))
	}
	const margin = 1.01
	cellLat := theta * 180 / math.Pi * margin
	cellLon := 361.0 // one column, near the poles
	if c := math.Cos((maxLat + cellLat) * math.Pi / 180); maxLat+cellLat < 90 && math.Sin(theta/2)/c < 1 {
		cellLon = 2 * math.Asin(math.Sin(theta/2)/c) * 180 / math.Pi * margin
	}
	cellOf := func(p geo.Point) [2]int64 {
		return [2]int64{int64(math.Floor(p.Lat / cellLat)), int64(math.Floor(p.Lon / cellLon))}
	}
	parent := make([]int, len(ms))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// The members sorted by cell, then point, then index: members at one
	// point (a town's centre, say) are one cluster, and the first of them
	// stands for the others in the grid. Sorting, not hashing, keeps this
	// cheap for 100,000 members.
	type placed struct {
		cell [2]int64
		p    geo.Point
		i    int
	}
	ps := make([]placed, len(ms))
	for i := range ms {
		p := ms[i].Report.Location
		ps[i] = placed{cellOf(p), p, i}
	}
	slices.SortFunc(ps, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.cell[0], b.cell[0]), cmp.Compare(a.cell[1], b.cell[1]),
			cmp.Compare(a.p.Lat, b.p.Lat), cmp.Compare(a.p.Lon, b.p.Lon), cmp.Compare(a.i, b.i))
	})
	grid := ps[:0:0]
	for k, x := range ps {
		if k > 0 && x.p == ps[k-1].p {
			parent[x.i] = grid[len(grid)-1].i
			continue
		}
		grid = append(grid, x)
	}
	// row returns the members of cells (c[0], c[1]-1) to (c[0], c[1]+1)
	// in the grid: they lie together, in that order.
	row := func(c [2]int64) []placed {
		lo, _ := slices.BinarySearchFunc(grid, c, func(x placed, c [2]int64) int {
			return cmp.Or(cmp.Compare(x.cell[0], c[0]), cmp.Compare(x.cell[1], c[1]-1))
		})
		hi := lo
		for hi < len(grid) && grid[hi].cell[0] == c[0] && grid[hi].cell[1] <= c[1]+1 {
			hi++
		}
		return grid[lo:hi]
	}
	// A hair beyond meters: a pair GroupReports could join is never split.
	limit := meters * (1 + 1e-9)
	for lo := 0; lo < len(grid); {
		c := grid[lo].cell
		hi := lo + 1
		for hi < len(grid) && grid[hi].cell == c {
			hi++
		}
		is := grid[lo:hi]
		for dy := int64(-1); dy <= 1; dy++ {
			for _, j := range row([2]int64{c[0] + dy, c[1]}) {
				for _, i := range is {
					if i.i < j.i && find(i.i) != find(j.i) && geo.Distance(i.p, j.p) <= limit {
						parent[find(i.i)] = find(j.i)
					}
				}
			}
		}
		lo = hi
	}
	// The clusters in the order of their first members, each in the
	// members' order, on one backing array.
	cluster := make([]int32, len(ms)) // by root: its cluster, or -1
	for i := range cluster {
		cluster[i] = -1
	}
	var sizes []int
	of := make([]int32, len(ms))
	for i := range ms {
		r := find(i)
		if cluster[r] < 0 {
			cluster[r] = int32(len(sizes))
			sizes = append(sizes, 0)
		}
		of[i] = cluster[r]
		sizes[of[i]]++
	}
	backing := make([]adjudicate.Member, len(ms))
	out := make([][]adjudicate.Member, len(sizes))
	at := 0
	for k, n := range sizes {
		out[k] = backing[at : at : at+n]
		at += n
	}
	for i := range ms {
		out[of[i]] = append(out[of[i]], ms[i])
	}
	return out
}
