package claims_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/claims"
	"truce/internal/geo"
)

var (
	kherson = geo.Point{Lon: 32.625, Lat: 46.6425}
	kyivTZ  = mustTZ("Europe/Kyiv")
)

func mustTZ(name string) *time.Location {
	tz, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return tz
}

func date(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

// claim is a Ukrainian claim of a Russian strike on a Kherson substation
// on 1 April 2025, placed at the city centre to within 5 km.
func claim(edit ...func(*truce.Claim)) *truce.Claim {
	c := &truce.Claim{ID: "UA-T", Claimant: "UA", Accused: "RU", Stated: date("2025-04-02"),
		EventStart: date("2025-04-01"), EventEnd: date("2025-04-02"), FacilityKind: claims.KindSubstation,
		Settlement: "Kherson", SiteCountry: "UA", Location: kherson, LocationPrecisionMeters: 5000, PlacedBy: truce.PlacedByCoordinates}
	for _, e := range edit {
		e(c)
	}
	return c
}

// report is a VIINA-like day-precision report in Kherson, judged to name
// a substation.
func report(id string, day string, edit ...func(*truce.Report, *truce.Judgement)) claims.Candidate {
	start, _ := time.ParseInLocation(time.DateOnly, day, kyivTZ)
	r := &truce.Report{ID: truce.ReportID(id), Source: "viina", Start: start.UTC(), End: start.AddDate(0, 0, 1).UTC(),
		Location: kherson, LocationPrecisionMeters: 2000, Place: "Kherson", Text: "удар по підстанції"}
	jd := &truce.Judgement{Report: r.ID, Outcome: truce.OutcomeViolation, Explanation: "Violation: a Russian strike.",
		Facts: truce.Facts{Category: "energy.substation", Actions: []truce.Action{truce.ActionAttack}}}
	for _, e := range edit {
		e(r, jd)
	}
	return claims.Candidate{Incident: truce.IncidentID("in-" + id), Status: truce.StatusReported,
		Evidence: []claims.Evidence{{Report: r, Judgement: jd}}}
}

func ids(ps []claims.Proposal) []truce.IncidentID {
	out := []truce.IncidentID{}
	for _, p := range ps {
		out = append(out, p.Incident)
	}
	return out
}

func TestMatchTime(t *testing.T) {
	cands := []claims.Candidate{report("d-1", "2025-03-31"), report("d0", "2025-04-01"), report("d1", "2025-04-02"), report("d2", "2025-04-03")}
	ix := claims.NewIndex(cands, claims.Options{TZ: kyivTZ})
	for _, tt := range []struct {
		name  string
		claim *truce.Claim
		want  []truce.IncidentID
		why   string
	}{
		{"event date and the day after", claim(), []truce.IncidentID{"in-d0", "in-d1"}, "same day"},
		{"no event date: statement day and the day before", claim(func(c *truce.Claim) {
			c.EventStart, c.EventEnd, c.Stated = time.Time{}, time.Time{}, date("2025-04-01")
		}), []truce.IncidentID{"in-d-1", "in-d0"}, "the claim gave no event date"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := claims.Match(tt.claim, ix)
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("Match() mismatch (-want +got):\n%s", diff)
			}
			if len(got) == 0 || !strings.Contains(got[0].Reason, tt.why) {
				t.Errorf("Match() reason %v, want %q", got, tt.why)
			}
		})
	}
}

func TestMatchPlace(t *testing.T) {
	at := func(lon float64) func(*truce.Report, *truce.Judgement) {
		return func(r *truce.Report, _ *truce.Judgement) { r.Location.Lon = lon }
	}
	site := func(id truce.SiteID) func(*truce.Report, *truce.Judgement) {
		return func(_ *truce.Report, jd *truce.Judgement) {
			jd.Facts.Site = &truce.SiteMatch{ID: id, Category: "energy.substation"}
		}
	}
	cands := []claims.Candidate{
		report("near", "2025-04-01", at(32.70)), // 5.7 km: within 5 + 2 km
		report("far", "2025-04-01", at(32.80)),  // 13 km
		report("site", "2025-04-01", at(32.80), site("S1")),
		report("othersite", "2025-04-01", site("S2")),
	}
	ix := claims.NewIndex(cands, claims.Options{TZ: kyivTZ})
	for _, tt := range []struct {
		name  string
		claim *truce.Claim
		want  []truce.IncidentID
	}{
		{"within both precisions, nearest first", claim(), []truce.IncidentID{"in-othersite", "in-near"}},
		{"a claimed site: the site first, another site never", claim(func(c *truce.Claim) { c.Site = "S1" }),
			[]truce.IncidentID{"in-site", "in-near"}},
		{"not placed: by named place only", claim(func(c *truce.Claim) {
			c.Location, c.LocationPrecisionMeters, c.PlacedBy = geo.Point{}, 0, truce.NotPlaced
			c.Settlement = "Kherson outskirts"
		}), []truce.IncidentID{"in-far", "in-near", "in-othersite", "in-site"}},
		{"not placed, no place named", claim(func(c *truce.Claim) {
			c.Location, c.LocationPrecisionMeters, c.PlacedBy, c.Settlement = geo.Point{}, 0, truce.NotPlaced, "not stated"
		}), []truce.IncidentID{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(claims.Match(tt.claim, ix))); diff != "" {
				t.Errorf("Match() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchKind(t *testing.T) {
	cat := func(c truce.CategoryID) func(*truce.Report, *truce.Judgement) {
		return func(_ *truce.Report, jd *truce.Judgement) { jd.Facts.Category = c }
	}
	outage := func(_ *truce.Report, jd *truce.Judgement) {
		jd.Facts.Category = ""
		jd.Facts.Evidence = []truce.Span{{Fact: "outage", Basis: truce.BasisText, Words: "знеструмлено"}}
	}
	for _, tt := range []struct {
		name string
		kind string
		edit func(*truce.Report, *truce.Judgement)
		want bool
	}{
		{"same kind", claims.KindSubstation, cat("energy.substation"), true},
		{"substation and grid are one network", claims.KindSubstation, cat("energy.grid"), true},
		{"report does not say which energy", claims.KindSubstation, cat("energy"), true},
		{"claim does not say which energy", claims.KindNotStated, cat("energy.refinery"), true},
		{"another kind", claims.KindSubstation, cat("energy.refinery"), false},
		{"not energy", claims.KindSubstation, cat("transport"), false},
		{"no target, a power cut", claims.KindGrid, outage, true},
		{"no target, a power cut, a refinery claimed", claims.KindRefinery, outage, false},
		{"no target at all", claims.KindSubstation, cat(""), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ix := claims.NewIndex([]claims.Candidate{report("r", "2025-04-01", tt.edit)}, claims.Options{TZ: kyivTZ})
			got := claims.Match(claim(func(c *truce.Claim) { c.FacilityKind = tt.kind }), ix)
			if (len(got) == 1) != tt.want {
				t.Errorf("Match(kind %q) = %v, want match %v", tt.kind, got, tt.want)
			}
		})
	}
	for _, k := range claims.FacilityKinds() {
		if len(claims.KindCategories(k)) == 0 {
			t.Errorf("KindCategories(%q) is empty", k)
		}
	}
}

// TestKindCategoriesInAgreement checks every category the kinds map to is
// one of the bundled agreement's.
func TestKindCategoriesInAgreement(t *testing.T) {
	w := MustWorld(t)
	for _, k := range claims.FacilityKinds() {
		for _, c := range claims.KindCategories(k) {
			if _, ok := w.a.Category(c); !ok {
				t.Errorf("kind %q maps to %s, not a category of the agreement", k, c)
			}
		}
	}
}

func TestStatus(t *testing.T) {
	actor := func(p truce.PartyID) func(*truce.Report, *truce.Judgement) {
		return func(_ *truce.Report, jd *truce.Judgement) { jd.Facts.Perpetrator = p }
	}
	unjudged := func(r *truce.Report, jd *truce.Judgement) { jd.Facts.Actions = nil }
	outlet := func(r *truce.Report, _ *truce.Judgement) { r.Outlet = "Ukrinform" }
	voice := func(r *truce.Report, _ *truce.Judgement) {
		r.Text = "Сибіга: РФ вдарила по підстанції"
	}
	denied := func(_ *truce.Report, jd *truce.Judgement) { jd.Facts.Modality = "denied" }
	opt := claims.Options{TZ: kyivTZ, Controlled: map[string]truce.PartyID{"Ukrinform": "UA"},
		Voices: map[truce.PartyID][]string{"UA": {"Сибіг*"}}, Reach: []string{"UA"}}
	confirm := func(id truce.IncidentID) truce.ClaimMatch {
		return truce.ClaimMatch{Claim: "UA-T", Incident: id, Decision: truce.MatchConfirmed}
	}
	reject := func(id truce.IncidentID) truce.ClaimMatch {
		return truce.ClaimMatch{Claim: "UA-T", Incident: id, Decision: truce.MatchRejected}
	}
	for _, tt := range []struct {
		name      string
		claim     *truce.Claim
		cands     []claims.Candidate
		decisions []truce.ClaimMatch
		obs       []claims.Observation
		want      truce.ClaimStatus
		reason    string
	}{
		{name: "judged: the verdict carries over", cands: []claims.Candidate{report("a", "2025-04-01", actor("RU"))},
			want: truce.ClaimJudged, reason: "judged violation"},
		{name: "corroborated: reported, no attack established", cands: []claims.Candidate{report("a", "2025-04-01", unjudged)},
			want: truce.ClaimCorroborated, reason: "reports the event"},
		{name: "contradicted: another actor", cands: []claims.Candidate{report("a", "2025-04-01", actor("UA"))},
			want: truce.ClaimContradicted, reason: "names UA as the actor, not RU"},
		{name: "another actor, but another report names the accused",
			cands: []claims.Candidate{report("a", "2025-04-01", actor("UA")), report("b", "2025-04-01", actor("RU"))},
			want:  truce.ClaimJudged, reason: "names UA instead"},
		{name: "a vague match never contradicts",
			claim: claim(func(c *truce.Claim) { c.LocationPrecisionMeters, c.PlacedBy = 160_000, truce.PlacedByRegion }),
			cands: []claims.Candidate{report("a", "2025-04-01", actor("UA"))}, want: truce.ClaimUnverified},
		{name: "the claimant's outlet does not corroborate", cands: []claims.Candidate{report("a", "2025-04-01", outlet)},
			want: truce.ClaimUnverified, reason: "relay UA's own statement"},
		{name: "the claimant's voice relayed does not corroborate", cands: []claims.Candidate{report("a", "2025-04-01", voice)},
			want: truce.ClaimUnverified, reason: "relay UA's own statement"},
		{name: "a denial does not corroborate", cands: []claims.Candidate{report("a", "2025-04-01", denied)},
			want: truce.ClaimUnverified, reason: "do not say the attack happened"},
		{name: "a rejected match never counts", cands: []claims.Candidate{report("a", "2025-04-01")},
			decisions: []truce.ClaimMatch{reject("in-a")}, want: truce.ClaimUnverified, reason: "monitors rejected"},
		{name: "a confirmed match always counts", cands: []claims.Candidate{report("a", "2025-04-20")},
			decisions: []truce.ClaimMatch{confirm("in-a")}, want: truce.ClaimJudged, reason: "confirmed by a monitor"},
		{name: "a dismissed incident does not count", cands: func() []claims.Candidate {
			c := report("a", "2025-04-01")
			c.Status = truce.StatusDismissed
			return []claims.Candidate{c}
		}(), want: truce.ClaimUnverified, reason: "dismissed on review"},
		{name: "outside the sources' reach", claim: claim(func(c *truce.Claim) { c.SiteCountry = "RU" }),
			want: truce.ClaimUnverified, reason: "the claimed site is in RU"},
		{name: "a sensor saw nothing at a point-precise site",
			claim: claim(func(c *truce.Claim) { c.Site, c.PlacedBy, c.LocationPrecisionMeters = "S1", truce.PlacedBySite, 0 }),
			obs: []claims.Observation{{Source: "firms", Outlet: "NASA FIRMS", Location: kherson, RadiusMeters: 500,
				Start: date("2025-03-31"), End: date("2025-04-03")}},
			want: truce.ClaimContradicted, reason: "NASA FIRMS observed"},
		{name: "a sensor says nothing of a settlement's centre",
			obs:  []claims.Observation{{Source: "firms", Location: kherson, RadiusMeters: 500, Start: date("2025-03-31"), End: date("2025-04-03")}},
			want: truce.ClaimUnverified},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.claim
			if c == nil {
				c = claim()
			}
			o := opt
			o.Observations = tt.obs
			ix := claims.NewIndex(tt.cands, o)
			got := claims.Status(c, claims.Match(c, ix), tt.decisions, ix)
			if got.Status != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Status() = %s, %q; want %s with %q", got.Status, got.Reason, tt.want, tt.reason)
			}
			if tt.want == truce.ClaimJudged && (!got.Corroborated || got.Verdict != "violation" || got.Explanation == "") {
				t.Errorf("Status() judged without corroboration or verdict: %+v", got)
			}
		})
	}
}

func TestClaimedVsFound(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.ParseInLocation(time.DateOnly, s, kyivTZ); return d }
	finding := func(p truce.PartyID, ru, ua truce.Outcome) func(*truce.Report, *truce.Judgement) {
		return func(_ *truce.Report, jd *truce.Judgement) {
			jd.Findings = []truce.Finding{{Commitment: "energy-ru", Party: p, Outcome: max(ru, ua), Readings: []truce.ReadingResult{
				{Parties: []truce.PartyID{"RU"}, Outcome: ru}, {Parties: []truce.PartyID{"UA"}, Outcome: ua}}}}
		}
	}
	incidents := []claims.Candidate{
		report("v", "2025-04-01", finding("RU", truce.OutcomeViolation, truce.OutcomeViolation)),
		report("d", "2025-04-02", finding("RU", truce.OutcomeDisputed, truce.OutcomeNotProhibited)),
		report("u", "2025-04-02", finding("", truce.OutcomeUndetermined, truce.OutcomeUndetermined)), // energy-ru binds RU alone
		report("n", "2025-04-02", finding("RU", truce.OutcomeNotProhibited, truce.OutcomeNotProhibited)),
	}
	a := &truce.Agreement{Phases: []truce.Phase{{ID: "energy", Commitments: []truce.Commitment{{ID: "energy-ru", Bound: []truce.PartyID{"RU"}}}}}}
	cs := []*truce.Claim{claim(), claim(func(c *truce.Claim) { c.ID = "UA-U" })}
	checked := map[truce.ClaimID]claims.Result{"UA-T": {Status: truce.ClaimJudged, Corroborated: true}}
	readings := []claims.Reading{{Name: "RU", Parties: []truce.PartyID{"RU"}, Start: day("2025-04-01")},
		{Name: "UA", Parties: []truce.PartyID{"UA"}, Start: day("2025-04-02")}}
	tab := claims.ClaimedVsFound(a, kyivTZ, day("2025-04-01"), day("2025-04-02"), readings, cs, checked, incidents)

	want := claims.Table{From: "2025-04-01", To: "2025-04-02", TimeZone: "Europe/Kyiv", Readings: readings, Parties: []claims.Party{{
		Accused: "RU",
		Days: []claims.Day{
			{Day: "2025-04-01", Claims: claims.ClaimCounts{Total: 2, Judged: 1, Unverified: 1, IDs: []truce.ClaimID{"UA-T", "UA-U"}},
				Found: []claims.FoundCount{
					{Reading: "RU", InForce: true, Violations: 1, Running: claims.Totals{Reading: "RU", Claims: 2, Judged: 1, Unverified: 1, Violations: 1}},
					{Reading: "UA", InForce: false, Violations: 1, Running: claims.Totals{Reading: "UA"}},
				}},
			{Day: "2025-04-02", Claims: claims.ClaimCounts{IDs: []truce.ClaimID{}},
				Found: []claims.FoundCount{
					{Reading: "RU", InForce: true, Disputed: 1, Undetermined: 1,
						Running: claims.Totals{Reading: "RU", Claims: 2, Judged: 1, Unverified: 1, Violations: 1, Disputed: 1, Undetermined: 1}},
					{Reading: "UA", InForce: true, Undetermined: 1, Running: claims.Totals{Reading: "UA", Undetermined: 1}},
				}},
		},
		Totals: []claims.Totals{
			{Reading: "RU", Claims: 2, Judged: 1, Unverified: 1, Violations: 1, Disputed: 1, Undetermined: 1},
			{Reading: "UA", Undetermined: 1},
		},
	}}}
	if diff := cmp.Diff(want, tab); diff != "" {
		t.Errorf("ClaimedVsFound() mismatch (-want +got):\n%s", diff)
	}
}
