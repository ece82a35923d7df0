package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/klauspost/compress/s2"

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

// packedDetail is the first byte of a packed detail (PackDetail); a JSON
// detail starts with '{'.
const packedDetail = 0x01

// maxDetail bounds an unpacked detail: a packed one that claims more is
// refused rather than allocated (a tampered database).
const maxDetail = 16 << 20

// PackDetail returns detail (EncodeDetail's JSON) packed as SQLite stores
// it: a marker byte, then the JSON compressed with S2. The scenario's
// details, ~5.8 KB of JSON that repeats its notes in every reading, pack
// to ~28% of that, so a judgement row fits in a page with room to spare
// rather than spilling into two overflow pages: less to write to the WAL
// and to read back. Packing is deterministic for one S2 version, but
// nothing relies on that: what is compared and hashed is always the JSON
// (UnpackDetail).
func PackDetail(detail []byte) []byte {
	buf := make([]byte, 1+s2.MaxEncodedLen(len(detail)))
	buf[0] = packedDetail
	return buf[:1+len(s2.Encode(buf[1:], detail))]
}

// UnpackDetail returns the JSON of a stored detail: a packed one
// (PackDetail) uncompressed, any other as it is (PostgreSQL keeps JSON,
// and so did SQLite before packing).
func UnpackDetail(stored []byte) ([]byte, error) {
	if len(stored) == 0 || stored[0] != packedDetail {
		return stored, nil
	}
	n, err := s2.DecodedLen(stored[1:])
	if err == nil && n > maxDetail {
		err = fmt.Errorf("claims %d bytes, more than %d", n, maxDetail)
	}
	if err != nil {
		return nil, fmt.Errorf("packed detail: %w", err)
	}
	b, err := s2.Decode(make([]byte, n), stored[1:])
	if err != nil {
		return nil, fmt.Errorf("packed detail: %w", err)
	}
	return b, nil
}

// ComparableDetail returns the JSON of a stored detail for comparison
// with a new judgement's (StoredJudgement.Detail). A detail that does not
// unpack (a damaged row) is returned as stored and so compares unequal to
// any JSON: judging the report again logs a new record and replaces the
// row, rather than failing.
func ComparableDetail(stored []byte) string {
	if b, err := UnpackDetail(stored); err == nil {
		return string(b)
	}
	return string(stored)
}

// DecodeJudgement fills jd, the judgement of report id, from its stored
// outcome and detail (JSON, or packed: UnpackDetail).
func DecodeJudgement(jd *truce.Judgement, id truce.ReportID, outcome int, detail []byte) error {
	b, err := UnpackDetail(detail)
	if err != nil {
		return fmt.Errorf("judgement %s detail: %w", id, err)
	}
	var d judgementDetail
	if err := json.Unmarshal(b, &d); err != nil {
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
	details, err := c.encodeDetails(js)
	if err != nil {
		return 0, err
	}
	return write(ctx, c, func(w WriteTx) (int, error) { return putJudgements(ctx, w, by, id, version, js, details) })
}

// encodedDetails are the details of judgements, encoded before their
// write transaction (on SQLite every other write waits for it): the JSON
// (EncodeDetail), which records hash and comparisons read, and the form
// the store keeps (PackDetail when Driver.PackDetails, else the JSON).
type encodedDetails struct{ json, stored [][]byte }

// encodeDetails encodes the details of js.
func (c Core) encodeDetails(js []truce.Judgement) (encodedDetails, error) {
	ds := encodedDetails{make([][]byte, len(js)), make([][]byte, len(js))}
	for i := range js {
		d, err := EncodeDetail(&js[i])
		if err != nil {
			return encodedDetails{}, fmt.Errorf("judgement %s: %w", js[i].Report, err)
		}
		ds.json[i], ds.stored[i] = d, d
		if c.d.PackDetails && len(d) <= maxDetail { // a larger one stays JSON: it could not be unpacked
			ds.stored[i] = PackDetail(d)
		}
	}
	return ds, nil
}

// PutJudgedReports stores rs, as PutReports does, and the judgements js
// of the reports it stores under agreement version (id, version), as
// PutJudgements does, in one write transaction: a report is stored and
// judged at once, in one turn of the store's writer, or not at all. js is
// empty (no agreement yet) or holds rs[i]'s judgement at i, judged before
// the call (the judge reads no row of rs). A report already stored keeps
// its stored content and judgements: its judgement in js is not stored.
// It returns which reports of rs it stored and how many judgements it
// logged.
//
// A new report opens an incident of its own, whose figures under the
// current agreement are its judgement's: they are computed before the
// write and the incident is inserted with them, and the judgement is
// stored without reading what is stored of the report (there is none).
func (c Core) PutJudgedReports(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions, id truce.AgreementID, version int, js []truce.Judgement) (stored []bool, changed int, err error) {
	if err := validReports(rs); err != nil {
		return nil, 0, err
	}
	if len(js) > 0 && len(js) != len(rs) {
		return nil, 0, fmt.Errorf("put judged reports: %d judgements of %d reports", len(js), len(rs))
	}
	for i := range js {
		if js[i].Report != rs[i].ID {
			return nil, 0, fmt.Errorf("put judged reports: judgement %d is of report %s, not %s", i, js[i].Report, rs[i].ID)
		}
	}
	details, err := c.encodeDetails(js)
	if err != nil {
		return nil, 0, err
	}
	// Everything a new report needs is built now, outside the writer:
	// its incident's figures and its records (report, judgement), with
	// the write's time fixed now.
	now := c.d.Now().UTC()
	ctx = WithWriteTime(ctx, now)
	pre := &Prepared{Records: make([][]byte, len(rs))}
	var judgementRecs [][]byte
	for i, r := range rs {
		if pre.Records[i], err = EncodeRecord(ledger.ReportRecord(by, now, r, opt)); err != nil {
			return nil, 0, fmt.Errorf("report %s: %w", r.ID, err)
		}
	}
	if len(js) > 0 {
		pre.Figures = make([]ledger.Figures, len(rs))
		judgementRecs = make([][]byte, len(rs))
		for i, r := range rs {
			pre.Figures[i] = ledger.IncidentFigures([]ledger.ReportFigures{reportFigures(r, &js[i])})
			if judgementRecs[i], err = EncodeRecord(ledger.JudgementRecord(by, now, id, version, &js[i], details.json[i])); err != nil {
				return nil, 0, fmt.Errorf("judgement of report %s: %w", r.ID, err)
			}
		}
	}
	// Read ahead of the write where the driver asks for it: the write
	// checks it rather than reading it (Driver.ReadAhead). If it has
	// changed when the write runs, the write runs again, reading it.
	var ahead *readAhead
	if c.d.ReadAhead != nil && len(js) > 0 {
		if ahead, err = c.readAhead(ctx, rs, id, version); err != nil {
			return nil, 0, err
		}
	}
	write := func(w WriteTx) error {
		stored, changed = nil, 0 // a write that runs again starts afresh
		if !w.Now().Equal(now) {
			return fmt.Errorf("put judged reports: the write's time is %v, not the %v its records were built with", w.Now(), now)
		}
		var err error
		if len(js) == 0 {
			stored, err = w.InsertReports(by, rs, opt, &Prepared{Records: pre.Records})
			return err
		}
		p := *pre
		// The incidents show the current agreement's judgements only.
		// Whether it is goes with the reports' first statement, or was
		// read ahead and is checked with it.
		var current func() (bool, error)
		if ahead != nil {
			current, err = ahead.check(ctx, w, id, version, js[0].Report)
			p.Unstored = slices.Clone(ahead.unstored)
		} else {
			current, err = agreementCurrentLater(ctx, w, id, version, js[0].Report)
		}
		if err != nil {
			return err
		}
		p.UseFigures = func() bool {
			cur, err := current()
			return cur && err == nil
		}
		if stored, err = w.InsertReports(by, rs, opt, &p); err != nil {
			return err
		}
		cur, err := current()
		if err != nil {
			return err
		}
		fresh := make(map[truce.ReportID]freshReport, len(rs))
		keep := make([]truce.Judgement, 0, len(rs))
		kept := encodedDetails{make([][]byte, 0, len(rs)), make([][]byte, 0, len(rs))}
		for i, ok := range stored {
			if ok {
				fresh[rs[i].ID] = freshReport{rs[i], judgementRecs[i]}
				keep = append(keep, js[i])
				kept.json, kept.stored = append(kept.json, details.json[i]), append(kept.stored, details.stored[i])
			}
		}
		if len(keep) == 0 {
			return nil
		}
		rows, n, incidents, err := judgementRows(w, by, id, version, keep, kept, fresh)
		if err != nil {
			return err
		}
		changed = n
		if err := w.PutJudgementRows(rows); err != nil {
			return err
		}
		if !cur || len(incidents) == 0 {
			return nil
		}
		return w.Refresh(id, version, incidents)
	}
	err = c.d.Write(ctx, write)
	if ahead != nil && errors.Is(err, ErrStale) {
		ahead = nil
		err = c.d.Write(ctx, write)
	}
	if err != nil {
		return nil, 0, err
	}
	return stored, changed, nil
}

// readAhead is what PutJudgedReports read ahead of its write
// (Driver.ReadAhead): which reports were new (FirstCopies, NotStored)
// and the agreement version's state.
type readAhead struct {
	unstored []bool
	state    agreementState
}

// readAhead reads which of rs are new and the state of agreement version
// (id, version), outside any write.
func (c Core) readAhead(ctx context.Context, rs []*truce.Report, id truce.AgreementID, version int) (*readAhead, error) {
	first, ids := FirstCopies(rs)
	stored, err := c.d.ReadAhead(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("put judged reports: %w", err)
	}
	ra := &readAhead{unstored: NotStored(rs, first, stored)}
	if err := ra.state.scan(c.d.DB.QueryRow(ctx, agreementStateQuery, string(id), version)); err != nil {
		return nil, fmt.Errorf("put judged reports: %w", err)
	}
	return ra, nil
}

// check holds, for the write's next statement, the agreement state's
// query again, which fails the write with ErrStale if the state is not
// the one read ahead, and returns agreementCurrentLater's function,
// answered from the state read ahead: nothing waits for the query.
func (ra *readAhead) check(ctx context.Context, w WriteTx, id truce.AgreementID, version int, report truce.ReportID) (func() (bool, error), error) {
	err := w.QueryRowLater(ctx, func(err error) error { return fmt.Errorf("put judgements: %w", err) }, func(sc Scanner) error {
		var now agreementState
		if err := now.scan(sc); err != nil {
			return err
		}
		if !now.same(ra.state) {
			return fmt.Errorf("%w: agreement %s version %d, or the current version, changed", ErrStale, id, version)
		}
		return nil
	}, agreementStateQuery, string(id), version)
	return ra.state.currentOnce(ctx, w, id, version, report, func() error { return nil }), err
}

// freshReport is a report stored by the write that judges it, and its
// judgement's record, built before the write.
type freshReport struct {
	r   *truce.Report
	rec []byte
}

// reportFigures is what report r judged j gives its incident's figures,
// as Refresh reads them back from the stored rows.
func reportFigures(r *truce.Report, j *truce.Judgement) ledger.ReportFigures {
	return ledger.ReportFigures{Report: r.ID, Start: unixUTC(r.Start.UnixNano()), Location: r.Location, Outcome: j.Outcome,
		Perpetrator: j.Facts.Perpetrator, Phases: ledger.JudgementPhases(j), Explanation: j.Explanation}
}

// agreementCurrent fails with ENOTFOUND, naming report, unless agreement
// version (id, version) is stored, and reports whether it is the current
// one (Current): one query, where the settings name the current version.
func agreementCurrent(ctx context.Context, w WriteTx, id truce.AgreementID, version int, report truce.ReportID) (bool, error) {
	var st agreementState
	if err := st.scan(w.QueryRow(ctx, agreementStateQuery, string(id), version)); err != nil {
		return false, fmt.Errorf("put judgements: %w", err)
	}
	return st.current(ctx, w, id, version, report)
}

// agreementCurrentLater is agreementCurrent with its query held for the
// write's next statement (WriteTx.QueryRowLater): the function it returns
// gives the answer once that statement has run, and an error before.
func agreementCurrentLater(ctx context.Context, w WriteTx, id truce.AgreementID, version int, report truce.ReportID) (func() (bool, error), error) {
	var st agreementState
	ran := false
	err := w.QueryRowLater(ctx, func(err error) error { return fmt.Errorf("put judgements: %w", err) }, func(sc Scanner) error {
		ran = true
		return st.scan(sc)
	}, agreementStateQuery, string(id), version)
	return st.currentOnce(ctx, w, id, version, report, func() error {
		if !ran {
			return fmt.Errorf("put judgements: the agreement's check has not run yet")
		}
		return nil
	}), err
}

// agreementStateQuery reads whether agreement version ($1, $2) is stored
// and the settings that name the current version, in one statement.
const agreementStateQuery = `SELECT EXISTS (SELECT 1 FROM agreements WHERE id = $1 AND version = $2), ` + currentSettings

// agreementState is what agreementStateQuery reads.
type agreementState struct {
	stored   bool
	cur, ver *string
}

func (st *agreementState) scan(sc Scanner) error {
	return sc.Scan(&st.stored, &st.cur, &st.ver)
}

// currentOnce returns a function that answers current once read says the
// state has been read, and the same answer after: current may cost a
// query (currentOf).
func (st *agreementState) currentOnce(ctx context.Context, db DB, id truce.AgreementID, version int, report truce.ReportID, read func() error) func() (bool, error) {
	var cur bool
	var curErr error
	answered := false
	return func() (bool, error) {
		if err := read(); err != nil {
			return false, err
		}
		if !answered {
			cur, curErr = st.current(ctx, db, id, version, report)
			answered = true
		}
		return cur, curErr
	}
}

// same reports whether st and o read the same state.
func (st *agreementState) same(o agreementState) bool {
	eq := func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return st.stored == o.stored && eq(st.cur, o.cur) && eq(st.ver, o.ver)
}

// current fails with ENOTFOUND, naming report, unless the agreement
// version is stored, and reports whether (id, version) is the current
// one (currentOf: it reads the agreement stored last only if the settings
// name none, which costs a query then).
func (st *agreementState) current(ctx context.Context, db DB, id truce.AgreementID, version int, report truce.ReportID) (bool, error) {
	if !st.stored {
		return false, truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", report)
	}
	c, v, err := currentOf(ctx, db, st.cur, st.ver)
	return c == id && v == version, err
}

// putJudgements is PutJudgements in w; details are js's, encoded.
func putJudgements(ctx context.Context, w WriteTx, by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement, details encodedDetails) (int, error) {
	current, err := agreementCurrent(ctx, w, id, version, js[0].Report)
	if err != nil {
		return 0, err
	}
	rows, changed, incidents, err := judgementRows(w, by, id, version, js, details, nil)
	if err != nil {
		return 0, err
	}
	if err := w.PutJudgementRows(rows); err != nil {
		return 0, err
	}
	// The incidents show the current agreement's judgements: judging
	// under another version leaves their figures as they are.
	if !current {
		return changed, nil
	}
	return changed, w.Refresh(id, version, incidents)
}

// judgementRows logs the judgements that differ from their report's
// latest stored one and returns the rows to write, how many were logged
// and the incidents to refresh, sorted. fresh holds the reports stored in
// this transaction, by id: they have no judgement stored, and their
// incidents (their own) were inserted with their figures, so nothing is
// read of them and their incidents are not refreshed; their first
// judgement's record is the one built before the write.
func judgementRows(w WriteTx, by truce.Principal, id truce.AgreementID, version int, js []truce.Judgement, details encodedDetails, fresh map[truce.ReportID]freshReport) ([]JudgementWrite, int, []truce.IncidentID, error) {
	reports := make([]truce.ReportID, 0, len(js))
	for i := range js {
		if fresh[js[i].Report].r == nil {
			reports = append(reports, js[i].Report)
		}
	}
	latest, stored := map[truce.ReportID]StoredJudgement{}, map[truce.ReportID]JudgedReport{}
	if len(reports) > 0 {
		var err error
		if latest, stored, err = w.LatestJudgements(reports); err != nil {
			return nil, 0, nil, err
		}
	}
	rows := make([]JudgementWrite, 0, len(js))
	changed, touched := 0, map[truce.IncidentID]bool{}
	for i := range js {
		j := &js[i]
		rep, ok := stored[j.Report]
		f := fresh[j.Report]
		if f.r != nil {
			rep, ok = freshJudged(f.r), true
		} else if ok {
			touched[rep.Incident] = true
		}
		if !ok {
			return nil, 0, nil, truce.Errorf(truce.ENOTFOUND, "judgement of report %s: no such report or agreement version", j.Report)
		}
		detail := details.json[i]
		p, ok := latest[j.Report]
		idx := p.LogIndex
		if !ok || p.Outcome != j.Outcome || p.Explanation != j.Explanation || p.Detail != string(detail) {
			var err error
			if !ok && f.rec != nil {
				idx, err = w.LogEncoded(f.rec)
			} else {
				idx, err = w.Log(ledger.JudgementRecord(by, w.Now(), id, version, j, detail))
			}
			if err != nil {
				return nil, 0, nil, err
			}
			changed++
		}
		// A report judged twice in one call compares with the first.
		latest[j.Report] = StoredJudgement{j.Outcome, j.Explanation, string(detail), idx}
		rows = append(rows, JudgementWrite{JudgementRow: ledger.JudgementRow{Report: j.Report, Agreement: id, Version: version, Outcome: j.Outcome,
			Explanation: j.Explanation, Detail: detail, Judgement: j, Perpetrator: j.Facts.Perpetrator, Phases: ledger.JudgementPhases(j), LogIndex: idx},
			Stored: details.stored[i], Start: rep.Report.Start.UnixNano(), Brief: EncodeBrief(&rep.Report, j)})
	}
	incidents := make([]truce.IncidentID, 0, len(touched))
	for inc := range touched {
		incidents = append(incidents, inc)
	}
	slices.Sort(incidents)
	return rows, changed, incidents, nil
}

// freshJudged is a report just stored as ScanJudgedReport reads it back:
// in the incident of its own, with the fields its brief keeps.
func freshJudged(r *truce.Report) JudgedReport {
	j := JudgedReport{Incident: truce.IncidentID(r.ID)}
	j.Report = truce.Report{ID: r.ID, Source: r.Source, Outlet: r.Outlet, Start: unixUTC(r.Start.UnixNano()), End: unixUTC(r.End.UnixNano()),
		Precision: r.Precision, Location: r.Location, Place: r.Place, Text: r.Text}
	return j
}

// Judgement returns one report's judgement under one agreement version.
// ENOTFOUND if there is none.
func (c Core) Judgement(ctx context.Context, id truce.AgreementID, version int, report truce.ReportID) (*truce.Judgement, error) {
	var jd truce.Judgement
	var outcome int
	var detail []byte
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
		var detail []byte
		r, err := ScanReport(d, sc, &outcome, &jd.Explanation, &detail)
		if err != nil {
			return judged{}, err
		}
		return judged{r, &jd}, DecodeJudgement(&jd, r.ID, outcome, detail)
	}, func(j judged) error { return fn(j.r, j.jd) }, query, args...)
}
