package truce

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
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
// to under_review from any of those (a reviewer reopens it, or a
// reviewer's new evidence does: see EvidenceReopens).
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

// Final reports whether s ends a review: verified, unverifiable or
// dismissed. Moving to a final status publishes the incident, because the
// outcome of a review is public.
func (s Status) Final() bool {
	return s == StatusVerified || s == StatusUnverifiable || s == StatusDismissed
}

// Validate returns EINVALID unless s is a defined status.
func (s Status) Validate() error {
	if !s.Known() {
		return Errorf(EINVALID, "unknown status %q", s)
	}
	return nil
}

// StatusMove is a decided change of an incident's status, which a store
// executes: it records a status event from From to To for Reason and,
// when Publish is set, publishes the incident as well.
type StatusMove struct {
	From, To Status
	Reason   string
	// Publish is set when the move ends a review (Final) of an incident
	// that is not public yet: the outcome of a review is public.
	Publish bool
}

// Move decides moving in to status to, for reason. EINVALID if to is not
// a status; ECONFLICT if the workflow does not allow the move (CanMove).
func (in *Incident) Move(to Status, reason string) (StatusMove, error) {
	if err := to.Validate(); err != nil {
		return StatusMove{}, err
	}
	if !in.Status.CanMove(to) {
		return StatusMove{}, Errorf(ECONFLICT, "incident %s is %s: it cannot move to %s", in.ID, in.Status, to)
	}
	return StatusMove{From: in.Status, To: to, Reason: reason, Publish: to.Final() && !in.Published}, nil
}

// EvidenceMove decides what the evidence item evidence that by adds to in
// does to its status: the move back to under_review that EvidenceReopens
// asks for, naming the evidence as its reason; ok is false when the
// status stays as it is.
func (in *Incident) EvidenceMove(by Principal, evidence string) (m StatusMove, ok bool) {
	if !EvidenceReopens(in.Status, by) {
		return StatusMove{}, false
	}
	m, err := in.Move(StatusUnderReview, "new evidence "+evidence)
	return m, err == nil
}

// Reviews reports whether p moves incidents in the workflow: monitors,
// admins and the system (the operator's command line). Parties and
// observers never change a status (docs/api.md).
func (p Principal) Reviews() bool {
	return p.Role == RoleMonitor || p.Role == RoleAdmin || p == System
}

// EvidenceReopens reports whether evidence that by adds to an incident in
// status s sends it back to under_review: only a reviewer's evidence
// reopens a final status. A party's evidence is attached and logged, and
// stands in the incident's history for the monitors to weigh; it MUST NOT
// move the status, or an accused party could undo a verification by
// posting a file.
func EvidenceReopens(s Status, by Principal) bool {
	return s.Final() && by.Reviews()
}

// CheckPublish returns ECONFLICT if in is published already: publishing
// cannot be undone, so it is recorded once.
func (in *Incident) CheckPublish() error {
	if in.Published {
		return Errorf(ECONFLICT, "incident %s is already published", in.ID)
	}
	return nil
}

// CheckRespond returns EINVALID unless by acts for a party: only the
// parties answer the incidents that accuse them (Respond).
func CheckRespond(by Principal) error {
	if by.Party == "" {
		return Errorf(EINVALID, "only a party can respond")
	}
	return nil
}

// Contest returns the parties that contest an incident once party p has
// responded to it: contested with p added, sorted; changed is false when
// p contests it already. A response marks the incident as contested by
// its party, once however often it responds.
func Contest(contested []PartyID, p PartyID) (parties []PartyID, changed bool) {
	if slices.Contains(contested, p) {
		return contested, false
	}
	parties = append(slices.Clone(contested), p)
	slices.Sort(parties)
	return parties, true
}

// Audience is who may read an incident besides monitors and admins:
// everyone when it is published; else the party that submitted it, or
// no one else at all when no party did (Party "").
type Audience struct {
	Public bool
	Party  PartyID
}

// Audience returns who may read in besides monitors and admins.
func (in *Incident) Audience() Audience {
	if in.Published {
		return Audience{Public: true}
	}
	return Audience{Party: in.SubmittedBy}
}

// CanMerge reports whether the reports of source may move into target. A
// merge MUST NOT change who can read a report, nor show one audience the id
// of an incident it cannot read (the merged-away incident names its
// target, and the target names it): both incidents must have the same
// audience. A monitor who means to merge across audiences publishes first.
func CanMerge(target, source *Incident) bool {
	return target.Audience() == source.Audience()
}

// CanGroup reports whether automatic grouping (truce adjudicate) may merge
// source into target: CanMerge, and source still in status reported, as
// once a monitor is on an incident, what belongs to it is theirs to decide.
func CanGroup(target, source *Incident) bool {
	return CanMerge(target, source) && source.Status == StatusReported
}

// CheckMerge returns ECONFLICT unless CanMerge(target, source), saying
// how a monitor can merge them.
func CheckMerge(target, source *Incident) error {
	if !CanMerge(target, source) {
		return Errorf(ECONFLICT, "incidents %s and %s are visible to different readers: publish them both, or neither, before merging",
			target.ID, source.ID)
	}
	return nil
}

// CheckNotMerged returns ECONFLICT for incident id if it was merged into
// another (into is not ""): its reports live in into now, and so does its
// workflow, so it takes no more events.
func CheckNotMerged(id, into IncidentID) error {
	if into != "" {
		return Errorf(ECONFLICT, "incident %s was merged into %s", id, into)
	}
	return nil
}

// CheckSplit returns ECONFLICT if report is already in the incident named
// after it (from, the incident it is in): a split moves a report out of
// another incident into its own.
func CheckSplit(report ReportID, from IncidentID) error {
	if from == IncidentID(report) {
		return Errorf(ECONFLICT, "report %s already has an incident of its own (%s): split the other reports out of it instead", report, from)
	}
	return nil
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

// Attach makes e the evidence item of content that by adds to incident:
// its id, SHA-256 and size are those of content, so that an item names
// exactly its bytes, and it is validated.
func (e *Evidence) Attach(incident IncidentID, by Principal, content []byte) error {
	sum := sha256.Sum256(content)
	e.SHA256, e.Size, e.Incident, e.AddedBy = hex.EncodeToString(sum[:]), int64(len(content)), incident, by.String()
	e.ID = "sha256:" + e.SHA256
	return e.Validate()
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
