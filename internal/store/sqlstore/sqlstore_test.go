package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
	"truce/internal/store/sqlstore"
)

// TestReportWhere pins the report filter both stores run: placeholders
// number on from the arguments given, and visibility follows the reader.
func TestReportWhere(t *testing.T) {
	since := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	party := truce.Principal{Role: truce.RoleParty, Party: "UA"}
	for _, tt := range []struct {
		name     string
		f        truce.ReportFilter
		wantCond []string
		wantArgs []any
	}{
		{"none", truce.ReportFilter{}, nil, []any{"x"}},
		{"since and incidents", truce.ReportFilter{Since: &since, Incidents: []truce.IncidentID{"a", "b"}},
			[]string{"r.start_ns >= $2", "r.incident_id IN ($3, $4)"}, []any{"x", since.UnixNano(), "a", "b"}},
		{"a party reads its own and the published", truce.ReportFilter{Visible: &party},
			[]string{"EXISTS (SELECT 1 FROM incidents i WHERE i.id = r.incident_id AND (i.published OR i.submitted_by = $2))"}, []any{"x", "UA"}},
		{"the public reads the published", truce.ReportFilter{Visible: &truce.Anonymous},
			[]string{"EXISTS (SELECT 1 FROM incidents i WHERE i.id = r.incident_id AND i.published)"}, []any{"x"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cond, args := sqlstore.ReportWhere(tt.f, "r.", []any{"x"})
			if diff := cmp.Diff(tt.wantCond, cond); diff != "" {
				t.Errorf("conditions mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantArgs, args); diff != "" {
				t.Errorf("arguments mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewPage: page sizes are bounded, and a cursor is either one a
// listing returned or invalid.
func TestNewPage(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    truce.IncidentFilter
		want sqlstore.Page
	}{
		{"default size", truce.IncidentFilter{}, sqlstore.Page{Limit: 100}},
		{"at most 1000", truce.IncidentFilter{Limit: 5000}, sqlstore.Page{Limit: 1000}},
		{"after a position", truce.IncidentFilter{Limit: 10, After: "MTd8YQ"}, // "17|a"
			sqlstore.Page{Limit: 10, AfterStart: 17, AfterID: "a", HasAfter: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, sqlstore.NewPage(tt.f), cmp.AllowUnexported(sqlstore.Page{})); diff != "" {
				t.Errorf("NewPage mismatch (-want +got):\n%s", diff)
			}
		})
	}
	_, _, err := sqlstore.NewPage(truce.IncidentFilter{After: "not a cursor"}).Read(t.Context(), nil, nil, "")
	if truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("Read after a bad cursor = %v, want EINVALID", err)
	}
}

func TestPrefixed(t *testing.T) {
	if got, want := sqlstore.Prefixed("id, name,\n\tsource", "s."), "s.id, s.name, s.source"; got != want {
		t.Errorf("Prefixed = %q, want %q", got, want)
	}
}

// FuzzDecodeBrief checks that a brief read back is the one written, and
// that any bytes decode to an error or a value, never a panic.
func FuzzDecodeBrief(f *testing.F) {
	t0 := time.Date(2025, 3, 20, 4, 0, 0, 0, time.UTC)
	r := &truce.Report{ID: "r1", Source: "viina", Outlet: "Suspilne", Start: t0, End: t0.Add(time.Hour), Precision: truce.PrecisionHour,
		Location: geo.Point{Lon: 36.2, Lat: 49.9}, Place: "Kharkiv", Text: "Russian drones struck a substation overnight"}
	j := &truce.Judgement{Report: "r1", Outcome: truce.OutcomeViolation, Facts: truce.Facts{Perpetrator: "RU", Category: "energy",
		Site: &truce.SiteMatch{ID: "UKR1", Name: "Kharkiv CHP-5", Category: "energy", DistanceMeters: 420}},
		Findings: []truce.Finding{{Commitment: "energy-ru", Phase: "energy", Party: "RU", Outcome: truce.OutcomeViolation, Explanation: "Violation"},
			{Commitment: "full-ru", Phase: "full", Outcome: truce.OutcomeNotProhibited, Explanation: "not kept"}}}
	good := sqlstore.EncodeBrief(r, j)
	f.Add(good)
	f.Add(sqlstore.EncodeBrief(&truce.Report{ID: "r2", Start: t0, End: t0}, &truce.Judgement{Report: "r2"}))
	f.Add([]byte{})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	gr, gj, key, err := sqlstore.DecodeBrief("r1", t0.UnixNano(), good)
	if err != nil {
		f.Fatal(err)
	}
	if gr.Outlet != r.Outlet || !gr.End.Equal(r.End) || gr.Location != r.Location || gr.Place != r.Place || key != adjudicate.TextKey(r.Text) ||
		gj.Outcome != j.Outcome || *gj.Facts.Site != *j.Facts.Site || len(gj.Findings) != 2 ||
		!cmp.Equal(gj.Findings[0], truce.Finding{Commitment: "energy-ru", Phase: "energy", Party: "RU", Outcome: truce.OutcomeViolation, Explanation: "Violation"}) ||
		gj.Findings[1].Explanation != "" {
		f.Fatalf("decoded %+v %+v %q", gr, gj, key)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, j, key, err := sqlstore.DecodeBrief("x", 0, b)
		if err != nil {
			return
		}
		if key != "" {
			return // the text it was made from is not kept
		}
		// What decodes encodes to a brief that decodes the same.
		r2, j2, _, err := sqlstore.DecodeBrief("x", 0, sqlstore.EncodeBrief(r, j))
		if err != nil {
			t.Fatalf("%x decodes, its encoding does not: %v", b, err)
		}
		if diff := cmp.Diff([]any{r, j}, []any{r2, j2}, cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("%x: decoded, encoded and decoded again (-first +again):\n%s", b, diff)
		}
	})
}

// TestKeyStop: Stop cancels the integration under way and waits for it to
// return, and a Kick after Stop starts nothing, so that no integration
// outlives a store's Close.
func TestKeyStop(t *testing.T) {
	var k sqlstore.Key
	var mu sync.Mutex
	calls, returned := 0, 0
	started := make(chan struct{}, 8)
	integrate := func(ctx context.Context) (int64, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		started <- struct{}{}
		<-ctx.Done() // an integration that runs until it is cancelled
		mu.Lock()
		returned++
		mu.Unlock()
		return 0, ctx.Err()
	}
	k.Kick(integrate)
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("Kick did not start an integration")
	}
	k.Stop()
	mu.Lock()
	if calls != 1 || returned != 1 {
		t.Errorf("after Stop: %d integrations started, %d returned; want 1 and 1", calls, returned)
	}
	mu.Unlock()
	k.Kick(integrate)
	time.Sleep(3 * sqlstore.IntegrateDelay)
	mu.Lock()
	if calls != 1 {
		t.Errorf("Kick after Stop started an integration (%d in all)", calls)
	}
	mu.Unlock()

	// Stopped during the delay, before any pass: nothing runs (or, on a
	// machine slow enough that the delay ended first, the pass is
	// cancelled and waited for).
	var k2 sqlstore.Key
	k2.Kick(integrate)
	k2.Stop()
	mu.Lock()
	before := calls
	if calls != returned {
		t.Errorf("after Stop: %d integrations started, %d returned", calls, returned)
	}
	mu.Unlock()
	time.Sleep(3 * sqlstore.IntegrateDelay)
	mu.Lock()
	if calls != before {
		t.Errorf("an integration started after Stop returned (%d in all)", calls)
	}
	mu.Unlock()
	k2.Stop() // twice is harmless
}
