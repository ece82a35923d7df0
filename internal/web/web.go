package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"sync"

	"truce"
)

//go:embed assets templates
var files embed.FS

// Options configure Handler.
type Options struct {
	// Log receives sign-ins and failures; nil discards them.
	Log *slog.Logger
	// TrustedProxies are the reverse proxies whose X-Forwarded-Proto is
	// believed: a request from one of them with X-Forwarded-Proto: https
	// gets Secure cookies, as a request over TLS does. From any other
	// peer the header is ignored. Pass the API's own list
	// (httpapi.Options.TrustedProxies).
	TrustedProxies []netip.Prefix
}

// contentSecurityPolicy is sent with every response: scripts, styles,
// images and requests only from this origin, no inline script or style
// (every script and style sheet is an embedded file), no framing, and
// forms that post only back to this origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// handler is the dashboard in front of the API.
type handler struct {
	api    http.Handler
	st     truce.Store
	log    *slog.Logger
	mux    *http.ServeMux
	pages  *template.Template
	static map[string]*asset
	build  string // hash of the embedded assets, in their URLs
	zones  *zoneCache
	xorig  *http.CrossOriginProtection
	// trusted are the proxies whose X-Forwarded-Proto is believed.
	trusted []netip.Prefix
	// shells are the page shells rendered for the public, by shellKey.
	shells sync.Map
}

// Handler serves the dashboard at / and passes /api/, /metrics and /healthz to api.
//
// The pages, scripts and styles are embedded; the map's zones are the
// current stored agreement's, simplified (GET /map/zones.geojson). A user
// signs in with an API token at /signin, which starts a session kept in
// st (the HttpOnly cookie holds the session's random id, never the
// token); requests to /api/ that carry that cookie and no Authorization
// header are passed on as the session's principal.
// Such requests that change state MUST carry the session's CSRF token in
// the X-CSRF-Token header (the page's scripts read it from the truce_csrf
// cookie); without it they are refused with 403.
func Handler(api http.Handler, st truce.Store, opt Options) http.Handler {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	h := &handler{api: api, st: st, log: opt.Log, mux: http.NewServeMux(), xorig: http.NewCrossOriginProtection(), trusted: opt.TrustedProxies}
	h.loadAssets()
	h.pages = template.Must(template.New("").Funcs(template.FuncMap{
		"static": func(p string) string { return "/static/" + h.build + "/" + p },
	}).ParseFS(files, "templates/*.html"))
	// The zone file is built when the dashboard is first used, not at
	// start: dissolving and simplifying the zones costs seconds of CPU,
	// which a server that only answers the API (or one of several behind
	// a load balancer) should not spend while it takes its first writes.
	h.zones = &zoneCache{st: st, log: opt.Log}

	m := h.mux
	m.HandleFunc("GET /{$}", h.page("map.html", "web.title.map", "map"))
	m.HandleFunc("GET /agreement", h.page("agreement.html", "web.title.agreement", "agreement"))
	m.HandleFunc("GET /figures", h.page("figures.html", "web.title.figures", "figures"))
	m.HandleFunc("GET /claims", h.page("claims.html", "web.title.claims", "claims"))
	m.HandleFunc("GET /review", h.page("review.html", "web.title.review", "review"))
	m.HandleFunc("GET /submit", h.page("submit.html", "web.title.submit", "submit"))
	m.HandleFunc("GET /field", h.page("field.html", "web.title.field", "field"))
	m.HandleFunc("GET /field-sw.js", h.serveFieldWorker)
	m.HandleFunc("GET /incidents/{id}", h.incidentPage)
	m.HandleFunc("GET /signin", h.signinPage)
	m.HandleFunc("POST /signin", h.signin)
	m.HandleFunc("POST /signout", h.signout)
	m.HandleFunc("GET /map/zones.geojson", h.serveZones)
	m.HandleFunc("GET /map/sites.geojson", h.serveSites)
	m.HandleFunc("GET /static/{build}/{path...}", h.serveStatic)
	m.HandleFunc("/api/", h.serveAPI)
	m.HandleFunc("GET /api/v1/incidents/{id}", h.incidentAPI)
	m.Handle("/metrics", api)
	m.Handle("/healthz", api)
	m.HandleFunc("/", h.notFound)
	return h
}

// ServeHTTP adds the security headers to every response.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

// asset is one embedded file, ready to serve.
type asset struct {
	ctype string
	etag  string
	body  []byte
	gz    []byte // nil when not worth compressing
}

func (h *handler) loadAssets() {
	h.static = map[string]*asset{}
	all := sha256.New()
	err := fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "assets/")
		sum := sha256.Sum256(b)
		all.Write([]byte(name))
		all.Write(sum[:])
		ct := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".geojson":
			ct = "application/geo+json"
		case ".md", ".txt", "":
			ct = "text/plain; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		a := &asset{ctype: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, body: b}
		if len(b) > 1024 && !strings.HasPrefix(ct, "image/png") {
			if gz := bestGzip.bytes(b); len(gz) < len(b)*9/10 {
				a.gz = gz
			}
		}
		h.static[name] = a
		return nil
	})
	if err != nil {
		panic("web: embedded assets: " + err.Error()) // the embed directive guarantees them
	}
	h.build = hex.EncodeToString(all.Sum(nil))[:12]
}

// serveStatic serves an embedded asset. URLs carry the hash of all assets,
// so a response for the current build may be cached for good.
// serveFieldWorker serves the field form's service worker at the root,
// so that its scope covers /field and the static assets. It is never
// cached long: a new build must reach the devices.
func (h *handler) serveFieldWorker(w http.ResponseWriter, r *http.Request) {
	a := h.static["js/field-sw.js"]
	w.Header().Set("Cache-Control", "no-cache")
	serveBytes(w, r, a.ctype, a.etag, a.body, a.gz)
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	a := h.static[r.PathValue("path")]
	if a == nil {
		h.notFound(w, r)
		return
	}
	if r.PathValue("build") == h.build {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	serveBytes(w, r, a.ctype, a.etag, a.body, a.gz)
}

// serveBytes writes body (or its gzip form gz, when given and accepted)
// with an ETag, answering a matching If-None-Match with 304.
func serveBytes(w http.ResponseWriter, r *http.Request, ctype, etag string, body, gz []byte) {
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Add("Vary", "Accept-Encoding")
	useGzip := gz != nil && acceptsGzip(r)
	if useGzip {
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	hd.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == etag || t == "*" {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
	}
	if useGzip {
		hd.Set("Content-Encoding", "gzip")
		body = gz
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
