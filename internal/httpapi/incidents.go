package httpapi

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"truce"
	"truce/internal/geo"
)

// ListParams are the filters shared by the incident listing and exports.
type ListParams struct {
	Phase   string `query:"phase" maxLength:"128" doc:"phase id: incidents with a finding other than not_prohibited in it"`
	Party   string `query:"party" maxLength:"64" doc:"perpetrator named by a judgement"`
	Outcome string `query:"outcome" enum:"violation,disputed,undetermined,not_prohibited,"`
	Status  string `query:"status" enum:"reported,under_review,verified,unverifiable,dismissed,"`
	From    string `query:"from" maxLength:"40" doc:"first day (YYYY-MM-DD, UTC) or instant (RFC 3339)"`
	To      string `query:"to" maxLength:"40" doc:"last day (YYYY-MM-DD, included) or instant (RFC 3339, excluded)"`
	BBox    string `query:"bbox" maxLength:"100" doc:"minLon,minLat,maxLon,maxLat (edges included)"`
}

func parseWhen(field, s string, end bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		if t.Year() < 1900 || t.Year() > 2200 {
			return nil, fieldError("query."+field, "year out of range 1900-2200", s)
		}
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fieldError("query."+field, "want YYYY-MM-DD or an RFC 3339 instant", s)
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		return nil, fieldError("query."+field, "year out of range 1900-2200", s)
	}
	return &t, nil
}

func (lp *ListParams) filter(p truce.Principal) (truce.IncidentFilter, error) {
	f := truce.IncidentFilter{Visibility: p, Phase: truce.PhaseID(lp.Phase), Party: truce.PartyID(lp.Party), Status: truce.Status(lp.Status)}
	if lp.Outcome != "" {
		f.Outcome, _ = truce.ParseOutcome(lp.Outcome)
	}
	var err error
	if f.Since, err = parseWhen("from", lp.From, false); err != nil {
		return f, err
	}
	if f.Until, err = parseWhen("to", lp.To, true); err != nil {
		return f, err
	}
	if f.Since != nil && f.Until != nil && !f.Until.After(*f.Since) {
		return f, fieldError("query.to", "must be after from", lp.To)
	}
	if lp.BBox != "" {
		parts := strings.Split(lp.BBox, ",")
		var v [4]float64
		if len(parts) != 4 {
			return f, fieldError("query.bbox", "want four numbers: minLon,minLat,maxLon,maxLat", lp.BBox)
		}
		for i, s := range parts {
			if v[i], err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
				return f, fieldError("query.bbox", fmt.Sprintf("%q is not a number", s), lp.BBox)
			}
		}
		b := geo.BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
		if b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 || b.MinLon > b.MaxLon || b.MinLat > b.MaxLat {
			return f, fieldError("query.bbox", "out of range: longitudes in -180..180, latitudes in -90..90, min before max", lp.BBox)
		}
		f.Within = &b
	}
	return f, nil
}

// IncidentPage is a page of incidents.
type IncidentPage struct {
	Incidents []IncidentOut `json:"incidents"`
	Next      string        `json:"next,omitempty" doc:"cursor of the next page; absent on the last page"`
}

// loadIncident returns an incident, without its report ids, if p may
// perform op on it.
func (s *Server) loadIncident(ctx context.Context, p truce.Principal, id string, op Op) (*truce.IncidentSummary, error) {
	in, err := s.store.IncidentHead(ctx, truce.IncidentID(id))
	if err != nil {
		return nil, err
	}
	if err := authorizeIncident(p, op, in); err != nil {
		return nil, err
	}
	return in, nil
}

// The inputs and outputs of the incident operations. The names of
// statusIn, noteIn, respondIn, evidenceIn, evidenceResult and mergeIn name
// their bodies' schemas in the OpenAPI document (StatusInBody…).
type (
	listIncidentsIn struct {
		ListParams
		Cursor string `query:"cursor" maxLength:"400"`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	}
	incidentPageOut struct{ Body IncidentPage }
	idIn            struct {
		ID string `path:"id" maxLength:"300"`
	}
	// readIn reads one thing, with its explanations in a language.
	readIn struct {
		ID string `path:"id" maxLength:"300"`
		LangParams
	}
	incidentDetailOut struct {
		ContentLanguage string `header:"Content-Language" doc:"the language of the explanations"`
		Vary            string `header:"Vary"`
		Body            IncidentDetail
	}
	eventBody struct{ Body EventOut }
	statusIn  struct {
		ID   string `path:"id" maxLength:"300"`
		Body struct {
			Status string `json:"status" enum:"under_review,verified,unverifiable,dismissed"`
			Reason string `json:"reason" minLength:"1" maxLength:"5000" doc:"why: kept in the history and the log"`
		}
	}
	noteIn struct {
		ID   string `path:"id" maxLength:"300"`
		Body struct {
			Text string `json:"text" minLength:"1" maxLength:"20000"`
		}
	}
	respondIn struct {
		ID   string `path:"id" maxLength:"300"`
		Body struct {
			Kind string `json:"kind" enum:"denial,counter_claim"`
			Text string `json:"text" minLength:"1" maxLength:"20000"`
		}
	}
	evidenceIn struct {
		ID   string `path:"id" maxLength:"300"`
		Body struct {
			MediaType   string `json:"media_type" minLength:"3" maxLength:"100" pattern:"^[a-z]+/[a-zA-Z0-9.+_-]+$"`
			Description string `json:"description,omitempty" maxLength:"5000"`
			Content     string `json:"content" minLength:"1" maxLength:"22369624" doc:"the file, base64 (standard encoding); at most 16 MiB"`
		}
	}
	evidenceResult struct {
		Body struct {
			Event    EventOut    `json:"event"`
			Evidence EvidenceOut `json:"evidence"`
		}
	}
	evidenceContentIn struct {
		ID       string `path:"id" maxLength:"300"`
		Evidence string `path:"evidence" maxLength:"80"`
	}
	evidenceContentOut struct {
		ContentType string `header:"Content-Type"`
		Disposition string `header:"Content-Disposition"`
		NoSniff     string `header:"X-Content-Type-Options"`
		CSP         string `header:"Content-Security-Policy"`
		Body        []byte
	}
	mergeIn struct {
		ID   string `path:"id" maxLength:"300"`
		Body struct {
			Source string `json:"source" minLength:"1" maxLength:"300" doc:"the incident whose reports move into this one"`
			Reason string `json:"reason" minLength:"1" maxLength:"2000"`
		}
	}
)

// The texts of add-evidence and get-evidence.
const (
	addEvidenceSummary = "Attach evidence (a file, kept with its SHA-256 and media type); evidence from a monitor or admin reopens a reviewed incident, a party's is attached without moving its status"
	addEvidenceDoc     = "A party token may store a limited number of bytes of evidence a day (default 256 MiB); beyond it the answer is 429 with Retry-After (413 for one file larger than the whole quota)."
	getEvidenceDoc     = "Always a download (`Content-Disposition: attachment`, `nosniff`). Its `Content-Type` is the uploaded media type only for " + safeTypesText + "; anything else is served as `application/octet-stream`."
)

// listIncidents serves list-incidents.
func (s *Server) listIncidents(ctx context.Context, p truce.Principal, in *listIncidentsIn) (*incidentPageOut, error) {
	f, err := in.filter(p)
	if err != nil {
		return nil, err
	}
	f.After, f.Limit = in.Cursor, in.Limit
	incs, next, err := s.store.Incidents(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &incidentPageOut{Body: IncidentPage{Incidents: make([]IncidentOut, 0, len(incs)), Next: next}}
	for i := range incs {
		out.Body.Incidents = append(out.Body.Incidents, incidentOut(&incs[i]))
	}
	if err := s.corroborate(ctx, incs, out.Body.Incidents); err != nil {
		return nil, err
	}
	return out, nil
}

// getIncident serves get-incident.
func (s *Server) getIncident(ctx context.Context, p truce.Principal, in *readIn) (*incidentDetailOut, error) {
	lang := in.lang()
	d, err := s.incidentPage(ctx, p, in.ID, lang)
	if err != nil {
		return nil, err
	}
	return &incidentDetailOut{ContentLanguage: lang, Vary: "Accept-Language", Body: *d}, nil
}

// mergedInto returns the incident that an incident with history evs was
// merged into, or "" if it was not, or was revived since by a split (a
// report split from its target).
func mergedInto(evs []truce.Event) truce.IncidentID {
	var into truce.IncidentID
	for i := range evs {
		switch evs[i].Kind {
		case truce.EventMergedInto:
			into = evs[i].Other
		case truce.EventSplitFrom:
			into = ""
		}
	}
	return into
}

// changeStatus serves change-status.
func (s *Server) changeStatus(ctx context.Context, p truce.Principal, in *statusIn) (*eventBody, error) {
	if _, err := s.loadIncident(ctx, p, in.ID, OpReview); err != nil {
		return nil, err
	}
	e, err := s.store.ChangeStatus(ctx, p, truce.IncidentID(in.ID), truce.Status(in.Body.Status), in.Body.Reason)
	if err != nil {
		return nil, err
	}
	if err := s.rejudge(ctx, p, truce.IncidentID(in.ID)); err != nil {
		return nil, err
	}
	return &eventBody{Body: eventOut(e)}, nil
}

// addNote serves add-note.
func (s *Server) addNote(ctx context.Context, p truce.Principal, in *noteIn) (*eventBody, error) {
	if _, err := s.loadIncident(ctx, p, in.ID, OpNote); err != nil {
		return nil, err
	}
	e, err := s.store.AddNote(ctx, p, truce.IncidentID(in.ID), in.Body.Text)
	if err != nil {
		return nil, err
	}
	return &eventBody{Body: eventOut(e)}, nil
}

// respond serves respond: a party's answer to an incident accusing it.
func (s *Server) respond(ctx context.Context, p truce.Principal, in *respondIn) (*eventBody, error) {
	if _, err := s.loadIncident(ctx, p, in.ID, OpRespond); err != nil {
		return nil, err
	}
	e, err := s.store.Respond(ctx, p, truce.IncidentID(in.ID), truce.ResponseKind(in.Body.Kind), in.Body.Text)
	if err != nil {
		return nil, err
	}
	return &eventBody{Body: eventOut(e)}, nil
}

// addEvidence serves add-evidence, within a party token's daily quota.
func (s *Server) addEvidence(ctx context.Context, p truce.Principal, in *evidenceIn) (*evidenceResult, error) {
	inc, err := s.loadIncident(ctx, p, in.ID, OpAddEvidence)
	if err != nil {
		return nil, err
	}
	content, err := base64.StdEncoding.DecodeString(in.Body.Content)
	if err != nil {
		return nil, fieldError("body.content", "not valid base64", nil)
	}
	release, err := s.reserveEvidence(p, int64(len(content)))
	if err != nil {
		return nil, err
	}
	ev := &truce.Evidence{MediaType: in.Body.MediaType, Description: in.Body.Description}
	e, err := s.store.AddEvidence(ctx, p, truce.IncidentID(in.ID), ev, content)
	if err != nil {
		release()
		return nil, err
	}
	// A reviewer's evidence reopens a reviewed incident: a release resting
	// on it as a verified breach no longer holds.
	if truce.EvidenceReopens(inc.Status, p) {
		if err := s.rejudge(ctx, p, inc.ID); err != nil {
			return nil, err
		}
	}
	out := &evidenceResult{}
	out.Body.Event, out.Body.Evidence = eventOut(e), evidenceOut(ev)
	return out, nil
}

// getEvidence serves get-evidence.
func (s *Server) getEvidence(ctx context.Context, p truce.Principal, in *evidenceContentIn) (*evidenceContentOut, error) {
	if _, err := s.loadIncident(ctx, p, in.ID, OpRead); err != nil {
		return nil, err
	}
	b, mt, err := s.store.EvidenceContent(ctx, truce.IncidentID(in.ID), in.Evidence)
	if err != nil {
		return nil, err
	}
	// The uploader chose the media type: served as a download, in a type
	// no browser runs, never rendered in the site's origin.
	ct, ext := downloadType(mt)
	return &evidenceContentOut{ContentType: ct, Disposition: `attachment; filename="evidence` + ext + `"`, NoSniff: "nosniff",
		CSP: "default-src 'none'; sandbox", Body: b}, nil
}

// publishIncident serves publish-incident.
func (s *Server) publishIncident(ctx context.Context, p truce.Principal, in *idIn) (*eventBody, error) {
	if _, err := s.loadIncident(ctx, p, in.ID, OpReview); err != nil {
		return nil, err
	}
	e, err := s.store.Publish(ctx, p, truce.IncidentID(in.ID))
	if err != nil {
		return nil, err
	}
	return &eventBody{Body: eventOut(e)}, nil
}

// mergeIncidents serves merge-incidents: the body's source incident is
// merged into the path's.
func (s *Server) mergeIncidents(ctx context.Context, p truce.Principal, in *mergeIn) (*eventBody, error) {
	if _, err := s.loadIncident(ctx, p, in.ID, OpMergeSplit); err != nil {
		return nil, err
	}
	if _, err := s.loadIncident(ctx, p, in.Body.Source, OpMergeSplit); err != nil {
		return nil, err
	}
	e, err := s.store.Merge(ctx, p, truce.IncidentID(in.ID), truce.IncidentID(in.Body.Source), in.Body.Reason)
	if err != nil {
		return nil, err
	}
	return &eventBody{Body: eventOut(e)}, nil
}

// safeTypes are the uploaded media types an evidence download keeps, with
// the file name extension they get; none is run by a browser.
var safeTypes = map[string]struct{ ct, ext string }{
	"image/png":       {"image/png", ".png"},
	"image/jpeg":      {"image/jpeg", ".jpg"},
	"application/pdf": {"application/pdf", ".pdf"},
	"text/plain":      {"text/plain; charset=utf-8", ".txt"},
}

const safeTypesText = "image/png, image/jpeg, application/pdf and text/plain (as UTF-8)"

// downloadType is the Content-Type and file extension an evidence item is
// served with: its own if it is a safe type, else application/octet-stream.
func downloadType(mediaType string) (ct, ext string) {
	if t, ok := safeTypes[strings.ToLower(strings.TrimSpace(mediaType))]; ok {
		return t.ct, t.ext
	}
	return "application/octet-stream", ".bin"
}

// reserveEvidence takes n bytes of a party token's daily evidence quota
// (monitors and admins have none) and returns the function that gives
// them back if the item is not stored: 429 with Retry-After beyond the
// quota, 413 for an item larger than the whole quota.
func (s *Server) reserveEvidence(p truce.Principal, n int64) (release func(), err error) {
	if p.Role != truce.RoleParty || s.evidence.limit <= 0 {
		return func() {}, nil
	}
	now := s.now()
	if n > s.evidence.limit {
		return nil, huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is %d bytes, more than a party token's evidence quota of %d bytes a day", n, s.evidence.limit))
	}
	ok, used, wait := s.evidence.reserve(p.TokenID, n, now)
	if !ok {
		return nil, retryAfter(wait, fmt.Sprintf("evidence quota reached: this token has stored %d of its %d bytes for today (UTC) and the file is %d bytes", used, s.evidence.limit, n))
	}
	return func() { s.evidence.release(p.TokenID, n, now) }, nil
}
