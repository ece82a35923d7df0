package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"truce"
)

// The kept incident pages stay within their memory budget, their
// accounting stays true, and the page just kept is never the one dropped.
func TestIncidentDetailsBudget(t *testing.T) {
	var c incidentDetails
	text := strings.Repeat("x", 20_000)
	reports := make([]ReportOut, 50)
	for i := range reports {
		reports[i].Text = text
	}
	parts := &incidentParts{reports: reports}
	per := parts.size()
	if per < 50*20_000 {
		t.Fatalf("size %d does not count the texts", per)
	}
	n := 3 * maxCachedBytes / per
	for i := range n {
		k := detailKey{truce.IncidentID(fmt.Sprint(i)), "en"}
		c.put(k, &detailEntry{parts: parts, reports: []truce.ReportID{"r"}})
		if c.get(k, nil, truce.IncidentMark{}, []truce.ReportID{"r"}) != parts {
			t.Fatalf("entry %d dropped as it was kept", i)
		}
		if c.bytes > maxCachedBytes {
			t.Fatalf("after %d entries: %d bytes kept, over %d", i+1, c.bytes, maxCachedBytes)
		}
	}
	sum := 0
	for _, e := range c.m {
		sum += e.size
	}
	if sum != c.bytes || len(c.m) == 0 || len(c.m) >= n {
		t.Fatalf("%d entries of %d bytes in all, accounted %d (of %d put)", len(c.m), sum, c.bytes, n)
	}
	// Too many reports: not kept.
	c.put(detailKey{"big", "en"}, &detailEntry{parts: &incidentParts{}, reports: make([]truce.ReportID, maxCachedReports+1)})
	if c.m[detailKey{"big", "en"}] != nil {
		t.Fatal("a page of more than maxCachedReports reports was kept")
	}
	// A different mark, judge or report list is a miss.
	k := detailKey{"m", "en"}
	c.put(k, &detailEntry{parts: parts, mark: truce.IncidentMark{Events: 1}, reports: []truce.ReportID{"a"}})
	for _, miss := range []struct {
		mark    truce.IncidentMark
		reports []truce.ReportID
	}{{truce.IncidentMark{Events: 2}, []truce.ReportID{"a"}}, {truce.IncidentMark{Events: 1}, []truce.ReportID{"a", "b"}}} {
		if c.get(k, nil, miss.mark, miss.reports) != nil {
			t.Errorf("hit with mark %+v reports %v", miss.mark, miss.reports)
		}
	}
	if c.get(k, nil, truce.IncidentMark{Events: 1}, []truce.ReportID{"a"}) != parts {
		t.Error("miss with the same mark and reports")
	}
}
