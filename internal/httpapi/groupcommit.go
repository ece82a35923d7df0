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
	write  func(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions) error
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
	err     error
}

// add writes r with the group it joins and returns the group's error.
func (g *reportGroups) add(ctx context.Context, by truce.Principal, opt truce.PutOptions, r *truce.Report) error {
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
	leader := len(grp.reports) == 1
	g.mu.Unlock()
	if !leader {
		select {
		case <-grp.done:
			return grp.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	q.exec.Lock()
	g.mu.Lock()
	if q.next == grp {
		q.next = nil // later reports start the next group
	}
	g.mu.Unlock()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupTimeout)
	grp.err = g.write(wctx, by, grp.reports, opt)
	cancel()
	q.exec.Unlock()
	close(grp.done)
	return grp.err
}
