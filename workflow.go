package truce

import (
	"time"
)

// IncidentID identifies an incident: one event, reported by one or more
// reports.
type IncidentID string

// Status is where an incident stands in the verification workflow. Keep
// these words apart from the adjudication outcome "disputed", which means
// the parties' readings of the terms differ.
type Status string

// Verification statuses.
const (
	StatusReported     Status = "reported"
	StatusUnderReview  Status = "under_review"
	StatusVerified     Status = "verified"
	StatusUnverifiable Status = "unverifiable"
	StatusDismissed    Status = "dismissed"
)

// Known reports whether s is a defined status.
func (s Status) Known() bool {
	switch s {
	case StatusReported, StatusUnderReview, StatusVerified, StatusUnverifiable, StatusDismissed:
		return true
	}
	return false
}

// CanMove reports whether the workflow allows moving from s to to:
// reported → under_review → verified | unverifiable | dismissed, and back
// to under_review from any of those when new evidence arrives.
func (s Status) CanMove(to Status) bool {
	switch s {
	case StatusReported:
		return to == StatusUnderReview || to == StatusDismissed
	case StatusUnderReview:
		return to == StatusVerified || to == StatusUnverifiable || to == StatusDismissed
	case StatusVerified, StatusUnverifiable, StatusDismissed:
		return to == StatusUnderReview
	}
	return false
}

// Incident is one event with the reports that describe it, its review
// status and who contests it.
type Incident struct {
	ID        IncidentID
	Status    Status
	Published bool // visible to observers and the public
	// SubmittedBy is the party that submitted the first report through the
	// API, if a party did; its unpublished incident is visible to it alone
	// among parties.
	SubmittedBy PartyID
	// Accused are the parties the incident's judgements name as perpetrator.
	Accused     []PartyID
	ContestedBy []PartyID
	Reports     []ReportID
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EventKind is a kind of entry in an incident's history.
type EventKind string

// Event kinds.
const (
	EventCreated    EventKind = "created"
	EventStatus     EventKind = "status"
	EventNote       EventKind = "note"
	EventResponse   EventKind = "response"
	EventEvidence   EventKind = "evidence"
	EventMerged     EventKind = "merged"      // this incident took in another's reports (Other)
	EventMergedInto EventKind = "merged_into" // this incident's reports moved into Other
	EventSplit      EventKind = "split"       // a report left this incident for its own (Other)
	EventSplitFrom  EventKind = "split_from"  // this incident was re-opened for a report split from Other
	EventPublished  EventKind = "published"
)

// ResponseKind is how a party answers an incident that accuses it.
type ResponseKind string

// Party response kinds. Both mark the incident as contested by the party.
const (
	ResponseDenial       ResponseKind = "denial"
	ResponseCounterClaim ResponseKind = "counter_claim"
)

// Event is one entry of an incident's history: who did what, when and why.
type Event struct {
	ID       int64
	Incident IncidentID
	At       time.Time
	Actor    string // the principal's description, e.g. "monitor:tok_ab12"
	Kind     EventKind
	From, To Status       // EventStatus
	Reason   string       // why (status changes), or the text (notes, responses)
	Party    PartyID      // EventResponse: the responding party
	Response ResponseKind // EventResponse
	Evidence string       // EventEvidence: the evidence id
	Other    IncidentID   // EventMerged / EventSplit: the other incident
	LogIndex int64        // the record of this event in the tamper-evident log
}

// Evidence is a file attached to an incident: only its hash, media type and
// size are kept in the record; the bytes are stored beside it.
type Evidence struct {
	ID          string // "sha256:<hex>"
	Incident    IncidentID
	SHA256      string
	MediaType   string
	Size        int64
	Description string
	AddedBy     string
	At          time.Time
}

// Validate checks an evidence item's invariants.
func (e *Evidence) Validate() error {
	switch {
	case len(e.SHA256) != 64:
		return Errorf(EINVALID, "evidence: sha256 must be 64 hex digits")
	case e.MediaType == "":
		return Errorf(EINVALID, "evidence: media type required")
	case e.Size < 0:
		return Errorf(EINVALID, "evidence: negative size")
	}
	for _, c := range e.SHA256 {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return Errorf(EINVALID, "evidence: sha256 must be lower-case hex")
		}
	}
	return nil
}
