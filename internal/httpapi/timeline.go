package httpapi

import (
	"context"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/pipeline"
)

type timelineOut struct {
	Body adjudicate.Timeline
}

// getTimeline serves get-timeline: per reading of each phase, when each
// party's obligations began, who breached first (verified by a monitor or
// only judged), when a party could first consider itself free under a
// release clause, and what followed. It counts only the reports the
// caller may read, and is cached by log size and audience like the claims.
func (s *Server) getTimeline(ctx context.Context, p truce.Principal, _ *struct{}) (*timelineOut, error) {
	size, err := s.store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	j, v, err := s.judges.current(ctx)
	if err != nil {
		return nil, err
	}
	if j == nil {
		return nil, truce.Errorf(truce.ENOTFOUND, "no agreement has been uploaded yet")
	}
	key := checkedKey{size: size, visible: visibility(p), agreement: v.ID, version: v.Version}
	if tl, ok := s.timelines.get(key); ok {
		return &timelineOut{Body: tl}, nil
	}
	viewer := p
	tl, err := pipeline.Timeline(ctx, s.store, j, v.ID, v.Version, &viewer)
	if err != nil {
		return nil, err
	}
	s.timelines.put(key, tl)
	return &timelineOut{Body: tl}, nil
}
