package claims

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"truce"
	"truce/internal/geo"
)

// Evidence is one report of an incident with what is known of it.
type Evidence struct {
	Report *truce.Report
	// Judgement is the report's adjudication; nil if it was not judged.
	Judgement *truce.Judgement
	// Party is the party that submitted the report through the API, ""
	// for reports imported from a dataset.
	Party truce.PartyID
}

// Candidate is an incident as matching sees it: its reports, their
// judgements and its review status.
type Candidate struct {
	Incident truce.IncidentID
	Status   truce.Status
	Evidence []Evidence
}

// Observation is a sensor's look at an area over a window of time: how
// many detections it made there, possibly none. Only observations
// given as such can show that a sensor saw nothing; a list of detections
// alone cannot (a pass with no detection leaves no row).
type Observation struct {
	Source   string // e.g. "firms"
	Outlet   string // e.g. "NASA FIRMS"
	Location geo.Point
	// RadiusMeters is how far from Location the observation reaches.
	RadiusMeters float64
	// Start and End bound the window observed, [Start, End) in UTC.
	Start, End time.Time
	Detections int
}

// Options say how evidence is read: the time zone of the agreement, and
// who controls which sources.
type Options struct {
	// TZ is the agreement's time zone: report times are read as days in
	// it. nil means UTC.
	TZ *time.Location
	// Controlled maps an outlet (Report.Outlet) or a source
	// (Report.Source) to the party that controls it (state media, a
	// ministry's channel): its reports never corroborate that party's
	// claims.
	Controlled map[string]truce.PartyID
	// Voices lists, per party, the phrases that name its officials and
	// bodies in report text ("Зеленськ*", "Минобороны", "Sybiha"): a
	// report whose text quotes one relays that party's statement. Words
	// match whole and case-insensitively; a trailing "*" matches any
	// ending.
	Voices map[truce.PartyID][]string
	// Reach lists the SiteCountry values (e.g. "UA", "UA-occupied") where
	// the independent sources given report at all; when set, a claim
	// about a site elsewhere is unverified for that reason.
	Reach []string
	// Agreement, when set, narrows a carried-over verdict to the findings
	// about the accused party (a finding with no perpetrator is about
	// the party a commitment binds, when it binds one).
	Agreement *truce.Agreement
	// Observations are the sensors' looks at areas, with or without
	// detections.
	Observations []Observation
}

// maxReportDays is the longest time span a report may cover and still be
// matched to a claimed day: a report dated only to its week or month
// cannot say which event it is.
const maxReportDays = 3

// Index holds the candidates by day and by site, for matching many claims.
// It is immutable after NewIndex.
type Index struct {
	opt   Options
	cands []Candidate
	byID  map[truce.IncidentID]int
	byDay map[int][]ref
	voice map[truce.PartyID][][]string
}

// ref locates one report: candidate i, evidence j.
type ref struct{ i, j int }

// NewIndex indexes candidates by the days of their reports in opt.TZ.
func NewIndex(cands []Candidate, opt Options) *Index {
	if opt.TZ == nil {
		opt.TZ = time.UTC
	}
	ix := &Index{opt: opt, cands: cands, byID: make(map[truce.IncidentID]int, len(cands)), byDay: map[int][]ref{},
		voice: map[truce.PartyID][][]string{}}
	for i := range cands {
		ix.byID[cands[i].Incident] = i
		for j, ev := range cands[i].Evidence {
			first, last := ix.reportDays(ev.Report)
			if last-first >= maxReportDays {
				continue
			}
			for d := first; d <= last; d++ {
				ix.byDay[d] = append(ix.byDay[d], ref{i, j})
			}
		}
	}
	for p, phrases := range opt.Voices {
		for _, ph := range phrases {
			if ws := words(ph); len(ws) > 0 {
				ix.voice[p] = append(ix.voice[p], ws)
			}
		}
	}
	return ix
}

// Candidate returns the indexed incident id.
func (ix *Index) Candidate(id truce.IncidentID) (*Candidate, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return &ix.cands[i], true
}

// dayNumber numbers a calendar date: days since 1970-01-01.
func dayNumber(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dayString writes a day number as YYYY-MM-DD.
func dayString(n int) string {
	return time.Unix(int64(n)*86400, 0).UTC().Format(time.DateOnly)
}

// localDay is the day number of t in tz.
func localDay(t time.Time, tz *time.Location) int {
	y, m, d := t.In(tz).Date()
	return dayNumber(y, m, d)
}

// civilDay is the day number of a claim's date, stored as midnight UTC.
func civilDay(t time.Time) int {
	y, m, d := t.UTC().Date()
	return dayNumber(y, m, d)
}

// reportDays returns the first and last local day r covers.
func (ix *Index) reportDays(r *truce.Report) (first, last int) {
	first = localDay(r.Start, ix.opt.TZ)
	last = localDay(r.End.Add(-time.Nanosecond), ix.opt.TZ)
	return first, max(first, last)
}

// Proposal is an incident that could be the event a claim describes, with
// the reason in plain words.
type Proposal struct {
	Incident truce.IncidentID `json:"incident"`
	// Reports are the incident's reports that match the claim.
	Reports []truce.ReportID `json:"reports"`
	// BySite is set when a report names the claim's protected site.
	BySite bool `json:"by_site"`
	// DistanceMeters is the shortest distance from the claim's position
	// to a matching report; -1 when the match is not by distance.
	DistanceMeters float64 `json:"distance_m"`
	// Vague is set when the match rests on a wide area (the claim was
	// placed only by its region, or to within more than 25 km): such a
	// match may corroborate a claim, never contradict it.
	Vague  bool   `json:"vague"`
	Reason string `json:"reason"`
}

// vagueMeters is the claim precision beyond which a match by distance is
// vague.
const vagueMeters = 25_000

// window is the days a claim's event may have happened on.
type window struct {
	first, last int  // the claimed days, inclusive
	stated      bool // no event date: the statement day and the day before
}

// claimWindow returns the days to search for c's event: its event dates
// and the day after (strikes overnight are reported the next morning);
// with no event date, the statement day and the day before.
func claimWindow(c *truce.Claim) window {
	if c.EventStart.IsZero() {
		s := civilDay(c.Stated)
		return window{first: s - 1, last: s, stated: true}
	}
	first := civilDay(c.EventStart)
	last := max(first, civilDay(c.EventEnd.Add(-time.Nanosecond)))
	return window{first: first, last: last}
}

// timePhrase says how day d relates to the claim's window.
func (w window) timePhrase(d int) string {
	switch {
	case w.stated && d == w.last:
		return fmt.Sprintf("on %s, the statement day (the claim gave no event date)", dayString(d))
	case w.stated:
		return fmt.Sprintf("on %s, the day before the statement (the claim gave no event date)", dayString(d))
	case d > w.last:
		return fmt.Sprintf("on %s, the day after the claimed date (a strike overnight is reported the next day)", dayString(d))
	case w.first == w.last:
		return "same day"
	}
	return fmt.Sprintf("on %s, within the claimed dates", dayString(d))
}

// Match proposes the indexed incidents that could be the event c
// describes, most likely first: by the claimed protected site, then by
// distance. A report matches when
//
//   - time: it covers a day of the claim's event dates or the day after,
//     or, when the claim gave no event date, the statement day or the day
//     before; reports spanning more than three days never match;
//   - place: it names the claim's protected site, or it lies within the
//     claim's precision plus its own of the claim's position, or (for a
//     claim that could not be placed) it names the claim's settlement; a
//     report that names a different protected site does not match a claim
//     about a site;
//   - kind: its target (the judged category, else the report's, else its
//     site's) fits the claimed facility kind (KindCategories; one covers
//     the other), or, with no category, its text reports a power cut
//     and the claim concerns electricity or did not say.
func Match(c *truce.Claim, ix *Index) []Proposal {
	w := claimWindow(c)
	by := map[int]*Proposal{}
	var order []int
	for d := w.first; d <= w.last+1; d++ {
		if w.stated && d > w.last {
			break
		}
		for _, rf := range ix.byDay[d] {
			cand := &ix.cands[rf.i]
			ev := &cand.Evidence[rf.j]
			why, bySite, dist, ok := matchReport(c, ev, w, d)
			if !ok {
				continue
			}
			p := by[rf.i]
			if p == nil {
				p = &Proposal{Incident: cand.Incident, DistanceMeters: -1}
				by[rf.i] = p
				order = append(order, rf.i)
			}
			if slices.Contains(p.Reports, ev.Report.ID) {
				continue
			}
			p.Reports = append(p.Reports, ev.Report.ID)
			if better(bySite, dist, p) {
				p.BySite, p.DistanceMeters, p.Reason = bySite, dist, why
				p.Vague = dist >= 0 && (c.PlacedBy == truce.PlacedByRegion || c.LocationPrecisionMeters > vagueMeters)
			}
		}
	}
	out := make([]Proposal, 0, len(order))
	for _, i := range order {
		p := *by[i]
		slices.Sort(p.Reports)
		if n := len(p.Reports); n > 1 {
			p.Reason += fmt.Sprintf(" (%d matching reports)", n)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Proposal) int {
		if a.BySite != b.BySite {
			if a.BySite {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(sortDistance(a.DistanceMeters), sortDistance(b.DistanceMeters)), cmp.Compare(a.Incident, b.Incident))
	})
	return out
}

// better reports whether a report matched by site or at dist explains the
// match better than the proposal's reason so far.
func better(bySite bool, dist float64, p *Proposal) bool {
	switch {
	case p.Reason == "":
		return true
	case bySite != p.BySite:
		return bySite
	}
	return sortDistance(dist) < sortDistance(p.DistanceMeters)
}

// sortDistance orders matches without a distance after those with one.
func sortDistance(d float64) float64 {
	if d < 0 {
		return 1e12
	}
	return d
}

// matchReport tests one report on day d against c and says why it
// matches.
func matchReport(c *truce.Claim, ev *Evidence, w window, d int) (why string, bySite bool, dist float64, ok bool) {
	r, jd := ev.Report, ev.Judgement
	dist = -1
	site := r.Site
	if jd != nil && jd.Facts.Site != nil {
		site = jd.Facts.Site.ID
	}
	var place string
	switch {
	case c.Site != "" && site == c.Site:
		bySite = true
		place = fmt.Sprintf("site %s named in both", c.Site)
	case c.Site != "" && site != "":
		return "", false, 0, false // another protected site: another event
	case c.PlacedBy != truce.NotPlaced:
		dist = geo.Distance(c.Location, r.Location)
		if dist > c.LocationPrecisionMeters+r.LocationPrecisionMeters {
			return "", false, 0, false
		}
		place = fmt.Sprintf("%s from %s (within %s + %s)", km(dist), claimOrigin(c), km(c.LocationPrecisionMeters), km(r.LocationPrecisionMeters))
	default:
		n, ok := namesSettlement(c, r, jd)
		if !ok {
			return "", false, 0, false
		}
		place = fmt.Sprintf("the report names %s, the claimed settlement", n)
	}
	kind, ok := reportKind(c, r, jd)
	if !ok {
		return "", false, 0, false
	}
	return w.timePhrase(d) + ", " + place + ", " + kind, bySite, dist, true
}

// km writes a distance in kilometres.
func km(m float64) string {
	if m < 10_000 {
		return fmt.Sprintf("%.1f km", m/1000)
	}
	return fmt.Sprintf("%.0f km", m/1000)
}

// claimOrigin names what the claim's position is.
func claimOrigin(c *truce.Claim) string {
	switch c.PlacedBy {
	case truce.PlacedBySite:
		return "the claimed site " + string(c.Site)
	case truce.PlacedBySettlement:
		return "the centre of " + c.Settlement
	case truce.PlacedByRegion:
		return "the centre of " + c.Region
	}
	return "the claimed settlement's centre"
}

// reportKind says what the report's target is and whether it fits c.
func reportKind(c *truce.Claim, r *truce.Report, jd *truce.Judgement) (string, bool) {
	got := r.Category
	if jd != nil {
		if jd.Facts.Category != "" {
			got = jd.Facts.Category
		} else if got == "" && jd.Facts.Site != nil {
			got = jd.Facts.Site.Category
		}
	}
	if got != "" {
		return "kind " + string(got), kindFits(c.FacilityKind, got)
	}
	if jd != nil && reportsOutage(jd) && kindFits(c.FacilityKind, "energy.grid") {
		return "a power cut reported (no facility named)", true
	}
	return "", false
}

// reportsOutage reports whether the judge read a power cut in the text.
func reportsOutage(jd *truce.Judgement) bool {
	for _, s := range jd.Facts.Evidence {
		if s.Fact == "outage" {
			return true
		}
	}
	return false
}

// namesSettlement reports whether the report names the claim's
// settlement: its place name, or the gazetteer place the judge read in
// its text, is a word of the claim's settlement.
func namesSettlement(c *truce.Claim, r *truce.Report, jd *truce.Judgement) (string, bool) {
	want := words(c.Settlement)
	if len(want) == 0 {
		return "", false
	}
	names := []string{r.Place}
	if jd != nil && jd.Facts.Place != "" {
		id := jd.Facts.Place
		if i := strings.IndexByte(id, '-'); i >= 0 {
			id = id[i+1:] // "ua-kherson" -> "kherson"
		}
		names = append(names, id)
	}
	for _, n := range names {
		got := words(strings.ReplaceAll(n, "-", " "))
		if len(got) > 0 && containsRun(want, got) {
			return n, true
		}
	}
	return "", false
}

// containsRun reports whether the words of sub occur in order, adjacent,
// in ws.
func containsRun(ws, sub []string) bool {
	for i := 0; i+len(sub) <= len(ws); i++ {
		if slices.Equal(ws[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// words splits s into lower-case words of letters, digits, apostrophes
// and a trailing "*".
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' && r != '*'
	})
}
