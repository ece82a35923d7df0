package truce_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

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

var statuses = []truce.Status{truce.StatusReported, truce.StatusUnderReview, truce.StatusVerified, truce.StatusUnverifiable, truce.StatusDismissed}

// TestMove: a move the workflow allows is decided with its reason, and
// publishes the incident when it ends a review of an unpublished one; an
// unknown status is invalid and a move the workflow does not allow is a
// conflict.
func TestMove(t *testing.T) {
	for _, from := range statuses {
		for _, to := range append(slices.Clone(statuses), "closed") {
			for _, published := range []bool{false, true} {
				in := truce.Incident{ID: "inc", Status: from, Published: published}
				m, err := in.Move(to, "why")
				var want error
				switch {
				case !to.Known():
					want = truce.Errorf(truce.EINVALID, "unknown status %q", to)
				case !from.CanMove(to):
					want = truce.Errorf(truce.ECONFLICT, "incident inc is %s: it cannot move to %s", from, to)
				}
				if diff := cmp.Diff(want, err); diff != "" {
					t.Errorf("Move(%s → %s, published %v) error mismatch (-want +got):\n%s", from, to, published, diff)
				}
				if want != nil {
					continue
				}
				wantMove := truce.StatusMove{From: from, To: to, Reason: "why", Publish: to.Final() && !published}
				if diff := cmp.Diff(wantMove, m); diff != "" {
					t.Errorf("Move(%s → %s, published %v) mismatch (-want +got):\n%s", from, to, published, diff)
				}
			}
		}
	}
}

// TestEvidenceMove: evidence moves an incident back to under_review
// exactly when EvidenceReopens says so, naming the evidence, and never
// publishes it.
func TestEvidenceMove(t *testing.T) {
	for _, s := range statuses {
		for _, by := range []truce.Principal{truce.System, {TokenID: "tok_mon", Role: truce.RoleMonitor}, {TokenID: "tok_ru", Role: truce.RoleParty, Party: "RU"}} {
			in := truce.Incident{ID: "inc", Status: s, Published: true}
			m, ok := in.EvidenceMove(by, "sha256:ab")
			if ok != truce.EvidenceReopens(s, by) {
				t.Errorf("EvidenceMove(%s, %s) ok = %v, want %v", s, by, ok, !ok)
			}
			var want truce.StatusMove
			if ok {
				want = truce.StatusMove{From: s, To: truce.StatusUnderReview, Reason: "new evidence sha256:ab"}
			}
			if diff := cmp.Diff(want, m); diff != "" {
				t.Errorf("EvidenceMove(%s, %s) mismatch (-want +got):\n%s", s, by, diff)
			}
		}
	}
}

// TestWorkflowChecks covers the checks the stores ask before they write.
func TestWorkflowChecks(t *testing.T) {
	public := truce.Incident{ID: "a", Published: true}
	private := truce.Incident{ID: "b", SubmittedBy: "UA"}
	for _, tt := range []struct {
		name string
		err  error
		want string // the error code; "" for none
	}{
		{"publish an unpublished incident", private.CheckPublish(), ""},
		{"publish a published incident", public.CheckPublish(), truce.ECONFLICT},
		{"a party responds", truce.CheckRespond(truce.Principal{Role: truce.RoleParty, Party: "RU"}), ""},
		{"a monitor responds", truce.CheckRespond(truce.Principal{Role: truce.RoleMonitor}), truce.EINVALID},
		{"merge two incidents", truce.MergeOp{Target: "a", Source: "b"}.Validate(), ""},
		{"merge an incident into itself", truce.MergeOp{Target: "a", Source: "a"}.Validate(), truce.EINVALID},
		{"merge across audiences", truce.CheckMerge(&public, &private), truce.ECONFLICT},
		{"merge within an audience", truce.CheckMerge(&public, &truce.Incident{ID: "c", Published: true}), ""},
		{"write to an incident", truce.CheckNotMerged("a", ""), ""},
		{"write to a merged-away incident", truce.CheckNotMerged("a", "b"), truce.ECONFLICT},
		{"split a report out of another incident", truce.CheckSplit("r2", "r1"), ""},
		{"split a report out of its own incident", truce.CheckSplit("r1", "r1"), truce.ECONFLICT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := truce.ErrorCode(tt.err); got != tt.want {
				t.Errorf("error %v has code %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// TestContest: a response adds its party to the contestants once, sorted.
func TestContest(t *testing.T) {
	for _, tt := range []struct {
		name        string
		contested   []truce.PartyID
		party       truce.PartyID
		want        []truce.PartyID
		wantChanged bool
	}{
		{"first response", nil, "RU", []truce.PartyID{"RU"}, true},
		{"another party, sorted in", []truce.PartyID{"UA"}, "RU", []truce.PartyID{"RU", "UA"}, true},
		{"the same party again", []truce.PartyID{"RU", "UA"}, "UA", []truce.PartyID{"RU", "UA"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.contested)
			got, changed := truce.Contest(tt.contested, tt.party)
			if diff := cmp.Diff(tt.want, got); diff != "" || changed != tt.wantChanged {
				t.Errorf("Contest(%v, %s) = %v, %v; want %v, %v", tt.contested, tt.party, got, changed, tt.want, tt.wantChanged)
			}
			if !slices.Equal(before, tt.contested) {
				t.Errorf("Contest changed its argument to %v", tt.contested)
			}
		})
	}
}

// TestEvidenceAttach: an item is named by the SHA-256 of its bytes, and
// still validated.
func TestEvidenceAttach(t *testing.T) {
	ev := truce.Evidence{MediaType: "image/jpeg", Description: "crater"}
	by := truce.Principal{TokenID: "tok_mon", Role: truce.RoleMonitor}
	if err := ev.Attach("inc", by, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	const sum = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // SHA-256("abc")
	want := truce.Evidence{ID: "sha256:" + sum, Incident: "inc", SHA256: sum, MediaType: "image/jpeg", Size: 3,
		Description: "crater", AddedBy: by.String()}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("Attach mismatch (-want +got):\n%s", diff)
	}
	if err := (&truce.Evidence{}).Attach("inc", by, nil); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("Attach without a media type = %v, want EINVALID", err)
	}
}
