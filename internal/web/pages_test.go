package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
)

// TestPagesByRole opens every page with every role, no session, an
// expired and a revoked session, and checks the exact set allowed: the
// public is sent to sign in, other roles get 403.
func TestPagesByRole(t *testing.T) {
	s := newTestServer(t, false)
	ctx := context.Background()
	for _, extra := range []struct {
		key  string
		role truce.Role
	}{{"observer", truce.RoleObserver}, {"expired", truce.RoleMonitor}, {"revoked", truce.RoleMonitor}} {
		ttl := time.Duration(0)
		if extra.key == "expired" {
			ttl = time.Hour
		}
		secret, tok := truce.NewToken(extra.role, "", extra.key, ttl, time.Now().Add(-2*time.Hour))
		if err := s.store.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		s.tokens[extra.key] = secret
	}
	// Sign in while the tokens are good, then revoke one: its cookie
	// outlives it, as a stolen cookie would.
	sessions := map[string]string{"public": ""}
	for _, who := range []string{"observer", "UA", "monitor", "admin", "revoked"} {
		cs := signIn(t, s, s.tokens[who])
		sessions[who] = cookieHeader(cs["truce_session"], cs["truce_csrf"])
	}
	sessions["expired"] = "truce_session=" + s.tokens["expired"]
	toks, err := s.store.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.Name == "revoked" {
			if err := s.store.RevokeToken(ctx, tk.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	everyone := []string{"public", "observer", "UA", "monitor", "admin", "expired", "revoked"}
	for _, tt := range []struct {
		page    string
		allowed []string
	}{
		{"/", everyone},
		{"/agreement", everyone},
		{"/figures", everyone},
		{"/claims", everyone}, // the public reads published claims; a party files its own
		{"/signin", everyone},
		{"/incidents/any-id", everyone}, // the shell; the API decides what it shows
		{"/review", []string{"monitor", "admin"}},
		{"/submit", []string{"UA", "monitor", "admin"}},
		{"/field", []string{"monitor", "admin"}},
	} {
		for _, who := range everyone {
			t.Run(strings.TrimPrefix(tt.page, "/")+"/"+who, func(t *testing.T) {
				var hdr []string
				if c := sessions[who]; c != "" {
					hdr = []string{"Cookie", c}
				}
				resp, body := s.do(t, "GET", tt.page, "", "", nil, hdr...)
				allowed := false
				for _, a := range tt.allowed {
					allowed = allowed || a == who
				}
				anonymous := who == "public" || who == "expired" || who == "revoked"
				switch {
				case allowed && resp.StatusCode != http.StatusOK:
					t.Errorf("status %d, want 200: %.200s", resp.StatusCode, body)
				case !allowed && anonymous && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin?next=")):
					t.Errorf("status %d (Location %q), want 303 to /signin", resp.StatusCode, resp.Header.Get("Location"))
				case !allowed && !anonymous && resp.StatusCode != http.StatusForbidden:
					t.Errorf("status %d, want 403", resp.StatusCode)
				}
				if resp.Header.Get("Content-Security-Policy") == "" && resp.StatusCode == http.StatusOK {
					t.Error("no Content-Security-Policy")
				}
			})
		}
	}
}

// incidentReports is the part of an incident's JSON the evidence tests read.
type incidentReports struct {
	ReportList []struct {
		ID        string `json:"id"`
		Text      string `json:"text"`
		Judgement *struct {
			Facts struct {
				Evidence []struct {
					Fact  string `json:"fact"`
					Basis string `json:"basis"`
					Words string `json:"words"`
					Start int    `json:"start"`
					End   int    `json:"end"`
					Note  string `json:"note"`
				} `json:"evidence"`
			} `json:"facts"`
		} `json:"judgement"`
	} `json:"report_list"`
}

// TestIncidentEvidence checks that the incident JSON the incident page
// reads carries each judgement's evidence, with offsets in code points of
// the report's text.
func TestIncidentEvidence(t *testing.T) {
	s := newTestServer(t, false)
	s.uploadAgreement(t)
	s.upload(t, "/api/v1/reports/bulk?name=acled_sample.csv", "text/csv", acledSample)
	var inc incidentReports
	s.must(t, http.StatusOK, "GET", "/api/v1/incidents/UKR200101", "", nil, &inc)
	if len(inc.ReportList) != 1 || inc.ReportList[0].Judgement == nil {
		t.Fatalf("UKR200101: %+v, want one judged report", inc)
	}
	r := inc.ReportList[0]
	found := false
	for _, ev := range r.Judgement.Facts.Evidence {
		if ev.Start == 0 && ev.End == 0 {
			continue
		}
		rs := []rune(r.Text)
		if ev.Start < 0 || ev.Start >= ev.End || ev.End > len(rs) || string(rs[ev.Start:ev.End]) != ev.Words {
			t.Errorf("evidence %+v is not the words at its code-point offsets of %q", ev, r.Text)
		}
		found = found || (ev.Fact == "target" && ev.Basis == "text" && ev.Words == "energy infrastructure")
	}
	if !found {
		t.Errorf("no target evidence \"energy infrastructure\" in %+v", r.Judgement.Facts.Evidence)
	}
}

// htmlSinks are the DOM calls that would parse a string as markup.
var htmlSinks = regexp.MustCompile(`\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|createContextualFragment|parseFromString|srcdoc|\beval\(|new Function\(`)

// TestReportTextIsText checks, without a browser, that a report whose
// text is markup reaches the incident page only as data: the API returns
// it as JSON, the page shell does not hold it, and no script of the
// dashboard hands a string to the HTML parser.
func TestReportTextIsText(t *testing.T) {
	s := newTestServer(t, false)
	text := `<script>alert(1)</script><img src=x onerror=alert(2)> Russian forces struck a substation`
	var created struct {
		Incident string `json:"incident"`
	}
	s.must(t, http.StatusCreated, "POST", "/api/v1/reports", "monitor",
		map[string]any{"time": "2025-03-26T02:00:00Z", "lat": 50.9077, "lon": 34.7981, "text": text}, &created)
	resp, body := s.do(t, "GET", "/api/v1/incidents/"+url.PathEscape(created.Incident), "", "", nil)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the incident is served as %q (nosniff %q)", ct, resp.Header.Get("X-Content-Type-Options"))
	}
	var inc incidentReports
	s.must(t, http.StatusOK, "GET", "/api/v1/incidents/"+url.PathEscape(created.Incident), "", nil, &inc)
	if len(inc.ReportList) != 1 || inc.ReportList[0].Text != text {
		t.Errorf("the incident's report text: %+v, want %q: %.300s", inc.ReportList, text, body)
	}
	_, page := s.do(t, "GET", "/incidents/"+url.PathEscape(created.Incident), "", "", nil)
	if strings.Contains(string(page), "alert(") || strings.Contains(string(page), "onerror") {
		t.Errorf("the page shell holds the report's text: %s", page)
	}
	// An incident id that is markup is escaped in the shell.
	_, page = s.do(t, "GET", "/incidents/"+url.PathEscape(`<script>alert(3)</script>`), "", "", nil)
	if strings.Contains(string(page), "<script>alert") {
		t.Errorf("the page shell holds an id as markup: %s", page)
	}
	js, err := filepath.Glob("assets/js/*.js")
	if err != nil || len(js) == 0 {
		t.Fatalf("the dashboard's scripts: %v %v", js, err)
	}
	for _, f := range js {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if htmlSinks.MatchString(line) {
				t.Errorf("%s:%d parses a string as HTML: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestIncidentActors checks what the incident page's record (GET
// /api/v1/incidents/{id}, which the page reads) says of who acted (issue
// 12, item 11). The public, observers and parties see a role, "monitor"
// or "party UA", never a token id or a token's name; monitors and admins
// see the token ids. Notes follow the API's rule (docs/api.md): the
// history of a published incident, notes included, is public; an
// unpublished incident, with its notes, is not found.
func TestIncidentActors(t *testing.T) {
	s := newTestServer(t, false)
	ctx := context.Background()
	secret, tok := truce.NewToken(truce.RoleObserver, "", "test observer", 0, time.Now())
	if err := s.store.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	s.tokens["observer"] = secret
	toks, err := s.store.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string // token ids and names, which only monitors and admins may see
	ids := map[string]string{}
	for _, tk := range toks {
		secrets = append(secrets, tk.ID, tk.Name)
		ids[strings.TrimPrefix(tk.Name, "test ")] = tk.ID
	}

	// A party's report, to which it adds evidence, verified (and so
	// published) by a monitor, who notes something.
	var created struct {
		Incident string `json:"incident"`
	}
	s.must(t, http.StatusCreated, "POST", "/api/v1/reports", "UA",
		map[string]any{"time": "2025-03-26T02:00:00Z", "lat": 50.9077, "lon": 34.7981, "text": "Russian forces struck a substation"}, &created)
	pub := "/api/v1/incidents/" + url.PathEscape(created.Incident)
	s.must(t, http.StatusCreated, "POST", pub+"/evidence", "UA", map[string]any{"media_type": "text/plain", "content": "aGVsbG8="}, nil)
	const note = "Checked against the operator's outage log"
	s.must(t, http.StatusCreated, "POST", pub+"/notes", "monitor", map[string]any{"text": note}, nil)
	s.must(t, http.StatusOK, "POST", pub+"/status", "monitor", map[string]any{"status": "under_review", "reason": "triage"}, nil)
	s.must(t, http.StatusOK, "POST", pub+"/status", "monitor", map[string]any{"status": "verified", "reason": "two sources"}, nil)
	// Another party's report with a note, never published.
	s.must(t, http.StatusCreated, "POST", "/api/v1/reports", "RU",
		map[string]any{"time": "2025-03-27T02:00:00Z", "lat": 47.5, "lon": 34.6, "text": "Ukrainian drones hit a depot"}, &created)
	unpub := "/api/v1/incidents/" + url.PathEscape(created.Incident)
	s.must(t, http.StatusCreated, "POST", unpub+"/notes", "monitor", map[string]any{"text": "unpublished note"}, nil)

	type record struct {
		Events []struct {
			Kind   string `json:"kind"`
			Actor  string `json:"actor"`
			Reason string `json:"reason"`
		} `json:"events"`
		Evidence []struct {
			AddedBy string `json:"added_by"`
		} `json:"evidence"`
	}
	sessions := map[string]string{}
	for _, who := range []string{"observer", "monitor"} {
		cs := signIn(t, s, s.tokens[who])
		sessions[who] = cookieHeader(cs["truce_session"], cs["truce_csrf"])
	}
	for _, tt := range []struct {
		name    string
		who     string // bearer token
		session string // or the session of
		staff   bool
	}{
		{name: "public"},
		{name: "observer, bearer", who: "observer"},
		{name: "observer, session", session: "observer"},
		{name: "party", who: "UA"},
		{name: "monitor, bearer", who: "monitor", staff: true},
		{name: "monitor, session", session: "monitor", staff: true},
		{name: "admin", who: "admin", staff: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.session != "" {
				hdr = []string{"Cookie", sessions[tt.session]}
			}
			resp, body := s.do(t, "GET", pub, tt.who, "", nil, hdr...)
			var rec record
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &rec) != nil {
				t.Fatalf("GET %s: %d %.300s", pub, resp.StatusCode, body)
			}
			var actors, added []string
			noted := false
			for _, e := range rec.Events {
				actors = append(actors, e.Actor)
				noted = noted || (e.Kind == "note" && e.Reason == note)
			}
			for _, e := range rec.Evidence {
				added = append(added, e.AddedBy)
			}
			if !noted {
				t.Errorf("the note of a published incident is missing: %+v", rec.Events)
			}
			// Opened and evidence by UA; a note, two moves and publication
			// by the monitor.
			ua, mon := "party UA", "monitor"
			if tt.staff {
				ua, mon = "party:UA:"+ids["UA"], "monitor:"+ids["monitor"]
			}
			wantActors, wantAdded := []string{ua, ua, mon, mon, mon, mon}, []string{ua}
			if !tt.staff {
				for _, sec := range secrets {
					if strings.Contains(string(body), sec) {
						t.Errorf("the record holds the token id or name %q", sec)
					}
				}
			}
			if diff := cmp.Diff(wantActors, actors); diff != "" {
				t.Errorf("actors mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantAdded, added); diff != "" {
				t.Errorf("evidence added_by mismatch (-want +got):\n%s", diff)
			}
			// The unpublished incident and its note: monitors only.
			resp, body = s.do(t, "GET", unpub, tt.who, "", nil, hdr...)
			if want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[tt.staff]; resp.StatusCode != want {
				t.Errorf("GET the unpublished incident: %d, want %d", resp.StatusCode, want)
			}
			if !tt.staff && strings.Contains(string(body), "unpublished note") {
				t.Error("an unpublished incident's note is shown")
			}
		})
	}

	t.Run("cache and compression", func(t *testing.T) {
		resp, plain := s.do(t, "GET", pub, "", "", nil)
		tag := resp.Header.Get("ETag")
		if tag == "" || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("public record: ETag %q, type %q", tag, resp.Header.Get("Content-Type"))
		}
		if resp, _ := s.do(t, "GET", pub, "", "", nil, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d, want 304", tag, resp.StatusCode)
		}
		// A monitor's tag is of another body: never 304 on the public's.
		if resp, _ := s.do(t, "GET", pub, "monitor", "", nil, "If-None-Match", tag); resp.StatusCode != http.StatusOK {
			t.Errorf("monitor with the public's tag: %d, want 200", resp.StatusCode)
		}
		resp, gz := s.do(t, "GET", pub, "", "", nil, "Accept-Encoding", "gzip")
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatal(err)
			}
			if gz, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(gz, plain) {
			t.Errorf("compressed record differs from the plain one")
		}
	})
}

// TestIncidentMergedInto: the page of an incident merged into another says
// so and links there, for whoever may read it, and the record the page
// reads says the same (merged_into); nobody learns of a merge they may
// not read.
func TestIncidentMergedInto(t *testing.T) {
	s := newTestServer(t, false)
	report := func(published bool) string {
		t.Helper()
		var r struct {
			Incident string `json:"incident"`
		}
		s.must(t, http.StatusCreated, "POST", "/api/v1/reports", "monitor",
			map[string]any{"time": "2025-03-26T02:00:00Z", "lat": 50.9, "lon": 34.8, "text": "Drones struck a substation", "published": published}, &r)
		return r.Incident
	}
	target, source := report(true), report(true)
	hiddenTarget, hiddenSource := report(false), report(false)
	for _, m := range [][2]string{{target, source}, {hiddenTarget, hiddenSource}} {
		s.must(t, http.StatusOK, "POST", "/api/v1/incidents/"+m[0]+"/merge", "monitor", map[string]any{"source": m[1], "reason": "the same strike"}, nil)
	}
	cs := signIn(t, s, s.tokens["monitor"])
	monitor := []string{"Cookie", cookieHeader(cs["truce_session"], cs["truce_csrf"])}
	for _, tt := range []struct {
		name, page string
		hdr        []string
		into       string // "": no notice
	}{
		{name: "the public, a published merge", page: source, into: target},
		{name: "a monitor, an unpublished merge", page: hiddenSource, hdr: monitor, into: hiddenTarget},
		{name: "the public, an unpublished merge", page: hiddenSource},
		{name: "the public, the merge's target", page: target},
		{name: "the public, an unknown incident", page: "nope"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.do(t, "GET", "/incidents/"+tt.page, "", "", nil, tt.hdr...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /incidents/%s: %d", tt.page, resp.StatusCode)
			}
			notice := `<p id="merged-into" class="notice">This incident was merged into incident <a href="/incidents/` + tt.into + `">` + tt.into + `</a>`
			switch {
			case tt.into != "" && !strings.Contains(string(body), notice):
				t.Errorf("the page does not link to %s, where the incident was merged: %s", tt.into, body)
			case tt.into == "" && strings.Contains(string(body), `id="merged-into"`):
				t.Errorf("the page says the incident was merged: %s", body)
			case tt.into == "" && strings.Contains(string(body), hiddenTarget):
				t.Errorf("the page names %s, an incident the reader may not read", hiddenTarget)
			}
		})
	}
	t.Run("the record", func(t *testing.T) {
		type record struct {
			MergedInto string            `json:"merged_into"`
			ReportList []json.RawMessage `json:"report_list"`
		}
		var src, tgt record
		s.must(t, http.StatusOK, "GET", "/api/v1/incidents/"+source, "", nil, &src)
		if src.MergedInto != target || len(src.ReportList) != 0 {
			t.Errorf("the merged incident's record: merged_into %q and %d reports, want %q and none", src.MergedInto, len(src.ReportList), target)
		}
		s.must(t, http.StatusOK, "GET", "/api/v1/incidents/"+target, "", nil, &tgt)
		if tgt.MergedInto != "" || len(tgt.ReportList) != 2 {
			t.Errorf("the target's record: merged_into %q and %d reports, want none and 2", tgt.MergedInto, len(tgt.ReportList))
		}
	})
}
