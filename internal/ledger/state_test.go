package ledger_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
)

var at = time.Date(2025, 3, 28, 12, 0, 0, 0, time.UTC)

func mustRec(t *testing.T) func(*ledger.Record, error) *ledger.Record {
	return func(rec *ledger.Record, err error) *ledger.Record {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
}

func site(id truce.SiteID, mw float64) *truce.Site {
	return &truce.Site{ID: id, Name: "TPP", Country: "UKR", Location: geo.Point{Lon: 32.62, Lat: 46.64}, Category: "energy.power_plant",
		Attrs: map[string]string{"primary_fuel": "Gas"}, CapacityMW: mw, Source: "gppd-1.3.0"}
}

func token(id string, role truce.Role, party truce.PartyID) *truce.Token {
	return &truce.Token{ID: id, Hash: "hash-of-" + id, Role: role, Party: party, Name: "holder of " + id, CreatedAt: at}
}

// TestStateReferenceData replays the records of sites, tokens and the
// current agreement, and refuses sequences no store writes.
func TestStateReferenceData(t *testing.T) {
	rec := mustRec(t)
	sys := truce.System
	st := ledger.NewState()
	for _, r := range []*ledger.Record{
		rec(ledger.SiteRecord(ledger.KindSiteAdded, sys, at, site("S1", 80))),
		rec(ledger.SiteRecord(ledger.KindSiteAdded, sys, at, site("S2", 10))),
		rec(ledger.SiteRecord(ledger.KindSiteChanged, sys, at, site("S1", 90))),
		rec(ledger.SiteRemovedRecord(sys, at, "S2")),
		rec(ledger.TokenRecord(sys, at, token("tok_ua", truce.RoleParty, "UA"))),
		rec(ledger.TokenRevokedRecord(sys, at, "tok_ua", at.Add(time.Hour+1))),
		rec(ledger.AgreementRecord(sys, at, &truce.AgreementVersion{ID: "AG", Version: 1, SHA256: "aa"})),
		rec(ledger.AgreementRecord(sys, at, &truce.AgreementVersion{ID: "AG", Version: 2, SHA256: "bb"})),
		rec(ledger.CurrentRecord(sys, at, "AG", 1)),
	} {
		if err := st.Apply(r); err != nil {
			t.Fatalf("Apply(%s %s): %v", r.Kind, r.Subject, err)
		}
	}
	if len(st.Sites) != 1 || st.Sites["S1"] == nil || st.Sites["S1"].Index != 2 || !strings.Contains(string(st.Sites["S1"].Body), `"capacity_mw":90`) {
		t.Errorf("Sites = %+v, want S1 as changed by record 2", st.Sites)
	}
	tok := st.Tokens["tok_ua"]
	if tok == nil || tok.Body.Role != "party" || tok.Body.Party != "UA" || tok.Revoked != "2025-03-28T13:00:00.000000001Z" {
		t.Errorf("Tokens[tok_ua] = %+v, want the party token, revoked", tok)
	}
	if tok != nil && (strings.Contains(tok.Body.HashSHA256, "hash-of") || tok.Body.NameSHA256 == "") {
		t.Errorf("token body %+v publishes its hash or lacks the name's commitment", tok.Body)
	}
	want := ledger.CurrentState{Agreement: "AG", Version: 1, Index: 8, Explicit: true}
	if diff := cmp.Diff(want, st.Current); diff != "" {
		t.Errorf("Current mismatch (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		name string
		recs []*ledger.Record
	}{
		{"site added twice", []*ledger.Record{rec(ledger.SiteRecord(ledger.KindSiteAdded, sys, at, site("S1", 1))), rec(ledger.SiteRecord(ledger.KindSiteAdded, sys, at, site("S1", 1)))}},
		{"unknown site changed", []*ledger.Record{rec(ledger.SiteRecord(ledger.KindSiteChanged, sys, at, site("S1", 1)))}},
		{"unknown site removed", []*ledger.Record{rec(ledger.SiteRemovedRecord(sys, at, "S1"))}},
		{"token created twice", []*ledger.Record{rec(ledger.TokenRecord(sys, at, token("t", truce.RoleAdmin, ""))), rec(ledger.TokenRecord(sys, at, token("t", truce.RoleAdmin, "")))}},
		{"unknown token revoked", []*ledger.Record{rec(ledger.TokenRevokedRecord(sys, at, "t", at))}},
		{"token revoked twice", []*ledger.Record{rec(ledger.TokenRecord(sys, at, token("t", truce.RoleAdmin, ""))),
			rec(ledger.TokenRevokedRecord(sys, at, "t", at)), rec(ledger.TokenRevokedRecord(sys, at, "t", at))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := ledger.NewState()
			var err error
			for _, r := range tt.recs {
				if err = st.Apply(r); err != nil {
					break
				}
			}
			if err == nil {
				t.Error("Apply accepted it")
			}
		})
	}
	if _, err := ledger.SiteRecord(ledger.KindSiteRemoved, sys, at, site("S1", 1)); err == nil {
		t.Error("SiteRecord(site.removed) = nil error, want one: a removal has its own record")
	}
}

// TestBackfill checks which records an earlier database gets: those of
// the sites and tokens its log does not have, and of its current
// agreement when the log does not make it current.
func TestBackfill(t *testing.T) {
	rec := mustRec(t)
	sys := truce.System
	st := ledger.NewState()
	for _, r := range []*ledger.Record{
		rec(ledger.SiteRecord(ledger.KindSiteAdded, sys, at, site("S1", 80))),
		rec(ledger.TokenRecord(sys, at, token("tok_a", truce.RoleAdmin, ""))),
		rec(ledger.AgreementRecord(sys, at, &truce.AgreementVersion{ID: "AG", Version: 1, SHA256: "aa"})),
		rec(ledger.AgreementRecord(sys, at, &truce.AgreementVersion{ID: "AG", Version: 2, SHA256: "bb"})),
	} {
		if err := st.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	revoked := at.Add(time.Hour)
	ua := token("tok_ua", truce.RoleParty, "UA")
	ua.RevokedAt = &revoked
	sites := []truce.Site{*site("S2", 5), *site("S1", 80)}
	tokens := []truce.Token{*ua, *token("tok_a", truce.RoleAdmin, "")}
	type kindSubject struct{ Kind, Subject string }
	for _, tt := range []struct {
		name    string
		version int
		ok      bool
		want    []kindSubject
	}{
		{"current as logged", 2, true, []kindSubject{{ledger.KindSiteAdded, "S2"}, {ledger.KindToken, "tok_ua"}, {ledger.KindTokenRevoked, "tok_ua"}}},
		{"no current stored", 0, false, []kindSubject{{ledger.KindSiteAdded, "S2"}, {ledger.KindToken, "tok_ua"}, {ledger.KindTokenRevoked, "tok_ua"}}},
		{"an earlier current", 1, true, []kindSubject{{ledger.KindSiteAdded, "S2"}, {ledger.KindToken, "tok_ua"}, {ledger.KindTokenRevoked, "tok_ua"},
			{ledger.KindCurrent, "AG@1"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := ledger.Backfill(st, sys, at, sites, tokens, "AG", tt.version, tt.ok)
			if err != nil {
				t.Fatal(err)
			}
			var got []kindSubject
			for _, r := range recs {
				got = append(got, kindSubject{r.Kind, r.Subject})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Backfill mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
