package httpapi

import (
	"context"
	"sync"
	"time"

	"truce"
)

// maxGroup is the most reports one group commit stores and judges.
const maxGroup = 512

// groupTimeout bounds a group's store and judging: it runs on behalf of
// every request in it, so no one request's cancellation stops it.
const groupTimeout = 2 * time.Minute

// reportGroups stores and judges the reports created by concurrent
// requests together (group commit): while one group is being written, the
// reports that arrive join the next group, which its first request writes
// as soon as the one before is done. A report alone is written at once;
// under load, one transaction and one judging pass serve many requests
// (a bulk upload of 200 reports costs about as much as four single ones).
// Every request still returns only after its report is durable, judged
// and logged. Reports group only with reports of the same principal and
// options, so that each is stored and logged as who sent it.
type reportGroups struct {
	mu     sync.Mutex
	groups map[groupKey]*groupQueue
	// write stores and judges rs; js and fresh, if not nil, say what it
	// stored: js[i] is rs[i]'s judgement (js empty: none, no agreement) and
	// fresh[i] whether rs[i] was new (stored as it is, opening an incident
	// of its own with its id).
	write func(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions) (js []truce.Judgement, fresh []bool, err error)
}

type groupKey struct {
	by  truce.Principal
	opt truce.PutOptions
}

// groupQueue is the group being collected for one key; exec serialises
// the writes of the key's groups.
type groupQueue struct {
	exec sync.Mutex
	next *group
}

type group struct {
	reports []*truce.Report
	done    chan struct{}
	js      []truce.Judgement
	fresh   []bool
	err     error
}

// created is what a request learns of its report once its group is
// written: whether it was stored new (fresh: as sent, in an incident of its
// own; false also when the store did not say) and its judgement.
type created struct {
	fresh     bool
	judgement *truce.Judgement
}

func (g *group) created(i int) created {
	if i >= len(g.fresh) {
		return created{}
	}
	c := created{fresh: g.fresh[i]}
	if i < len(g.js) {
		c.judgement = &g.js[i]
	}
	return c
}

// add writes r with the group it joins and returns what was stored of it,
// or the group's error.
func (g *reportGroups) add(ctx context.Context, by truce.Principal, opt truce.PutOptions, r *truce.Report) (created, error) {
	k := groupKey{by, opt}
	g.mu.Lock()
	if g.groups == nil {
		g.groups = map[groupKey]*groupQueue{}
	}
	q := g.groups[k]
	if q == nil {
		q = &groupQueue{}
		g.groups[k] = q
	}
	if q.next == nil || len(q.next.reports) >= maxGroup {
		q.next = &group{done: make(chan struct{})}
	}
	grp := q.next
	grp.reports = append(grp.reports, r)
	i := len(grp.reports) - 1
	leader := i == 0
	g.mu.Unlock()
	if !leader {
		select {
		case <-grp.done:
			return grp.created(i), grp.err
		case <-ctx.Done():
			return created{}, ctx.Err()
		}
	}
	q.exec.Lock()
	g.mu.Lock()
	if q.next == grp {
		q.next = nil // later reports start the next group
	}
	g.mu.Unlock()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupTimeout)
	grp.js, grp.fresh, grp.err = g.write(wctx, by, grp.reports, opt)
	cancel()
	q.exec.Unlock()
	close(grp.done)
	return grp.created(i), grp.err
}
