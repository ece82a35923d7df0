package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// maxErrorResponse bounds an error response, whatever the request (issue
// 12, item 1): at most 20 errors and 200 bytes of each echoed field.
const maxErrorResponse = 16 << 10

// FuzzRequests sends arbitrary bodies and query strings to the API's
// writing and filtering endpoints, as a monitor and as a party, and checks
// that nothing answers 5xx, that a refused request changes nothing (the
// log does not grow) and that the response is bounded: an error by
// maxErrorResponse, an accepted write by a multiple of its body.
func FuzzRequests(f *testing.F) {
	fx := newFixture(f)
	var keys strings.Builder
	keys.WriteString(`{"kind":"denial","text":"x"`)
	for i := range 1000 {
		fmt.Fprintf(&keys, `,"k%d":{"a":[1,2,3],"b":"<%d>"}`, i, i)
	}
	keys.WriteString("}")
	for _, seed := range []struct {
		target int
		q, b   string
	}{
		{0, "", `{"time":"2025-04-02","lon":30.5,"lat":50.4,"text":"x"}`},
		{0, "", `{"time":"2025-04-02T10:00:00+03:00","lon":30.5,"lat":50.4,"actions":["shelling"],"perpetrator":"RU"}`},
		{0, "", `{"time":"9999-99-99","lon":1e400,"lat":"x"}`},
		{1, "format=acled", "event_id_cnty,event_date\nX,2025-01-01\n"},
		{1, "", "time,lon,lat\n2025-04-02,30,50\n"},
		{2, "", `{"status":"under_review","reason":"r"}`},
		{3, "", `{"kind":"denial","text":"t"}`},
		{4, "", `{"media_type":"text/plain","content":"aGk="}`},
		{5, "bbox=1,2,3,4&from=2025-01-01&to=2025-12-31&outcome=violation", ""},
		{5, "cursor=%ff&limit=0", ""},
		{6, "", `{"role":"party","party":"XX"}`},
		{3, "", keys.String()},
		{0, "", `{"time":"` + strings.Repeat("\u0000", 5000) + `","lon":1,"lat":1,"` + strings.Repeat("<", 5000) + `":1}`},
	} {
		f.Add(seed.target, seed.q, []byte(seed.b))
	}
	targets := []struct{ who, method, path, ct string }{
		{"party:UA", "POST", "/api/v1/reports", "application/json"},
		{"monitor", "POST", "/api/v1/reports/bulk", "text/csv"},
		{"monitor", "POST", "/api/v1/incidents/acc-ru/status", "application/json"},
		{"party:UA", "POST", "/api/v1/incidents/acc-ua/responses", "application/json"},
		{"monitor", "POST", "/api/v1/incidents/acc-ua/evidence", "application/json"},
		{"public", "GET", "/api/v1/incidents", ""},
		{"admin", "POST", "/api/v1/tokens", "application/json"},
		{"admin", "POST", "/api/v1/agreements", "application/yaml"},
	}
	f.Fuzz(func(t *testing.T, target int, query string, body []byte) {
		if target < 0 {
			target = -target
		}
		tg := targets[target%len(targets)]
		for _, c := range query {
			if c < 0x21 || c == 0x7f || c == '#' {
				return // not a URL a client can send
			}
		}
		before, err := fx.st.LogSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		st, resp := fx.do(t, tg.who, tg.method, tg.path+"?"+query, tg.ct, body)
		if st >= 500 {
			t.Fatalf("%s %s?%s with %q: %d %s", tg.method, tg.path, query, body, st, resp)
		}
		after, err := fx.st.LogSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st >= 400 && after != before {
			t.Fatalf("%s %s refused (%d) but the log grew from %d to %d", tg.method, tg.path, st, before, after)
		}
		if st >= 400 && len(resp) > maxErrorResponse {
			t.Fatalf("%s %s answered %d with %d bytes, more than %d", tg.method, tg.path, st, len(resp), maxErrorResponse)
		}
		if st < 400 && tg.method != "GET" && len(resp) > maxErrorResponse+8*len(body) {
			t.Fatalf("%s %s answered %d with %d bytes to a body of %d", tg.method, tg.path, st, len(resp), len(body))
		}
		if st == http.StatusOK && tg.method == "GET" && !strings.HasPrefix(resp, "{") {
			t.Fatalf("GET %s answered %d with a non-JSON body %q", tg.path, st, resp)
		}
	})
}
