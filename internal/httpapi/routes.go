package httpapi

import (
	"context"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"truce"
	"truce/internal/report"
)

// handle registers one operation: it checks op for the caller before the
// handler runs, and turns every error into its HTTP form.
func handle[I, O any](s *Server, o huma.Operation, op Op, h func(ctx context.Context, p truce.Principal, in *I) (*O, error)) {
	if o.Metadata == nil {
		o.Metadata = map[string]any{}
	}
	o.Metadata["op"] = op
	declareErrors(&o, op, reflect.TypeFor[I]())
	if o.Description == "" {
		o.Description = o.Summary + "."
	}
	roles := permissions[op]
	o.Description += "\n\nAllowed roles: " + rolesText(roles) + "."
	huma.Register(s.api, o, func(ctx context.Context, in *I) (*O, error) {
		p := principal(ctx)
		if err := authorize(p, op); err != nil {
			return nil, s.fail(ctx, err)
		}
		out, err := h(ctx, p, in)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		if o.Method != http.MethodGet {
			s.metrics.logAppends.Inc()
		}
		return out, nil
	})
}

func rolesText(roles []truce.Role) string {
	out := ""
	for i, r := range roles {
		if i > 0 {
			out += ", "
		}
		if r == "" {
			out += "public"
		} else {
			out += string(r)
		}
	}
	return out
}

// Operations lists every registered operation with its Op, for the
// permission table test.
func (s *Server) Operations() []*huma.Operation {
	var out []*huma.Operation
	for _, pi := range s.api.OpenAPI().Paths {
		for _, o := range []*huma.Operation{pi.Get, pi.Post, pi.Put, pi.Patch, pi.Delete} {
			if o != nil {
				out = append(out, o)
			}
		}
	}
	return out
}

// routes registers every operation of the API, one a line: its method
// and path, id, tag and summary, the permission it needs (authz.go) and
// its handler, a method of Server next to its input and output types.
func (s *Server) routes() {
	// Agreements and sites: agreements.go.
	handle(s, operation("GET /api/v1/agreement", "get-agreement", "agreements", "The current agreement: parties, zones, phases with their schedule per reading, obligations and positions", mayAnswer(http.StatusNotFound)), OpRead, s.getAgreement)
	handle(s, operation("GET /api/v1/obligations", "list-obligations", "agreements", "The current agreement's obligations (e.g. prisoner exchanges) and their status", mayAnswer(http.StatusNotFound)), OpRead, s.listObligations)
	handle(s, operation("GET /api/v1/timeline", "get-timeline", "agreements", "The timeline per reading: when each party's obligations began, who breached first, when a party could first consider itself free under a release clause, and what followed", mayAnswer(http.StatusNotFound)), OpRead, s.getTimeline)
	handle(s, operation("GET /api/v1/positions", "list-positions", "agreements", "Each party's positions on each phase over time, with conditions and sources", mayAnswer(http.StatusNotFound)), OpRead, s.listPositions)
	handle(s, operation("GET /api/v1/agreements/{id}/versions", "list-agreement-versions", "agreements", "Every stored version of an agreement"), OpRead, s.listAgreementVersions)
	handle(s, operation("GET /api/v1/agreements/{id}/versions/{version}/bundle", "get-agreement-bundle", "agreements", "One version's bundle: a zip of agreement.yaml and its zone files, byte for byte as stored (its SHA-256 is in the log)", answers(map[string]*huma.Schema{"application/zip": binary("application/zip")})), OpRead, s.getAgreementBundle)
	handle(s, operation("POST /api/v1/agreements", "upload-agreement", "agreements", "Upload a new agreement version and re-adjudicate every report", describe(uploadAgreementDoc), maxBody(32<<20), status(http.StatusCreated)), OpUploadAgreement, s.uploadAgreement)
	handle(s, operation("GET /api/v1/sites", "list-sites", "sites", "Protected sites, with their categories under the current agreement"), OpRead, s.listSites)
	handle(s, operation("POST /api/v1/sites", "upload-sites", "sites", "Upload protected sites (GPPD CSV, sites CSV or GeoJSON)", maxBody(64<<20)), OpUploadSites, s.uploadSites)

	// Reports: reports.go.
	handle(s, operation("POST /api/v1/reports", "create-report", "reports", "Submit one report; it opens an incident and is judged against the current agreement", status(http.StatusCreated), maxBody(256<<10)), OpSubmitReport, s.createReport)
	handle(s, operation("POST /api/v1/reports/bulk", "upload-reports", "reports", "Upload a file of reports in any supported format; bad rows are skipped and listed", maxBody(128<<20)), OpBulkUpload, s.uploadReports)
	handle(s, operation("GET /api/v1/reports/{id}", "get-report", "reports", "One report with its provenance and its judgement under the current agreement"), OpRead, s.getReport)
	handle(s, operation("POST /api/v1/reports/{id}/split", "split-report", "incidents", "Move a report out of its incident into an incident of its own"), OpMergeSplit, s.splitReport)

	// Incidents and their review: incidents.go.
	handle(s, operation("GET /api/v1/incidents", "list-incidents", "incidents", "Incidents you may read, filtered, in (start time, id) order, a page at a time"), OpRead, s.listIncidents)
	handle(s, operation("GET /api/v1/incidents/{id}", "get-incident", "incidents", "An incident with its reports, judgements, history, evidence and log records"), OpRead, s.getIncident)
	handle(s, operation("POST /api/v1/incidents/{id}/status", "change-status", "review", "Move an incident in the review workflow (reported → under_review → verified | unverifiable | dismissed; back to under_review)"), OpReview, s.changeStatus)
	handle(s, operation("POST /api/v1/incidents/{id}/notes", "add-note", "review", "Attach a monitor's note", status(http.StatusCreated)), OpNote, s.addNote)
	handle(s, operation("POST /api/v1/incidents/{id}/responses", "respond", "review", "A party answers an incident that accuses it; the incident is then contested by that party", status(http.StatusCreated)), OpRespond, s.respond)
	handle(s, operation("POST /api/v1/incidents/{id}/evidence", "add-evidence", "review", addEvidenceSummary, describe(addEvidenceDoc), status(http.StatusCreated), maxBody(23<<20)), OpAddEvidence, s.addEvidence)
	handle(s, operation("GET /api/v1/incidents/{id}/evidence/{evidence}", "get-evidence", "review", "The bytes of an evidence item (check them against its SHA-256)", describe(getEvidenceDoc), evidenceAnswers()), OpRead, s.getEvidence)
	handle(s, operation("POST /api/v1/incidents/{id}/publish", "publish-incident", "review", "Make an incident visible to observers and the public"), OpReview, s.publishIncident)
	handle(s, operation("POST /api/v1/incidents/{id}/merge", "merge-incidents", "incidents", "Merge another incident's reports into this one (each report keeps its source)"), OpMergeSplit, s.mergeIncidents)

	// The parties' claims and tallies, checked against the record: claims.go.
	handle(s, operation("POST /api/v1/claims", "create-claim", "claims", "File one claim: a party files as itself (unpublished until a monitor publishes it); a monitor or admin for a named claimant", status(http.StatusCreated), maxBody(64<<10)), OpFileClaim, s.createClaim)
	handle(s, operation("POST /api/v1/claims/bulk", "upload-claims", "claims", "Upload a file of claims or tallies (CSV or JSON Lines, docs/claims-format.md); bad rows are skipped and listed", maxBody(16<<20)), OpUploadClaims, s.uploadClaims)
	handle(s, operation("GET /api/v1/claims", "list-claims", "claims", "The claims you may read, each with what the independent evidence you may read says of it (corroborated, contradicted, judged, unverified) and why"), OpRead, s.listClaims)
	handle(s, operation("GET /api/v1/claims/figures", "claim-figures", "claims", "Claimed vs found: per accused party and day, the claims made and their statuses beside what truce found, with running totals under each reading", mayAnswer(http.StatusNotFound)), OpRead, s.claimFigures)
	handle(s, operation("GET /api/v1/claims/{id}", "get-claim", "claims", "One claim with its status, the incidents proposed as its event (with the reason) and the monitors' decisions"), OpRead, s.getClaim)
	handle(s, operation("POST /api/v1/claims/{id}/publish", "publish-claim", "claims", "Make a party's claim readable by observers and the public", maxBody(1<<10)), OpReviewClaims, s.publishClaim)
	handle(s, operation("POST /api/v1/claims/{id}/matches", "decide-claim-match", "claims", "Confirm or reject that an incident is the event a claim describes; a later decision on the same pair replaces it", maxBody(16<<10)), OpReviewClaims, s.decideMatch)
	handle(s, operation("GET /api/v1/tallies", "list-tallies", "claims", "The parties' stated counts of the other side's breaches, as stated"), OpRead, s.listTallies)

	// Field monitoring, the mission's own record: field.go, fieldops.go.
	handle(s, operation("POST /api/v1/observations", "create-observation", "field", "Record one observation of ceasefire violations that monitors saw or heard; its id is the idempotency key (the same observation sent twice is stored once)", status(http.StatusCreated), maxBody(64<<10)), OpRecordField, s.createObservation)
	handle(s, operation("GET /api/v1/observations", "list-observations", "field", "The monitors' observations you may read, in (start, id) order"), OpRead, s.listObservations)
	handle(s, operation("GET /api/v1/observations/{id}", "get-observation", "field", "One observation"), OpRead, s.getObservation)
	handle(s, operation("POST /api/v1/observations/{id}/publish", "publish-observation", "field", "Make an observation readable by observers and the public", maxBody(1<<10)), OpRecordField, s.publishObservation)
	handle(s, operation("POST /api/v1/restrictions", "create-restriction", "field", "Record one restriction of the monitors' access (denial, delay, conditional access); its id is the idempotency key", status(http.StatusCreated), maxBody(64<<10)), OpRecordField, s.createRestriction)
	handle(s, operation("GET /api/v1/restrictions", "list-restrictions", "field", "The restrictions of access you may read, in (start, id) order"), OpRead, s.listRestrictions)
	handle(s, operation("GET /api/v1/restrictions/{id}", "get-restriction", "field", "One restriction of access"), OpRead, s.getRestriction)
	handle(s, operation("POST /api/v1/restrictions/{id}/publish", "publish-restriction", "field", "Make a restriction of access readable by observers and the public", maxBody(1<<10)), OpRecordField, s.publishRestriction)
	handle(s, operation("POST /api/v1/field/bulk", "upload-field", "field", "Upload a file of observations or restrictions (CSV or JSON Lines, docs/field-format.md); bad rows are skipped and listed", maxBody(16<<20)), OpRecordField, s.uploadField)
	handle(s, operation("GET /api/v1/exports/observations", "export-observations", "exports", "Every observation you may read, judged, with where the observed event lies, as CSV (hxl=true: with HXL hashtags), GeoJSON (points at the observers' positions) or JSON", s.fieldExportAnswers(reflect.TypeFor[report.ObservationRow]())), OpRead, s.exportObservations)
	handle(s, operation("GET /api/v1/exports/restrictions", "export-restrictions", "exports", "Every restriction of access you may read, judged, as CSV (hxl=true: with HXL hashtags), GeoJSON or JSON", s.fieldExportAnswers(reflect.TypeFor[report.RestrictionRow]())), OpRead, s.exportRestrictions)
	handle(s, operation("GET /api/v1/daily", "get-daily", "field", "The daily report of a day: per area and per side, violations observed and alleged, explosions by kind, restrictions of access, beside the previous day, with running totals since the last recommitment (the same figures as `truce daily`)", s.dailyAnswers(), mayAnswer(http.StatusNotFound)), OpRead, s.getDaily)

	// The tamper-evident log: logapi.go.
	handle(s, operation("GET /api/v1/log/key", "log-key", "log", "The log's verifier (public) key, in sumdb/note form (name+hash+base64 Ed25519 key)", logText("the verifier key and a newline")), OpReadLog, s.logKey)
	handle(s, operation("GET /api/v1/log/checkpoint", "log-checkpoint", "log", "The latest signed checkpoint (C2SP checkpoint format: origin, size, root hash, then the signature, then the cosignatures the agreement's witnesses have returned for it so far). It covers the integrated records only: a write is integrated tens of milliseconds after it is acknowledged, and a proof at a larger size answers 425 with Retry-After", logText("the signed checkpoint: a note whose text is the origin, size and root hash, then a blank line and the signature lines")), OpReadLog, s.logCheckpoint)
	handle(s, operation("GET /api/v1/log/checkpoint/final", "log-final-checkpoint", "log", "The newest checkpoint cosigned by as many of the agreement's witnesses as its witness policy asks (C2SP tlog-cosignature lines after the log's signature): the checkpoint the record is published at. 404 while none is, or when the agreement names no witnesses", logText("the signed checkpoint with the witnesses' cosignatures"), mayAnswer(http.StatusNotFound)), OpReadLog, s.logFinalCheckpoint)
	handle(s, operation("GET /api/v1/log/records/{index}", "log-record", "log", "One log record, byte for byte as hashed (canonical JSON); records about unpublished incidents need a role that may read them", answers(map[string]*huma.Schema{"application/json": logRecordSchema()}), mayAnswer(http.StatusForbidden)), OpReadLog, s.logRecord)
	handle(s, operation("GET /api/v1/log/proofs/inclusion", "log-inclusion-proof", "log", "An RFC 6962 inclusion proof of record index in the tree of the given size"), OpReadLog, s.inclusionProof)
	handle(s, operation("GET /api/v1/log/proofs/consistency", "log-consistency-proof", "log", "An RFC 6962 consistency proof between two tree sizes"), OpReadLog, s.consistencyProof)

	// Tokens: tokens.go.
	handle(s, operation("POST /api/v1/tokens", "create-token", "tokens", "Create a token", status(http.StatusCreated)), OpManageTokens, s.createToken)
	handle(s, operation("GET /api/v1/tokens", "list-tokens", "tokens", "List tokens (never their secrets)"), OpReadTokens, s.listTokens)
	handle(s, operation("DELETE /api/v1/tokens/{id}", "revoke-token", "tokens", "Revoke a token", status(http.StatusNoContent)), OpManageTokens, s.revokeToken)

	// Summaries and exports: exports.go.
	handle(s, operation("GET /api/v1/summary", "get-summary", "reports", "The period report of the records you may read: counts per phase and party, a daily series, violations and disputed cases (the same figures as `truce report`)", s.summaryAnswers(), mayAnswer(http.StatusNotFound)), OpRead, s.getSummary)
	handle(s, operation("GET /api/v1/exports/incidents", "export-incidents", "exports", "Every incident you may read, matching the filters, as CSV, GeoJSON or JSON (streamed)", describe(exportIncidentsDoc), s.exportAnswers()), OpRead, s.exportIncidents)
}

// operation describes an operation to huma: pattern is its method and
// path, as in a ServeMux pattern ("GET /api/v1/incidents"); id, tag and
// summary appear in the OpenAPI document; opts set the rest.
func operation(pattern, id, tag, summary string, opts ...func(*huma.Operation)) huma.Operation {
	method, path, _ := strings.Cut(pattern, " ")
	o := huma.Operation{OperationID: id, Method: method, Path: path, Tags: []string{tag}, Summary: summary}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// describe sets an operation's description; handle appends the roles
// allowed to call it.
func describe(text string) func(*huma.Operation) {
	return func(o *huma.Operation) { o.Description = text }
}

// status sets the status of an operation's successful answer (default 200).
func status(code int) func(*huma.Operation) {
	return func(o *huma.Operation) { o.DefaultStatus = code }
}

// maxBody bounds the request body of an operation (huma's default: 1 MiB).
func maxBody(n int64) func(*huma.Operation) {
	return func(o *huma.Operation) { o.MaxBodyBytes = n }
}
