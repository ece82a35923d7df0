package storetest

import (
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
)

// The observations of the tests: a monitors' patrol near Horlivka on the
// evening of 31 March and the morning of 1 April 2025 (across a month
// boundary), one attributed to RU and unpublished, and a camera's.
func observations() []*truce.Observation {
	at := func(day, hour, min int) time.Time { return time.Date(2025, 3, day, hour, min, 0, 0, time.UTC) }
	return []*truce.Observation{
		{ID: "OBS-1", Monitor: "patrol A", Means: truce.MeansPatrol, Sensed: truce.SensedBoth, Start: at(31, 18, 5), End: at(31, 18, 40),
			Position: geo.Point{Lon: 38.05, Lat: 48.31}, Area: "Horlivka", Region: "Donetsk Oblast", Direction: "SE", DistanceMinMeters: 3000,
			DistanceMaxMeters: 5000, Kind: truce.ObservedExplosion, Explosion: truce.ExplosionImpact, Count: 12,
			Weapon: "120mm mortar", Published: true, File: "obs.csv", Line: 2},
		{ID: "OBS-2", Monitor: "patrol A", Means: truce.MeansPatrol, Sensed: truce.SensedHeard, Start: at(31, 23, 0), End: at(31, 23, 0),
			Position: geo.Point{Lon: 38.05, Lat: 48.31}, Area: "Horlivka", Kind: truce.ObservedBurst, Count: 40, Party: "RU"},
		{ID: "OBS-3", Monitor: "camera Shyrokyne", Means: truce.MeansCamera, Sensed: truce.SensedSeen,
			Start: time.Date(2025, 4, 1, 2, 10, 0, 0, time.UTC), End: time.Date(2025, 4, 1, 2, 15, 0, 0, time.UTC),
			Position: geo.Point{Lon: 37.76, Lat: 47.09}, Area: "Shyrokyne", Direction: "N", Kind: truce.ObservedIllumination, Count: 2,
			Published: true},
	}
}

func restrictions() []*truce.AccessRestriction {
	return []*truce.AccessRestriction{
		{ID: "FOM-1", Kind: truce.RestrictionDenial, Start: time.Date(2025, 3, 31, 9, 30, 0, 0, time.UTC),
			Location: geo.Point{Lon: 37.9, Lat: 48.0}, Area: "Petrivske", Region: "Donetsk Oblast", Means: truce.MeansPatrol, PatrolSize: 6,
			Reason: "mines on the road", Party: "RU", Published: true},
		{ID: "FOM-2", Kind: truce.RestrictionDelay, Start: time.Date(2025, 4, 1, 11, 0, 0, 0, time.UTC), Duration: 45 * time.Minute,
			Location: geo.Point{Lon: 37.6, Lat: 47.9}, Area: "Marinka", Means: truce.MeansPatrol, PatrolSize: 4,
			Reason: "no permission from the commander", Party: "UA"},
	}
}

func mustPutField(t *testing.T, e *env) {
	t.Helper()
	n, err := e.s.PutObservations(e.ctx, truce.System, observations())
	must(t, err)
	m, err := e.s.PutRestrictions(e.ctx, truce.System, restrictions())
	must(t, err)
	if n != 3 || m != 2 {
		t.Fatalf("added %d observations and %d restrictions, want 3 and 2", n, m)
	}
}

func observationIDs(t *testing.T, e *env, f truce.FieldFilter) []truce.ObservationID {
	t.Helper()
	var out []truce.ObservationID
	must(t, e.s.Observations(e.ctx, f, func(o *truce.Observation) error { out = append(out, o.ID); return nil }))
	return out
}

func restrictionIDs(t *testing.T, e *env, f truce.FieldFilter) []truce.RestrictionID {
	t.Helper()
	var out []truce.RestrictionID
	must(t, e.s.Restrictions(e.ctx, f, func(r *truce.AccessRestriction) error { out = append(out, r.ID); return nil }))
	return out
}

var putFieldCases = []tcase{
	{"OK", func(t *testing.T, e *env) {
		mustPutField(t, e)
		for _, want := range observations() {
			got, err := e.s.Observation(e.ctx, want.ID)
			must(t, err)
			equal(t, "observation "+string(want.ID), want, got)
		}
		for _, want := range restrictions() {
			got, err := e.s.Restriction(e.ctx, want.ID)
			must(t, err)
			equal(t, "restriction "+string(want.ID), want, got)
		}
		if rec := mustRecord(t, e, 0); rec.Kind != ledger.KindObservation || rec.Subject != "OBS-1" {
			t.Errorf("record 0 is %s of %s", rec.Kind, rec.Subject)
		}
		_, rc := mustVerify(t, e)
		if rc.Observations != 3 || rc.Restrictions != 2 {
			t.Errorf("VerifyRows checked %d observations and %d restrictions, want 3 and 2", rc.Observations, rc.Restrictions)
		}
	}},
	{"Idempotent", func(t *testing.T, e *env) {
		mustPutField(t, e)
		size := logSize(t, e)
		n, err := e.s.PutObservations(e.ctx, truce.System, observations())
		must(t, err)
		m, err := e.s.PutRestrictions(e.ctx, truce.System, restrictions())
		must(t, err)
		if n != 0 || m != 0 || logSize(t, e) != size {
			t.Errorf("re-put added %d + %d and %d records, want none", n, m, logSize(t, e)-size)
		}
	}},
	{"Conflict", func(t *testing.T, e *env) {
		mustPutField(t, e)
		o := observations()[0]
		o.Count = 13
		_, err := e.s.PutObservations(e.ctx, truce.System, []*truce.Observation{o})
		wantCode(t, err, truce.ECONFLICT)
		r := restrictions()[1]
		r.Duration = time.Hour
		_, err = e.s.PutRestrictions(e.ctx, truce.System, []*truce.AccessRestriction{r})
		wantCode(t, err, truce.ECONFLICT)
	}},
	{"ConflictInBatch", func(t *testing.T, e *env) {
		a, b := observations()[0], observations()[0]
		b.Note = "another"
		_, err := e.s.PutObservations(e.ctx, truce.System, []*truce.Observation{observations()[1], a, b})
		wantCode(t, err, truce.ECONFLICT)
		if _, err := e.s.Observation(e.ctx, "OBS-2"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("a refused batch stored observation OBS-2 (err %v)", err)
		}
	}},
	{"Invalid", func(t *testing.T, e *env) {
		for name, edit := range map[string]func(o *truce.Observation){
			"NoID":             func(o *truce.Observation) { o.ID = "" },
			"UnknownKind":      func(o *truce.Observation) { o.Kind = "shelling" },
			"ExplosionNoKind":  func(o *truce.Observation) { o.Explosion = "" },
			"FlareAsExplosion": func(o *truce.Observation) { o.Kind, o.Explosion = truce.ObservedIllumination, truce.ExplosionAirburst },
			"NoCount":          func(o *truce.Observation) { o.Count = 0 },
			"EndBeforeStart":   func(o *truce.Observation) { o.End = o.Start.Add(-time.Minute) },
			"BadDirection":     func(o *truce.Observation) { o.Direction = "up" },
			"BandReversed":     func(o *truce.Observation) { o.DistanceMinMeters = 6000 },
			"BadMeans":         func(o *truce.Observation) { o.Means = "satellite" },
			"NUL":              func(o *truce.Observation) { o.Note = "a\x00b" },
		} {
			o := observations()[0]
			edit(o)
			_, err := e.s.PutObservations(e.ctx, truce.System, []*truce.Observation{o})
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", name, err)
			}
		}
		for name, edit := range map[string]func(r *truce.AccessRestriction){
			"UnknownKind":   func(r *truce.AccessRestriction) { r.Kind = "refusal" },
			"NoStart":       func(r *truce.AccessRestriction) { r.Start = time.Time{} },
			"NegativeDelay": func(r *truce.AccessRestriction) { r.Duration = -time.Minute },
			"PartMinute":    func(r *truce.AccessRestriction) { r.Duration = 90 * time.Second },
			"BadPlace":      func(r *truce.AccessRestriction) { r.Location.Lat = 91 },
		} {
			r := restrictions()[1]
			edit(r)
			_, err := e.s.PutRestrictions(e.ctx, truce.System, []*truce.AccessRestriction{r})
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("restriction %s: err = %v, want EINVALID", name, err)
			}
		}
		if n := logSize(t, e); n != 0 {
			t.Errorf("invalid records logged %d records", n)
		}
	}},
	{"NotFound", func(t *testing.T, e *env) {
		_, err := e.s.Observation(e.ctx, "OBS-9")
		wantCode(t, err, truce.ENOTFOUND)
		_, err = e.s.Restriction(e.ctx, "FOM-9")
		wantCode(t, err, truce.ENOTFOUND)
		wantCode(t, e.s.PublishObservation(e.ctx, monitor, "OBS-9"), truce.ENOTFOUND)
		wantCode(t, e.s.PublishRestriction(e.ctx, monitor, "FOM-9"), truce.ENOTFOUND)
	}},
}

var listFieldCases = []tcase{
	{"OrderAndFilter", func(t *testing.T, e *env) {
		mustPutField(t, e)
		apr := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
		equal(t, "all", ids[truce.ObservationID]("OBS-1", "OBS-2", "OBS-3"), observationIDs(t, e, truce.FieldFilter{}))
		equal(t, "March", ids[truce.ObservationID]("OBS-1", "OBS-2"), observationIDs(t, e, truce.FieldFilter{Until: &apr}))
		equal(t, "April", ids[truce.ObservationID]("OBS-3"), observationIDs(t, e, truce.FieldFilter{Since: &apr}))
		equal(t, "RU", ids[truce.ObservationID]("OBS-2"), observationIDs(t, e, truce.FieldFilter{Party: "RU"}))
		equal(t, "restrictions in April", ids[truce.RestrictionID]("FOM-2"), restrictionIDs(t, e, truce.FieldFilter{Since: &apr}))
	}},
	{"Visible", func(t *testing.T, e *env) {
		mustPutField(t, e)
		for _, c := range []struct {
			p     truce.Principal
			obs   []truce.ObservationID
			restr []truce.RestrictionID
		}{
			{truce.Anonymous, ids[truce.ObservationID]("OBS-1", "OBS-3"), ids[truce.RestrictionID]("FOM-1")},
			{observer, ids[truce.ObservationID]("OBS-1", "OBS-3"), ids[truce.RestrictionID]("FOM-1")},
			{partyRU, ids[truce.ObservationID]("OBS-1", "OBS-2", "OBS-3"), ids[truce.RestrictionID]("FOM-1")},
			{partyUA, ids[truce.ObservationID]("OBS-1", "OBS-3"), ids[truce.RestrictionID]("FOM-1", "FOM-2")},
			{monitor, ids[truce.ObservationID]("OBS-1", "OBS-2", "OBS-3"), ids[truce.RestrictionID]("FOM-1", "FOM-2")},
		} {
			equal(t, "observations visible to "+c.p.String(), c.obs, observationIDs(t, e, truce.FieldFilter{Visible: &c.p}))
			equal(t, "restrictions visible to "+c.p.String(), c.restr, restrictionIDs(t, e, truce.FieldFilter{Visible: &c.p}))
		}
	}},
	{"Publish", func(t *testing.T, e *env) {
		mustPutField(t, e)
		size := logSize(t, e)
		must(t, e.s.PublishObservation(e.ctx, monitor, "OBS-2"))
		must(t, e.s.PublishObservation(e.ctx, monitor, "OBS-2")) // again: nothing to do
		must(t, e.s.PublishRestriction(e.ctx, monitor, "FOM-2"))
		if n := logSize(t, e) - size; n != 2 {
			t.Errorf("publishing logged %d records, want 2", n)
		}
		if rec := mustRecord(t, e, size); rec.Kind != ledger.KindObservationPublished || rec.Actor != monitor.String() {
			t.Errorf("record %d is %s by %s", size, rec.Kind, rec.Actor)
		}
		equal(t, "visible to the public", ids[truce.ObservationID]("OBS-1", "OBS-2", "OBS-3"), observationIDs(t, e, truce.FieldFilter{Visible: &observer}))
		n, err := e.s.PutObservations(e.ctx, truce.System, observations())
		must(t, err)
		if n != 0 {
			t.Errorf("re-put after publishing added %d", n)
		}
		mustVerify(t, e)
	}},
}

// fieldTamperCases change the field tables below the store: VerifyRows
// must name the row.
var fieldTamperCases = []tcase{
	{"ObservationCountEdited", func(t *testing.T, e *env) {
		mustPutField(t, e)
		e.exec(t, `UPDATE observations SET count = count + 1 WHERE id = $1`, "OBS-1")
		wantDetected(t, e, "observation OBS-1")
	}},
	{"ObservationPublishedBelowTheStore", func(t *testing.T, e *env) {
		mustPutField(t, e)
		e.exec(t, `UPDATE observations SET published = (SELECT published FROM observations WHERE id = $1) WHERE id = $2`, "OBS-1", "OBS-2")
		wantDetected(t, e, "observation OBS-2", "publication")
	}},
	{"ObservationDeleted", func(t *testing.T, e *env) {
		mustPutField(t, e)
		e.exec(t, `DELETE FROM observations WHERE id = $1`, "OBS-3")
		wantDetected(t, e, "observation OBS-3", "deleted")
	}},
	{"RestrictionBlameMoved", func(t *testing.T, e *env) {
		mustPutField(t, e)
		e.exec(t, `UPDATE access_restrictions SET party = $1 WHERE id = $2`, "UA", "FOM-1")
		wantDetected(t, e, "restriction FOM-1")
	}},
	{"RestrictionInserted", func(t *testing.T, e *env) {
		mustPutField(t, e)
		e.exec(t, `INSERT INTO access_restrictions (id, kind, start_ns, lon, lat, means) VALUES ($1, $2, $3, $4, $5, $6)`,
			"FOM-9", "denial", int64(1743465600000000000), 37.0, 48.0, "patrol")
		wantDetected(t, e, "restriction FOM-9")
	}},
}
