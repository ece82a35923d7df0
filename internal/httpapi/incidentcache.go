package httpapi

import (
	"context"
	"slices"
	"sync"

	"truce"
	"truce/internal/adjudicate"
)

// An incident page is the incident's row, read for every request, and
// what hangs off it: its reports with their judgements and explanations,
// its history and its evidence — four statements and most of the page's
// cost, decoding each judgement's detail included. The server keeps that
// second part per incident and language, and reuses it while the store
// says nothing under it changed (truce.IncidentMark, read in the same
// statement as the row), the report ids are the same and the judge is
// the same. The mark comes from the database, not from this process, so
// a write by another server, or by the CLI, is seen at once.

// incidentParts is what an incident page shows beyond the incident's
// row. Shared by the requests that reuse it: never modified once built.
type incidentParts struct {
	reports       []ReportOut
	corroboration int
	corroborated  bool // corroboration is set (more than one report); else the row's
	events        []EventOut
	logIndexes    []int64
	mergedInto    string
	evidence      []EvidenceOut
	// said maps the stored (English) explanations to the language's.
	said map[string]string
}

// detail builds the page of inc from its parts.
func (p *incidentParts) detail(inc *truce.IncidentSummary) IncidentDetail {
	d := IncidentDetail{IncidentOut: incidentOut(inc), MergedInto: p.mergedInto,
		ReportList: p.reports, Events: p.events, Evidence: p.evidence, LogIndexes: p.logIndexes}
	if x, ok := p.said[d.Explanation]; ok {
		d.Explanation = x
	}
	if p.corroborated {
		d.Corroboration = p.corroboration
	}
	return d
}

// The parts kept take up to about maxCachedBytes (an estimate: a
// judgement's findings are counted at a flat rate), of incidents of up to
// maxCachedReports reports each (a page of hundreds of reports is rare
// and large).
const (
	maxCachedBytes   = 64 << 20
	maxCachedReports = 100
)

type detailKey struct {
	id   truce.IncidentID
	lang string
}

type detailEntry struct {
	judge   *adjudicate.Judge
	mark    truce.IncidentMark
	reports []truce.ReportID
	parts   *incidentParts
	size    int
}

// size estimates the memory p holds.
func (p *incidentParts) size() int {
	n := 512
	for i := range p.reports {
		r := &p.reports[i]
		n += 2048 + len(r.Text) + len(r.Original) + len(r.Place) + len(r.Actor1) + len(r.Actor2)
	}
	for i := range p.events {
		n += 256 + len(p.events[i].Reason)
	}
	for i := range p.evidence {
		n += 256 + len(p.evidence[i].Description)
	}
	for k, v := range p.said {
		n += 64 + len(k) + len(v)
	}
	return n
}

// incidentDetails caches incident pages' parts.
type incidentDetails struct {
	mu    sync.Mutex
	m     map[detailKey]*detailEntry
	bytes int // the sum of the entries' sizes
}

// get returns the parts kept for k if they were built by judge from the
// reports and the mark given.
func (c *incidentDetails) get(k detailKey, judge *adjudicate.Judge, mark truce.IncidentMark, reports []truce.ReportID) *incidentParts {
	c.mu.Lock()
	e := c.m[k]
	c.mu.Unlock()
	if e == nil || e.judge != judge || e.mark != mark || !slices.Equal(e.reports, reports) {
		return nil
	}
	return e.parts
}

func (c *incidentDetails) put(k detailKey, e *detailEntry) {
	if len(e.reports) > maxCachedReports {
		return
	}
	e.size = e.parts.size()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[detailKey]*detailEntry{}
	}
	if old, ok := c.m[k]; ok {
		c.bytes -= old.size
	}
	c.m[k] = e
	c.bytes += e.size
	if c.bytes <= maxCachedBytes {
		return
	}
	// Over the budget: drop others at random (map order) until an eighth
	// of it is free.
	for old, oe := range c.m {
		if c.bytes <= maxCachedBytes-maxCachedBytes/8 {
			break
		}
		if old != k {
			delete(c.m, old)
			c.bytes -= oe.size
		}
	}
}

// incidentPage returns the page of incident id in lang for p, or an
// error if p may not read it.
func (s *Server) incidentPage(ctx context.Context, p truce.Principal, id, lang string) (*IncidentDetail, error) {
	inc, mark, err := s.store.MarkedIncident(ctx, truce.IncidentID(id))
	if err != nil {
		return nil, err
	}
	if err := authorizeIncident(p, OpRead, inc); err != nil {
		return nil, err
	}
	judge, _, err := s.judges.current(ctx)
	if err != nil {
		return nil, err
	}
	k := detailKey{inc.ID, lang}
	parts := s.details.get(k, judge, mark, inc.Reports)
	if parts == nil {
		// Built from reads after the mark's: at least as new as what it
		// names, so never older than a later request with this mark saw.
		if parts, err = s.incidentParts(ctx, inc, lang); err != nil {
			return nil, err
		}
		s.details.put(k, &detailEntry{judge: judge, mark: mark, reports: inc.Reports, parts: parts})
	}
	d := parts.detail(inc)
	return &d, nil
}

// incidentParts reads what the page of inc shows beyond its row.
func (s *Server) incidentParts(ctx context.Context, inc *truce.IncidentSummary, lang string) (*incidentParts, error) {
	ros, reps, said, err := s.reportsIn(ctx, inc, lang)
	if err != nil {
		return nil, err
	}
	p := &incidentParts{reports: slices.Clip(ros), events: []EventOut{}, evidence: []EvidenceOut{}, logIndexes: []int64{}, said: said}
	if len(reps) > 1 {
		p.corroboration, p.corroborated = adjudicate.Corroboration(reps), true
	}
	evs, err := s.store.Events(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		p.events = append(p.events, eventOut(&evs[i]))
		p.logIndexes = append(p.logIndexes, evs[i].LogIndex)
	}
	p.events, p.logIndexes = slices.Clip(p.events), slices.Clip(p.logIndexes)
	p.mergedInto = string(mergedInto(evs))
	items, err := s.store.Evidence(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	for i := range items {
		p.evidence = append(p.evidence, evidenceOut(&items[i]))
	}
	p.evidence = slices.Clip(p.evidence)
	return p, nil
}
