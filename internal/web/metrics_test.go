package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"truce/internal/httpapi"
	"truce/internal/store/sqlite"
	"truce/internal/web"
)

// TestMetricsByRoute checks that with the dashboard instrumented by the
// API (httpapi.Server.Instrument), /metrics counts dashboard pages by the
// dashboard's route and API calls once, by the operation's route, as the
// Prometheus text parser reads them.
func TestMetricsByRoute(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	api := httpapi.New(st, httpapi.Options{})
	ts := httptest.NewServer(api.Instrument(web.Handler(api, st, web.Options{})))
	t.Cleanup(ts.Close)
	get := func(p string) []byte {
		t.Helper()
		resp, err := ts.Client().Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, p := range []string{"/signin", "/signin", "/incidents/x1", "/api/v1/incidents", "/api/v1/log/checkpoint"} {
		get(p)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(get("/metrics")))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	got := map[string]float64{} // "method route" → requests, any status
	for _, m := range fams["truce_http_requests_total"].GetMetric() {
		l := map[string]string{}
		for _, lp := range m.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		got[l["method"]+" "+l["route"]] += m.GetCounter().GetValue()
	}
	for k, want := range map[string]float64{
		"GET /signin":                2,
		"GET /incidents/{id}":        1,
		"GET /api/v1/incidents":      1,
		"GET /api/v1/log/checkpoint": 1,
	} {
		if got[k] != want {
			t.Errorf("truce_http_requests_total{%s} = %v, want %v (all: %v)", k, got[k], want, got)
		}
	}
	if got["GET /api/"] != 0 {
		t.Errorf("API calls counted as the dashboard's /api/ route: %v", got)
	}
}
