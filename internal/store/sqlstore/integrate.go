package sqlstore

import (
	"context"
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
	if g.running {
		g.again = true
		return
	}
	g.running, g.again = true, false
	go g.loop(integrate)
}

// loop integrates until a pass begins after the last Kick.
func (g *integrator) loop(integrate func(context.Context) (int64, error)) {
	for {
		time.Sleep(IntegrateDelay)
		g.mu.Lock()
		g.again = false
		g.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), integrateTimeout)
		_, err := integrate(ctx)
		cancel()
		g.mu.Lock()
		if err != nil || !g.again {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
	}
}

// Integrate integrates every record sequenced when it is called (and any
// sequenced meanwhile, up to IntegrateBatch more), in as many integration
// transactions as IntegrateBatch requires, and returns the integrated
// size. Each transaction (Driver.Integrate, which appends no record)
// hashes the new records into the tree and signs one checkpoint. With nothing to integrate it writes nothing.
func (c Core) Integrate(ctx context.Context) (int64, error) {
	_, signer, _, err := c.d.Key(ctx)
	if err != nil {
		return 0, err
	}
	for {
		var size, seq int64
		err := c.d.Integrate(ctx, func(w WriteTx) error {
			var err error
			size, seq, err = integrate(ctx, w, c.d.Dialect, signer)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("integrate: %w", err)
		}
		if size == seq {
			return size, nil
		}
	}
}

// integrate is one integration transaction: it hashes at most
// IntegrateBatch records after the integrated size into the tree, and
// signs a checkpoint of the new size. It returns the new integrated size
// and the sequenced size.
func integrate(ctx context.Context, w WriteTx, d Dialect, signer string) (size, seq int64, err error) {
	if seq, err = w.Size(); err != nil {
		return 0, 0, err
	}
	var start int64
	if err := w.QueryRow(ctx, integratedQuery).Scan(&start); err != nil {
		return 0, 0, fmt.Errorf("integrated size: %w", err)
	}
	if start > seq {
		return 0, 0, fmt.Errorf("%w: checkpoint of size %d, the log has %d records", ledger.ErrLedgerDiverged, start, seq)
	}
	if start == seq {
		return start, seq, nil
	}
	end := min(seq, start+IntegrateBatch)
	recs, err := source{w, d}.Records(ctx, start, end)
	if err != nil {
		return 0, 0, err
	}
	hs := &batchHashes{db: w, d: d, first: tlog.StoredHashIndex(0, start), read: map[int64]tlog.Hash{}}
	if size, err = ledger.Integrate(ctx, hs, start, recs); err != nil {
		return 0, 0, err
	}
	if err := hs.flush(ctx); err != nil {
		return 0, 0, err
	}
	note, _, err := ledger.SignTree(ctx, hs, signer, size)
	if err != nil {
		return 0, 0, err
	}
	if _, err := w.Exec(ctx, `INSERT INTO log_checkpoints (size, note, created_ns) VALUES ($1, $2, $3)`,
		size, note, w.Now().UnixNano()); err != nil {
		return 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	return size, seq, nil
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
			fmt.Fprintf(&q, "($%d, $%d)", len(args)+1, len(args)+2)
			args = append(args, b.first+int64(i), b.pending[i][:])
		}
		if _, err := b.db.Exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write hashes: %w", err)
		}
		lo = hi
	}
	return nil
}
