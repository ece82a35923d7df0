package pipeline

import (
	"context"
	"fmt"
	"time"

	"truce"
	"truce/internal/adjudicate"
)

// Batch is how many judgements, or merges, one store transaction holds:
// one fsync per batch rather than one per report, while a transaction
// stays small enough not to hold the store's write lock for long.
const Batch = 5000

// Result counts what Stored did.
type Result struct {
	// Judged is how many stored reports were judged.
	Judged int
	// Outcomes counts the judged reports per outcome.
	Outcomes map[truce.Outcome]int
	// Changed is how many judgements were new or changed.
	Changed int
	// Merged is how many incidents were merged into others as reports
	// of the same event.
	Merged int
}

// Stored judges every stored report with j under agreement version (id,
// version), stores the judgements, then groups the reports of the same
// event into incidents (see Group). by is the principal the log records
// for every judgement and merge. A grouping error is wrapped as
// "group: …"; a judging error is returned as it is.
func Stored(ctx context.Context, st truce.Store, by truce.Principal, j *adjudicate.Judge, id truce.AgreementID, version int) (Result, error) {
	res, err := judgeStored(ctx, st, by, j, id, version)
	if err != nil {
		return res, err
	}
	if res.Merged, err = Group(ctx, st, by, id, version); err != nil {
		return res, fmt.Errorf("group: %w", err)
	}
	return res, nil
}

// judgeStored judges every stored report and stores the judgements, Batch
// per transaction.
func judgeStored(ctx context.Context, st truce.Store, by truce.Principal, j *adjudicate.Judge, id truce.AgreementID, version int) (Result, error) {
	return judgeFrom(ctx, st, by, j, id, version, nil)
}

// judgeFrom judges the stored reports from since on (every report when
// since is nil), in time order, and stores the judgements, Batch per
// transaction. When the agreement has release clauses, the judge is given
// the breaches known at each report's time: those of the stored
// judgements before since, then those of each new judgement as the pass
// reaches it, with their incidents' review status. Judging in time order
// makes a release rest only on breaches judged with the releases in force
// before them.
func judgeFrom(ctx context.Context, st truce.Store, by truce.Principal, j *adjudicate.Judge, id truce.AgreementID, version int, since *time.Time) (Result, error) {
	res := Result{Outcomes: map[truce.Outcome]int{}}
	var breaches []truce.Breach
	var incidents map[truce.ReportID]*truce.Incident
	if j.HasReleases() {
		var err error
		if incidents, err = incidentsByReport(ctx, st); err != nil {
			return res, err
		}
		if since != nil {
			if breaches, err = storedBreaches(ctx, st, j, id, version, &truce.ReportFilter{Until: since}, incidents); err != nil {
				return res, err
			}
		}
	}
	var batch []truce.Judgement
	flush := func() error {
		c, err := st.PutJudgements(ctx, by, id, version, batch)
		res.Changed += c
		batch = batch[:0]
		return err
	}
	err := st.Reports(ctx, truce.ReportFilter{Since: since}, func(r *truce.Report) error {
		jd := j.JudgeWith(r, breaches)
		if incidents != nil {
			iid, status := incidentStatus(incidents, r.ID)
			breaches = append(breaches, j.Breaches(r, &jd, iid, status)...)
		}
		res.Judged++
		res.Outcomes[jd.Outcome]++
		batch = append(batch, jd)
		if len(batch) == Batch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return res, err
}

// storedBreaches returns the breaches the stored judgements under (id,
// version) of the reports matching f record, with their incidents' status.
func storedBreaches(ctx context.Context, st truce.Store, j *adjudicate.Judge, id truce.AgreementID, version int, f *truce.ReportFilter, incidents map[truce.ReportID]*truce.Incident) ([]truce.Breach, error) {
	var out []truce.Breach
	err := st.Judgements(ctx, id, version, *f, func(r *truce.Report, jd *truce.Judgement) error {
		iid, status := incidentStatus(incidents, r.ID)
		out = append(out, j.Breaches(r, jd, iid, status)...)
		return nil
	})
	return out, err
}

// releasingBreaches returns the stored breaches a release clause of j's
// agreement could rest on, reading only the incidents that can hold one:
// those a monitor verified and, when a clause rests on any violation
// verdict, those whose figures show a violation or a dispute. Judging one
// new report MUST NOT read the whole record: it is on every write's path
// (reading every judgement made a write take seconds on 9,000 reports).
func releasingBreaches(ctx context.Context, st truce.Store, j *adjudicate.Judge, id truce.AgreementID, version int) ([]truce.Breach, error) {
	filters := []truce.IncidentFilter{{Status: truce.StatusVerified}}
	for _, ph := range j.Agreement().Phases {
		for _, rl := range ph.Releases {
			if rl.RestsOn == truce.ReleaseOnViolation {
				filters = append(filters, truce.IncidentFilter{Outcome: truce.OutcomeViolation}, truce.IncidentFilter{Outcome: truce.OutcomeDisputed})
			}
		}
	}
	incidents := map[truce.ReportID]*truce.Incident{}
	var ids []truce.IncidentID
	seen := map[truce.IncidentID]bool{}
	for _, f := range filters {
		f.Visibility, f.Limit = everyIncident, 1000
		for {
			page, next, err := st.Incidents(ctx, f)
			if err != nil {
				return nil, err
			}
			for i := range page {
				in := &page[i].Incident
				if !seen[in.ID] {
					seen[in.ID] = true
					ids = append(ids, in.ID)
				}
				for _, r := range in.Reports {
					incidents[r] = in
				}
			}
			if next == "" {
				break
			}
			f.After = next
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return storedBreaches(ctx, st, j, id, version, &truce.ReportFilter{Incidents: ids}, incidents)
}

// incidentStatus returns the incident of report r and its review status.
func incidentStatus(incidents map[truce.ReportID]*truce.Incident, r truce.ReportID) (truce.IncidentID, truce.Status) {
	if in := incidents[r]; in != nil {
		return in.ID, in.Status
	}
	return "", ""
}

// Rejudge re-judges, after incident changed moved in review (verified,
// dismissed, reopened), every stored report from the incident's earliest
// report on, under agreement version (id, version), and stores the
// judgements: a breach that became verified releases the other side's
// later acts, one no longer verified stops releasing them. Only changed
// judgements are stored anew, and each is logged (PutJudgements). When
// the agreement has no release clause, or the incident holds no breach a
// clause could rest on, it does nothing. The server MUST call it after
// every status change of an incident under the current agreement.
func Rejudge(ctx context.Context, st truce.Store, by truce.Principal, j *adjudicate.Judge, id truce.AgreementID, version int, changed truce.IncidentID) (Result, error) {
	res := Result{Outcomes: map[truce.Outcome]int{}}
	if !j.HasReleases() {
		return res, nil
	}
	in, err := st.Incident(ctx, changed)
	if err != nil {
		return res, err
	}
	var since *time.Time
	if err := st.Judgements(ctx, id, version, truce.ReportFilter{Incidents: []truce.IncidentID{changed}}, func(r *truce.Report, jd *truce.Judgement) error {
		if len(j.Breaches(r, jd, in.ID, in.Status)) > 0 && (since == nil || r.Start.Before(*since)) {
			t := r.Start
			since = &t
		}
		return nil
	}); err != nil {
		return res, err
	}
	if since == nil {
		return res, nil
	}
	return judgeFrom(ctx, st, by, j, id, version, since)
}

// New judges reports just stored with j under agreement version (id,
// version) and stores the judgements in one transaction. It returns how
// many judgements were new or changed. It does not group: the next
// Stored run does.
func New(ctx context.Context, st truce.Store, by truce.Principal, j *adjudicate.Judge, id truce.AgreementID, version int, rs []*truce.Report) (changed int, err error) {
	js, err := Judge(ctx, st, j, id, version, rs)
	if err != nil {
		return 0, err
	}
	return st.PutJudgements(ctx, by, id, version, js)
}

// Judge judges new reports rs with j under agreement version (id,
// version), with the breaches the agreement's release clauses rest on as
// stored: the judgements New stores, for a caller that stores them with
// the reports (sqlstore.Core.PutJudgedReports). rs need not be stored.
func Judge(ctx context.Context, st truce.Store, j *adjudicate.Judge, id truce.AgreementID, version int, rs []*truce.Report) ([]truce.Judgement, error) {
	var breaches []truce.Breach
	if j.HasReleases() {
		var err error
		if breaches, err = releasingBreaches(ctx, st, j, id, version); err != nil {
			return nil, err
		}
	}
	js := make([]truce.Judgement, len(rs))
	for i, r := range rs {
		js[i] = j.JudgeWith(r, breaches)
	}
	return js, nil
}
