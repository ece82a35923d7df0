package pipeline

import (
	"context"

	"truce"
	"truce/internal/adjudicate"
)

// Group groups the stored reports under agreement version (id, version)
// and merges their incidents as adjudicate.PlanMerges plans: each group's
// reports move into the incident of its earliest report, reports are
// grouped only within one audience (published, or one party's or the
// monitors' unpublished ones), and incidents already under review are
// left alone: a monitor decides about those. by is the principal the log
// records for the merges. It returns how many incidents were merged.
func Group(ctx context.Context, st truce.Store, by truce.Principal, id truce.AgreementID, version int) (merged int, err error) {
	incidents, err := incidentsByReport(ctx, st)
	if err != nil {
		return 0, err
	}
	var ps []adjudicate.Placed
	if err := st.Judgements(ctx, id, version, truce.ReportFilter{}, func(r *truce.Report, j *truce.Judgement) error {
		in := incidents[r.ID]
		if in == nil {
			return nil // stored since the incidents were read: grouped next time
		}
		f := j.Facts
		ps = append(ps, adjudicate.Placed{Member: adjudicate.Member{Report: r, Facts: &f}, Incident: in})
		return nil
	}); err != nil {
		return 0, err
	}
	ops := adjudicate.PlanMerges(ps, adjudicate.DefaultGroupOptions)
	for len(ops) > 0 {
		n := min(len(ops), Batch)
		m, err := st.MergeMany(ctx, by, ops[:n])
		if err != nil {
			return merged, err
		}
		merged += m
		ops = ops[n:]
	}
	return merged, nil
}

// everyIncident is the principal Group reads incidents as: grouping
// considers every incident, published or not, whoever started it.
var everyIncident = truce.Principal{TokenID: "system", Role: truce.RoleMonitor}

// incidentsByReport returns the incident of every stored report, a page
// of a thousand incidents per query.
func incidentsByReport(ctx context.Context, st truce.Store) (map[truce.ReportID]*truce.Incident, error) {
	out := map[truce.ReportID]*truce.Incident{}
	f := truce.IncidentFilter{Visibility: everyIncident, Limit: 1000}
	for {
		page, next, err := st.Incidents(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page {
			in := &page[i].Incident
			for _, r := range in.Reports {
				out[r] = in
			}
		}
		if next == "" {
			return out, nil
		}
		f.After = next
	}
}
