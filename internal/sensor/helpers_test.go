package sensor_test

import (
	"os"
	"sync"
	"testing"

	"truce"
	"truce/internal/importer"
)

const gppd = "../../examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv"

var loadSites = sync.OnceValues(func() ([]truce.Site, error) {
	f, err := os.Open(gppd)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var sites []truce.Site
	_, err = importer.ReadSites(f, importer.Options{File: "gppd.csv", Strict: true}, func(s *truce.Site) error {
		sites = append(sites, *s)
		return nil
	}, nil)
	return sites, err
})

// MustSites returns the 1,078 GPPD plants of the bundled scenario.
func MustSites(tb testing.TB) []truce.Site {
	tb.Helper()
	s, err := loadSites()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
