package truce

import (
	"context"
	"time"

	"truce/internal/geo"
)

// AgreementVersion is one stored version of an agreement: the bundle it
// was parsed from (the agreement file and its zone files) and when.
type AgreementVersion struct {
	ID        AgreementID
	Version   int // 1, 2, ... per agreement id
	SHA256    string
	Bundle    []byte // zip archive: agreement.yaml plus the files it names
	CreatedAt time.Time
	LogIndex  int64
}

// ReportFilter selects stored reports. Nil fields do not filter.
type ReportFilter struct {
	Since, Until *time.Time // report Start in [Since, Until)
	// Incidents keeps only the reports of these incidents, when not empty.
	Incidents []IncidentID
	// Visible keeps only the reports whose incident this principal may
	// read (see IncidentFilter.Visibility).
	Visible *Principal
}

// PutOptions say how new reports enter the record.
type PutOptions struct {
	// Published makes the reports' new incidents visible to the public
	// (bulk uploads of public sources by monitors).
	Published bool
	// SubmittedBy is the party submitting the reports, if a party is.
	SubmittedBy PartyID
}

// ReportStore keeps incident reports. Every new report opens an incident
// of its own, with the same id, and is appended to the log.
type ReportStore interface {
	// PutReports stores the reports whose ids are not stored yet, in one
	// transaction, and returns how many were new. Reports already stored
	// are left unchanged. EINVALID if a report fails Validate.
	PutReports(ctx context.Context, by Principal, rs []*Report, opt PutOptions) (added int, err error)
	// Report returns the report with the given id. ENOTFOUND if absent.
	Report(ctx context.Context, id ReportID) (*Report, error)
	// Reports calls fn for every report matching f, ordered by start time
	// then id, stopping at fn's first error.
	Reports(ctx context.Context, f ReportFilter, fn func(*Report) error) error
}

// SiteStore keeps protected sites: reference data that verdicts depend on,
// so each new site is logged with it.
type SiteStore interface {
	// PutSites stores the sites whose ids are not stored yet and returns
	// how many were new. EINVALID if a site fails Validate.
	PutSites(ctx context.Context, ss []*Site) (added int, err error)
	// Sites returns every stored site, ordered by id.
	Sites(ctx context.Context) ([]Site, error)
	// SiteCount returns how many sites are stored.
	SiteCount(ctx context.Context) (int, error)
}

// AgreementStore keeps every version of every agreement.
type AgreementStore interface {
	// PutAgreement stores a new version of agreement id unless the latest
	// stored version has the same SHA-256; it returns the version that
	// holds the bundle and whether it is new. That version becomes the
	// current agreement, new or not: putting an agreement (an upload, or
	// truce adjudicate) says it is the one in force.
	PutAgreement(ctx context.Context, by Principal, id AgreementID, bundle []byte) (v *AgreementVersion, created bool, err error)
	// LatestAgreement returns the latest version of agreement id, or the
	// current agreement when id is "": the version most recently put
	// (before any was put since the store kept track, the most recently
	// stored one). The incidents' figures follow the judgements under
	// the current agreement, and every reader that shows judgements MUST
	// read them under it. ENOTFOUND if none.
	LatestAgreement(ctx context.Context, id AgreementID) (*AgreementVersion, error)
	// LatestAgreementHead is LatestAgreement(ctx, "") without the bundle:
	// a cheap check of whether a newer version was stored.
	LatestAgreementHead(ctx context.Context) (*AgreementVersion, error)
	// Agreement returns one version. ENOTFOUND if absent.
	Agreement(ctx context.Context, id AgreementID, version int) (*AgreementVersion, error)
	// AgreementVersions lists the versions of agreement id, oldest first,
	// without their bundles.
	AgreementVersions(ctx context.Context, id AgreementID) ([]AgreementVersion, error)
}

// JudgementStore keeps judgements.
type JudgementStore interface {
	// PutJudgements stores the judgements of the given reports under
	// agreement version (id, version), in one transaction, logging those
	// that are new or changed, and returns how many changed. The reports'
	// incidents take their figures from their judgements under the current
	// agreement (see LatestAgreement); judging under another version does
	// not make it current.
	PutJudgements(ctx context.Context, by Principal, id AgreementID, version int, js []Judgement) (changed int, err error)
	// Judgements calls fn with every stored report and its judgement under
	// agreement version (id, version) matching f, ordered by report start
	// time then id.
	Judgements(ctx context.Context, id AgreementID, version int, f ReportFilter, fn func(*Report, *Judgement) error) error
	// Judgement returns one report's judgement under a version.
	Judgement(ctx context.Context, id AgreementID, version int, report ReportID) (*Judgement, error)
}

// IncidentFilter selects incidents. Zero fields do not filter.
type IncidentFilter struct {
	Visibility Principal // only incidents this principal may read
	Phase      PhaseID
	Party      PartyID // the perpetrator named by a judgement
	Outcome    Outcome
	Status     Status
	Since      *time.Time
	Until      *time.Time
	Within     *geo.BBox
	After      string // the cursor returned with the previous page
	Limit      int    // 1..1000; 0 means 100
}

// IncidentSummary is an incident with the judgement figures of its
// reports under the latest adjudication.
type IncidentSummary struct {
	Incident
	Outcome     Outcome
	Parties     []PartyID
	Phases      []PhaseID
	Start       time.Time
	Location    geo.Point
	Explanation string // the explanation of its most severe report
}

// IncidentMark identifies what a reader saw of the rows that hang off an
// incident beyond its own row and its report ids: its reports'
// judgements, its history and its evidence. Every change to those rows
// is a logged write that adds a row or gives one a new, larger log
// index, so two reads of an incident that see the same report ids and
// the same mark saw the same judgements, events and evidence. A reader
// may keep what it built from one read and reuse it while both stay the
// same (the API's incident pages do).
type IncidentMark struct {
	// Judgements is the sum of one more than the log index of each
	// judgement of its reports, under every agreement version: a new
	// judgement adds to it, and one judged again gets a larger index.
	Judgements int64
	Events     int64 // its history's events (never removed)
	Evidence   int64 // its evidence items (never removed)
}

// IncidentStore keeps incidents and their review history.
type IncidentStore interface {
	// Incident returns an incident with its report ids. ENOTFOUND if absent.
	Incident(ctx context.Context, id IncidentID) (*IncidentSummary, error)
	// IncidentHead returns an incident without its report ids (Reports is
	// nil): all that deciding who may act on it needs, in one read by its
	// key. ENOTFOUND if absent.
	IncidentHead(ctx context.Context, id IncidentID) (*IncidentSummary, error)
	// MarkedIncident returns an incident with its report ids and the mark
	// of its judgements, history and evidence, read together.
	// ENOTFOUND if absent.
	MarkedIncident(ctx context.Context, id IncidentID) (*IncidentSummary, IncidentMark, error)
	// IncidentOf returns the id of the incident a report belongs to.
	// ENOTFOUND if the report is absent.
	IncidentOf(ctx context.Context, r ReportID) (IncidentID, error)
	// Incidents returns one page of incidents matching f, each with its
	// report ids, ordered by start time then id, and the cursor of the
	// next page ("" at the end).
	Incidents(ctx context.Context, f IncidentFilter) ([]IncidentSummary, string, error)
	// Events returns an incident's history, oldest first.
	Events(ctx context.Context, id IncidentID) ([]Event, error)
	// Evidence lists an incident's evidence items.
	Evidence(ctx context.Context, id IncidentID) ([]Evidence, error)
	// EvidenceContent returns the bytes of one evidence item.
	EvidenceContent(ctx context.Context, id IncidentID, evidence string) ([]byte, string, error)
	// ChangeStatus moves an incident in the workflow. ECONFLICT if the
	// move is not allowed from its current status.
	ChangeStatus(ctx context.Context, by Principal, id IncidentID, to Status, reason string) (*Event, error)
	// AddNote attaches a monitor's note.
	AddNote(ctx context.Context, by Principal, id IncidentID, text string) (*Event, error)
	// Respond records a party's denial or counter-claim and marks the
	// incident as contested by that party.
	Respond(ctx context.Context, by Principal, id IncidentID, kind ResponseKind, text string) (*Event, error)
	// AddEvidence attaches an evidence item; an incident in a final status
	// goes back to under_review when EvidenceReopens says so (a reviewer's
	// evidence, never a party's).
	AddEvidence(ctx context.Context, by Principal, id IncidentID, ev *Evidence, content []byte) (*Event, error)
	// Publish makes an incident visible to the public.
	Publish(ctx context.Context, by Principal, id IncidentID) (*Event, error)
	// Merge moves every report of source into target and removes source.
	// ECONFLICT if CanMerge refuses (their audiences differ) or either is
	// merged away already.
	Merge(ctx context.Context, by Principal, target, source IncidentID, reason string) (*Event, error)
	// MergeMany applies merges in one transaction, for grouping reports of
	// the same event. A merge whose source is already merged or is the
	// target itself, or that CanGroup refuses (another audience, or a
	// monitor is on the source), is skipped; it returns how many were
	// applied.
	MergeMany(ctx context.Context, by Principal, ops []MergeOp) (int, error)
	// Split moves one report out of its incident into a new incident with
	// the report's id.
	Split(ctx context.Context, by Principal, report ReportID, reason string) (*Event, error)
}

// MergeOp moves the reports of Source into Target.
type MergeOp struct {
	Target, Source IncidentID
	Reason         string
}

// Validate returns EINVALID for a merge of an incident into itself.
func (op MergeOp) Validate() error {
	if op.Target == op.Source {
		return Errorf(EINVALID, "cannot merge incident %s into itself", op.Target)
	}
	return nil
}

// TokenStore keeps API tokens (hashes only); each token created or
// revoked is logged with it.
type TokenStore interface {
	// CreateToken stores a token. EINVALID for an unknown role or a party
	// that does not go with it; ECONFLICT if its id or hash is stored.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token with the given secret hash. ENOTFOUND if absent.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// Tokens lists every token, revoked ones included, oldest first.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken revokes a token from time at; its sessions end with it.
	// ENOTFOUND if it does not exist or is revoked already.
	RevokeToken(ctx context.Context, id string, at time.Time) error
}

// SessionStore keeps the dashboard's browser sessions, so that every API
// server behind one database knows them. Sessions are not logged: they
// grant nothing their token does not.
type SessionStore interface {
	// CreateSession stores a session, removing the sessions that have
	// expired. ENOTFOUND if its token does not exist or is not active;
	// ECONFLICT if a session with its hash exists.
	CreateSession(ctx context.Context, s *Session) error
	// SessionToken returns the token the session with the given hash acts
	// as. ENOTFOUND if there is no such session, or it is not active (it
	// has expired, or its token has expired or been revoked).
	SessionToken(ctx context.Context, hash string) (*Token, error)
	// DeleteSession removes a session (sign-out). ENOTFOUND if absent.
	DeleteSession(ctx context.Context, hash string) error
}

// LogStore reads the tamper-evident log.
type LogStore interface {
	// LogKey returns the log's origin name and its verifier (public) key.
	LogKey(ctx context.Context) (origin, verifier string, err error)
	// LogSize returns the number of records.
	LogSize(ctx context.Context) (int64, error)
	// LogRecord returns record i as stored.
	LogRecord(ctx context.Context, i int64) ([]byte, error)
	// LatestCheckpoint returns the latest signed checkpoint. It covers
	// the integrated records, which may be fewer than LogSize: records
	// are integrated in the background shortly after their write.
	LatestCheckpoint(ctx context.Context) ([]byte, error)
	// ProveRecord returns the inclusion proof of record i in the tree of
	// the given size.
	ProveRecord(ctx context.Context, size, i int64) ([][32]byte, error)
	// ProveTree returns the consistency proof between two tree sizes.
	ProveTree(ctx context.Context, size, oldSize int64) ([][32]byte, error)
}

// Cosignature is a witness's cosignature of one of the log's checkpoints:
// a C2SP tlog-cosignature signature line, which verifies on its own
// against the witness's key (the agreement's witness policy lists them).
type Cosignature struct {
	Size    int64     // the checkpoint's tree size
	Witness string    // the witness's key name
	Line    []byte    // "— <name> <base64>\n"
	At      time.Time // when the log server received it
}

// CosignatureStore keeps the witnesses' cosignatures of the log's
// checkpoints. The caller verifies a line before it adds it: the store
// keeps what it is given.
type CosignatureStore interface {
	// Checkpoint returns the signed checkpoint of the given tree size.
	// ENOTFOUND if the log signed none of that size.
	Checkpoint(ctx context.Context, size int64) ([]byte, error)
	// AddCosignature stores a cosignature. ENOTFOUND if there is no
	// checkpoint of its size; a second line by the same witness for the
	// same size is ignored.
	AddCosignature(ctx context.Context, c Cosignature) error
	// Cosignatures returns the cosignatures of the checkpoint of the
	// given size, by witness name.
	Cosignatures(ctx context.Context, size int64) ([]Cosignature, error)
	// CosignedSize returns the size of the newest checkpoint that at
	// least threshold of the named witnesses cosigned. ENOTFOUND if none.
	CosignedSize(ctx context.Context, witnesses []string, threshold int) (int64, error)
}

// Store is everything a backend provides.
type Store interface {
	ReportStore
	SiteStore
	AgreementStore
	JudgementStore
	IncidentStore
	TokenStore
	SessionStore
	LogStore
	CosignatureStore
	ClaimStore
	FieldStore
	// Close releases the store's database connections.
	Close() error
}

// StoreAs returns st as a T — a capability some backends have beyond
// Store, such as a faster path — looking through stores that wrap another
// and say so with an Unwrap() Store method (the API's token cache does).
func StoreAs[T any](st Store) (T, bool) {
	for {
		if t, ok := st.(T); ok {
			return t, true
		}
		u, ok := st.(interface{ Unwrap() Store })
		if !ok {
			var zero T
			return zero, false
		}
		st = u.Unwrap()
	}
}
