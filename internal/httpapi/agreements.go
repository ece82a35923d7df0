package httpapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/i18n"
	"truce/internal/importer"
)

// AgreementOut describes the current agreement version.
type AgreementOut struct {
	ID          string            `json:"id"`
	Version     int               `json:"version"`
	SHA256      string            `json:"sha256"`
	CreatedAt   time.Time         `json:"created_at"`
	LogIndex    int64             `json:"log_index"`
	Title       string            `json:"title"`
	Titles      map[string]string `json:"titles,omitempty" doc:"the title in other languages than English, by language code (uk, ru)"`
	TextVersion string            `json:"text_version,omitempty"`
	Timezone    string            `json:"timezone"`
	Parties     []PartyOut        `json:"parties"`
	Zones       []ZoneOut         `json:"zones"`
	Categories  []CategoryOut     `json:"categories"`
	Phases      []PhaseOut        `json:"phases"`
	Obligations []ObligationOut   `json:"obligations"`
	Positions   []PositionOut     `json:"positions"`
	Witnesses   *WitnessesOut     `json:"witnesses,omitempty"`
}

// WitnessesOut is the agreement's witness policy: the witnesses that
// must cosign a checkpoint, Threshold of them, before it is final.
type WitnessesOut struct {
	Threshold int          `json:"threshold"`
	List      []WitnessOut `json:"list"`
}

// WitnessOut is one witness of the log.
type WitnessOut struct {
	Name  string `json:"name"`
	Party string `json:"party,omitempty"`
	Key   string `json:"key" doc:"its C2SP tlog-cosignature/v1 verifier key"`
	URL   string `json:"url"`
}

// PartyOut is a party.
type PartyOut struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Names    map[string]string `json:"names,omitempty" doc:"the name in other languages than English, by language code (uk, ru)"`
	Mediator bool              `json:"mediator"`
}

// ZoneOut is a zone's name (the dashboard serves its simplified geometry
// at /map/zones.geojson).
type ZoneOut struct {
	ID    string            `json:"id"`
	Name  string            `json:"name"`
	Names map[string]string `json:"names,omitempty" doc:"the name in other languages than English, by language code (uk, ru)"`
}

// CategoryOut is a node of the target taxonomy.
type CategoryOut struct {
	ID    string            `json:"id"`
	Name  string            `json:"name"`
	Names map[string]string `json:"names,omitempty" doc:"the name in other languages than English, by language code (uk, ru)"`
}

// PhaseOut is a phase with its schedule per reading.
type PhaseOut struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Names        map[string]string `json:"names,omitempty" doc:"the name in other languages than English, by language code (uk, ru)"`
	Description  string            `json:"description,omitempty"`
	Descriptions map[string]string `json:"descriptions,omitempty" doc:"the description in other languages than English, by language code (uk, ru)"`
	StartRule    string            `json:"start_rule"`
	Windows      []WindowOut       `json:"windows"`
	Commitments  []CommitmentOut   `json:"commitments"`
}

// WindowOut is when a phase is in force under one reading.
type WindowOut struct {
	Parties []string   `json:"parties"`
	InForce bool       `json:"in_force"`
	Start   *time.Time `json:"start,omitempty"`
	End     *time.Time `json:"end,omitempty"`
	Why     string     `json:"why"`
	// Whys are Why in the other languages, by language code.
	Whys   map[string]string `json:"whys,omitempty" doc:"why in other languages than English, by language code (uk, ru)"`
	Note   string            `json:"note,omitempty"`
	Source string            `json:"source,omitempty"`
}

// CommitmentOut is a commitment.
type CommitmentOut struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Bound       []string `json:"bound"`
	Prohibits   []string `json:"prohibits"`
	Targets     []string `json:"targets"`
	Zones       []string `json:"zones"`
}

// ObligationOut is an obligation and its status.
type ObligationOut struct {
	ID          string    `json:"id"`
	Description string    `json:"description"`
	Due         time.Time `json:"due"`
	Status      string    `json:"status"`
	Items       []ItemOut `json:"items"`
	Source      string    `json:"source,omitempty"`
}

// ItemOut is one party's part of an obligation.
type ItemOut struct {
	Party     string `json:"party"`
	What      string `json:"what"`
	Count     int    `json:"count"`
	Delivered int    `json:"delivered"`
}

// PositionOut is a party's stance on a phase at a date.
type PositionOut struct {
	Party      string    `json:"party"`
	Phase      string    `json:"phase"`
	Date       time.Time `json:"date"`
	Stance     string    `json:"stance"`
	Conditions []string  `json:"conditions,omitempty"`
	Source     string    `json:"source,omitempty"`
	Note       string    `json:"note,omitempty"`
}

func agreementOut(v *truce.AgreementVersion, a *truce.Agreement) *AgreementOut {
	o := &AgreementOut{ID: string(v.ID), Version: v.Version, SHA256: v.SHA256, CreatedAt: v.CreatedAt, LogIndex: v.LogIndex,
		Title: a.Title, Titles: a.Titles, TextVersion: a.Version, Timezone: a.Timezone.String(),
		Parties: []PartyOut{}, Zones: []ZoneOut{}, Phases: []PhaseOut{}, Obligations: []ObligationOut{}, Positions: []PositionOut{}}
	for _, p := range a.Parties {
		o.Parties = append(o.Parties, PartyOut{ID: string(p.ID), Name: p.Name, Names: p.Names, Mediator: p.Mediator})
	}
	if w := a.Witnesses; w != nil {
		o.Witnesses = &WitnessesOut{Threshold: w.Threshold, List: []WitnessOut{}}
		for _, x := range w.Witnesses {
			o.Witnesses.List = append(o.Witnesses.List, WitnessOut{Name: x.Name, Party: string(x.Party), Key: x.Key, URL: x.URL})
		}
	}
	for _, z := range a.Zones {
		o.Zones = append(o.Zones, ZoneOut{ID: string(z.ID), Name: z.Name, Names: z.Names})
	}
	o.Categories = []CategoryOut{}
	for _, c := range a.Categories {
		o.Categories = append(o.Categories, CategoryOut{ID: string(c.ID), Name: c.Name, Names: c.Names})
	}
	for _, ps := range adjudicate.Schedule(a) {
		ph := PhaseOut{ID: string(ps.Phase.ID), Name: ps.Phase.Name, Names: ps.Phase.Names, Description: ps.Phase.Description,
			Descriptions: ps.Phase.Descriptions,
			StartRule:    ps.Phase.Start.Kind.String(), Windows: []WindowOut{}, Commitments: []CommitmentOut{}}
		for _, w := range ps.Windows {
			wo := WindowOut{Parties: strs(w.Parties), InForce: w.InForce, Why: w.Why, Note: w.Note, Source: w.Source, Whys: map[string]string{}}
			for _, lang := range i18n.Langs[1:] {
				wo.Whys[lang] = w.WhyIn(a, lang)
			}
			if w.InForce {
				st := w.Start
				wo.Start = &st
				if !w.End.IsZero() {
					en := w.End
					wo.End = &en
				}
			}
			ph.Windows = append(ph.Windows, wo)
		}
		for _, c := range ps.Phase.Commitments {
			ph.Commitments = append(ph.Commitments, CommitmentOut{ID: string(c.ID), Description: c.Description,
				Bound: strs(c.Bound), Prohibits: strs(c.Actions), Targets: strs(c.Categories), Zones: strs(c.Zones)})
		}
		o.Phases = append(o.Phases, ph)
	}
	for _, ob := range a.Obligations {
		oo := ObligationOut{ID: string(ob.ID), Description: ob.Description, Due: ob.Due, Status: string(ob.Status), Source: ob.Source, Items: []ItemOut{}}
		for _, it := range ob.Items {
			oo.Items = append(oo.Items, ItemOut{Party: string(it.Party), What: it.What, Count: it.Count, Delivered: it.Delivered})
		}
		o.Obligations = append(o.Obligations, oo)
	}
	for _, p := range a.Positions {
		o.Positions = append(o.Positions, PositionOut{Party: string(p.Party), Phase: string(p.Phase), Date: p.At, Stance: string(p.Stance),
			Conditions: p.Conditions, Source: p.Source, Note: p.Note})
	}
	return o
}

// currentAgreement returns the latest stored agreement, parsed.
func (s *Server) currentAgreement(ctx context.Context) (*truce.AgreementVersion, *truce.Agreement, error) {
	j, v, err := s.judges.current(ctx)
	if err != nil {
		return nil, nil, err
	}
	if j == nil {
		return nil, nil, truce.Errorf(truce.ENOTFOUND, "no agreement has been uploaded yet")
	}
	return v, j.Agreement(), nil
}

// UploadResult reports an agreement upload.
type UploadResult struct {
	ID      string         `json:"id"`
	Version int            `json:"version"`
	Created bool           `json:"created" doc:"false when the same bundle was already the latest version"`
	SHA256  string         `json:"sha256"`
	Judged  map[string]int `json:"judged" doc:"reports per outcome after re-adjudication"`
	Changed int            `json:"changed" doc:"judgements that are new or changed, each appended to the log"`
}

// SitesResult reports a site upload.
type SitesResult struct {
	Read     int      `json:"read"`
	Accepted int      `json:"accepted"`
	Rejected int      `json:"rejected"`
	Added    int      `json:"added"`
	Errors   []string `json:"errors"`
}

// SiteOut is a protected site.
type SiteOut struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Country    string  `json:"country,omitempty"`
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	Category   string  `json:"category,omitempty" doc:"under the current agreement's site rules"`
	CapacityMW float64 `json:"capacity_mw,omitempty"`
}

// The inputs and outputs of the agreement and site operations.
type (
	agreementBody  struct{ Body *AgreementOut }
	obligationsOut struct{ Body []ObligationOut }
	positionsOut   struct{ Body []PositionOut }
	versionsOut    struct{ Body []agreementVersion }
	uploadOut      struct{ Body UploadResult }
	sitesOut       struct{ Body []SiteOut }
	sitesUploadOut struct{ Body SitesResult }
	agreementIDIn  struct {
		ID string `path:"id" maxLength:"128"`
	}
	positionsIn struct {
		Party string `query:"party" maxLength:"64"`
		Phase string `query:"phase" maxLength:"128"`
	}
	bundleIn struct {
		ID      string `path:"id" maxLength:"128"`
		Version int    `path:"version" minimum:"1"`
	}
	bundleOut struct {
		ContentType        string `header:"Content-Type"`
		ContentDisposition string `header:"Content-Disposition"`
		Body               []byte
	}
	uploadIn struct {
		ContentType string `header:"Content-Type"`
		RawBody     []byte `contentType:"application/zip"`
	}
	sitesIn struct {
		Format  string `query:"format" enum:"gppd,sites-csv,sites-geojson," doc:"default: detect from the header"`
		Strict  bool   `query:"strict" doc:"refuse the whole file at the first bad row"`
		RawBody []byte `contentType:"text/csv"`
	}
)

// agreementVersion is one stored version as listed. It is an alias of an
// unnamed struct so that the OpenAPI document describes it inline, as it
// always has.
type agreementVersion = struct {
	Version   int       `json:"version"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	LogIndex  int64     `json:"log_index"`
}

// uploadAgreementDoc describes upload-agreement.
const uploadAgreementDoc = "The body is a bundle (application/zip: agreement.yaml plus the GeoJSON files it names, resolved only inside the archive) or a single agreement file (application/yaml) whose zones are inline. Problems are returned as FILE:LINE:COL messages. Every judgement that changes is appended to the log."

// getAgreement serves get-agreement.
func (s *Server) getAgreement(ctx context.Context, _ truce.Principal, _ *struct{}) (*agreementBody, error) {
	v, a, err := s.currentAgreement(ctx)
	if err != nil {
		return nil, err
	}
	return &agreementBody{Body: agreementOut(v, a)}, nil
}

// listObligations serves list-obligations.
func (s *Server) listObligations(ctx context.Context, _ truce.Principal, _ *struct{}) (*obligationsOut, error) {
	v, a, err := s.currentAgreement(ctx)
	if err != nil {
		return nil, err
	}
	return &obligationsOut{Body: agreementOut(v, a).Obligations}, nil
}

// listPositions serves list-positions.
func (s *Server) listPositions(ctx context.Context, _ truce.Principal, in *positionsIn) (*positionsOut, error) {
	v, a, err := s.currentAgreement(ctx)
	if err != nil {
		return nil, err
	}
	out := &positionsOut{Body: []PositionOut{}}
	for _, pos := range agreementOut(v, a).Positions {
		if (in.Party == "" || pos.Party == in.Party) && (in.Phase == "" || pos.Phase == in.Phase) {
			out.Body = append(out.Body, pos)
		}
	}
	return out, nil
}

// listAgreementVersions serves list-agreement-versions.
func (s *Server) listAgreementVersions(ctx context.Context, _ truce.Principal, in *agreementIDIn) (*versionsOut, error) {
	vs, err := s.store.AgreementVersions(ctx, truce.AgreementID(in.ID))
	if err != nil {
		return nil, err
	}
	out := &versionsOut{}
	for _, v := range vs {
		out.Body = append(out.Body, agreementVersion{Version: v.Version, SHA256: v.SHA256, CreatedAt: v.CreatedAt, LogIndex: v.LogIndex})
	}
	return out, nil
}

// getAgreementBundle serves get-agreement-bundle.
func (s *Server) getAgreementBundle(ctx context.Context, _ truce.Principal, in *bundleIn) (*bundleOut, error) {
	v, err := s.store.Agreement(ctx, truce.AgreementID(in.ID), in.Version)
	if err != nil {
		return nil, err
	}
	return &bundleOut{ContentType: "application/zip", ContentDisposition: fmt.Sprintf(`attachment; filename="%s-v%d.zip"`, v.ID, v.Version), Body: v.Bundle}, nil
}

// uploadAgreement serves upload-agreement: it stores the new version and
// re-judges every report under it.
func (s *Server) uploadAgreement(ctx context.Context, p truce.Principal, in *uploadIn) (*uploadOut, error) {
	bundle, a, err := bundleFromUpload(in.ContentType, in.RawBody)
	if err != nil {
		return nil, err
	}
	v, created, err := s.store.PutAgreement(ctx, p, a.ID, bundle)
	if err != nil {
		return nil, err
	}
	counts, changed, err := s.readjudicate(ctx, p)
	if err != nil {
		return nil, err
	}
	return &uploadOut{Body: UploadResult{ID: string(v.ID), Version: v.Version, Created: created, SHA256: v.SHA256, Judged: counts, Changed: changed}}, nil
}

// listSites serves list-sites.
func (s *Server) listSites(ctx context.Context, _ truce.Principal, _ *struct{}) (*sitesOut, error) {
	sites, err := s.store.Sites(ctx)
	if err != nil {
		return nil, err
	}
	j, _, err := s.judges.current(ctx)
	if err != nil {
		return nil, err
	}
	out := &sitesOut{Body: make([]SiteOut, 0, len(sites))}
	for i := range sites {
		st := &sites[i]
		so := SiteOut{ID: string(st.ID), Name: strings.TrimSpace(st.Name), Country: st.Country, Lon: st.Location.Lon, Lat: st.Location.Lat, CapacityMW: st.CapacityMW}
		if j != nil {
			so.Category = string(j.Agreement().SiteCategory(st))
		}
		out.Body = append(out.Body, so)
	}
	return out, nil
}

// uploadSites serves upload-sites: it stores the new sites and, if there
// are any, re-judges every report.
func (s *Server) uploadSites(ctx context.Context, p truce.Principal, in *sitesIn) (*sitesUploadOut, error) {
	var batch []*truce.Site
	res := SitesResult{Errors: []string{}}
	st, err := importer.ReadSites(strings.NewReader(string(in.RawBody)), importer.Options{Format: importer.Format(in.Format), File: "upload", Strict: in.Strict},
		func(site *truce.Site) error { batch = append(batch, site); return nil },
		func(re importer.RowError) {
			if len(res.Errors) < 100 {
				res.Errors = append(res.Errors, re.Error())
			}
		})
	if err != nil {
		return nil, truce.Errorf(truce.EINVALID, "%s", importErr(err))
	}
	res.Read, res.Accepted, res.Rejected = st.Read, st.Accepted, st.Rejected
	if res.Added, err = s.store.PutSites(ctx, batch); err != nil {
		return nil, err
	}
	if res.Added > 0 {
		if _, _, err := s.readjudicate(ctx, p); err != nil {
			return nil, err
		}
	}
	return &sitesUploadOut{Body: res}, nil
}

// bundleFromUpload turns an uploaded zip or YAML file into a parsed
// agreement and its bundle.
func bundleFromUpload(contentType string, body []byte) ([]byte, *truce.Agreement, error) {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	if ct == "application/zip" || (len(body) > 4 && string(body[:4]) == "PK\x03\x04") {
		a, err := agreement.ParseBundle("upload.zip", body)
		if err != nil {
			return nil, nil, asInvalid(err)
		}
		return body, a, nil
	}
	a, err := agreement.Parse("agreement.yaml", body, nil)
	if err != nil {
		return nil, nil, asInvalid(err)
	}
	bundle, _, err := agreement.BundleBytes(body)
	if err != nil {
		return nil, nil, asInvalid(err)
	}
	return bundle, a, nil
}

// asInvalid reports agreement problems as EINVALID, one per line.
func asInvalid(err error) error {
	if truce.ErrorCode(err) != truce.EINTERNAL {
		return err
	}
	var ps agreement.Problems
	if errors.As(err, &ps) {
		return truce.Errorf(truce.EINVALID, "%s", ps.Error())
	}
	return truce.Errorf(truce.EINVALID, "%s", err.Error())
}

func importErr(err error) string {
	// A row's error says where first (FILE:LINE), whatever its code: the
	// row error's own message is already safe to show.
	var re importer.RowError
	if errors.As(err, &re) {
		return re.Error()
	}
	if truce.ErrorCode(err) == truce.EINTERNAL {
		return "the file could not be read"
	}
	return truce.ErrorMessage(err)
}
