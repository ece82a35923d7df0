package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"truce"
	"truce/internal/importer"
)

// MustReadFile returns the contents of a file under testdata.
func MustReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// reportResult is everything one ReadReports call produced.
type reportResult struct {
	reports []*truce.Report
	bad     []importer.RowError
	events  []any // *truce.Report and importer.RowError in call order
	stats   importer.Stats
	err     error
}

// readReports runs ReadReports over data and collects its output.
func readReports(data []byte, opt importer.Options) reportResult {
	var res reportResult
	res.stats, res.err = importer.ReadReports(bytes.NewReader(data), opt,
		func(r *truce.Report) error {
			res.reports = append(res.reports, r)
			res.events = append(res.events, r)
			return nil
		},
		func(e importer.RowError) {
			res.bad = append(res.bad, e)
			res.events = append(res.events, e)
		})
	return res
}

// siteResult is everything one ReadSites call produced.
type siteResult struct {
	sites  []*truce.Site
	bad    []importer.RowError
	events []any
	stats  importer.Stats
	err    error
}

// readSites runs ReadSites over data and collects its output.
func readSites(data []byte, opt importer.Options) siteResult {
	var res siteResult
	res.stats, res.err = importer.ReadSites(bytes.NewReader(data), opt,
		func(s *truce.Site) error {
			res.sites = append(res.sites, s)
			res.events = append(res.events, s)
			return nil
		},
		func(e importer.RowError) {
			res.bad = append(res.bad, e)
			res.events = append(res.events, e)
		})
	return res
}

// errorStrings returns the messages of row errors.
func errorStrings(errs []importer.RowError) []string {
	var s []string
	for _, e := range errs {
		s = append(s, e.Error())
	}
	return s
}

// reportByID finds a report.
func reportByID(tb testing.TB, reps []*truce.Report, id string) *truce.Report {
	tb.Helper()
	for _, r := range reps {
		if string(r.ID) == id {
			return r
		}
	}
	tb.Fatalf("no report %q", id)
	return nil
}
