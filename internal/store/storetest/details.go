package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/store/sqlstore"
)

// JSONDetails checks a database whose judgement details were stored as
// their JSON, as both stores kept them before they packed them
// (sqlstore.PackDetail): every stored detail is replaced with its JSON,
// then downgrade's statements make the schema what it was (PostgreSQL:
// the column back to text, its migration marked as not applied). After
// the next open (and its migrations) the database must verify, every
// judgement must read as it was written, and judging the reports again
// with the same judgements must log nothing: an unchanged judgement is
// recognised whichever form its stored detail has.
func JSONDetails(t *testing.T, reopen Reopener, downgrade ...string) {
	c := &clock{t: T0}
	s, exec, done := reopen(t, c.Now)
	e := &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	a := scenarioAgreement(t)
	v := mustAgreement(t, e, bundleV1)
	manyJudged(t, e, a, v.Version, 120)
	read := func(e *env) []truce.Judgement {
		var js []truce.Judgement
		must(t, e.s.Judgements(e.ctx, agreementID, v.Version, truce.ReportFilter{}, func(_ *truce.Report, j *truce.Judgement) error {
			js = append(js, *j)
			return nil
		}))
		return js
	}
	want := read(e)
	if len(want) != 120 {
		t.Fatalf("read %d judgements, want 120", len(want))
	}
	for i := range want {
		d, err := sqlstore.EncodeDetail(&want[i])
		must(t, err)
		exec(t, `UPDATE judgements SET detail = $1 WHERE report_id = $2`, d, string(want[i].Report))
	}
	for _, stmt := range downgrade {
		exec(t, stmt)
	}
	done()

	s, exec, done = reopen(t, c.Now)
	defer done()
	e = &env{ctx: context.Background(), s: s, exec: exec, clock: c}
	_, rc := mustVerify(t, e)
	if rc.Judgements != len(want) {
		t.Errorf("VerifyRows checked %d judgements, want %d", rc.Judgements, len(want))
	}
	if diff := cmp.Diff(want, read(e)); diff != "" {
		t.Errorf("judgements read from JSON details (-written +read):\n%s", diff)
	}
	before, err := e.s.LogSize(e.ctx)
	must(t, err)
	if n := mustJudge(t, e, v.Version, want...); n != 0 {
		t.Errorf("judging again with the same judgements logged %d, want 0", n)
	}
	if after, err := e.s.LogSize(e.ctx); err != nil || after != before {
		t.Errorf("log size %d (%v) after judging again, want %d", after, err, before)
	}
	// A changed judgement is still told apart from its JSON detail.
	changed := want[0]
	changed.Explanation += " (reconsidered)"
	if n := mustJudge(t, e, v.Version, changed); n != 1 {
		t.Errorf("judging one report again with a new explanation logged %d, want 1", n)
	}
	mustVerify(t, e)
}
