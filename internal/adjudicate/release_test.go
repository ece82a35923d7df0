package adjudicate_test

import (
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
)

// strike is an exact-time drone strike on a substation by party p at
// (lon, lat) at t.
func strike(id truce.ReportID, p truce.PartyID, lon, lat float64, t time.Time) *truce.Report {
	return &truce.Report{
		ID: id, Source: "test", Text: "substation hit",
		Start: t, End: t.Add(time.Minute), Precision: truce.PrecisionMinute,
		Location:    geo.Point{Lon: lon, Lat: lat},
		Perpetrator: p, Actions: []truce.Action{truce.ActionDroneAttack},
	}
}

// reading returns the outcome and note of finding f under the reading
// party p holds.
func reading(t *testing.T, f truce.Finding, p truce.PartyID) truce.ReadingResult {
	t.Helper()
	for _, rr := range f.Readings {
		for _, q := range rr.Parties {
			if q == p {
				return rr
			}
		}
	}
	t.Fatalf("finding %s has no reading of %s", f.Commitment, p)
	return truce.ReadingResult{}
}

// TestHeldOnDate checks policy rule 5 with a line that moves: a strike by
// a party on a place it holds on the strike's date is not a breach of a
// commitment protecting the other side's facilities, and the date selects
// the line.
func TestHeldOnDate(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/release.yaml"), nil)
	for _, tt := range []struct {
		name   string
		r      *truce.Report
		c      truce.CommitmentID
		want   truce.Outcome
		wantIn string
	}{
		{"RU on the strip it holds since March", strike("a", "RU", 33.5, 50, at(2025, 3, 28, 10, 0)), "c-ru",
			truce.OutcomeNotProhibited, "RU holds the place on 28 March 2025 (Land held by Russia, line of release/line_20250301.geojson)"},
		{"RU beyond the March line in March", strike("b", "RU", 32.5, 50, at(2025, 3, 28, 10, 0)), "c-ru",
			truce.OutcomeViolation, "Violation of c-ru"},
		{"RU on the same place after the April line", strike("c", "RU", 32.5, 50, at(2025, 4, 5, 10, 0)), "c-ru",
			truce.OutcomeNotProhibited, "line of release/line_20250401.geojson"},
		{"UA on the place it holds in March", strike("d", "UA", 32.5, 50, at(2025, 3, 28, 10, 0)), "c-ua",
			truce.OutcomeNotProhibited, "UA holds the place on 28 March 2025 (Land held by Ukraine)"},
		{"UA on the same place in April", strike("e", "UA", 32.5, 50, at(2025, 4, 5, 10, 0)), "c-ua",
			truce.OutcomeViolation, "Violation of c-ua"},
		{"UA in Russia proper", strike("f", "UA", 35, 50, at(2025, 3, 28, 10, 0)), "c-ua",
			truce.OutcomeViolation, "Violation of c-ua"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := finding(t, j.Judge(tt.r), tt.c)
			if f.Outcome != tt.want || !strings.Contains(f.Explanation, tt.wantIn) {
				t.Errorf("%s = %s, want %s containing %q\n%s", tt.c, f.Outcome, tt.want, tt.wantIn, f.Explanation)
			}
		})
	}
}

// TestTerritoryPerReading: a Ukrainian strike on the peninsula, which
// Russia holds, is a breach under Russia's reading (its territory) and not
// under Ukraine's (its own territory): disputed, both readings explained.
func TestTerritoryPerReading(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/release.yaml"), nil)
	f := finding(t, j.Judge(strike("p", "UA", 30.5, 48.5, at(2025, 3, 28, 10, 0))), "c-ua")
	if f.Outcome != truce.OutcomeDisputed {
		t.Fatalf("c-ua = %s, want disputed\n%s", f.Outcome, f.Explanation)
	}
	for _, want := range []string{"a violation under RU's reading", "under this reading the place is UA's own territory (Land), not the other side's"} {
		if !strings.Contains(f.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, f.Explanation)
		}
	}
	// A Russian strike there: Russia holds it, under every reading.
	if f := finding(t, j.Judge(strike("q", "RU", 30.5, 48.5, at(2025, 3, 28, 10, 0))), "c-ru"); f.Outcome != truce.OutcomeNotProhibited {
		t.Errorf("RU on the peninsula: c-ru = %s, want not_prohibited\n%s", f.Outcome, f.Explanation)
	}
}

// TestRelease is issue 15's release test: the same Russian strike is a
// violation before Ukraine's verified breach and released after it under
// Russia's reading (the clause's), not under Ukraine's, so disputed; the
// release is undone when the breach is no longer verified.
func TestRelease(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/release.yaml"), nil)
	if !j.HasReleases() {
		t.Fatal("HasReleases = false")
	}
	breachRep := strike("ua-1", "UA", 35, 50, at(2025, 3, 25, 9, 0))
	bj := j.Judge(breachRep)
	bs := j.Breaches(breachRep, &bj, "inc-ua-1", truce.StatusVerified)
	if len(bs) != 1 || bs[0].Party != "UA" || bs[0].Commitment != "c-ua" || len(bs[0].Readings) != 3 {
		t.Fatalf("Breaches = %+v, want one breach of c-ua by UA under every reading", bs)
	}
	ruStrike := func(d int) *truce.Report { return strike("ru", "RU", 31.5, 51.5, at(2025, 3, d, 10, 0)) }

	t.Run("before the breach", func(t *testing.T) {
		f := finding(t, j.JudgeWith(ruStrike(24), bs), "c-ru")
		if f.Outcome != truce.OutcomeViolation {
			t.Errorf("c-ru = %s, want violation\n%s", f.Outcome, f.Explanation)
		}
	})
	t.Run("after the verified breach", func(t *testing.T) {
		f := finding(t, j.JudgeWith(ruStrike(28), bs), "c-ru")
		if f.Outcome != truce.OutcomeDisputed {
			t.Fatalf("c-ru = %s, want disputed\n%s", f.Outcome, f.Explanation)
		}
		ru := reading(t, f, "RU")
		want := "released: RU may consider itself free of c-ru from 25 March 2025 09:01 EET under this reading (release clause of phase energy, KR-0325), by UA's breach of c-ua on 25 March 2025 09:00 EET (report ua-1, incident inc-ua-1, verified by a monitor)"
		if ru.Outcome != truce.OutcomeNotProhibited || ru.Note != want {
			t.Errorf("RU reading = %s %q, want not_prohibited %q", ru.Outcome, ru.Note, want)
		}
		if ua := reading(t, f, "UA"); ua.Outcome != truce.OutcomeViolation {
			t.Errorf("UA reading = %s, want violation", ua.Outcome)
		}
		if !strings.Contains(f.Explanation, want) {
			t.Errorf("explanation does not name the breach:\n%s", f.Explanation)
		}
	})
	t.Run("undone when dismissed", func(t *testing.T) {
		dismissed := j.Breaches(breachRep, &bj, "inc-ua-1", truce.StatusDismissed)
		f := finding(t, j.JudgeWith(ruStrike(28), dismissed), "c-ru")
		if f.Outcome != truce.OutcomeViolation {
			t.Errorf("c-ru = %s, want violation\n%s", f.Outcome, f.Explanation)
		}
	})
	t.Run("rests on any violation, after the delay", func(t *testing.T) {
		// c-ua's own clause frees UA under UA's reading by RU's breach, a
		// day after it, verified or not.
		ruRep := ruStrike(24)
		rj := j.Judge(ruRep)
		rbs := j.Breaches(ruRep, &rj, "inc-ru", truce.StatusUnderReview)
		early := finding(t, j.JudgeWith(strike("ua-2", "UA", 35, 50, at(2025, 3, 25, 9, 0)), rbs), "c-ua")
		if early.Outcome != truce.OutcomeViolation {
			t.Errorf("within the delay: c-ua = %s, want violation\n%s", early.Outcome, early.Explanation)
		}
		late := finding(t, j.JudgeWith(strike("ua-3", "UA", 35, 50, at(2025, 3, 25, 11, 0)), rbs), "c-ua")
		ua := reading(t, late, "UA")
		if late.Outcome != truce.OutcomeDisputed || ua.Outcome != truce.OutcomeNotProhibited ||
			!strings.Contains(ua.Note, "not verified by a monitor (under_review); the clause rests on any violation verdict") {
			t.Errorf("after the delay: c-ua = %s, UA reading %s %q", late.Outcome, ua.Outcome, ua.Note)
		}
	})
	t.Run("no breaches: as Judge", func(t *testing.T) {
		if got, want := j.JudgeWith(ruStrike(28), nil).Outcome, j.Judge(ruStrike(28)).Outcome; got != want {
			t.Errorf("JudgeWith(nil) = %s, Judge = %s", got, want)
		}
	})
}
