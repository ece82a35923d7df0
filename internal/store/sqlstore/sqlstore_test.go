package sqlstore_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
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
