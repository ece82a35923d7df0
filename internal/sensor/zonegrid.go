package sensor

import (
	"math"
	"math/bits"
	"strconv"

	"truce"
	"truce/internal/geo"
)

// ZoneGrid answers "which zones of an agreement contain this point" with
// exactly the answers of truce.Agreement.InZone (without a reading's
// substitutions), in a few nanoseconds for most points.
//
// A two-level grid covers the zones: coarse cells of at least 1/4 degree,
// and, where some zone's edge passes, blocks of 4 x 4 fine cells. Every
// cell records, per region, whether the region wholly contains it, wholly
// misses it, or has an edge near it (a boundary cell). A cell is a
// boundary cell of a region when some edge of the region passes within
// boundaryPadDegrees of it; otherwise no edge separates two of its points,
// so the region's even-odd answer is the same everywhere in the cell, and
// build time computes it once with geo.Region.Contains. For a point in a
// boundary cell the grid asks Region.Contains itself. Zones that share a
// region share its answers, and exclusions are applied as InZone applies
// them (for cells without boundary, once at build time).
//
// A ZoneGrid is immutable and safe for concurrent use.
type ZoneGrid struct {
	ids     []truce.ZoneID
	regions []*geo.Region // distinct regions, in order of first use
	zoneReg []int         // per zone: its region, or -1 (no geometry: never contains)
	excl    [][]int       // per zone: the zones it excludes (-1: an unknown id)
	self    []int         // per zone: the zone InZone looks up for its id (the first with it)
	plain   bool          // zone i is region i and nothing else applies
	zw, rw  int           // uint64 words per zone mask and per region mask

	x0, y0 float64 // grid origin (lon, lat): a multiple of the coarse cell size
	inv    float64 // fine cells per degree: a power of two
	nfx    int     // fine columns (nx << fineShift)
	nfy    int     // fine rows
	nx     int     // coarse columns
	coarse []uint32
	fine   []uint32 // per block, fineN*fineN states, row-major
	// states: state s is stride words from s*stride: the zone mask (valid
	// when the cell is no region's boundary), the mask of regions
	// containing the cell, the mask of regions with an edge near it.
	states []uint64
	stride int
}

const (
	fineShift = 2 // fine cells per coarse cell side: 1 << fineShift
	fineN     = 1 << fineShift
	blockFlag = 1 << 31
	// boundaryPadDegrees is how near an edge must come to a cell to make
	// it a boundary cell: far above the rounding of a cell index (about
	// 1e-13 degrees) and Region's EdgeToleranceDegrees (1e-12), so that
	// no point of a cell that is not a boundary cell is on an edge.
	boundaryPadDegrees = 1e-8
	// maxCoarseCells bounds the coarse grid (4 bytes a cell).
	maxCoarseCells = 1 << 20
)

// NewZoneGrid prepares the zones of a. It keeps a's regions (which are
// immutable); a MUST NOT be modified afterwards.
func NewZoneGrid(a *truce.Agreement) *ZoneGrid {
	n := len(a.Zones)
	g := &ZoneGrid{
		ids: make([]truce.ZoneID, n), zoneReg: make([]int, n), excl: make([][]int, n), self: make([]int, n),
		plain: true, zw: max(1, (n+63)/64),
	}
	first := map[truce.ZoneID]int{}
	regionOf := map[*geo.Region]int{}
	for i, z := range a.Zones {
		g.ids[i] = z.ID
		if _, ok := first[z.ID]; !ok {
			first[z.ID] = i
		}
		g.zoneReg[i] = -1
		if z.Region != nil {
			r, ok := regionOf[z.Region]
			if !ok {
				r = len(g.regions)
				regionOf[z.Region] = r
				g.regions = append(g.regions, z.Region)
			}
			g.zoneReg[i] = r
		}
	}
	g.rw = max(1, (len(g.regions)+63)/64)
	for i, z := range a.Zones {
		g.self[i] = first[z.ID]
		if g.self[i] != i || len(z.Exclude) > 0 || g.zoneReg[i] != i {
			g.plain = false
		}
		for _, ex := range z.Exclude {
			j, ok := first[ex]
			if !ok {
				j = -1
			}
			g.excl[i] = append(g.excl[i], j)
		}
	}
	g.stride = g.zw + 2*g.rw
	g.build()
	return g
}

// Len returns the number of zones.
func (g *ZoneGrid) Len() int { return len(g.ids) }

// ID returns the id of zone i (in the agreement's order).
func (g *ZoneGrid) ID(i int) truce.ZoneID { return g.ids[i] }

// Words returns the length of the masks Mask fills: one bit per zone.
func (g *ZoneGrid) Words() int { return g.zw }

// Mask sets bit i of mask (bit i%64 of mask[i/64]) when p is in zone i as
// Agreement.InZone(id, p, nil) says, and clears the others. mask MUST hold
// Words() words.
func (g *ZoneGrid) Mask(p geo.Point, mask []uint64) {
	mask = mask[:g.zw]
	st := g.state(p)
	if st == nil {
		clear(mask)
		return
	}
	in, bnd := st[g.zw:g.zw+g.rw], st[g.zw+g.rw:]
	boundary := false
	for _, b := range bnd {
		boundary = boundary || b != 0
	}
	if !boundary {
		copy(mask, st[:g.zw])
		return
	}
	var buf [4]uint64
	raw := append(buf[:0], in...)
	for w, b := range bnd {
		for b != 0 {
			k := bits.TrailingZeros64(b)
			b &= b - 1
			if g.regions[w*64+k].Contains(p) {
				raw[w] |= 1 << k
			}
		}
	}
	g.zoneMask(raw, mask)
}

// zoneMask turns region answers into zone answers, as InZone does.
func (g *ZoneGrid) zoneMask(raw, mask []uint64) {
	if g.plain {
		copy(mask, raw)
		return
	}
	clear(mask)
	for i := range g.ids {
		if g.inZone(g.self[i], raw, 0) {
			mask[i/64] |= 1 << (i % 64)
		}
	}
}

// inZone is Agreement.inZone on region answers.
func (g *ZoneGrid) inZone(i int, raw []uint64, depth int) bool {
	if i < 0 || depth > 8 {
		return false
	}
	r := g.zoneReg[i]
	if r < 0 || raw[r/64]&(1<<(r%64)) == 0 {
		return false
	}
	for _, ex := range g.excl[i] {
		if g.inZone(ex, raw, depth+1) {
			return false
		}
	}
	return true
}

// Zones appends to dst the ids of the zones containing p, in the
// agreement's order.
func (g *ZoneGrid) Zones(p geo.Point, dst []truce.ZoneID) []truce.ZoneID {
	mask := make([]uint64, g.zw)
	g.Mask(p, mask)
	for i := range g.ids {
		if mask[i/64]&(1<<(i%64)) != 0 {
			dst = append(dst, g.ids[i])
		}
	}
	return dst
}

// state returns the state of p's cell, nil outside the grid (where no
// region is).
func (g *ZoneGrid) state(p geo.Point) []uint64 {
	fx := (p.Lon - g.x0) * g.inv
	fy := (p.Lat - g.y0) * g.inv
	// Written so that NaN is outside.
	if !(fx >= 0 && fy >= 0 && fx < float64(g.nfx) && fy < float64(g.nfy)) {
		return nil
	}
	ix, iy := int(fx), int(fy)
	v := g.coarse[(iy>>fineShift)*g.nx+(ix>>fineShift)]
	if v&blockFlag != 0 {
		v = g.fine[int(v&^blockFlag)*fineN*fineN+(iy&(fineN-1))*fineN+(ix&(fineN-1))]
	}
	s := int(v) * g.stride
	return g.states[s : s+g.stride]
}

// String describes the grid's size, for benchmarks and logs.
func (g *ZoneGrid) String() string {
	return "zone grid: " + strconv.Itoa(len(g.ids)) + " zones, " + strconv.Itoa(len(g.regions)) + " regions, " +
		strconv.Itoa(len(g.coarse)) + " coarse cells of " + strconv.FormatFloat(fineN/g.inv, 'g', -1, 64) + "°, " +
		strconv.Itoa(len(g.fine)/(fineN*fineN)) + " blocks of " + strconv.Itoa(fineN*fineN) + " cells, " +
		strconv.Itoa(len(g.states)/g.stride) + " states"
}

// build lays out the grid and classifies every cell.
func (g *ZoneGrid) build() {
	box := geo.EmptyBBox()
	for _, r := range g.regions {
		if !r.BBox().Empty() {
			box = box.Union(r.BBox())
		}
	}
	if box.Empty() {
		g.inv = 1
		g.states = make([]uint64, g.stride)
		return
	}
	// Coarse cells of 1/4 degree, doubled until the grid is small enough;
	// one coarse cell of margin on every side, so that a point outside the
	// grid is far from every region.
	size := 0.25
	for {
		x0 := math.Floor(box.MinLon/size)*size - size
		y0 := math.Floor(box.MinLat/size)*size - size
		nx := int(math.Floor((box.MaxLon-x0)/size)) + 2
		ny := int(math.Floor((box.MaxLat-y0)/size)) + 2
		if nx*ny <= maxCoarseCells {
			g.x0, g.y0, g.nx = x0, y0, nx
			g.nfx, g.nfy = nx*fineN, ny*fineN
			g.inv = fineN / size
			break
		}
		size *= 2
	}
	newBuilder(g).run()
}
