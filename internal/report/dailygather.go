package report

import (
	"context"
	"time"

	"truce"
	"truce/internal/adjudicate"
)

// GatherDaily builds the daily report of day (YYYY-MM-DD in a's time
// zone) from the stored record under agreement version v: the
// observations and restrictions, and the reports judged under v as the
// allegations, each as far as visible (nil: everything) may read them.
// The command line and the API both call it, so that both count the
// same.
func GatherDaily(ctx context.Context, st truce.Store, a *truce.Agreement, v *truce.AgreementVersion, day string, visible *truce.Principal) (*Daily, error) {
	t, err := time.ParseInLocation(time.DateOnly, day, a.Timezone)
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "daily report: day %q: want YYYY-MM-DD", day)
	}
	until := t.AddDate(0, 0, 1)
	since := t.AddDate(0, 0, -1)
	for _, r := range a.Recommitments {
		if r.Start.Before(until) {
			since = minTime(since, r.Start)
		}
	}
	if len(a.Recommitments) == 0 || !a.Recommitments[0].Start.Before(until) {
		since = time.Time{} // no recommitment yet: totals since the first record
	}
	// The observation and access judges read no protected site (an
	// observation establishes no target), so none are loaded.
	in := DailyInput{Agreement: a, Judge: adjudicate.New(a, nil), Day: day}
	f := truce.FieldFilter{Until: &until, Visible: visible}
	if !since.IsZero() {
		f.Since = &since
	}
	if err := st.Observations(ctx, f, func(o *truce.Observation) error { in.Observations = append(in.Observations, o); return nil }); err != nil {
		return nil, err
	}
	if err := st.Restrictions(ctx, f, func(x *truce.AccessRestriction) error { in.Restrictions = append(in.Restrictions, x); return nil }); err != nil {
		return nil, err
	}
	rf := truce.ReportFilter{Since: f.Since, Until: &until, Visible: visible}
	err = st.Judgements(ctx, v.ID, v.Version, rf, func(r *truce.Report, j *truce.Judgement) error {
		in.Allegations = append(in.Allegations, Allegation{Report: r.ID, Start: r.Start, Party: j.Facts.Perpetrator, Area: r.Place, Outcome: j.Outcome})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return BuildDaily(in)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
