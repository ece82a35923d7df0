package httpapi

import (
	"time"

	"truce"
	"truce/internal/report"
)

// Wire types of the API. Domain types carry no JSON tags; these do.

// IncidentOut is an incident as listed.
type IncidentOut struct {
	ID          string    `json:"id"`
	Status      string    `json:"status" enum:"reported,under_review,verified,unverifiable,dismissed"`
	Published   bool      `json:"published"`
	Outcome     string    `json:"outcome" doc:"the most severe outcome of its reports under the current agreement; empty before adjudication"`
	Parties     []string  `json:"parties" doc:"perpetrators named by its judgements"`
	Phases      []string  `json:"phases" doc:"phases with a finding other than not_prohibited"`
	ContestedBy []string  `json:"contested_by" doc:"parties that answered it with a denial or counter-claim"`
	SubmittedBy string    `json:"submitted_by,omitempty"`
	Start       time.Time `json:"start"`
	Lon         float64   `json:"lon"`
	Lat         float64   `json:"lat"`
	Explanation string    `json:"explanation"`
	Reports     int       `json:"reports,omitempty"`
	// Corroboration is what the map sizes incidents by.
	Corroboration int       `json:"corroboration" doc:"independent sources among its reports (distinct outlets or parties, a repost of the same text counting once) plus sensor alerts"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func incidentOut(in *truce.IncidentSummary) IncidentOut {
	o := IncidentOut{ID: string(in.ID), Status: string(in.Status), Published: in.Published, Parties: strs(in.Parties),
		Phases: strs(in.Phases), ContestedBy: strs(in.ContestedBy), SubmittedBy: string(in.SubmittedBy),
		Start: in.Start, Lon: in.Location.Lon, Lat: in.Location.Lat, Explanation: in.Explanation,
		Reports: len(in.Reports), Corroboration: min(1, len(in.Reports)), UpdatedAt: in.UpdatedAt}
	if in.Outcome != 0 {
		o.Outcome = in.Outcome.String()
	}
	return o
}

// ReportOut is a report with its judgement under the current agreement.
type ReportOut struct {
	ID            string            `json:"id"`
	Incident      string            `json:"incident"`
	Source        string            `json:"source"`
	SourceID      string            `json:"source_id,omitempty"`
	Outlet        string            `json:"outlet,omitempty"`
	File          string            `json:"file,omitempty"`
	Line          int               `json:"line,omitempty"`
	Original      string            `json:"original,omitempty"`
	Start         time.Time         `json:"start"`
	End           time.Time         `json:"end"`
	TimePrecision string            `json:"time_precision"`
	Lon           float64           `json:"lon"`
	Lat           float64           `json:"lat"`
	LocPrecisionM float64           `json:"location_precision_m,omitempty"`
	Place         string            `json:"place,omitempty"`
	Actor1        string            `json:"actor1,omitempty"`
	Actor2        string            `json:"actor2,omitempty"`
	Perpetrator   string            `json:"perpetrator,omitempty"`
	Actions       []string          `json:"actions,omitempty"`
	EventType     string            `json:"event_type,omitempty"`
	Category      string            `json:"category,omitempty"`
	Site          string            `json:"site,omitempty"`
	Text          string            `json:"text,omitempty"`
	Fatalities    int               `json:"fatalities,omitempty"`
	Judgement     *report.Judgement `json:"judgement,omitempty"`
}

func reportOut(r *truce.Report, inc truce.IncidentID, j *truce.Judgement) ReportOut {
	o := ReportOut{ID: string(r.ID), Incident: string(inc), Source: r.Source, SourceID: r.SourceID, Outlet: r.Outlet,
		File: r.File, Line: r.Line, Original: r.Original, Start: r.Start, End: r.End, TimePrecision: r.Precision.String(),
		Lon: r.Location.Lon, Lat: r.Location.Lat, LocPrecisionM: r.LocationPrecisionMeters, Place: r.Place,
		Actor1: r.Actor1, Actor2: r.Actor2, Perpetrator: string(r.Perpetrator), Actions: strs(r.Actions),
		EventType: r.EventType, Category: string(r.Category), Site: string(r.Site), Text: r.Text, Fatalities: r.Fatalities}
	if j != nil {
		w := report.NewJudgement(r, j)
		o.Judgement = &w
	}
	return o
}

// EventOut is one entry of an incident's history.
type EventOut struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Kind     string    `json:"kind"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Party    string    `json:"party,omitempty"`
	Response string    `json:"response,omitempty"`
	Evidence string    `json:"evidence,omitempty"`
	Other    string    `json:"other,omitempty"`
	LogIndex int64     `json:"log_index"`
}

func eventOut(e *truce.Event) EventOut {
	return EventOut{ID: e.ID, At: e.At, Actor: e.Actor, Kind: string(e.Kind), From: string(e.From), To: string(e.To),
		Reason: e.Reason, Party: string(e.Party), Response: string(e.Response), Evidence: e.Evidence, Other: string(e.Other), LogIndex: e.LogIndex}
}

// EvidenceOut is an evidence item's metadata.
type EvidenceOut struct {
	ID          string    `json:"id"`
	SHA256      string    `json:"sha256"`
	MediaType   string    `json:"media_type"`
	Size        int64     `json:"size"`
	Description string    `json:"description,omitempty"`
	AddedBy     string    `json:"added_by"`
	At          time.Time `json:"at"`
}

func evidenceOut(e *truce.Evidence) EvidenceOut {
	return EvidenceOut{ID: e.ID, SHA256: e.SHA256, MediaType: e.MediaType, Size: e.Size, Description: e.Description, AddedBy: e.AddedBy, At: e.At}
}

// IncidentDetail is an incident with everything about it.
type IncidentDetail struct {
	IncidentOut
	// MergedInto is derived from the incident's history: its last
	// merged_into event, unless a split_from event revived it since.
	MergedInto string        `json:"merged_into,omitempty" doc:"the incident this one was merged into, if it was: its reports, their judgements and the figures are there now, and this one lists none"`
	ReportList []ReportOut   `json:"report_list"`
	Events     []EventOut    `json:"events"`
	Evidence   []EvidenceOut `json:"evidence"`
	LogIndexes []int64       `json:"log_indexes" doc:"the log records about this incident and its reports, for inclusion proofs"`
}
