package httpapi

import (
	"slices"

	"truce"
)

// Op is something a request does. Every handler names its Op, and
// authorize is the one place that says who may do it.
type Op string

// Operations.
const (
	OpRead            Op = "read"             // read published records (and, by role, more)
	OpReadLog         Op = "read-log"         // log key, checkpoints, proofs
	OpUploadAgreement Op = "upload-agreement" // new agreement version (re-adjudicates)
	OpUploadSites     Op = "upload-sites"
	OpSubmitReport    Op = "submit-report" // one report
	OpBulkUpload      Op = "bulk-upload"   // a file of reports
	OpReview          Op = "review"        // status changes, publish
	OpNote            Op = "note"
	OpRespond         Op = "respond" // a party's denial or counter-claim
	OpAddEvidence     Op = "add-evidence"
	OpMergeSplit      Op = "merge-split"
	OpManageTokens    Op = "manage-tokens"
	OpReadTokens      Op = "read-tokens"
	OpFileClaim       Op = "file-claim"    // one claim: a party as itself, staff for a named claimant
	OpUploadClaims    Op = "upload-claims" // a file of claims or tallies
	OpReviewClaims    Op = "review-claims" // publish a claim, decide a match
	OpRecordField     Op = "record-field"  // monitors' observations and restrictions of access: record, upload, publish
)

// permissions is the permission table: the roles allowed each operation.
// "" is the anonymous public. Per-incident conditions (a party may respond
// only to incidents that accuse it) are checked by authorizeIncident.
var permissions = map[Op][]truce.Role{
	OpRead:            {"", truce.RoleObserver, truce.RoleParty, truce.RoleMonitor, truce.RoleAdmin},
	OpReadLog:         {"", truce.RoleObserver, truce.RoleParty, truce.RoleMonitor, truce.RoleAdmin},
	OpUploadAgreement: {truce.RoleAdmin},
	OpUploadSites:     {truce.RoleAdmin},
	OpSubmitReport:    {truce.RoleParty, truce.RoleMonitor, truce.RoleAdmin},
	OpBulkUpload:      {truce.RoleMonitor, truce.RoleAdmin},
	OpReview:          {truce.RoleMonitor, truce.RoleAdmin},
	OpNote:            {truce.RoleMonitor, truce.RoleAdmin},
	OpRespond:         {truce.RoleParty},
	OpAddEvidence:     {truce.RoleParty, truce.RoleMonitor, truce.RoleAdmin},
	OpMergeSplit:      {truce.RoleMonitor, truce.RoleAdmin},
	OpManageTokens:    {truce.RoleAdmin},
	OpReadTokens:      {truce.RoleAdmin},
	// A party files claims only as itself (createClaim checks the
	// claimant); nobody edits a claim once filed (there is no operation
	// for it); publication and match decisions are the monitors'.
	OpFileClaim:    {truce.RoleParty, truce.RoleMonitor, truce.RoleAdmin},
	OpUploadClaims: {truce.RoleMonitor, truce.RoleAdmin},
	OpReviewClaims: {truce.RoleMonitor, truce.RoleAdmin},
	// Observations and restrictions are the mission's own record: only
	// monitors (and admins) write them; a party reads those attributed to
	// it and what is published (truce.CanReadField, in the store).
	OpRecordField: {truce.RoleMonitor, truce.RoleAdmin},
}

// authorize says whether p may perform op at all: EUNAUTHORIZED for the
// anonymous public (sign in), EFORBIDDEN for a signed-in role that may not.
func authorize(p truce.Principal, op Op) error {
	roles, ok := permissions[op]
	if !ok {
		return truce.Errorf(truce.EINTERNAL, "no permission rule for %s", op)
	}
	if slices.Contains(roles, p.Role) {
		return nil
	}
	if p.Role == "" {
		return truce.Errorf(truce.EUNAUTHORIZED, "sign in with a token to %s", op)
	}
	return truce.Errorf(truce.EFORBIDDEN, "the %s role may not %s", p.Role, op)
}

// canSee says whether p may read an incident: monitors and admins see
// everything; a party sees what is published and what it submitted;
// everyone else sees what is published.
func canSee(p truce.Principal, in *truce.IncidentSummary) bool {
	switch p.Role {
	case truce.RoleAdmin, truce.RoleMonitor:
		return true
	case truce.RoleParty:
		return in.Published || in.SubmittedBy == p.Party
	}
	return in.Published
}

// authorizeIncident checks op on one incident, after authorize: a party
// may respond only to an incident that accuses it (and that it can see),
// and add evidence only to incidents it submitted or that accuse it.
// An incident p cannot see is reported as not found, so its existence
// does not leak.
func authorizeIncident(p truce.Principal, op Op, in *truce.IncidentSummary) error {
	if err := authorize(p, op); err != nil {
		return err
	}
	if !canSee(p, in) {
		return truce.Errorf(truce.ENOTFOUND, "incident %s not found", in.ID)
	}
	if p.Role != truce.RoleParty {
		return nil
	}
	accused := slices.Contains(in.Accused, p.Party)
	switch op {
	case OpRespond:
		if !accused {
			return truce.Errorf(truce.EFORBIDDEN, "incident %s does not accuse %s: a party may answer only accusations against it", in.ID, p.Party)
		}
	case OpAddEvidence:
		if !accused && in.SubmittedBy != p.Party {
			return truce.Errorf(truce.EFORBIDDEN, "a party may add evidence only to its own submissions and to accusations against it")
		}
	}
	return nil
}
