package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Group is a queue of writes that commit together (group commit): one
// goroutine runs the transactions, each for every write queued when it
// begins and, once it holds the lock it waited for, every write queued
// meanwhile (Batch.More), up to a maximum, each write in a savepoint; one
// commit serves them all. A driver's Write runs through its Group, with
// its own function that runs a batch in one transaction.
//
// W is the driver's write function type. The zero Group is ready to use.
type Group[W any] struct {
	mu      sync.Mutex
	queue   []*Pending[W]
	running bool
}

// Pending is one write of a Group: its context and function, as given to
// Run, for the driver's batch function.
type Pending[W any] struct {
	Ctx  context.Context
	Fn   W
	done chan error // its result, once its transaction has ended
}

// Run queues fn and returns its error once the transaction it ran in has
// ended. While no transaction is running, the write runs at once (in a
// transaction of its own, or with the writes queued meanwhile); otherwise
// it waits for the running one to end and runs in the next, of up to max
// writes, with commit. commit MUST return one error per write of its
// batch (Batch.Writes, as More left it); it runs a write whose context is
// done before its turn not at all, and one that has begun to its end.
//
// The transactions run on a goroutine of their own, started when a write
// finds none running and ending when the queue is empty. (They used to run
// on the goroutine of a waiting write, each handing the turn to the next:
// on two cores the next one then waited to be scheduled while the last
// one went on answering its request, and the writer stood idle a third of
// the time it held the database.)
func (g *Group[W]) Run(ctx context.Context, fn W, max int, commit func(*Batch[W]) []error) error {
	pw := &Pending[W]{Ctx: ctx, Fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, pw)
	if !g.running {
		g.running = true
		go g.run(max, commit)
	}
	g.mu.Unlock()
	return <-pw.done
}

// Batch is the writes of one transaction of a Group: those queued when it
// began, and those its driver adds with More.
type Batch[W any] struct {
	Writes []*Pending[W]
	g      *Group[W]
	max    int
}

// More adds to the batch the writes queued since it was taken, up to its
// maximum. A driver whose transaction first waits for a lock (the log
// lock every server takes, a database file's write lock) calls it once it
// holds the lock: the writes that came meanwhile run in this transaction
// instead of waiting for it to end and for the next one to wait again.
func (b *Batch[W]) More() {
	b.g.mu.Lock()
	defer b.g.mu.Unlock()
	n := min(len(b.g.queue), b.max-len(b.Writes))
	b.Writes = append(b.Writes, b.g.queue[:n]...)
	b.g.queue = slices.Delete(b.g.queue, 0, n)
}

// run runs the transactions while writes are queued.
func (g *Group[W]) run(max int, commit func(*Batch[W]) []error) {
	for {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		n := min(len(g.queue), max)
		b := &Batch[W]{Writes: slices.Clone(g.queue[:n]), g: g, max: max}
		g.queue = slices.Delete(g.queue, 0, n)
		g.mu.Unlock()

		errs := runBatch(b, commit)
		for i, pw := range b.Writes {
			pw.done <- errs[i]
		}
	}
}

// runBatch runs commit on b, turning a panic into every write's error:
// the writes queued after it still run.
func runBatch[W any](b *Batch[W], commit func(*Batch[W]) []error) (errs []error) {
	defer func() {
		if r := recover(); r != nil {
			errs = make(Errs, len(b.Writes)).Fail(fmt.Errorf("write transaction panicked: %v", r))
		}
	}()
	errs = commit(b)
	if len(errs) != len(b.Writes) {
		panic(fmt.Sprintf("sqlstore: commit returned %d errors for %d writes", len(errs), len(b.Writes)))
	}
	return errs
}

// Queued returns how many writes wait for a transaction, and whether one
// is running (tests).
func (g *Group[W]) Queued() (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue), g.running
}

// Errs is the result of a batch: one error per write.
type Errs []error

// Fail sets err on every write that has no error of its own (the
// transaction failed as a whole) and returns the errors.
func (e Errs) Fail(err error) []error {
	for i := range e {
		if e[i] == nil {
			e[i] = err
		}
	}
	return e
}

// Savepoints runs the writes of batch in turn in the one transaction
// exec runs statements in, each in a savepoint: run runs a write and
// returns its error, after which its savepoint is rolled back (a write
// that fails leaves nothing; run forgets what it kept in memory of it).
// A write whose context is done before its turn is not run. It returns
// each write's error, and an error of the transaction as a whole (a
// savepoint statement that failed), after which nothing may commit.
func Savepoints[W any](batch []*Pending[W], exec func(sql string) error, run func(*Pending[W]) error) (Errs, error) {
	errs := make(Errs, len(batch))
	for i, pw := range batch {
		if err := pw.Ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if err := exec(`SAVEPOINT write`); err != nil {
			return errs, fmt.Errorf("savepoint: %w", err)
		}
		if err := run(pw); err != nil {
			errs[i] = err
			if err := exec(`ROLLBACK TO SAVEPOINT write`); err != nil {
				return errs, fmt.Errorf("rollback of a failed write: %w", err)
			}
		}
		if err := exec(`RELEASE SAVEPOINT write`); err != nil {
			return errs, fmt.Errorf("release savepoint: %w", err)
		}
	}
	return errs, nil
}

// RunWrite runs fn, turning a panic into its error: the transaction it
// shares with other writes goes on without it.
func RunWrite(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return fn()
}
