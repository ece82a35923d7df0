package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"truce"
)

// RowCheck counts the stored rows VerifyRows compared with the log.
type RowCheck struct {
	Reports, Agreements, Events, Evidence, Judgements, Incidents, Sites, Tokens int
	Claims, Tallies, ClaimMatches                                               int
	Observations, Restrictions                                                  int
	// Briefs are the stores' summary rows (one per judgement), derived
	// from the reports and judgements and checked against them.
	Briefs int
}

// Total is the number of rows compared.
func (rc RowCheck) Total() int {
	return rc.Reports + rc.Agreements + rc.Events + rc.Evidence + rc.Judgements + rc.Incidents + rc.Sites + rc.Tokens +
		rc.Claims + rc.Tallies + rc.ClaimMatches + rc.Observations + rc.Restrictions + rc.Briefs
}

// String lists the counts for people.
func (rc RowCheck) String() string {
	s := fmt.Sprintf("%d reports, %d agreement versions, %d events, %d evidence items, %d judgements, %d incidents, %d sites, %d tokens",
		rc.Reports, rc.Agreements, rc.Events, rc.Evidence, rc.Judgements, rc.Incidents, rc.Sites, rc.Tokens)
	if rc.Claims+rc.Tallies+rc.ClaimMatches > 0 {
		s += fmt.Sprintf(", %d claims, %d tallies, %d match decisions", rc.Claims, rc.Tallies, rc.ClaimMatches)
	}
	if rc.Observations+rc.Restrictions > 0 {
		s += fmt.Sprintf(", %d observations, %d access restrictions", rc.Observations, rc.Restrictions)
	}
	if rc.Briefs > 0 {
		s += fmt.Sprintf(", %d judgement briefs", rc.Briefs)
	}
	return s
}

// A RowSource gives VerifyRows a store's rows, read on one snapshot (one
// read-only transaction), as the store's readers see them. Each method
// calls fn once per row, in any order unless stated, and returns fn's
// first error. A row's Record is the stored bytes of the log record at
// its LogIndex, nil if there is none.
//
// Stores implement it with their own SQL; the checks are VerifyRows',
// so that both stores check exactly the same things.
type RowSource interface {
	// Records calls fn with every log record, in index order from 0.
	Records(ctx context.Context, fn func(idx int64, data []byte) error) error
	// Reports calls fn with every report.
	Reports(ctx context.Context, fn func(*ReportRow) error) error
	// Agreements calls fn with every agreement version, with its bundle.
	Agreements(ctx context.Context, fn func(*AgreementRow) error) error
	// Evidence calls fn with every evidence item, with its bytes.
	Evidence(ctx context.Context, fn func(*EvidenceRow) error) error
	// Events calls fn with every incident event, "created" ones included.
	Events(ctx context.Context, fn func(*EventRow) error) error
	// Judgements calls fn with every judgement, under every version.
	Judgements(ctx context.Context, fn func(*JudgementRow) error) error
	// Incidents calls fn with every incident, merged-away ones included.
	Incidents(ctx context.Context, fn func(*IncidentRow) error) error
	// Sites calls fn with every site.
	Sites(ctx context.Context, fn func(*truce.Site) error) error
	// Tokens calls fn with every token, revoked ones included.
	Tokens(ctx context.Context, fn func(*truce.Token) error) error
	// Claims calls fn with every claim, published or not.
	Claims(ctx context.Context, fn func(*truce.Claim) error) error
	// Tallies calls fn with every tally.
	Tallies(ctx context.Context, fn func(*truce.Tally) error) error
	// ClaimMatches calls fn with every stored match decision.
	ClaimMatches(ctx context.Context, fn func(*truce.ClaimMatch) error) error
	// Observations calls fn with every observation, published or not.
	Observations(ctx context.Context, fn func(*truce.Observation) error) error
	// Restrictions calls fn with every restriction of access.
	Restrictions(ctx context.Context, fn func(*truce.AccessRestriction) error) error
	// Current returns the current agreement version as stored; ok is
	// false if none is stored (the store then takes the latest agreement
	// version). A stored version that is not a number is returned as -1.
	Current(ctx context.Context) (id truce.AgreementID, version int, ok bool, err error)
}

// ReportRow is a stored report.
type ReportRow struct {
	Report      *truce.Report
	SubmittedBy truce.PartyID
	Incident    truce.IncidentID // the incident it belongs to now
	CreatedAt   time.Time
	LogIndex    int64
	Record      []byte
}

// AgreementRow is a stored agreement version, with its bundle.
type AgreementRow struct {
	Version *truce.AgreementVersion // LogIndex names its record
	Record  []byte
}

// EvidenceRow is a stored evidence item with its bytes.
type EvidenceRow struct {
	Evidence *truce.Evidence
	Content  []byte
	LogIndex int64 // the record of its evidence event
}

// EventRow is a stored incident event.
type EventRow struct {
	Event  *truce.Event // LogIndex names its record
	Record []byte
}

// JudgementRow is a stored judgement of one report under one agreement
// version.
type JudgementRow struct {
	Report      truce.ReportID
	Agreement   truce.AgreementID
	Version     int
	Outcome     truce.Outcome
	Explanation string
	// Detail is the stored detail (facts and findings) as JSON, as the
	// store keeps it or unpacked from its stored form (SQLite packs it):
	// its SHA-256 is in the record. Judgement is the store's decoding of
	// it, nil if it does not decode.
	Detail    []byte
	Judgement *truce.Judgement
	// The columns the filters and incident figures use, which must agree
	// with the detail.
	Perpetrator truce.PartyID
	Phases      []truce.PhaseID
	LogIndex    int64
	Record      []byte
}

// IncidentRow is a stored incident as its readers see it (without its
// report ids).
type IncidentRow struct {
	Incident   *truce.IncidentSummary
	MergedInto truce.IncidentID
}

// VerifyRows checks every row that a page, an export or a permission
// decision reads against the log: each row is either logged (it must
// match the record its log index names, rebuilt with this package's
// record builders, so that a log copied from another backend verifies
// too) or derived from logged rows and records (it must equal what they
// derive to). Records of reports, agreement versions and events must
// still have their rows; sites and tokens must be exactly those the log
// holds, and so must claims, tallies, the latest match decisions,
// observations and restrictions of access.
// docs/operations.md lists every column and how it is checked.
//
// It stops at the first problem, returned as an error wrapping
// ErrLedgerDiverged that names the table and the row, e.g. "incident X:
// outcome violation, want undetermined ...". It does not check the tree:
// run Verify first.
func VerifyRows(ctx context.Context, src RowSource) (RowCheck, error) {
	v := &rowVerifier{st: NewState(), created: map[truce.IncidentID]bool{},
		evidence: map[evidenceKey]*evidenceSeen{}, reports: map[truce.ReportID]*figReport{}}
	for _, step := range []func(context.Context, RowSource) error{
		v.replay, v.reportRows, v.agreementRows, v.evidenceRows, v.eventRows, v.judgementRows,
		v.currentRow, v.incidentRows, v.siteRows, v.tokenRows, v.claimRows, v.fieldRows, v.orphans,
	} {
		if err := ctx.Err(); err != nil {
			return v.rc, err
		}
		if err := step(ctx, src); err != nil {
			return v.rc, err
		}
	}
	return v.rc, nil
}

// Record kinds that must keep a row, in rowVerifier.needs.
const (
	needsNone uint8 = iota
	needsReport
	needsAgreement
	needsEvent
)

type evidenceKey struct {
	incident truce.IncidentID
	id       string
}

type evidenceSeen struct {
	ev       truce.Evidence
	logIndex int64
	used     bool
}

type rowVerifier struct {
	st       *State
	rc       RowCheck
	needs    []uint8 // by record index: the row a record needs
	used     []bool  // by record index: a row names it
	created  map[truce.IncidentID]bool
	evidence map[evidenceKey]*evidenceSeen
	reports  map[truce.ReportID]*figReport
}

func diverged(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrLedgerDiverged)
}

// sameTime reports whether a stored time is the logged one: records keep
// microseconds.
func sameTime(stored, logged time.Time) bool {
	return stored.UTC().Truncate(time.Microsecond).Equal(logged)
}

// record decodes log record idx, given its stored bytes (nil if absent);
// it must be of the given kind and subject.
func (v *rowVerifier) record(idx int64, data []byte, kind, subject string) (*Record, error) {
	if data == nil {
		return nil, diverged("log record %d is missing", idx)
	}
	rec, err := DecodeRecord(data)
	if err != nil {
		return nil, fmt.Errorf("log record %d: %w: %w", idx, err, ErrLedgerDiverged)
	}
	if rec.Kind != kind || rec.Subject != subject {
		return nil, diverged("log record %d is %s %q, not %s %q", idx, rec.Kind, rec.Subject, kind, subject)
	}
	return rec, nil
}

// use marks record idx as named by a row.
func (v *rowVerifier) use(idx int64) {
	if idx >= 0 && idx < int64(len(v.used)) {
		v.used[idx] = true
	}
}

// replay applies every record to the state the rows must match.
func (v *rowVerifier) replay(ctx context.Context, src RowSource) error {
	return src.Records(ctx, func(idx int64, data []byte) error {
		if n := int64(len(v.needs)); idx != n {
			return diverged("log record %d is missing", n)
		}
		rec, err := DecodeRecord(data)
		if err == nil {
			err = v.st.Apply(rec)
		}
		if err != nil {
			return fmt.Errorf("log record %d: %w: %w", idx, err, ErrLedgerDiverged)
		}
		need := needsNone
		switch rec.Kind {
		case KindReport:
			need = needsReport
		case KindAgreement:
			need = needsAgreement
		case KindEvent:
			need = needsEvent
		}
		v.needs = append(v.needs, need)
		v.used = append(v.used, false)
		return nil
	})
}

// orphans checks that every report, agreement and event record still has
// its row.
func (v *rowVerifier) orphans(ctx context.Context, src RowSource) error {
	missing := int64(-1)
	for i, need := range v.needs {
		if need != needsNone && !v.used[i] {
			missing = int64(i)
			break
		}
	}
	if missing < 0 {
		return nil
	}
	// Read the record again to name it: this is the error path only.
	what := ""
	err := src.Records(ctx, func(idx int64, data []byte) error {
		if idx == missing {
			if rec, err := DecodeRecord(data); err == nil {
				what = fmt.Sprintf(" (%s %s)", rec.Kind, rec.Subject)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return diverged("log record %d%s has no row: it was deleted", missing, what)
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
