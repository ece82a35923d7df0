package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"truce"
	"truce/internal/httpapi"
)

// The browser session. Signing in stores the API token in sessionCookie
// (HttpOnly: page scripts never see it) and the session's CSRF token in
// csrfCookie (readable by the page's scripts, which echo it in the
// X-CSRF-Token header). The CSRF token is an HMAC of the session token, so
// it is bound to the session: a cookie planted by another site or
// subdomain cannot match it. loginCookie guards the sign-in form itself
// (double submit), so no one can sign a user in with their own token.
const (
	sessionCookie = "truce_session"
	csrfCookie    = "truce_csrf"
	loginCookie   = "truce_login"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
	sessionMaxAge = 12 * time.Hour
	maxFormBytes  = 16 << 10
)

// csrfToken returns the CSRF token of the session whose API token is
// secret.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
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

// setCookie sets a cookie for the whole site, Secure when the request came
// over TLS; maxAge < 0 deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration, httpOnly bool) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: httpOnly, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

func clearSession(w http.ResponseWriter, r *http.Request) {
	setCookie(w, r, sessionCookie, "", -1, true)
	setCookie(w, r, csrfCookie, "", -1, false)
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

// authenticator is what httpapi.Server offers to resolve a token.
type authenticator interface {
	Authenticate(ctx context.Context, secret string) (truce.Principal, error)
}

// authenticate resolves an API token the way the API does.
func (h *handler) authenticate(ctx context.Context, secret string) (truce.Principal, error) {
	if a, ok := h.api.(authenticator); ok {
		return a.Authenticate(ctx, secret)
	}
	if secret == "" || len(secret) > 256 {
		return truce.Anonymous, truce.Errorf(truce.EUNAUTHORIZED, "invalid token")
	}
	t, err := h.st.TokenByHash(ctx, httpapi.HashToken(secret))
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return truce.Anonymous, truce.Errorf(truce.EUNAUTHORIZED, "invalid token")
	} else if err != nil {
		return truce.Anonymous, err
	}
	if !t.Active(time.Now()) {
		return truce.Anonymous, truce.Errorf(truce.EUNAUTHORIZED, "token expired or revoked")
	}
	return truce.Principal{TokenID: t.ID, Role: t.Role, Party: t.Party, Name: t.Name}, nil
}

// viewer is who looks at a page.
type viewer struct {
	SignedIn bool
	Role     string
	Party    string
	Name     string
	CSRF     string // for the sign-out form
}

// viewerOf resolves the session cookie. A cookie whose token no longer
// works (revoked, expired) is cleared.
func (h *handler) viewerOf(w http.ResponseWriter, r *http.Request) viewer {
	secret := cookieValue(r, sessionCookie)
	if secret == "" {
		return viewer{}
	}
	p, err := h.authenticate(r.Context(), secret)
	if err != nil {
		if truce.ErrorCode(err) == truce.EUNAUTHORIZED {
			clearSession(w, r)
		} else {
			h.log.ErrorContext(r.Context(), "web: session lookup failed", "err", err)
		}
		return viewer{}
	}
	name := p.Name
	if name == "" {
		name = p.TokenID
	}
	return viewer{SignedIn: true, Role: string(p.Role), Party: string(p.Party), Name: name, CSRF: csrfToken(secret)}
}

func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"status":` + itoa(status) + `,"title":` + quote(http.StatusText(status)) + `,"detail":` + quote(detail) + "}\n"))
}

// signinPage shows the sign-in form, with a fresh login CSRF token.
func (h *handler) signinPage(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	tok := randomToken()
	setCookie(w, r, loginCookie, tok, time.Hour, true)
	h.render(w, r, http.StatusOK, "signin.html", pageData{Title: "Sign in", Nav: "signin", Viewer: v, LoginCSRF: tok, Next: safeNext(r.URL.Query().Get("next"))})
}

// signin checks the posted token and starts a session.
func (h *handler) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if err := h.xorig.Check(r); err != nil || !sameToken(r.PostForm.Get(csrfField), cookieValue(r, loginCookie)) {
		h.errorPage(w, r, http.StatusForbidden, "The sign-in form has expired or did not come from this site. Open the sign-in page again.")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	secret := strings.TrimSpace(r.PostForm.Get("token"))
	if status, retry := h.apiCheck(r, secret); status == http.StatusTooManyRequests {
		tok := randomToken()
		setCookie(w, r, loginCookie, tok, time.Hour, true)
		w.Header().Set("Retry-After", retry)
		h.render(w, r, status, "signin.html", pageData{Title: "Sign in", Nav: "signin", LoginCSRF: tok, Next: next,
			Error: "Too many failed sign-ins from this address: try again in " + retry + " seconds."})
		return
	}
	p, err := h.authenticate(r.Context(), secret)
	if err != nil {
		status, msg := http.StatusUnauthorized, "That token is not valid: it is unknown, expired or revoked."
		if truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			h.log.ErrorContext(r.Context(), "web: sign-in failed", "err", err)
			status, msg = http.StatusInternalServerError, "Signing in failed; try again."
		}
		tok := randomToken()
		setCookie(w, r, loginCookie, tok, time.Hour, true)
		h.render(w, r, status, "signin.html", pageData{Title: "Sign in", Nav: "signin", LoginCSRF: tok, Next: next, Error: msg})
		return
	}
	setCookie(w, r, sessionCookie, secret, sessionMaxAge, true)
	setCookie(w, r, csrfCookie, csrfToken(secret), sessionMaxAge, false)
	setCookie(w, r, loginCookie, "", -1, true)
	h.log.InfoContext(r.Context(), "web: signed in", "token", p.TokenID, "role", string(p.Role), "party", string(p.Party))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signout ends the session. The form carries the session's CSRF token.
func (h *handler) signout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if secret := cookieValue(r, sessionCookie); secret != "" {
		if err := h.xorig.Check(r); err != nil || !sameToken(r.PostForm.Get(csrfField), csrfToken(secret)) {
			h.errorPage(w, r, http.StatusForbidden, "The sign-out form did not come from this site.")
			return
		}
	}
	clearSession(w, r)
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

// safeNext keeps a redirect target only if it is a path on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}
