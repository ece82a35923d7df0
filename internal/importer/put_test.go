package importer_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/importer"
	"truce/internal/store/pgtest"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
)

// stores opens a fresh store of every backend: SQLite always, PostgreSQL
// when TRUCE_TEST_POSTGRES_DSN is set.
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
		st, err := postgres.Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}},
}

// MustReadReports reads the good reports of data (bad rows are skipped),
// which must hold some.
func MustReadReports(tb testing.TB, data []byte, opt importer.Options) []*truce.Report {
	tb.Helper()
	res := readReports(data, opt)
	if res.err != nil || len(res.reports) == 0 {
		tb.Fatalf("ReadReports(%s): %d reports, err %v", opt.File, len(res.reports), res.err)
	}
	return res.reports
}

// TestPutReports: importing a file again adds nothing and is no error, on
// every format's sample (so SameReport holds across each store's round
// trip); a different report under a stored id is an ECONFLICT naming both,
// and the rest of its batch is stored.
func TestPutReports(t *testing.T) {
	ctx := context.Background()
	files := []string{"truce/reports.csv", "truce/reports.jsonl", "acled/acled_ukraine_2025_synthetic.csv",
		"ucdp/ucdp_ged_ukraine_extract.csv", "viina/viina_incidents_202503_extract.csv", "firms/viirs_archive_style.csv"}
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			for _, f := range files {
				t.Run("Idempotent/"+f, func(t *testing.T) {
					st := b.open(t)
					rs := MustReadReports(t, MustReadFile(t, f), importer.Options{File: f})
					added, kept, err := importer.PutReports(ctx, st, truce.System, rs, truce.PutOptions{Published: true})
					if err != nil || added != len(rs) || len(kept) != len(rs) {
						t.Fatalf("first put: added %d, kept %d of %d, err %v", added, len(kept), len(rs), err)
					}
					again := MustReadReports(t, MustReadFile(t, f), importer.Options{File: f})
					added, kept, err = importer.PutReports(ctx, st, truce.System, again, truce.PutOptions{Published: true})
					if err != nil || added != 0 || len(kept) != len(rs) {
						t.Errorf("again: added %d, kept %d of %d, err %v; want 0 added, all kept, no error", added, len(kept), len(rs), err)
					}
					// The same source records read from another file are the
					// same reports; those named FILE:LINE are new ones.
					moved := MustReadReports(t, MustReadFile(t, f), importer.Options{File: "elsewhere/copy-of-" + filepath.Base(f)})
					byLine := 0
					for _, r := range moved {
						if r.SourceID == "" {
							byLine++
						}
					}
					added, _, err = importer.PutReports(ctx, st, truce.System, moved, truce.PutOptions{Published: true})
					if err != nil || added != byLine {
						t.Errorf("from another file: added %d, err %v; want %d, no error", added, err, byLine)
					}
				})
			}
			st := b.open(t)
			t.Run("Conflict", func(t *testing.T) {
				first := MustReadReports(t, []byte("id,time,lon,lat,text\nc1,2025-03-01,30,50,first file\n"), importer.Options{File: "a/same.csv"})
				if _, _, err := importer.PutReports(ctx, st, truce.System, first, truce.PutOptions{}); err != nil {
					t.Fatal(err)
				}
				second := MustReadReports(t, []byte("id,time,lon,lat,text\nc1,2025-03-02,31,50,second file\nc2,2025-03-02,31,50,new\n"), importer.Options{File: "b/same.csv"})
				added, kept, err := importer.PutReports(ctx, st, truce.System, second, truce.PutOptions{})
				if truce.ErrorCode(err) != truce.ECONFLICT {
					t.Fatalf("PutReports of a different c1: %v, want ECONFLICT", err)
				}
				for _, want := range []string{"c1", "first file", "second file", "same.csv line 2"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("conflict error %q does not name %q", err, want)
					}
				}
				if added != 1 || len(kept) != 1 || kept[0].ID != "c2" {
					t.Errorf("added %d, kept %v; want c2 alone stored", added, kept)
				}
				got, err := st.Report(ctx, "c1")
				if err != nil {
					t.Fatal(err)
				}
				if got.Text != "first file" {
					t.Errorf("stored c1 text %q, want the first file's", got.Text)
				}
			})
		})
	}
}

// TestSameReport: what a store changes in a report (its time zone, an
// empty action list) does not make it different, nor, for a record with
// the source's own id, which file it was read from; any other field does.
func TestSameReport(t *testing.T) {
	data := "id,time,lon,lat,text,actions\nsrc-1,2025-03-01,30,50,one,shelling\n"
	bySource := MustReadReports(t, []byte(data), importer.Options{File: "r.csv"})[0]
	byLine := MustReadReports(t, []byte(strings.Replace(data, "src-1", "", 1)), importer.Options{File: "r.csv"})[0]
	for _, a := range []*truce.Report{bySource, byLine} {
		same := *a
		same.Start, same.End = a.Start.In(time.FixedZone("x", 3600)), a.End.In(time.FixedZone("y", -7200))
		if !importer.SameReport(a, &same) {
			t.Errorf("SameReport(%+v, %+v) = false, want true", a, same)
		}
		noActions, empty := *a, *a
		noActions.Actions, empty.Actions = nil, []truce.Action{}
		if !importer.SameReport(&noActions, &empty) {
			t.Errorf("SameReport with nil and empty actions = false, want true")
		}
	}
	for _, tt := range []struct {
		name string
		a    *truce.Report
		edit func(r *truce.Report)
		want bool
	}{
		{"text", bySource, func(r *truce.Report) { r.Text += "!" }, false},
		{"start", bySource, func(r *truce.Report) { r.Start = r.Start.Add(time.Nanosecond) }, false},
		{"lon", bySource, func(r *truce.Report) { r.Location.Lon += 1e-9 }, false},
		{"actions", bySource, func(r *truce.Report) { r.Actions = append(r.Actions, truce.ActionDroneAttack) }, false},
		{"fatalities", bySource, func(r *truce.Report) { r.Fatalities++ }, false},
		{"source", bySource, func(r *truce.Report) { r.Source = "other" }, false},
		{"source record from another file", bySource, func(r *truce.Report) { r.File, r.Line, r.Original = "b.csv", 7, r.Original+" " }, true},
		{"FILE:LINE record changed", byLine, func(r *truce.Report) { r.Original += " " }, false},
		{"FILE:LINE record from another file", byLine, func(r *truce.Report) { r.File = "other.csv" }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := *tt.a
			b.Actions = append([]truce.Action(nil), tt.a.Actions...)
			tt.edit(&b)
			if got := importer.SameReport(tt.a, &b); got != tt.want {
				t.Errorf("SameReport = %v, want %v", got, tt.want)
			}
		})
	}
}
