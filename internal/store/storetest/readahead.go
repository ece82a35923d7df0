package storetest

import (
	"sync"
	"testing"

	"truce"
	"truce/internal/store/sqlstore"
)

// ReadAhead checks PutJudgedReports against the writes that commit
// between what it reads ahead of its write (sqlstore.Driver.ReadAhead,
// PostgreSQL's) and its write, both queued behind a blocked writer (w
// gives the store's): two calls with one new report store it once, the
// second answering that it was stored before; a report judged under the
// version current when it read, queued behind an upload that makes
// another version current, is stored without that judgement's figures
// on its incident. Either way the answer is what reading in the write
// gives (SQLite's), and the log verifies.
func ReadAhead(t *testing.T, open Opener, w func(t *testing.T, s Store) GroupWriter) {
	e := newEnv(t, open)
	g := w(t, e.s)
	m := populateSigned(t, e)
	put := func(r *truce.Report) ([]bool, error) {
		j := judgement(r.ID, truce.OutcomeViolation, "RU", "Strike on a refinery during the energy moratorium", "energy")
		stored, _, err := judgedPutterOf(t, e).PutJudgedReports(e.ctx, truce.System, []*truce.Report{r}, truce.PutOptions{Published: true},
			agreementID, m.v2.Version, []truce.Judgement{j})
		return stored, err
	}
	report := func(id truce.ReportID) *truce.Report {
		r := *scenario()[0]
		r.ID = id
		return &r
	}

	t.Run("the same report twice", func(t *testing.T) {
		r := report("viina_incidents_202503.csv:9991")
		n := logSize(t, e)
		unblock := g.Block(t)
		var wg sync.WaitGroup
		stored := make([][]bool, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { stored[i], errs[i] = put(r) })
			waitQueued(g, i) // read ahead, then taken by the blocked transaction or queued
		}
		unblock()
		wg.Wait()
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
		}
		if got := sqlstore.Count(stored[0]) + sqlstore.Count(stored[1]); got != 1 {
			t.Errorf("stored %v and %v: the report stored %d times, want once", stored[0], stored[1], got)
		}
		if got := logSize(t, e) - n; got != 2 {
			t.Errorf("%d records logged, want 2 (the report, its judgement)", got)
		}
		if in := mustIncident(t, e, r.ID); in.Outcome != truce.OutcomeViolation {
			t.Errorf("incident outcome %v, want violation", in.Outcome)
		}
		mustVerify(t, e)
	})

	t.Run("another version made current", func(t *testing.T) {
		r := report("viina_incidents_202503.csv:9992")
		unblock := g.Block(t)
		upload := make(chan error, 1)
		go func() {
			_, _, err := e.s.PutAgreement(e.ctx, admin, agreementID, append([]byte(nil), bundleV1...))
			upload <- err
		}()
		waitQueued(g, 0)
		done := make(chan error, 1)
		go func() {
			_, err := put(r)
			done <- err
		}()
		waitQueued(g, 1)
		unblock()
		must(t, <-upload)
		must(t, <-done)
		cur, err := e.s.LatestAgreementHead(e.ctx)
		must(t, err)
		if cur.Version == m.v2.Version {
			t.Fatalf("the upload did not make another version current")
		}
		got, err := e.s.Judgement(e.ctx, agreementID, m.v2.Version, r.ID)
		must(t, err)
		if got.Outcome != truce.OutcomeViolation {
			t.Errorf("judgement under version %d: %v, want violation", m.v2.Version, got.Outcome)
		}
		// The incident shows the current version's judgements: none yet.
		if in := mustIncident(t, e, r.ID); in.Outcome != 0 {
			t.Errorf("incident outcome %v, want none: version %d is no longer current", in.Outcome, m.v2.Version)
		}
		mustVerify(t, e)
	})
}
