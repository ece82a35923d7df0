package agreement_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"truce/internal/agreement"
)

// TestAgreementVertexBudget: zones whose vertices add up past
// MaxAgreementVertices are refused at the zone that crosses the limit, even
// though each zone is under MaxZoneVertices (issue 12, item 10).
func TestAgreementVertexBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1.6 million vertices")
	}
	const perZone = 400_000
	var gj strings.Builder
	gj.WriteString(`{"type":"FeatureCollection","features":[`)
	for f := range 4 {
		if f > 0 {
			gj.WriteByte(',')
		}
		fmt.Fprintf(&gj, `{"type":"Feature","properties":{"n":%d},"geometry":{"type":"Polygon","coordinates":[[`, f)
		for i := range perZone {
			a := 2 * math.Pi * float64(i) / perZone
			fmt.Fprintf(&gj, "[%.6f,%.6f],", 30+float64(f)+0.4*math.Cos(a), 50+0.4*math.Sin(a))
		}
		fmt.Fprintf(&gj, "[%.6f,%.6f]]]}}", 30.4+float64(f), 50.0)
	}
	gj.WriteString(`]}`)
	var y strings.Builder
	y.WriteString("truce: 1\nid: big\ntitle: Big zones\nversion: \"1\"\ntimezone: UTC\nparties: [{id: A, name: A}, {id: B, name: B}]\nzones:\n")
	for f := range 4 {
		fmt.Fprintf(&y, "  - {id: z%d, name: Z%d, geojson: big.geojson, where: {n: %d}}\n", f, f, f)
	}
	fsys := fstest.MapFS{"big.geojson": {Data: []byte(gj.String())}}
	_, err := agreement.Parse("big.yaml", []byte(y.String()), fsys)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("over the limit of %d", agreement.MaxAgreementVertices)) {
		t.Fatalf("err = %v, want the agreement's vertex limit", err)
	}
	if !strings.Contains(err.Error(), `zone "z3"`) {
		t.Errorf("the problem should name the zone that crosses the limit (z3): %v", err)
	}
}
