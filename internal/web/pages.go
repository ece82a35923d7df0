package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
}

// pageRoles are the roles that may open a page; pages not listed are
// public. The API checks every request the page makes as well: this table
// only keeps people from pages that could show them nothing.
var pageRoles = map[string][]string{
	"review.html": {"monitor", "admin"},
	"submit.html": {"party", "monitor", "admin"},
}

// page returns a handler rendering a page shell. A page that needs a role
// sends the public to sign in and answers 403 to other roles.
func (h *handler) page(name, title, nav string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := h.viewerOf(w, r)
		if roles, ok := pageRoles[name]; ok && !slices.Contains(roles, v.Role) {
			if !v.SignedIn {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
				return
			}
			h.errorPage(w, r, http.StatusForbidden, "This page is for the "+strings.Join(roles, " and ")+" roles; you are signed in as "+v.Role+".")
			return
		}
		h.render(w, r, http.StatusOK, name, pageData{Title: title, Nav: nav, Viewer: v})
	}
}

func (h *handler) incidentPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" || len(id) > 300 {
		h.notFound(w, r)
		return
	}
	h.render(w, r, http.StatusOK, "incident.html", pageData{Title: "Incident " + id, Nav: "map", Viewer: h.viewerOf(w, r), IncidentID: id})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "There is no page at this address.")
}

func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error.html", pageData{Title: http.StatusText(status), Viewer: h.viewerOf(w, r), Error: msg})
}

// render executes a page template into a buffer first, so that a failure
// is a clean 500 rather than half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, d); err != nil {
		h.log.ErrorContext(r.Context(), "web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func itoa(n int) string { return strconv.Itoa(n) }

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
