package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/examples"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/httpapi"
	"truce/internal/importer"
	"truce/internal/pipeline"
	"truce/internal/store/pgtest"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
)

// aprilReports are the bundled VIINA reports of April 2025.
const aprilReports = "energy-ceasefire-2025/reports/viina_incidents_202504.csv"

// stores are the stores the tests run on: SQLite, and PostgreSQL when
// TRUCE_TEST_POSTGRES_DSN is set (required when TRUCE_REQUIRE_POSTGRES=1).
var stores = []struct {
	name string
	open func(t *testing.T) truce.Store
}{
	{"sqlite", func(t *testing.T) truce.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
	{"postgres", func(t *testing.T) truce.Store {
		st, err := postgres.OpenWith(context.Background(), pgtest.Schema(t), postgres.Options{LogOrigin: "truce.test/pipeline"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
}

// MustFill stores the bundled sites and the April VIINA reports, as
// 'truce import' does.
func MustFill(t *testing.T, st truce.Store) {
	t.Helper()
	ctx := context.Background()
	f, err := examples.FS.Open(examples.EnergySites)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sites []*truce.Site
	if _, err := importer.ReadSites(f, importer.Options{File: filepath.Base(examples.EnergySites)},
		func(s *truce.Site) error { sites = append(sites, s); return nil },
		func(re importer.RowError) { t.Errorf("sites: %v", re) }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	r, err := examples.FS.Open(aprilReports)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var reports []*truce.Report
	if _, err := importer.ReadReports(r, importer.Options{File: filepath.Base(aprilReports)},
		func(rep *truce.Report) error { reports = append(reports, rep); return nil },
		func(importer.RowError) {}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := importer.PutReports(ctx, st, truce.System, reports, truce.PutOptions{Published: true}); err != nil {
		t.Fatal(err)
	}
}

// incident is what the comparison keeps of a stored incident.
type incident struct {
	Reports   []truce.ReportID
	Outcome   truce.Outcome
	Status    truce.Status
	Published bool
}

// MustIncidents returns every stored incident (published or not) by id.
func MustIncidents(t *testing.T, st truce.Store) map[truce.IncidentID]incident {
	t.Helper()
	out := map[truce.IncidentID]incident{}
	f := truce.IncidentFilter{Visibility: truce.Principal{TokenID: "system", Role: truce.RoleMonitor}, Limit: 1000}
	for {
		page, next, err := st.Incidents(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range page {
			rs := slices.Clone(in.Reports)
			slices.Sort(rs)
			out[in.ID] = incident{Reports: rs, Outcome: in.Outcome, Status: in.Status, Published: in.Published}
		}
		if next == "" {
			return out
		}
		f.After = next
	}
}

// TestUploadRegroupsLikeAdjudicate is issue 13's item 1: uploading the
// bundled agreement through the API onto a store holding the April VIINA
// reports ends in the same judgement counts and the same incidents (ids,
// reports, outcomes) as 'truce adjudicate' (pipeline.Stored as the
// System) on an identical second store. The API once re-judged without
// grouping.
func TestUploadRegroupsLikeAdjudicate(t *testing.T) {
	bundle, a, err := agreement.BundleFile(filepath.Join("..", "..", "examples", examples.EnergyAgreement))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range stores {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			api, cli := tc.open(t), tc.open(t)
			MustFill(t, api)
			MustFill(t, cli)

			v, _, err := cli.PutAgreement(ctx, truce.System, a.ID, bundle)
			if err != nil {
				t.Fatal(err)
			}
			sites, err := cli.Sites(ctx)
			if err != nil {
				t.Fatal(err)
			}
			res, err := pipeline.Stored(ctx, cli, truce.System, adjudicate.New(a, sites), a.ID, v.Version)
			if err != nil {
				t.Fatal(err)
			}
			if res.Merged == 0 {
				t.Fatalf("adjudicate merged no incidents: the comparison would not show grouping")
			}

			got := mustUpload(t, api, bundle)
			want := map[string]int{}
			for o, n := range res.Outcomes {
				want[o.String()] = n
			}
			if diff := cmp.Diff(want, got.Judged); diff != "" {
				t.Errorf("upload judged counts mismatch (-adjudicate +upload):\n%s", diff)
			}
			if got.Changed != res.Changed {
				t.Errorf("upload changed %d judgements, adjudicate %d", got.Changed, res.Changed)
			}
			if diff := cmp.Diff(MustIncidents(t, cli), MustIncidents(t, api)); diff != "" {
				t.Errorf("incidents mismatch (-adjudicate +upload):\n%s", diff)
			}
		})
	}
}

// uploadResult is the part of the upload response the test compares.
type uploadResult struct {
	Judged  map[string]int `json:"judged"`
	Changed int            `json:"changed"`
}

// mustUpload uploads bundle through the API as an admin and returns the
// response, which must be a 201.
func mustUpload(t *testing.T, st truce.Store, bundle []byte) uploadResult {
	t.Helper()
	secret, tok := truce.NewToken(truce.RoleAdmin, "", "admin", 0, time.Now().Add(-time.Hour))
	if err := st.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(st, httpapi.Options{Limits: &httpapi.Limits{WritesPerSecond: -1}}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/agreements", bytes.NewReader(bundle))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/zip")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, b.String())
	}
	var out uploadResult
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
