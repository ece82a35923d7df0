package adjudicate_test

import (
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
)

func TestJudgeObservation(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/field.yaml"), nil)
	at := func(day, hour int) time.Time { return time.Date(2025, 3, day, hour, 0, 0, 0, time.UTC) }
	obs := func(id string, start time.Time, party truce.PartyID, pos geo.Point) *truce.Observation {
		return &truce.Observation{ID: truce.ObservationID(id), Monitor: "patrol A", Means: truce.MeansPatrol, Sensed: truce.SensedBoth,
			Start: start, End: start.Add(30 * time.Minute), Position: pos, Area: "Horlivka", Direction: "SE", DistanceMinMeters: 3000,
			DistanceMaxMeters: 5000, Kind: truce.ObservedExplosion, Explosion: truce.ExplosionImpact, Count: 12, Party: party}
	}
	horlivka := geo.Point{Lon: 38.05, Lat: 48.31}
	for _, c := range []struct {
		name string
		o    *truce.Observation
		want truce.Outcome
		says []string
	}{
		{"full ceasefire in force under every reading", obs("o1", at(33, 2), "RU", horlivka), truce.OutcomeViolation,
			[]string{"Monitors (patrol A) saw and heard 12 explosions (impact) 3-5 km SE of their position near Horlivka, 2 Apr 2025 02:00-02:30 UTC.", "full-ceasefire"}},
		{"before Russia's reading starts", obs("o2", at(31, 18), "RU", horlivka), truce.OutcomeDisputed, []string{"full-ceasefire"}},
		{"the party that fired is not recorded", obs("o3", at(33, 2), "", horlivka), truce.OutcomeUndetermined, []string{"perpetrator"}},
		{"only the energy moratorium in force", obs("o4", at(25, 2), "RU", horlivka), truce.OutcomeNotProhibited, []string{"establishes no target"}},
		{"outside the ceasefire's zones", obs("o5", at(33, 2), "RU", geo.Point{Lon: 40.5, Lat: 48}), truce.OutcomeNotProhibited, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			jd := j.JudgeObservation(c.o)
			if jd.Outcome != c.want {
				t.Errorf("outcome %s, want %s: %s", jd.Outcome, c.want, jd.Explanation)
			}
			for _, s := range c.says {
				if !strings.Contains(jd.Explanation, s) {
					t.Errorf("explanation %q does not say %q", jd.Explanation, s)
				}
			}
		})
	}
}

func TestObservedPlace(t *testing.T) {
	o := &truce.Observation{Position: geo.Point{Lon: 38, Lat: 48}, Direction: "N", DistanceMinMeters: 3000, DistanceMaxMeters: 5000}
	p, prec := adjudicate.ObservedPlace(o)
	if d := geo.Distance(o.Position, p); d < 3999 || d > 4001 || p.Lat <= 48 {
		t.Errorf("place %v is %.0f m from the observer, want 4 km north", p, d)
	}
	if prec < 1000 || prec > 2000 {
		t.Errorf("precision %.0f m, want half the band plus a sector's width (about 1.8 km)", prec)
	}
	o.Direction = ""
	if p, prec := adjudicate.ObservedPlace(o); p != o.Position || prec != 5000 {
		t.Errorf("no direction: %v within %.0f m, want the observer within 5 km", p, prec)
	}
}

func TestJudgeRestriction(t *testing.T) {
	j := adjudicate.New(mustAgreement(t, "testdata/field.yaml"), nil)
	fom := func(day int, party truce.PartyID) *truce.AccessRestriction {
		return &truce.AccessRestriction{ID: "f", Kind: truce.RestrictionDelay, Start: time.Date(2025, 3, day, 9, 0, 0, 0, time.UTC),
			Duration: 45 * time.Minute, Location: geo.Point{Lon: 37.9, Lat: 48}, Area: "Petrivske", Means: truce.MeansPatrol,
			PatrolSize: 6, Reason: "no permission from the commander", Party: party}
	}
	for _, c := range []struct {
		name string
		x    *truce.AccessRestriction
		want truce.Outcome
		says string
	}{
		{"bound side, commitment in force", fom(33, "UA"), truce.OutcomeViolation, "Monitors (a patrol of 6) were delayed 45 min near Petrivske on 2 Apr 2025 09:00 UTC; the reason given: no permission from the commander; the side responsible: UA. Violation of full-access"},
		{"before Russia's reading starts", fom(31, "RU"), truce.OutcomeDisputed, "under the others phase full was not in force"},
		{"side not recorded", fom(33, ""), truce.OutcomeUndetermined, "side responsible"},
		{"before the commitment", fom(25, "RU"), truce.OutcomeNotProhibited, "not in force"},
	} {
		t.Run(c.name, func(t *testing.T) {
			jd := j.JudgeRestriction(c.x)
			if jd.Outcome != c.want || !strings.Contains(jd.Explanation, c.says) {
				t.Errorf("%s: %s; want %s saying %q", jd.Outcome, jd.Explanation, c.want, c.says)
			}
		})
	}
}
