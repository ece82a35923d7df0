package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Chromium: TRUCE_CHROMIUM, else /usr/bin/chromium. A
// missing browser skips the test, unless TRUCE_REQUIRE_BROWSER=1
// (scripts/browser.sh installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("TRUCE_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("TRUCE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("no browser at %s (TRUCE_REQUIRE_BROWSER=1): run scripts/browser.sh", p)
		}
		t.Skipf("no browser at %s: run scripts/browser.sh, or set TRUCE_CHROMIUM", p)
	}
	return p
}

// artifacts is where screenshots go: TRUCE_ARTIFACTS, else a temporary
// directory of the test.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TRUCE_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts headless Chromium with a fresh profile in dir.
func browser(t *testing.T, exe, dir string) (context.Context, error) {
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("start %s: %w", exe, err)
	}
	return ctx, nil
}

// pageProbe records script errors and Content-Security-Policy violations
// from the first moment of every page of a tab.
const pageProbe = `(() => {
  window.__problems = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__problems.push('CSP: ' + e.violatedDirective + ' ' + e.blockedURI));
  window.addEventListener('error', (e) => window.__problems.push('error: ' + e.message));
  window.addEventListener('unhandledrejection', (e) => window.__problems.push('rejection: ' + (e.reason && e.reason.message || e.reason)));
})();`

// tab is one browser tab with its own cookies (a separate browser context).
type tab struct {
	t   *testing.T
	ctx context.Context
	srv *testServer
	dir string
}

func newTab(t *testing.T, b context.Context, srv *testServer, dir string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageProbe}); err != nil {
		t.Fatal(err)
	}
	tb := &tab{t: t, ctx: ctx, srv: srv, dir: dir}
	t.Cleanup(tb.checkProblems)
	return tb
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.screenshot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
		tb.t.Fatalf("browser: %v", err)
	}
}

func (tb *tab) open(p string) { tb.t.Helper(); tb.do(chromedp.Navigate(tb.srv.URL + p)) }

// eval evaluates a script and decodes its result into out.
func (tb *tab) eval(js string, out any) {
	tb.t.Helper()
	raw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %.80s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.t.Fatalf("evaluate %.80s: %v in %s", js, err, raw)
		}
	}
}

// wait polls until the expression is true. It survives navigations: an
// expression evaluated while a page unloads fails, and is tried again.
func (tb *tab) wait(js string) {
	tb.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		var ok bool
		ok, err = chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`Boolean(`+js+`)`))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.screenshot("failure-" + strings.ReplaceAll(tb.t.Name(), "/", "-"))
	tb.t.Fatalf("waiting for %s: %v", js, err)
}

func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(tb.dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Error(err)
	}
	tb.t.Logf("screenshot: %s", p)
}

func (tb *tab) checkProblems() {
	var problems []string
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](`1`)); err != nil {
		return // the tab is gone
	}
	raw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]byte](`window.__problems || []`))
	if err == nil && json.Unmarshal(raw, &problems) == nil && len(problems) > 0 {
		tb.t.Errorf("the page reported problems: %q", problems)
	}
}

// signIn signs in through the page's form.
func (tb *tab) signIn(who string) {
	tb.t.Helper()
	tb.open("/signin")
	tb.do(chromedp.SendKeys(chromedp.ID("token"), tb.srv.tokens[who]), chromedp.Click(chromedp.ID("signin-submit")))
	tb.wait(`document.getElementById('whoami') !== null`)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestDashboard drives the dashboard in headless Chromium against a real
// server with the bundled scenario.
func TestDashboard(t *testing.T) {
	exe := chromiumPath(t)
	dir := artifacts(t)
	start := time.Now()
	srv := newTestServer(t, false)

	// The browser starts while the agreement, the sites and the ACLED
	// sample load; then the month of VIINA reports loads while the tests
	// that need only those run (the race detector makes the upload slow).
	var (
		b    context.Context
		berr error
		wg   sync.WaitGroup
	)
	profile := t.TempDir()
	wg.Go(func() { b, berr = browser(t, exe, profile) })
	srv.upload(t, "/api/v1/sites", "text/csv", sitesFile)
	srv.uploadAgreement(t)
	srv.upload(t, "/api/v1/reports/bulk?name=acled_sample.csv", "text/csv", acledSample)
	wg.Wait()
	if berr != nil {
		t.Fatal(berr)
	}
	t.Logf("agreement, sites and ACLED sample loaded and browser started in %v", time.Since(start).Round(time.Millisecond))
	viina := make(chan error, 1)
	go func() {
		viina <- srv.uploadFile("/api/v1/reports/bulk?name=viina_incidents_202504.csv", "text/csv", viinaApr)
	}()

	t.Run("zones", func(t *testing.T) { testZones(t, srv) })
	t.Run("verify", func(t *testing.T) { testVerify(t, newTab(t, b, srv, dir)) })
	t.Run("evidence", func(t *testing.T) { testEvidence(t, newTab(t, b, srv, dir)) })
	t.Run("review", func(t *testing.T) { testReview(t, newTab(t, b, srv, dir)) })
	t.Run("submit", func(t *testing.T) { testSubmit(t, newTab(t, b, srv, dir)) })
	t.Run("agreement", func(t *testing.T) { testAgreement(t, newTab(t, b, srv, dir)) })
	t.Run("csrf", func(t *testing.T) { testBrowserCSRF(t, newTab(t, b, srv, dir)) })
	t.Run("merged", func(t *testing.T) { testMerged(t, newTab(t, b, srv, dir)) })
	if err := <-viina; err != nil {
		t.Fatal(err)
	}
	t.Logf("VIINA reports of April 2025 loaded after %v", time.Since(start).Round(time.Millisecond))
	srv.uploadClaims(t)
	t.Run("claims", func(t *testing.T) { testClaims(t, b, srv, dir) })
	// These only read, so they run side by side, each in its own tab.
	t.Run("read", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			run  func(*testing.T, *tab)
		}{{"map", testMap}, {"filters", testFilters}, {"figures", testFigures}, {"claimed", testClaimedVsFound}, {"phone", testPhone}} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.run(t, newTab(t, b, srv, dir))
			})
		}
	})
	t.Logf("total %v; screenshots in %s", time.Since(start).Round(time.Millisecond), dir)
}

// testZones checks the simplified zones of the stored agreement.
func testZones(t *testing.T, srv *testServer) {
	resp, body := srv.do(t, "GET", "/map/zones.geojson", "", "", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("zones: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(body) > 300<<10 {
		t.Errorf("zones: %d bytes, want at most 300 KB", len(body))
	}
	var fc struct {
		Agreement string `json:"agreement"`
		Features  []struct {
			ID         string `json:"id"`
			Properties struct {
				Zones []struct {
					ID      string   `json:"id"`
					Exclude []string `json:"exclude"`
				} `json:"zones"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates [][][][]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	var zones []string
	vertices := 0
	for _, f := range fc.Features {
		if f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) == 0 {
			t.Errorf("feature %s: %s with %d polygons", f.ID, f.Geometry.Type, len(f.Geometry.Coordinates))
		}
		for _, p := range f.Geometry.Coordinates {
			for _, r := range p {
				vertices += len(r)
				if len(r) < 4 || !slices.Equal(r[0], r[len(r)-1]) {
					t.Errorf("feature %s: a ring of %d points, open or degenerate", f.ID, len(r))
				}
			}
		}
		for _, z := range f.Properties.Zones {
			zones = append(zones, z.ID)
		}
	}
	slices.Sort(zones)
	want := []string{"black_sea", "claimed_held", "claimed_oblasts", "crimea", "not_claimed", "occupied", "russia", "russia_with_crimea", "sea_of_azov", "ukraine", "ukraine_held", "ukraine_ru_reading", "ukraine_without_crimea"}
	if !slices.Equal(zones, want) || fc.Agreement != "energy-ceasefire-2025" {
		t.Errorf("zones of %q: %v, want %v", fc.Agreement, zones, want)
	}
	t.Logf("zones: %d features, %d vertices, %d bytes", len(fc.Features), vertices, len(body))
	// Cached with an ETag; gzip when asked.
	resp, _ = srv.do(t, "GET", "/map/zones.geojson", "", "", nil, "If-None-Match", resp.Header.Get("ETag"))
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	resp, gz := srv.do(t, "GET", "/map/zones.geojson", "", "", nil, "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || len(gz) >= len(body)/2 {
		t.Errorf("gzip: %q, %d bytes of %d", resp.Header.Get("Content-Encoding"), len(gz), len(body))
	}
}

// mapState is what the map page says about itself in data attributes.
type mapState struct {
	State     string `json:"state"`
	Zones     int    `json:"zones"`
	Sites     int    `json:"sites"`
	Incidents int    `json:"incidents"`
	More      bool   `json:"more"`
	Query     string `json:"query"`
}

const readMap = `(() => { const d = document.getElementById('map').dataset;
  return {state: d.state, zones: +d.zones, sites: +d.sites, incidents: +d.incidents, more: d.more === 'true', query: d.query || ''}; })()`

func (tb *tab) mapReady() mapState {
	tb.t.Helper()
	tb.wait(`document.getElementById('map').dataset.state === 'ready'`)
	var st mapState
	tb.eval(readMap, &st)
	return st
}

func testMap(t *testing.T, tb *tab) {
	tb.open("/")
	st := tb.mapReady()
	if st.Zones != 7 || st.Sites != 1078 || st.Incidents == 0 {
		t.Errorf("map shows %d zone features, %d sites, %d incidents; want 7, 1078, some", st.Zones, st.Sites, st.Incidents)
	}
	var drawn struct{ Zones, Sites, Markers, Clusters, Outlines int }
	tb.eval(`({
	  zones: document.querySelectorAll('.leaflet-zones-pane path').length,
	  sites: document.querySelectorAll('.leaflet-sites-pane path').length,
	  markers: document.querySelectorAll('.leaflet-marker-pane .inc').length,
	  clusters: document.querySelectorAll('.leaflet-marker-pane .cluster').length,
	  outlines: document.querySelectorAll('.leaflet-basemap-pane path').length})`, &drawn)
	if drawn.Zones < 5 || drawn.Sites < 100 || drawn.Markers+drawn.Clusters == 0 || drawn.Outlines < 5 {
		t.Errorf("drawn: %+v", drawn)
	}
	// Incident markers are keyboard buttons with a name.
	var marker struct {
		Tab   int    `json:"tab"`
		Role  string `json:"role"`
		Label string `json:"label"`
	}
	tb.eval(`(() => { const m = document.querySelector('.leaflet-marker-pane .inc, .leaflet-marker-pane .cluster');
	  return {tab: m.tabIndex, role: m.getAttribute('role') || '', label: m.getAttribute('aria-label') || m.textContent}; })()`, &marker)
	if marker.Tab != 0 || marker.Role != "button" || marker.Label == "" {
		t.Errorf("a marker is not a named keyboard button: %+v", marker)
	}
	var rows int
	tb.eval(`document.querySelectorAll('#incident-table tbody tr').length`, &rows)
	if rows != st.Incidents {
		t.Errorf("the list has %d rows for %d incidents", rows, st.Incidents)
	}
	// Every row gives its independent sources, at least one and at most
	// its reports.
	var badRows []string
	tb.eval(`[...document.querySelectorAll('#incident-table tbody tr')].filter(r => {
	    const n = r.cells.length, reps = +r.cells[n-2].textContent, srcs = +r.cells[n-1].textContent;
	    return !(srcs >= 1 && srcs <= reps); }).map(r => r.dataset.incident)`, &badRows)
	if len(badRows) > 0 {
		t.Errorf("rows without a sensible count of sources: %v", badRows)
	}
	t.Logf("map: %+v; drawn %+v", st, drawn)
	tb.screenshot("map")

	// Zoomed in on Kharkiv, single markers appear; one opens its page.
	tb.open("/?from=2025-03-20&to=2025-03-29")
	tb.mapReady()
	tb.wait(`document.querySelector('.leaflet-marker-pane .inc[data-incident="UKR200101"], .leaflet-marker-pane .cluster') !== null`)
	tb.do(chromedp.Click(chromedp.CSS(`#incident-table a[href="/incidents/UKR200101"]`)))
	tb.wait(`document.getElementById('incident') && document.getElementById('incident').dataset.state === 'ready'`)
}

func testFilters(t *testing.T, tb *tab) {
	tb.open("/?area=all&from=2025-04-01&to=2025-04-30")
	before := tb.mapReady()
	// Narrow to three days and to incidents that accuse UA, as a user would.
	tb.eval(`(() => { const set = (id, v) => { const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('change', {bubbles: true})); };
	  set('from', '2025-04-10'); set('to', '2025-04-12'); set('party', 'UA'); return 1; })()`, nil)
	tb.wait(`document.getElementById('map').dataset.filters === 'from=2025-04-10&to=2025-04-12&party=UA' && document.getElementById('map').dataset.state === 'ready'`)
	var after mapState
	tb.eval(readMap, &after)
	if after.Incidents == 0 || after.Incidents >= before.Incidents {
		t.Errorf("filtering changed the count from %d to %d", before.Incidents, after.Incidents)
	}
	type row struct {
		ID      string `json:"id"`
		Parties string `json:"parties"`
	}
	var rows []row
	tb.eval(`[...document.querySelectorAll('#incident-table tbody tr')].map(r => ({id: r.dataset.incident, parties: r.dataset.parties}))`, &rows)
	if len(rows) != after.Incidents {
		t.Errorf("%d rows for %d incidents", len(rows), after.Incidents)
	}
	// Days are the agreement's (Kyiv) days: the ACLED report of 10 April
	// (21:00 UTC on the 9th) is in.
	if !slices.ContainsFunc(rows, func(r row) bool { return r.ID == "UKR200103" }) {
		t.Error("UKR200103 (10 April, Kyiv time) is not listed for 10-12 April")
	}
	for _, r := range rows {
		if !strings.Contains(" "+r.Parties+" ", " UA ") {
			t.Errorf("row %s accuses %q, not UA", r.ID, r.Parties)
		}
	}
	// The page shows what the API says for the same filters.
	q, err := url.ParseQuery(after.Query)
	if err != nil {
		t.Fatal(err)
	}
	q.Del("limit")
	want := tb.srv.incidents(t, "", q.Encode())
	if len(want) != after.Incidents {
		t.Errorf("the page shows %d incidents for %s; the API has %d", after.Incidents, q.Encode(), len(want))
	}
	var markers int
	tb.eval(`[...document.querySelectorAll('.leaflet-marker-pane .inc, .leaflet-marker-pane .cluster')].length`, &markers)
	if markers == 0 {
		t.Error("no markers after filtering")
	}
	t.Logf("filters: %d incidents in April, %d accusing UA on 10-12 April (%d markers or clusters)", before.Incidents, after.Incidents, markers)
	tb.screenshot("map-filtered")
	// The slider moves the start day.
	tb.eval(`(() => { const s = document.getElementById('slider-from'); s.value = String(+s.value + 1); s.dispatchEvent(new Event('input', {bubbles: true})); return 1; })()`, nil)
	tb.wait(`document.getElementById('map').dataset.filters === 'from=2025-04-11&to=2025-04-12&party=UA' && document.getElementById('map').dataset.state === 'ready'`)
}

func testVerify(t *testing.T, tb *tab) {
	tb.open("/incidents/UKR200101")
	tb.wait(`document.getElementById('incident').dataset.state === 'ready'`)
	var got struct {
		Reports  int    `json:"reports"`
		Verdict  string `json:"verdict"`
		Findings int    `json:"findings"`
		Readings int    `json:"readings"`
		History  int    `json:"history"`
		Records  int    `json:"records"`
	}
	tb.eval(`({reports: document.querySelectorAll('#reports .report').length, verdict: document.getElementById('verdict').textContent,
	  findings: document.querySelectorAll('#verdict .finding').length, readings: document.querySelectorAll('#verdict .readings li').length,
	  history: document.querySelectorAll('#history li').length, records: document.querySelectorAll('#records tbody tr').length})`, &got)
	if got.Reports != 1 || got.Findings == 0 || got.Readings < 3 || got.History == 0 || got.Records == 0 || !strings.Contains(got.Verdict, "Karkov CHP-5") {
		t.Errorf("incident page: %+v", got)
	}
	tb.do(chromedp.Click(chromedp.ID("verify")))
	tb.wait(`['valid', 'invalid', 'error'].includes(document.getElementById('verify-result').dataset.state)`)
	var res struct {
		State   string `json:"state"`
		Verdict string `json:"verdict"`
		OK      []string
	}
	tb.eval(`({state: document.getElementById('verify-result').dataset.state, verdict: document.getElementById('verify-verdict').textContent,
	  ok: [...document.querySelectorAll('#records tbody tr')].map(r => r.dataset.ok)})`, &res)
	if res.State != "valid" || !strings.HasPrefix(res.Verdict, "✔ Valid") || len(res.OK) == 0 || slices.Contains(res.OK, "false") {
		t.Errorf("verification: %+v", res)
	}
	t.Logf("verify: %s", res.Verdict)
	tb.screenshot("incident-verified")

	// The same code refuses a record changed by one byte, a proof against
	// another checkpoint, and a signature by another key.
	var neg map[string]string
	tb.eval(`(async () => {
	  const src = [...document.scripts].map(s => s.src).find(s => s.endsWith('/js/incident.js'));
	  const v = await import(src.replace('/incident.js', '/verify.js'));
	  const get = async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer());
	  const key = await v.parseKey(new TextDecoder().decode(await get('/api/v1/log/key')));
	  const noteBytes = await get('/api/v1/log/checkpoint');
	  const cp = await v.openCheckpoint(key, noteBytes);
	  const i = +document.querySelector('#records tbody tr').dataset.index;
	  const rec = await get('/api/v1/log/records/' + i);
	  const proof = JSON.parse(new TextDecoder().decode(await get('/api/v1/log/proofs/inclusion?index=' + i + '&size=' + cp.size)));
	  const out = {};
	  const attempt = async (name, f) => { try { await f(); out[name] = 'accepted'; } catch (e) { out[name] = 'refused: ' + e.message; } };
	  await attempt('good', () => v.verifyInclusion(cp, i, rec, proof.hashes));
	  const bad = rec.slice(); bad[bad.length - 2] ^= 1;
	  await attempt('tampered record', () => v.verifyInclusion(cp, i, bad, proof.hashes));
	  await attempt('wrong index', () => v.verifyInclusion(cp, i + 1, rec, proof.hashes));
	  const forged = new TextDecoder().decode(noteBytes).replace(/\n(\d+)\n/, (m, n) => '\n' + (+n + 1) + '\n');
	  await attempt('forged checkpoint', () => v.openCheckpoint(key, new TextEncoder().encode(forged)));
	  return out; })()`, &neg)
	if neg["good"] != "accepted" {
		t.Errorf("the good proof: %s", neg["good"])
	}
	for _, k := range []string{"tampered record", "wrong index", "forged checkpoint"} {
		if !strings.HasPrefix(neg[k], "refused") {
			t.Errorf("%s: %s", k, neg[k])
		}
	}
	t.Logf("verify refuses: %v", neg)
	testCosigners(t, tb, tb.srv)
}

// evidenceMark is one <mark> of a report's text on the incident page.
type evidenceMark struct {
	Fact  string `json:"fact"`
	Class string `json:"class"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

const readMarks = `[...document.querySelectorAll('#reports .report-text mark')].map(m => ({fact: m.dataset.fact, class: m.className, title: m.title, text: m.textContent}))`

// testMerged opens, as a monitor, the page of an incident merged into
// another (two unpublished reports, which the public's tests do not see):
// it says where the reports went and links there, and the link leads to
// the incident that holds them.
func testMerged(t *testing.T, tb *tab) {
	report := func() string {
		var r struct {
			Incident string `json:"incident"`
		}
		tb.srv.must(t, http.StatusCreated, "POST", "/api/v1/reports", "monitor",
			map[string]any{"time": "2024-12-01T02:00:00Z", "lat": 50.9, "lon": 34.8, "text": "Drones struck a substation", "published": false}, &r)
		return r.Incident
	}
	target, source := report(), report()
	tb.srv.must(t, http.StatusOK, "POST", "/api/v1/incidents/"+url.PathEscape(target)+"/merge", "monitor", map[string]any{"source": source, "reason": "the same strike"}, nil)
	tb.signIn("monitor")
	tb.open("/incidents/" + url.PathEscape(source))
	tb.wait(`document.getElementById('incident').dataset.state === 'ready'`)
	var page struct {
		Notice string   `json:"notice"`
		Facts  []string `json:"facts"`
	}
	var forms int
	tb.eval(`(() => { const a = document.querySelector('#merged-into a');
	  return {notice: a ? a.getAttribute('href') : '', facts: [...document.querySelectorAll('#inc-facts dd a')].map((x) => x.getAttribute('href'))}; })()`, &page)
	tb.eval(`document.querySelectorAll('#actions form').length`, &forms)
	want := "/incidents/" + url.PathEscape(target)
	if page.Notice != want || !slices.Contains(page.Facts, want) {
		t.Errorf("the merged incident's page links to %q (notice) and %q (facts), want %q in both", page.Notice, page.Facts, want)
	}
	if forms != 0 {
		t.Errorf("the merged incident's page offers %d forms to act on it; every write there is refused", forms)
	}
	tb.screenshot("incident-merged")
	tb.do(chromedp.Click(chromedp.CSS(`#merged-into a`)))
	tb.wait(fmt.Sprintf(`document.getElementById('incident') !== null && document.getElementById('incident').dataset.id === %s && document.getElementById('incident').dataset.state === 'ready'`, jsString(target)))
}

// testEvidence checks that the incident page marks the words that
// established each fact in the report's text, and that hostile text stays
// text.
func testEvidence(t *testing.T, tb *tab) {
	tb.open("/incidents/UKR200101")
	tb.wait(`document.getElementById('incident').dataset.state === 'ready'`)
	var page struct {
		Text   string         `json:"text"`
		Marks  []evidenceMark `json:"marks"`
		Legend []string       `json:"legend"`
	}
	tb.eval(`({text: document.querySelector('#reports .report-text').textContent, marks: `+readMarks+`,
	  legend: [...document.querySelectorAll('#ev-legend mark')].map(m => m.textContent)})`, &page)
	const text = "On 28 March 2025, Russian forces struck an energy infrastructure facility in Kharkiv city with drones, causing a fire."
	if page.Text != text {
		t.Errorf("the report's text reads %q, want %q", page.Text, text)
	}
	want := evidenceMark{Fact: "target", Class: "ev ev-target", Title: "target (text)", Text: "energy infrastructure"}
	if !slices.Contains(page.Marks, want) {
		t.Errorf("marks %+v, want one %+v", page.Marks, want)
	}
	if !slices.Equal(page.Legend, []string{"attack", "perpetrator", "target", "modality", "place", "outage"}) {
		t.Errorf("legend %q", page.Legend)
	}
	tb.screenshot("incident-evidence")

	// A report whose text is markup, with a character outside the BMP
	// before the evidence (a UTF-16 index would be one off).
	tb.signIn("monitor")
	hostile := "⚡🔥 <script>document.title='pwned'</script> Russian forces struck a substation in Sumy with drones, " +
		`<img src=x onerror="document.title='pwned'"> causing a fire. </blockquote><b>bold</b>`
	var created struct {
		ID       string `json:"id"`
		Incident string `json:"incident"`
	}
	tb.srv.must(t, http.StatusCreated, "POST", "/api/v1/reports", "monitor",
		map[string]any{"time": "2025-03-26T02:00:00Z", "lat": 50.9077, "lon": 34.7981, "text": hostile, "published": false}, &created)
	tb.open("/incidents/" + url.PathEscape(created.Incident))
	tb.wait(`document.getElementById('incident').dataset.state === 'ready'`)
	var got struct {
		Text     string         `json:"text"`
		Elements []string       `json:"elements"`
		Marks    []evidenceMark `json:"marks"`
		Title    string         `json:"title"`
	}
	tb.eval(`(() => { const q = document.querySelector('#reports .report-text');
	  return {text: q.textContent, elements: [...q.querySelectorAll('*')].map(e => e.tagName.toLowerCase()),
	    marks: `+readMarks+`, title: document.title}; })()`, &got)
	if got.Text != hostile || strings.Contains(got.Title, "pwned") {
		t.Errorf("hostile text: reads %q (title %q), want the text as written", got.Text, got.Title)
	}
	for _, e := range got.Elements {
		if e != "mark" {
			t.Errorf("the report's text made a <%s> element", e)
		}
	}
	var words []string
	for _, m := range got.Marks {
		words = append(words, m.Fact+":"+m.Text)
	}
	if w := []string{"perpetrator:Russian forces", "attack:struck", "target:substation"}; !slices.Equal(words, w) {
		t.Errorf("marks of the hostile report: %q, want %q", words, w)
	}
	tb.screenshot("incident-evidence-hostile")

	// The layout of spans, on evidence made up for the purpose: offsets in
	// code points; the earliest start first, the longer at the same start;
	// spans inside one drawn, one outside the text and one whose words are
	// not the text's stay off the text, listed with the tag.
	var lay struct {
		Nodes []string `json:"nodes"`
		Rest  []string `json:"rest"`
		Tags  int      `json:"tags"`
	}
	tb.eval(`(async () => {
	  const src = [...document.scripts].map(s => s.src).find(s => s.endsWith('/js/incident.js'));
	  const e = await import(src.replace('/incident.js', '/evidence.js'));
	  const text = '🔥 РФ атакувала ТЕЦ у Харкові <b>';
	  const ev = [
	    {fact: 'attack', basis: 'text', words: 'атакувала', start: 5, end: 14},
	    {fact: 'perpetrator', basis: 'text', words: 'РФ атакувала', start: 2, end: 14, note: 'subject'},
	    {fact: 'modality', basis: 'text', words: 'РФ', start: 2, end: 4},
	    {fact: 'attack', basis: 'tag', words: 'uav|energy', start: 0, end: 0, note: 'the tags agree'},
	    {fact: 'target', basis: 'text', words: 'ТЕЦ', start: 15, end: 18},
	    {fact: 'place', basis: 'place', words: 'Харкові', start: 21, end: 28, note: 'the text names ua-kharkiv'},
	    {fact: 'place', basis: 'text', words: 'Харків', start: 21, end: 28},
	    {fact: 'x"><img src=x>', basis: 'text', words: '<b>', start: 29, end: 32},
	    {fact: 'outage', basis: 'text', words: 'світло', start: 40, end: 46},
	  ];
	  const l = e.layout(text, ev);
	  const q = document.createElement('blockquote');
	  q.append(...e.markedText(l.cps, l.drawn));
	  return {nodes: [...q.childNodes].map(n => n.nodeType === 3 ? n.data : [n.tagName, n.className, n.title, n.textContent].join('|')),
	    rest: l.rest.map(r => r.ev.fact + ':' + r.ev.words + (r.inside ? ' (inside)' : '')), tags: q.querySelectorAll('*:not(mark)').length};
	})()`, &lay)
	wantNodes := []string{"🔥 ", "MARK|ev ev-perpetrator|perpetrator: subject (text)|РФ атакувала", " ",
		"MARK|ev ev-target|target (text)|ТЕЦ", " у ", "MARK|ev ev-place|place: the text names ua-kharkiv (place)|Харкові", " ",
		`MARK|ev ev-ximgsrcx|x"><img src=x> (text)|<b>`}
	if !slices.Equal(lay.Nodes, wantNodes) || lay.Tags != 0 {
		t.Errorf("marked text: %q (%d other elements), want %q", lay.Nodes, lay.Tags, wantNodes)
	}
	if w := []string{"attack:атакувала (inside)", "modality:РФ (inside)", "attack:uav|energy", "place:Харків", "outage:світло"}; !slices.Equal(lay.Rest, w) {
		t.Errorf("evidence listed under the text: %q, want %q", lay.Rest, w)
	}
}

func testReview(t *testing.T, tb *tab) {
	tb.signIn("monitor")
	tb.open("/review?status=reported&from=2025-03-19&to=2025-03-20")
	tb.wait(`document.getElementById('queue').dataset.state === 'ready'`)
	item := `#queue li[data-incident="UKR200102"]`
	tb.wait(fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(item)))
	tb.screenshot("review-queue")
	move := func(to, reason string) {
		tb.do(
			chromedp.SetValue(chromedp.CSS(item+` select`), to),
			chromedp.SendKeys(chromedp.CSS(item+` input[name=reason]`), reason),
			chromedp.Click(chromedp.CSS(item+` button`)),
		)
		tb.wait(fmt.Sprintf(`document.querySelector(%s).dataset.status === %s`, jsString(item), jsString(to)))
	}
	move("under_review", "triage: drone strike on a power plant, two sources")
	move("verified", "matches FIRMS hotspot and the operator's statement")
	tb.screenshot("review")
	var got incident
	tb.srv.must(t, http.StatusOK, "GET", "/api/v1/incidents/UKR200102", "admin", nil, &got)
	var reasons []string
	for _, e := range got.Events {
		if e.Kind == "status" {
			reasons = append(reasons, e.To+": "+e.Reason)
		}
	}
	want := []string{"under_review: triage: drone strike on a power plant, two sources", "verified: matches FIRMS hotspot and the operator's statement"}
	if got.Status != "verified" || !slices.Equal(reasons, want) {
		t.Errorf("after review: status %s, history %q", got.Status, reasons)
	}
	// The incident page shows the history.
	tb.open("/incidents/UKR200102")
	tb.wait(`document.getElementById('incident').dataset.status === 'verified'`)
	var hist string
	tb.eval(`document.getElementById('history').textContent`, &hist)
	if !strings.Contains(hist, "matches FIRMS hotspot") {
		t.Errorf("history: %s", hist)
	}
	// The review steps are in the log: the browser checks all three records.
	tb.do(chromedp.Click(chromedp.ID("verify")))
	tb.wait(`['valid', 'invalid', 'error'].includes(document.getElementById('verify-result').dataset.state)`)
	var res struct {
		State string   `json:"state"`
		OK    []string `json:"ok"`
	}
	tb.eval(`({state: document.getElementById('verify-result').dataset.state, ok: [...document.querySelectorAll('#records tbody tr')].map(r => r.dataset.ok)})`, &res)
	if res.State != "valid" || !slices.Equal(res.OK, []string{"true", "true", "true"}) {
		t.Errorf("verifying the reviewed incident: %+v", res)
	}
	tb.screenshot("incident-reviewed")
}

func testSubmit(t *testing.T, tb *tab) {
	tb.signIn("UA")
	tb.open("/submit")
	tb.wait(`document.querySelectorAll('#r-perp option').length > 1 && document.querySelectorAll('#r-actions input').length > 0`)
	text := "Російські дрони атакували підстанцію «Київська» вночі; пожежа на трансформаторі"
	tb.do(
		chromedp.SetValue(chromedp.ID("r-time"), "2025-04-05T03:10"),
		chromedp.SendKeys(chromedp.ID("r-lat"), "50.4501"),
		chromedp.SendKeys(chromedp.ID("r-lon"), "30.5234"),
		chromedp.SendKeys(chromedp.ID("r-place"), "Київ"),
		chromedp.SetValue(chromedp.ID("r-perp"), "RU"),
		chromedp.Click(chromedp.CSS(`#r-actions input[value=drone_attack]`)),
		chromedp.SendKeys(chromedp.ID("r-text"), text),
		chromedp.Click(chromedp.ID("r-submit")),
	)
	tb.wait(`document.getElementById('r-created') !== null || document.querySelector('#r-result .error') !== null`)
	var created struct{ Report, Incident, Error string }
	tb.eval(`(() => { const c = document.getElementById('r-created'); const e = document.querySelector('#r-result .error');
	  return {report: c ? c.dataset.report : '', incident: c ? c.dataset.incident : '', error: e ? e.textContent : ''}; })()`, &created)
	if created.Incident == "" {
		t.Fatalf("submission failed: %s", created.Error)
	}
	tb.screenshot("submitted")
	var got incident
	tb.srv.must(t, http.StatusOK, "GET", "/api/v1/incidents/"+url.PathEscape(created.Incident), "UA", nil, &got)
	if got.Published || got.SubmittedBy != "UA" || got.Status != "reported" || !slices.Contains(got.Parties, "RU") {
		t.Errorf("UA's submission: %+v", got)
	}
	tb.srv.must(t, http.StatusNotFound, "GET", "/api/v1/incidents/"+url.PathEscape(created.Incident), "", nil, nil)
	tb.srv.must(t, http.StatusNotFound, "GET", "/api/v1/incidents/"+url.PathEscape(created.Incident), "RU", nil, nil)
	// It appears, unpublished, in UA's list of that day, and on its page.
	tb.open("/?area=all&from=2025-04-05&to=2025-04-05")
	tb.mapReady()
	row := fmt.Sprintf(`#incident-table tr[data-incident=%s]`, jsString(created.Incident))
	var published string
	tb.eval(fmt.Sprintf(`(document.querySelector(%s) || {dataset: {published: 'missing'}}).dataset.published`, jsString(row)), &published)
	if published != "false" {
		t.Errorf("UA's list: the submission is %q, want an unpublished row", published)
	}
	tb.do(chromedp.Click(chromedp.CSS(row + ` a`)))
	tb.wait(`document.getElementById('incident') && document.getElementById('incident').dataset.state === 'ready'`)
	var page struct {
		Unpublished bool   `json:"unpublished"`
		Text        string `json:"text"`
	}
	tb.eval(`({unpublished: document.getElementById('unpublished') !== null, text: document.querySelector('.report-text').textContent})`, &page)
	if !page.Unpublished || page.Text != text {
		t.Errorf("UA's incident page: %+v", page)
	}
	tb.screenshot("incident-cyrillic")
}

func testAgreement(t *testing.T, tb *tab) {
	tb.open("/agreement")
	tb.wait(`document.getElementById('agreement').dataset.state === 'ready'`)
	var ag struct{ Phases, Bars, Positions, Conditions, Obligations int }
	tb.eval(`({phases: document.querySelectorAll('#phases .phase').length, bars: document.querySelectorAll('#timeline rect').length,
	  positions: document.querySelectorAll('#phases .positions li').length, conditions: document.querySelectorAll('#phases .positions li ul li').length,
	  obligations: document.querySelectorAll('#obligations [data-obligation]').length})`, &ag)
	if ag.Phases != 4 || ag.Bars < 6 || ag.Positions < 10 || ag.Conditions < 5 || ag.Obligations != 1 {
		t.Errorf("agreement page: %+v", ag)
	}
	// The timeline per reading: drawn when the API has one, hidden when
	// it answers 404.
	tb.wait(`document.getElementById('reading-timeline').dataset.state !== 'loading'`)
	var tl struct {
		State  string `json:"state"`
		Hidden bool   `json:"hidden"`
		Events int    `json:"events"`
	}
	tb.eval(`(() => { const s = document.getElementById('reading-timeline');
	  return {state: s.dataset.state, hidden: s.hidden, events: s.querySelectorAll('.rtl-reading li').length}; })()`, &tl)
	resp, _ := tb.srv.do(t, "GET", "/api/v1/timeline", "", "", nil)
	switch {
	case resp.StatusCode == http.StatusNotFound && (tl.State != "absent" || !tl.Hidden):
		t.Errorf("no timeline from the API, yet the section shows: %+v", tl)
	case resp.StatusCode == http.StatusOK && (tl.State != "ready" || tl.Hidden || tl.Events == 0):
		t.Errorf("the API has a timeline, the page shows: %+v", tl)
	}
	t.Logf("agreement: timeline per reading %d (%+v)", resp.StatusCode, tl)
	tb.screenshot("agreement")
}

func testFigures(t *testing.T, tb *tab) {
	tb.open("/figures?from=2025-04-01&to=2025-04-17")
	tb.wait(`document.getElementById('figures').dataset.state === 'ready'`)
	var fig struct{ Charts, Bars, Parties int }
	tb.eval(`({charts: document.querySelectorAll('#figures svg.chart').length, bars: document.querySelectorAll('#figures svg.chart rect').length,
	  parties: document.querySelectorAll('#figures .party-table tbody tr[data-party]').length})`, &fig)
	if fig.Charts < 3 || fig.Bars == 0 || fig.Parties == 0 {
		t.Errorf("figures page: %+v", fig)
	}
	// The period report the page links to: the HTML, fetched as the page
	// would follow the link, holds the period's figures.
	var rep struct {
		Status int
		Type   string
		Title  bool
	}
	tb.eval(`(async () => { const r = await fetch(document.getElementById('report-html').href); const t = await r.text();
	  return {status: r.status, type: r.headers.get('Content-Type'), title: t.includes('Ceasefire monitoring report')}; })()`, &rep)
	if rep.Status != http.StatusOK || !strings.HasPrefix(rep.Type, "text/html") || !rep.Title {
		t.Errorf("the period report linked from the figures page: %+v", rep)
	}
	tb.screenshot("figures")
}

func testBrowserCSRF(t *testing.T, tb *tab) {
	tb.signIn("monitor")
	var got map[string]int
	tb.eval(`(async () => {
	  const body = JSON.stringify({text: 'CSRF probe'});
	  const post = (h) => fetch('/api/v1/incidents/UKR200103/notes', {method: 'POST', headers: Object.assign({'Content-Type': 'application/json'}, h), body}).then(r => r.status);
	  const token = document.cookie.split('; ').find(c => c.startsWith('truce_csrf=')).split('=')[1];
	  return {without: await post({}), wrong: await post({'X-CSRF-Token': 'nope'}), with: await post({'X-CSRF-Token': token}),
	          sessionVisible: document.cookie.includes('truce_session') ? 1 : 0}; })()`, &got)
	if got["without"] != http.StatusForbidden || got["wrong"] != http.StatusForbidden || got["with"] != http.StatusCreated || got["sessionVisible"] != 0 {
		t.Errorf("CSRF from the page: %v", got)
	}
}

func testPhone(t *testing.T, tb *tab) {
	tb.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tb.open("/?from=2025-04-01&to=2025-04-03")
	tb.mapReady()
	var overflow bool
	tb.eval(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow)
	if overflow {
		t.Error("the map page scrolls sideways on a phone")
	}
	tb.screenshot("phone-map")
}
