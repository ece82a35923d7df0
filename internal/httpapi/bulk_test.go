package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"truce"
)

// storedIDs returns the ids of the stored reports whose text starts with
// prefix.
func storedIDs(t *testing.T, f *fixture, prefix string) []truce.ReportID {
	t.Helper()
	var ids []truce.ReportID
	err := f.st.Reports(context.Background(), truce.ReportFilter{}, func(r *truce.Report) error {
		if strings.HasPrefix(r.Text, prefix) {
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// mustBulk uploads body and returns the result, which must be a 200.
func mustBulk(t *testing.T, f *fixture, query, body string) map[string]any {
	t.Helper()
	st, out := f.do(t, "monitor", "POST", "/api/v1/reports/bulk"+query, "text/csv", []byte(body))
	if st != http.StatusOK {
		t.Fatalf("bulk%s: %d %s", query, st, out)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestBulkUploadIDs: anonymous uploads are named after their content, so
// two different files never share FILE:LINE ids and the same file twice
// adds nothing; a different report under a stored id is a 409 naming both
// (issue 12: the second file once reported "added":0 and was lost).
func TestBulkUploadIDs(t *testing.T) {
	f := newFixture(t)
	one := "time,lon,lat,text\n2025-04-02,30.5,50.4,bulk one\n"
	two := "time,lon,lat,text\n2025-04-03,30.6,50.5,bulk two\n"
	t.Run("different anonymous files are both stored", func(t *testing.T) {
		for _, body := range []string{one, two} {
			if res := mustBulk(t, f, "", body); res["added"] != 1.0 {
				t.Errorf("added = %v, want 1", res["added"])
			}
		}
		ids := storedIDs(t, f, "bulk ")
		if len(ids) != 2 || ids[0] == ids[1] || !strings.HasPrefix(string(ids[0]), "upload-") {
			t.Errorf("stored ids %v, want two different upload-HASH:2 ids", ids)
		}
	})
	t.Run("same file twice is idempotent", func(t *testing.T) {
		if res := mustBulk(t, f, "", one); res["added"] != 0.0 || res["accepted"] != 1.0 {
			t.Errorf("second upload: %v, want 1 accepted, 0 added", res)
		}
		if res := mustBulk(t, f, "?name=same.csv", one); res["added"] != 1.0 {
			t.Errorf("named upload: %v, want 1 added", res)
		}
		if res := mustBulk(t, f, "?name=same.csv", one); res["added"] != 0.0 {
			t.Errorf("named upload again: %v, want 0 added", res)
		}
	})
	t.Run("collision is a conflict naming both", func(t *testing.T) {
		st, out := f.do(t, "monitor", "POST", "/api/v1/reports/bulk?name=same.csv", "text/csv", []byte(two))
		if st != http.StatusConflict {
			t.Fatalf("a different same.csv: %d %s, want 409", st, out)
		}
		for _, want := range []string{"same.csv:2", "same.csv line 2", "bulk one", "bulk two"} {
			if !strings.Contains(out, want) {
				t.Errorf("409 body %s does not name %q", out, want)
			}
		}
		r, err := f.st.Report(context.Background(), "same.csv:2")
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != "bulk one" {
			t.Errorf("same.csv:2 text %q, want the first upload's", r.Text)
		}
	})
	if _, err := f.st.VerifyRows(context.Background()); err != nil {
		t.Errorf("VerifyRows: %v", err)
	}
}

// TestNegativeZeroReports: a -0 coordinate through either way in (one
// report, a file) is stored as the number the log holds (issue 12).
func TestNegativeZeroReports(t *testing.T) {
	f := newFixture(t)
	if st, out := f.do(t, "monitor", "POST", "/api/v1/reports", "application/json",
		[]byte(`{"time":"2025-04-02","lon":-0.0,"lat":50.4,"location_precision_m":-0}`)); st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, out)
	}
	if res := mustBulk(t, f, "?name=n.csv", "id,time,lon,lat\nz1,2025-03-01,-0.0,-0\n"); res["added"] != 1.0 {
		t.Fatalf("bulk: %v", res)
	}
	if _, err := f.st.VerifyRows(context.Background()); err != nil {
		t.Errorf("VerifyRows: %v", err)
	}
}
