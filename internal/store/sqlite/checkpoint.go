package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// SQLite in WAL mode copies the WAL back into the database file
// (a checkpoint) when it has grown past 1,000 pages, by default inside the
// commit that grew it: the writer then stops to write and fsync the
// database file while every other write waits for it. The store turns
// that off (wal_autocheckpoint(0) on its connections) and checkpoints in
// the background instead, on a connection of its own: a PASSIVE
// checkpoint needs no write lock, so the writer goes on committing to the
// WAL meanwhile. Durability is unchanged: a commit is durable once the
// WAL is synced, checkpointed or not.

// checkpointEvery is the least time between two background checkpoints
// while writes go on: each copies the WAL frames committed since the last
// one and syncs the database file once.
const checkpointEvery = 100 * time.Millisecond

// checkpointer runs a store's background checkpoints: one goroutine,
// woken after commits.
type checkpointer struct {
	db   *sql.DB
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// runs counts the checkpoints done (tests).
	mu   sync.Mutex
	runs int
	err  error // of the last checkpoint
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// wake asks for a checkpoint soon; it never blocks.
func (c *checkpointer) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	var last time.Time
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if wait := checkpointEvery - time.Since(last); wait > 0 {
			select {
			case <-c.stop:
				return
			case <-time.After(wait):
			}
		}
		last = time.Now()
		err := c.checkpoint(context.Background())
		c.mu.Lock()
		c.runs++
		c.err = err
		c.mu.Unlock()
	}
}

// checkpoint runs one PASSIVE checkpoint: it copies what it can without
// waiting for readers or the writer. A checkpoint that fails leaves the
// WAL as it was (the data is in it); the next one retries.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, log, done int
	return c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done)
}

// close stops the goroutine and checkpoints what the last commits left in
// the WAL: SQLite checkpoints it itself only when the last connection to
// the file closes, which another process (a server) may keep open.
func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		_ = c.checkpoint(context.Background()) // best effort: the data is in the WAL either way
	})
	<-c.done
}
