package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// BenchmarkEncodeRecord measures building the log records of one judged
// report (its report record and its judgement record) as a write does
// before it sequences them: every report a write stores pays for it.
func BenchmarkEncodeRecord(b *testing.B) {
	at := time.Date(2025, 4, 2, 9, 30, 0, 0, time.UTC)
	by := truce.Principal{Role: truce.RoleMonitor, TokenID: "tok-1"}
	r := &truce.Report{ID: "viina_incidents_202504.csv:1234", Source: "viina", SourceID: "28861512", Outlet: "suspilne",
		File: "viina_incidents_202504.csv", Line: 1234, Start: at, End: at.Add(24 * time.Hour), Precision: truce.PrecisionDay,
		Location: geo.Point{Lon: 35.04, Lat: 48.46}, LocationPrecisionMeters: 2000, Place: "Dnipro",
		Text: strings.Repeat("Russian drones struck energy infrastructure in the region overnight; ", 4)}
	j := &truce.Judgement{Report: r.ID, Outcome: truce.OutcomeViolation, Explanation: strings.Repeat("Violation of energy-ru: ", 6)}
	for _, c := range []string{"energy-ru", "energy-ua", "black-sea-vessels", "full-ceasefire", "peace-no-attack"} {
		j.Findings = append(j.Findings, truce.Finding{Commitment: truce.CommitmentID(c), Outcome: truce.OutcomeNotProhibited})
	}
	detail := []byte(`{"facts":{},"findings":[]}`)
	for b.Loop() {
		if _, err := sqlstore.EncodeRecord(ledger.ReportRecord(by, at, r, truce.PutOptions{})); err != nil {
			b.Fatal(err)
		}
		if _, err := sqlstore.EncodeRecord(ledger.JudgementRecord(by, at, "energy-ceasefire-2025", 1, j, detail)); err != nil {
			b.Fatal(err)
		}
	}
}
