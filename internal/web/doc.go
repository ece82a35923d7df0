// Package web is the dashboard that `truce serve` shows at /: a map of the
// agreement's zones, the protected sites and the incidents; the agreement
// with its phases, readings, positions and obligations; figures per phase
// and party; the parties' own claims, checked against independent
// evidence; incident pages with an in-browser check of the tamper-evident
// log; the monitors' review queue and the parties' submission form.
//
// Handler puts the dashboard in front of the JSON API (internal/httpapi).
// The pages are html/template shells; their scripts (embedded files, no
// inline script or style) read the records from the API as the signed-in
// user, filtered and paged on the server, and build the page with DOM
// calls, never innerHTML: report text is untrusted. Everything the pages
// load is embedded in the binary (Leaflet and Leaflet.markercluster from
// npm, under assets/vendor; Natural Earth country outlines, under
// assets/basemap), so the dashboard needs no internet.
//
// Routes:
//
//	GET  /                      map of zones, sites and incidents
//	GET  /agreement             phases, readings, positions, obligations
//	GET  /figures               per phase and party, per day, vs the previous period;
//	                            the daily report of a day (observed, alleged, restrictions);
//	                            claimed vs found per accused party and day, per reading
//	GET  /claims                the parties' claims with what independent evidence
//	                            says of each, their tallies; parties file claims,
//	                            monitors decide matches and publish
//	GET  /incidents/{id}        one incident; marks in each report's text the words
//	                            that established each fact; verifies its log records
//	GET  /review                the monitors' review queue
//	GET  /submit                the submission form (parties, monitors)
//	GET  /field                 the field form, offline-capable (monitors): observations, restrictions
//	GET  /field-sw.js           its service worker, which keeps the form on the device
//	GET  /signin, POST /signin  sign in with an API token
//	POST /signout               sign out
//	GET  /map/zones.geojson     the current agreement's zones, simplified
//	GET  /map/sites.geojson     the stored protected sites, as points
//	GET  /static/{build}/...    embedded scripts, styles and data
//	/api/, /metrics, /healthz   the API handler
//
// Sessions: POST /signin checks the token and starts a session in the
// store (truce.SessionStore, so every server on one database knows it):
// the HttpOnly cookie truce_session (SameSite=Strict, Path=/) holds a
// random session id, never the token, and the store keeps only the id's
// SHA-256 with the token's id. Cookies are Secure over TLS, and behind a
// trusted proxy (Options.TrustedProxies) that sends X-Forwarded-Proto:
// https. A session lasts 12 hours; signing out deletes it, and it ends
// when its token expires or is revoked. Requests to /api/ that carry the
// cookie and no Authorization header are passed on as the session's
// principal (truce.WithPrincipal); a cookie of an ended session is
// refused with 401. Those that change state (POST, PUT, PATCH, DELETE)
// must also carry the X-CSRF-Token header with the session's CSRF token,
// an HMAC of the session id that the page's scripts read from the cookie
// truce_csrf, and must not be cross-origin; otherwise they are refused
// with 403. The sign-in form is guarded by its own token (double submit
// with the cookie truce_login), the sign-out form by the session's.
// Sign-in returns to its next parameter only if that is a clean path on
// this site (see safeNext).
//
// The incident record the incident page reads (GET /api/v1/incidents/{id})
// names who acted by role ("monitor", "party UA") for everyone but
// monitors and admins, who see token ids.
//
// Pages speak English, Ukrainian or Russian: ?lang= (remembered in the
// cookie truce_lang), else that cookie, else Accept-Language, else
// English; a switcher on every page sets it. Templates take the
// catalogue's web.* messages (internal/i18n); the scripts take web.js.*
// from a JSON dictionary in the page (<script type="application/json"
// id="i18n">, data, not code, so the policy below allows it), with plural
// forms by Intl.PluralRules and numbers and dates by Intl. What the
// sources wrote (report texts, names of places, actors, notes) is shown as
// written and marked translate="no".
//
// Every response carries a strict Content-Security-Policy (default-src
// 'self', no inline script or style, frame-ancestors 'none', form-action
// 'self'), X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
package web
