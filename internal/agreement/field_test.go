package agreement_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"truce/internal/agreement"
)

// TestAccessAndRecommitments parses the field monitoring keys and reports
// their problems at their lines.
func TestAccessAndRecommitments(t *testing.T) {
	a, err := agreement.Load("../adjudicate/testdata/field.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ph, _ := a.Phase("full")
	if len(ph.Access) != 1 || ph.Access[0].ID != "full-access" || len(ph.Access[0].Bound) != 2 || ph.Access[0].Zones[0] != "line" {
		t.Errorf("access %+v", ph.Access)
	}
	if len(a.Recommitments) != 1 || !a.Recommitments[0].Start.Equal(time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)) || a.Recommitments[0].Source != "TCG-0330" {
		t.Errorf("recommitments %+v", a.Recommitments)
	}
	data, err := os.ReadFile("../adjudicate/testdata/field.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "{date: 2025-03-30,", "{date: 2025-03-30}\n  - {date: 2025-03-30,", 1)
	bad = strings.Replace(bad, "        bound: [RU, UA]\n        zones: [line]\n        source: TCG-0330", "        bound: [RU, XX]\n        zones: [nowhere]", 1)
	_, err = agreement.Parse("field.yaml", []byte(bad), nil)
	for _, want := range []string{"field.yaml:23:12: recommitment on 2025-03-30 listed twice (first at line 22)", `unknown party "XX"`, `unknown zone "nowhere"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems %v, want %q", err, want)
		}
	}
}
