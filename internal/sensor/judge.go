package sensor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"truce"
	"truce/internal/geo"
	"truce/internal/importer"
)

// Options control Judge.
type Options struct {
	// File names the input in row errors ("stdin" if empty; a path is cut
	// to its base name).
	File string
	// Strict makes the first bad row fatal: Judge writes the answers of
	// the rows before it and returns its RowError.
	Strict bool
	// Workers is the number of goroutines that judge blocks; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// BlockBytes is the size of the blocks the input is cut into, on line
	// boundaries; 0 means DefaultBlockBytes. At most 2*Workers+2 blocks,
	// each with its answers, are in memory at once.
	BlockBytes int
	// Bad, if not nil, receives every bad row, in input order.
	Bad func(importer.RowError)
	// Progress, if not nil, is called after each block's answers are
	// written, in input order, from the goroutine that called Judge. It
	// MUST be quick: the writer waits for it.
	Progress func(Progress)
}

// DefaultBlockBytes is the default block size: large enough that a block
// costs a worker far more than handing it over, small enough that memory
// stays at a few tens of megabytes.
const DefaultBlockBytes = 1 << 20

// Progress is how far Judge has got.
type Progress struct {
	Bytes int64 // input bytes whose answers are written
	Rows  int   // rows read (good and bad)
}

// Stats counts the rows of one Judge run. Read is Accepted + Rejected;
// blank lines are not rows.
type Stats struct {
	Read, Accepted, Rejected int
	NearSite                 int   // accepted rows with a site within the radius
	InZone                   int   // accepted rows in at least one zone
	Alerts                   int   // accepted rows marked "alert"
	Bytes                    int64 // input bytes up to the last row whose answer is written
}

// Header is the header line of Judge's output.
const Header = "line,lon,lat,time,site,distance_m,zones,alert,frp,confidence\n"

// Judge reads a NASA FIRMS active-fire CSV (VIIRS or MODIS, as
// importer.NewFIRMSParser describes) from r and writes one answer per good
// row to w, in input order, as CSV with the columns of Header:
//
//	line        the row's line (the header is line 1)
//	lon, lat    the pixel centre, as the input writes it
//	time        the acquisition minute, UTC, as 2006-01-02T15:04:00Z
//	site        the id of the nearest site within the index's radius
//	            (geo.Distance, a site at exactly the radius included, ties
//	            to the lowest site index); empty if none
//	distance_m  the distance to that site in metres, 3 decimals
//	zones       the ids of the zones containing the point, in the
//	            agreement's order, joined by "|" (Agreement.InZone without
//	            substitutions: edges inside, exclusions applied)
//	alert       "alert" if some site within the radius is covered, at the
//	            acquisition time, by a commitment of a phase in force
//	            under at least one reading (see Index.Alerts, which lists
//	            them); else empty
//	frp         fire radiative power, MW, as the input writes it
//	confidence  low, nominal or high (VIIRS), 0-100 (MODIS)
//
// The input is cut into blocks of whole lines that all cores parse and
// judge at once; memory stays bounded whatever the input's size. Rows are
// parsed by importer.FIRMSParser; bad rows are skipped (and passed to
// opt.Bad) unless opt.Strict, and blank lines are ignored. A header that
// is not FIRMS is an EINVALID RowError at its line. w receives the header,
// then one Write per block (about a megabyte): it needs no buffering.
// Judge stops early when ctx is done or w fails, and returns that error.
func Judge(ctx context.Context, r io.Reader, w io.Writer, ix *Index, opt Options) (Stats, error) {
	if ix == nil {
		return Stats{}, errors.New("sensor: Judge needs an index")
	}
	j := newJudgeRun(opt)
	j.setIndex(ix)
	return j.run(ctx, r, w, nil)
}

// MaxParseAhead is how many blocks JudgeWhile parses ahead while its index
// is being built. Parsed rows take about half the memory of their text, so
// this caps the wait at some 40 MB (with the default block size).
const MaxParseAhead = 64

// JudgeWhile is Judge for an index still to be built, for when building it
// is slow: loading an agreement's zone files takes a quarter of a second
// of one core, during which the other cores can already read and parse
// rows. It calls build on a goroutine of its own, and meanwhile reads and
// parses up to MaxParseAhead blocks (plus the usual 2*Workers+2) and keeps
// their rows; it answers them once build returns, then goes on as Judge
// does. An error from build ends the run and is returned. The header is
// checked first: with a bad one, build is not called.
func JudgeWhile(ctx context.Context, r io.Reader, w io.Writer, build func() (*Index, error), opt Options) (Stats, error) {
	return newJudgeRun(opt).run(ctx, r, w, build)
}

// block is a run of whole input lines and, once judged, their answers.
type block struct {
	seq   int
	line  int    // number of the first line of data
	data  []byte // whole lines; the last one may lack its line end (end of input)
	long  bool   // data is the start of one line longer than the block size
	end   int64  // input offset just past the block's last line
	token bool   // the block holds one of the run's tokens

	rows   []row  // the parsed rows, while the block waits for the index,
	text   []byte // and the text they echo
	out    []byte
	bad    []importer.RowError
	failed bool // strict: bad[0] stops the run, out holds the rows before it
	st     Stats
}

// row is what an answer needs of a hotspot parsed ahead: no pointer, so
// the garbage collector does not scan the rows that wait for the index.
type row struct {
	line          int
	p             geo.Point
	t             int64 // unix seconds
	lat, lon, frp textSpan
	conf          uint8 // see confCode
}

// textSpan is where a field's text lies in its block's text.
type textSpan struct {
	off uint32
	n   uint16
}

func (s textSpan) of(data []byte) []byte { return data[s.off : s.off+uint32(s.n)] }

// confCode encodes a hotspot's confidence: low, nominal and high are 0, 1
// and 2, a MODIS percentage n is 3+n.
func confCode(s string) uint8 {
	switch s {
	case "low":
		return 0
	case "nominal":
		return 1
	case "high":
		return 2
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return uint8(3 + min(n, 100))
}

// confText is the text of each confidence code.
var confText = func() (t [104]string) {
	t[0], t[1], t[2] = "low", "nominal", "high"
	for n := 0; n <= 100; n++ {
		t[3+n] = strconv.Itoa(n)
	}
	return t
}()

type judgeRun struct {
	opt      Options
	file     string
	workers  int
	size     int
	inflight int // blocks between the reader and the writer, in steady state
	header   []byte
	free     chan []byte // spare input buffers
	outFree  chan []byte // spare output buffers

	// The index, and the blocks parsed before it was ready.
	ready   atomic.Bool
	readyCh chan struct{} // closed once ready
	mu      sync.Mutex
	ix      *Index
	parked  []*block
	redo    chan *block // parked blocks, once the index is ready
}

func newJudgeRun(opt Options) *judgeRun {
	j := &judgeRun{opt: opt, file: "stdin", workers: opt.Workers, size: opt.BlockBytes, readyCh: make(chan struct{})}
	if opt.File != "" {
		j.file = filepath.Base(opt.File)
	}
	if j.workers <= 0 {
		j.workers = runtime.GOMAXPROCS(0)
	}
	if j.size <= 0 {
		j.size = DefaultBlockBytes
	}
	j.size = max(j.size, 2*importer.MaxFIRMSLineBytes+2)
	j.inflight = 2*j.workers + 2
	j.free = make(chan []byte, MaxParseAhead+j.inflight+1)
	j.outFree = make(chan []byte, j.inflight+1)
	j.redo = make(chan *block, MaxParseAhead+j.inflight)
	return j
}

// setIndex makes ix the run's index and hands the blocks parsed while
// waiting for it to the workers.
func (j *judgeRun) setIndex(ix *Index) {
	j.mu.Lock()
	j.ix = ix
	j.ready.Store(true)
	parked := j.parked
	j.parked = nil
	j.mu.Unlock()
	for _, b := range parked {
		j.redo <- b // never blocks: redo holds every block that can be parked
	}
	close(j.readyCh)
}

// park keeps a parsed block until the index is ready; false means it is
// ready now, and the block is the caller's to answer.
func (j *judgeRun) park(b *block) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ready.Load() {
		return false
	}
	j.parked = append(j.parked, b)
	return true
}

func (j *judgeRun) rowError(line int, err error) importer.RowError {
	return importer.RowError{File: j.file, Line: line, Err: err}
}

// pipe is the channels of one run between its reader, its workers and its
// writer.
type pipe struct {
	tokens chan struct{} // one per block in flight, in steady state
	todo   chan *block   // blocks read, in input order
	done   chan *block   // blocks judged, in any order
	// readErr is the reader's error (nil at the end of the input), sent
	// before it closes todo, so it is there once every block is written.
	readErr chan error
	cancel  context.CancelFunc
}

// run is Judge, or JudgeWhile when build is not nil: it reads the header,
// starts the index builder, the reader and the workers, and writes the
// answers as they come.
func (j *judgeRun) run(ctx context.Context, r io.Reader, w io.Writer, build func() (*Index, error)) (Stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rd, err := j.readHeader(r)
	if err != nil {
		return Stats{}, err
	}
	buildErr := make(chan error, 1)
	if build != nil {
		go j.build(build, buildErr, cancel)
	}
	if _, err := io.WriteString(w, Header); err != nil {
		return Stats{}, err
	}
	p := &pipe{
		tokens: make(chan struct{}, j.inflight), todo: make(chan *block, j.inflight), done: make(chan *block, j.inflight),
		readErr: make(chan error, 1), cancel: cancel,
	}
	go j.read(ctx, rd, p)
	var wg sync.WaitGroup
	for range j.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.work(ctx, p.todo, p.done)
		}()
	}
	go func() { wg.Wait(); close(p.done) }()
	total, err := j.write(w, p)
	if err != nil {
		return total, err
	}
	select {
	case err := <-buildErr:
		if err != nil {
			return total, err
		}
	default:
	}
	select {
	case err := <-p.readErr:
		if err != nil {
			return total, err
		}
	default: // the reader is still blocked in Read: ctx is done
	}
	return total, ctx.Err()
}

// readHeader reads and checks the header, the first non-blank line, before
// the pipeline starts (its bytes count for progress with the first block),
// and returns the reader of the blocks after it.
func (j *judgeRun) readHeader(r io.Reader) (*blockReader, error) {
	rd := &blockReader{r: r, size: j.size}
	hdrLine, hdr, err := rd.header()
	if err != nil {
		switch {
		case errors.Is(err, errNoHeader):
			return nil, j.rowError(max(hdrLine, 1), truce.Errorf(truce.EINVALID, "empty input, no header"))
		case errors.Is(err, errLongHeader):
			return nil, j.rowError(hdrLine, truce.Errorf(truce.EINVALID, "header: line longer than %d bytes", importer.MaxFIRMSLineBytes))
		}
		return nil, fmt.Errorf("read %s: %w", j.file, err)
	}
	if _, err := importer.NewFIRMSParser(hdr); err != nil {
		return nil, j.rowError(hdrLine, err)
	}
	j.header = bytes.Clone(hdr)
	return rd, nil
}

// build builds the index with fn and makes it the run's; it sends fn's
// error (nil once the index is set) to errc, and cancels the run on one.
func (j *judgeRun) build(fn func() (*Index, error), errc chan<- error, cancel context.CancelFunc) {
	ix, err := fn()
	if err == nil && ix == nil {
		err = errors.New("sensor: the index builder returned no index")
	}
	if err != nil {
		errc <- err
		cancel()
		return
	}
	j.setIndex(ix)
	errc <- nil
}

// read cuts the input into blocks and sends them to the workers, each
// with a token, until the input ends, it fails (which cancels the run) or
// ctx is done; then it sends its error to p.readErr and closes p.todo.
// While the index is being built it runs up to MaxParseAhead blocks ahead
// without tokens.
func (j *judgeRun) read(ctx context.Context, rd *blockReader, p *pipe) {
	defer close(p.todo)
	ahead := 0
	for seq := 0; ; seq++ {
		token := true
		if !j.ready.Load() && ahead < MaxParseAhead {
			ahead++
			token = false
		}
		if token {
			select {
			case p.tokens <- struct{}{}:
			case <-ctx.Done():
				p.readErr <- nil
				return
			}
		}
		b, err := rd.next(j.takeBuffer())
		if b != nil {
			b.seq, b.token = seq, token
			select {
			case p.todo <- b:
			case <-ctx.Done():
				p.readErr <- nil
				return
			}
		} else if token {
			<-p.tokens
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			} else {
				err = fmt.Errorf("read %s: %w", j.file, err)
				p.cancel()
			}
			p.readErr <- err
			return
		}
	}
}

// write writes the judged blocks' answers to w in input order, as the
// workers finish them, until p.done is closed, and returns the counts of
// the blocks written. After the first error, of w or a strict run's bad
// row, which cancels the run, it only returns the blocks' tokens.
func (j *judgeRun) write(w io.Writer, p *pipe) (Stats, error) {
	var total Stats
	var prog Progress
	var outErr error
	pending := map[int]*block{}
	next := 0
	for b := range p.done {
		pending[b.seq] = b
		for pb := pending[next]; pb != nil; pb = pending[next] {
			delete(pending, next)
			next++
			if pb.token {
				<-p.tokens
			}
			if outErr != nil {
				continue
			}
			if outErr = j.writeBlock(w, pb, &total, &prog); outErr != nil {
				p.cancel()
			}
		}
	}
	total.Bytes = prog.Bytes
	return total, outErr
}

// writeBlock passes a block's bad rows to opt.Bad, adds its counts to
// total and writes its answers; then, unless it stopped a strict run (its
// first bad row is the error), it reports progress and recycles the
// block's buffers.
func (j *judgeRun) writeBlock(w io.Writer, b *block, total *Stats, prog *Progress) error {
	if !j.opt.Strict && j.opt.Bad != nil {
		for _, e := range b.bad {
			j.opt.Bad(e)
		}
	}
	total.add(b.st)
	if _, err := w.Write(b.out); err != nil {
		return err
	}
	if b.failed {
		return b.bad[0]
	}
	prog.Bytes = b.end
	prog.Rows += b.st.Read
	if j.opt.Progress != nil {
		j.opt.Progress(*prog)
	}
	j.recycle(b)
	return nil
}

// work judges blocks until the input is done: once the index is ready, in
// one pass per block; before, it parses them and parks them, to be
// answered (first, being the oldest) once the index is ready.
func (j *judgeRun) work(ctx context.Context, todo <-chan *block, done chan<- *block) {
	p, _ := importer.NewFIRMSParser(j.header)
	an := &answerer{j: j}
	send := func(b *block) bool {
		select {
		case done <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	answer := func(b *block) bool {
		j.answerRows(b, an)
		return send(b)
	}
	for {
		select {
		case b := <-j.redo:
			if !answer(b) {
				return
			}
			continue
		default:
		}
		select {
		case b := <-j.redo:
			if !answer(b) {
				return
			}
		case b, ok := <-todo:
			if !ok {
				// Every block is read: the parked ones are in redo once
				// the index is ready.
				select {
				case <-j.readyCh:
				case <-ctx.Done():
					return
				}
				for {
					select {
					case b := <-j.redo:
						if !answer(b) {
							return
						}
					default:
						return
					}
				}
			}
			if j.ready.Load() {
				j.judgeBlock(b, p, an)
				if !send(b) {
					return
				}
				continue
			}
			j.parseBlock(b, p)
			if !j.park(b) && !answer(b) {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

func (s *Stats) add(o Stats) {
	s.Read += o.Read
	s.Accepted += o.Accepted
	s.Rejected += o.Rejected
	s.NearSite += o.NearSite
	s.InZone += o.InZone
	s.Alerts += o.Alerts
}

// takeBuffer returns a spare input buffer or a new one.
func (j *judgeRun) takeBuffer() []byte {
	select {
	case b := <-j.free:
		return b[:0]
	default:
		return make([]byte, 0, j.size)
	}
}

// putBuffer keeps an input buffer for another block.
func (j *judgeRun) putBuffer(b []byte) {
	if cap(b) == j.size {
		select {
		case j.free <- b:
		default:
		}
	}
}

// recycle returns a written block's buffers.
func (j *judgeRun) recycle(b *block) {
	j.putBuffer(b.data)
	select {
	case j.outFree <- b.out:
	default:
	}
	b.data, b.out, b.rows = nil, nil, nil
}

func (j *judgeRun) takeOut(b *block) {
	select {
	case b.out = <-j.outFree:
		b.out = b.out[:0]
	default:
		b.out = make([]byte, 0, len(b.data)+len(b.data)/4+len(b.rows)*100)
	}
}
