package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// The log is sequenced, then integrated (as in Tessera). A write
// transaction stores its records with their indexes, and nothing else of
// the log: once it commits, its records are durable and their place in the
// log is fixed. Integration, in its own write transaction, hashes the
// records sequenced since the last integration into the tree, writes the
// new stored hashes and signs one checkpoint of the new size, and commits
// the hashes and the checkpoint together. The integrated size is therefore
// the size of the newest checkpoint: the two cannot disagree.
//
// The contracts:
//
//   - a write MUST store its records in the transaction of its domain rows,
//     after taking the driver's log lock (which serialises sequencing, so
//     that sequencing transactions commit one at a time, in index order),
//     and MUST NOT write hashes or checkpoints;
//   - integration MUST run in a transaction (Driver.Integrate) that keeps
//     other integrations out until it ends, so that the records it reads
//     are a contiguous prefix of the log that no other integration is
//     integrating, and MUST write the hashes of records [m, n) with the
//     checkpoint of size n, in one transaction. It need not hold the log
//     lock (PostgreSQL's does not: writes go on sequencing while it
//     hashes), since the committed records are always a prefix;
//   - nothing but integration writes log_hashes or log_checkpoints.
const (
	// IntegrateDelay is how long the integrator waits after a write before
	// it integrates, so that the writes of that interval share one
	// integration: one set of hash writes and one signed checkpoint.
	IntegrateDelay = 20 * time.Millisecond
	// IntegrateBatch is the most records one integration transaction
	// hashes; a longer backlog takes several.
	IntegrateBatch = 4096
	// integrateTimeout bounds one background integration.
	integrateTimeout = time.Minute
)

// integratedQuery reads the integrated size: the size of the newest
// checkpoint, which integration writes with the hashes it covers.
const integratedQuery = `SELECT COALESCE(MAX(size), 0) FROM log_checkpoints`

// integrator runs a store's background integration: one goroutine at a
// time, started by a write and ending when nothing is left to integrate.
type integrator struct {
	mu      sync.Mutex
	running bool // a goroutine is integrating or about to
	again   bool // a write committed since the goroutine last began a pass
	stopped bool // Stop was called: Kick starts nothing
	// ctx is cancelled by Stop; done is closed when the running goroutine
	// returns.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// Kick asks for the records sequenced so far to be integrated in the
// background, within IntegrateDelay or so: a driver calls it after each
// write transaction that appended records has committed. integrate is the
// store's Integrate. An integration that fails is not retried until the
// next Kick, Integrate or LogSource: the records stay sequenced and
// durable meanwhile.
func (k *Key) Kick(integrate func(context.Context) (int64, error)) {
	g := &k.integ
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return
	}
	if g.running {
		g.again = true
		return
	}
	if g.ctx == nil {
		g.ctx, g.cancel = context.WithCancel(context.Background())
	}
	g.running, g.again = true, false
	g.done = make(chan struct{})
	go g.loop(g.ctx, g.done, integrate)
}

// Stop ends background integration: a pass under way is cancelled and
// waited for, and later Kicks start nothing. A store's Close calls it
// before it closes its database, so that no integration outlives the
// store. Records sequenced and not yet integrated stay durable; the next
// Integrate or LogSource, in this process or another, integrates them.
func (k *Key) Stop() {
	g := &k.integ
	g.mu.Lock()
	g.stopped = true
	if g.cancel != nil {
		g.cancel()
	}
	done := g.done
	g.mu.Unlock()
	if done != nil {
		<-done
	}
}

// loop integrates until a pass begins after the last Kick, or Stop.
func (g *integrator) loop(base context.Context, done chan struct{}, integrate func(context.Context) (int64, error)) {
	defer close(done)
	delay := time.NewTimer(IntegrateDelay)
	defer delay.Stop()
	for {
		select {
		case <-base.Done():
		case <-delay.C:
		}
		g.mu.Lock()
		if base.Err() != nil { // stopped, during the delay or as it ended
			g.running = false
			g.mu.Unlock()
			return
		}
		g.again = false
		g.mu.Unlock()
		ctx, cancel := context.WithTimeout(base, integrateTimeout)
		_, err := integrate(ctx)
		cancel()
		g.mu.Lock()
		if err != nil || !g.again || base.Err() != nil {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		delay.Reset(IntegrateDelay)
	}
}

// Integrate integrates every record sequenced when it is called (and any
// sequenced meanwhile, up to IntegrateBatch more), in as many integration
// transactions as IntegrateBatch requires, and returns the integrated
// size. Each transaction (Driver.Integrate, which appends no record)
// hashes the new records into the tree and signs one checkpoint. With
// nothing to integrate it writes nothing.
//
// A driver with Driver.HashOnSnapshot hashes and signs on a read snapshot
// first, outside any write transaction, and its write transaction only
// stores the result, after checking that the integrated size is still the
// one the hashes extend (else another integration came first, and this one
// starts again).
func (c Core) Integrate(ctx context.Context) (int64, error) {
	_, signer, _, err := c.d.Key(ctx)
	if err != nil {
		return 0, err
	}
	for {
		var in *integration
		if c.d.HashOnSnapshot {
			db, done, err := c.d.Snapshot(ctx)
			if err != nil {
				return 0, fmt.Errorf("integrate: %w", err)
			}
			var seq int64
			if err = db.QueryRow(ctx, sizeQuery).Scan(&seq); err == nil {
				in, err = planIntegration(ctx, db, c.d.Dialect, signer, seq)
			}
			done()
			if err != nil {
				return 0, fmt.Errorf("integrate: %w", err)
			}
			if in.hashes == nil {
				return in.size, nil
			}
		}
		var size, seq int64
		err := c.d.Integrate(ctx, func(w WriteTx) error {
			if in != nil {
				size, seq = in.size, in.seq
				if err := in.current(ctx, w); err != nil {
					return err
				}
				return in.store(ctx, w)
			}
			n, err := w.Size()
			if err != nil {
				return err
			}
			p, err := planIntegration(ctx, w, c.d.Dialect, signer, n)
			if err != nil {
				return err
			}
			size, seq = p.size, p.seq
			if p.hashes == nil {
				return nil
			}
			return p.store(ctx, w)
		})
		if errors.Is(err, errIntegrationStale) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("integrate: %w", err)
		}
		if size == seq {
			return size, nil
		}
	}
}

// errIntegrationStale: another integration stored its checkpoint after
// this one read the integrated size.
var errIntegrationStale = errors.New("the integrated size changed meanwhile")

// integration is one integration computed and not yet stored: the hashes
// of records [start, size) and the checkpoint of size, signed.
type integration struct {
	start, size int64
	seq         int64 // the sequenced size seen
	hashes      *batchHashes
	note        []byte
}

// planIntegration hashes at most IntegrateBatch records after the
// integrated size into the tree, reading db, and signs a checkpoint of the
// new size; seq is the log's sequenced size on db. With nothing to
// integrate the result has no hashes (and size == seq).
func planIntegration(ctx context.Context, db DB, d Dialect, signer string, seq int64) (*integration, error) {
	var start int64
	if err := db.QueryRow(ctx, integratedQuery).Scan(&start); err != nil {
		return nil, fmt.Errorf("integrated size: %w", err)
	}
	if start > seq {
		return nil, fmt.Errorf("%w: checkpoint of size %d, the log has %d records", ledger.ErrLedgerDiverged, start, seq)
	}
	in := &integration{start: start, size: start, seq: seq}
	if start == seq {
		return in, nil
	}
	end := min(seq, start+IntegrateBatch)
	recs, err := source{db, d}.Records(ctx, start, end)
	if err != nil {
		return nil, err
	}
	in.hashes = &batchHashes{db: db, d: d, first: tlog.StoredHashIndex(0, start), read: map[int64]tlog.Hash{}}
	if in.size, err = ledger.Integrate(ctx, in.hashes, start, recs); err != nil {
		return nil, err
	}
	if in.note, _, err = ledger.SignTree(ctx, in.hashes, signer, in.size); err != nil {
		return nil, err
	}
	return in, nil
}

// current checks that the integrated size in w is still the one the
// integration, planned on an earlier snapshot, extends.
func (in *integration) current(ctx context.Context, w WriteTx) error {
	var cur int64
	if err := w.QueryRow(ctx, integratedQuery).Scan(&cur); err != nil {
		return fmt.Errorf("integrated size: %w", err)
	}
	if cur != in.start {
		return errIntegrationStale
	}
	return nil
}

// store writes the integration's hashes and checkpoint in w.
func (in *integration) store(ctx context.Context, w WriteTx) error {
	in.hashes.db = w
	if err := in.hashes.flush(ctx); err != nil {
		return err
	}
	if _, err := w.Exec(ctx, `INSERT INTO log_checkpoints (size, note, created_ns) VALUES ($1, $2, $3)`,
		in.size, in.note, w.Now().UnixNano()); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// batchHashes is the ledger.HashStore of one integration: the hashes it
// writes stay in memory until flush; earlier ones are read from the
// database once each.
type batchHashes struct {
	db      DB
	d       Dialect
	first   int64 // the first stored hash index this integration writes
	pending []tlog.Hash
	read    map[int64]tlog.Hash
}

// ReadHashes implements ledger.HashReader.
func (b *batchHashes) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	var missing []int64
	for _, x := range indexes {
		if _, ok := b.read[x]; !ok && x < b.first {
			missing = append(missing, x)
		}
	}
	if len(missing) > 0 {
		hs, err := b.d.ReadHashes(ctx, b.db, missing)
		if err != nil {
			return nil, err
		}
		for i, x := range missing {
			b.read[x] = hs[i]
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		switch {
		case x < b.first:
			out[i] = b.read[x]
		case x-b.first < int64(len(b.pending)):
			out[i] = b.pending[x-b.first]
		default:
			return nil, fmt.Errorf("read hash %d: not written yet", x)
		}
	}
	return out, nil
}

// WriteHashes implements ledger.HashStore; Append writes in index order,
// so the pending hashes stay contiguous.
func (b *batchHashes) WriteHashes(_ context.Context, start int64, hs []tlog.Hash) error {
	if want := b.first + int64(len(b.pending)); start != want {
		return fmt.Errorf("write hashes at %d, want %d", start, want)
	}
	b.pending = append(b.pending, hs...)
	return nil
}

// hashRows is how many hashes one INSERT writes: two parameters each,
// well under SQLite's and PostgreSQL's limits.
const hashRows = 500

// hashChunks are the numbers of hashes one INSERT writes, largest first:
// a batch is written in the largest that fit, so that a store that keeps
// its statements prepared prepares only these few.
var hashChunks = []int{hashRows, 100, 20, 5, 1}

// flush writes the pending hashes, up to hashRows to a statement.
func (b *batchHashes) flush(ctx context.Context) error {
	for lo := 0; lo < len(b.pending); {
		n := hashChunks[slices.IndexFunc(hashChunks, func(n int) bool { return n <= len(b.pending)-lo })]
		hi := lo + n
		var q strings.Builder
		q.WriteString(`INSERT INTO log_hashes (idx, hash) VALUES `)
		args := make([]any, 0, 2*(hi-lo))
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteString(", ")
			}
			q.WriteString("(" + b.d.Param(len(args)+1) + ", " + b.d.Param(len(args)+2) + ")")
			args = append(args, b.first+int64(i), b.pending[i][:])
		}
		if _, err := b.db.Exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write hashes: %w", err)
		}
		lo = hi
	}
	return nil
}
