package ledger

import (
	"encoding/json"
	"fmt"
	"slices"

	"truce"
)

// IncidentState is the workflow state of an incident as the log says it
// must be: the stores' incident rows must match it.
type IncidentState struct {
	Status      truce.Status
	Published   bool
	SubmittedBy truce.PartyID
	ContestedBy []truce.PartyID // sorted
	MergedInto  truce.IncidentID
}

// State replays log records into the state every store must hold: each
// incident's workflow state and the incident each report belongs to.
type State struct {
	Incidents map[truce.IncidentID]*IncidentState
	ReportOf  map[truce.ReportID]truce.IncidentID
}

// NewState returns an empty state.
func NewState() *State {
	return &State{Incidents: map[truce.IncidentID]*IncidentState{}, ReportOf: map[truce.ReportID]truce.IncidentID{}}
}

// Apply replays one record (records MUST be applied in log order).
func (st *State) Apply(rec *Record) error {
	switch rec.Kind {
	case KindReport:
		var b ReportBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("report record: %w", err)
		}
		id := truce.IncidentID(b.ID)
		st.Incidents[id] = &IncidentState{Status: truce.StatusReported, Published: b.Published, SubmittedBy: truce.PartyID(b.SubmittedBy)}
		st.ReportOf[truce.ReportID(b.ID)] = id
	case KindEvent:
		var b EventBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("event record: %w", err)
		}
		in := st.Incidents[truce.IncidentID(b.Incident)]
		if in == nil {
			return fmt.Errorf("event record for incident %s, which no report opened", b.Incident)
		}
		switch truce.EventKind(b.Kind) {
		case truce.EventStatus:
			in.Status = truce.Status(b.To)
		case truce.EventPublished:
			in.Published = true
		case truce.EventResponse:
			if p := truce.PartyID(b.Party); !slices.Contains(in.ContestedBy, p) {
				in.ContestedBy = append(in.ContestedBy, p)
				slices.Sort(in.ContestedBy)
			}
		case truce.EventMergedInto:
			in.MergedInto = truce.IncidentID(b.Other)
			for r, inc := range st.ReportOf {
				if inc == truce.IncidentID(b.Incident) {
					st.ReportOf[r] = truce.IncidentID(b.Other)
				}
			}
		case truce.EventSplitFrom:
			in.MergedInto = ""
			st.ReportOf[truce.ReportID(b.Incident)] = truce.IncidentID(b.Incident)
		}
	}
	return nil
}
