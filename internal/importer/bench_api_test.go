package importer_test

import (
	"bytes"
	"testing"

	"truce"
	"truce/internal/importer"
)

// BenchmarkReadOneReport reads one report given as JSON, as every POST
// /api/v1/reports does: the cost is the reader's set-up, not the parse.
func BenchmarkReadOneReport(b *testing.B) {
	body := []byte(`{"id":"api-1","time":"2025-04-02","lon":30.5,"lat":50.4,"text":"shelling reported near a substation","source":"api"}`)
	opt := importer.Options{Format: importer.FormatTruceJSON, File: "body", Strict: true}
	b.ReportAllocs()
	for b.Loop() {
		var got *truce.Report
		if _, err := importer.ReadReports(bytes.NewReader(body), opt, func(r *truce.Report) error { got = r; return nil }, nil); err != nil || got == nil {
			b.Fatalf("read: %v, %v", err, got)
		}
	}
}
