package httpapi

import (
	"context"
	"fmt"
	"sync"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/pipeline"
)

// judgesTTL is how long a server trusts its cached judge before it checks
// the store for a newer agreement version or new sites. Several API
// servers may share one database: another server's upload is picked up
// within this time; this server's own uploads invalidate at once.
const judgesTTL = time.Second

// judges keeps a Judge for the latest agreement version and the stored
// sites, rebuilt when either changes.
type judges struct {
	st      truce.Store
	mu      sync.Mutex
	id      truce.AgreementID
	version int
	nsites  int
	judge   *adjudicate.Judge
	vers    *truce.AgreementVersion
	checked time.Time
	// refreshing is set while one request checks the store; the others keep
	// using the cached judge meanwhile.
	refreshing bool
}

// invalidate makes the next call check the store.
func (js *judges) invalidate() {
	js.mu.Lock()
	js.checked = time.Time{}
	js.mu.Unlock()
}

// current returns the judge of the latest agreement version, or nil when
// no agreement is stored yet.
func (js *judges) current(ctx context.Context) (*adjudicate.Judge, *truce.AgreementVersion, error) {
	js.mu.Lock()
	if js.judge != nil && (time.Since(js.checked) < judgesTTL || js.refreshing) {
		j, v := js.judge, js.vers
		js.mu.Unlock()
		return j, v, nil
	}
	js.refreshing = true
	js.mu.Unlock()
	defer func() {
		js.mu.Lock()
		js.refreshing = false
		js.mu.Unlock()
	}()
	// The check is cheap (no bundle, no sites); both are read only when
	// something changed.
	head, err := js.st.LatestAgreementHead(ctx)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	nsites, err := js.st.SiteCount(ctx)
	if err != nil {
		return nil, nil, err
	}
	js.mu.Lock()
	if js.judge != nil && js.id == head.ID && js.version == head.Version && js.nsites == nsites {
		js.checked = time.Now()
		j, v := js.judge, js.vers
		js.mu.Unlock()
		return j, v, nil
	}
	js.mu.Unlock()
	v, err := js.st.Agreement(ctx, head.ID, head.Version)
	if err != nil {
		return nil, nil, err
	}
	sites, err := js.st.Sites(ctx)
	if err != nil {
		return nil, nil, err
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
	if err != nil {
		return nil, nil, fmt.Errorf("stored agreement %s version %d: %w", v.ID, v.Version, err)
	}
	v.Bundle = nil // parsed; do not keep the bytes
	js.judge, js.id, js.version, js.nsites, js.vers, js.checked = adjudicate.New(a, sites), v.ID, v.Version, len(sites), v, time.Now()
	return js.judge, v, nil
}

// judgedPutter is a store that stores reports with their judgements in
// one write (sqlstore.Core.PutJudgedReports).
type judgedPutter interface {
	PutJudgedReports(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions, id truce.AgreementID, version int, js []truce.Judgement) (stored []bool, changed int, err error)
}

// putReports stores new reports and their judgements against the latest
// agreement: judged first and stored with them in one write when the
// store can (one turn of its writer, all or nothing), else stored, then
// judged (judgeReports).
func (s *Server) putReports(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions) ([]truce.Judgement, []bool, error) {
	js, stored, ok, err := s.putJudged(ctx, by, rs, opt)
	if ok || err != nil {
		return js, stored, err
	}
	if _, err := s.store.PutReports(ctx, by, rs, opt); err != nil {
		return nil, nil, err
	}
	return nil, nil, s.judgeReports(ctx, by, rs)
}

// putJudged judges rs against the latest agreement and stores them with
// their judgements in one write, if the store can (ok): js are the
// judgements (js[i] of rs[i]; none without an agreement) and stored says
// which reports of rs were new, stored as they are with js[i]. A report
// already stored keeps its content and judgements.
func (s *Server) putJudged(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions) (js []truce.Judgement, stored []bool, ok bool, err error) {
	jp, ok := truce.StoreAs[judgedPutter](s.store)
	if !ok {
		return nil, nil, false, nil
	}
	j, v, err := s.judges.current(ctx)
	if err != nil {
		return nil, nil, true, err
	}
	var id truce.AgreementID
	var version int
	if j != nil {
		done, err := s.admitJudging(ctx)
		if err != nil {
			return nil, nil, true, err
		}
		js, err = pipeline.Judge(ctx, s.store, j, v.ID, v.Version, rs)
		done()
		if err != nil {
			return nil, nil, true, err
		}
		id, version = v.ID, v.Version
	}
	stored, _, err = jp.PutJudgedReports(ctx, by, rs, opt, id, version, js)
	return js, stored, true, err
}

// judgeReports judges reports against the latest agreement and stores the
// judgements (pipeline.New). Without an agreement it does nothing.
func (s *Server) judgeReports(ctx context.Context, by truce.Principal, rs []*truce.Report) error {
	j, v, err := s.judges.current(ctx)
	if err != nil || j == nil {
		return err
	}
	done, err := s.admitJudging(ctx)
	if err != nil {
		return err
	}
	defer done()
	_, err = pipeline.New(ctx, s.store, by, j, v.ID, v.Version, rs)
	return err
}

// admitJudging waits for a turn to judge a request's reports and returns
// the function that ends it. At most GOMAXPROCS-1 requests judge at once:
// judging is the CPU-heavy part of a write, and with every processor busy
// judging, the store's writer, which all writes wait for, waited for one
// after each commit (write-only SQLite, 16 workers, five alternating
// pairs of runs: 974 against 923 writes/s). Re-judging the whole record
// after an agreement upload (readjudicate) is one request at a time
// already and uses every processor on purpose.
func (s *Server) admitJudging(ctx context.Context) (func(), error) {
	select {
	case s.judging <- struct{}{}:
		return func() { <-s.judging }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readjudicate judges every stored report against the latest agreement
// and groups them into incidents, as 'truce adjudicate' does
// (pipeline.Stored). counts are keyed by outcome name.
func (s *Server) readjudicate(ctx context.Context, by truce.Principal) (counts map[string]int, changed int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.judges.invalidate()
	j, v, err := s.judges.current(ctx)
	if err != nil || j == nil {
		return nil, 0, err
	}
	res, err := pipeline.Stored(ctx, s.store, by, j, v.ID, v.Version)
	counts = make(map[string]int, len(res.Outcomes))
	for o, n := range res.Outcomes {
		counts[o.String()] = n
	}
	return counts, res.Changed, err
}

// Warm parses the current agreement and loads the sites now, so that the
// first request does not wait for it.
func (s *Server) Warm(ctx context.Context) error {
	_, _, err := s.judges.current(ctx)
	return err
}

// rejudge re-judges the record after incident id moved in review
// (pipeline.Rejudge), so that a release clause resting on it as a
// verified breach is applied or undone. Without an agreement it does
// nothing.
func (s *Server) rejudge(ctx context.Context, by truce.Principal, id truce.IncidentID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, v, err := s.judges.current(ctx)
	if err != nil || j == nil {
		return err
	}
	_, err = pipeline.Rejudge(ctx, s.store, by, j, v.ID, v.Version, id)
	return err
}
