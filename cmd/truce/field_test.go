package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestImportField imports the importer's observations and restrictions,
// twice: bad rows are named, the second import adds nothing, and the log
// verifies with every row.
func TestImportField(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "importer", "testdata", "field")
	for _, b := range databases {
		t.Run(b.name, func(t *testing.T) {
			db := b.db(t)
			for i, want := range []string{"3 new observations stored, 0 already stored", "0 new observations stored, 3 already stored"} {
				_, errs := mustRun(t, "import", "--observations", "--db", db, filepath.Join(dir, "observations.csv"))
				if !strings.Contains(errs, "5 read, 3 accepted, 2 rejected; "+want) || !strings.Contains(errs, "observations.csv:6: ") {
					t.Errorf("import %d: %s", i+1, errs)
				}
			}
			if _, errs := mustRun(t, "import", "--restrictions", "--unpublished", "--db", db, filepath.Join(dir, "restrictions.csv")); !strings.Contains(errs, "2 new restrictions stored") {
				t.Errorf("import --restrictions: %s", errs)
			}
			if out, _ := mustRun(t, "log", "verify", "--db", db); !strings.Contains(out, "3 observations, 2 access restrictions") || !strings.Contains(out, "log verified") {
				t.Errorf("log verify: %s", out)
			}
		})
	}
}
