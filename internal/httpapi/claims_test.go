package httpapi_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/geo"
	"truce/internal/httpapi"
	"truce/internal/pipeline"
)

// claimIs checks a claim answer's id, claimant, publication and status.
func claimIs(id, claimant string, published bool, status string) func(*testing.T, map[string]string, http.Header, []byte) {
	return func(t *testing.T, vars map[string]string, _ http.Header, body []byte) {
		t.Helper()
		c := decode[httpapi.ClaimOut](t, body)
		if id != "" && c.ID != id {
			t.Errorf("id %q, want %q", c.ID, id)
		}
		if c.Claimant != claimant || c.Published != published || c.Status != status {
			t.Errorf("claimant %q, published %v, status %q; want %q, %v, %q", c.Claimant, c.Published, c.Status, claimant, published, status)
		}
		vars["last"] = c.ID
	}
}

// TestClaimsAPI files, reads, publishes and decides claims as every role.
func TestClaimsAPI(t *testing.T) {
	f := newFixture(t)
	filed := map[string]any{"statement_date": "2025-04-10", "event_date": "2025-04-10", "accused": "RU", "facility": "substation",
		"lon": 36.1, "lat": 49.97, "source_url": "https://example.org/ua"}
	f.run(t, []call{
		{name: "a party files as itself, unpublished", who: "party:UA", method: "POST", path: "/api/v1/claims", body: filed, status: http.StatusCreated,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				claimIs("", "UA", false, "judged")(t, vars, h, body)
				c := decode[httpapi.ClaimOut](t, body)
				if !strings.HasPrefix(c.ID, "api-UA-") || c.PlacedBy != "coordinates" || c.EventStart == "" || len(c.Incidents) != 1 || c.Incidents[0] != "acc-ru" {
					t.Errorf("filed claim %+v: want an api-UA- id, placed by coordinates, its event, matched to acc-ru", c)
				}
				header(t, h, "Location", "/api/v1/claims/"+c.ID)
				vars["ua"] = c.ID
			}},
		{name: "a party filing as another is forbidden", who: "party:UA", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"claimant": "RU", "statement_date": "2025-04-10", "accused": "UA"}, status: http.StatusForbidden, detail: "only as itself"},
		{name: "a party may not choose the id", who: "party:UA", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"id": "RU-T1", "statement_date": "2025-04-10", "accused": "RU"}, status: http.StatusUnprocessableEntity, location: "body.id"},
		{name: "a party may not accuse itself", who: "party:UA", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"statement_date": "2025-04-10", "accused": "UA"}, status: http.StatusUnprocessableEntity, detail: "does not accuse itself"},
		{name: "an unknown accused", who: "party:UA", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"statement_date": "2025-04-10", "accused": "XX"}, status: http.StatusUnprocessableEntity, location: "body.accused"},
		{name: "a bad date", who: "party:UA", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"statement_date": "10 April", "accused": "RU"}, status: http.StatusUnprocessableEntity, detail: "statement_date"},
		{name: "an unknown field", who: "party:UA", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"statement_date": "2025-04-10", "accused": "RU", "verdict": "violation"}, status: http.StatusUnprocessableEntity},
		{name: "the public may not file", who: "public", method: "POST", path: "/api/v1/claims", body: filed, status: http.StatusUnauthorized},
		{name: "an observer may not file", who: "observer", method: "POST", path: "/api/v1/claims", body: filed, status: http.StatusForbidden},
		{name: "a monitor files for a named claimant, published", who: "monitor", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"id": "RU-T2", "claimant": "RU", "statement_date": "2025-04-12", "accused": "UA", "region": "nowhere"}, status: http.StatusCreated,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				claimIs("RU-T2", "RU", true, "unverified")(t, vars, h, body)
				if c := decode[httpapi.ClaimOut](t, body); c.PlacedBy != "none" || c.Lon != nil {
					t.Errorf("placed %q at %v, want none", c.PlacedBy, c.Lon)
				}
			}},
		{name: "a monitor must name the claimant", who: "monitor", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"statement_date": "2025-04-12", "accused": "UA"}, status: http.StatusUnprocessableEntity, location: "body.claimant"},
		{name: "a different claim under a stored id", who: "monitor", method: "POST", path: "/api/v1/claims",
			body: map[string]any{"id": "RU-T1", "claimant": "RU", "statement_date": "2025-04-11", "accused": "UA"}, status: http.StatusConflict},

		{name: "the filer reads its unpublished claim", who: "party:UA", method: "GET", path: "/api/v1/claims/{ua}", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				d := decode[httpapi.ClaimDetail](t, body)
				if d.ID != vars["ua"] || len(d.Proposals) != 1 || d.Proposals[0].Incident != "acc-ru" || d.Proposals[0].Reason == "" {
					t.Errorf("detail %+v: want one proposal, acc-ru, with its reason", d)
				}
			}},
		{name: "the other party gets 404, not 403", who: "party:RU", method: "GET", path: "/api/v1/claims/{ua}", status: http.StatusNotFound, detail: "not found"},
		{name: "an observer gets 404", who: "observer", method: "GET", path: "/api/v1/claims/{ua}", status: http.StatusNotFound},
		{name: "the public gets 404", who: "public", method: "GET", path: "/api/v1/claims/{ua}", status: http.StatusNotFound},
		{name: "an absent claim", who: "monitor", method: "GET", path: "/api/v1/claims/nope", status: http.StatusNotFound},
		{name: "the public's list leaves unpublished claims out", who: "public", method: "GET", path: "/api/v1/claims", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				var ids []string
				for _, c := range decode[[]httpapi.ClaimOut](t, body) {
					ids = append(ids, c.ID)
				}
				if strings.Join(ids, " ") != "RU-T1 RU-T2" {
					t.Errorf("public list %v, want RU-T1 RU-T2", ids)
				}
			}},
		{name: "the filer's list holds its own", who: "party:UA", method: "GET", path: "/api/v1/claims?claimant=UA", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				var ids []string
				for _, c := range decode[[]httpapi.ClaimOut](t, body) {
					ids = append(ids, c.ID)
				}
				if strings.Join(ids, " ") != "UA-T1 "+vars["ua"] {
					t.Errorf("UA's list %v, want its own two, unpublished", ids)
				}
			}},
		{name: "a party may not publish", who: "party:UA", method: "POST", path: "/api/v1/claims/{ua}/publish", status: http.StatusForbidden},
		{name: "a monitor publishes", who: "monitor", method: "POST", path: "/api/v1/claims/{ua}/publish", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				claimIs(vars["ua"], "UA", true, "judged")(t, vars, h, body)
			}},
		{name: "the public reads it once published", who: "public", method: "GET", path: "/api/v1/claims/{ua}", status: http.StatusOK},
		{name: "publishing an absent claim", who: "monitor", method: "POST", path: "/api/v1/claims/nope/publish", status: http.StatusNotFound},

		{name: "a monitor rejects the match", who: "monitor", method: "POST", path: "/api/v1/claims/{ua}/matches",
			body: map[string]string{"incident": "acc-ru", "decision": "rejected", "note": "another substation"}, status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				out := decode[struct {
					Match httpapi.MatchOut `json:"match"`
					Claim httpapi.ClaimOut `json:"claim"`
				}](t, body)
				if out.Match.Decision != "rejected" || !strings.HasPrefix(out.Match.By, "monitor:") || out.Claim.Status != "unverified" ||
					!strings.Contains(out.Claim.Reason, "rejected") {
					t.Errorf("decision %+v, claim %s %q; want rejected by a monitor, unverified", out.Match, out.Claim.Status, out.Claim.Reason)
				}
			}},
		{name: "the decision shows on the claim", who: "public", method: "GET", path: "/api/v1/claims/{ua}", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				d := decode[httpapi.ClaimDetail](t, body)
				if len(d.Matches) != 1 || d.Matches[0].Note != "another substation" || d.Proposals[0].Decision != "rejected" || d.Status != "unverified" {
					t.Errorf("detail %+v: want the rejection", d)
				}
			}},
		{name: "a party may not decide", who: "party:RU", method: "POST", path: "/api/v1/claims/{ua}/matches",
			body: map[string]string{"incident": "acc-ru", "decision": "confirmed"}, status: http.StatusForbidden},
		{name: "a decision on an absent incident", who: "monitor", method: "POST", path: "/api/v1/claims/{ua}/matches",
			body: map[string]string{"incident": "nope", "decision": "confirmed"}, status: http.StatusNotFound, detail: "incident nope"},
		{name: "a bad decision", who: "monitor", method: "POST", path: "/api/v1/claims/{ua}/matches",
			body: map[string]string{"incident": "acc-ru", "decision": "maybe"}, status: http.StatusUnprocessableEntity, location: "body.decision"},

		{name: "a bulk file", who: "monitor", method: "POST", path: "/api/v1/claims/bulk?name=c.csv", ct: "text/csv",
			body: []byte("claim_id,claimant,statement_date,accused,lat,lon\nB-1,RU,2025-04-10,UA,45.02,39.06\nB-2,RU,someday,UA,,\n"), status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				r := decode[httpapi.ClaimsBulkResult](t, body)
				if r.Read != 2 || r.Accepted != 1 || r.Added != 1 || r.PlacedBy["coordinates"] != 1 || len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0], "c.csv:3:") {
					t.Errorf("bulk %+v: want 2 read, 1 added by coordinates, c.csv:3 rejected", r)
				}
			}},
		{name: "a strict bulk file with a bad row", who: "monitor", method: "POST", path: "/api/v1/claims/bulk?name=c.csv&strict=true", ct: "text/csv",
			body: []byte("claim_id,claimant,statement_date,accused\nB-3,RU,someday,UA\n"), status: http.StatusUnprocessableEntity, detail: "c.csv:2:"},
		{name: "a tallies file", who: "admin", method: "POST", path: "/api/v1/claims/bulk?kind=tallies&name=t.csv", ct: "text/csv",
			body: []byte("claimant,statement_date,count\nUA,2025-04-10,more than 30\n"), status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				if r := decode[httpapi.ClaimsBulkResult](t, body); r.Added != 1 {
					t.Errorf("tallies %+v, want 1 added", r)
				}
			}},
		{name: "a party may not upload", who: "party:RU", method: "POST", path: "/api/v1/claims/bulk", ct: "text/csv",
			body: []byte("claim_id,claimant,statement_date,accused\nB-4,RU,2025-04-10,UA\n"), status: http.StatusForbidden},
		{name: "tallies", who: "public", method: "GET", path: "/api/v1/tallies?claimant=UA", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				if ts := decode[[]httpapi.TallyOut](t, body); len(ts) != 1 || ts[0].Count != "more than 30" || ts[0].ID != "t.csv:2" {
					t.Errorf("tallies %+v, want UA's, t.csv:2, as stated", ts)
				}
			}},

		{name: "figures", who: "public", method: "GET", path: "/api/v1/claims/figures?from=2025-04-09&to=2025-04-12", status: http.StatusOK,
			check: func(t *testing.T, vars map[string]string, h http.Header, body []byte) {
				tab := decode[httpapi.FiguresTable](t, body)
				if len(tab.Readings) != 1 || tab.Readings[0].Name != "common" || len(tab.Parties) != 2 {
					t.Fatalf("table %+v: want the common reading, RU and UA", tab)
				}
				ua := tab.Parties[1]
				if ua.Accused != "UA" || len(ua.Days) != 4 || ua.Days[1].Claims.Total != 2 || ua.Totals[0].Claims != 3 || ua.Totals[0].Violations != 1 {
					t.Errorf("against UA: %+v; want 4 days, RU-T1 and B-1 on 10 April, RU-T2 on the 12th, acc-ua's violation", ua)
				}
			}},
		{name: "figures need both days", who: "public", method: "GET", path: "/api/v1/claims/figures?from=2025-04-09", status: http.StatusUnprocessableEntity, location: "query.to"},
		{name: "figures in a period with no phase", who: "public", method: "GET", path: "/api/v1/claims/figures?from=2020-01-01&to=2020-01-02", status: http.StatusNotFound, detail: "no phase"},
		{name: "figures over too long a period", who: "public", method: "GET", path: "/api/v1/claims/figures?from=2020-01-01&to=2025-01-02", status: http.StatusUnprocessableEntity, location: "query.to"},
	})
}

// TestStatusChangeRejudges is the release clause through the API: a
// Russian strike after Ukraine's breach is a violation until a monitor
// verifies the breach, released (disputed: under Russia's reading only)
// once it is verified, and a violation again when a monitor's new
// evidence reopens the breach's review, or it is dismissed.
func TestStatusChangeRejudges(t *testing.T) {
	f := newBareFixture(t)
	ctx := context.Background()
	bundle, a, err := agreement.BundleFile(filepath.Join("..", "adjudicate", "testdata", "release.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	strike := func(id truce.ReportID, p truce.PartyID, lon, lat float64, at time.Time) *truce.Report {
		return &truce.Report{ID: id, Source: "test", Text: "substation hit", Start: at.UTC(), End: at.Add(time.Minute).UTC(),
			Precision: truce.PrecisionMinute, Location: geo.Point{Lon: lon, Lat: lat}, Perpetrator: p, Actions: []truce.Action{truce.ActionDroneAttack}}
	}
	if _, err := f.st.PutReports(ctx, truce.System, []*truce.Report{
		strike("ua-breach", "UA", 35, 50, time.Date(2025, 3, 25, 9, 0, 0, 0, kyiv)),
		strike("ru-strike", "RU", 31.5, 51.5, time.Date(2025, 3, 28, 10, 0, 0, 0, kyiv)),
	}, truce.PutOptions{Published: true}); err != nil {
		t.Fatal(err)
	}
	v, _, err := f.st.PutAgreement(ctx, truce.System, a.ID, bundle)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Stored(ctx, f.st, truce.System, adjudicate.New(a, nil), a.ID, v.Version); err != nil {
		t.Fatal(err)
	}
	breach, err := f.st.IncidentOf(ctx, "ua-breach")
	if err != nil {
		t.Fatal(err)
	}
	outcome := func(want string) func(*testing.T, map[string]string, http.Header, []byte) {
		return func(t *testing.T, _ map[string]string, _ http.Header, _ []byte) {
			t.Helper()
			_, _, body := f.send(t, "public", "GET", "/api/v1/reports/ru-strike", "", nil, nil)
			r := decode[httpapi.ReportOut](t, []byte(body))
			if r.Judgement == nil || r.Judgement.Outcome != want {
				t.Errorf("ru-strike judged %+v, want %s", r.Judgement, want)
			}
		}
	}
	move := func(to string) call {
		return call{name: "to " + to, who: "monitor", method: "POST", path: "/api/v1/incidents/" + string(breach) + "/status",
			body: map[string]string{"status": to, "reason": "review"}, status: http.StatusOK}
	}
	verified := move("verified")
	verified.check = outcome("disputed")
	reopened := call{name: "a monitor's evidence reopens the breach", who: "monitor", method: "POST", path: "/api/v1/incidents/" + string(breach) + "/evidence",
		body: map[string]string{"media_type": "text/plain", "content": base64.StdEncoding.EncodeToString([]byte("a new photo"))}, status: http.StatusCreated,
		check: outcome("violation")}
	dismissed := move("dismissed")
	dismissed.check = outcome("violation")
	f.run(t, []call{
		{name: "before the review", who: "public", method: "GET", path: "/api/v1/reports/ru-strike", status: http.StatusOK, check: outcome("violation")},
		move("under_review"), verified, reopened, move("verified"), move("under_review"), dismissed,
	})
}
