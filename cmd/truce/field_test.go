package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

// TestDaily imports observations and restrictions under the small
// mission agreement and prints the daily report of 1 April 2025 in every
// format, on both stores: the same figures from either.
func TestDaily(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "importer", "testdata", "field")
	agreementFile := filepath.Join("..", "..", "internal", "adjudicate", "testdata", "field.yaml")
	var outs []string
	for _, b := range databases {
		t.Run(b.name, func(t *testing.T) {
			db := b.db(t)
			mustRun(t, "adjudicate", "--db", db, "--agreement", agreementFile)
			mustRun(t, "import", "--observations", "--db", db, filepath.Join(dir, "observations.csv"))
			mustRun(t, "import", "--restrictions", "--db", db, filepath.Join(dir, "restrictions.csv"))
			out, _ := mustRun(t, "daily", "--db", db, "2025-04-01")
			for _, want := range []string{`"totals_since": "2025-03-30"`, `"previous_day": "2025-03-31"`, `"id": "OBS-3"`, `"id": "FOM-2"`} {
				if !strings.Contains(out, want) {
					t.Errorf("daily JSON does not say %s:\n%s", want, out)
				}
			}
			outs = append(outs, out)
			if html, _ := mustRun(t, "daily", "--db", db, "--format", "html", "2025-04-01"); !strings.Contains(html, "Daily report, 2025-04-01") {
				t.Errorf("daily HTML: %.300s", html)
			}
			if pdf, _ := mustRun(t, "daily", "--db", db, "--format", "pdf", "2025-04-01"); !strings.HasPrefix(pdf, "%PDF-") {
				t.Errorf("daily PDF: %.20q", pdf)
			}
			if _, _, err := runTruce(t, "daily", "--db", db, "1 April"); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
				t.Errorf("a bad date: %v", err)
			}
		})
	}
	if len(outs) == 2 && outs[0] != outs[1] {
		t.Errorf("the stores' daily reports differ:\n%s\n%s", outs[0], outs[1])
	}
}

// TestExport writes the full export of a small record and reads it back
// as someone without truce would: the zip's files, the SHA-256 list, the
// HXL row, the GeoJSON, the log bundle (verified offline).
func TestExport(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "importer", "testdata", "field")
	db := filepath.Join(t.TempDir(), "truce.db")
	mustRun(t, "adjudicate", "--db", db, "--agreement", filepath.Join("..", "..", "internal", "adjudicate", "testdata", "field.yaml"))
	mustRun(t, "import", "--observations", "--db", db, filepath.Join(dir, "observations.csv"))
	mustRun(t, "import", "--restrictions", "--db", db, filepath.Join(dir, "restrictions.csv"))
	out := filepath.Join(t.TempDir(), "export.zip")
	mustRun(t, "export", "--db", db, "--out", out)
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	if !strings.Contains(string(files["README.md"]), "| `observations.csv` | 3 observations") {
		t.Errorf("README:\n%s", files["README.md"])
	}
	for _, line := range strings.Split(strings.TrimSpace(string(files["SHA256SUMS"])), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		got := sha256.Sum256(files[name])
		if files[name] == nil || hex.EncodeToString(got[:]) != sum {
			t.Errorf("SHA256SUMS: %s does not match %s", name, sum)
		}
		delete(files, name)
	}
	if len(files) != 1 || files["SHA256SUMS"] == nil {
		t.Errorf("files not in SHA256SUMS: %v", slices.Collect(maps.Keys(files)))
	}
	logFile := filepath.Join(t.TempDir(), "log.jsonl")
	zf, _ := zr.Open("log.jsonl")
	b, _ := io.ReadAll(zf)
	if err := os.WriteFile(logFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := mustRun(t, "log", "verify", "--bundle", logFile); !strings.Contains(out, "verified") {
		t.Errorf("log verify --bundle: %s", out)
	}
	// The same record gives the same bytes.
	again := filepath.Join(t.TempDir(), "again.zip")
	mustRun(t, "export", "--db", db, "--out", again)
	a1, _ := os.ReadFile(out)
	a2, _ := os.ReadFile(again)
	if !bytes.Equal(a1, a2) {
		t.Error("two exports of the same record differ")
	}
}
