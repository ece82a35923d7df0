// Package witness is a C2SP tlog-witness (https://c2sp.org/tlog-witness):
// a server that cosigns a log's checkpoint only if it is consistent with
// every checkpoint of that log it has cosigned before, and the client side
// that a log uses to collect cosignatures and that anyone uses to check
// them against a witness policy.
//
// A log operator holds the only log key, so it could show one history to
// some readers and another to others (a split view, or fork). Independent
// witnesses remember, per log origin, the latest (size, root hash) they
// cosigned, in their own SQLite file, and refuse any checkpoint that does
// not extend it: a checkpoint of the same size with another root, or one
// whose consistency proof fails. A reader that requires cosignatures from a
// threshold of witnesses (a Policy) therefore sees the same history as
// every other such reader, or holds evidence of a fork (DetectFork).
//
// Cosignatures are C2SP tlog-cosignature/v1 lines (signature type 0x04,
// timestamped Ed25519), made and checked with filippo.io/torchwood. A
// witness key is an ordinary golang.org/x/mod/sumdb/note Ed25519 signer key
// ("PRIVATE+KEY+<name>+…"); its public half is published as a cosignature
// verifier key ("<name>+<hash>+<base64 of 0x04 and the public key>"), which
// is what goes in a witness policy.
//
// The server writes the new state in the same SQLite transaction that
// checks the old one (a compare-and-swap on the size), and answers with the
// cosignature only after that transaction commits, so neither a race nor a
// crash can make it cosign two inconsistent checkpoints.
package witness
