package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"truce"
	"truce/internal/i18n"
)

// pageData is what a page template gets. Pages are shells: their scripts
// fetch the records from the API, as the signed-in user, and build the
// page with DOM calls (never innerHTML), so untrusted report text is
// only ever text.
type pageData struct {
	Title      string
	Nav        string // the current entry of the navigation
	Viewer     viewer
	LoginCSRF  string // the sign-in form's token
	Next       string // where sign-in returns to
	Error      string
	Message    string
	IncidentID string
	// MergedInto is the incident IncidentID was merged into, if it was
	// and the viewer may read it; MergedIntoPath is that incident's page.
	MergedInto, MergedIntoPath string
	// L speaks the page's language, Lang (en, uk or ru); Langs are the
	// switcher's links; Dict is the catalogue's web.js.* messages for
	// the page's scripts, as JSON.
	L     *i18n.Localizer
	Lang  string
	Langs []langLink
	Dict  template.JS
}

// pageRoles are the roles that may open a page; pages not listed are
// public. The API checks every request the page makes as well: this table
// only keeps people from pages that could show them nothing.
var pageRoles = map[string][]string{
	"review.html": {"monitor", "admin"},
	"submit.html": {"party", "monitor", "admin"},
	"field.html":  {"monitor", "admin"},
}

// page returns a handler rendering a page shell. A page that needs a role
// sends the public to sign in and answers 403 to other roles.
// title is the id of the page's title in the catalogue.
func (h *handler) page(name, title, nav string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := h.viewerOf(w, r)
		l := h.localizer(w, r)
		if roles, ok := pageRoles[name]; ok && !slices.Contains(roles, v.Role) {
			if !v.SignedIn {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
				return
			}
			h.errorPage(w, r, http.StatusForbidden, l.T("web.error.roles", "Roles", strings.Join(roles, ", "), "Role", v.Role))
			return
		}
		h.zones.warmOnce()
		d := pageData{Title: l.T(title), Nav: nav, Viewer: v, L: l}
		if v.SignedIn || r.URL.RawQuery != "" {
			h.render(w, r, http.StatusOK, name, d)
			return
		}
		// A shell for the public depends on nothing but the page, its path
		// and the language: rendered once each. A signed-in viewer's (its
		// name, role and CSRF token) and one with a query (the language
		// links keep it) are rendered every time, never cached.
		key := shellKey{name: name, path: r.URL.Path, lang: l.Lang()}
		cached, ok := h.shells.Load(key)
		if !ok {
			body, err := h.renderBytes(r, name, d)
			if err != nil {
				h.log.ErrorContext(r.Context(), "web: render", "page", name, "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			cached, _ = h.shells.LoadOrStore(key, &shell{body: body, gz: bestGzip.bytes(body)})
		}
		sh := cached.(*shell)
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(sh.gz)))
			writePage(w, http.StatusOK, sh.gz)
			return
		}
		writePage(w, http.StatusOK, sh.body)
	}
}

// shellKey names a page shell rendered for the public.
type shellKey struct{ name, path, lang string }

// shell is a page shell rendered for the public, and its gzip form,
// compressed once (the dashboard's: 30 KB of HTML, 9 KB compressed).
type shell struct{ body, gz []byte }

func (h *handler) incidentPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" || len(id) > 300 {
		h.notFound(w, r)
		return
	}
	v, p := h.whoIs(w, r)
	l := h.localizer(w, r)
	d := pageData{Title: l.T("web.title.incident", "ID", id), Nav: "map", Viewer: v, IncidentID: id, L: l}
	if into := h.mergedInto(r, p, id); into != "" {
		d.MergedInto, d.MergedIntoPath = into, "/incidents/"+url.PathEscape(into)
	}
	h.render(w, r, http.StatusOK, "incident.html", d)
}

// mergedInto returns the incident that incident id was merged into, as
// the API tells p (merged_into of GET /api/v1/incidents/{id}), or "" when
// it was not merged or p may not read it. Only an incident without
// reports can have been merged away, so the API is asked about those
// alone: the record of any other incident is read once, by the page's
// script.
func (h *handler) mergedInto(r *http.Request, p truce.Principal, id string) string {
	in, err := h.st.Incident(r.Context(), truce.IncidentID(id))
	if err != nil {
		if truce.ErrorCode(err) != truce.ENOTFOUND {
			h.log.ErrorContext(r.Context(), "web: incident page", "incident", id, "err", err)
		}
		return ""
	}
	if len(in.Reports) > 0 {
		return ""
	}
	req, err := http.NewRequestWithContext(truce.WithPrincipal(r.Context(), p), http.MethodGet, "/api/v1/incidents/"+url.PathEscape(id), nil)
	if err != nil {
		return ""
	}
	req.RemoteAddr = r.RemoteAddr
	rec := &bufferedResponse{header: http.Header{}}
	h.api.ServeHTTP(rec, req)
	var d struct {
		MergedInto string `json:"merged_into"`
	}
	if rec.status != http.StatusOK || json.Unmarshal(rec.body.Bytes(), &d) != nil {
		return ""
	}
	return d.MergedInto
}

// incidentAPI serves GET /api/v1/incidents/{id}, the record the incident
// page shows. Monitors and admins get it as the API answers. Everyone else
// (the public, observers, parties) sees who acted as a role, never as a
// token id: each event's actor and each evidence item's added_by become
// publicActor's "monitor", "admin", "party UA" or "system". What they may
// read is the API's rule (docs/api.md): the whole history of a published
// incident, monitors' notes included, and nothing of one they may not see
// (404).
func (h *handler) incidentAPI(w http.ResponseWriter, r *http.Request) {
	r, p, ok := h.apiSession(w, r)
	if !ok {
		return
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		// A bearer token: who it is decides what is shown. A bad one is
		// the API's to refuse; until then it is the public.
		p = truce.Anonymous
		if scheme, secret, _ := strings.Cut(auth, " "); strings.EqualFold(scheme, "Bearer") {
			if bp, err := h.authenticate(r.Context(), strings.TrimSpace(secret)); err == nil {
				p = bp
			}
		}
	}
	if p.Role == truce.RoleMonitor || p.Role == truce.RoleAdmin {
		h.forwardAPI(w, r)
		return
	}
	// The API's ETag is of the whole record; the answer here gets its own.
	fwd := r.Clone(r.Context())
	fwd.Header.Del("If-None-Match")
	rec := &bufferedResponse{header: http.Header{}}
	h.api.ServeHTTP(rec, fwd)
	hd := w.Header()
	for k, vs := range rec.header {
		switch k {
		case "Etag", "Content-Length", "Content-Encoding":
			continue
		}
		hd[k] = vs
	}
	if rec.status != http.StatusOK {
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	body, err := withPublicActors(rec.body.Bytes())
	if err != nil {
		h.log.ErrorContext(r.Context(), "web: incident for the public", "err", err)
		writeProblem(w, http.StatusInternalServerError, "internal error")
		return
	}
	sum := sha256.Sum256(body)
	// Compressed per request, so at the speed level (the best one cost
	// a tenth of the server's CPU under a load of public reads), and only
	// for a client that takes it.
	var gz []byte
	if len(body) > 1024 && acceptsGzip(r) {
		gz = fastGzip.bytes(body)
	}
	serveBytes(w, r, rec.header.Get("Content-Type"), `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`, body, gz)
}

// publicActor is how who acted on an incident is shown to all but
// monitors and admins: the role, with a party's id, never a token id or
// a token's name. actor is a truce.Principal's String().
func publicActor(actor string) string {
	role, rest, _ := strings.Cut(actor, ":")
	switch truce.Role(role) {
	case truce.RoleParty:
		party, _, _ := strings.Cut(rest, ":")
		return "party " + party
	case truce.RoleAdmin, truce.RoleMonitor, truce.RoleObserver:
		return role
	}
	if actor == "system" || actor == "public" {
		return actor
	}
	return "unknown"
}

// withPublicActors rewrites an incident's JSON (httpapi.IncidentDetail)
// with publicActor's names in events[].actor and evidence[].added_by.
func withPublicActors(body []byte) ([]byte, error) {
	var d map[string]json.RawMessage
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, err
	}
	for _, f := range []struct{ list, field string }{{"events", "actor"}, {"evidence", "added_by"}} {
		if d[f.list] == nil {
			continue
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(d[f.list], &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			var who string
			if it[f.field] != nil {
				if err := json.Unmarshal(it[f.field], &who); err != nil {
					return nil, err
				}
			}
			it[f.field], _ = json.Marshal(publicActor(who))
		}
		b, err := json.Marshal(items)
		if err != nil {
			return nil, err
		}
		d[f.list] = b
	}
	return json.Marshal(d)
}

// bufferedResponse keeps a whole response.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, h.localizer(w, r).T("web.error.not_found"))
}

// errorPage renders msg, already in the page's language.
func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	title := h.localizer(w, r).T("web.error.status." + strconv.Itoa(status))
	h.render(w, r, status, "error.html", pageData{Title: title, Viewer: h.viewerOf(w, r), Error: msg})
}

// render executes a page template into a buffer first, so that a failure
// is a clean 500 rather than half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	if d.L == nil {
		d.L = h.localizer(w, r)
	}
	b, err := h.renderBytes(r, name, d)
	if err != nil {
		h.log.ErrorContext(r.Context(), "web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writePage(w, status, b)
}

// renderBytes renders page name with d, whose L is set.
func (h *handler) renderBytes(r *http.Request, name string, d pageData) ([]byte, error) {
	withLang(&d, d.L, r)
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writePage(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func itoa(n int) string { return strconv.Itoa(n) }

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
