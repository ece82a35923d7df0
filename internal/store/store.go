// Package store declares what every truce storage backend provides beyond
// truce.Store: the views of the tamper-evident log that `truce ledger
// verify`, backups and migrations between backends read. The backends are
// internal/store/sqlite and internal/store/postgres; the conformance suite
// in internal/store/storetest tests both against this interface.
package store

import (
	"context"

	"truce"
	"truce/internal/ledger"
)

// Backend is a store with its log views, as the command line, the server
// and the conformance suite use it.
type Backend interface {
	truce.Store
	// LogSource returns the whole log on one read-only snapshot, for
	// ledger.Verify and ledger.ExportBundle; the caller calls the
	// returned function when done.
	LogSource(ctx context.Context) (ledger.Source, func(), error)
	// Integrate integrates every record sequenced so far into the tree
	// and signs a checkpoint of the new size; it returns that size. It
	// takes the log lock, so it waits behind writers: a command that
	// must show a checkpoint covering every write calls it, a request
	// handler does not (the background integrator does it).
	Integrate(ctx context.Context) (int64, error)
	// VerifyRows checks the stored rows against the log records they
	// name or derive from (ledger.VerifyRows) on one snapshot, and counts
	// what it compared. A mismatch wraps ledger.ErrLedgerDiverged and
	// names the table and the row.
	VerifyRows(ctx context.Context) (ledger.RowCheck, error)
}
