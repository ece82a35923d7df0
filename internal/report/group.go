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
	out := []adjudicate.Group{}
	for _, gs := range groupClusters(ms, clusterIndexes(ms, opt.Meters), opt) {
		out = append(out, gs...)
	}
	return out
}

// groupClusters returns the groups of each cluster of ms (indexes into
// ms), grouped apart on every core.
func groupClusters(ms []adjudicate.Member, clusters [][]int32, opt adjudicate.GroupOptions) [][]adjudicate.Group {
	per := make([][]adjudicate.Group, len(clusters))
	workers := min(runtime.GOMAXPROCS(0), 1+len(clusters)/1024)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var buf []adjudicate.Member
			for k := w; k < len(clusters); k += workers {
				buf = buf[:0]
				for _, i := range clusters[k] {
					buf = append(buf, ms[i])
				}
				per[k] = adjudicate.GroupReports(buf, opt)
			}
		})
	}
	wg.Wait()
	return per
}

// clusterIndexes splits ms into clusters, as indexes into ms in the
// order of their first members, each in ms's order: two members lie in one cluster
// when a chain of members, each within meters of the next (geo.Distance),
// links them. It returns ms whole, as one cluster, if a location is not
// finite or meters is not positive.
func clusterIndexes(ms []adjudicate.Member, meters float64) [][]int32 {
	all := func() [][]int32 {
		c := make([]int32, len(ms))
		for i := range c {
			c[i] = int32(i)
		}
		return [][]int32{c}
	}
	if len(ms) < 2 || !(meters > 0) {
		return all()
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
			return all()
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
	// row returns the members of cells (c[0]+dy, c[1]-1) to (c[0]+dy,
	// c[1]+1) in the grid, which lie together, in that order. The cells c
	// come in the grid's order, so each row starts at or after where it
	// started for the cell before: one pointer per dy walks the grid once.
	var from [3]int
	row := func(c [2]int64, dy int64) []placed {
		y, x := c[0]+dy, c[1]-1
		lo := from[dy+1]
		for lo < len(grid) && (grid[lo].cell[0] < y || grid[lo].cell[0] == y && grid[lo].cell[1] < x) {
			lo++
		}
		from[dy+1] = lo
		hi := lo
		for hi < len(grid) && grid[hi].cell[0] == y && grid[hi].cell[1] <= c[1]+1 {
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
			for _, j := range row(c, dy) {
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
	backing := make([]int32, len(ms))
	out := make([][]int32, len(sizes))
	at := 0
	for k, n := range sizes {
		out[k] = backing[at : at : at+n]
		at += n
	}
	for i := range ms {
		out[of[i]] = append(out[of[i]], int32(i))
	}
	return out
}
