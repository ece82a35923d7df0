package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/httpapi"
	"truce/internal/pipeline"
	"truce/internal/store/sqlite"
)

// scenario is a small agreement with the real one's ids and shape.
const scenario = "testdata/small.yaml"

type fixture struct {
	srv    *httptest.Server
	api    *httpapi.Server
	st     *sqlite.Store
	tokens map[string]string // role name -> secret
	bundle []byte
}

// newFixture starts the API on a real SQLite store with the scenario
// agreement, two published incidents (one accusing UA, one RU), and a
// token for every role, plus an expired and a revoked one.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := newBareFixture(t)
	ctx := context.Background()
	bundle, a, err := agreement.BundleFile(scenario)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := f.st.PutAgreement(ctx, truce.System, a.ID, bundle)
	if err != nil {
		t.Fatal(err)
	}
	f.bundle = bundle
	day := time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)
	reps := []*truce.Report{
		{ID: "acc-ua", Source: "test", Start: day, End: day.Add(24 * time.Hour), Precision: truce.PrecisionDay,
			Location: geo.Point{Lon: 39.06, Lat: 45.02}, Perpetrator: "UA", Actions: []truce.Action{truce.ActionDroneAttack}, Category: "energy.refinery"},
		{ID: "acc-ru", Source: "test", Start: day, End: day.Add(24 * time.Hour), Precision: truce.PrecisionDay,
			Location: geo.Point{Lon: 36.1, Lat: 49.97}, Perpetrator: "RU", Actions: []truce.Action{truce.ActionDroneAttack}, Category: "energy.substation"},
		{ID: "extra-1", Source: "test", Start: day, End: day.Add(24 * time.Hour), Precision: truce.PrecisionDay, Location: geo.Point{Lon: 30, Lat: 50}},
		{ID: "extra-2", Source: "test", Start: day, End: day.Add(24 * time.Hour), Precision: truce.PrecisionDay, Location: geo.Point{Lon: 30, Lat: 50}},
	}
	if _, err := f.st.PutReports(ctx, truce.System, reps, truce.PutOptions{Published: true}); err != nil {
		t.Fatal(err)
	}
	j := adjudicate.New(a, nil)
	var js []truce.Judgement
	for _, r := range reps {
		js = append(js, j.Judge(r))
	}
	if _, err := f.st.PutJudgements(ctx, truce.System, a.ID, v.Version, js); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.AddEvidence(ctx, truce.System, "acc-ua", &truce.Evidence{MediaType: "text/plain"}, []byte("statement")); err != nil {
		t.Fatal(err)
	}
	// Claims: RU's published claim of the strike acc-ua reports, and UA's
	// unpublished one of the strike acc-ru reports.
	cs := []*truce.Claim{
		{ID: "RU-T1", Claimant: "RU", Accused: "UA", Stated: day, EventStart: day, EventEnd: day.AddDate(0, 0, 1), Facility: "refinery",
			FacilityKind: "oil refinery", SiteCountry: "RU", Location: geo.Point{Lon: 39.06, Lat: 45.02}, LocationPrecisionMeters: 5000,
			PlacedBy: truce.PlacedByCoordinates, Published: true},
		{ID: "UA-T1", Claimant: "UA", Accused: "RU", Stated: day, EventStart: day, EventEnd: day.AddDate(0, 0, 1), Facility: "substation",
			FacilityKind: "substation", SiteCountry: "UA", Location: geo.Point{Lon: 36.1, Lat: 49.97}, LocationPrecisionMeters: 5000,
			PlacedBy: truce.PlacedByCoordinates},
	}
	if _, err := f.st.PutClaims(ctx, truce.System, cs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.PutTallies(ctx, truce.System, []*truce.Tally{{ID: "RU-tally-1", Claimant: "RU", Stated: day, Count: "more than 30", Published: true}}); err != nil {
		t.Fatal(err)
	}
	putFieldScenario(t, f)
	waitIntegrated(t, f.st) // a checkpoint that covers the scenario
	cosignLatest(t, f.st)   // and is final under the scenario's witness policy
	return f
}

// newBareFixture starts the API on an empty SQLite store (no agreement,
// no reports) with the fixture's tokens: one for every role, plus an
// expired and a revoked one.
func newBareFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, tokens: map[string]string{}}
	now := time.Now()
	for _, tk := range []struct {
		name  string
		role  truce.Role
		party truce.PartyID
		ttl   time.Duration
	}{{"admin", truce.RoleAdmin, "", 0}, {"monitor", truce.RoleMonitor, "", 0}, {"party:UA", truce.RoleParty, "UA", 0},
		{"party:RU", truce.RoleParty, "RU", 0}, {"observer", truce.RoleObserver, "", 0}, {"expired", truce.RoleAdmin, "", time.Nanosecond}, {"revoked", truce.RoleAdmin, "", 0}} {
		secret, tok := truce.NewToken(tk.role, tk.party, tk.name, tk.ttl, now.Add(-time.Hour))
		if err := st.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if tk.name == "revoked" {
			if err := st.RevokeToken(ctx, tok.ID, now); err != nil {
				t.Fatal(err)
			}
		}
		f.tokens[tk.name] = secret
	}
	f.api = httpapi.New(st, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: -1}})
	f.srv = httptest.NewServer(f.api)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) do(t testing.TB, who, method, path, ct string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if who != "public" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestPermissions tries every operation with every role, no token, an
// expired token and a revoked token, and checks the exact allowed set.
// The table is written out here, independently of the server's own.
func TestPermissions(t *testing.T) {
	f := newFixture(t)
	everyone := []string{"public", "observer", "party:UA", "party:RU", "monitor", "admin"}
	staff := []string{"monitor", "admin"}
	type req struct {
		method, path, ct string
		body             func() []byte
	}
	nobody := func() []byte { return nil }
	js := func(v any) func() []byte { return func() []byte { return jsonBody(v) } }
	n := 0
	table := map[string]struct {
		allowed []string
		r       req
	}{
		"get-agreement":           {everyone, req{"GET", "/api/v1/agreement", "", nobody}},
		"list-agreement-versions": {everyone, req{"GET", "/api/v1/agreements/energy-ceasefire-2025/versions", "", nobody}},
		"get-agreement-bundle":    {everyone, req{"GET", "/api/v1/agreements/energy-ceasefire-2025/versions/1/bundle", "", nobody}},
		"upload-agreement":        {[]string{"admin"}, req{"POST", "/api/v1/agreements", "application/zip", func() []byte { return f.bundle }}},
		"list-sites":              {everyone, req{"GET", "/api/v1/sites", "", nobody}},
		"list-obligations":        {everyone, req{"GET", "/api/v1/obligations", "", nobody}},
		"list-positions":          {everyone, req{"GET", "/api/v1/positions?party=RU", "", nobody}},
		"get-timeline":            {everyone, req{"GET", "/api/v1/timeline", "", nobody}},
		"upload-sites":            {[]string{"admin"}, req{"POST", "/api/v1/sites", "text/csv", func() []byte { return []byte("id,name,lon,lat,category\ns1,Plant,30.1,50.1,energy.power_plant\n") }}},
		"create-report":           {[]string{"party:UA", "party:RU", "monitor", "admin"}, req{"POST", "/api/v1/reports", "application/json", js(map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50.4, "text": "test"})}},
		"upload-reports":          {staff, req{"POST", "/api/v1/reports/bulk", "text/csv", func() []byte { return []byte("time,lon,lat,text\n2025-04-02,30.5,50.4,bulk\n") }}},
		"get-report":              {everyone, req{"GET", "/api/v1/reports/acc-ua", "", nobody}},
		"split-report":            {staff, req{"POST", "/api/v1/reports/extra-2/split", "application/json", js(map[string]string{"reason": "different event"})}},
		"list-incidents":          {everyone, req{"GET", "/api/v1/incidents", "", nobody}},
		"get-incident":            {everyone, req{"GET", "/api/v1/incidents/acc-ua", "", nobody}},
		"change-status":           {staff, req{"POST", "/api/v1/incidents/acc-ru/status", "application/json", js(map[string]string{"status": "under_review", "reason": "triage"})}},
		"add-note":                {staff, req{"POST", "/api/v1/incidents/acc-ru/notes", "application/json", js(map[string]string{"text": "note"})}},
		"respond":                 {[]string{"party:UA"}, req{"POST", "/api/v1/incidents/acc-ua/responses", "application/json", js(map[string]string{"kind": "denial", "text": "not us"})}},
		"add-evidence": {[]string{"party:UA", "monitor", "admin"}, req{"POST", "/api/v1/incidents/acc-ua/evidence", "application/json", func() []byte {
			n++
			return jsonBody(map[string]string{"media_type": "text/plain", "content": base64.StdEncoding.EncodeToString([]byte(fmt.Sprint("evidence ", n)))})
		}}},
		"get-evidence":          {everyone, req{"GET", "/api/v1/incidents/acc-ua/evidence/sha256:" + sha("statement"), "", nobody}},
		"publish-incident":      {staff, req{"POST", "/api/v1/incidents/acc-ru/publish", "", nobody}},
		"merge-incidents":       {staff, req{"POST", "/api/v1/incidents/extra-1/merge", "application/json", js(map[string]string{"source": "extra-2", "reason": "same event"})}},
		"log-key":               {everyone, req{"GET", "/api/v1/log/key", "", nobody}},
		"log-checkpoint":        {everyone, req{"GET", "/api/v1/log/checkpoint", "", nobody}},
		"log-final-checkpoint":  {everyone, req{"GET", "/api/v1/log/checkpoint/final", "", nobody}},
		"log-record":            {everyone, req{"GET", "/api/v1/log/records/0", "", nobody}},
		"log-inclusion-proof":   {everyone, req{"GET", "/api/v1/log/proofs/inclusion?index=0&size=2", "", nobody}},
		"log-consistency-proof": {everyone, req{"GET", "/api/v1/log/proofs/consistency?old=1&size=2", "", nobody}},
		"create-token":          {[]string{"admin"}, req{"POST", "/api/v1/tokens", "application/json", js(map[string]string{"role": "observer"})}},
		"list-tokens":           {[]string{"admin"}, req{"GET", "/api/v1/tokens", "", nobody}},
		"revoke-token":          {[]string{"admin"}, req{"DELETE", "/api/v1/tokens/tok_000000000000", "", nobody}},
		"get-summary":           {everyone, req{"GET", "/api/v1/summary", "", nobody}},
		"export-incidents":      {everyone, req{"GET", "/api/v1/exports/incidents?format=json", "", nobody}},
		"create-claim":          {[]string{"party:UA", "party:RU", "monitor", "admin"}, req{"POST", "/api/v1/claims", "application/json", nobody}},
		"upload-claims":         {staff, req{"POST", "/api/v1/claims/bulk", "text/csv", func() []byte { return []byte("claim_id,claimant,statement_date,accused\nT-1,RU,2025-04-10,UA\n") }}},
		"list-claims":           {everyone, req{"GET", "/api/v1/claims", "", nobody}},
		"get-claim":             {everyone, req{"GET", "/api/v1/claims/RU-T1", "", nobody}},
		"claim-figures":         {everyone, req{"GET", "/api/v1/claims/figures?from=2025-04-01&to=2025-04-17", "", nobody}},
		"publish-claim":         {staff, req{"POST", "/api/v1/claims/RU-T1/publish", "", nobody}},
		"decide-claim-match":    {staff, req{"POST", "/api/v1/claims/RU-T1/matches", "application/json", js(map[string]string{"incident": "acc-ua", "decision": "confirmed"})}},
		"list-tallies":          {everyone, req{"GET", "/api/v1/tallies", "", nobody}},
		// Field monitoring: monitors write; everyone reads what is
		// published (parties also what is attributed to them).
		"create-observation":  {staff, req{"POST", "/api/v1/observations", "application/json", js(map[string]any{"means": "patrol", "sensed": "heard", "start": "2025-04-10T21:00:00Z", "lat": 48.3, "lon": 38.0, "kind": "burst", "count": 3})}},
		"list-observations":   {everyone, req{"GET", "/api/v1/observations", "", nobody}},
		"get-observation":     {everyone, req{"GET", "/api/v1/observations/OBS-T1", "", nobody}},
		"publish-observation": {staff, req{"POST", "/api/v1/observations/OBS-T2/publish", "", nobody}},
		"create-restriction":  {staff, req{"POST", "/api/v1/restrictions", "application/json", js(map[string]any{"kind": "delay", "start": "2025-04-10T09:00:00Z", "duration_min": 30, "lat": 48.0, "lon": 37.9, "party": "RU"})}},
		"list-restrictions":   {everyone, req{"GET", "/api/v1/restrictions", "", nobody}},
		"get-restriction":     {everyone, req{"GET", "/api/v1/restrictions/FOM-T1", "", nobody}},
		"publish-restriction": {staff, req{"POST", "/api/v1/restrictions/FOM-T2/publish", "", nobody}},
		"export-observations": {everyone, req{"GET", "/api/v1/exports/observations?hxl=true", "", nobody}},
		"export-restrictions": {everyone, req{"GET", "/api/v1/exports/restrictions?format=geojson", "", nobody}},
		"get-daily":           {everyone, req{"GET", "/api/v1/daily?date=2025-04-10", "", nobody}},
		"upload-field":        {staff, req{"POST", "/api/v1/field/bulk?kind=restrictions", "text/csv", func() []byte { return []byte("restriction_id,kind,start,lat,lon\nB-1,denial,2025-04-10 08:00,48,38\n") }}},
	}
	// A claim's body depends on who files it: a party files as itself
	// and accuses the other; staff name the claimant.
	bodyFor := map[string]func(who string) []byte{
		"create-claim": func(who string) []byte {
			c := map[string]any{"statement_date": "2025-04-10", "accused": "UA", "claimant": "RU"}
			switch who {
			case "party:UA":
				c = map[string]any{"statement_date": "2025-04-10", "accused": "RU"}
			case "party:RU":
				c = map[string]any{"statement_date": "2025-04-10", "accused": "UA"}
			}
			return jsonBody(c)
		},
	}
	var registered []string
	for _, o := range f.api.Operations() {
		registered = append(registered, o.OperationID)
		if _, ok := table[o.OperationID]; !ok {
			t.Errorf("operation %s (%s %s) is missing from the permission table test", o.OperationID, o.Method, o.Path)
		}
	}
	sort.Strings(registered)
	for id := range table {
		if !slices.Contains(registered, id) {
			t.Errorf("the table names %s, which the server does not register", id)
		}
	}
	callers := append(slices.Clone(everyone), "expired", "revoked")
	for _, id := range registered {
		tc, ok := table[id]
		if !ok {
			continue
		}
		for _, who := range callers {
			t.Run(id+"/"+who, func(t *testing.T) {
				b := tc.r.body()
				if fn, ok := bodyFor[id]; ok {
					b = fn(who)
				}
				st, body := f.do(t, who, tc.r.method, tc.r.path, tc.r.ct, b)
				allowed := slices.Contains(tc.allowed, who)
				switch {
				case who == "expired" || who == "revoked":
					if st != http.StatusUnauthorized {
						t.Errorf("status %d, want 401: %s", st, body)
					}
				case allowed && (st == http.StatusUnauthorized || st == http.StatusForbidden || st >= 500):
					t.Errorf("allowed, but status %d: %s", st, body)
				case allowed && st >= 400 && st != http.StatusConflict && (id != "revoke-token" || st != http.StatusNotFound):
					t.Errorf("allowed, but status %d (want 2xx or 409): %s", st, body)
				case !allowed && who == "public" && st != http.StatusUnauthorized:
					t.Errorf("status %d, want 401: %s", st, body)
				case !allowed && who != "public" && st != http.StatusForbidden:
					t.Errorf("status %d, want 403: %s", st, body)
				}
			})
		}
	}
}

func sha(s string) string {
	return fmt.Sprintf("%x", sha256Sum([]byte(s)))
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

func TestRateLimits(t *testing.T) {
	f := newFixture(t)
	api := httpapi.New(f.st, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: 1, WriteBurst: 3, AuthFailuresPerMinute: 1, AuthFailureBurst: 2}})
	srv := httptest.NewServer(api)
	defer srv.Close()
	f.srv = srv
	// Writes: a burst of 3, then 429 with Retry-After.
	var codes []int
	for range 5 {
		st, _ := f.do(t, "monitor", "POST", "/api/v1/incidents/acc-ru/notes", "application/json", jsonBody(map[string]string{"text": "n"}))
		codes = append(codes, st)
	}
	if codes[0] != http.StatusCreated || codes[4] != http.StatusTooManyRequests {
		t.Errorf("write statuses %v, want 201 first and 429 after the burst", codes)
	}
	// Failed sign-ins: two bad tokens, then a third is refused with 429
	// (a valid token is not: TestRateLimitBuckets).
	f.tokens["bad"] = "truce_not-a-token"
	for range 2 {
		if st, _ := f.do(t, "bad", "GET", "/api/v1/incidents", "", nil); st != http.StatusUnauthorized {
			t.Errorf("bad token: %d, want 401", st)
		}
	}
	if st, body := f.do(t, "bad", "GET", "/api/v1/incidents", "", nil); st != http.StatusTooManyRequests {
		t.Errorf("third bad token: %d %s, want 429", st, body)
	}
	// Reads without a token are not limited here.
	if st, _ := f.do(t, "public", "GET", "/api/v1/incidents", "", nil); st != http.StatusOK {
		t.Errorf("public read after the failures: %d", st)
	}
}

// incidentAs reads an incident through the API as who.
func (f *fixture) incidentAs(t *testing.T, who, id string) (int, httpapi.IncidentDetail) {
	t.Helper()
	st, body := f.do(t, who, "GET", "/api/v1/incidents/"+id, "", nil)
	var d httpapi.IncidentDetail
	if st == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("incident %s: %v: %s", id, err, body)
		}
	}
	return st, d
}

// TestPermissionsEvidenceOnVerified is issue 12's item 5: after a monitor
// verifies the incident accusing RU, RU may still add evidence to it, but
// a party cannot change a status: the evidence is attached and stands in
// the history for the monitors, and the incident stays verified. A
// monitor's evidence reopens the review.
func TestPermissionsEvidenceOnVerified(t *testing.T) {
	f := newFixture(t)
	for _, to := range []string{"under_review", "verified"} {
		if st, body := f.do(t, "monitor", "POST", "/api/v1/incidents/acc-ru/status", "application/json",
			jsonBody(map[string]string{"status": to, "reason": "review"})); st >= 300 {
			t.Fatalf("move to %s: %d %s", to, st, body)
		}
	}
	evidence := func(who, text string) (int, string) {
		return f.do(t, who, "POST", "/api/v1/incidents/acc-ru/evidence", "application/json",
			jsonBody(map[string]string{"media_type": "text/plain", "content": base64.StdEncoding.EncodeToString([]byte(text))}))
	}
	if st, body := evidence("party:RU", "statement of the accused party"); st != http.StatusCreated {
		t.Fatalf("RU's evidence on the verified incident accusing it: %d %s", st, body)
	}
	for _, who := range []string{"public", "party:RU", "monitor"} {
		st, d := f.incidentAs(t, who, "acc-ru")
		if st != http.StatusOK || d.Status != "verified" || !d.Published {
			t.Errorf("as %s after RU's evidence: %d, status %q, published %v; want 200, verified, published", who, st, d.Status, d.Published)
		}
	}
	_, d := f.incidentAs(t, "monitor", "acc-ru")
	if last := d.Events[len(d.Events)-1]; last.Kind != "evidence" || len(d.Evidence) != 1 {
		t.Errorf("after RU's evidence: last event %+v, %d evidence items; want the evidence event and its item", last, len(d.Evidence))
	}
	// UA neither submitted it nor is accused by it.
	if st, body := evidence("party:UA", "not ours to add"); st != http.StatusForbidden {
		t.Errorf("UA's evidence on an incident accusing RU: %d %s, want 403", st, body)
	}
	if st, body := evidence("monitor", "a monitor's photo"); st != http.StatusCreated {
		t.Fatalf("monitor's evidence: %d %s", st, body)
	}
	if _, d := f.incidentAs(t, "monitor", "acc-ru"); d.Status != "under_review" {
		t.Errorf("after a monitor's evidence: status %q, want under_review", d.Status)
	}
}

// groupLikeAdjudicate groups the stored reports under the current
// agreement as truce adjudicate does (pipeline.Group) and returns how
// many incidents were merged.
func groupLikeAdjudicate(t *testing.T, st truce.Store) int {
	t.Helper()
	ctx := context.Background()
	v, err := st.LatestAgreement(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := pipeline.Group(ctx, st, truce.System, v.ID, v.Version)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPermissionsGroupingAcrossAudiences is issue 12's item 2 through the
// API: UA, RU and a monitor submit reports of the strike the published
// incident acc-ru describes (the same place, day and target), published
// and not. Grouping merges reports only within one audience, so every
// role gets the same answer for every report and incident as before, and
// no history a role can read names an incident it cannot.
func TestPermissionsGroupingAcrossAudiences(t *testing.T) {
	f := newFixture(t)
	strike := map[string]any{"time": "2025-04-10", "lon": 36.1, "lat": 49.97, "perpetrator": "RU", "category": "energy.substation",
		"actions": []string{"drone_attack"}, "text": "Drones hit the substation"}
	submit := func(who string, published *bool) string {
		t.Helper()
		body := maps.Clone(strike)
		if published != nil {
			body["published"] = *published
		}
		st, out := f.do(t, who, "POST", "/api/v1/reports", "application/json", jsonBody(body))
		if st != http.StatusCreated {
			t.Fatalf("submit as %s: %d %s", who, st, out)
		}
		var r httpapi.ReportOut
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	yes, no := true, false
	ids := []string{"acc-ru", "acc-ua", "extra-1", "extra-2",
		submit("party:UA", nil), submit("party:RU", nil), submit("party:UA", nil), submit("party:RU", nil),
		submit("monitor", &no), submit("monitor", &yes), submit("admin", &no)}
	everyone := []string{"public", "observer", "party:UA", "party:RU", "monitor", "admin"}
	answers := func() map[string]int {
		out := map[string]int{}
		for _, who := range everyone {
			for _, id := range ids {
				st, _ := f.do(t, who, "GET", "/api/v1/reports/"+id, "", nil)
				out[who+" GET report "+id] = st
				st, d := f.incidentAs(t, who, id)
				out[who+" GET incident "+id] = st
				for _, ev := range d.Events {
					if ev.Other == "" {
						continue
					}
					if st, _ := f.incidentAs(t, who, ev.Other); st != http.StatusOK {
						t.Errorf("%s reads incident %s, whose %s event names %s, which %s may not read (%d)", who, id, ev.Kind, ev.Other, who, st)
					}
				}
			}
		}
		return out
	}
	before := answers()
	// One merge per audience that holds two reports of the strike:
	// published (acc-ru and the monitor's published one), UA's, RU's, and
	// the staff's unpublished ones (a monitor's and an admin's).
	if n := groupLikeAdjudicate(t, f.st); n != 4 {
		t.Errorf("grouping merged %d incidents, want 4", n)
	}
	if diff := cmp.Diff(before, answers()); diff != "" {
		t.Errorf("grouping changed what a role may read (-before +after):\n%s", diff)
	}
	_, body := f.do(t, "public", "GET", "/api/v1/reports/acc-ru", "", nil)
	var r httpapi.ReportOut
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if _, d := f.incidentAs(t, "public", r.Incident); len(d.ReportList) != 2 {
		t.Errorf("acc-ru's incident %s holds %d reports, want acc-ru and the monitor's published report", r.Incident, len(d.ReportList))
	}
}
