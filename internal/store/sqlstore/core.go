package sqlstore

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/ledger"
)

// Dialect is how a driver's columns differ where the shared code reads
// or writes them.
type Dialect interface {
	// List returns a destination for Scan that reads a list column
	// (PostgreSQL text[], SQLite |a|b| text) into *dest.
	List(dest *[]string) any
	// ListValue returns the value a list column holding ss is written
	// with.
	ListValue(ss []string) any
	// Aggregate returns a destination for Scan that reads a column the
	// driver's query aggregated from several rows (PostgreSQL ARRAY(...),
	// SQLite json_group_array) into *dest.
	Aggregate(dest *[]string) any
	// ReportIDs is the SQL of the ids of the reports of the incident
	// whose id is the column incident, in (start, id) order, as
	// Aggregate reads them.
	ReportIDs(incident string) string
	// Param is the placeholder of the n-th argument (from 1) of a
	// statement of many arguments: PostgreSQL's $n, SQLite's plain ?.
	// SQLite treats $n as a named parameter and the driver looks each
	// name up in a list, so a statement of 1,000 $n spent most of its
	// time in those lookups.
	Param(n int) string
	// Borrow returns a destination for Scan that reads a bytes column
	// into *dest without copying it where the driver can: *dest is then
	// valid only until the next row is read.
	Borrow(dest *[]byte) any
	// ReadHashes reads the log's stored hashes at indexes from db. A
	// missing or malformed hash is tampering: an error wrapping
	// ledger.ErrLedgerDiverged (see StoredHash).
	ReadHashes(ctx context.Context, db DB, indexes []int64) ([]tlog.Hash, error)
}

// WriteTx is a driver's write transaction: the domain rows it writes and
// their log records commit together, and the driver signs a checkpoint of
// the tree before the commit. Its methods execute steps in the driver's
// own SQL; Core decides which steps a write takes.
type WriteTx interface {
	DB
	// Now is the time fixed when the transaction began: every row and
	// record it writes carries it.
	Now() time.Time
	// Log appends rec, built by a ledger record builder whose error it
	// passes on, and returns its index.
	Log(rec *ledger.Record, err error) (int64, error)
	// LogEncoded appends a record EncodeRecord returned, built with the
	// time of this write (Now), and returns its index.
	LogEncoded(data []byte) (int64, error)
	// Size returns the size of the log: the records before the
	// transaction and those it has appended.
	Size() (int64, error)
	// Appended reports whether the transaction has appended a record.
	Appended() bool
	// ExecLater runs a statement whose result the write does not read: a
	// store whose statements each cost a round trip (PostgreSQL) sends it
	// with the write's next statement, or at the write's end, while one
	// that runs in process (SQLite) runs it at once. Statements run in
	// the order given. If it fails, the write fails with fail(err), the
	// statement's error: at once, or as a *LaterError from whichever
	// later statement reports it.
	ExecLater(ctx context.Context, fail func(error) error, sql string, args ...any) error
	// QueryRowLater runs a query for one row whose result the write
	// reads only once its next statement has run: it goes with that
	// statement, as ExecLater's do, where statements cost a round trip,
	// and runs at once in process. scan is called with the row (whose
	// Scan returns ErrNoRows if there is none) when the query has run, at
	// the latest when the write's next statement returns; an error of the
	// query or of scan fails the write with fail(err), as ExecLater's.
	// The statements held with it run whatever scan finds: a write that
	// fails on what it finds is rolled back with them.
	QueryRowLater(ctx context.Context, fail func(error) error, scan func(Scanner) error, sql string, args ...any) error
	// InsertReports stores the reports whose ids are not stored yet
	// (the first copy of an id rs holds twice), each opening an incident
	// of its own (status reported, with its created event), logs each
	// one, and returns which reports of rs it stored; pre, if not nil,
	// is what was prepared of them before the write.
	InsertReports(by truce.Principal, rs []*truce.Report, opt truce.PutOptions, pre *Prepared) ([]bool, error)
	// LatestJudgements returns the latest stored judgement of each of
	// the reports under any agreement version (by log index), and each
	// report's incident and the fields its brief keeps
	// (JudgedReportCols); a report missing from reports is not stored.
	LatestJudgements(ids []truce.ReportID) (latest map[truce.ReportID]StoredJudgement, reports map[truce.ReportID]JudgedReport, err error)
	// PutJudgementRows inserts the rows (their Record and Judgement
	// aside) and their briefs, replacing the judgement and brief of the
	// same report under the same agreement version.
	PutJudgementRows(rows []JudgementWrite) error
	// Refresh recomputes the figures of incidents ids, at least one,
	// from their reports' judgements under agreement version (agreement,
	// version), the current one, with ledger.IncidentFigures. An incident
	// without reports keeps its figures.
	Refresh(agreement truce.AgreementID, version int, ids []truce.IncidentID) error
}

// Prepared is what PutJudgedReports prepares of its reports before their
// write, for InsertReports: each slice is nil, or holds rs[i]'s at i.
type Prepared struct {
	// Figures are what the incident of a new report starts with: its
	// report judged under the current agreement. Without them a new
	// incident has no figures but its report's start and place.
	Figures []ledger.Figures
	// Records are the reports' log records (EncodeRecord), built with
	// the write's time (WithWriteTime).
	Records [][]byte
	// UseFigures, if not nil, says whether Figures apply. It is called
	// after InsertReports's first statement, so that a query held
	// before it (WriteTx.QueryRowLater) may decide.
	UseFigures func() bool
	// Unstored, if not nil, says which reports were new when read ahead
	// of the write (Driver.ReadAhead; FirstCopies' answer): InsertReports
	// takes them as new without reading it again, and MUST fail the write
	// with ErrStale if one of them is stored by the time it inserts it.
	Unstored []bool
}

// NewFigures returns the Figures that apply, nil if none do.
func (p *Prepared) NewFigures() []ledger.Figures {
	if p.UseFigures != nil && !p.UseFigures() {
		return nil
	}
	return p.Figures
}

// Options configure the opening of a store, of either driver.
type Options struct {
	// LogOrigin names the log if its signing key is generated by this
	// store.
	LogOrigin string
	// RequireCurrentSchema refuses a database whose schema is older than
	// this binary's (run the store's Migrate, i.e. `truce migrate`,
	// first); a new, empty database is migrated. The server opens with
	// it.
	RequireCurrentSchema bool
}

// Driver is what a SQL store gives its Core.
type Driver struct {
	// DB reads outside any transaction.
	DB      DB
	Dialect Dialect
	// Now returns the store's current time. It is read at each call:
	// tests replace the store's clock after it is opened.
	Now func() time.Time
	// Write runs fn in one write transaction (WriteTx) and commits it if
	// fn returns nil.
	Write func(ctx context.Context, fn func(WriteTx) error) error
	// Integrate, if not nil, runs fn, an integration (Core.Integrate), in
	// a write transaction that need not hold the log lock, only one that
	// keeps integrations from overlapping; see the contract in
	// integrate.go. Nil: integrations run with Write.
	Integrate func(ctx context.Context, fn func(WriteTx) error) error
	// HashOnSnapshot makes an integration hash and sign on a read
	// Snapshot, outside its write transaction, which then only stores the
	// result (Core.Integrate). A store with one writer (SQLite) sets it:
	// its writes would otherwise wait for the hashing.
	HashOnSnapshot bool
	// PackDetails makes the store keep judgement details packed
	// (PackDetail; JudgementWrite.Stored): SQLite, which does not compress
	// what it stores. Readers accept either form (UnpackDetail).
	PackDetails bool
	// Tx runs fn in a transaction that does not log (sessions) and
	// commits it if fn returns nil.
	Tx func(ctx context.Context, fn func(DB) error) error
	// Snapshot begins a read-only transaction on one snapshot; the caller
	// calls done when finished.
	Snapshot func(ctx context.Context) (db DB, done func(), err error)
	// Key returns the log's origin and keys, generating them on first
	// use (see Key).
	Key func(ctx context.Context) (origin, signer, verifier string, err error)
	// ReadAhead, if not nil, returns which of ids are stored reports,
	// read on DB outside any write: PutJudgedReports reads what its write
	// depends on (which reports are new, the agreement's state) ahead of
	// the write, which checks it with its own statements instead of
	// reading it in a round trip of its own (Prepared.Unstored). A driver
	// whose write holds a lock every server waits for over each round
	// trip sets it (PostgreSQL); if what was read ahead has changed when
	// the write runs, the write fails with ErrStale and runs again,
	// reading in the write.
	ReadAhead func(ctx context.Context, ids []string) (map[string]bool, error)
	// CheckRows, if not nil, checks on VerifyRows' snapshot what only this
	// driver can get wrong, such as the form of its encodings, before the
	// ledger compares the rows with the log. A problem is an error
	// wrapping ledger.ErrLedgerDiverged.
	CheckRows func(ctx context.Context, db DB) error
}

// Core is the driver-neutral half of a SQL store. A driver's Store embeds
// it, so that its methods are the store's; see the package comment for
// which ones. The zero Core is not usable: use NewCore.
type Core struct {
	d Driver
}

// NewCore returns the Core of a store whose driver is d. Every field of d
// but CheckRows and Integrate MUST be set.
func NewCore(d Driver) Core {
	if d.Integrate == nil {
		d.Integrate = d.Write
	}
	return Core{d: d}
}

// write runs fn in a write transaction and returns what it returns, or
// its zero value with the transaction's error.
func write[T any](ctx context.Context, c Core, fn func(w WriteTx) (T, error)) (T, error) {
	var v T
	err := c.d.Write(ctx, func(w WriteTx) error {
		var err error
		v, err = fn(w)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}
