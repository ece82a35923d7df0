// Package cosign gathers the witnesses' cosignatures of the log's
// checkpoints for the log server, and reads checkpoints back with them:
// the newest checkpoint with what it has so far, and the newest final one,
// cosigned by as many of the agreement's witnesses as its policy asks
// (C2SP tlog-witness and tlog-cosignature; the witness server itself is
// internal/witness).
package cosign

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/witness"
)

// Store is what the collector reads and writes.
type Store interface {
	truce.LogStore
	truce.CosignatureStore
}

// PolicyFunc returns the witness policy in force (the current agreement's),
// nil when there is none.
type PolicyFunc func(ctx context.Context) (*truce.WitnessPolicy, error)

// Collector sends each new checkpoint of the log to the policy's
// witnesses and stores the cosignatures they return. Each witness is
// served by its own loop: one that is down or slow delays no other, and
// writes to the log never wait for any witness.
type Collector struct {
	st       Store
	policy   PolicyFunc
	log      *slog.Logger
	hc       *http.Client
	interval time.Duration

	mu      sync.Mutex
	running map[string]context.CancelFunc // by witness key
}

// Options tune a Collector; the zero value is usable.
type Options struct {
	Log      *slog.Logger
	Client   *http.Client  // default: 10 s timeout
	Interval time.Duration // how often each witness loop looks for a new checkpoint; default 50 ms
}

// New returns a collector for the log in st under the policies policy
// returns.
func New(st Store, policy PolicyFunc, o Options) *Collector {
	c := &Collector{st: st, policy: policy, log: o.Log, hc: o.Client, interval: o.Interval, running: map[string]context.CancelFunc{}}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 10 * time.Second}
	}
	if c.interval <= 0 {
		c.interval = 50 * time.Millisecond
	}
	return c
}

// Run keeps one loop per witness of the policy in force, starting and
// stopping loops as the policy changes, until ctx ends.
func (c *Collector) Run(ctx context.Context) {
	defer c.stopAll()
	for {
		if err := c.sync(ctx); err != nil && ctx.Err() == nil {
			c.log.WarnContext(ctx, "witness policy", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// sync starts a loop for every witness of the current policy that has
// none and stops the loops of witnesses no longer in it.
func (c *Collector) sync(ctx context.Context) error {
	p, err := c.policy(ctx)
	if err != nil {
		return err
	}
	want := map[string]truce.Witness{}
	if p != nil {
		for _, w := range p.Witnesses {
			want[w.Key+" "+w.URL] = w
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, stop := range c.running {
		if _, ok := want[k]; !ok {
			stop()
			delete(c.running, k)
		}
	}
	for k, w := range want {
		if _, ok := c.running[k]; ok {
			continue
		}
		cl, err := witness.NewClient(witness.Witness{Name: w.Name, VerifierKey: w.Key, URL: w.URL}, c.prove, c.hc)
		if err != nil {
			c.log.ErrorContext(ctx, "witness", "witness", w.Name, "err", err)
			continue
		}
		wctx, stop := context.WithCancel(ctx)
		c.running[k] = stop
		go c.loop(wctx, w.Name, cl)
	}
	return nil
}

func (c *Collector) stopAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, stop := range c.running {
		stop()
		delete(c.running, k)
	}
}

// prove is the witness client's consistency proof source: the stored tree.
func (c *Collector) prove(ctx context.Context, oldSize, newSize int64) ([]tlog.Hash, error) {
	hs, err := c.st.ProveTree(ctx, newSize, oldSize)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out, nil
}

// loop sends one witness the newest checkpoint whenever the log has
// signed a larger one, backing off (up to 5 s) while the witness fails.
// A failure is logged when it starts and when it ends, not every try.
func (c *Collector) loop(ctx context.Context, name string, cl *witness.Client) {
	var done int64
	var failing error
	wait := c.interval
	for {
		size, err := c.send(ctx, name, cl, done)
		switch {
		case err == nil:
			if failing != nil {
				c.log.InfoContext(ctx, "witness cosigns again", "witness", name, "size", size)
			}
			done, failing, wait = size, nil, c.interval
		case ctx.Err() != nil:
			return
		default:
			if failing == nil || failing.Error() != err.Error() {
				c.log.WarnContext(ctx, "witness did not cosign", "witness", name, "err", err)
			}
			failing, wait = err, min(2*wait, 5*time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// send submits the newest checkpoint to the witness if it is larger than
// done, the size it last cosigned, and stores the cosignature. It returns
// the size the witness has now cosigned.
func (c *Collector) send(ctx context.Context, name string, cl *witness.Client, done int64) (int64, error) {
	signed, err := c.st.LatestCheckpoint(ctx)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return done, nil
	} else if err != nil {
		return done, err
	}
	size, err := checkpointSize(signed)
	if err != nil || size <= done {
		return done, err
	}
	line, err := cl.AddCheckpoint(ctx, signed)
	if err != nil {
		return done, err
	}
	if err := c.st.AddCosignature(ctx, truce.Cosignature{Size: size, Witness: name, Line: line, At: time.Now().UTC()}); err != nil {
		return done, fmt.Errorf("store the cosignature of %s at size %d: %w", name, size, err)
	}
	c.log.DebugContext(ctx, "cosigned", "witness", name, "size", size)
	return size, nil
}

// checkpointSize reads the size from a signed checkpoint's text; the
// witness client checks the signature.
func checkpointSize(signed []byte) (int64, error) {
	var origin string
	var size int64
	if _, err := fmt.Sscanf(string(signed), "%s\n%d\n", &origin, &size); err != nil {
		return 0, errors.New("cosign: the stored checkpoint is malformed")
	}
	return size, nil
}
