package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
)

// putFieldScenario stores the fixture's observations and restrictions:
// OBS-T1 published, OBS-T2 attributed to RU and unpublished; FOM-T1
// published, FOM-T2 with UA responsible and unpublished.
func putFieldScenario(t testing.TB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2025, 4, 10, 18, 0, 0, 0, time.UTC)
	obs := []*truce.Observation{
		{ID: "OBS-T1", Monitor: "patrol A", Means: truce.MeansPatrol, Sensed: truce.SensedBoth, Start: at, End: at.Add(30 * time.Minute),
			Position: geo.Point{Lon: 38.05, Lat: 48.31}, Area: "Horlivka", Direction: "SE", DistanceMinMeters: 3000, DistanceMaxMeters: 5000,
			Kind: truce.ObservedExplosion, Explosion: truce.ExplosionImpact, Count: 4, Published: true},
		{ID: "OBS-T2", Monitor: "patrol A", Means: truce.MeansPatrol, Sensed: truce.SensedHeard, Start: at, End: at,
			Position: geo.Point{Lon: 38.05, Lat: 48.31}, Area: "Horlivka", Kind: truce.ObservedBurst, Count: 20, Party: "RU"},
	}
	if _, err := f.st.PutObservations(ctx, truce.System, obs); err != nil {
		t.Fatal(err)
	}
	rs := []*truce.AccessRestriction{
		{ID: "FOM-T1", Kind: truce.RestrictionDenial, Start: at, Location: geo.Point{Lon: 37.9, Lat: 48.0}, Means: truce.MeansPatrol,
			PatrolSize: 6, Reason: "mines", Party: "RU", Published: true},
		{ID: "FOM-T2", Kind: truce.RestrictionDelay, Start: at, Duration: 40 * time.Minute, Location: geo.Point{Lon: 37.6, Lat: 47.9},
			Means: truce.MeansPatrol, Party: "UA"},
	}
	if _, err := f.st.PutRestrictions(ctx, truce.System, rs); err != nil {
		t.Fatal(err)
	}
}

// TestFieldVisibility: a party reads what is published and what is
// attributed to it, nothing else, and not the log records of the rest.
func TestFieldVisibility(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		who       string
		obs, fom  string
		obsStatus int
	}{
		{"public", "OBS-T1", "FOM-T1", http.StatusNotFound},
		{"observer", "OBS-T1", "FOM-T1", http.StatusNotFound},
		{"party:RU", "OBS-T1,OBS-T2", "FOM-T1", http.StatusOK},
		{"party:UA", "OBS-T1", "FOM-T1,FOM-T2", http.StatusNotFound},
		{"monitor", "OBS-T1,OBS-T2", "FOM-T1,FOM-T2", http.StatusOK},
	} {
		if got := listIDs(t, f, c.who, "/api/v1/observations"); got != c.obs {
			t.Errorf("%s lists observations %s, want %s", c.who, got, c.obs)
		}
		if got := listIDs(t, f, c.who, "/api/v1/restrictions"); got != c.fom {
			t.Errorf("%s lists restrictions %s, want %s", c.who, got, c.fom)
		}
		if st, body := f.do(t, c.who, "GET", "/api/v1/observations/OBS-T2", "", nil); st != c.obsStatus {
			t.Errorf("%s GET OBS-T2: %d %s, want %d", c.who, st, body, c.obsStatus)
		}
	}
	// OBS-T2 is the second record after the fixture's others: find it.
	for i := 0; ; i++ {
		st, body := f.do(t, "monitor", "GET", "/api/v1/log/records/"+strconv.Itoa(i), "", nil)
		if st != http.StatusOK {
			t.Fatalf("no log record of OBS-T2 (record %d: %d)", i, st)
		}
		if strings.Contains(body, `"subject":"OBS-T2"`) {
			if st, _ := f.do(t, "public", "GET", "/api/v1/log/records/"+strconv.Itoa(i), "", nil); st != http.StatusForbidden {
				t.Errorf("the public reads OBS-T2's log record: %d", st)
			}
			if st, _ := f.do(t, "party:RU", "GET", "/api/v1/log/records/"+strconv.Itoa(i), "", nil); st != http.StatusOK {
				t.Errorf("RU may not read OBS-T2's log record: %d", st)
			}
			break
		}
	}
}

// TestFieldIdempotent: an observation sent twice with its id (a field
// form retrying after the connection dropped) is stored once; a
// different one under the same id is 409.
func TestFieldIdempotent(t *testing.T) {
	f := newFixture(t)
	obs := map[string]any{"id": "form-1", "means": "patrol", "sensed": "seen", "start": "2025-04-11 06:00", "lat": 48.3, "lon": 38.0,
		"kind": "explosion", "explosion": "outgoing", "count": 2, "direction": "nw", "distance_min_km": 2, "distance_max_km": 4}
	for i := range 2 {
		st, body := f.do(t, "monitor", "POST", "/api/v1/observations", "application/json", jsonBody(obs))
		if st != http.StatusCreated || !strings.Contains(body, `"direction":"NW"`) || !strings.Contains(body, `"distance_max_km":4`) {
			t.Fatalf("post %d: %d %s", i+1, st, body)
		}
	}
	if got := listIDs(t, f, "monitor", "/api/v1/observations?from=2025-04-11"); got != "form-1" {
		t.Errorf("observations from 11 April: %s, want form-1 once", got)
	}
	obs["count"] = 3
	if st, body := f.do(t, "monitor", "POST", "/api/v1/observations", "application/json", jsonBody(obs)); st != http.StatusConflict {
		t.Errorf("a different observation under form-1: %d %s, want 409", st, body)
	}
	bad := map[string]any{"means": "patrol", "sensed": "seen", "start": "2025-04-11 06:00", "lat": 48.3, "lon": 38.0, "kind": "explosion"}
	if st, body := f.do(t, "monitor", "POST", "/api/v1/observations", "application/json", jsonBody(bad)); st != http.StatusUnprocessableEntity || !strings.Contains(body, "explosion") {
		t.Errorf("an explosion without its assessment: %d %s, want 422 naming it", st, body)
	}
	bad["explosion"], bad["party"] = "impact", "XX"
	if st, body := f.do(t, "monitor", "POST", "/api/v1/observations", "application/json", jsonBody(bad)); st != http.StatusUnprocessableEntity || !strings.Contains(body, "party") {
		t.Errorf("an unknown party: %d %s, want 422 naming it", st, body)
	}
}

func listIDs(t *testing.T, f *fixture, who, path string) string {
	t.Helper()
	st, body := f.do(t, who, "GET", path, "", nil)
	if st != http.StatusOK {
		t.Fatalf("%s GET %s: %d %s", who, path, st, body)
	}
	var rows []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, ",")
}

// TestFieldJudged: the API shows each record judged under the current
// agreement, the energy moratorium, which prohibits no observed firing
// and commits no one to give the monitors access.
func TestFieldJudged(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string]string{
		"/api/v1/observations/OBS-T1": "Monitors (patrol A) saw and heard 4 explosions (impact) 3-5 km SE of their position near Horlivka, 10 Apr 2025 18:00-18:30 UTC. Not prohibited under energy-ru",
		"/api/v1/restrictions/FOM-T1": "Not prohibited: the agreement commits no party to give the monitors access.",
	} {
		st, body := f.do(t, "public", "GET", path, "", nil)
		var got struct{ Outcome, Explanation string }
		if err := json.Unmarshal([]byte(body), &got); st != http.StatusOK || err != nil {
			t.Fatalf("GET %s: %d %s", path, st, body)
		}
		if got.Outcome != "not_prohibited" || !strings.Contains(got.Explanation, want) {
			t.Errorf("GET %s: %s %q, want not_prohibited saying %q", path, got.Outcome, got.Explanation, want)
		}
	}
}

// TestDailyVisibility: the daily report counts what the caller may read.
func TestDailyVisibility(t *testing.T) {
	f := newFixture(t)
	for who, want := range map[string]int{"public": 4, "party:UA": 4, "party:RU": 24, "monitor": 24} {
		st, body := f.do(t, who, "GET", "/api/v1/daily?date=2025-04-10", "", nil)
		var d struct {
			Figures []struct {
				Key string
				Day int
			}
		}
		if err := json.Unmarshal([]byte(body), &d); st != http.StatusOK || err != nil || len(d.Figures) == 0 {
			t.Fatalf("%s: %d %s", who, st, body)
		}
		if d.Figures[0].Key != "observed" || d.Figures[0].Day != want {
			t.Errorf("%s: %+v, want %d observed", who, d.Figures[0], want)
		}
	}
}

// TestUploadCIR: a file in the CIR "Eyes on Russia" layout uploads as
// reports, its header detected.
func TestUploadCIR(t *testing.T) {
	f := newFixture(t)
	body := []byte("entry,date,event_group,title,brief description,lat,lon,country,province,district,town/city,arms/munition,violence level,link,geolocation\n" +
		"TX1,2025-04-10,Energy,10/04/2025 Drone hit a substation,Russian drone hit a substation,49.97,36.1,Ukraine,Kharkiv Oblast,,Kharkiv,,3,https://example.org/1,https://example.org/g1\n")
	st, out := f.do(t, "monitor", "POST", "/api/v1/reports/bulk", "text/csv", body)
	if st != http.StatusOK || !strings.Contains(out, `"accepted":1`) {
		t.Fatalf("upload: %d %s", st, out)
	}
	st, out = f.do(t, "monitor", "GET", "/api/v1/reports/cir-TX1", "", nil)
	if st != http.StatusOK || !strings.Contains(out, "geolocation=https://example.org/g1") {
		t.Errorf("GET cir-TX1: %d %s", st, out)
	}
}
