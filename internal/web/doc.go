// Package web is the dashboard that `truce serve` shows at /: a map of the
// agreement's zones, the protected sites and the incidents; the agreement
// with its phases, readings, positions and obligations; figures per phase
// and party; incident pages with an in-browser check of the tamper-evident
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
//	GET  /figures               per phase and party, per day, vs the previous period
//	GET  /incidents/{id}        one incident; marks in each report's text the words
//	                            that established each fact; verifies its log records
//	GET  /review                the monitors' review queue
//	GET  /submit                the submission form (parties, monitors)
//	GET  /signin, POST /signin  sign in with an API token
//	POST /signout               sign out
//	GET  /map/zones.geojson     the current agreement's zones, simplified
//	GET  /static/{build}/...    embedded scripts, styles and data
//	/api/, /metrics, /healthz   the API handler
//
// Sessions: POST /signin checks the token and keeps it in the HttpOnly
// cookie truce_session (SameSite=Strict, Path=/, Secure over TLS). Requests
// to /api/ that carry it and no Authorization header are passed on with
// the token as a bearer token. Those that change state (POST, PUT, PATCH,
// DELETE) must also carry the X-CSRF-Token header with the session's CSRF
// token, an HMAC of the session token that the page's scripts read from
// the cookie truce_csrf, and must not be cross-origin; otherwise they are
// refused with 403. The sign-in form is guarded by its own token (double
// submit with the cookie truce_login), the sign-out form by the session's.
//
// Every response carries a strict Content-Security-Policy (default-src
// 'self', no inline script or style, frame-ancestors 'none', form-action
// 'self'), X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
package web
