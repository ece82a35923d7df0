package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
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

// page returns a handler rendering a page shell.
func (h *handler) page(name, title, nav string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusOK, name, pageData{Title: title, Nav: nav, Viewer: h.viewerOf(w, r)})
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
