package storetest

import (
	"context"
	"testing"
	"time"

	"truce"
	"truce/internal/ledger"
)

// Reopener opens one database, the same each time it is called, with the
// suite's log origin and the given clock, and returns the store, an Exec
// hook on it and a function that closes it.
type Reopener func(t *testing.T, now func() time.Time) (Store, Exec, func())

// Backfill checks the upgrade of a database written before sites, tokens
// and changes of the current agreement were logged, and before incident
// figures were checked (migration 3): such rows are made below the store,
// migration 3 is marked as not applied, and the next open must apply it,
// log the rows and recompute the figures, once, so that the database
// verifies.
func Backfill(t *testing.T, reopen Reopener) {
	c := &clock{t: T0}
	s, exec, done := reopen(t, c.Now)
	e := &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	ss := sites()
	_, err := e.s.PutSites(e.ctx, ss[:1])
	must(t, err)
	tok := truce.Token{ID: "tok_mon1", Hash: hashOf("monitor-secret"), Role: truce.RoleMonitor, Name: "monitor", CreatedAt: T0}
	must(t, e.s.CreateToken(e.ctx, &tok))
	rs := scenario()[:3]
	mustPutReports(t, e, truce.System, truce.PutOptions{Published: true}, rs...)
	js := []truce.Judgement{
		judgement(rSlobozhanske, truce.OutcomeViolation, "RU", "Strike on a refinery", "energy"),
		judgement(rSloviansk, truce.OutcomeUndetermined, "", "Perpetrator unknown"),
		judgement(rVysokoivanivka, truce.OutcomeViolation, "RU", "Strike in Vysokoivanivka", "energy"),
	}
	e.clock.Advance(time.Minute)
	v1 := mustAgreement(t, e, bundleV1)
	mustJudge(t, e, v1.Version, js...)
	v2 := mustAgreement(t, e, bundleV2)
	mustJudge(t, e, v2.Version, js...)
	_, err = e.s.Merge(e.ctx, monitor, truce.IncidentID(rSloviansk), truce.IncidentID(rVysokoivanivka), "same explosions")
	must(t, err)
	mustVerify(t, e)

	// What the earlier store left: a site and a revoked token that are
	// not logged, the current agreement as the last adjudication set it,
	// a merged-away incident with its last figures and an incident with
	// figures that are not its judgements'.
	exec(t, `INSERT INTO sites (id, name, country, lon, lat, category, capacity_mw, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(ss[1].ID), ss[1].Name, ss[1].Country, ss[1].Location.Lon, ss[1].Location.Lat, string(ss[1].Category), ss[1].CapacityMW, ss[1].Source)
	exec(t, `INSERT INTO tokens (id, hash, role, party, name, created_ns, revoked_ns) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		"tok_ua", hashOf("ua-secret"), string(truce.RoleParty), "UA", "Ukraine", T0.UnixNano(), T0.Add(time.Hour).UnixNano())
	exec(t, `UPDATE settings SET value = $1 WHERE key = 'current_version'`, "1")
	exec(t, `UPDATE incidents SET outcome = $1, explanation = $2 WHERE id = $3`, int64(truce.OutcomeViolation), "Strike in Vysokoivanivka", string(rVysokoivanivka))
	exec(t, `UPDATE incidents SET explanation = $1 WHERE id = $2`, "as judged under another agreement", string(rSlobozhanske))
	exec(t, `DELETE FROM schema_migrations WHERE version = 3`) // as if written before migration 3
	if _, _, err := verify(t, e); err == nil {
		t.Fatal("the earlier database verifies before the backfill")
	}
	before := logSize(t, e)
	done()

	s, exec, done = reopen(t, c.Now)
	e = &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	_, rc := mustVerify(t, e)
	if rc.Sites != 2 || rc.Tokens != 2 {
		t.Errorf("VerifyRows checked %d sites and %d tokens, want 2 and 2", rc.Sites, rc.Tokens)
	}
	want := []struct{ kind, subject string }{
		{ledger.KindSiteAdded, string(ss[1].ID)},
		{ledger.KindToken, "tok_ua"},
		{ledger.KindTokenRevoked, "tok_ua"},
		{ledger.KindCurrent, string(agreementID) + "@1"},
	}
	if n := logSize(t, e); n != before+int64(len(want)) {
		t.Fatalf("LogSize = %d after the backfill, want %d", n, before+int64(len(want)))
	}
	for i, w := range want {
		if rec := mustRecord(t, e, before+int64(i)); rec.Kind != w.kind || rec.Subject != w.subject {
			t.Errorf("record %d is %s %s, want %s %s", before+int64(i), rec.Kind, rec.Subject, w.kind, w.subject)
		}
	}
	gone := mustIncident(t, e, rVysokoivanivka)
	if gone.Outcome != 0 || gone.Explanation != "" {
		t.Errorf("merged-away incident shows %s %q after the backfill, want no judgement", gone.Outcome, gone.Explanation)
	}
	done()

	// Once only.
	s, exec, done = reopen(t, c.Now)
	defer done()
	e = &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	if n := logSize(t, e); n != before+int64(len(want)) {
		t.Errorf("LogSize = %d after opening again, want %d", n, before+int64(len(want)))
	}
	mustVerify(t, e)
}
