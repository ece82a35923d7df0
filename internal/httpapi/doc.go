// Package httpapi is truce's JSON API under /api/v1/: agreements, sites,
// reports, incidents and their review workflow, obligations and positions,
// summaries, exports and the tamper-evident log. Handlers are typed with
// huma, which generates the OpenAPI 3.1 document served at
// /api/v1/openapi.json. routes.go lists every operation, one a line, with
// the permission it needs and its handler: a method of Server, next to its
// input and output types in the file of its aggregate (incidents.go,
// reports.go…). Every request is authenticated by a bearer token
// (truce.Authenticate; or is the anonymous public) and every operation is
// authorised in one place, authz.go.
package httpapi
