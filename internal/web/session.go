package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"truce"
)

// The browser session. Signing in checks the API token and starts a
// session: a random id in sessionCookie (HttpOnly: page scripts never see
// it), whose SHA-256 the store keeps with the token's id (so every server
// on one database knows it, and a copy of the table opens nothing). The
// cookie never holds the token. The session's CSRF token is in csrfCookie
// (readable by the page's scripts, which echo it in the X-CSRF-Token
// header); it is an HMAC of the session id, so it is bound to the session:
// a cookie planted by another site or subdomain cannot match it.
// loginCookie guards the sign-in form itself (double submit), so no one
// can sign a user in with their own token. Signing out deletes the
// session; revoking or expiring its token ends it too.
const (
	sessionCookie = "truce_session"
	csrfCookie    = "truce_csrf"
	loginCookie   = "truce_login"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
	sessionMaxAge = 12 * time.Hour
	maxFormBytes  = 16 << 10
	maxSessionID  = 64 // base64url of 32 random bytes is 43 characters
)

// csrfToken returns the CSRF token of the session whose id is id.
func csrfToken(id string) string {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte("truce web csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// sessionHash is the form of a session id the store keeps.
func sessionHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// secure reports whether the browser reached us over HTTPS: the request
// came over TLS, or from a trusted proxy (Options.TrustedProxies) whose
// X-Forwarded-Proto says https. From any other peer the header is ignored:
// anyone can send it.
func (h *handler) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap().WithZone("")
	if !slices.ContainsFunc(h.trusted, func(p netip.Prefix) bool { return p.Contains(a) }) {
		return false
	}
	// With several proxies the first value is the one the browser used.
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// setCookie sets a cookie for the whole site, Secure when the browser
// reached us over HTTPS; maxAge < 0 deletes it.
func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration, httpOnly bool) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: httpOnly, Secure: h.secure(r), SameSite: http.SameSiteStrictMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

func (h *handler) clearSession(w http.ResponseWriter, r *http.Request) {
	h.setCookie(w, r, sessionCookie, "", -1, true)
	h.setCookie(w, r, csrfCookie, "", -1, false)
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// authenticate resolves an API token as the API does (truce.Authenticate).
func (h *handler) authenticate(ctx context.Context, secret string) (truce.Principal, error) {
	return truce.Authenticate(ctx, h.st, secret, time.Now())
}

// sessionOf resolves the request's session cookie to the principal the
// session acts as. Without a cookie it returns the anonymous public and
// no error; EUNAUTHORIZED if the cookie names no active session (signed
// out, expired, or its token expired or revoked).
func (h *handler) sessionOf(r *http.Request) (truce.Principal, error) {
	id := cookieValue(r, sessionCookie)
	if id == "" {
		return truce.Anonymous, nil
	}
	if len(id) > maxSessionID {
		return truce.Anonymous, truce.Errorf(truce.EUNAUTHORIZED, "invalid session")
	}
	t, err := h.st.SessionToken(r.Context(), sessionHash(id))
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return truce.Anonymous, truce.Errorf(truce.EUNAUTHORIZED, "the session has ended (signed out, expired, or its token revoked): sign in again")
	} else if err != nil {
		return truce.Anonymous, err
	}
	return t.Principal(), nil
}

// viewer is who looks at a page.
type viewer struct {
	SignedIn bool
	Role     string
	Party    string
	Name     string
	CSRF     string // for the sign-out form
}

// Who is the viewer's role, with the party of a party's officer: "monitor",
// "party UA".
func (v viewer) Who() string {
	if v.Party != "" {
		return v.Role + " " + v.Party
	}
	return v.Role
}

// viewerOf resolves the session cookie. A cookie that names no active
// session is cleared.
func (h *handler) viewerOf(w http.ResponseWriter, r *http.Request) viewer {
	v, _ := h.whoIs(w, r)
	return v
}

// whoIs is viewerOf, with the principal the session acts as (the public
// without an active session).
func (h *handler) whoIs(w http.ResponseWriter, r *http.Request) (viewer, truce.Principal) {
	p, err := h.sessionOf(r)
	if err != nil {
		if truce.ErrorCode(err) == truce.EUNAUTHORIZED {
			h.clearSession(w, r)
		} else {
			h.log.ErrorContext(r.Context(), "web: session lookup failed", "err", err)
		}
		return viewer{}, truce.Anonymous
	}
	if p.Role == "" {
		return viewer{}, truce.Anonymous
	}
	name := p.Name
	if name == "" {
		name = p.TokenID
	}
	return viewer{SignedIn: true, Role: string(p.Role), Party: string(p.Party), Name: name, CSRF: csrfToken(cookieValue(r, sessionCookie))}, p
}

func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"status":` + itoa(status) + `,"title":` + quote(http.StatusText(status)) + `,"detail":` + quote(detail) + "}\n"))
}

// signinPage shows the sign-in form, with a fresh login CSRF token.
func (h *handler) signinPage(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	l := h.localizer(w, r)
	tok := randomToken()
	h.setCookie(w, r, loginCookie, tok, time.Hour, true)
	h.render(w, r, http.StatusOK, "signin.html", pageData{Title: l.T("web.layout.sign_in"), Nav: "signin", Viewer: v, LoginCSRF: tok, Next: safeNext(r.URL.Query().Get("next")), L: l})
}

// signin checks the posted token and starts a session.
func (h *handler) signin(w http.ResponseWriter, r *http.Request) {
	l := h.localizer(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, l.T("web.signin.form_unreadable"))
		return
	}
	if err := h.xorig.Check(r); err != nil || !sameToken(r.PostForm.Get(csrfField), cookieValue(r, loginCookie)) {
		h.errorPage(w, r, http.StatusForbidden, l.T("web.signin.form_expired"))
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	secret := strings.TrimSpace(r.PostForm.Get("token"))
	if status, retry := h.apiCheck(r, secret); status == http.StatusTooManyRequests {
		tok := randomToken()
		h.setCookie(w, r, loginCookie, tok, time.Hour, true)
		w.Header().Set("Retry-After", retry)
		h.render(w, r, status, "signin.html", pageData{Title: l.T("web.layout.sign_in"), Nav: "signin", LoginCSRF: tok, Next: next, L: l,
			Error: l.T("web.signin.too_many", "Seconds", retry)})
		return
	}
	p, err := h.authenticate(r.Context(), secret)
	if err != nil {
		status, msg := http.StatusUnauthorized, l.T("web.signin.invalid")
		if truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			h.log.ErrorContext(r.Context(), "web: sign-in failed", "err", err)
			status, msg = http.StatusInternalServerError, l.T("web.signin.failed")
		}
		tok := randomToken()
		h.setCookie(w, r, loginCookie, tok, time.Hour, true)
		h.render(w, r, status, "signin.html", pageData{Title: l.T("web.layout.sign_in"), Nav: "signin", LoginCSRF: tok, Next: next, Error: msg, L: l})
		return
	}
	// Signing in again replaces the session the browser had.
	if old := cookieValue(r, sessionCookie); old != "" && len(old) <= maxSessionID {
		if err := h.st.DeleteSession(r.Context(), sessionHash(old)); err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
			h.log.ErrorContext(r.Context(), "web: end the previous session", "err", err)
		}
	}
	id := randomToken()
	now := time.Now()
	if err := h.st.CreateSession(r.Context(), &truce.Session{Hash: sessionHash(id), TokenID: p.TokenID, CreatedAt: now, ExpiresAt: now.Add(sessionMaxAge)}); err != nil {
		h.log.ErrorContext(r.Context(), "web: start a session", "err", err)
		tok := randomToken()
		h.setCookie(w, r, loginCookie, tok, time.Hour, true)
		h.render(w, r, http.StatusInternalServerError, "signin.html", pageData{Title: l.T("web.layout.sign_in"), Nav: "signin", LoginCSRF: tok, Next: next,
			Error: l.T("web.signin.failed"), L: l})
		return
	}
	h.setCookie(w, r, sessionCookie, id, sessionMaxAge, true)
	h.setCookie(w, r, csrfCookie, csrfToken(id), sessionMaxAge, false)
	h.setCookie(w, r, loginCookie, "", -1, true)
	h.log.InfoContext(r.Context(), "web: signed in", "token", p.TokenID, "role", string(p.Role), "party", string(p.Party))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signout ends the session: it is deleted from the store, so a copy of
// the cookie opens nothing afterwards. The form carries the session's
// CSRF token.
func (h *handler) signout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, h.localizer(w, r).T("web.signin.form_unreadable"))
		return
	}
	if id := cookieValue(r, sessionCookie); id != "" {
		if err := h.xorig.Check(r); err != nil || !sameToken(r.PostForm.Get(csrfField), csrfToken(id)) {
			h.errorPage(w, r, http.StatusForbidden, h.localizer(w, r).T("web.signin.signout_foreign"))
			return
		}
		if len(id) <= maxSessionID {
			if err := h.st.DeleteSession(r.Context(), sessionHash(id)); err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
				h.log.ErrorContext(r.Context(), "web: sign-out failed", "err", err)
				h.errorPage(w, r, http.StatusInternalServerError, h.localizer(w, r).T("web.signin.signout_failed"))
				return
			}
		}
	}
	h.clearSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// apiCheck presents the token to the API, as a request from the same
// address would, so that failed sign-ins through this form count against
// the API's limit on them (and are refused, 429, beyond it). It returns the
// status and the Retry-After header of the API's answer.
func (h *handler) apiCheck(r *http.Request, secret string) (int, string) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/healthz", nil)
	if err != nil {
		return http.StatusInternalServerError, ""
	}
	req.RemoteAddr = r.RemoteAddr
	// The API counts failed sign-ins by the client's address, which behind
	// a trusted proxy is in X-Forwarded-For.
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		req.Header["X-Forwarded-For"] = xff
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	rec := &discardWriter{header: http.Header{}}
	h.api.ServeHTTP(rec, req)
	return rec.status, rec.header.Get("Retry-After")
}

// discardWriter keeps a response's status and header only.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.header }

func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

func (d *discardWriter) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(b), nil
}

// safeNext keeps a redirect target only if it is a clean path on this
// site, and returns "/" otherwise. Browsers drop tabs and newlines from a
// URL and read a backslash as a slash, so "/\t/evil.example" or
// "/\evil.example" is "//evil.example", another host. A clean path starts
// with one "/" (not "//" or "/\"), holds no backslash, control character
// or white space, neither as given nor percent-decoded, and parses with no
// scheme or host.
func safeNext(next string) string {
	if !cleanPath(next) {
		return "/"
	}
	if dec, err := url.PathUnescape(next); err != nil || !cleanPath(dec) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}

func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return false
	}
	for _, c := range p {
		if c == '\\' || unicode.IsControl(c) || unicode.IsSpace(c) {
			return false
		}
	}
	return true
}
