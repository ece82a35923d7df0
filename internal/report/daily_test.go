package report_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/report"
)

// missionDay is a seeded mission day, 1 April 2025, under the small
// mission agreement of internal/adjudicate/testdata/field.yaml: a full
// ceasefire from 30 March (Russia's reading: from 1 April) with an access
// commitment, and a recommitment on 30 March. Records on 29 March come
// before the recommitment and on 2 April after the day: neither counts.
func missionDay(t *testing.T) report.DailyInput {
	t.Helper()
	a, err := agreement.Load("../adjudicate/testdata/field.yaml")
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2025, month, day, hour, min, 0, 0, time.UTC)
	}
	horlivka, shyrokyne := geo.Point{Lon: 38.05, Lat: 48.31}, geo.Point{Lon: 37.76, Lat: 47.09}
	obs := func(id string, start time.Time, area string, pos geo.Point, kind truce.ObservedKind, expl truce.ExplosionKind, n int, party truce.PartyID) *truce.Observation {
		return &truce.Observation{ID: truce.ObservationID(id), Monitor: "patrol " + area, Means: truce.MeansPatrol, Sensed: truce.SensedBoth,
			Start: start, End: start.Add(20 * time.Minute), Position: pos, Area: area, Direction: "SE", DistanceMinMeters: 2000,
			DistanceMaxMeters: 4000, Kind: kind, Explosion: expl, Count: n, Party: party}
	}
	return report.DailyInput{
		Agreement: a, Judge: adjudicate.New(a, nil), Day: "2025-04-01",
		Observations: []*truce.Observation{
			obs("O-0329", at(3, 29, 20, 0), "Horlivka", horlivka, truce.ObservedExplosion, truce.ExplosionImpact, 30, "RU"),
			obs("O-0330", at(3, 30, 21, 0), "Horlivka", horlivka, truce.ObservedExplosion, truce.ExplosionOutgoing, 5, ""),
			obs("O-0331a", at(3, 31, 22, 10), "Horlivka", horlivka, truce.ObservedExplosion, truce.ExplosionImpact, 8, "RU"),
			obs("O-0331b", at(3, 31, 23, 40), "Shyrokyne", shyrokyne, truce.ObservedBurst, "", 40, "UA"),
			obs("O-0401a", at(4, 1, 1, 15), "Horlivka", horlivka, truce.ObservedExplosion, truce.ExplosionAirburst, 3, "RU"),
			obs("O-0401b", at(4, 1, 2, 30), "Shyrokyne", shyrokyne, truce.ObservedIllumination, "", 2, ""),
			obs("O-0401c", at(4, 1, 19, 0), "Shyrokyne", shyrokyne, truce.ObservedExplosion, truce.ExplosionUndetermined, 1, ""),
			obs("O-0402", at(4, 2, 6, 0), "Horlivka", horlivka, truce.ObservedExplosion, truce.ExplosionImpact, 50, "RU"),
		},
		Restrictions: []*truce.AccessRestriction{
			{ID: "F-0331", Kind: truce.RestrictionDenial, Start: at(3, 31, 9, 30), Location: geo.Point{Lon: 37.9, Lat: 48.0}, Area: "Petrivske",
				Means: truce.MeansPatrol, PatrolSize: 6, Reason: "mines on the road", Party: "RU"},
			{ID: "F-0401", Kind: truce.RestrictionDelay, Start: at(4, 1, 11, 0), Duration: 45 * time.Minute, Location: geo.Point{Lon: 37.6, Lat: 47.9},
				Area: "Marinka", Means: truce.MeansPatrol, PatrolSize: 4, Reason: "no permission from the commander", Party: "UA"},
		},
		Allegations: []report.Allegation{
			{Report: "r1", Start: at(3, 31, 0, 0), Party: "UA", Area: "Horlivka", Outcome: truce.OutcomeViolation},
			{Report: "r2", Start: at(4, 1, 0, 0), Party: "RU", Area: "Shyrokyne", Outcome: truce.OutcomeDisputed},
			{Report: "r3", Start: at(4, 1, 0, 0), Party: "RU", Area: "Shyrokyne", Outcome: truce.OutcomeNotProhibited},
		},
	}
}

// TestDailyGolden checks the daily report of the seeded mission day, in
// JSON, HTML and PDF, and its running totals across the month boundary.
func TestDailyGolden(t *testing.T) {
	d, err := report.BuildDaily(missionDay(t))
	if err != nil {
		t.Fatal(err)
	}
	figs := map[string]report.Count{}
	for _, c := range d.Figures {
		figs[c.Key] = c
	}
	for key, want := range map[string][3]int{
		"observed":              {6, 48, 59}, // 30 Mar 5, 31 Mar 48, 1 Apr 6; not 29 Mar, not 2 Apr
		"observed.breach":       {3, 48, 51}, // attributed, in force: 31 Mar disputed (Russia's reading starts 1 Apr), 1 Apr violation
		"observed.undetermined": {3, 0, 8},   // not attributed: 30 Mar 5, 1 Apr 2 + 1
		"observed.explosion":    {4, 8, 17},
		"explosion.outgoing":    {0, 0, 5},
		"alleged":               {1, 1, 2},
		"restrictions":          {1, 1, 2},
		"restriction.delay":     {1, 0, 1},
	} {
		if c := figs[key]; [3]int{c.Day, c.Previous, c.Total} != want {
			t.Errorf("%s: day %d, previous %d, total %d; want %v", key, c.Day, c.Previous, c.Total, want)
		}
	}
	if d.TotalsSince != "2025-03-30" || d.PreviousDay != "2025-03-31" {
		t.Errorf("totals since %q, previous day %q", d.TotalsSince, d.PreviousDay)
	}
	var js, html, pdf bytes.Buffer
	if err := report.WriteDailyJSON(&js, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "daily_2025-04-01.json", js.Bytes())
	if err := report.WriteDailyHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "daily_2025-04-01.html", html.Bytes())
	if err := report.WriteDailyPDF(&pdf, d); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := report.WriteDailyPDF(&again, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) || !bytes.Equal(pdf.Bytes(), again.Bytes()) {
		t.Errorf("the PDF is not a deterministic PDF (%d, %d bytes)", pdf.Len(), again.Len())
	}
	var back report.Daily
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Observations) != 3 || len(back.Restrictions) != 1 {
		t.Errorf("JSON read back: %v, %d observations, %d restrictions", err, len(back.Observations), len(back.Restrictions))
	}
}

func TestDailyBadDay(t *testing.T) {
	in := missionDay(t)
	in.Day = "1 April"
	if _, err := report.BuildDaily(in); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("err = %v, want EINVALID", err)
	}
}
