// Package pipeline is the one path by which truce judges and groups its
// stored record. The command line ('truce adjudicate', 'truce demo') and
// the API server (an agreement or sites upload, a submitted report) all
// call it, so that a given store and agreement version end in the same
// judgements and the same incidents whichever way the work was started.
//
// The rules themselves stay pure in internal/adjudicate: a Judge decides
// one report, PlanMerges decides which incidents hold reports of the same
// event. This package only drives them over a truce.Store: it reads the
// reports, stores the judgements in batches (one transaction each), reads
// the incidents and applies the planned merges, and counts what it did.
//
// Stored is the whole job after an agreement version or new sites: judge
// every stored report, then group. New judges reports just stored, and
// does not group: grouping reads the whole record, which a single
// submission must not wait for; the next Stored run groups them.
//
// Callers own everything around the job: which agreement version and
// sites make the Judge, locking, and store maintenance such as
// PostgreSQL's ANALYZE after a bulk fill.
package pipeline
