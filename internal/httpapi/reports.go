package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/importer"
)

// ReportIn is one report submitted through the API. Times and fields mean
// what they mean in the project's own report formats (docs/api.md).
type ReportIn struct {
	Time               string   `json:"time" minLength:"10" maxLength:"40" doc:"RFC 3339 instant, or a date YYYY-MM-DD (day precision, in the server's report time zone)"`
	TimePrecision      string   `json:"time_precision,omitempty" enum:"exact,minute,hour,day,week,month,year"`
	Lon                float64  `json:"lon" minimum:"-180" maximum:"180"`
	Lat                float64  `json:"lat" minimum:"-90" maximum:"90"`
	LocationPrecisionM float64  `json:"location_precision_m,omitempty" minimum:"0" maximum:"2000000"`
	Place              string   `json:"place,omitempty" maxLength:"500"`
	Outlet             string   `json:"outlet,omitempty" maxLength:"200" doc:"who published the account; a party's submissions are attributed to the party"`
	Perpetrator        string   `json:"perpetrator,omitempty" maxLength:"64" doc:"a party id, if the report names who acted"`
	Actions            []string `json:"actions,omitempty" maxItems:"10" doc:"attack, strike, air_strike, drone_attack, missile_attack, shelling, naval_attack, ground_attack, sabotage, seizure"`
	Category           string   `json:"category,omitempty" maxLength:"128"`
	Site               string   `json:"site,omitempty" maxLength:"128"`
	Actor1             string   `json:"actor1,omitempty" maxLength:"300"`
	Actor2             string   `json:"actor2,omitempty" maxLength:"300"`
	EventType          string   `json:"event_type,omitempty" maxLength:"300"`
	Text               string   `json:"text,omitempty" maxLength:"20000"`
	Fatalities         int      `json:"fatalities,omitempty" minimum:"0" maximum:"1000000"`
	Published          *bool    `json:"published,omitempty" doc:"monitors and admins: publish at once (default true); party submissions are never published until a monitor reviews them"`
}

// BulkResult reports a bulk upload.
type BulkResult struct {
	Read     int      `json:"read"`
	Accepted int      `json:"accepted"`
	Rejected int      `json:"rejected"`
	Added    int      `json:"added" doc:"new reports stored (the rest were already stored)"`
	Errors   []string `json:"errors" doc:"the first 100 bad rows, as FILE:LINE: message"`
}

// uploadName names an anonymous upload after its content, so that the
// FILE:LINE ids of two different files never meet and the same file sent
// twice gets the same ids (and adds nothing the second time).
func uploadName(body []byte) string {
	sum := sha256.Sum256(body)
	return "upload-" + hex.EncodeToString(sum[:8])
}

// newID returns a new id: prefix, then the time in milliseconds (6
// bytes) and 6 random bytes, in hex. Ids given in the same store sort by
// time, so a new report's rows go at the end of the indexes on its id
// rather than at random places in them: with random ids every index on
// an id dirtied a page of its own per report, written out at each
// commit, and the store's writer spent a quarter of its time on them.
func newID(prefix string) string {
	var b [12]byte
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	_, _ = rand.Read(b[6:])
	return prefix + hex.EncodeToString(b[:])
}

// parseReportIn turns the API form into a report through the same reader
// as the project's JSON files, so that both mean the same.
func parseReportIn(in *ReportIn, id string) (*truce.Report, error) {
	obj := struct {
		ID string `json:"id"`
		ReportIn
		Source string `json:"source"`
	}{ID: id, ReportIn: *in, Source: "api"}
	obj.Published = nil
	line, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var rep *truce.Report
	_, err = importer.ReadReports(bytes.NewReader(line), importer.Options{Format: importer.FormatTruceJSON, File: "body", Strict: true},
		func(r *truce.Report) error { rep = r; return nil }, nil)
	if err != nil {
		var re importer.RowError
		if errors.As(err, &re) {
			return nil, truce.Errorf(truce.EINVALID, "%s", truce.ErrorMessage(re.Err))
		}
		return nil, err
	}
	if rep == nil {
		return nil, truce.Errorf(truce.EINVALID, "no report in the body")
	}
	return rep, nil
}

// The inputs and outputs of the report operations. splitIn names its
// body's schema in the OpenAPI document (SplitInBody).
type (
	createReportIn  struct{ Body ReportIn }
	createReportOut struct {
		Location string `header:"Location"`
		Body     ReportOut
	}
	bulkIn struct {
		Format    string `query:"format" enum:"truce-csv,truce-json,truce-geojson,acled,ucdp-ged,viina,cir," doc:"default: detect from the header"`
		Strict    bool   `query:"strict" doc:"refuse the whole file at the first bad row"`
		Published bool   `query:"published" default:"true" doc:"publish the new incidents at once (reports from public sources)"`
		Name      string `query:"name" maxLength:"200" doc:"the file's name, used in FILE:LINE report ids; default upload-HASH, HASH being the start of the body's SHA-256"`
		RawBody   []byte `contentType:"text/csv"`
	}
	bulkOut struct{ Body BulkResult }
	// reportReadOut is a report read in a language.
	reportReadOut struct {
		ContentLanguage string `header:"Content-Language" doc:"the language of the explanations"`
		Vary            string `header:"Vary"`
		Body            ReportOut
	}
	splitIn struct {
		ID   string `path:"id" maxLength:"300"`
		Body struct {
			Reason string `json:"reason" minLength:"1" maxLength:"2000"`
		}
	}
)

// createReport serves create-report. A party's report is attributed to
// the party and stays unpublished until a monitor reviews it.
func (s *Server) createReport(ctx context.Context, p truce.Principal, in *createReportIn) (*createReportOut, error) {
	prefix := "api-"
	opt := truce.PutOptions{Published: true}
	if p.Role == truce.RoleParty {
		prefix = "api-" + string(p.Party) + "-"
		opt = truce.PutOptions{SubmittedBy: p.Party}
		in.Body.Outlet = string(p.Party)
	} else if in.Body.Published != nil {
		opt.Published = *in.Body.Published
	}
	if in.Body.Perpetrator != "" {
		if _, a, err := s.currentAgreement(ctx); err == nil {
			if _, ok := a.Party(truce.PartyID(in.Body.Perpetrator)); !ok {
				return nil, fieldError("body.perpetrator", "not a party of the current agreement", in.Body.Perpetrator)
			}
		}
	}
	r, err := parseReportIn(&in.Body, newID(prefix))
	if err != nil {
		return nil, err
	}
	c, err := s.created.add(ctx, p, opt, r)
	if err != nil {
		return nil, err
	}
	loc := "/api/v1/reports/" + string(r.ID)
	if c.fresh && canSee(p, &truce.IncidentSummary{Incident: truce.Incident{Published: opt.Published, SubmittedBy: opt.SubmittedBy}}) {
		// Stored as sent, in an incident of its own, with this judgement:
		// the answer is what GET loc returns, without reading it back.
		return &createReportOut{Location: loc, Body: reportOut(r, truce.IncidentID(r.ID), c.judgement)}, nil
	}
	out, err := s.reportView(ctx, p, r.ID, "en")
	if err != nil {
		return nil, err
	}
	return &createReportOut{Location: loc, Body: *out}, nil
}

// bulkBatch is the reports of a bulk upload read but not yet stored.
type bulkBatch struct {
	s       *Server
	by      truce.Principal
	opt     truce.PutOptions
	reports []*truce.Report
	res     *BulkResult
}

// bulkBatchSize is how many reports of a bulk upload are stored at once.
const bulkBatchSize = 2000

// flush stores and judges the batch: judged first and stored with the
// judgements in one write when the store can, else stored, then judged.
// A report whose id is stored with other content is not stored again;
// the rest of the batch is, and judged, before the conflict is reported.
func (b *bulkBatch) flush(ctx context.Context) error {
	defer func() { b.reports = b.reports[:0] }()
	_, stored, ok, err := b.s.putJudged(ctx, b.by, b.reports, b.opt)
	if !ok {
		n, kept, err := importer.PutReports(ctx, b.s.store, b.by, b.reports, b.opt)
		b.res.Added += n
		if kept != nil {
			if jerr := b.s.judgeReports(ctx, b.by, kept); err == nil {
				err = jerr
			}
		}
		return err
	}
	if err != nil {
		return err
	}
	var old []*truce.Report
	for i, ok := range stored {
		if ok {
			b.res.Added++
		} else {
			old = append(old, b.reports[i])
		}
	}
	if len(old) > 0 {
		// Stored before (an import again, or a copy earlier in the batch):
		// the same content is kept as stored and judged then.
		_, err = importer.CheckStored(ctx, b.s.store, old)
	}
	return err
}

// uploadReports serves upload-reports: the file is read and stored in
// batches; bad rows are skipped and the first 100 listed.
func (s *Server) uploadReports(ctx context.Context, p truce.Principal, in *bulkIn) (*bulkOut, error) {
	name := in.Name
	if name == "" {
		name = uploadName(in.RawBody)
	}
	res := BulkResult{Errors: []string{}}
	batch := &bulkBatch{s: s, by: p, opt: truce.PutOptions{Published: in.Published}, res: &res}
	var storeErr error
	st, err := importer.ReadReports(bytes.NewReader(in.RawBody), importer.Options{Format: importer.Format(in.Format), File: name, Strict: in.Strict},
		func(r *truce.Report) error {
			batch.reports = append(batch.reports, r)
			if len(batch.reports) == bulkBatchSize {
				storeErr = batch.flush(ctx)
				return storeErr
			}
			return nil
		},
		func(re importer.RowError) {
			if len(res.Errors) < 100 {
				res.Errors = append(res.Errors, re.Error())
			}
		})
	if storeErr != nil {
		return nil, storeErr
	}
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "%s", importErr(err))
	}
	if len(batch.reports) > 0 {
		if err := batch.flush(ctx); err != nil {
			return nil, err
		}
	}
	res.Read, res.Accepted, res.Rejected = st.Read, st.Accepted, st.Rejected
	return &bulkOut{Body: res}, nil
}

// getReport serves get-report.
func (s *Server) getReport(ctx context.Context, p truce.Principal, in *readIn) (*reportReadOut, error) {
	lang := in.lang()
	out, err := s.reportView(ctx, p, truce.ReportID(in.ID), lang)
	if err != nil {
		return nil, err
	}
	return &reportReadOut{ContentLanguage: lang, Vary: "Accept-Language", Body: *out}, nil
}

// splitReport serves split-report.
func (s *Server) splitReport(ctx context.Context, p truce.Principal, in *splitIn) (*eventBody, error) {
	if _, err := s.visibleIncidentOf(ctx, p, truce.ReportID(in.ID)); err != nil {
		return nil, err
	}
	e, err := s.store.Split(ctx, p, truce.ReportID(in.ID), in.Body.Reason)
	if err != nil {
		return nil, err
	}
	return &eventBody{Body: eventOut(e)}, nil
}

// visibleIncidentOf returns the incident of a report if p may see it;
// otherwise the report is "not found".
func (s *Server) visibleIncidentOf(ctx context.Context, p truce.Principal, id truce.ReportID) (*truce.IncidentSummary, error) {
	incID, err := s.store.IncidentOf(ctx, id)
	if err != nil {
		return nil, err
	}
	in, err := s.store.Incident(ctx, incID)
	if err != nil {
		return nil, err
	}
	if !canSee(p, in) {
		return nil, truce.Errorf(truce.ENOTFOUND, "report %s not found", id)
	}
	return in, nil
}

// reportView returns a report with its current judgement, if p may see it.
func (s *Server) reportView(ctx context.Context, p truce.Principal, id truce.ReportID, lang string) (*ReportOut, error) {
	in, err := s.visibleIncidentOf(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return s.reportIn(ctx, in.ID, id, lang)
}

// corroborate sets the corroboration of the listed incidents (outs[i] is
// incs[i]) that hold more than one report, reading their reports in one
// query; an incident of one report is corroborated by its one source.
func (s *Server) corroborate(ctx context.Context, incs []truce.IncidentSummary, outs []IncidentOut) error {
	var multi []truce.IncidentID
	keys := make([]corrKey, len(incs))
	for i := range incs {
		if len(incs[i].Reports) > 1 {
			keys[i] = corrKeyOf(incs[i].Reports)
			if c, ok := s.corr.get(keys[i]); ok {
				outs[i].Corroboration = c
				continue
			}
			multi = append(multi, incs[i].ID)
		}
	}
	if len(multi) == 0 {
		return nil
	}
	reps := map[truce.ReportID]*truce.Report{}
	if err := s.store.Reports(ctx, truce.ReportFilter{Incidents: multi}, func(r *truce.Report) error {
		reps[r.ID] = r
		return nil
	}); err != nil {
		return err
	}
	for i := range incs {
		if len(incs[i].Reports) < 2 {
			continue
		}
		rs := make([]*truce.Report, 0, len(incs[i].Reports))
		for _, id := range incs[i].Reports {
			if r := reps[id]; r != nil {
				rs = append(rs, r)
			}
		}
		if len(rs) != len(incs[i].Reports) {
			continue // merged or split meanwhile: 1 until the next read
		}
		outs[i].Corroboration = adjudicate.Corroboration(rs)
		s.corr.put(keys[i], outs[i].Corroboration)
	}
	return nil
}

// corrKey names a set of reports: reports never change, so the
// corroboration of the same report ids is the same.
type corrKey [16]byte

func corrKeyOf(ids []truce.ReportID) corrKey {
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	var k corrKey
	copy(k[:], h.Sum(nil))
	return k
}

// corroborations is a bounded cache of corroboration by report set,
// emptied when full.
type corroborations struct {
	mu sync.Mutex
	m  map[corrKey]int
}

const maxCorroborations = 200_000

func (c *corroborations) get(k corrKey) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *corroborations) put(k corrKey, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCorroborations {
		c.m = map[corrKey]int{}
	}
	c.m[k] = v
}

// reportsIn returns the reports of an incident with their judgements under
// the latest agreement, in the incident's order, in two queries however
// many reports it holds, their explanations in lang; the reports
// themselves; and the stored (English) explanations it rendered in lang.
func (s *Server) reportsIn(ctx context.Context, inc *truce.IncidentSummary, lang string) ([]ReportOut, []*truce.Report, map[string]string, error) {
	f := truce.ReportFilter{Incidents: []truce.IncidentID{inc.ID}}
	reps := map[truce.ReportID]*truce.Report{}
	jds := map[truce.ReportID]*truce.Judgement{}
	said := map[string]string{}
	judge, v, err := s.judges.current(ctx)
	if err != nil {
		return nil, nil, nil, err
	} else if v != nil {
		// The judged reports come with their judgements: the reports are
		// read on their own only when one is not judged.
		err := s.store.Judgements(ctx, v.ID, v.Version, f, func(r *truce.Report, jd *truce.Judgement) error {
			reps[r.ID], jds[r.ID] = r, jd
			return nil
		})
		if err != nil {
			return nil, nil, nil, err
		}
	}
	if slices.ContainsFunc(inc.Reports, func(id truce.ReportID) bool { return reps[id] == nil }) {
		err := s.store.Reports(ctx, f, func(r *truce.Report) error {
			if reps[r.ID] == nil {
				reps[r.ID] = r
			}
			return nil
		})
		if err != nil {
			return nil, nil, nil, err
		}
	}
	out := make([]ReportOut, 0, len(inc.Reports))
	rs := make([]*truce.Report, 0, len(inc.Reports))
	for _, id := range inc.Reports {
		r := reps[id]
		if r == nil {
			// Merged or split since the incident was read: read it alone.
			ro, err := s.reportIn(ctx, inc.ID, id, lang)
			if err != nil {
				return nil, nil, nil, err
			}
			out = append(out, *ro)
			continue
		}
		out = append(out, reportOut(r, inc.ID, explainIn(judge, r, jds[id], lang, said)))
		rs = append(rs, r)
	}
	return out, rs, said, nil
}

// reportIn returns a report of incident inc with its current judgement;
// the caller has checked that the incident may be seen.
func (s *Server) reportIn(ctx context.Context, inc truce.IncidentID, id truce.ReportID, lang string) (*ReportOut, error) {
	r, err := s.store.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	var jd *truce.Judgement
	judge, v, err := s.judges.current(ctx)
	if err != nil {
		return nil, err
	} else if v != nil {
		jd, err = s.store.Judgement(ctx, v.ID, v.Version, id)
		if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
			return nil, err
		}
	}
	out := reportOut(r, inc, explainIn(judge, r, jd, lang, nil))
	return &out, nil
}

// explainIn returns jd with its explanations in lang, rendered by the
// current judge from the same findings (adjudicate.Judge.Explain); the
// stored judgement is never changed. said, if not nil, gets each stored
// explanation that was rendered, with its rendering.
func explainIn(j *adjudicate.Judge, r *truce.Report, jd *truce.Judgement, lang string, said map[string]string) *truce.Judgement {
	if jd == nil || j == nil || lang == "en" {
		return jd
	}
	x := j.Explain(r, jd, lang)
	if said != nil {
		said[jd.Explanation] = x.Explanation
	}
	return &x
}
