package report

import (
	"math"

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
	var out []adjudicate.Group
	for _, c := range clusters {
		out = append(out, adjudicate.GroupReports(c, opt)...)
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
	// Members at one point (a town's centre, say) are one cluster: the
	// grid holds one member per point.
	at := map[geo.Point]int{}
	grid := map[[2]int64][]int{}
	for i := range ms {
		p := ms[i].Report.Location
		if j, ok := at[p]; ok {
			parent[i] = j
			continue
		}
		at[p] = i
		grid[cellOf(p)] = append(grid[cellOf(p)], i)
	}
	// A hair beyond meters: a pair GroupReports could join is never split.
	limit := meters * (1 + 1e-9)
	for c, is := range grid {
		for dy := int64(-1); dy <= 1; dy++ {
			for dx := int64(-1); dx <= 1; dx++ {
				for _, j := range grid[[2]int64{c[0] + dy, c[1] + dx}] {
					for _, i := range is {
						if i < j && find(i) != find(j) && geo.Distance(ms[i].Report.Location, ms[j].Report.Location) <= limit {
							parent[find(i)] = find(j)
						}
					}
				}
			}
		}
	}
	index := map[int]int{}
	var out [][]adjudicate.Member
	for i := range ms {
		r := find(i)
		k, ok := index[r]
		if !ok {
			k = len(out)
			index[r] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], ms[i])
	}
	return out
}
