package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	claimsFile  = scenarioDir + "/claims/claims_2025.csv"
	talliesFile = scenarioDir + "/claims/tallies_2025.csv"
)

// claimRow is the part of a claim (GET /api/v1/claims) the tests read.
type claimRow struct {
	ID        string   `json:"id"`
	Claimant  string   `json:"claimant"`
	Accused   string   `json:"accused"`
	Status    string   `json:"status"`
	Reason    string   `json:"reason"`
	Published bool     `json:"published"`
	Incidents []string `json:"incidents"`
	Proposals []struct {
		Incident string `json:"incident"`
		Reason   string `json:"reason"`
		Decision string `json:"decision"`
	} `json:"proposals"`
	Matches []struct {
		Incident string `json:"incident"`
		Decision string `json:"decision"`
	} `json:"matches"`
}

// uploadClaims posts the bundled claims and tallies as a monitor, as
// `truce import --claims/--tallies` would, and requires every row.
func (s *testServer) uploadClaims(t *testing.T) {
	t.Helper()
	for _, f := range []struct{ kind, file string }{{"claims", claimsFile}, {"tallies", talliesFile}} {
		data, err := os.ReadFile(f.file)
		if err != nil {
			t.Fatal(err)
		}
		resp, b := s.do(t, "POST", "/api/v1/claims/bulk?kind="+f.kind+"&name="+url.QueryEscape(f.kind+"_2025.csv"), "monitor", "text/csv", data)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("upload %s: %d %.500s", f.kind, resp.StatusCode, b)
		}
		t.Logf("uploaded %s: %s", f.kind, b)
	}
}

// testClaims: the public reads the claims with their statuses, filters
// them and opens one; a party files a claim through the form and sees it
// unpublished; a monitor publishes it and decides a match.
func testClaims(t *testing.T, b context.Context, srv *testServer, dir string) {
	var all []claimRow
	srv.must(t, http.StatusOK, "GET", "/api/v1/claims", "", nil, &all)
	if len(all) != 84 {
		t.Errorf("the API lists %d claims to the public, want the 84 bundled", len(all))
	}
	want := map[string]string{}
	for _, c := range all {
		want[c.ID] = c.Status
	}

	pub := newTab(t, b, srv, dir)
	pub.open("/claims")
	pub.wait(`document.getElementById('claims').dataset.state === 'ready' && document.getElementById('tallies').dataset.state === 'ready'`)
	type row struct {
		ID, Status, Published, Accused, Reason string
	}
	const readRows = `[...document.querySelectorAll('#claims-table tbody tr')].map(r => ({id: r.dataset.claim, status: r.dataset.status,
	  published: r.dataset.published, accused: r.dataset.accused, reason: (r.querySelector('.reason') || {}).textContent || ''}))`
	var rows []row
	pub.eval(readRows, &rows)
	got := map[string]string{}
	statuses := map[string]int{}
	for _, r := range rows {
		got[r.ID] = r.Status
		statuses[r.Status]++
		if r.Reason == "" {
			t.Errorf("claim %s: no reason for its status %q", r.ID, r.Status)
		}
	}
	if len(rows) != len(all) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the page lists %d claims with statuses %v; the API %d with %v", len(rows), got, len(all), want)
	}
	var tallies int
	pub.eval(`document.querySelectorAll('#tallies-table tbody tr').length`, &tallies)
	if tallies != 33 {
		t.Errorf("the page lists %d tallies, want the 33 bundled", tallies)
	}
	var forms int
	pub.eval(`document.querySelectorAll('#claim-form, #claim-publish, .match-form').length`, &forms)
	if forms != 0 {
		t.Errorf("the public sees %d forms", forms)
	}
	t.Logf("claims page: %d claims by status %v, %d tallies", len(rows), statuses, tallies)
	pub.screenshot("claims")
	pub.screenshotOf("#claims", "claims-table")

	// Filters: claims against UA, then only the unverified of those.
	pub.do(chromedp.SetValue(chromedp.ID("f-accused"), "UA"), chromedp.Click(chromedp.CSS(`#claims-form button[type=submit]`)))
	pub.wait(`document.getElementById('claims').dataset.state === 'ready' && [...document.querySelectorAll('#claims-table tbody tr')].every(r => r.dataset.accused === 'UA')`)
	var againstUA []claimRow
	srv.must(t, http.StatusOK, "GET", "/api/v1/claims?accused=UA", "", nil, &againstUA)
	pub.eval(readRows, &rows)
	if len(rows) != len(againstUA) || len(rows) == 0 {
		t.Errorf("claims against UA: the page shows %d, the API has %d", len(rows), len(againstUA))
	}
	pub.eval(`(() => { const s = document.getElementById('f-status'); s.value = 'unverified'; s.dispatchEvent(new Event('change', {bubbles: true})); return 1; })()`, nil)
	pub.eval(readRows, &rows)
	for _, r := range rows {
		if r.Status != "unverified" || r.Accused != "UA" {
			t.Errorf("filtered to unverified claims against UA, the page shows %+v", r)
		}
	}

	// A claim with a proposed match opens with its proposals and links to
	// the incidents.
	var withProposal *claimRow
	for _, c := range all {
		var d claimRow
		srv.must(t, http.StatusOK, "GET", "/api/v1/claims/"+url.PathEscape(c.ID), "", nil, &d)
		if len(d.Proposals) > 0 {
			withProposal = &d
			break
		}
	}
	if withProposal == nil {
		t.Error("no bundled claim has a proposed match")
	} else {
		pub.open("/claims?claim=" + url.QueryEscape(withProposal.ID))
		pub.wait(`document.getElementById('claim-detail').dataset.state === 'ready'`)
		var d struct {
			Proposals int      `json:"proposals"`
			Links     []string `json:"links"`
			Status    string   `json:"status"`
		}
		pub.eval(`({proposals: document.querySelectorAll('#claim-body .proposals > li').length,
		  links: [...document.querySelectorAll('#claim-body .proposals > li a[data-incident]')].map(a => decodeURIComponent(a.getAttribute('href'))),
		  status: document.getElementById('claim-detail').dataset.status})`, &d)
		if d.Proposals != len(withProposal.Proposals) || d.Status != withProposal.Status ||
			!slices.Contains(d.Links, "/incidents/"+withProposal.Proposals[0].Incident) {
			t.Errorf("claim %s: the page shows %+v; the API %d proposals (%s), status %s", withProposal.ID, d, len(withProposal.Proposals),
				withProposal.Proposals[0].Incident, withProposal.Status)
		}
		pub.screenshot("claim-detail")
	}

	// UA files a claim through the form: it is UA's, unpublished, listed
	// for UA and hidden from the public and from RU.
	ua := newTab(t, b, srv, dir)
	ua.signIn("UA")
	ua.open("/claims")
	ua.wait(`document.getElementById('claims').dataset.state === 'ready' && document.querySelectorAll('#c-accused option').length > 0`)
	ua.do(
		chromedp.Click(chromedp.CSS(`#file-claim summary`)),
		chromedp.SetValue(chromedp.ID("c-body"), "Міністерство енергетики України"),
		chromedp.SetValue(chromedp.ID("c-accused"), "RU"),
		chromedp.SetValue(chromedp.ID("c-stated"), "2025-04-06"),
		chromedp.SetValue(chromedp.ID("c-event"), "2025-04-05"),
		chromedp.SendKeys(chromedp.ID("c-facility"), "Підстанція «Київська»"),
		chromedp.SetValue(chromedp.ID("c-kind"), "substation or transformer"),
		chromedp.SendKeys(chromedp.ID("c-settlement"), "Kyiv"),
		chromedp.SetValue(chromedp.ID("c-country"), "UA"),
		chromedp.SendKeys(chromedp.ID("c-lat"), "50.4501"),
		chromedp.SendKeys(chromedp.ID("c-lon"), "30.5234"),
		chromedp.SendKeys(chromedp.ID("c-weapon"), "drone"),
		chromedp.SendKeys(chromedp.ID("c-consequences"), "transformer on fire"),
		chromedp.SendKeys(chromedp.ID("c-stitle"), "Ministry of Energy statement"),
		chromedp.SendKeys(chromedp.ID("c-surl"), "https://mev.gov.ua/"),
		chromedp.Click(chromedp.ID("c-submit")),
	)
	ua.wait(`document.getElementById('c-created') !== null || document.querySelector('#c-result .error') !== null`)
	var filed struct{ ID, Error string }
	ua.eval(`(() => { const c = document.getElementById('c-created'); const e = document.querySelector('#c-result .error');
	  return {id: c ? c.dataset.claim : '', error: e ? e.textContent : ''}; })()`, &filed)
	if filed.ID == "" {
		t.Fatalf("filing the claim failed: %s", filed.Error)
	}
	sel := fmt.Sprintf(`#claims-table tr[data-claim=%s]`, jsString(filed.ID))
	ua.wait(fmt.Sprintf(`document.querySelector(%s) !== null && document.getElementById('claim-detail').dataset.state === 'ready'`, jsString(sel)))
	var mine struct {
		Published   string `json:"published"`
		Unpublished bool   `json:"unpublished"`
		Detail      string `json:"detail"`
	}
	ua.eval(fmt.Sprintf(`({published: document.querySelector(%s).dataset.published, unpublished: document.getElementById('claim-unpublished') !== null,
	  detail: document.getElementById('claim-detail').dataset.claim})`, jsString(sel)), &mine)
	if mine.Published != "false" || !mine.Unpublished || mine.Detail != filed.ID {
		t.Errorf("UA's filed claim on the page: %+v", mine)
	}
	ua.screenshot("claim-filed")
	var c claimRow
	srv.must(t, http.StatusOK, "GET", "/api/v1/claims/"+url.PathEscape(filed.ID), "UA", nil, &c)
	if c.Claimant != "UA" || c.Accused != "RU" || c.Published || c.Status == "" {
		t.Errorf("UA's claim from the API: %+v", c)
	}
	srv.must(t, http.StatusNotFound, "GET", "/api/v1/claims/"+url.PathEscape(filed.ID), "", nil, nil)
	srv.must(t, http.StatusNotFound, "GET", "/api/v1/claims/"+url.PathEscape(filed.ID), "RU", nil, nil)

	// A monitor publishes it from its page.
	mon := newTab(t, b, srv, dir)
	mon.signIn("monitor")
	mon.open("/claims?claim=" + url.QueryEscape(filed.ID))
	mon.wait(`document.getElementById('claim-publish') !== null`)
	mon.do(chromedp.Click(chromedp.ID("claim-publish")))
	mon.wait(`document.getElementById('claim-detail').dataset.published === 'true' && document.getElementById('claim-publish') === null`)
	mon.wait(fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.published === 'true'`, jsString(sel)))
	srv.must(t, http.StatusOK, "GET", "/api/v1/claims/"+url.PathEscape(filed.ID), "", nil, &c)
	if !c.Published {
		t.Errorf("after the monitor published it, the public reads %+v", c)
	}
	mon.screenshot("claim-published")

	// The monitor rejects, then confirms, a proposed match.
	if withProposal == nil {
		return
	}
	inc := withProposal.Proposals[0].Incident
	mon.open("/claims?claim=" + url.QueryEscape(withProposal.ID))
	item := fmt.Sprintf(`#claim-body .proposals > li[data-incident=%s]`, jsString(inc))
	mon.wait(fmt.Sprintf(`document.querySelector(%s) !== null && document.getElementById('claim-detail').dataset.state === 'ready'`, jsString(item+` .match-form`)))
	decide := func(decision, note string) {
		t.Helper()
		mon.do(chromedp.SendKeys(chromedp.CSS(item+` .match-form input`), note),
			chromedp.Click(chromedp.CSS(item+fmt.Sprintf(` .match-form button[data-decision=%s]`, decision))))
		mon.wait(fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.decision === %s`, jsString(item), jsString(decision)))
	}
	decide("rejected", "a different substation")
	decide("confirmed", "the same strike after all")
	var d claimRow
	srv.must(t, http.StatusOK, "GET", "/api/v1/claims/"+url.PathEscape(withProposal.ID), "monitor", nil, &d)
	decisions := map[string]string{}
	for _, m := range d.Matches {
		decisions[m.Incident] = m.Decision
	}
	if decisions[inc] != "confirmed" {
		t.Errorf("after the monitor's decisions, claim %s's matches: %+v", withProposal.ID, d.Matches)
	}
	mon.screenshot("claim-match-decided")
}

// testClaimedVsFound opens the Figures page without a period: for the
// bundled agreement, claimed vs found covers 18 March to 17 April 2025,
// with a table per accused party and reading whose totals are the API's.
func testClaimedVsFound(t *testing.T, tb *tab) {
	tb.open("/figures")
	tb.wait(`document.getElementById('cvf').dataset.state === 'ready' && document.getElementById('figures').dataset.state === 'ready'`)
	var page struct {
		From   string              `json:"from"`
		To     string              `json:"to"`
		Tables []map[string]string `json:"tables"`
		Charts int                 `json:"charts"`
	}
	tb.eval(`({from: document.getElementById('cvf-from').value, to: document.getElementById('cvf-to').value,
	  charts: document.querySelectorAll('#cvf svg.chart').length,
	  tables: [...document.querySelectorAll('#cvf .cvf-table')].map(t => ({accused: t.dataset.accused, reading: t.dataset.reading,
	    claims: t.querySelector('tfoot td').textContent, rows: String(t.tBodies[0].rows.length),
	    violations: t.querySelectorAll('tfoot td')[5].textContent}))})`, &page)
	var tab struct {
		Readings []struct {
			Name string `json:"name"`
		} `json:"readings"`
		Parties []struct {
			Accused string `json:"accused"`
			Totals  []struct {
				Reading    string `json:"reading"`
				Claims     int    `json:"claims"`
				Violations int    `json:"violations"`
			} `json:"totals"`
		} `json:"parties"`
	}
	tb.srv.must(t, http.StatusOK, "GET", "/api/v1/claims/figures?from=2025-03-18&to=2025-04-17", "", nil, &tab)
	if page.From != "2025-03-18" || page.To != "2025-04-17" {
		t.Errorf("claimed vs found covers %s to %s, want 2025-03-18 to 2025-04-17", page.From, page.To)
	}
	if len(tab.Readings) != 2 {
		t.Errorf("the API gives %d readings, want both", len(tab.Readings))
	}
	var want []map[string]string
	for _, p := range tab.Parties {
		for _, tot := range p.Totals {
			want = append(want, map[string]string{"accused": p.Accused, "reading": tot.Reading, "claims": fmt.Sprint(tot.Claims), "violations": fmt.Sprint(tot.Violations)})
		}
	}
	var gotTables []map[string]string
	for _, tbl := range page.Tables {
		if tbl["rows"] == "0" {
			t.Errorf("an empty table: %v", tbl)
		}
		gotTables = append(gotTables, map[string]string{"accused": tbl["accused"], "reading": tbl["reading"], "claims": tbl["claims"], "violations": tbl["violations"]})
	}
	if fmt.Sprint(gotTables) != fmt.Sprint(want) || len(want) < 4 {
		t.Errorf("claimed vs found tables %v, want %v (two parties, two readings)", gotTables, want)
	}
	if page.Charts != len(tab.Parties) {
		t.Errorf("%d charts for %d parties", page.Charts, len(tab.Parties))
	}
	t.Logf("claimed vs found: %v", gotTables)
	tb.screenshot("figures-claimed-vs-found")
	tb.screenshotOf("#cvf", "figures-claimed-vs-found-section")
}

// screenshotOf saves a picture of the element sel alone.
func (tb *tab) screenshotOf(sel, name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.Screenshot(chromedp.CSS(sel)))
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
