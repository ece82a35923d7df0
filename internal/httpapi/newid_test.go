package httpapi

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Ids the server gives begin with the time they were given, so they sort
// by it (new rows go at the end of the indexes on ids), and still differ
// within one millisecond.
func TestNewIDSortsByTime(t *testing.T) {
	shape := regexp.MustCompile(`^api-[0-9a-f]{24}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 20 {
		if i%5 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
		before := time.Now().UnixMilli()
		id := newID("api-")
		after := time.Now().UnixMilli()
		if !shape.MatchString(id) {
			t.Fatalf("id %q: want api- and 24 hex digits", id)
		}
		ms, err := strconv.ParseInt(id[4:16], 16, 64)
		if err != nil || ms < before || ms > after {
			t.Errorf("id %s: time part %d (%v), want the time it was given (%d..%d ms)", id, ms, err, before, after)
		}
		if i%5 == 0 && prev != "" && id <= prev {
			t.Errorf("id %s given 2 ms after %s does not sort after it", id, prev)
		}
		if seen[id] {
			t.Errorf("id %s given twice", id)
		}
		seen[id], prev = true, id
	}
}
