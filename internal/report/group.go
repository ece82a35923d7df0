package report

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

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
	groupClusters(ms, clusterIndexes(ms, opt.Meters), opt, func(_ int, gs []adjudicate.Group) {
		out = append(out, gs...)
	})
	return out
}

// clusterChunk is how many clusters a grouping worker takes at a time.
const clusterChunk = 256

// groupClusters calls fn with the groups of each cluster of ms (indexes
// into ms), in the clusters' order, on the calling goroutine. The
// clusters are grouped apart on every core, a chunk at a time, and fn
// sees a chunk's groups as soon as it and the chunks before it are done:
// counting overlaps grouping.
func groupClusters(ms []adjudicate.Member, clusters [][]int32, opt adjudicate.GroupOptions, fn func(k int, gs []adjudicate.Group)) {
	per := make([][]adjudicate.Group, len(clusters))
	chunks := (len(clusters) + clusterChunk - 1) / clusterChunk
	done := make([]chan struct{}, chunks)
	for c := range done {
		done[c] = make(chan struct{})
	}
	var next atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), 1+len(clusters)/1024)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var buf []adjudicate.Member
			for c := int(next.Add(1) - 1); c < chunks; c = int(next.Add(1) - 1) {
				for k := c * clusterChunk; k < min(len(clusters), (c+1)*clusterChunk); k++ {
					buf = buf[:0]
					for _, i := range clusters[k] {
						buf = append(buf, ms[i])
					}
					per[k] = adjudicate.GroupReports(buf, opt)
				}
				close(done[c])
			}
		})
	}
	defer wg.Wait()
	for c := range chunks {
		<-done[c]
		for k := c * clusterChunk; k < min(len(clusters), (c+1)*clusterChunk); k++ {
			fn(k, per[k])
			per[k] = nil
		}
	}
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
	ps = sortHalves(ps, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.cell[0], b.cell[0]), cmp.Compare(a.cell[1], b.cell[1]),
			cmp.Compare(a.p.Lat, b.p.Lat), cmp.Compare(a.p.Lon, b.p.Lon), cmp.Compare(a.i, b.i))
	})
	grid := make([]placed, 0, len(ps))
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
	// and the latitudes of two points within meters differ by at most
	// theta (in degrees here): a cheap test that rejects most pairs of
	// neighbouring cells before the haversine. Its margin, the cells',
	// is far above rounding at any distance: it only sends a few more
	// pairs to the haversine, which decides.
	maxDLat := theta * 180 / math.Pi * margin
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
					if i.i < j.i && math.Abs(i.p.Lat-j.p.Lat) <= maxDLat && find(i.i) != find(j.i) && geo.Distance(i.p, j.p) <= limit {
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

// sortHalves sorts xs by cmp, which must be a strict total order (no two
// elements equal), and returns the sorted elements: a large slice is
// sorted in two halves at once, on two cores, and merged into a new one.
func sortHalves[T any](xs []T, cmp func(a, b T) int) []T {
	if len(xs) < 4096 || runtime.GOMAXPROCS(0) < 2 {
		slices.SortFunc(xs, cmp)
		return xs
	}
	a, b := xs[:len(xs)/2], xs[len(xs)/2:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(a, cmp) })
	slices.SortFunc(b, cmp)
	wg.Wait()
	out := make([]T, 0, len(xs))
	for len(a) > 0 && len(b) > 0 {
		if cmp(a[0], b[0]) < 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}
