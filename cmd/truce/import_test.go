package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"truce"
	"truce/internal/store/pgtest"
)

// databases gives a test a fresh database of every backend, as a --db
// value: a SQLite file always, a PostgreSQL schema when
// TRUCE_TEST_POSTGRES_DSN is set.
var databases = []struct {
	name string
	db   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "truce.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.Schema(t) }},
}

// mustWriteFile writes data to dir/name, making dir, and returns the path.
func mustWriteFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportNegativeZero is issue 12's reproduction: a -0 longitude once
// made the stored report differ from its log record, so that log verify
// and backup failed.
func TestImportNegativeZero(t *testing.T) {
	for _, b := range databases {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			db := b.db(t)
			csv := mustWriteFile(t, dir, "n.csv", "id,time,lon,lat\nz1,2025-03-01,-0.0,50\n")
			if _, errs := mustRun(t, "import", "--db", db, csv); !strings.Contains(errs, "1 new reports stored") {
				t.Errorf("import: %s", errs)
			}
			if out, _ := mustRun(t, "log", "verify", "--db", db); !strings.Contains(out, "log verified") {
				t.Errorf("log verify: %s", out)
			}
			if out, _ := mustRun(t, "backup", "--db", db, "--out", filepath.Join(dir, "backup.db")); !strings.Contains(out, "verified") {
				t.Errorf("backup: %s", out)
			}
		})
	}
}

// TestImportSameName: two different files with one base name give the
// same FILE:LINE ids; the second is an error naming both reports, never a
// silent skip, while importing one file again adds nothing and is no error.
func TestImportSameName(t *testing.T) {
	for _, b := range databases {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			db := b.db(t)
			first := mustWriteFile(t, dir, "a/x.csv", "time,lon,lat,text\n2025-03-01,30,50,first file\n")
			second := mustWriteFile(t, dir, "b/x.csv", "time,lon,lat,text\n2025-03-02,31,50,second file\n")
			if _, errs := mustRun(t, "import", "--db", db, first); !strings.Contains(errs, "1 new reports stored, 0 already stored") {
				t.Errorf("first import: %s", errs)
			}
			if _, errs := mustRun(t, "import", "--db", db, first); !strings.Contains(errs, "0 new reports stored, 1 already stored") {
				t.Errorf("same file again: %s", errs)
			}
			_, errs, err := runTruce(t, "import", "--db", db, second)
			if truce.ErrorCode(err) != truce.ECONFLICT {
				t.Fatalf("import of another x.csv: %v (stderr %s), want ECONFLICT", err, errs)
			}
			for _, want := range []string{second, "x.csv:2", "x.csv line 2", "first file", "second file"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			st, err := openStore(t.Context(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			r, err := st.Report(t.Context(), "x.csv:2")
			if err != nil {
				t.Fatal(err)
			}
			if r.Text != "first file" {
				t.Errorf("x.csv:2 text %q, want the first file's", r.Text)
			}
			mustRun(t, "log", "verify", "--db", db)
		})
	}
}
