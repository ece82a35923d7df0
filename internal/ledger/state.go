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
// sites, the tokens, the current agreement version and the parties'
// claims, tallies and match decisions.
type State struct {
	Incidents map[truce.IncidentID]*IncidentState
	ReportOf  map[truce.ReportID]truce.IncidentID
	Sites     map[truce.SiteID]*SiteState
	Tokens    map[string]*TokenState
	Current   CurrentState
	// Claims, Tallies and Matches are the parties' claims, their tallies
	// and the latest match decision on each claim and incident.
	Claims  map[truce.ClaimID]*ClaimState
	Tallies map[truce.TallyID]*TallyState
	Matches map[MatchKey]*MatchState
	// Observations and Restrictions are the monitors' observations and
	// the restrictions of their access (issue 19).
	Observations map[truce.ObservationID]*FieldState
	Restrictions map[truce.RestrictionID]*FieldState

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
		Claims: map[truce.ClaimID]*ClaimState{}, Tallies: map[truce.TallyID]*TallyState{}, Matches: map[MatchKey]*MatchState{},
		Observations: map[truce.ObservationID]*FieldState{}, Restrictions: map[truce.RestrictionID]*FieldState{},
		judged: map[judgedKey]int64{}, members: map[truce.IncidentID][]truce.ReportID{}}
}

// Apply replays one record. Records MUST be applied in log order, from
// record 0: the state counts them to know each one's index.
func (st *State) Apply(rec *Record) error {
	idx := st.n
	st.n++
	switch rec.Kind {
	case KindReport:
		return st.applyReport(rec)
	case KindEvent:
		return st.applyEvent(rec)
	case KindAgreement, KindCurrent, KindJudgement:
		return st.applyAgreement(rec, idx)
	case KindSiteAdded, KindSiteChanged, KindSiteRemoved:
		return st.applySite(rec, idx)
	case KindToken, KindTokenRevoked:
		return st.applyToken(rec, idx)
	case KindClaim, KindClaimPublished, KindTally, KindClaimMatch:
		return st.applyClaim(rec, idx)
	case KindObservation, KindObservationPublished, KindRestriction, KindRestrictionPublished:
		return st.applyField(rec, idx)
	}
	return nil
}

// body decodes the body of rec, a record of what.
func body[T any](rec *Record, what string) (T, error) {
	var b T
	if err := json.Unmarshal(rec.Body, &b); err != nil {
		return b, fmt.Errorf("%s record: %w", what, err)
	}
	return b, nil
}

// applyReport opens the incident of a new report.
func (st *State) applyReport(rec *Record) error {
	b, err := body[ReportBody](rec, "report")
	if err != nil {
		return err
	}
	id := truce.IncidentID(b.ID)
	st.Incidents[id] = &IncidentState{Status: truce.StatusReported, Published: b.Published, SubmittedBy: truce.PartyID(b.SubmittedBy),
		Created: rec.At, Updated: rec.At}
	if _, ok := st.ReportOf[truce.ReportID(b.ID)]; !ok {
		st.members[id] = append(st.members[id], truce.ReportID(b.ID))
	}
	st.ReportOf[truce.ReportID(b.ID)] = id
	return nil
}

// applyAgreement replays record idx of a new agreement version (which
// becomes the current one), of a change of the current version, or of a
// judgement.
func (st *State) applyAgreement(rec *Record, idx int64) error {
	switch rec.Kind {
	case KindAgreement:
		b, err := body[AgreementBody](rec, "agreement")
		if err == nil {
			st.Current = CurrentState{Agreement: truce.AgreementID(b.ID), Version: b.Version, Index: idx}
		}
		return err
	case KindCurrent:
		b, err := body[CurrentBody](rec, "current agreement")
		if err == nil {
			st.Current = CurrentState{Agreement: truce.AgreementID(b.Agreement), Version: b.Version, Index: idx, Explicit: true}
		}
		return err
	}
	b, err := body[JudgementBody](rec, "judgement")
	if err == nil {
		st.judged[judgedKey{truce.ReportID(b.Report), truce.AgreementID(b.Agreement), b.Version}] = idx
	}
	return err
}

// applySite replays record idx, which adds, changes or removes a site.
func (st *State) applySite(rec *Record, idx int64) error {
	var id truce.SiteID
	if rec.Kind == KindSiteRemoved {
		b, err := body[SiteRemovedBody](rec, "site")
		if err != nil {
			return err
		}
		id = truce.SiteID(b.ID)
	} else {
		b, err := body[SiteBody](rec, "site")
		if err != nil {
			return err
		}
		id = truce.SiteID(b.ID)
	}
	_, ok := st.Sites[id]
	switch {
	case ok && rec.Kind == KindSiteAdded:
		return fmt.Errorf("%s record for site %s, which the log has already", rec.Kind, id)
	case !ok && rec.Kind != KindSiteAdded:
		return fmt.Errorf("%s record for site %s, which the log does not have", rec.Kind, id)
	case rec.Kind == KindSiteRemoved:
		delete(st.Sites, id)
	default:
		st.Sites[id] = &SiteState{Body: rec.Body, Index: idx}
	}
	return nil
}

// applyToken replays record idx, which creates or revokes a token.
func (st *State) applyToken(rec *Record, idx int64) error {
	if rec.Kind == KindToken {
		b, err := body[TokenBody](rec, "token")
		if err != nil {
			return err
		} else if st.Tokens[b.ID] != nil {
			return fmt.Errorf("token record for token %s, which the log has already", b.ID)
		}
		st.Tokens[b.ID] = &TokenState{Body: b, Index: idx}
		return nil
	}
	b, err := body[TokenRevokedBody](rec, "token")
	if err != nil {
		return err
	}
	t := st.Tokens[b.ID]
	if t == nil || t.Revoked != "" {
		return fmt.Errorf("revocation of token %s, which the log does not have or has revoked already", b.ID)
	}
	t.Revoked = b.Revoked
	return nil
}

func (st *State) applyEvent(rec *Record) error {
	b, err := body[EventBody](rec, "event")
	if err != nil {
		return err
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
		in.ContestedBy, _ = truce.Contest(in.ContestedBy, truce.PartyID(b.Party))
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
