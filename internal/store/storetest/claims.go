package storetest

import (
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
)

// The claims of the tests: two made by Russia (one published), one by
// Ukraine (unpublished), shaped like rows of the bundled 2025 claims.
func claims() []*truce.Claim {
	d := func(day int) time.Time { return time.Date(2025, 3, day, 0, 0, 0, 0, time.UTC) }
	return []*truce.Claim{
		{ID: "RU-002", Claimant: "RU", Body: "Russian Ministry of Defence", Accused: "UA", Stated: d(21),
			EventStart: d(21), EventEnd: d(22), Facility: "Sudzha gas metering station (GIS Sudzha)",
			FacilityKind: "oil and gas pipeline/pumping/compressor/metering station", Settlement: "Sudzha", Region: "Kursk Oblast",
			SiteCountry: "RU", Location: geo.Point{Lon: 35.27056, Lat: 51.19139}, LocationPrecisionMeters: 5000,
			PlacedBy: truce.PlacedByCoordinates, Weapon: "not stated", Consequences: "fire", SourceTitle: "MoD",
			SourceURL: "https://example.org/ru-002", Confidence: "high", Published: true, File: "claims_2025.csv", Line: 3},
		{ID: "RU-026", Claimant: "RU", Body: "Russian Ministry of Defence", Accused: "UA", Stated: d(31),
			Facility: "Energy infrastructure, Kursky district", FacilityKind: "not stated", Settlement: "Kursky district",
			Region: "Kursk Oblast", SiteCountry: "RU", Location: geo.Point{Lon: 36.19, Lat: 51.73}, LocationPrecisionMeters: 170000,
			PlacedBy: truce.PlacedByRegion, Confidence: "medium", File: "claims_2025.csv", Line: 27},
		{ID: "UA-003", Claimant: "UA", Body: "President of Ukraine", Accused: "RU", Stated: d(27), EventStart: d(27), EventEnd: d(28),
			Facility: "Energy infrastructure in Kherson city", FacilityKind: "power transmission/distribution", Settlement: "Kherson",
			Region: "Kherson Oblast", SiteCountry: "UA", Confidence: "high", File: "claims_2025.csv", Line: 74},
	}
}

func tallies() []*truce.Tally {
	return []*truce.Tally{
		{ID: "tallies_2025.csv:2", Claimant: "UA", Speaker: "adviser", Stated: time.Date(2025, 3, 26, 0, 0, 0, 0, time.UTC),
			Period: "18-25 Mar 2025", Count: "at least 8", Published: true, File: "tallies_2025.csv", Line: 2},
		{ID: "tallies_2025.csv:4", Claimant: "RU", Speaker: "Kremlin spokesman", Stated: time.Date(2025, 3, 28, 0, 0, 0, 0, time.UTC),
			Period: "since 18 Mar 2025", Count: "not stated ('every night')", File: "tallies_2025.csv", Line: 4},
	}
}

func mustPutClaims(t *testing.T, e *env) {
	t.Helper()
	n, err := e.s.PutClaims(e.ctx, truce.System, claims())
	must(t, err)
	if n != 3 {
		t.Fatalf("PutClaims added %d, want 3", n)
	}
}

func claimIDs(t *testing.T, e *env, f truce.ClaimFilter) []truce.ClaimID {
	t.Helper()
	var out []truce.ClaimID
	must(t, e.s.Claims(e.ctx, f, func(c *truce.Claim) error { out = append(out, c.ID); return nil }))
	return out
}

var putClaimsCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		for _, want := range claims() {
			got, err := e.s.Claim(e.ctx, want.ID)
			must(t, err)
			equal(t, "claim "+string(want.ID), want, got)
		}
		_, rc := mustVerify(t, e)
		if rc.Claims != 3 {
			t.Errorf("VerifyRows checked %d claims, want 3", rc.Claims)
		}
	}},
	{"Idempotent", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		size := logSize(t, e)
		n, err := e.s.PutClaims(e.ctx, truce.System, claims())
		must(t, err)
		if n != 0 || logSize(t, e) != size {
			t.Errorf("re-put added %d claims and %d records, want none", n, logSize(t, e)-size)
		}
	}},
	{"Conflict", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		c := claims()[1]
		c.Consequences = "a different account"
		_, err := e.s.PutClaims(e.ctx, truce.System, []*truce.Claim{c})
		wantCode(t, err, truce.ECONFLICT)
	}},
	{"ConflictInBatch", func(t *testing.T, e *env) {
		a, b := claims()[0], claims()[0]
		b.Note = "another"
		_, err := e.s.PutClaims(e.ctx, truce.System, []*truce.Claim{a, b})
		wantCode(t, err, truce.ECONFLICT)
		if _, err := e.s.Claim(e.ctx, a.ID); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("a refused batch stored claim %s (err %v)", a.ID, err)
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		for name, edit := range map[string]func(c *truce.Claim){
			"NoID":        func(c *truce.Claim) { c.ID = "" },
			"SelfAccused": func(c *truce.Claim) { c.Accused = c.Claimant },
			"NoStated":    func(c *truce.Claim) { c.Stated = time.Time{} },
			"HalfEvent":   func(c *truce.Claim) { c.EventEnd = time.Time{} },
			"BadBasis":    func(c *truce.Claim) { c.PlacedBy = "guess" },
			"NUL":         func(c *truce.Claim) { c.Note = "a\x00b" },
		} {
			c := claims()[0]
			edit(c)
			_, err := e.s.PutClaims(e.ctx, truce.System, []*truce.Claim{c})
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", name, err)
			}
		}
		if n := logSize(t, e); n != 0 {
			t.Errorf("invalid claims logged %d records", n)
		}
	}},
}

var claimCases = []tcase{
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.Claim(e.ctx, "RU-999")
		wantCode(t, err, truce.ENOTFOUND)
	}},
}

var claimsCases = []tcase{
	{"OrderAndFilter", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		equal(t, "all", ids[truce.ClaimID]("RU-002", "UA-003", "RU-026"), claimIDs(t, e, truce.ClaimFilter{}))
		equal(t, "claimant RU", ids[truce.ClaimID]("RU-002", "RU-026"), claimIDs(t, e, truce.ClaimFilter{Claimant: "RU"}))
		equal(t, "accused RU", ids[truce.ClaimID]("UA-003"), claimIDs(t, e, truce.ClaimFilter{Accused: "RU"}))
	}},
	{"Visible", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		for _, c := range []struct {
			p    truce.Principal
			want []truce.ClaimID
		}{
			{observer, ids[truce.ClaimID]("RU-002")},
			{truce.Anonymous, ids[truce.ClaimID]("RU-002")},
			{partyRU, ids[truce.ClaimID]("RU-002", "RU-026")},
			{partyUA, ids[truce.ClaimID]("RU-002", "UA-003")},
			{monitor, ids[truce.ClaimID]("RU-002", "UA-003", "RU-026")},
		} {
			equal(t, "visible to "+c.p.String(), c.want, claimIDs(t, e, truce.ClaimFilter{Visible: &c.p}))
		}
	}},
}

var publishClaimCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		size := logSize(t, e)
		must(t, e.s.PublishClaim(e.ctx, monitor, "UA-003"))
		must(t, e.s.PublishClaim(e.ctx, monitor, "UA-003")) // again: nothing to do
		if n := logSize(t, e) - size; n != 1 {
			t.Errorf("publishing twice logged %d records, want 1", n)
		}
		if rec := mustRecord(t, e, size); rec.Kind != ledger.KindClaimPublished || rec.Actor != monitor.String() {
			t.Errorf("record %d is %s by %s", size, rec.Kind, rec.Actor)
		}
		equal(t, "visible to the public", ids[truce.ClaimID]("RU-002", "UA-003"), claimIDs(t, e, truce.ClaimFilter{Visible: &observer}))
		// The published claim is still the claim that was put.
		n, err := e.s.PutClaims(e.ctx, truce.System, claims())
		must(t, err)
		if n != 0 {
			t.Errorf("re-put after publishing added %d", n)
		}
		mustVerify(t, e)
	}},
	{"NotFound", func(t *testing.T, e *env) {
		wantCode(t, e.s.PublishClaim(e.ctx, monitor, "RU-999"), truce.ENOTFOUND)
	}},
}

var putTalliesCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		n, err := e.s.PutTallies(e.ctx, truce.System, tallies())
		must(t, err)
		if n != 2 {
			t.Fatalf("added %d, want 2", n)
		}
		if n, err = e.s.PutTallies(e.ctx, truce.System, tallies()); err != nil || n != 0 {
			t.Fatalf("re-put: %d, %v; want 0, nil", n, err)
		}
		got, err := e.s.Tallies(e.ctx, truce.ClaimFilter{})
		must(t, err)
		want := []truce.Tally{*tallies()[0], *tallies()[1]}
		equal(t, "tallies", want, got)
		got, err = e.s.Tallies(e.ctx, truce.ClaimFilter{Visible: &observer})
		must(t, err)
		equal(t, "public tallies", want[:1], got)
		got, err = e.s.Tallies(e.ctx, truce.ClaimFilter{Claimant: "RU", Visible: &partyRU})
		must(t, err)
		equal(t, "RU's own tallies", want[1:], got)
		_, rc := mustVerify(t, e)
		if rc.Tallies != 2 {
			t.Errorf("VerifyRows checked %d tallies, want 2", rc.Tallies)
		}
	}},
	{"Conflict", func(t *testing.T, e *env) {
		_, err := e.s.PutTallies(e.ctx, truce.System, tallies())
		must(t, err)
		tl := tallies()[0]
		tl.Count = "at least 9"
		_, err = e.s.PutTallies(e.ctx, truce.System, []*truce.Tally{tl})
		wantCode(t, err, truce.ECONFLICT)
	}},
	{"Invalid", func(t *testing.T, e *env) {
		tl := tallies()[0]
		tl.Count = ""
		_, err := e.s.PutTallies(e.ctx, truce.System, []*truce.Tally{tl})
		wantCode(t, err, truce.EINVALID)
	}},
}

var decideMatchCases = []tcase{
	{"ReplacesEarlier", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, byID(scenario(), rSudzha))
		mustPutClaims(t, e)
		inc := truce.IncidentID(rSudzha)
		must(t, e.s.DecideMatch(e.ctx, truce.ClaimMatch{Claim: "RU-002", Incident: inc, Decision: truce.MatchConfirmed, Note: "same station, same day", By: monitor}))
		at := e.clock.Advance(time.Hour)
		must(t, e.s.DecideMatch(e.ctx, truce.ClaimMatch{Claim: "RU-002", Incident: inc, Decision: truce.MatchRejected, Note: "another night", By: monitor}))
		got, err := e.s.ClaimMatches(e.ctx, "RU-002")
		must(t, err)
		equal(t, "decisions", []truce.ClaimMatch{{Claim: "RU-002", Incident: inc, Decision: truce.MatchRejected, Note: "another night", By: monitor, At: at}}, got)
		all, err := e.s.ClaimMatches(e.ctx, "")
		must(t, err)
		equal(t, "every decision", got, all)
		none, err := e.s.ClaimMatches(e.ctx, "UA-003")
		must(t, err)
		equal(t, "decisions on UA-003", []truce.ClaimMatch(nil), none)
		_, rc := mustVerify(t, e)
		if rc.ClaimMatches != 1 {
			t.Errorf("VerifyRows checked %d decisions, want 1", rc.ClaimMatches)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, byID(scenario(), rSudzha))
		mustPutClaims(t, e)
		wantCode(t, e.s.DecideMatch(e.ctx, truce.ClaimMatch{Claim: "RU-999", Incident: truce.IncidentID(rSudzha), Decision: truce.MatchConfirmed, By: monitor}), truce.ENOTFOUND)
		wantCode(t, e.s.DecideMatch(e.ctx, truce.ClaimMatch{Claim: "RU-002", Incident: "nowhere", Decision: truce.MatchConfirmed, By: monitor}), truce.ENOTFOUND)
	}},
	{"Invalid", func(t *testing.T, e *env) {
		wantCode(t, e.s.DecideMatch(e.ctx, truce.ClaimMatch{Claim: "RU-002", Incident: "x", Decision: "maybe", By: monitor}), truce.EINVALID)
	}},
}

// claimTamperCases change the claims tables below the store: VerifyRows
// must name the row.
var claimTamperCases = []tcase{
	{"ClaimEdited", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		e.exec(t, `UPDATE claims SET accused = $1, claimant = $2 WHERE id = $3`, "RU", "UA", "RU-026")
		wantDetected(t, e, "claim RU-026")
	}},
	{"ClaimMoved", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		e.exec(t, `UPDATE claims SET lon = lon + 0.5 WHERE id = $1`, "RU-002")
		wantDetected(t, e, "claim RU-002")
	}},
	{"ClaimPublishedBelowTheStore", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		e.exec(t, `UPDATE claims SET published = (SELECT published FROM claims WHERE id = $1) WHERE id = $2`, "RU-002", "UA-003")
		wantDetected(t, e, "claim UA-003", "publication")
	}},
	{"ClaimDeleted", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		e.exec(t, `DELETE FROM claims WHERE id = $1`, "UA-003")
		wantDetected(t, e, "claim UA-003", "deleted")
	}},
	{"ClaimInserted", func(t *testing.T, e *env) {
		mustPutClaims(t, e)
		e.exec(t, `INSERT INTO claims (id, claimant, accused, stated_ns) VALUES ($1, $2, $3, $4)`, "RU-999", "RU", "UA", int64(1742774400000000000))
		wantDetected(t, e, "claim RU-999")
	}},
	{"TallyEdited", func(t *testing.T, e *env) {
		_, err := e.s.PutTallies(e.ctx, truce.System, tallies())
		must(t, err)
		e.exec(t, `UPDATE tallies SET count = $1 WHERE id = $2`, "several hundred", "tallies_2025.csv:4")
		wantDetected(t, e, "tally tallies_2025.csv:4")
	}},
	{"MatchFlipped", func(t *testing.T, e *env) {
		mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, byID(scenario(), rSudzha))
		mustPutClaims(t, e)
		must(t, e.s.DecideMatch(e.ctx, truce.ClaimMatch{Claim: "RU-002", Incident: truce.IncidentID(rSudzha), Decision: truce.MatchRejected, By: monitor}))
		e.exec(t, `UPDATE claim_matches SET decision = $1`, string(truce.MatchConfirmed))
		wantDetected(t, e, "match decision on claim RU-002")
	}},
}
