package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"truce/internal/agreement"
)

// setOffline cuts the tab's network (every request fails, and the page
// sees navigator.onLine false and an offline event) or restores it.
func (tb *tab) setOffline(off bool) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, network.Enable, network.EnableParams{}); err != nil {
		tb.t.Fatal("Network.enable:", err)
	}
	// The parameters of Network.emulateNetworkConditionsByRule changed
	// between Chromium releases: Chromium 148 wants offline beside the
	// rules, the protocol cdproto follows wants it in each rule and
	// emulateOfflineServiceWorker for the service worker's own requests.
	// Both are sent; each browser reads its own and ignores the other.
	type rule struct {
		URLPattern         string  `json:"urlPattern"`
		Latency            float64 `json:"latency"`
		DownloadThroughput float64 `json:"downloadThroughput"`
		UploadThroughput   float64 `json:"uploadThroughput"`
		Offline            bool    `json:"offline"`
	}
	type params struct {
		Offline                     bool   `json:"offline"`
		EmulateOfflineServiceWorker bool   `json:"emulateOfflineServiceWorker"`
		MatchedNetworkConditions    []rule `json:"matchedNetworkConditions"`
	}
	p := params{Offline: off, EmulateOfflineServiceWorker: off, MatchedNetworkConditions: []rule{}}
	if off {
		p.MatchedNetworkConditions = []rule{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
	}
	byRule := cdp.Command[params, network.EmulateNetworkConditionsByRuleResult]{Method: network.CommandEmulateNetworkConditionsByRule}
	if _, err := chromedp.Call(tb.ctx, byRule, p); err != nil {
		tb.t.Fatal("Network.emulateNetworkConditionsByRule:", err)
	}
	if _, err := chromedp.Call(tb.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		tb.t.Fatal("Network.overrideNetworkState:", err)
	}

}

// TestFieldFormOffline drives the field form in headless Chromium: a
// draft survives a reload; the page opens with the network cut (its
// service worker kept it); three observations submitted offline wait on
// the device and arrive once each when the network returns, also when
// the page sends them again (a response lost with the connection).
func TestFieldFormOffline(t *testing.T) {
	exe := chromiumPath(t)
	dir := artifacts(t)
	srv := newTestServer(t, false)
	bundle, _, err := agreement.BundleFile("../adjudicate/testdata/field.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if resp, b := srv.do(t, "POST", "/api/v1/agreements", "admin", "application/zip", bundle); resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload agreement: %d %s", resp.StatusCode, b)
	}
	b, err := browser(t, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, b, srv, dir)
	tb.signIn("monitor")
	tb.open("/field")
	tb.wait(`document.body.dataset.fieldReady === 'true' && document.querySelectorAll('#o-party option').length > 1`)

	// A draft is kept on the device.
	tb.do(chromedp.SendKeys(chromedp.ID("x-area"), "Marinka"))
	tb.open("/field")
	tb.wait(`document.body.dataset.fieldReady === 'true'`)
	var area string
	tb.eval(`document.getElementById('x-area').value`, &area)
	if area != "Marinka" {
		t.Errorf("the restriction draft's area after a reload: %q, want Marinka", area)
	}

	// The service worker keeps the page: it opens without a connection.
	tb.wait(`document.body.dataset.offlineReady === 'true'`)
	var kept []string
	for deadline := time.Now().Add(30 * time.Second); !slices.Contains(kept, "/field") && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		tb.eval(`caches.open('truce-field-v1').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))`, &kept)
	}
	if !slices.Contains(kept, "/field") || !slices.Contains(kept, "/api/v1/agreement") {
		t.Fatalf("the service worker kept %v, want the page and the agreement", kept)
	}
	tb.setOffline(true)
	tb.open("/field")
	tb.wait(`document.body.dataset.fieldReady === 'true' && document.querySelectorAll('#o-party option').length > 1`)
	var reach string
	tb.eval(`fetch('/healthz').then(() => 'reached', () => 'failed')`, &reach)
	if reach != "failed" {
		t.Fatalf("the network is not cut: GET /healthz %s", reach)
	}
	// Chromium 148 keeps the network cut across the navigation but not the
	// emulated navigator.onLine, which it reports true again: set it
	// again, and the page shows it is offline (its offline event).
	tb.setOffline(true)
	tb.wait(`document.getElementById('f-net').dataset.online === 'false'`)
	for i, kind := range []string{"explosion", "burst", "illumination"} {
		tb.do(
			chromedp.SetValue(chromedp.ID("o-start"), fmt.Sprintf("2025-04-01T0%d:15", i+1)),
			chromedp.SendKeys(chromedp.ID("o-lat"), "48.31"),
			chromedp.SendKeys(chromedp.ID("o-lon"), "38.05"),
			chromedp.SendKeys(chromedp.ID("o-area"), "Horlivka"),
			chromedp.SetValue(chromedp.ID("o-kind"), kind),
			chromedp.SetValue(chromedp.ID("o-count"), fmt.Sprint(i+2)),
			chromedp.SetValue(chromedp.ID("o-direction"), "SE"),
			chromedp.Click(chromedp.ID("o-submit")),
		)
		tb.wait(fmt.Sprintf(`document.querySelectorAll('#f-queue tr[data-state=queued]').length === %d`, i+1))
	}
	var queued []string
	tb.eval(`[...document.querySelectorAll('#f-queue tr[data-state=queued]')].map(r => r.dataset.id)`, &queued)
	tb.screenshot("field-offline-queue")
	var stored []struct{ ID string }
	srv.must(t, http.StatusOK, "GET", "/api/v1/observations", "monitor", nil, &stored)
	if len(queued) != 3 || len(stored) != 0 {
		t.Fatalf("offline: %d queued, %d stored; want 3 and 0", len(queued), len(stored))
	}

	tb.setOffline(false)
	tb.wait(`document.querySelectorAll('#f-queue tr[data-state=sent]').length === 3 && document.querySelectorAll('#f-queue tr[data-state=queued]').length === 0`)
	// The page sends them all again, as after a response lost with the
	// connection: the server stores nothing new.
	tb.eval(`(() => { const sent = JSON.parse(localStorage.getItem('truce.field.sent.v1'));
	  localStorage.setItem('truce.field.queue.v1', JSON.stringify(sent.map(s => ({kind: s.kind, body: s.body}))));
	  document.getElementById('f-send').click(); document.getElementById('f-send').click(); return true; })()`, nil)
	tb.wait(`JSON.parse(localStorage.getItem('truce.field.queue.v1')).length === 0`)
	time.Sleep(200 * time.Millisecond)
	// A restriction, online: stored at once, with the draft's area.
	tb.do(
		chromedp.SetValue(chromedp.ID("x-kind"), "delay"),
		chromedp.SetValue(chromedp.ID("x-start"), "2025-04-01T11:00"),
		chromedp.SendKeys(chromedp.ID("x-duration"), "45"),
		chromedp.SendKeys(chromedp.ID("x-lat"), "47.9"),
		chromedp.SendKeys(chromedp.ID("x-lon"), "37.6"),
		chromedp.SetValue(chromedp.ID("x-party"), "UA"),
		chromedp.Click(chromedp.ID("x-submit")),
	)
	tb.wait(`document.querySelectorAll('#f-queue tr[data-state=sent]').length === 4`)
	var fom []struct {
		ID, Area, Party, Outcome string
		DurationMin              int `json:"duration_min"`
	}
	srv.must(t, http.StatusOK, "GET", "/api/v1/restrictions", "monitor", nil, &fom)
	if len(fom) != 1 || fom[0].Area != "Marinka" || fom[0].Party != "UA" || fom[0].DurationMin != 45 || fom[0].Outcome != "violation" {
		t.Errorf("the restriction sent from the form: %+v", fom)
	}
	tb.screenshot("field-sent")
	srv.must(t, http.StatusOK, "GET", "/api/v1/observations", "monitor", nil, &stored)
	var got []string
	for _, o := range stored {
		got = append(got, o.ID)
	}
	slices.Sort(got)
	slices.Sort(queued)
	if !slices.Equal(got, queued) {
		t.Errorf("stored observations %v, want the three queued ones once each %v", got, queued)
	}
}

// TestDailyOnFiguresPage shows the daily report of a seeded day on the
// Figures page, with the figures the API gives.
func TestDailyOnFiguresPage(t *testing.T) {
	exe := chromiumPath(t)
	dir := artifacts(t)
	srv := newTestServer(t, false)
	bundle, _, err := agreement.BundleFile("../adjudicate/testdata/field.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if resp, b := srv.do(t, "POST", "/api/v1/agreements", "admin", "application/zip", bundle); resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload agreement: %d %s", resp.StatusCode, b)
	}
	for i, start := range []string{"2025-03-31T22:00:00Z", "2025-04-01T02:00:00Z", "2025-04-01T03:00:00Z"} {
		srv.must(t, http.StatusCreated, "POST", "/api/v1/observations", "monitor", map[string]any{"means": "patrol", "sensed": "seen",
			"start": start, "lat": 48.31, "lon": 38.05, "area": "Horlivka", "kind": "explosion", "explosion": "impact", "count": 5 + i,
			"party": "RU", "published": true}, nil)
	}
	b, err := browser(t, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, b, srv, dir)
	tb.open("/figures?day=2025-04-01")
	tb.wait(`document.getElementById('daily').dataset.state === 'ready'`)
	var got struct {
		Observed []string `json:"observed"`
		Areas    []string `json:"areas"`
		PDF      string   `json:"pdf"`
	}
	tb.eval(`({observed: [...document.querySelectorAll('#daily-body tr[data-key=observed] td')].map(td => td.textContent),
	  areas: [...document.querySelectorAll('#daily-body tr[data-key=Horlivka] td')].map(td => td.textContent),
	  pdf: document.getElementById('daily-pdf').getAttribute('href')})`, &got)
	if !slices.Equal(got.Observed, []string{"13", "5", "18"}) || len(got.Areas) == 0 || got.Areas[0] != "13 (5) 18" ||
		got.PDF != "/api/v1/daily?date=2025-04-01&format=pdf" {
		t.Errorf("the daily report on the Figures page: %+v", got)
	}
	tb.screenshot("figures-daily")
}
