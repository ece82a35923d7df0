// Package sqlstore is the driver-neutral half of truce's two SQL stores,
// internal/store/sqlite and internal/store/postgres: what they do the same
// way, written once, so that a rule or a query that is the same in both
// cannot drift. It follows tessera's rule for storage drivers: SQL per
// driver where the SQL differs, pure logic shared.
//
// # What is shared
//
//   - Core, which each driver's Store embeds, implements the methods of
//     truce.Store whose SQL is the same in both dialects but for its
//     placeholders, written $1, $2, ... (modernc.org/sqlite binds them by
//     number, as PostgreSQL does): tokens, sessions, sites, agreements,
//     single reads of reports, incidents and judgements, the log's reads
//     and proofs, VerifyRows and LogSource.
//   - Core also executes the workflow the root package decides: a store
//     asks truce (Incident.Move, EvidenceMove, CheckMerge, CanGroup,
//     CheckSplit, Contest, ...) what a write does, and only carries it
//     out. Judging and the current agreement version are orchestrated
//     here too, over the steps a driver's WriteTx executes in its own SQL.
//   - The row sources that ledger.VerifyRows and ledger.Verify read: the
//     checks are the ledger's, the iteration is here.
//   - Scanning rows into domain types, over a Dialect for what the
//     drivers keep or read differently: lists (PostgreSQL text[], SQLite
//     |a|b| text), aggregated report ids, and stored hashes (PostgreSQL
//     reads many with one array parameter).
//
// # What is not
//
// Each driver keeps its schema and migrations, how it opens, how a write
// transaction appends to the log (SQLite's single writer; PostgreSQL's
// advisory lock and COPY), its bulk inserts of reports and judgements, the
// refresh of incident figures (computed by ledger.IncidentFigures, the one
// rule), and its filtered listings: the SQL that differs.
//
// Drivers adapt their handles to DB (database/sql and pgx v5 have
// different APIs) and classify their errors into ErrNoRows, ErrUnique,
// ErrForeignKey and ErrText, so that this package never reads a driver's
// error codes or messages.
package sqlstore
