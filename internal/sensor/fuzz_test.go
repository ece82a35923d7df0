package sensor_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"truce"
	"truce/internal/geo"
	"truce/internal/importer"
	"truce/internal/sensor"
)

// FuzzJudge judges arbitrary input and checks it against the general path:
// Judge answers exactly the rows importer.ReadHotspots accepts, rejects
// the others with the same messages, and fails on the header exactly when
// ReadHotspots does.
func FuzzJudge(f *testing.F) {
	names, _ := filepath.Glob("../importer/testdata/firms/*.csv")
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		if lines := bytes.SplitAfterN(data, []byte("\n"), 4); len(lines) == 4 {
			f.Add(bytes.Join(lines[:3], nil))
		}
	}
	ix := sensor.NewIndex(syntheticAgreement(), []truce.Site{{ID: "s", Location: geo.Point{Lon: 31, Lat: 46}}})
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		var bad []string
		st, err := sensor.Judge(context.Background(), bytes.NewReader(data), &out, ix, sensor.Options{File: "f",
			Bad: func(e importer.RowError) { bad = append(bad, e.Error()) }})
		var lines []int
		var hbad []string
		_, herr := importer.ReadHotspots(bytes.NewReader(data), importer.Options{File: "f", Format: importer.FormatFIRMS},
			func(h *importer.Hotspot) error { lines = append(lines, h.Line); return nil },
			func(e importer.RowError) { hbad = append(hbad, e.Error()) })
		if (err == nil) != (herr == nil) {
			t.Fatalf("Judge err %v, ReadHotspots err %v", err, herr)
		}
		if err != nil {
			return
		}
		var got []int
		for _, a := range parseAnswers(t, out.Bytes()) {
			got = append(got, a.Line)
		}
		// Messages match too, but for a line whose Windows-1252 bytes
		// ReadHotspots decodes to UTF-8 past MaxFIRMSLineBytes: too long
		// there, not ASCII here. Compare where the bad rows are.
		if !slices.Equal(got, lines) || !slices.Equal(badLines(bad), badLines(hbad)) || st.Accepted != len(lines) || st.Rejected != len(bad) {
			t.Fatalf("Judge lines %v bad %q (%+v); ReadHotspots lines %v bad %q", got, bad, st, lines, hbad)
		}
	})
}

// badLines keeps the FILE:LINE of row errors.
func badLines(errs []string) []string {
	var out []string
	for _, e := range errs {
		if i := strings.Index(e, ": "); i >= 0 {
			e = e[:i]
		}
		out = append(out, e)
	}
	return out
}
