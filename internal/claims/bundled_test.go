package claims_test

import (
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/claims"
)

// TestCheckBundled checks real claims against the judged VIINA reports of
// March and April 2025: the acceptance cases.
func TestCheckBundled(t *testing.T) {
	w := MustWorld(t)
	ix := claims.NewIndex(w.cands, w.options())
	for _, tt := range []struct {
		name       string
		claim      truce.ClaimID
		status     truce.ClaimStatus
		incident   truce.IncidentID // a proposal that must be there, if set
		reasonHas  string
		noProposal bool
	}{
		// Ukraine: Sloviansk's energy struck late on 18 March; VIINA
		// reports explosions and a power cut in Sloviansk that day, no
		// actor named: judged (undetermined) and corroborated.
		{name: "matched to the bundled report of the same event", claim: "UA-002", status: truce.ClaimJudged,
			incident: "viina_incidents_202503.csv:3066", reasonHas: "viina_incidents_202503.csv:3066"},
		// Russia: the Valuyki gas station (Belgorod Oblast); VIINA does
		// not report from Russia.
		{name: "no independent report stays unverified", claim: "RU-003", status: truce.ClaimUnverified,
			reasonHas: "the claimed site is in RU", noProposal: true},
		// Russia: Ukraine blew up the Sudzha gas metering station on 21
		// March; Ukraine's General Staff, as VIINA relays it, says Russia
		// shelled it: the accused party's report of a different actor.
		{name: "contradicted by the accused's report of another actor", claim: "RU-002", status: truce.ClaimContradicted,
			incident: "viina_incidents_202503.csv:3624", reasonHas: "names RU as the actor, not UA"},
		// Ukraine: the Kherson combined heat and power plant, 4 April;
		// VIINA only relays Zelensky's own words.
		{name: "only the claimant's own voice stays unverified", claim: "UA-010", status: truce.ClaimUnverified,
			incident: "viina_incidents_202504.csv:435", reasonHas: "relay UA's own statement"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := claims.Check(w.claim(t, tt.claim), ix, nil)
			if res.Status != tt.status || !strings.Contains(res.Reason, tt.reasonHas) {
				t.Errorf("Check(%s) = %s, %q; want %s with %q", tt.claim, res.Status, res.Reason, tt.status, tt.reasonHas)
			}
			if tt.noProposal && len(res.Proposals) != 0 {
				t.Errorf("Check(%s) proposed %v, want none", tt.claim, res.Proposals)
			}
			if tt.incident != "" && !proposed(res.Proposals, tt.incident) {
				t.Errorf("Check(%s) proposals %v lack %s", tt.claim, res.Proposals, tt.incident)
			}
		})
	}
}

func proposed(ps []claims.Proposal, id truce.IncidentID) bool {
	for _, p := range ps {
		if p.Incident == id {
			return true
		}
	}
	return false
}

// TestBundledFigures checks the figures on all 84 claims, and that a
// monitor's rejection of the Sudzha match undoes the contradiction.
func TestBundledFigures(t *testing.T) {
	w := MustWorld(t)
	ix := claims.NewIndex(w.cands, w.options())
	matched := 0
	by := map[truce.ClaimStatus]int{}
	for _, c := range w.claims {
		res := claims.Check(c, ix, nil)
		if len(res.Proposals) > 0 {
			matched++
		}
		by[res.Status]++
		if c.SiteCountry == "RU" && len(res.Proposals) == 0 && res.Status != truce.ClaimUnverified {
			t.Errorf("%s: %s with no match", c.ID, res.Status)
		}
	}
	t.Logf("%d claims, %d with a proposed match; %v", len(w.claims), matched, by)
	if len(w.claims) != 84 {
		t.Errorf("read %d claims, want 84", len(w.claims))
	}
	if by[truce.ClaimUnverified] < 60 || by[truce.ClaimContradicted] == 0 || by[truce.ClaimJudged] == 0 {
		t.Errorf("statuses %v: want most unverified, some contradicted and judged", by)
	}

	sudzha := w.claim(t, "RU-002")
	res := claims.Check(sudzha, ix, nil)
	var reject []truce.ClaimMatch
	for _, p := range res.Proposals {
		reject = append(reject, truce.ClaimMatch{Claim: sudzha.ID, Incident: p.Incident, Decision: truce.MatchRejected})
	}
	if got := claims.Status(sudzha, res.Proposals, reject, ix); got.Status != truce.ClaimUnverified ||
		!strings.Contains(got.Reason, "monitors rejected every proposed match") {
		t.Errorf("Status(RU-002, all rejected) = %s, %q; want unverified, rejected", got.Status, got.Reason)
	}
}

// TestClaimedVsFoundBundled builds the claimed-vs-found table for the
// moratorium, 18 March - 17 April 2025, under Russia's and Ukraine's
// readings.
func TestClaimedVsFoundBundled(t *testing.T) {
	w := MustWorld(t)
	ix := claims.NewIndex(w.cands, w.options())
	checked := map[truce.ClaimID]claims.Result{}
	for _, c := range w.claims {
		checked[c.ID] = claims.Check(c, ix, nil)
	}
	tz := w.a.Timezone
	day := func(s string) time.Time { d, _ := time.ParseInLocation(time.DateOnly, s, tz); return d }
	readings := []claims.Reading{
		{Name: "RU", Parties: []truce.PartyID{"RU"}, Start: day("2025-03-18")},
		{Name: "UA", Parties: []truce.PartyID{"UA"}, Start: day("2025-03-25")},
	}
	tab := claims.ClaimedVsFound(w.a, tz, day("2025-03-18"), day("2025-04-17"), readings, w.claims, checked, w.cands)
	if len(tab.Parties) != 2 || tab.Parties[0].Accused != "RU" || tab.Parties[1].Accused != "UA" {
		t.Fatalf("parties %v, want RU and UA", tab.Parties)
	}
	for _, p := range tab.Parties {
		if len(p.Days) != 31 {
			t.Errorf("%s: %d days, want 31", p.Accused, len(p.Days))
		}
		ru, ua := p.Totals[0], p.Totals[1]
		t.Logf("against %s: RU reading %+v; UA reading %+v", p.Accused, ru, ua)
		if ua.Claims > ru.Claims || ua.Violations > ru.Violations {
			t.Errorf("against %s: the UA reading (from 25 March) counts more than the RU reading (from 18 March)", p.Accused)
		}
		if ru.Claims != ru.Corroborated+ru.Contradicted+ru.Judged+ru.Unverified {
			t.Errorf("against %s: statuses do not add up: %+v", p.Accused, ru)
		}
	}
	// Claims against Ukraine (Russia's 71, less the undated ones
	// stated after 17 April).
	if got := tab.Parties[1].Totals[0].Claims; got < 60 || got > 71 {
		t.Errorf("claims against UA under the RU reading = %d, want 60..71", got)
	}
	if tab.Parties[0].Totals[0].Violations == 0 {
		t.Errorf("truce found no violation by RU in the window")
	}
}
