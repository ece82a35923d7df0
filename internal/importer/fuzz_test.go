package importer_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"truce"
	"truce/internal/importer"
)

// addSeeds adds every file matching the patterns under testdata as a seed.
func addSeeds(f *testing.F, patterns ...string) {
	f.Helper()
	for _, p := range patterns {
		names, err := filepath.Glob(filepath.Join("testdata", p))
		if err != nil || len(names) == 0 {
			f.Fatalf("no seeds for %q: %v", p, err)
		}
		for _, n := range names {
			rel, _ := filepath.Rel("testdata", n)
			data := MustReadFile(f, rel)
			f.Add(data)
			// Small seeds mutate faster: the first three lines.
			if lines := bytes.SplitAfterN(data, []byte("\n"), 4); len(lines) == 4 {
				f.Add(bytes.Join(lines[:3], nil))
			}
		}
	}
}

// checkReports reads data and checks the reader's invariants: every
// emitted report validates and is valid UTF-8, ids are unique, and the
// counts add up.
func checkReports(t *testing.T, data []byte, opt importer.Options) {
	seen := make(map[truce.ReportID]bool)
	bad := 0
	stats, _ := importer.ReadReports(bytes.NewReader(data), opt,
		func(r *truce.Report) error {
			if err := r.Validate(); err != nil {
				t.Errorf("emitted report does not validate: %v", err)
			}
			if reportNegZero(r) {
				t.Errorf("report %q holds -0: %v, precision %v", r.ID, r.Location, r.LocationPrecisionMeters)
			}
			if seen[r.ID] {
				t.Errorf("duplicate id %q", r.ID)
			}
			seen[r.ID] = true
			for _, s := range []string{string(r.ID), r.Source, r.SourceID, r.Outlet, r.File, r.Original, r.Place,
				r.Actor1, r.Actor2, string(r.Perpetrator), r.EventType, string(r.Category), string(r.Site), r.Text} {
				if !utf8.ValidString(s) {
					t.Errorf("report %q: invalid UTF-8 %q", r.ID, s)
				}
			}
			if r.Line < 1 {
				t.Errorf("report %q: line %d", r.ID, r.Line)
			}
			return nil
		},
		func(e importer.RowError) {
			bad++
			if e.Line < 1 || !utf8.ValidString(e.Error()) {
				t.Errorf("bad row error %q (line %d)", e.Error(), e.Line)
			}
		})
	if stats.Read != stats.Accepted+stats.Rejected || stats.Accepted != len(seen) || stats.Rejected != bad {
		t.Errorf("stats %+v, %d emitted, %d bad", stats, len(seen), bad)
	}
}

// checkSites is checkReports for sites.
func checkSites(t *testing.T, data []byte, opt importer.Options) {
	seen := make(map[truce.SiteID]bool)
	bad := 0
	stats, _ := importer.ReadSites(bytes.NewReader(data), opt,
		func(s *truce.Site) error {
			if err := s.Validate(); err != nil {
				t.Errorf("emitted site does not validate: %v", err)
			}
			if siteNegZero(s) {
				t.Errorf("site %q holds -0: %v, capacity %v", s.ID, s.Location, s.CapacityMW)
			}
			if seen[s.ID] {
				t.Errorf("duplicate id %q", s.ID)
			}
			seen[s.ID] = true
			strs := []string{string(s.ID), s.Name, s.Country, string(s.Category), s.Source}
			for k, v := range s.Attrs {
				strs = append(strs, k, v)
			}
			for _, x := range strs {
				if !utf8.ValidString(x) {
					t.Errorf("site %q: invalid UTF-8 %q", s.ID, x)
				}
			}
			return nil
		},
		func(e importer.RowError) {
			bad++
			if e.Line < 1 || !utf8.ValidString(e.Error()) {
				t.Errorf("bad row error %q (line %d)", e.Error(), e.Line)
			}
		})
	if stats.Read != stats.Accepted+stats.Rejected || stats.Accepted != len(seen) || stats.Rejected != bad {
		t.Errorf("stats %+v, %d emitted, %d bad", stats, len(seen), bad)
	}
}

func fuzzReports(f *testing.F, format importer.Format, seeds ...string) {
	addSeeds(f, seeds...)
	addNegZeroSeeds(f, format)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReports(t, data, importer.Options{Format: format, File: "fuzz"})
	})
}

func FuzzReadACLED(f *testing.F) { fuzzReports(f, importer.FormatACLED, "acled/*.csv") }
func FuzzReadUCDP(f *testing.F)  { fuzzReports(f, importer.FormatUCDP, "ucdp/*.csv") }
func FuzzReadVIINA(f *testing.F) { fuzzReports(f, importer.FormatVIINA, "viina/*.csv") }

func FuzzReadCIR(f *testing.F) { fuzzReports(f, importer.FormatCIR, "cir/*.csv") }
func FuzzReadTruceCSV(f *testing.F) {
	fuzzReports(f, importer.FormatTruceCSV, "truce/*.csv")
}
func FuzzReadTruceJSON(f *testing.F) {
	fuzzReports(f, importer.FormatTruceJSON, "truce/*.jsonl", "truce/*.json")
}
func FuzzReadTruceGeoJSON(f *testing.F) {
	fuzzReports(f, importer.FormatTruceGeoJSON, "truce/*.geojson")
}

func FuzzReadGPPD(f *testing.F) {
	addSeeds(f, "gppd/*.csv")
	addNegZeroSeeds(f, importer.FormatGPPD)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSites(t, data, importer.Options{Format: importer.FormatGPPD, File: "fuzz"})
	})
}

func FuzzReadSitesGeoJSON(f *testing.F) {
	addSeeds(f, "sites/*.geojson")
	addNegZeroSeeds(f, importer.FormatSitesGeoJSON)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSites(t, data, importer.Options{Format: importer.FormatSitesGeoJSON, File: "fuzz"})
	})
}

// FuzzDetect detects the format of arbitrary input and reads it as
// detected, reports and sites alike.
func FuzzDetect(f *testing.F) {
	addSeeds(f, "*/*.csv", "*/*.json*", "*/*.geojson")
	addNegZeroSeeds(f, "")
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := importer.DetectReports(data); err == nil {
			checkReports(t, data, importer.Options{File: "fuzz"})
		}
		if _, err := importer.DetectSites(data); err == nil {
			checkSites(t, data, importer.Options{File: "fuzz"})
		}
	})
}
