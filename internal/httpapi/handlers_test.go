package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// call is one request of a handler test and what it must answer. The
// calls of a table run in order on one fixture, so a call sees what the
// calls before it did.
type call struct {
	name         string
	who          string // a fixture token name, "public", or "secret:<token>"
	method, path string // {name} in who, path and detail is replaced by vars[name]
	body         any    // sent as JSON; a []byte is sent as it is, with ct
	ct           string
	status       int
	// detail is a part of the problem's detail, for an error.
	detail string
	// location is the location of one of a 422's errors ("body.status").
	location string
	// check looks at any other answer; vars holds what earlier calls
	// saved for later ones.
	check func(t *testing.T, vars map[string]string, h http.Header, body []byte)
}

// run makes the calls in order, each a subtest named after it.
func (f *fixture) run(t *testing.T, calls []call) {
	t.Helper()
	vars := map[string]string{}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) { f.check(t, vars, c) })
	}
}

func (f *fixture) check(t *testing.T, vars map[string]string, c call) {
	t.Helper()
	path, who, detail := c.path, c.who, c.detail
	for k, v := range vars {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
		who = strings.ReplaceAll(who, "{"+k+"}", v)
		detail = strings.ReplaceAll(detail, "{"+k+"}", v)
	}
	var body []byte
	ct := c.ct
	switch b := c.body.(type) {
	case nil:
	case []byte:
		body = b
	default:
		body, ct = jsonBody(b), "application/json"
	}
	st, h, got := f.send(t, who, c.method, path, ct, body, nil)
	if st != c.status {
		t.Fatalf("%s %s as %s: status %d, want %d: %.500s", c.method, path, who, st, c.status, got)
	}
	if st >= 400 {
		checkProblem(t, []byte(got), st, detail, c.location)
	} else if detail != "" || c.location != "" {
		t.Fatalf("a call that succeeds names an error detail or location")
	}
	if c.check != nil {
		c.check(t, vars, h, []byte(got))
	}
}

// checkProblem checks an error's problem document: its status, a part of
// its detail and, for a 422, the location of one of its errors.
func checkProblem(t *testing.T, body []byte, status int, detail, location string) {
	t.Helper()
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("the error is not a problem document: %v: %.300s", err, body)
	}
	if p.Status != status {
		t.Errorf("problem status %d, want %d", p.Status, status)
	}
	if !strings.Contains(p.Detail, detail) {
		t.Errorf("problem detail %q, want it to contain %q", p.Detail, detail)
	}
	if location == "" {
		return
	}
	var locs []string
	for _, e := range p.Errors {
		locs = append(locs, e.Location)
	}
	if !slices.Contains(locs, location) {
		t.Errorf("the 422's errors are about %q, want one about %q: %s", locs, location, body)
	}
}

// decode decodes a JSON answer.
func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %T: %v: %.300s", v, err, body)
	}
	return v
}

// header checks that an answer's header k is want.
func header(t *testing.T, h http.Header, k, want string) {
	t.Helper()
	if got := h.Get(k); got != want {
		t.Errorf("%s: %q, want %q", k, got, want)
	}
}
