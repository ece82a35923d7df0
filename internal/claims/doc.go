// Package claims checks the parties' own accusations against the record:
// it proposes the incidents that could be the event a claim describes
// (Match), reads what the matched evidence says of the claim (Status), and
// sets the claims made against each party beside what truce itself found
// (ClaimedVsFound).
//
// It is pure: it reads claims, incidents with their reports and
// judgements, monitors' match decisions and optional sensor observations
// handed to it, and never touches a store, a clock or the network.
//
// A claim is what a party said, never evidence of itself. Only a source
// the claimant does not control can corroborate or contradict it: a report
// submitted by the claimant, published by an outlet it controls, or whose
// text relays one of the claimant's voices ("Zelensky: ...", "the Russian
// defence ministry said ...") is the claim repeated, not checked.
//
// Statuses, in order of precedence (Status):
//
//   - contradicted: an independent report of the matched event names an
//     actor other than the accused and none names the accused; or, with no
//     report of the event at all, a sensor observed the claimed point for
//     the whole claimed window and saw nothing.
//   - judged: an independent report of the event that establishes the
//     attack (by the accused, or by an unknown actor) was adjudicated; the
//     verdict and explanation carry over. Judged outranks corroborated
//     because it says more (the verdict), and a judged claim is always
//     corroborated too: Result.Corroborated says so.
//   - corroborated: an independent source reports the event, but no
//     judgement of it establishes the attack.
//   - unverified: none of these, with the reason. Absence of evidence is
//     not contradiction.
package claims
