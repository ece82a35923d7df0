package adjudicate

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"truce"
	"truce/internal/geo"
)

// GroupOptions set how near reports must be to describe one event.
type GroupOptions struct {
	// Meters: reports farther apart than this are different events.
	Meters float64
	// Window: reports whose times are further apart than this are
	// different events.
	Window time.Duration
	// RepostWindow: the same text seen again within this time (and within
	// Meters) is a repost of the same account.
	RepostWindow time.Duration
}

// DefaultGroupOptions: 2 km, 6 hours, reposts within 7 days.
var DefaultGroupOptions = GroupOptions{Meters: 2000, Window: 6 * time.Hour, RepostWindow: 7 * 24 * time.Hour}

// Member is a report to group, with the facts its judgement established
// (nil when it was not judged).
type Member struct {
	Report *truce.Report
	Facts  *truce.Facts
	// Key is TextKey(Report.Text) when Keyed: computed ahead (a store
	// keeps it), so that Report.Text need not be read.
	Key   string
	Keyed bool
}

// Group is one incident: the reports of one event.
type Group struct {
	ID      truce.IncidentID // the id of its earliest report
	Reports []truce.ReportID // in (start, id) order
	// Reposts are the reports among Reports that repeat the text of an
	// earlier one (its first appearance): the same account again, which
	// adds a report but neither a source nor time to the incident.
	Reposts []truce.ReportID
	// Sources are the independent sources: distinct outlets (or parties),
	// a repost of the same text counting once.
	Sources []string
	Alerts  int // sensor alerts among the members (source "firms")
	// Start and End bound the event: from the start of its earliest
	// report (its first appearance) to the latest end of a report that is
	// not a repost.
	Start, End time.Time
	// Meters is the largest distance between two of its reports; Span the
	// largest time gap between two of its reports that are not reposts
	// (at most the options' Window).
	Meters      float64
	Span        time.Duration
	Explanation string
}

// Corroboration is the number of independent sources, sensor alerts
// included.
func (g *Group) Corroboration() int { return len(g.Sources) + g.Alerts }

// GroupReports groups reports of the same event into incidents,
// deterministically (the result depends only on the members, not their
// order). Members are taken in (start, id) order, and a report joins an
// incident when
//
//   - its text is that of an earlier report (a repost; compared after
//     normalising case, spacing and punctuation) that is not itself a
//     repost, lies within Meters of it and started at most RepostWindow
//     before it: it joins that first appearance's incident, and is dated
//     by it (it adds no time to the incident and takes no part in the
//     rule below, so republishing a headline day after day makes one
//     incident per RepostWindow, not one chained across weeks); or
//   - it lies within Meters and Window of a report of the incident, their
//     perpetrators are compatible (equal, or one unknown), their targets
//     are compatible (the same site if both name one; categories equal or
//     one covering the other), and something other than the place ties
//     them: the same site, the same target category, or times known to
//     the hour or better for both — two day-precision reports of the same
//     town with nothing else in common are not merged — and the incident
//     would still lie within Window: no two of its reports (reposts
//     aside) more than Window apart, however the chain of neighbours runs.
func GroupReports(ms []Member, opt GroupOptions) []Group {
	if opt.Meters <= 0 {
		opt = DefaultGroupOptions
	}
	if len(ms) == 1 {
		return []Group{alone(&ms[0])}
	}
	g := newGrouper(ms, opt)
	for i := range g.ms {
		g.add(i)
	}
	return g.groups()
}

// grouper is GroupReports at work: the members in (start, id) order and
// the incidents they have formed so far.
type grouper struct {
	ms   []Member
	opt  GroupOptions
	uf   *unionFind
	keys []string // each member's textKey
	// firstOf[i] is the first appearance report i reposts, or -1; firsts
	// lists the first appearances of each text, in (start, id) order.
	firstOf []int
	firsts  map[string][]int
	// Per incident (at its root): the latest start and the earliest end of
	// its reports other than reposts; their difference is its widest gap.
	latestStart []time.Time
	earliestEnd []time.Time
	// A grid of cells about Meters wide; each cell lists the first
	// appearances in it.
	cellDeg float64
	grid    map[[2]int][]int
}

func newGrouper(ms []Member, opt GroupOptions) *grouper {
	byStart := func(a, b Member) int {
		return cmp.Or(a.Report.Start.Compare(b.Report.Start), strings.Compare(string(a.Report.ID), string(b.Report.ID)))
	}
	ms = slices.Clone(ms)
	if !slices.IsSortedFunc(ms, byStart) { // a summary's are, in (start, id) order
		slices.SortFunc(ms, byStart)
	}
	return &grouper{
		ms: ms, opt: opt, uf: newUnionFind(len(ms)), keys: make([]string, len(ms)),
		firstOf: make([]int, len(ms)), firsts: map[string][]int{},
		latestStart: make([]time.Time, len(ms)), earliestEnd: make([]time.Time, len(ms)),
		cellDeg: opt.Meters / 111_000, grid: map[[2]int][]int{},
	}
}

// add places member i, the members before it placed: it joins the
// incident of the text it reposts, or those of its neighbours that
// describe the same event.
func (g *grouper) add(i int) {
	r := g.ms[i].Report
	g.keys[i] = g.ms[i].textKey()
	g.firstOf[i] = -1
	if k := g.keys[i]; k != "" {
		if j := g.repostOf(i, k); j >= 0 {
			// A repost carries no time of its own: it joins without
			// widening the incident (whose root, an earlier member,
			// keeps its bounds).
			g.firstOf[i] = j
			g.uf.union(i, j)
			return
		}
		g.firsts[k] = append(g.firsts[k], i)
	}
	g.latestStart[i], g.earliestEnd[i] = r.Start, r.End
	g.joinNeighbours(i)
}

// repostOf returns the latest first appearance of text k that member i
// reposts (within Meters, at most RepostWindow before it), or -1.
func (g *grouper) repostOf(i int, k string) int {
	r := g.ms[i].Report
	fs := g.firsts[k]
	for x := len(fs) - 1; x >= 0; x-- {
		j := fs[x]
		if r.Start.Sub(g.ms[j].Report.Start) > g.opt.RepostWindow {
			break
		}
		if geo.Distance(r.Location, g.ms[j].Report.Location) <= g.opt.Meters {
			return j
		}
	}
	return -1
}

func (g *grouper) cellOf(p geo.Point) [2]int {
	return [2]int{int(math.Floor(p.Lon / g.cellDeg * math.Cos(p.Lat*math.Pi/180))), int(math.Floor(p.Lat / g.cellDeg))}
}

// joinNeighbours joins first appearance i to the incidents of the earlier
// first appearances in the cells around it that describe the same event,
// drops from those cells the members too old for any later one, and files
// i in its cell.
func (g *grouper) joinNeighbours(i int) {
	r := g.ms[i].Report
	c := g.cellOf(r.Location)
	for dx := -2; dx <= 2; dx++ {
		for dy := -1; dy <= 1; dy++ {
			cell := [2]int{c[0] + dx, c[1] + dy}
			live := g.grid[cell][:0]
			for _, j := range g.grid[cell] {
				if r.Start.Sub(g.ms[j].Report.End) > g.opt.Window {
					continue // too old for anything that follows (members come in start order)
				}
				live = append(live, j)
				if sameEvent(&g.ms[i], &g.ms[j], g.opt) {
					g.join(i, j)
				}
			}
			if len(g.grid[cell]) > 0 {
				g.grid[cell] = live
			}
		}
	}
	g.grid[c] = append(g.grid[c], i)
}

// join merges the incidents of members i and j unless the result would
// span more than Window.
func (g *grouper) join(i, j int) {
	ri, rj := g.uf.find(i), g.uf.find(j)
	if ri == rj {
		return
	}
	ls, ee := g.latestStart[ri], g.earliestEnd[ri]
	if g.latestStart[rj].After(ls) {
		ls = g.latestStart[rj]
	}
	if g.earliestEnd[rj].Before(ee) {
		ee = g.earliestEnd[rj]
	}
	if ls.Sub(ee) > g.opt.Window {
		return
	}
	g.uf.union(ri, rj)
	r := g.uf.find(ri)
	g.latestStart[r], g.earliestEnd[r] = ls, ee
}

// groups returns the incidents, in the order of their earliest members.
func (g *grouper) groups() []Group {
	comps := map[int][]int{}
	var roots []int
	for i := range g.ms {
		r := g.uf.find(i)
		if _, ok := comps[r]; !ok {
			roots = append(roots, r)
		}
		comps[r] = append(comps[r], i)
	}
	out := make([]Group, 0, len(roots))
	for _, root := range roots {
		out = append(out, g.group(root, comps[root]))
	}
	return out
}

// group describes the incident of root, whose members are idx in order.
func (g *grouper) group(root int, idx []int) Group {
	ms := g.ms
	// The earliest member is a first appearance: a repost comes after
	// the report it repeats.
	first := ms[idx[0]].Report
	gr := Group{ID: truce.IncidentID(first.ID), Start: first.Start, End: first.End}
	if d := g.latestStart[root].Sub(g.earliestEnd[root]); d > 0 {
		gr.Span = d
	}
	seen := map[string]bool{}
	for _, i := range idx {
		rep := ms[i].Report
		gr.Reports = append(gr.Reports, rep.ID)
		if g.firstOf[i] >= 0 {
			gr.Reposts = append(gr.Reposts, rep.ID)
		} else if rep.End.After(gr.End) {
			gr.End = rep.End
		}
		for _, j := range idx {
			if j > i {
				gr.Meters = max(gr.Meters, geo.Distance(rep.Location, ms[j].Report.Location))
			}
		}
		if rep.Source == "firms" {
			gr.Alerts++
			continue
		}
		if src := sourceKey(rep, g.keys[i]); !seen[src] {
			seen[src] = true
			gr.Sources = append(gr.Sources, src)
		}
	}
	slices.Sort(gr.Sources)
	gr.Explanation = groupExplanation(&gr, g.repostLag(idx))
	return gr
}

// repostLag is the latest repost's delay after its first appearance among
// members idx.
func (g *grouper) repostLag(idx []int) time.Duration {
	var lag time.Duration
	for _, i := range idx {
		if j := g.firstOf[i]; j >= 0 {
			lag = max(lag, g.ms[i].Report.Start.Sub(g.ms[j].Report.Start))
		}
	}
	return lag
}

// Placed is a stored report to group: a member with the incident it
// belongs to now.
type Placed struct {
	Member
	Incident *truce.Incident
}

// PlanMerges groups stored reports and returns the merges that make each
// group one incident: a group's reports move into the incident of its
// earliest report. Reports are grouped only with reports whose incidents
// have the same audience (truce.CanMerge), each audience on its own —
// the published record, each party's unpublished submissions, the
// monitors' unpublished reports — so grouping never changes who can read
// a report nor shows anyone the id of an incident they cannot read. A
// merge truce.CanGroup refuses (a monitor is on the source) is left out.
// The plan depends only on ps, not its order.
func PlanMerges(ps []Placed, opt GroupOptions) []truce.MergeOp {
	byAudience := map[truce.Audience][]Member{}
	incidentOf := make(map[truce.ReportID]*truce.Incident, len(ps))
	for _, p := range ps {
		a := p.Incident.Audience()
		byAudience[a] = append(byAudience[a], p.Member)
		incidentOf[p.Report.ID] = p.Incident
	}
	audiences := make([]truce.Audience, 0, len(byAudience))
	for a := range byAudience {
		audiences = append(audiences, a)
	}
	slices.SortFunc(audiences, func(a, b truce.Audience) int {
		if a.Public != b.Public {
			if a.Public {
				return -1
			}
			return 1
		}
		return strings.Compare(string(a.Party), string(b.Party))
	})
	var ops []truce.MergeOp
	for _, a := range audiences {
		for _, g := range GroupReports(byAudience[a], opt) {
			target := incidentOf[g.Reports[0]]
			seen := map[truce.IncidentID]bool{target.ID: true}
			for _, r := range g.Reports[1:] {
				src := incidentOf[r]
				if seen[src.ID] {
					continue
				}
				seen[src.ID] = true
				if truce.CanGroup(target, src) {
					ops = append(ops, truce.MergeOp{Target: target.ID, Source: src.ID, Reason: "grouped: " + g.Explanation})
				}
			}
		}
	}
	return ops
}

// noFacts stands for the facts of a member without them.
var noFacts truce.Facts

// sameEvent applies the proximity rule to two members, i later than j.
func sameEvent(a, b *Member, opt GroupOptions) bool {
	ra, rb := a.Report, b.Report
	if gap(ra, rb) > opt.Window || geo.Distance(ra.Location, rb.Location) > opt.Meters {
		return false
	}
	fa, fb := a.Facts, b.Facts
	if fa == nil {
		fa = &noFacts
	}
	if fb == nil {
		fb = &noFacts
	}
	if fa.Perpetrator != "" && fb.Perpetrator != "" && fa.Perpetrator != fb.Perpetrator {
		return false
	}
	sameSite := fa.Site != nil && fb.Site != nil && fa.Site.ID == fb.Site.ID
	if fa.Site != nil && fb.Site != nil && !sameSite {
		return false
	}
	if fa.Category != "" && fb.Category != "" && !fa.Category.Covers(fb.Category) && !fb.Category.Covers(fa.Category) {
		return false
	}
	sameCategory := fa.Category != "" && fa.Category == fb.Category
	timed := ra.Precision <= truce.PrecisionHour && rb.Precision <= truce.PrecisionHour
	return sameSite || sameCategory || timed
}

// Corroboration counts the independent sources among the reports of one
// incident as GroupReports does: distinct outlets (or parties), a repost
// of the same text counting once, plus each sensor alert.
func Corroboration(rs []*truce.Report) int {
	seen := map[string]bool{}
	alerts := 0
	for _, r := range rs {
		if r.Source == "firms" {
			alerts++
			continue
		}
		seen[sourceKey(r, textKey(r.Text))] = true
	}
	return len(seen) + alerts
}

// gap is the time between two reports' intervals (0 if they overlap).
func gap(a, b *truce.Report) time.Duration {
	start, end := a.Start, a.End
	if b.Start.After(start) {
		start = b.Start
	}
	if b.End.Before(end) {
		end = b.End
	}
	if d := start.Sub(end); d > 0 {
		return d
	}
	return 0
}

// alone is the incident of a report grouped with no other, as the
// grouper makes it (TestGroupAlone): most reports of a period summary are
// alone in their cluster, and the grouper's tables cost more than the
// report.
func alone(m *Member) Group {
	r := m.Report
	g := Group{ID: truce.IncidentID(r.ID), Reports: []truce.ReportID{r.ID}, Start: r.Start, End: r.End}
	if d := r.Start.Sub(r.End); d > 0 {
		g.Span = d
	}
	if r.Source == "firms" {
		g.Alerts = 1
		g.Explanation = aloneExplanation[1]
	} else {
		g.Sources = []string{sourceKey(r, m.textKey())}
		g.Explanation = aloneExplanation[0]
	}
	return g
}

// aloneExplanation explains the incident of one report, and of one
// sensor alert.
var aloneExplanation = [2]string{
	groupExplanation(&Group{Reports: make([]truce.ReportID, 1), Sources: make([]string, 1)}, 0),
	groupExplanation(&Group{Reports: make([]truce.ReportID, 1), Alerts: 1}, 0),
}

func (m *Member) textKey() string {
	if m.Keyed {
		return m.Key
	}
	return textKey(m.Report.Text)
}

// TextKey is the key by which grouping finds reposts of text s: its
// words normalised, hashed; "" for texts too short to tell reposts from
// coincidences.
func TextKey(s string) string { return textKey(s) }

// textKey normalises a text for repost detection; "" for texts too short
// to tell reposts from coincidences.
func textKey(s string) string {
	ws := tokens(s, false)
	if len(ws) < 4 {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(ws, " ")))
	return fmt.Sprintf("%x", sum[:12])
}

// sourceKey names a report's source for counting independent ones: its
// outlet (a party's submissions carry the party as outlet), else the
// dataset and the text, so that distinct articles count apart and reposts
// once.
func sourceKey(r *truce.Report, text string) string {
	if r.Outlet != "" {
		return "outlet:" + strings.ToLower(strings.TrimSpace(r.Outlet))
	}
	if text == "" {
		return "report:" + string(r.ID)
	}
	return r.Source + ":" + text[:12]
}

func groupExplanation(g *Group, lag time.Duration) string {
	n := len(g.Reports)
	var b strings.Builder
	fmt.Fprintf(&b, "%d report%s from %d independent source%s", n-g.Alerts, plural(n-g.Alerts), len(g.Sources), plural(len(g.Sources)))
	if g.Alerts > 0 {
		fmt.Fprintf(&b, " and %d sensor alert%s", g.Alerts, plural(g.Alerts))
	}
	if n > 1 {
		fmt.Fprintf(&b, ", within %s and %s", km(g.Meters), hours(g.Span))
	}
	switch len(g.Reposts) {
	case 0:
	case 1:
		fmt.Fprintf(&b, "; 1 is a repost of the same text, %s after its first appearance", hours(lag))
	default:
		fmt.Fprintf(&b, "; %d are reposts of the same text, up to %s after its first appearance", len(g.Reposts), hours(lag))
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func hours(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		h := int(math.Ceil(d.Hours()))
		return fmt.Sprintf("%d hour%s", h, plural(h))
	}
	return fmt.Sprintf("%d days", int(math.Ceil(d.Hours()/24)))
}

type unionFind struct{ parent []int }

func newUnionFind(n int) *unionFind {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return &unionFind{p}
}

func (u *unionFind) find(i int) int {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

// union joins two sets, keeping the smaller index as the root so the
// result is deterministic.
func (u *unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
}
