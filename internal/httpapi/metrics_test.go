package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads /metrics with the Prometheus text parser and returns
// truce_http_requests_total by "method route status".
func scrape(t *testing.T, text string) map[string]float64 {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	fam, ok := fams["truce_http_requests_total"]
	if !ok {
		t.Fatal("/metrics has no truce_http_requests_total")
	}
	out := map[string]float64{}
	for _, m := range fam.GetMetric() {
		l := map[string]string{}
		for _, lp := range m.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		out[l["method"]+" "+l["route"]+" "+l["status"]] += m.GetCounter().GetValue()
	}
	return out
}

// TestMetricsByRoute checks that API requests are counted by the
// operation's path template, not as one route.
func TestMetricsByRoute(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/v1/incidents", "/api/v1/incidents/acc-ru", "/api/v1/incidents/acc-ua", "/api/v1/incidents/nope", "/api/v1/log/checkpoint"} {
		f.send(t, "public", "GET", p, "", nil, nil)
	}
	st, _, text := f.send(t, "public", "GET", "/metrics", "", nil, nil)
	if st != http.StatusOK {
		t.Fatalf("GET /metrics: %d", st)
	}
	got := scrape(t, text)
	for k, want := range map[string]float64{
		"GET /api/v1/incidents 200":      1,
		"GET /api/v1/incidents/{id} 200": 2,
		"GET /api/v1/incidents/{id} 404": 1,
		"GET /api/v1/log/checkpoint 200": 1,
	} {
		if got[k] != want {
			t.Errorf("truce_http_requests_total{%s} = %v, want %v (all: %v)", k, got[k], want, got)
		}
	}
	if got["GET /api/ 200"] != 0 {
		t.Errorf("API calls counted as one route /api/: %v", got)
	}
}
