package ledger

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

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
	// Created is the time of the report record that opened it, Updated
	// that of its latest event record (or Created): to the microsecond.
	Created, Updated time.Time
}

// SiteState is a site as the log says it must be stored.
type SiteState struct {
	Body  json.RawMessage // canonical SiteBody
	Index int64           // the record that added or last changed it
}

// TokenState is a token as the log says it must be stored.
type TokenState struct {
	Body    TokenBody
	Revoked string // RFC 3339, "" while not revoked
	Index   int64  // the record that created it
}

// CurrentState is the current agreement version as the log says it must
// be stored: the version of the latest agreement.version record (a new
// version becomes current) or agreement.current record (an existing one
// made current again), whichever is later.
type CurrentState struct {
	Agreement truce.AgreementID
	Version   int   // 0 before any agreement is logged
	Index     int64 // the record that made it current; -1 if none
	// Explicit reports that an agreement.current record made it current.
	// Otherwise it is the latest agreement version, which is what a store
	// without a stored current version reads.
	Explicit bool
}

// judgedKey names the judgements of one report under one agreement
// version.
type judgedKey struct {
	report    truce.ReportID
	agreement truce.AgreementID
	version   int
}

// State replays log records into the state every store must hold: each
// incident's workflow state, the incident each report belongs to, the
// sites, the tokens and the current agreement version.
type State struct {
	Incidents map[truce.IncidentID]*IncidentState
	ReportOf  map[truce.ReportID]truce.IncidentID
	Sites     map[truce.SiteID]*SiteState
	Tokens    map[string]*TokenState
	Current   CurrentState

	// judged is the index of the latest judgement record of each report
	// under each agreement version.
	judged map[judgedKey]int64
	// members lists the reports of each incident that holds any, so that
	// a merge moves them without a scan of every report.
	members map[truce.IncidentID][]truce.ReportID
	n       int64 // records applied
}

// NewState returns an empty state.
func NewState() *State {
	return &State{Incidents: map[truce.IncidentID]*IncidentState{}, ReportOf: map[truce.ReportID]truce.IncidentID{},
		Sites: map[truce.SiteID]*SiteState{}, Tokens: map[string]*TokenState{}, Current: CurrentState{Index: -1},
		judged: map[judgedKey]int64{}, members: map[truce.IncidentID][]truce.ReportID{}}
}

// Apply replays one record. Records MUST be applied in log order, from
// record 0: the state counts them to know each one's index.
func (st *State) Apply(rec *Record) error {
	idx := st.n
	st.n++
	switch rec.Kind {
	case KindReport:
		var b ReportBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("report record: %w", err)
		}
		id := truce.IncidentID(b.ID)
		st.Incidents[id] = &IncidentState{Status: truce.StatusReported, Published: b.Published, SubmittedBy: truce.PartyID(b.SubmittedBy),
			Created: rec.At, Updated: rec.At}
		if _, ok := st.ReportOf[truce.ReportID(b.ID)]; !ok {
			st.members[id] = append(st.members[id], truce.ReportID(b.ID))
		}
		st.ReportOf[truce.ReportID(b.ID)] = id
	case KindEvent:
		return st.applyEvent(rec)
	case KindAgreement:
		// A new agreement version becomes the current one.
		var b AgreementBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("agreement record: %w", err)
		}
		st.Current = CurrentState{Agreement: truce.AgreementID(b.ID), Version: b.Version, Index: idx}
	case KindCurrent:
		var b CurrentBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("current agreement record: %w", err)
		}
		st.Current = CurrentState{Agreement: truce.AgreementID(b.Agreement), Version: b.Version, Index: idx, Explicit: true}
	case KindJudgement:
		var b JudgementBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("judgement record: %w", err)
		}
		st.judged[judgedKey{truce.ReportID(b.Report), truce.AgreementID(b.Agreement), b.Version}] = idx
	case KindSiteAdded, KindSiteChanged:
		var b SiteBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("site record: %w", err)
		}
		_, ok := st.Sites[truce.SiteID(b.ID)]
		if ok && rec.Kind == KindSiteAdded {
			return fmt.Errorf("%s record for site %s, which the log has already", rec.Kind, b.ID)
		} else if !ok && rec.Kind == KindSiteChanged {
			return fmt.Errorf("%s record for site %s, which the log does not have", rec.Kind, b.ID)
		}
		st.Sites[truce.SiteID(b.ID)] = &SiteState{Body: rec.Body, Index: idx}
	case KindSiteRemoved:
		var b SiteRemovedBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("site record: %w", err)
		}
		if _, ok := st.Sites[truce.SiteID(b.ID)]; !ok {
			return fmt.Errorf("%s record for site %s, which the log does not have", rec.Kind, b.ID)
		}
		delete(st.Sites, truce.SiteID(b.ID))
	case KindToken:
		var b TokenBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("token record: %w", err)
		}
		if _, ok := st.Tokens[b.ID]; ok {
			return fmt.Errorf("token record for token %s, which the log has already", b.ID)
		}
		st.Tokens[b.ID] = &TokenState{Body: b, Index: idx}
	case KindTokenRevoked:
		var b TokenRevokedBody
		if err := json.Unmarshal(rec.Body, &b); err != nil {
			return fmt.Errorf("token record: %w", err)
		}
		t := st.Tokens[b.ID]
		if t == nil || t.Revoked != "" {
			return fmt.Errorf("revocation of token %s, which the log does not have or has revoked already", b.ID)
		}
		t.Revoked = b.Revoked
	}
	return nil
}

func (st *State) applyEvent(rec *Record) error {
	var b EventBody
	if err := json.Unmarshal(rec.Body, &b); err != nil {
		return fmt.Errorf("event record: %w", err)
	}
	in := st.Incidents[truce.IncidentID(b.Incident)]
	if in == nil {
		return fmt.Errorf("event record for incident %s, which no report opened", b.Incident)
	}
	in.Updated = rec.At
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
		from, to := truce.IncidentID(b.Incident), truce.IncidentID(b.Other)
		in.MergedInto = to
		if from == to {
			break
		}
		for _, r := range st.members[from] {
			st.ReportOf[r] = to
		}
		st.members[to] = append(st.members[to], st.members[from]...)
		delete(st.members, from)
	case truce.EventSplitFrom:
		r, own := truce.ReportID(b.Incident), truce.IncidentID(b.Incident)
		in.MergedInto = ""
		if old, ok := st.ReportOf[r]; ok && old != own {
			st.members[old] = slices.DeleteFunc(st.members[old], func(x truce.ReportID) bool { return x == r })
			if len(st.members[old]) == 0 {
				delete(st.members, old)
			}
			st.members[own] = append(st.members[own], r)
		}
		st.ReportOf[r] = own
	}
	return nil
}
