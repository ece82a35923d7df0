package httpapi

import (
	"bytes"
	"context"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/importer"
	"truce/internal/report"
)

// fieldJudge returns the judge of the current agreement, nil before any
// is uploaded.
func (s *Server) fieldJudge(ctx context.Context) (*adjudicate.Judge, error) {
	j, _, err := s.judges.current(ctx)
	return j, err
}

// judgedObservation is o as the API shows it, judged by j (if any).
func judgedObservation(j *adjudicate.Judge, o *truce.Observation) ObservationOut {
	out := observationOut(o)
	if j != nil {
		out.FieldVerdict = verdictOf(j.JudgeObservation(o))
	}
	return out
}

// judgedRestriction is r as the API shows it, judged by j (if any).
func judgedRestriction(j *adjudicate.Judge, r *truce.AccessRestriction) RestrictionOut {
	out := restrictionOut(r)
	if j != nil {
		out.FieldVerdict = verdictOf(j.JudgeRestriction(r))
	}
	return out
}

// createObservation serves create-observation: a monitor records what the
// mission saw or heard. The id is the submission's idempotency key: the
// same observation sent again is stored once, a different one under the
// same id is 409.
func (s *Server) createObservation(ctx context.Context, p truce.Principal, in *createObservationIn) (*createObservationOut, error) {
	if in.Body.ID == "" {
		in.Body.ID = newID("obs-")
	}
	if err := s.checkParty(ctx, "body.party", in.Body.Party); err != nil {
		return nil, err
	}
	o, err := parseObservationIn(&in.Body)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.PutObservations(ctx, p, []*truce.Observation{o}); err != nil {
		return nil, err
	}
	stored, err := s.store.Observation(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	return &createObservationOut{Location: "/api/v1/observations/" + string(o.ID), Body: judgedObservation(j, stored)}, nil
}

// createRestriction serves create-restriction: a monitor records a
// restriction of the mission's access.
func (s *Server) createRestriction(ctx context.Context, p truce.Principal, in *createRestrictionIn) (*createRestrictionOut, error) {
	if in.Body.ID == "" {
		in.Body.ID = newID("fom-")
	}
	if err := s.checkParty(ctx, "body.party", in.Body.Party); err != nil {
		return nil, err
	}
	r, err := parseRestrictionIn(&in.Body)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.PutRestrictions(ctx, p, []*truce.AccessRestriction{r}); err != nil {
		return nil, err
	}
	stored, err := s.store.Restriction(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	return &createRestrictionOut{Location: "/api/v1/restrictions/" + string(r.ID), Body: judgedRestriction(j, stored)}, nil
}

// uploadField serves upload-field: a file of observations or restrictions
// in the field format, as 'truce import --observations/--restrictions'
// reads it.
func (s *Server) uploadField(ctx context.Context, p truce.Principal, in *fieldBulkIn) (*fieldBulkOut, error) {
	name := in.Name
	if name == "" {
		name = uploadName(in.RawBody)
	}
	res := FieldBulkResult{Errors: []string{}}
	bad := func(re importer.RowError) {
		if len(res.Errors) < 100 {
			res.Errors = append(res.Errors, re.Error())
		}
	}
	opt := importer.FieldOptions{File: name, Strict: in.Strict, Published: in.Published}
	var (
		st  importer.Stats
		err error
		put func() (int, error)
	)
	if in.Kind == "restrictions" {
		var rs []*truce.AccessRestriction
		st, err = importer.ReadRestrictions(bytes.NewReader(in.RawBody), opt, func(r *truce.AccessRestriction) error { rs = append(rs, r); return nil }, bad)
		put = func() (int, error) { return s.store.PutRestrictions(ctx, p, rs) }
	} else {
		var obs []*truce.Observation
		st, err = importer.ReadObservations(bytes.NewReader(in.RawBody), opt, func(o *truce.Observation) error { obs = append(obs, o); return nil }, bad)
		put = func() (int, error) { return s.store.PutObservations(ctx, p, obs) }
	}
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "%s", importErr(err))
	}
	if res.Added, err = put(); err != nil {
		return nil, err
	}
	res.Read, res.Accepted, res.Rejected = st.Read, st.Accepted, st.Rejected
	return &fieldBulkOut{Body: res}, nil
}

// fieldFilter turns the list query into a store filter for p.
func fieldFilter(p *truce.Principal, in *fieldListIn) (truce.FieldFilter, error) {
	f := truce.FieldFilter{Party: truce.PartyID(in.Party), Visible: p}
	for _, b := range []struct {
		loc, v string
		to     **time.Time
	}{{"query.from", in.From, &f.Since}, {"query.to", in.To, &f.Until}} {
		if b.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, b.v)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, b.v); err != nil {
				return f, fieldError(b.loc, "want RFC 3339 or YYYY-MM-DD", b.v)
			}
		}
		*b.to = &t
	}
	return f, nil
}

// listObservations serves list-observations: the observations the caller
// may read, in (start, id) order.
func (s *Server) listObservations(ctx context.Context, p truce.Principal, in *fieldListIn) (*observationsOut, error) {
	f, err := fieldFilter(&p, in)
	if err != nil {
		return nil, err
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	out := &observationsOut{Body: []ObservationOut{}}
	err = s.store.Observations(ctx, f, func(o *truce.Observation) error {
		out.Body = append(out.Body, judgedObservation(j, o))
		return nil
	})
	return out, err
}

// listRestrictions serves list-restrictions: the restrictions the caller
// may read, in (start, id) order.
func (s *Server) listRestrictions(ctx context.Context, p truce.Principal, in *fieldListIn) (*restrictionsOut, error) {
	f, err := fieldFilter(&p, in)
	if err != nil {
		return nil, err
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	out := &restrictionsOut{Body: []RestrictionOut{}}
	err = s.store.Restrictions(ctx, f, func(r *truce.AccessRestriction) error {
		out.Body = append(out.Body, judgedRestriction(j, r))
		return nil
	})
	return out, err
}

// getObservation serves get-observation; one the caller may not read is
// not found, so that its existence does not leak.
func (s *Server) getObservation(ctx context.Context, p truce.Principal, in *fieldIDIn) (*observationBody, error) {
	o, err := s.store.Observation(ctx, truce.ObservationID(in.ID))
	if err != nil {
		return nil, err
	}
	if !truce.CanReadField(p, o.Party, o.Published) {
		return nil, truce.Errorf(truce.ENOTFOUND, "observation %s not found", in.ID)
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	return &observationBody{Body: judgedObservation(j, o)}, nil
}

// getRestriction serves get-restriction, as getObservation.
func (s *Server) getRestriction(ctx context.Context, p truce.Principal, in *fieldIDIn) (*restrictionBody, error) {
	r, err := s.store.Restriction(ctx, truce.RestrictionID(in.ID))
	if err != nil {
		return nil, err
	}
	if !truce.CanReadField(p, r.Party, r.Published) {
		return nil, truce.Errorf(truce.ENOTFOUND, "restriction %s not found", in.ID)
	}
	j, err := s.fieldJudge(ctx)
	if err != nil {
		return nil, err
	}
	return &restrictionBody{Body: judgedRestriction(j, r)}, nil
}

// publishObservation serves publish-observation.
func (s *Server) publishObservation(ctx context.Context, p truce.Principal, in *fieldIDIn) (*observationBody, error) {
	if err := s.store.PublishObservation(ctx, p, truce.ObservationID(in.ID)); err != nil {
		return nil, err
	}
	return s.getObservation(ctx, p, in)
}

// publishRestriction serves publish-restriction.
func (s *Server) publishRestriction(ctx context.Context, p truce.Principal, in *fieldIDIn) (*restrictionBody, error) {
	if err := s.store.PublishRestriction(ctx, p, truce.RestrictionID(in.ID)); err != nil {
		return nil, err
	}
	return s.getRestriction(ctx, p, in)
}

type (
	dailyIn struct {
		Date   string `query:"date" required:"true" maxLength:"10" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" doc:"the day, in the agreement's time zone"`
		Format string `query:"format" enum:"json,html,pdf" default:"json"`
	}
	dailyOut struct {
		ContentType string `header:"Content-Type"`
		Disposition string `header:"Content-Disposition"`
		CSP         string `header:"Content-Security-Policy"`
		Body        []byte
	}
)

// getDaily serves get-daily: the daily report of the records the caller
// may read, as 'truce daily' prints it.
func (s *Server) getDaily(ctx context.Context, p truce.Principal, in *dailyIn) (*dailyOut, error) {
	v, a, err := s.currentAgreement(ctx)
	if err != nil {
		return nil, err
	}
	d, err := report.GatherDaily(ctx, s.store, a, v, in.Date, &p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	switch in.Format {
	case "pdf":
		if err := report.WriteDailyPDF(&buf, d); err != nil {
			return nil, err
		}
		return &dailyOut{ContentType: "application/pdf", Disposition: `attachment; filename="truce-daily-` + in.Date + `.pdf"`, Body: buf.Bytes()}, nil
	case "html":
		if err := report.WriteDailyHTML(&buf, d); err != nil {
			return nil, err
		}
		return &dailyOut{ContentType: "text/html; charset=utf-8", CSP: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'", Body: buf.Bytes()}, nil
	}
	if err := report.WriteDailyJSON(&buf, d); err != nil {
		return nil, err
	}
	return &dailyOut{ContentType: "application/json", Body: buf.Bytes()}, nil
}

// dailyAnswers are the media types of get-daily.
func (s *Server) dailyAnswers() func(*huma.Operation) {
	return answers(map[string]*huma.Schema{
		"application/json":         s.reportSchema(reflect.TypeFor[report.Daily]()),
		"text/html; charset=utf-8": text("the daily report, a self-contained HTML page"),
		"application/pdf":          binary("application/pdf"),
	})
}
