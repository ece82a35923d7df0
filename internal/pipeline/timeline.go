package pipeline

import (
	"context"

	"truce"
	"truce/internal/adjudicate"
)

// Timeline builds the timeline per phase and reading of the agreement j
// judges (see adjudicate.Judge.Timeline) from the stored judgements under
// agreement version (id, version) and their incidents' review status, as
// the pipeline gathers the breaches a release rests on. viewer, when not
// nil, keeps only the reports whose incident it may read (the API MUST
// pass the caller); nil reads every stored report (the CLI, the demo).
// Reports not judged under the version are not counted.
func Timeline(ctx context.Context, st truce.Store, j *adjudicate.Judge, id truce.AgreementID, version int, viewer *truce.Principal) (adjudicate.Timeline, error) {
	incidents, err := incidentsByReport(ctx, st)
	if err != nil {
		return adjudicate.Timeline{}, err
	}
	var acts []adjudicate.Act
	err = st.Judgements(ctx, id, version, truce.ReportFilter{Visible: viewer}, func(r *truce.Report, jd *truce.Judgement) error {
		iid, status := incidentStatus(incidents, r.ID)
		acts = append(acts, adjudicate.ActsOf(r, jd, iid, status)...)
		return nil
	})
	if err != nil {
		return adjudicate.Timeline{}, err
	}
	return j.Timeline(acts), nil
}
