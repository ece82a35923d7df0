package truce_test

import (
	"testing"

	"truce"
)

// TestEvidenceReopens: only a reviewer's evidence sends a reviewed
// incident back to under_review; a party's never moves a status.
func TestEvidenceReopens(t *testing.T) {
	principals := []truce.Principal{
		truce.System,
		{TokenID: "tok_adm", Role: truce.RoleAdmin},
		{TokenID: "tok_mon", Role: truce.RoleMonitor},
		{TokenID: "tok_ru", Role: truce.RoleParty, Party: "RU"},
		{TokenID: "tok_obs", Role: truce.RoleObserver},
		truce.Anonymous,
	}
	for _, s := range []truce.Status{truce.StatusReported, truce.StatusUnderReview, truce.StatusVerified, truce.StatusUnverifiable, truce.StatusDismissed} {
		for _, p := range principals {
			want := s.Final() && (p == truce.System || p.Role == truce.RoleAdmin || p.Role == truce.RoleMonitor)
			if got := truce.EvidenceReopens(s, p); got != want {
				t.Errorf("EvidenceReopens(%s, %s) = %v, want %v", s, p, got, want)
			}
			if truce.EvidenceReopens(s, p) && !s.CanMove(truce.StatusUnderReview) {
				t.Errorf("EvidenceReopens(%s, %s) asks for a move the workflow does not allow", s, p)
			}
		}
	}
}

// TestCanMerge covers every pair of audiences: published (whoever
// submitted it), each party's unpublished submissions, and the monitors'
// unpublished reports. Only equal audiences merge; grouping also leaves
// a source under review alone.
func TestCanMerge(t *testing.T) {
	incidents := []struct {
		name string
		in   truce.Incident
	}{
		{"published", truce.Incident{Published: true, Status: truce.StatusReported}},
		{"published UA submission", truce.Incident{Published: true, SubmittedBy: "UA", Status: truce.StatusReported}},
		{"UA-unpublished", truce.Incident{SubmittedBy: "UA", Status: truce.StatusReported}},
		{"RU-unpublished", truce.Incident{SubmittedBy: "RU", Status: truce.StatusReported}},
		{"monitor-only", truce.Incident{Status: truce.StatusReported}},
	}
	audience := func(i int) int { return max(i-1, 0) } // the two published ones share one
	for i, a := range incidents {
		for j, b := range incidents {
			want := audience(i) == audience(j)
			if got := truce.CanMerge(&a.in, &b.in); got != want {
				t.Errorf("CanMerge(%s, %s) = %v, want %v", a.name, b.name, got, want)
			}
			if got := truce.CanGroup(&a.in, &b.in); got != want {
				t.Errorf("CanGroup(%s, %s) = %v, want %v", a.name, b.name, got, want)
			}
			reviewed := b.in
			reviewed.Status = truce.StatusUnderReview
			if truce.CanGroup(&a.in, &reviewed) {
				t.Errorf("CanGroup(%s, %s under review) = true, want false", a.name, b.name)
			}
		}
	}
}
