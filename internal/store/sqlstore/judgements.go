package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"truce"
	"truce/internal/ledger"
)

// judgementDetail is the stored JSON form of a judgement's facts and
// findings. It is versioned: V changes when the shape does. Its bytes are
// hashed into the judgement's log record, so it is kept as text, as
// written.
type judgementDetail struct {
	V        int             `json:"v"`
	Facts    truce.Facts     `json:"facts"`
	Findings []truce.Finding `json:"findings"`
}

// EncodeDetail returns the stored detail of j.
func EncodeDetail(j *truce.Judgement) ([]byte, error) {
	return json.Marshal(judgementDetail{V: 1, Facts: j.Facts, Findings: j.Findings})
}

// DecodeJudgement fills jd, the judgement of report id, from its stored
// outcome and detail.
func DecodeJudgement(jd *truce.Judgement, id truce.ReportID, outcome int, detail string) error {
	var d judgementDetail
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return fmt.Errorf("judgement %s detail: %w", id, err)
	}
	jd.Report, jd.Outcome, jd.Facts, jd.Findings = id, truce.Outcome(outcome), d.Facts, d.Findings
	return nil
}

// StoredJudgement is what PutJudgements compares a new judgement with:
// the report's latest stored one, and the record it points at.
type StoredJudgement struct {
	Outcome     truce.Outcome
	Explanation string
	Detail      string
	LogIndex    int64
}

// PutJudgements stores judgements under one agreement version. A judgement
// that differs from the report's latest stored one (under any version) is
// logged; an unchanged one points at the record that already holds it.
// When the version is the current agreement, the incidents of the reports
// take their figures from these judgements. ENOTFOUND if a report or the
// agreement version does not exist.
func (c Core) PutJudgements(ctx context.Context, by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement) (int, error) {
	if len(js) == 0 {
		return 0, nil
	}
	details, err := encodeDetails(js)
	if err != nil {
		return 0, err
	}
	return write(ctx, c, func(w WriteTx) (int, error) { return putJudgements(ctx, w, by, id, version, js, details) })
}

// encodeDetails encodes the details of js (EncodeDetail) before their
// write transaction: on SQLite every other write waits for it.
func encodeDetails(js []truce.Judgement) ([][]byte, error) {
	details := make([][]byte, len(js))
	for i := range js {
		d, err := EncodeDetail(&js[i])
		if err != nil {
			return nil, fmt.Errorf("judgement %s: %w", js[i].Report, err)
		}
		details[i] = d
	}
	return details, nil
}

// PutJudgedReports stores rs, as PutReports does, and their judgements js
// under agreement version (id, version), as PutJudgements does, in one
// write transaction: a report submitted through the API is stored and
// judged at once, in one turn of the store's writer, or not at all. js
// is judged before the call (the judge reads no row of rs). It returns
// how many reports were new and how many judgements new or changed.
func (c Core) PutJudgedReports(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions, id truce.AgreementID, version int, js []truce.Judgement) (added, changed int, err error) {
	if err := validReports(rs); err != nil {
		return 0, 0, err
	}
	details, err := encodeDetails(js)
	if err != nil {
		return 0, 0, err
	}
	err = c.d.Write(ctx, func(w WriteTx) error {
		var err error
		if added, err = w.InsertReports(by, rs, opt); err != nil {
			return err
		}
		if len(js) > 0 {
			changed, err = putJudgements(ctx, w, by, id, version, js, details)
		}
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return added, changed, nil
}

// putJudgements is PutJudgements in w; details are js's, encoded.
func putJudgements(ctx context.Context, w WriteTx, by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement, details [][]byte) (int, error) {
	var ok bool
	if err := w.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agreements WHERE id = $1 AND version = $2)`, string(id), version).Scan(&ok); err != nil {
		return 0, fmt.Errorf("put judgements: %w", err)
	}
	if !ok {
		return 0, truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", js[0].Report)
	}
	rows, changed, incidents, err := judgementRows(w, by, id, version, js, details)
	if err != nil {
		return 0, err
	}
	if err := w.PutJudgementRows(rows); err != nil {
		return 0, err
	}
	// The incidents show the current agreement's judgements: judging
	// under another version leaves their figures as they are.
	if cur, ver, err := Current(ctx, w); err != nil || cur != id || ver != version {
		return changed, err
	}
	return changed, w.Refresh(id, version, incidents)
}

// judgementRows logs the judgements that differ from their report's
// latest stored one and returns the rows to write, how many were logged
// and the reports' incidents, sorted.
func judgementRows(w WriteTx, by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement, details [][]byte) ([]JudgementWrite, int, []truce.IncidentID, error) {
	reports := make([]truce.ReportID, len(js))
	for i := range js {
		reports[i] = js[i].Report
	}
	latest, stored, err := w.LatestJudgements(reports)
	if err != nil {
		return nil, 0, nil, err
	}
	rows := make([]JudgementWrite, 0, len(js))
	changed, touched := 0, map[truce.IncidentID]bool{}
	for i := range js {
		j := &js[i]
		rep, ok := stored[j.Report]
		if !ok {
			return nil, 0, nil, truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", j.Report)
		}
		touched[rep.Incident] = true
		detail := details[i]
		p, ok := latest[j.Report]
		idx := p.LogIndex
		if !ok || p.Outcome != j.Outcome || p.Explanation != j.Explanation || p.Detail != string(detail) {
			if idx, err = w.Log(ledger.JudgementRecord(by, w.Now(), id, version, j, detail)); err != nil {
				return nil, 0, nil, err
			}
			changed++
		}
		// A report judged twice in one call compares with the first.
		latest[j.Report] = StoredJudgement{j.Outcome, j.Explanation, string(detail), idx}
		rows = append(rows, JudgementWrite{JudgementRow: ledger.JudgementRow{Report: j.Report, Agreement: id, Version: version, Outcome: j.Outcome,
			Explanation: j.Explanation, Detail: detail, Judgement: j, Perpetrator: j.Facts.Perpetrator, Phases: ledger.JudgementPhases(j), LogIndex: idx},
			Start: rep.Report.Start.UnixNano(), Brief: EncodeBrief(&rep.Report, j)})
	}
	incidents := make([]truce.IncidentID, 0, len(touched))
	for inc := range touched {
		incidents = append(incidents, inc)
	}
	slices.Sort(incidents)
	return rows, changed, incidents, nil
}

// Judgement returns one report's judgement under one agreement version.
// ENOTFOUND if there is none.
func (c Core) Judgement(ctx context.Context, id truce.AgreementID, version int, report truce.ReportID) (*truce.Judgement, error) {
	var jd truce.Judgement
	var outcome int
	var detail string
	err := c.d.DB.QueryRow(ctx, `SELECT outcome, explanation, detail FROM judgements WHERE agreement = $1 AND version = $2 AND report_id = $3`,
		string(id), version, string(report)).Scan(&outcome, &jd.Explanation, &detail)
	if err != nil {
		return nil, NotFound(err, "judgement "+string(report), "no judgement of report %s under %s version %d", report, id, version)
	}
	if err := DecodeJudgement(&jd, report, outcome, detail); err != nil {
		return nil, err
	}
	return &jd, nil
}

// EachJudged runs query, which selects ReportCols then a judgement's
// outcome, explanation and detail, and calls fn with every report and its
// judgement, stopping at fn's first error.
func EachJudged(ctx context.Context, db DB, d Dialect, fn func(*truce.Report, *truce.Judgement) error, query string, args ...any) error {
	type judged struct {
		r  *truce.Report
		jd *truce.Judgement
	}
	return Each(ctx, db, "judgements", func(sc Scanner) (judged, error) {
		var jd truce.Judgement
		var outcome int
		var detail string
		r, err := ScanReport(d, sc, &outcome, &jd.Explanation, &detail)
		if err != nil {
			return judged{}, err
		}
		return judged{r, &jd}, DecodeJudgement(&jd, r.ID, outcome, detail)
	}, func(j judged) error { return fn(j.r, j.jd) }, query, args...)
}
