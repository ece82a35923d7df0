package report_test

import (
	"bytes"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
	"truce/internal/report"
)

// TestReportListsMapOutliers checks that a report outside the map (a
// stray point in Madrid, far from the agreement's zone) is counted and
// named under the map in the HTML and in the PDF (read with pdftotext).
func TestReportListsMapOutliers(t *testing.T) {
	t.Parallel()
	s := report.NewSummary(MustHostileAgreement(t), 1)
	at := time.Date(2025, 3, 26, 10, 0, 0, 0, time.UTC)
	for _, r := range []truce.Report{
		{ID: "r-inside", Place: "Poltava", Location: geo.Point{Lon: 34.55, Lat: 50.2}},
		{ID: "r-madrid", Place: "Madrid", Location: geo.Point{Lon: -3.7, Lat: 40.4}},
	} {
		r.Start, r.End = at, at
		s.Add(&r, &truce.Judgement{Outcome: truce.OutcomeNotProhibited})
	}
	d := &report.ReportData{Summary: s, Period: thisWeek}
	const want = "1 report outside the map: r-madrid (Madrid, 40.4000°N 3.7000°W)."
	var h, p bytes.Buffer
	if err := report.WriteHTML(&h, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(h.Bytes(), []byte(`<p class="map-outliers">`+want+`</p>`)) {
		t.Errorf("HTML report does not list the report outside the map: want %q", want)
	}
	if err := report.WritePDF(&p, d); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, p.Bytes()); !containsFolded(text, want) {
		t.Errorf("PDF text does not list the report outside the map: want %q in\n%s", want, text)
	}
}
