// Package storetest is the conformance suite every truce store backend
// runs: the same behaviour, checked the same way, whatever the SQL behind
// it (house style rules 14 and 15). A backend's test calls Run with an
// Opener that opens a fresh, empty store per subtest, using the suite's
// clock and log origin, and returns it with an Exec hook on its database
// for the tamper tests (the hook is deliberately not part of Store: no
// production caller may reach below a store):
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, sqlitetest.Open)
//	}
//
// The backends' Openers are sqlitetest.Open and pgtest.Open; Opened and
// Reopened make one from a store and a way to run statements below it.
//
// Subtests are named Method/Case (PutReports/OK, Incident/NotFound,
// ChangeStatus/Forbidden, Tamper/ReportText, ...) and run in parallel, each
// on its own store. SameLog checks two backends against each other.
package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"truce"
	"truce/internal/ledger"
	"truce/internal/store"
)

// Store is what the suite tests: a store with its log views
// (store.Backend).
type Store = store.Backend

// Options configure a store opened for one subtest.
type Options struct {
	// Now is the store's clock. The backend MUST use it for every time it
	// records (a write transaction reads it once).
	Now func() time.Time
	// LogOrigin names the log. The backend MUST generate its log key with
	// this origin: LogKey and every checkpoint carry it.
	LogOrigin string
}

// Exec runs one SQL statement directly on the database behind a store,
// below the store, to tamper with it on purpose. Placeholders are $1, $2,
// ... (both PostgreSQL and modernc.org/sqlite accept them); arguments are
// int64, string or []byte. It fails the test if the statement fails.
//
// The tamper tests rely on these tables and columns, which every backend
// MUST keep under these names: log_records (idx, data), log_hashes (idx,
// hash), log_checkpoints (size, note, created_ns), reports (id, text,
// incident_id), judgements (every column), evidence (every column),
// incidents (id, outcome, parties, phases, explanation, start_ns,
// updated_ns, status, published), incident_events (every column but id),
// agreements (version, created_ns), sites (id, lon, lat, capacity_mw, and
// name, country, category and source to insert one), tokens (id, hash,
// role, party, name, created_ns, revoked_ns), settings (key, value),
// claims (id, claimant, accused, stated_ns, lon, published), tallies (id,
// count), claim_matches (decision), observations (id, count, published),
// access_restrictions (id, kind, start_ns, lon, lat, means, party) and
// schema_migrations (version).
type Exec func(t *testing.T, stmt string, args ...any)

// ExecFunc runs one statement on the database behind a store.
type ExecFunc func(ctx context.Context, stmt string, args ...any) error

// Opened is what an Opener returns for s, a store it opened for t: s,
// closed when t ends, and an Exec hook that runs statements with exec.
func Opened(t *testing.T, s Store, exec ExecFunc) (Store, Exec) {
	s, ex, done := Reopened(t, s, exec)
	t.Cleanup(done)
	return s, ex
}

// Reopened is what a Reopener returns for s, a store it opened for t: s,
// an Exec hook that runs statements with exec, and a function that closes
// s.
func Reopened(t *testing.T, s Store, exec ExecFunc) (Store, Exec, func()) {
	ex := func(t *testing.T, stmt string, args ...any) {
		t.Helper()
		if err := exec(context.Background(), stmt, args...); err != nil {
			t.Fatalf("exec %s: %v", stmt, err)
		}
	}
	return s, ex, func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}

// Opener opens a new, empty, migrated store for one subtest and returns it
// with an Exec hook on its database. The backend closes the store and
// removes its database when t ends (t.Cleanup).
type Opener func(t *testing.T, o Options) (Store, Exec)

// Origin is the log origin the suite opens every store with.
const Origin = "truce.test/conformance"

// T0 is when the suite's clock starts: after the reports of 18-28 March
// 2025 that the fixtures describe.
var T0 = time.Date(2025, 3, 28, 12, 0, 0, 0, time.UTC)

// clock is a fixed clock that tests advance by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d and returns the new time.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// env is one subtest's store and tools.
type env struct {
	ctx   context.Context
	s     Store
	exec  Exec
	clock *clock
}

type tcase struct {
	name string
	fn   func(t *testing.T, e *env)
}

type group struct {
	name  string
	cases []tcase
}

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	groups := []group{
		{"PutReports", putReportsCases},
		{"Report", reportCases},
		{"Reports", reportsCases},
		{"PutSites", putSitesCases},
		{"Sites", sitesCases},
		{"PutAgreement", putAgreementCases},
		{"LatestAgreement", latestAgreementCases},
		{"Agreement", agreementCases},
		{"AgreementVersions", agreementVersionsCases},
		{"PutJudgements", putJudgementsCases},
		{"Judgements", judgementsCases},
		{"Judgement", judgementCases},
		{"Incident", incidentCases},
		{"MarkedIncident", markedIncidentCases},
		{"IncidentOf", incidentOfCases},
		{"Incidents", incidentsCases},
		{"Events", eventsCases},
		{"ChangeStatus", changeStatusCases},
		{"AddNote", addNoteCases},
		{"Respond", respondCases},
		{"AddEvidence", addEvidenceCases},
		{"EvidenceContent", evidenceContentCases},
		{"Publish", publishCases},
		{"Merge", mergeCases},
		{"Split", splitCases},
		{"CreateToken", createTokenCases},
		{"TokenByHash", tokenByHashCases},
		{"Tokens", tokensCases},
		{"RevokeToken", revokeTokenCases},
		{"CreateSession", createSessionCases},
		{"SessionToken", sessionTokenCases},
		{"DeleteSession", deleteSessionCases},
		{"LogKey", logKeyCases},
		{"LogSize", logSizeCases},
		{"LogRecord", logRecordCases},
		{"LatestCheckpoint", latestCheckpointCases},
		{"ProveRecord", proveRecordCases},
		{"ProveTree", proveTreeCases},
		{"Cosignatures", cosignatureCases},
		{"Verify", verifyCases},
		{"VerifyRows", verifyRowsCases},
		{"PutClaims", putClaimsCases},
		{"Claim", claimCases},
		{"Claims", claimsCases},
		{"PublishClaim", publishClaimCases},
		{"PutTallies", putTalliesCases},
		{"DecideMatch", decideMatchCases},
		{"PutField", putFieldCases},
		{"ListField", listFieldCases},
		{"Tamper", slices.Concat(tamperCases, claimTamperCases, fieldTamperCases)},
		{"Summary", summaryCases},
		{"Atomic", atomicCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.fn(t, newEnv(t, open))
				})
			}
		})
	}
}

func newEnv(t *testing.T, open Opener) *env {
	t.Helper()
	c := &clock{t: T0}
	s, exec := open(t, Options{Now: c.Now, LogOrigin: Origin})
	return &env{ctx: context.Background(), s: s, exec: exec, clock: c}
}

// Principals used by the tests.
var (
	admin    = truce.Principal{TokenID: "tok_admin", Role: truce.RoleAdmin, Name: "admin"}
	monitor  = truce.Principal{TokenID: "tok_mon1", Role: truce.RoleMonitor, Name: "OSCE-style monitor"}
	partyUA  = truce.Principal{TokenID: "tok_ua", Role: truce.RoleParty, Party: "UA", Name: "Ukraine"}
	partyRU  = truce.Principal{TokenID: "tok_ru", Role: truce.RoleParty, Party: "RU", Name: "Russian Federation"}
	observer = truce.Principal{TokenID: "tok_obs", Role: truce.RoleObserver, Name: "press"}
)

// wantCode fails the test unless err carries the application error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := truce.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// equal fails the test when got and want differ; nil and empty slices and
// maps are equal, as no caller can tell them apart through the interface.
func equal(t *testing.T, what string, want, got any, opts ...cmp.Option) {
	t.Helper()
	opts = append(opts, cmpopts.EquateEmpty())
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

func logSize(t *testing.T, e *env) int64 {
	t.Helper()
	n, err := e.s.LogSize(e.ctx)
	must(t, err)
	return n
}

// verify runs ledger.Verify over the store's log source and VerifyRows,
// and returns the first error.
func verify(t *testing.T, e *env) (ledger.Report, ledger.RowCheck, error) {
	t.Helper()
	_, vk, err := e.s.LogKey(e.ctx)
	must(t, err)
	src, done, err := e.s.LogSource(e.ctx)
	must(t, err)
	rep, err := ledger.Verify(e.ctx, src, vk)
	done()
	if err != nil {
		return rep, ledger.RowCheck{}, err
	}
	rc, err := e.s.VerifyRows(e.ctx)
	return rep, rc, err
}

// mustVerify fails the test unless the log and the rows verify.
func mustVerify(t *testing.T, e *env) (ledger.Report, ledger.RowCheck) {
	t.Helper()
	rep, rc, err := verify(t, e)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep, rc
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func ids[T ~string](xs ...T) []T { return xs }

func pageIDs(ins []truce.IncidentSummary) []truce.IncidentID {
	out := make([]truce.IncidentID, len(ins))
	for i, in := range ins {
		out[i] = in.ID
	}
	return out
}
