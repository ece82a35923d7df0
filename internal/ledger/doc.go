// Package ledger implements truce's tamper-evident, append-only log of every
// accepted write.
//
// # Design
//
// The log is an RFC 6962 (Certificate Transparency) Merkle tree built with
// golang.org/x/mod/sumdb/tlog, the implementation behind the Go checksum
// database. It is not a hash chain: a Merkle tree gives short proofs that a
// record is in the log (inclusion, ~log₂ n hashes) and that a later log
// extends an earlier one (consistency), so a client holding one signed
// checkpoint can check any record or any later checkpoint without the whole
// log.
//
// Each record is a Record encoded canonically by Record.Bytes. The leaf hash
// is tlog.RecordHash(bytes) = SHA-256(0x00 || bytes), so the exact bytes
// matter and are fixed by the encoding version V.
//
// The tree's state is the list of "stored hashes" in tlog's layout: the hash
// of each complete subtree at (level, n) lives at index
// tlog.StoredHashIndex(level, n); a log of n records has
// tlog.StoredHashCount(n) ≈ 2n of them. Appending record n writes 1 + k
// hashes (k = trailing zero bits of n+1, one on average) at consecutive
// indexes starting at tlog.StoredHashIndex(0, n).
//
// Checkpoints are C2SP tlog-checkpoint bodies ("<origin>\n<size>\n<root>\n")
// signed with Ed25519 as golang.org/x/mod/sumdb/note signed notes. The origin
// is the key's name. A checkpoint is the log operator's public, signed
// commitment: once someone holds one, the operator cannot rewrite, reorder or
// drop any record it covers without that being provable.
//
// # Responsibilities
//
// This package is pure: it does no SQL and no file I/O. The stores (SQLite,
// PostgreSQL) keep the records, stored hashes and checkpoints in their own
// tables. The log is sequenced, then integrated, as in Tessera: a store
// stores a write's records, each at its index, in the same database
// transaction as the domain write, so that a write and its records commit
// or roll back together (the write is acknowledged then: durable and
// sequenced); later, in batches, its integrator calls Integrate on the
// records sequenced since the newest checkpoint and SignTree at the new
// size, and commits the hashes and the checkpoint in one transaction.
// Stores implement HashStore for that transaction and Source (an
// IntegratedSource, whose tail may not be integrated yet) on a read-only
// snapshot for Verify and ExportBundle. The store MUST:
//
//   - sequence only records that decode canonically, so that integration
//     never stops on its own records: bytes Record.Bytes returned, which
//     are canonical by construction (FuzzRecordBytes), or bytes checked
//     with DecodeRecord;
//   - never write a checkpoint but with the hashes it covers, in the
//     same transaction, so that the newest checkpoint's size is the
//     integrated size;
//   - keep record bytes verbatim (BLOB or bytea; not a JSON/JSONB column,
//     which would reorder keys or change whitespace);
//   - serialise appends and integrations, reading the log size inside the
//     transaction, and make record and hash indexes primary keys so a race
//     fails loudly;
//   - return nil from Source.Records for a record row that is absent, and an
//     error wrapping ErrLedgerDiverged from ReadHashes for an absent hash.
//
// # Canonical JSON
//
// Record bodies and Canonical use one JSON form: object keys sorted by their
// UTF-8 bytes (Unicode code point order), no insignificant whitespace,
// strings as UTF-8 with only '"', '\\' and control characters escaped (the
// RFC 8785 string rules), and numbers kept exactly as written. Invalid UTF-8,
// lone surrogates and duplicate keys are errors. Records are JSON objects with
// the keys actor, at, body, kind, subject and v; at is RFC 3339 in UTC with
// exactly six fractional digits, e.g. "2025-03-01T12:00:00.000000Z".
//
// # Verification
//
// Verify (behind `truce ledger verify`) recomputes the whole tree from the
// record bytes, compares every stored hash and checks every checkpoint's
// signature, root and consistency with its predecessor. ExportBundle writes
// the same material as a self-contained JSON Lines file that VerifyBundle
// checks offline. Clients verify single records with VerifyInclusion against
// a checkpoint returned by Open.
//
// VerifyRows (the second half of `truce log verify`) checks a store's
// rows against the log through a RowSource the store supplies (both SQL
// stores share one, in internal/store/sqlstore): every column a page, an
// export or a permission decision reads is either logged (the row must
// match its record, rebuilt with this package's record builders) or
// derived from logged records and rows (it must equal what State and
// IncidentFigures derive; the stores compute the figures they keep with
// IncidentFigures too). Reports, agreement versions, judgements, incident
// events, evidence, sites, tokens and changes of the current agreement
// version are logged; incidents' workflow state and figures are derived.
// Both stores run these same checks.
//
// Verification proves the log matches its signed checkpoints. It cannot
// detect records dropped from the end of the log after its newest
// checkpoint, which is why stores integrate and sign within tens of
// milliseconds of a write (and before any checkpoint is served), nor a
// log that was rewritten and re-signed with the operator's own key; that
// needs checkpoints kept by someone else (witnesses, auditors, or the
// parties), compared with Report.Latest.
package ledger
