package sensor

import (
	"encoding/binary"
	"math"
	"runtime"
	"slices"
	"sync"

	"truce/internal/geo"
)

// builder classifies the cells of a ZoneGrid.
type builder struct {
	g     *ZoneGrid
	rw    int        // region mask words
	ncx   int        // coarse columns
	ncy   int        // coarse rows
	marks [][]uint64 // per region: fine cells (iy<<32 | ix) near one of its edges
	touch []uint64   // per coarse cell: regions with an edge near it
	in    []uint64   // per coarse cell: regions containing it (untouched regions only)
	block []int32    // per coarse cell: its block, or -1
	cells []int32    // per block: its coarse cell
	fbnd  []uint64   // per fine cell of a block: regions with an edge near it
	fin   []uint64   // per fine cell of a block: regions containing it
}

func newBuilder(g *ZoneGrid) *builder {
	return &builder{g: g, rw: g.rw, ncx: g.nx, ncy: g.nfy >> fineShift}
}

// parallel runs fn(i) for i in [0, n) on every core.
func parallel(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

func (b *builder) run() {
	g, w := b.g, b.rw
	nc := b.ncx * b.ncy
	// The fine cells near each region's edges, one region per task.
	b.marks = make([][]uint64, len(g.regions))
	parallel(len(g.regions), func(r int) { b.marks[r] = b.edgeCells(g.regions[r]) })
	// Coarse cells near edges become blocks.
	b.touch = make([]uint64, nc*w)
	for r, ms := range b.marks {
		for _, m := range ms {
			ix, iy := int(uint32(m)), int(m>>32)
			c := (iy>>fineShift)*b.ncx + ix>>fineShift
			b.touch[c*w+r/64] |= 1 << (r % 64)
		}
	}
	b.block = make([]int32, nc)
	for c := range nc {
		b.block[c] = -1
		for k := range w {
			if b.touch[c*w+k] != 0 {
				b.block[c] = int32(len(b.cells))
				b.cells = append(b.cells, int32(c))
				break
			}
		}
	}
	nf := len(b.cells) * fineN * fineN
	b.fbnd = make([]uint64, nf*w)
	b.fin = make([]uint64, nf*w)
	for r, ms := range b.marks {
		for _, m := range ms {
			f := b.fineIndex(int(uint32(m)), int(m>>32))
			b.fbnd[f*w+r/64] |= 1 << (r % 64)
		}
	}
	b.marks = nil
	// Classify: coarse rows, then blocks, in parallel chunks that write
	// disjoint cells.
	b.in = make([]uint64, nc*w)
	const rowsPerTask = 16
	parallel((b.ncy+rowsPerTask-1)/rowsPerTask, func(t int) {
		for cy := t * rowsPerTask; cy < min(b.ncy, (t+1)*rowsPerTask); cy++ {
			for r, reg := range g.regions {
				b.classifyCoarseRow(r, reg, cy)
			}
		}
	})
	const blocksPerTask = 256
	parallel((len(b.cells)+blocksPerTask-1)/blocksPerTask, func(t int) {
		for blk := t * blocksPerTask; blk < min(len(b.cells), (t+1)*blocksPerTask); blk++ {
			for r, reg := range g.regions {
				b.classifyBlock(r, reg, blk)
			}
		}
	})
	b.assemble()
}

// fineIndex returns the index in fbnd and fin of fine cell (ix, iy), which
// MUST be in a block.
func (b *builder) fineIndex(ix, iy int) int {
	blk := b.block[(iy>>fineShift)*b.ncx+ix>>fineShift]
	return int(blk)*fineN*fineN + (iy&(fineN-1))*fineN + ix&(fineN-1)
}

// edgeCells returns every fine cell that an edge of r passes within
// boundaryPadDegrees of (with repeats). It visits the edges
// geo.Region tests: every pair of consecutive points of a ring, and the
// closing pair of a ring that is not closed, skipping non-finite points.
func (b *builder) edgeCells(r *geo.Region) []uint64 {
	var out []uint64
	for _, poly := range r.Geometry() {
		for _, ring := range poly {
			n := len(ring)
			for i := range n {
				p, q := ring[i], ring[(i+1)%n]
				if i == n-1 && p == q {
					break
				}
				if !finite(p) || !finite(q) {
					continue
				}
				out = b.raster(out, p, q)
			}
		}
	}
	return out
}

func finite(p geo.Point) bool {
	return !math.IsNaN(p.Lon) && !math.IsNaN(p.Lat) && !math.IsInf(p.Lon, 0) && !math.IsInf(p.Lat, 0)
}

// raster appends every fine cell whose box, grown by boundaryPadDegrees
// on every side, meets the segment p-q. A segment whose grown bounding box
// covers at most four cells marks them all (which errs on the side of
// boundary cells); a longer one is followed row by row: the part of the
// segment within the row's grown latitudes, and the columns its longitudes
// span.
func (b *builder) raster(out []uint64, p, q geo.Point) []uint64 {
	g := b.g
	const pad = boundaryPadDegrees
	if p.Lat > q.Lat {
		p, q = q, p
	}
	row := func(y float64) int { return clampIndex((y-g.y0)*g.inv, g.nfy) }
	col := func(x float64) int { return clampIndex((x-g.x0)*g.inv, g.nfx) }
	xmin, xmax := math.Min(p.Lon, q.Lon), math.Max(p.Lon, q.Lon)
	r0, r1 := row(p.Lat-pad), row(q.Lat+pad)
	c0, c1 := col(xmin-pad), col(xmax+pad)
	if (r1-r0+1)*(c1-c0+1) <= 4 {
		for iy := r0; iy <= r1; iy++ {
			for ix := c0; ix <= c1; ix++ {
				out = append(out, uint64(iy)<<32|uint64(ix))
			}
		}
		return out
	}
	step := 1 / g.inv
	dy := q.Lat - p.Lat
	k := 0.0
	if dy > 0 {
		k = (q.Lon - p.Lon) / dy
	}
	for iy := r0; iy <= r1; iy++ {
		xa, xb := xmin, xmax
		if dy > 0 {
			ylo := math.Max(p.Lat, g.y0+float64(iy)*step-pad)
			yhi := math.Min(q.Lat, g.y0+float64(iy+1)*step+pad)
			xa = p.Lon + (ylo-p.Lat)*k
			xb = p.Lon + (yhi-p.Lat)*k
			if xa > xb {
				xa, xb = xb, xa
			}
			xa, xb = math.Max(xa, xmin), math.Min(xb, xmax)
			if xa > xb {
				xa, xb = xb, xa
			}
		}
		for ix := col(xa - pad); ix <= col(xb+pad); ix++ {
			out = append(out, uint64(iy)<<32|uint64(ix))
		}
	}
	return out
}

// clampIndex is floor(f) clamped to [0, n).
func clampIndex(f float64, n int) int {
	switch {
	case !(f >= 0):
		return 0
	case f >= float64(n):
		return n - 1
	}
	return int(f)
}

// classifyCoarseRow sets region r's bit in b.in for every coarse cell of
// row cy that r's edges do not touch and that lies inside r. Along a row,
// neighbouring untouched cells share their answer (the segment between
// their centres crosses no edge), so Contains runs once per run of them.
func (b *builder) classifyCoarseRow(r int, reg *geo.Region, cy int) {
	g, w := b.g, b.rw
	size := fineN / g.inv
	box := reg.BBox()
	if box.Empty() {
		return
	}
	cy0 := clampIndex((box.MinLat-g.y0)/size, b.ncy) - 1
	cy1 := clampIndex((box.MaxLat-g.y0)/size, b.ncy) + 1
	if cy < cy0 || cy > cy1 {
		return
	}
	cx0 := max(0, clampIndex((box.MinLon-g.x0)/size, b.ncx)-1)
	cx1 := min(b.ncx-1, clampIndex((box.MaxLon-g.x0)/size, b.ncx)+1)
	word, bit := r/64, uint64(1)<<(r%64)
	run, in := false, false
	for cx := cx0; cx <= cx1; cx++ {
		c := cy*b.ncx + cx
		if b.touch[c*w+word]&bit != 0 {
			run = false
			continue
		}
		if !run {
			run = true
			in = reg.Contains(geo.Point{Lon: g.x0 + (float64(cx)+0.5)*size, Lat: g.y0 + (float64(cy)+0.5)*size})
		}
		if in {
			b.in[c*w+word] |= bit
		}
	}
}

// classifyBlock does what classifyCoarseRow does inside block blk: a region
// that does not touch the coarse cell gives every fine cell the coarse
// cell's answer; one that does is answered per group of fine cells that are
// not on its boundary and connect through shared sides (the segment between
// the centres of two such neighbours crosses no edge), with one Contains
// per group.
func (b *builder) classifyBlock(r int, reg *geo.Region, blk int) {
	g, w := b.g, b.rw
	word, bit := r/64, uint64(1)<<(r%64)
	c := int(b.cells[blk])
	base := blk * fineN * fineN
	if b.touch[c*w+word]&bit == 0 {
		if b.in[c*w+word]&bit != 0 {
			for f := base; f < base+fineN*fineN; f++ {
				b.fin[f*w+word] |= bit
			}
		}
		return
	}
	step := 1 / g.inv
	fx0 := (c % b.ncx) * fineN
	fy0 := (c / b.ncx) * fineN
	const unseen, boundary = -1, -2
	var label [fineN * fineN]int8 // component of each cell, or unseen/boundary
	for k := range label {
		label[k] = unseen
		if b.fbnd[(base+k)*w+word]&bit != 0 {
			label[k] = boundary
		}
	}
	var stack [fineN * fineN]int
	for k := range label {
		if label[k] != unseen {
			continue
		}
		in := reg.Contains(geo.Point{Lon: g.x0 + (float64(fx0+k%fineN)+0.5)*step, Lat: g.y0 + (float64(fy0+k/fineN)+0.5)*step})
		label[k] = int8(k)
		top := 0
		stack[top] = k
		top++
		for top > 0 {
			top--
			q := stack[top]
			if in {
				b.fin[(base+q)*w+word] |= bit
			}
			i, j := q%fineN, q/fineN
			for _, nb := range [4][2]int{{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}} {
				if nb[0] < 0 || nb[0] >= fineN || nb[1] < 0 || nb[1] >= fineN {
					continue
				}
				if m := nb[1]*fineN + nb[0]; label[m] == unseen {
					label[m] = int8(k)
					stack[top] = m
					top++
				}
			}
		}
	}
}

// assemble turns the masks into the grid's state table, coarse cells and
// blocks.
func (b *builder) assemble() {
	g, w := b.g, b.rw
	zero := make([]uint64, w)
	zmask := make([]uint64, g.zw)
	add := func(in, bnd []uint64) uint32 {
		s := uint32(len(g.states) / g.stride)
		clear(zmask)
		if !slices.ContainsFunc(bnd, func(x uint64) bool { return x != 0 }) {
			g.zoneMask(in, zmask)
		}
		g.states = append(g.states, zmask...)
		g.states = append(g.states, in...)
		g.states = append(g.states, bnd...)
		return s
	}
	var state func(in, bnd []uint64) uint32
	if w == 1 {
		// One word per mask (up to 64 regions): the masks are the key.
		// Neighbouring cells mostly share a state: try the last one first.
		ids := map[[2]uint64]uint32{}
		last, lastID, haveLast := [2]uint64{}, uint32(0), false
		state = func(in, bnd []uint64) uint32 {
			k := [2]uint64{in[0], bnd[0]}
			if haveLast && k == last {
				return lastID
			}
			s, ok := ids[k]
			if !ok {
				s = add(in, bnd)
				ids[k] = s
			}
			last, lastID, haveLast = k, s, true
			return s
		}
	} else {
		ids := map[string]uint32{}
		key := make([]byte, 0, 16*w)
		state = func(in, bnd []uint64) uint32 {
			key = key[:0]
			for _, x := range in {
				key = binary.LittleEndian.AppendUint64(key, x)
			}
			for _, x := range bnd {
				key = binary.LittleEndian.AppendUint64(key, x)
			}
			s, ok := ids[string(key)]
			if !ok {
				s = add(in, bnd)
				ids[string(key)] = s
			}
			return s
		}
	}
	state(zero, zero) // state 0: outside everything
	g.coarse = make([]uint32, b.ncx*b.ncy)
	for c := range g.coarse {
		in := b.in[c*w : c*w+w]
		switch blk := b.block[c]; {
		case blk >= 0:
			g.coarse[c] = blockFlag | uint32(blk)
		case slices.Equal(in, zero):
			// state 0, as made
		default:
			g.coarse[c] = state(in, zero)
		}
	}
	g.fine = make([]uint32, len(b.cells)*fineN*fineN)
	for f := range g.fine {
		g.fine[f] = state(b.fin[f*w:f*w+w], b.fbnd[f*w:f*w+w])
	}
}
