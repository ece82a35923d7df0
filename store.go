package truce

import (
	"context"
	"time"
)

// AgreementVersion is one stored version of an agreement: the bundle it
// was parsed from (the agreement file and its zone files) and when.
type AgreementVersion struct {
	ID        AgreementID
	Version   int // 1, 2, ... per agreement id
	SHA256    string
	Bundle    []byte // zip archive: agreement.yaml plus the files it names
	CreatedAt time.Time
}

// ReportFilter selects stored reports. Nil fields do not filter.
type ReportFilter struct {
	Since, Until *time.Time // report Start in [Since, Until)
}

// ReportStore keeps incident reports.
type ReportStore interface {
	// PutReports stores the reports whose ids are not stored yet, in one
	// transaction, and returns how many were new. Reports already stored
	// are left unchanged. EINVALID if a report fails Validate.
	PutReports(ctx context.Context, rs []*Report) (added int, err error)
	// Report returns the report with the given id. ENOTFOUND if absent.
	Report(ctx context.Context, id ReportID) (*Report, error)
	// Reports calls fn for every report matching f, ordered by start time
	// then id, stopping at fn's first error.
	Reports(ctx context.Context, f ReportFilter, fn func(*Report) error) error
}

// SiteStore keeps protected sites.
type SiteStore interface {
	// PutSites stores the sites whose ids are not stored yet and returns
	// how many were new. EINVALID if a site fails Validate.
	PutSites(ctx context.Context, ss []*Site) (added int, err error)
	// Sites returns every stored site, ordered by id.
	Sites(ctx context.Context) ([]Site, error)
}

// AgreementStore keeps every version of every agreement.
type AgreementStore interface {
	// PutAgreement stores a new version of agreement id unless the latest
	// stored version has the same SHA-256; it returns the version that
	// holds the bundle and whether it is new.
	PutAgreement(ctx context.Context, id AgreementID, bundle []byte) (v *AgreementVersion, created bool, err error)
	// LatestAgreement returns the latest version of agreement id, or of the
	// most recently stored agreement when id is "". ENOTFOUND if none.
	LatestAgreement(ctx context.Context, id AgreementID) (*AgreementVersion, error)
}

// StoredJudgement is a judgement kept for one report under one agreement
// version.
type StoredJudgement struct {
	Agreement AgreementID
	Version   int
	Judgement Judgement
}

// JudgementStore keeps judgements.
type JudgementStore interface {
	// PutJudgements replaces the judgements of the given reports under
	// agreement version (id, version), in one transaction.
	PutJudgements(ctx context.Context, id AgreementID, version int, js []Judgement) error
	// Judgements calls fn with every stored report and its judgement under
	// agreement version (id, version) matching f, ordered by report start
	// time then id.
	Judgements(ctx context.Context, id AgreementID, version int, f ReportFilter, fn func(*Report, *Judgement) error) error
}

// Store is everything a backend provides.
type Store interface {
	ReportStore
	SiteStore
	AgreementStore
	JudgementStore
	Close() error
}
