package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"truce/internal/httpapi"
)

// wantJSON checks that a JSON answer decodes to want.
func wantJSON[T any](want T) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
		t.Helper()
		if diff := cmp.Diff(want, decode[T](t, body)); diff != "" {
			t.Errorf("answer mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestAgreementHandlers exercises the agreement and site operations
// (agreements.go) on the scenario agreement: reads first, then uploads.
func TestAgreementHandlers(t *testing.T) {
	f := newFixture(t)
	f.run(t, slices.Concat(agreementReadCalls(f.bundle), agreementUploadCalls(f.bundle)))
}

// agreementOf summarises an agreement as the API answers it.
type agreementOf struct {
	ID, Title, Timezone string
	Version             int
	Parties, Zones      []string
	Phases              []string
}

// agreementReadCalls read the agreement stored from bundle: the current
// version, its obligations, positions, versions and bundle.
func agreementReadCalls(bundle []byte) []call {
	sum := sha256.Sum256(bundle)
	return []call{
		// get-agreement, list-obligations, list-positions
		{name: "agreement/the current one", who: "public", method: "GET", path: "/api/v1/agreement", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				a := decode[httpapi.AgreementOut](t, body)
				got := agreementOf{ID: a.ID, Title: a.Title, Timezone: a.Timezone, Version: a.Version}
				for _, p := range a.Parties {
					got.Parties = append(got.Parties, p.ID)
				}
				for _, z := range a.Zones {
					got.Zones = append(got.Zones, z.ID)
				}
				for _, p := range a.Phases {
					got.Phases = append(got.Phases, p.ID)
				}
				want := agreementOf{ID: "energy-ceasefire-2025", Title: "Test agreement", Timezone: "Europe/Kyiv", Version: 1,
					Parties: []string{"RU", "UA", "US"}, Zones: []string{"ukraine", "russia"}, Phases: []string{"energy"}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("agreement mismatch (-want +got):\n%s", diff)
				}
				if a.SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("sha256 %s, want the bundle's", a.SHA256)
				}
			}},
		{name: "obligations/listed", who: "public", method: "GET", path: "/api/v1/obligations", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				obs := decode[[]httpapi.ObligationOut](t, body)
				if len(obs) != 1 || obs[0].ID != "pow-exchange" || obs[0].Status != "fulfilled" || obs[0].Description != "Exchange of prisoners" {
					t.Errorf("obligations %+v, want pow-exchange, fulfilled", obs)
				}
			}},
		{name: "positions/of a party", who: "public", method: "GET", path: "/api/v1/positions?party=RU", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				ps := decode[[]httpapi.PositionOut](t, body)
				if len(ps) != 1 || ps[0].Party != "RU" || ps[0].Phase != "energy" || ps[0].Stance != "accepted" {
					t.Errorf("positions %+v, want RU's acceptance of energy", ps)
				}
			}},
		{name: "positions/none", who: "public", method: "GET", path: "/api/v1/positions?party=UA", status: http.StatusOK, check: wantJSON([]httpapi.PositionOut{})},
		{name: "positions/party too long", who: "public", method: "GET", path: "/api/v1/positions?party=" + string(bytes.Repeat([]byte("x"), 65)),
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.party"},

		// list-agreement-versions, get-agreement-bundle
		{name: "versions/listed", who: "public", method: "GET", path: "/api/v1/agreements/energy-ceasefire-2025/versions", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				vs := decode[[]struct {
					Version int    `json:"version"`
					SHA256  string `json:"sha256"`
				}](t, body)
				if len(vs) != 1 || vs[0].Version != 1 || vs[0].SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("versions %+v, want version 1 of the bundle", vs)
				}
			}},
		{name: "versions/unknown agreement", who: "public", method: "GET", path: "/api/v1/agreements/nope/versions", status: http.StatusNotFound, detail: "agreement nope not found"},
		{name: "bundle/byte for byte", who: "public", method: "GET", path: "/api/v1/agreements/energy-ceasefire-2025/versions/1/bundle", status: http.StatusOK,
			check: func(t *testing.T, _ map[string]string, h http.Header, body []byte) {
				if !bytes.Equal(body, bundle) {
					t.Errorf("the bundle differs from the uploaded one (%d bytes, want %d)", len(body), len(bundle))
				}
				header(t, h, "Content-Type", "application/zip")
				header(t, h, "Content-Disposition", `attachment; filename="energy-ceasefire-2025-v1.zip"`)
			}},
		{name: "bundle/unknown version", who: "public", method: "GET", path: "/api/v1/agreements/energy-ceasefire-2025/versions/2/bundle",
			status: http.StatusNotFound, detail: "agreement energy-ceasefire-2025 version 2 not found"},
		{name: "bundle/version 0", who: "public", method: "GET", path: "/api/v1/agreements/energy-ceasefire-2025/versions/0/bundle",
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "path.version"},
	}
}

// agreementUploadCalls upload agreements (bundle again, and broken ones)
// and sites, and list the sites.
func agreementUploadCalls(bundle []byte) []call {
	sum := sha256.Sum256(bundle)
	sites := []byte("id,name,lon,lat,category\ns1,Plant,30.1,50.1,energy.power_plant\n")
	return []call{
		// upload-agreement
		{name: "upload/the same bundle again", who: "admin", method: "POST", path: "/api/v1/agreements", body: bundle, ct: "application/zip",
			status: http.StatusCreated, check: func(t *testing.T, _ map[string]string, _ http.Header, body []byte) {
				got := decode[httpapi.UploadResult](t, body)
				want := httpapi.UploadResult{ID: "energy-ceasefire-2025", Version: 1, SHA256: hex.EncodeToString(sum[:]),
					Judged: map[string]int{"violation": 2, "not_prohibited": 2}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("upload result mismatch (-want +got):\n%s", diff)
				}
			}},
		{name: "upload/an agreement with problems", who: "admin", method: "POST", path: "/api/v1/agreements", body: []byte("truce: 1\nid: x\nparties: 3\n"), ct: "application/yaml",
			status: http.StatusUnprocessableEntity, detail: "agreement.yaml:"},
		{name: "upload/a broken zip", who: "admin", method: "POST", path: "/api/v1/agreements", body: []byte("PK\x03\x04 and nothing more"), ct: "application/zip",
			status: http.StatusUnprocessableEntity, detail: "upload.zip"},
		{name: "upload/a monitor may not", who: "monitor", method: "POST", path: "/api/v1/agreements", body: bundle, ct: "application/zip",
			status: http.StatusForbidden, detail: "the monitor role may not upload-agreement"},

		// list-sites, upload-sites
		{name: "sites/none yet", who: "public", method: "GET", path: "/api/v1/sites", status: http.StatusOK, check: wantJSON([]httpapi.SiteOut{})},
		{name: "sites/uploaded", who: "admin", method: "POST", path: "/api/v1/sites", body: sites, ct: "text/csv", status: http.StatusOK,
			check: wantJSON(httpapi.SitesResult{Read: 1, Accepted: 1, Added: 1, Errors: []string{}})},
		{name: "sites/listed with their category", who: "public", method: "GET", path: "/api/v1/sites", status: http.StatusOK,
			check: wantJSON([]httpapi.SiteOut{{ID: "s1", Name: "Plant", Lon: 30.1, Lat: 50.1, Category: "energy.power_plant"}})},
		{name: "sites/the same again adds nothing", who: "admin", method: "POST", path: "/api/v1/sites", body: sites, ct: "text/csv", status: http.StatusOK,
			check: wantJSON(httpapi.SitesResult{Read: 1, Accepted: 1, Errors: []string{}})},
		{name: "sites/strict refuses a bad row", who: "admin", method: "POST", path: "/api/v1/sites?strict=true", ct: "text/csv",
			body: []byte("id,name,lon,lat,category\ns2,Plant,300,50.1,energy\n"), status: http.StatusUnprocessableEntity, detail: "300"},
		{name: "sites/unknown format", who: "admin", method: "POST", path: "/api/v1/sites?format=kml", body: sites, ct: "text/csv",
			status: http.StatusUnprocessableEntity, detail: "validation failed", location: "query.format"},
		{name: "sites/a party may not", who: "party:UA", method: "POST", path: "/api/v1/sites", body: sites, ct: "text/csv",
			status: http.StatusForbidden, detail: "the party role may not upload-sites"},
	}
}

// TestNoAgreementHandlers: before any agreement is uploaded, what needs
// one is not found, and what does not works.
func TestNoAgreementHandlers(t *testing.T) {
	f := newBareFixture(t)
	const none = "no agreement has been uploaded yet"
	f.run(t, []call{
		{name: "agreement", who: "public", method: "GET", path: "/api/v1/agreement", status: http.StatusNotFound, detail: none},
		{name: "obligations", who: "public", method: "GET", path: "/api/v1/obligations", status: http.StatusNotFound, detail: none},
		{name: "positions", who: "public", method: "GET", path: "/api/v1/positions", status: http.StatusNotFound, detail: none},
		{name: "summary", who: "public", method: "GET", path: "/api/v1/summary", status: http.StatusNotFound, detail: none},
		{name: "sites without categories", who: "public", method: "GET", path: "/api/v1/sites", status: http.StatusOK, check: wantJSON([]httpapi.SiteOut{})},
		{name: "incidents", who: "public", method: "GET", path: "/api/v1/incidents", status: http.StatusOK, check: wantIncidents([]string{}, false)},
		{name: "a report, not judged", who: "monitor", method: "POST", path: "/api/v1/reports", body: map[string]any{"time": "2025-04-02", "lon": 30.5, "lat": 50.4, "perpetrator": "ZZ"},
			status: http.StatusCreated, check: wantReport(reportOf{Incident: "=id", Source: "api", Perpetrator: "ZZ"}, "api-", "")},
		{name: "a party token for any party", who: "admin", method: "POST", path: "/api/v1/tokens", body: map[string]string{"role": "party", "party": "ZZ"},
			status: http.StatusCreated},
	})
}
