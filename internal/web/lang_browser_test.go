package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"truce/internal/i18n"
)

// visibleText is the text of the page a reader sees: every text node
// that is rendered (Element.checkVisibility), the screen-reader-only
// text included, except inside script and style elements and elements
// marked translate="no" (the sources' own words: report texts, place and
// site names, actors, notes, ids, shown as the source wrote them).
const visibleText = `(() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, [translate="no"]') || !el.checkVisibility()) continue;
    if (n.data.trim()) out.push(n.data.trim());
  }
  return out.join('\n');
})()`

// latinWord is a word with three or more Latin letters in a row.
var latinWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// tokens splits s into words: runs of letters, digits and underscores.
var tokens = regexp.MustCompile(`[\p{L}\p{N}_]+`)

// englishLeft returns the words of text with three or more Latin letters
// that allow does not hold, in order of appearance, each once. A word
// that mixes letters and digits (UKR200101, Ed25519, v1) is an id or a
// version and stays.
func englishLeft(text string, allow map[string]bool) []string {
	var out []string
	for _, w := range tokens.FindAllString(text, -1) {
		if !latinWord.MatchString(w) || allow[strings.ToLower(w)] || strings.ContainsAny(w, "0123456789") || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// allowWords adds the words of each string to allow.
func allowWords(allow map[string]bool, ss ...string) {
	for _, s := range ss {
		for _, w := range tokens.FindAllString(s, -1) {
			allow[strings.ToLower(w)] = true
		}
	}
}

// sourceNames are the names of sources, libraries, standards and units
// the pages cite, the product's name and keys on a keyboard: names, not
// English.
var sourceNames = []string{"truce", "Natural Earth", "WRI Global Power Plant Database GPPD", "Leaflet markercluster",
	"CC BY SA", "BSD Clause", "MIT", "API OpenAPI", "JavaScript", "RFC", "SHA", "WebCrypto", "Merkle", "HTML PDF JSON",
	"Tab Enter", "ACLED VIINA FIRMS"}

// agreementNames returns the words of the names a page in lang may show
// from the stored agreement: each party's, zone's, category's and phase's
// name in lang where the agreement gives one (else its English name),
// every id, and the time zone; with sourceNames and the languages' names.
func agreementNames(t *testing.T, srv *testServer, lang string) map[string]bool {
	t.Helper()
	_, body := srv.do(t, "GET", "/api/v1/agreement", "", "", nil)
	var ag any
	if err := json.Unmarshal(body, &ag); err != nil {
		t.Fatal(err)
	}
	allow := map[string]bool{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if name, ok := v["name"].(string); ok {
				names, _ := v["names"].(map[string]any)
				if s, ok := names[lang].(string); ok {
					name = s
				}
				allowWords(allow, name)
			}
			for k, x := range v {
				if k != "name" && k != "names" {
					walk(k, x)
				}
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			switch key {
			case "id", "parties", "party", "zones", "zone", "categories", "category", "timezone", "phase", "after", "bound", "reading":
				allowWords(allow, v)
			}
		}
	}
	walk("", ag)
	allowWords(allow, sourceNames...)
	for _, l := range i18n.Langs {
		allowWords(allow, i18n.For(l).T("lang.name"))
	}
	return allow
}

// incidentSources returns the words of what incident id's reports quote
// from their sources (texts, places, actors, outlets, sites): an
// explanation quotes the source's words as it wrote them.
func incidentSources(t *testing.T, srv *testServer, id string, allow map[string]bool) map[string]bool {
	t.Helper()
	_, body := srv.do(t, "GET", "/api/v1/incidents/"+id, "", "", nil)
	var inc struct {
		Reports []map[string]any `json:"report_list"`
	}
	if err := json.Unmarshal(body, &inc); err != nil {
		t.Fatal(err)
	}
	out := maps(allow)
	for _, r := range inc.Reports {
		for _, k := range []string{"text", "place", "actor1", "actor2", "outlet", "source", "site", "category", "perpetrator", "event_type"} {
			if s, ok := r[k].(string); ok {
				allowWords(out, s)
			}
		}
		if j, ok := r["judgement"].(map[string]any); ok {
			if f, ok := j["facts"].(map[string]any); ok {
				if site, ok := f["site"].(map[string]any); ok {
					allowWords(out, site["name"].(string))
				}
				if s, ok := f["place"].(string); ok {
					allowWords(out, s)
				}
			}
		}
	}
	return out
}

func maps(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestDashboardLanguages opens the map, an incident, the Figures page
// (with its daily report) and, signed in as a monitor, the field form
// in Ukrainian (chosen by Accept-Language) and Russian (chosen with the
// switcher, then remembered in a cookie) and fails on any word of three or
// more Latin letters left in the visible text that is not a name or an id
// (agreementNames, incidentSources, sourceNames), printing the offenders.
// The bundled agreement names its parties, zones, categories and phases
// in both languages, so their English names fail too.
func TestDashboardLanguages(t *testing.T) {
	exe := chromiumPath(t)
	dir := artifacts(t)
	srv := newTestServer(t, false)
	b, err := browser(t, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv.upload(t, "/api/v1/sites", "text/csv", sitesFile)
	srv.uploadAgreement(t)
	srv.upload(t, "/api/v1/reports/bulk?name=acled_sample.csv", "text/csv", acledSample)
	const incident = "UKR200101"
	for _, lang := range []string{"uk", "ru"} {
		t.Run(lang, func(t *testing.T) {
			allow := agreementNames(t, srv, lang)
			incAllow := incidentSources(t, srv, incident, allow)
			tb := newTab(t, b, srv, dir)
			if lang == "uk" {
				if _, err := chromedp.Call(tb.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
					Headers: network.Headers{"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"}}); err != nil {
					t.Fatal(err)
				}
				tb.open("/?from=2025-03-01&to=2025-04-30&area=all")
			} else {
				tb.open("/?from=2025-03-01&to=2025-04-30&area=all")
				tb.mapReady()
				tb.do(chromedp.Click(chromedp.CSS(`header a[data-lang="ru"]`)))
				tb.wait(`document.documentElement.lang === 'ru'`)
				tb.open("/?from=2025-03-01&to=2025-04-30&area=all") // no ?lang=: the cookie remembers it
			}
			tb.mapReady()
			tb.checkLanguage(lang, "map", allow)
			tb.open("/incidents/" + incident)
			tb.wait(`document.getElementById('incident').dataset.state === 'ready'`)
			tb.checkLanguage(lang, "incident", incAllow)
			// The pages for signed-in roles send the public to sign in or say
			// whom they are for, in the page's language.
			for _, p := range []string{"/signin", "/error-page-that-does-not-exist"} {
				tb.open(p)
				tb.checkLanguage(lang, strings.TrimPrefix(p, "/"), allow)
			}
			// The agreement page quotes the agreement's own English (commitments,
			// positions, conditions): its chrome is checked, not its text.
			tb.open("/agreement")
			tb.wait(`document.getElementById('agreement').dataset.state === 'ready'`)
			tb.screenshot("lang-" + lang + "-agreement")
			var heads []string
			tb.eval(`[...document.querySelectorAll('#agreement h2, #ag-facts dt, #phases h4')].filter(e => e.checkVisibility()).map(e => e.textContent)`, &heads)
			if left := englishLeft(strings.Join(heads, "\n"), allow); len(left) > 0 {
				t.Errorf("agreement page in %s: English headings: %s", lang, strings.Join(left, " "))
			}
			tb.open("/figures?from=2025-03-18&to=2025-04-17")
			tb.wait(`document.getElementById('figures').dataset.state === 'ready' && document.getElementById('cvf').dataset.state !== 'loading'`)
			tb.checkLanguage(lang, "figures", allow)
			// The period report the page links to is in the page's language.
			var rep struct {
				Status int  `json:"status"`
				Lang   bool `json:"lang"`
			}
			tb.eval(`(async () => { const r = await fetch(document.getElementById('report-html').href); const t = await r.text();
			  return {status: r.status, lang: t.includes('<html lang="`+lang+`">') && t.includes(`+jsString(i18n.For(lang).T("report.pdf.kind"))+`)}; })()`, &rep)
			if rep.Status != http.StatusOK || !rep.Lang {
				t.Errorf("the period report linked from the %s figures page: %+v", lang, rep)
			}
			// The field form, for a monitor (the header names the role in the
			// page's language).
			tb.signIn("monitor")
			tb.open("/field")
			tb.wait(`document.body.dataset.fieldReady === 'true' && document.querySelectorAll('#o-party option').length > 1`)
			tb.checkLanguage(lang, "field", allow)
		})
	}
}

// checkLanguage checks the page speaks lang, with no English left in its
// visible text but the words allow holds, and saves a screenshot.
func (tb *tab) checkLanguage(lang, name string, allow map[string]bool) {
	tb.t.Helper()
	tb.screenshot("lang-" + lang + "-" + name)
	var got struct {
		Lang string `json:"lang"`
		Text string `json:"text"`
	}
	tb.eval(`({lang: document.documentElement.lang, text: `+visibleText+`})`, &got)
	if got.Lang != lang {
		tb.t.Errorf("%s page: <html lang=%q>, want %q", name, got.Lang, lang)
	}
	if left := englishLeft(got.Text, allow); len(left) > 0 {
		tb.t.Errorf("%s page in %s: %d English words left in the visible text: %s", name, lang, len(left), strings.Join(left, " "))
	}
	if !strings.ContainsFunc(got.Text, func(r rune) bool { return r >= 'а' && r <= 'я' }) {
		tb.t.Errorf("%s page in %s: no Cyrillic in the visible text", name, lang)
	}
}

// TestPageLanguage checks how a page's language is chosen: ?lang= (and
// the cookie it sets), else the cookie, else Accept-Language, else English.
func TestPageLanguage(t *testing.T) {
	s := newTestServer(t, false)
	for _, tc := range []struct {
		name, query, cookie, accept, want string
	}{
		{name: "default", want: "en"},
		{name: "accept uk", accept: "uk-UA,uk;q=0.9,en;q=0.5", want: "uk"},
		{name: "accept ru", accept: "ru", want: "ru"},
		{name: "accept other", accept: "de-DE,fr;q=0.8", want: "en"},
		{name: "cookie over accept", cookie: "ru", accept: "uk", want: "ru"},
		{name: "query over cookie", query: "?lang=uk", cookie: "ru", want: "uk"},
		{name: "unknown query", query: "?lang=xx", accept: "ru", want: "ru"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.accept != "" {
				hdr = append(hdr, "Accept-Language", tc.accept)
			}
			if tc.cookie != "" {
				hdr = append(hdr, "Cookie", "truce_lang="+tc.cookie)
			}
			resp, body := s.do(t, "GET", "/figures"+tc.query, "", "", nil, hdr...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(string(body), `<html lang="`+tc.want+`">`) {
				t.Errorf("got %.80s, want lang %s", body, tc.want)
			}
			title := i18n.For(tc.want).T("web.title.figures")
			if !strings.Contains(string(body), "<h1>"+title+"</h1>") {
				t.Errorf("no <h1>%s</h1>", title)
			}
			setsCookie := strings.Contains(resp.Header.Get("Set-Cookie"), "truce_lang="+tc.want)
			if setsCookie != (tc.query == "?lang=uk") {
				t.Errorf("Set-Cookie %q", resp.Header.Get("Set-Cookie"))
			}
			m := regexp.MustCompile(`<script type="application/json" id="i18n">(.*?)</script>`).FindSubmatch(body)
			var dict struct {
				Lang     string         `json:"lang"`
				Messages map[string]any `json:"messages"`
			}
			if m == nil || json.Unmarshal(m[1], &dict) != nil || dict.Lang != tc.want || dict.Messages["loading"] != i18n.For(tc.want).T("web.js.loading") {
				t.Errorf("the page's dictionary: %.200s", m)
			}
		})
	}
}
