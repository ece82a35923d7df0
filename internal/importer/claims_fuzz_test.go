package importer_test

import (
	"bytes"
	"os"
	"testing"

	"truce"
	"truce/internal/geo"
	"truce/internal/importer"
)

// FuzzReadClaims checks the claim reader's invariants on any input, CSV or
// JSON Lines: every emitted claim validates, ids are unique, the counts
// add up, and a strict read fails exactly when a lenient one rejects.
func FuzzReadClaims(f *testing.F) {
	data, err := os.ReadFile("../../examples/energy-ceasefire-2025/claims/claims_2025.csv")
	if err != nil {
		f.Fatal(err)
	}
	lines := bytes.SplitAfterN(data, []byte("\n"), 5)
	f.Add(bytes.Join(lines[:4], nil))
	f.Add([]byte(claimHeader + "RU-1,RU,,2025-03-24,,UA,,,Sudzha,Kursk Oblast,,,,,,,,,\n"))
	f.Add([]byte(`{"claim_id":"RU-2","claimant":"RU","accused":"UA","statement_date":"2025-03-21","lat":51.2,"lon":"35.3"}` + "\n"))
	placer := importer.NewClaimPlacer(
		[]truce.Site{{ID: "S1", Name: "Sudzha GIS", Location: geo.Point{Lon: 35.27, Lat: 51.19}}},
		[]truce.Place{{ID: "ru-kursk-oblast", Kind: "region", Location: geo.Point{Lon: 36.19, Lat: 51.73}, RadiusMeters: 170000,
			Names: []string{"Kursk oblast", "Курск* област*"}}})
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[truce.ClaimID]bool{}
		bad := 0
		stats, err := importer.ReadClaims(bytes.NewReader(data), importer.ClaimOptions{File: "f.csv", Placer: placer},
			func(c *truce.Claim) error {
				if verr := c.Validate(); verr != nil {
					t.Fatalf("emitted an invalid claim: %v", verr)
				}
				if seen[c.ID] {
					t.Fatalf("emitted id %q twice", c.ID)
				}
				seen[c.ID] = true
				return nil
			}, func(importer.RowError) { bad++ })
		if stats.Read != stats.Accepted+stats.Rejected || stats.Accepted != len(seen) || stats.Rejected != bad {
			t.Fatalf("stats %+v with %d emitted and %d bad", stats, len(seen), bad)
		}
		_, serr := importer.ReadClaims(bytes.NewReader(data), importer.ClaimOptions{File: "f.csv", Strict: true, Placer: placer},
			func(*truce.Claim) error { return nil }, nil)
		if err == nil && (serr == nil) != (bad == 0) {
			t.Fatalf("strict read: %v, lenient read rejected %d rows", serr, bad)
		}
		_, _ = importer.ReadTallies(bytes.NewReader(data), importer.ClaimOptions{File: "f.csv"}, func(tl *truce.Tally) error {
			if verr := tl.Validate(); verr != nil {
				t.Fatalf("emitted an invalid tally: %v", verr)
			}
			return nil
		}, nil)
	})
}
