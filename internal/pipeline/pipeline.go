package pipeline

import (
	"context"
	"fmt"

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
	res := Result{Outcomes: map[truce.Outcome]int{}}
	var batch []truce.Judgement
	flush := func() error {
		c, err := st.PutJudgements(ctx, by, id, version, batch)
		res.Changed += c
		batch = batch[:0]
		return err
	}
	err := st.Reports(ctx, truce.ReportFilter{}, func(r *truce.Report) error {
		jd := j.Judge(r)
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

// New judges reports just stored with j under agreement version (id,
// version) and stores the judgements in one transaction. It returns how
// many judgements were new or changed. It does not group: the next
// Stored run does.
func New(ctx context.Context, st truce.Store, by truce.Principal, j *adjudicate.Judge, id truce.AgreementID, version int, rs []*truce.Report) (changed int, err error) {
	js := make([]truce.Judgement, len(rs))
	for i, r := range rs {
		js[i] = j.Judge(r)
	}
	return st.PutJudgements(ctx, by, id, version, js)
}
