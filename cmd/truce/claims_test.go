package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestImportClaims imports the bundled claims and tallies, twice: the
// second import adds nothing, and the log verifies with every row.
func TestImportClaims(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "energy-ceasefire-2025", "claims")
	for _, b := range databases {
		t.Run(b.name, func(t *testing.T) {
			db := b.db(t)
			for i, want := range []string{"84 new claims stored, 0 already stored", "0 new claims stored, 84 already stored"} {
				_, errs := mustRun(t, "import", "--claims", "--db", db, filepath.Join(dir, "claims_2025.csv"))
				if !strings.Contains(errs, "84 read, 84 accepted, 0 rejected; "+want) ||
					!strings.Contains(errs, "placed by coordinates 25, site 0") {
					t.Errorf("import %d: %s", i+1, errs)
				}
			}
			if _, errs := mustRun(t, "import", "--tallies", "--db", db, filepath.Join(dir, "tallies_2025.csv")); !strings.Contains(errs, "33 new tallies stored") {
				t.Errorf("import --tallies: %s", errs)
			}
			if out, _ := mustRun(t, "log", "verify", "--db", db); !strings.Contains(out, "84 claims, 33 tallies") || !strings.Contains(out, "log verified") {
				t.Errorf("log verify: %s", out)
			}
		})
	}
}

// TestImportKind refuses flags that contradict each other.
func TestImportKind(t *testing.T) {
	for _, c := range []struct {
		sites, claims, tallies bool
		format, want           string
	}{
		{false, false, false, "", ""},
		{true, false, false, "gppd", "sites"},
		{false, true, false, "", "claims"},
		{false, false, true, "", "tallies"},
		{true, true, false, "", "error"},
		{false, true, false, "acled", "error"},
	} {
		got, err := importKind(c.format, importFlag{c.sites, "sites"}, importFlag{c.claims, importClaimsKind}, importFlag{c.tallies, importTalliesKind})
		if err != nil {
			got = "error"
		}
		if got != c.want {
			t.Errorf("importKind(%v, %v, %v, %q) = %q, %v; want %q", c.sites, c.claims, c.tallies, c.format, got, err, c.want)
		}
	}
}
