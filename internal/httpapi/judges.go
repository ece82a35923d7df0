package httpapi

import (
	"context"
	"fmt"
	"sync"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
)

// judges keeps a Judge for the latest agreement version and the stored
// sites, rebuilt when either changes. Several API servers may share one
// database: each checks the latest version before judging.
type judges struct {
	st      truce.Store
	mu      sync.Mutex
	id      truce.AgreementID
	version int
	nsites  int
	judge   *adjudicate.Judge
}

// current returns the judge of the latest agreement version, or nil when
// no agreement is stored yet.
func (js *judges) current(ctx context.Context) (*adjudicate.Judge, *truce.AgreementVersion, error) {
	v, err := js.st.LatestAgreement(ctx, "")
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	sites, err := js.st.Sites(ctx)
	if err != nil {
		return nil, nil, err
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.judge != nil && js.id == v.ID && js.version == v.Version && js.nsites == len(sites) {
		return js.judge, v, nil
	}
	a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
	if err != nil {
		return nil, nil, fmt.Errorf("stored agreement %s version %d: %w", v.ID, v.Version, err)
	}
	js.judge, js.id, js.version, js.nsites = adjudicate.New(a, sites), v.ID, v.Version, len(sites)
	return js.judge, v, nil
}

// judgeReports judges reports against the latest agreement and stores the
// judgements. Without an agreement it does nothing.
func (s *Server) judgeReports(ctx context.Context, by truce.Principal, rs []*truce.Report) error {
	j, v, err := s.judges.current(ctx)
	if err != nil || j == nil {
		return err
	}
	js := make([]truce.Judgement, len(rs))
	for i, r := range rs {
		js[i] = j.Judge(r)
	}
	_, err = s.store.PutJudgements(ctx, by, v.ID, v.Version, js)
	return err
}

// readjudicate judges every stored report against the latest agreement.
func (s *Server) readjudicate(ctx context.Context, by truce.Principal) (counts map[string]int, changed int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, v, err := s.judges.current(ctx)
	if err != nil || j == nil {
		return nil, 0, err
	}
	counts = map[string]int{}
	var batch []truce.Judgement
	flush := func() error {
		c, err := s.store.PutJudgements(ctx, by, v.ID, v.Version, batch)
		changed += c
		batch = batch[:0]
		return err
	}
	err = s.store.Reports(ctx, truce.ReportFilter{}, func(r *truce.Report) error {
		jd := j.Judge(r)
		counts[jd.Outcome.String()]++
		batch = append(batch, jd)
		if len(batch) == 2000 {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return counts, changed, err
}
