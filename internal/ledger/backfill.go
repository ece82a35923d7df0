package ledger

import (
	"slices"
	"strings"
	"time"

	"truce"
)

// Backfill returns the records that a database written before sites,
// tokens and the current agreement were logged needs, given the state its
// log replays to (st) and the rows it holds: a site.added record for each
// site the log does not have, a token.created record (and token.revoked
// if revoked) for each token the log does not have, and an
// agreement.current record if the stored current agreement version
// (ok false if none is stored) is not the one the log makes current. The
// stores append them, in that order, when they first open such a
// database. Rows the log has but with other content are not backfilled:
// VerifyRows reports them.
func Backfill(st *State, by truce.Principal, at time.Time, sites []truce.Site, tokens []truce.Token,
	cur truce.AgreementID, version int, ok bool) ([]*Record, error) {
	var out []*Record
	add := func(rec *Record, err error) error {
		if err != nil {
			return err
		}
		out = append(out, rec)
		return nil
	}
	sites = slices.Clone(sites)
	slices.SortFunc(sites, func(a, b truce.Site) int { return strings.Compare(string(a.ID), string(b.ID)) })
	for i := range sites {
		if st.Sites[sites[i].ID] == nil {
			if err := add(SiteRecord(KindSiteAdded, by, at, &sites[i])); err != nil {
				return nil, err
			}
		}
	}
	tokens = slices.Clone(tokens)
	slices.SortFunc(tokens, func(a, b truce.Token) int { return strings.Compare(a.ID, b.ID) })
	for i := range tokens {
		t := &tokens[i]
		if st.Tokens[t.ID] != nil {
			continue
		}
		if err := add(TokenRecord(by, at, t)); err != nil {
			return nil, err
		}
		if t.RevokedAt != nil {
			if err := add(TokenRevokedRecord(by, at, t.ID, *t.RevokedAt)); err != nil {
				return nil, err
			}
		}
	}
	if ok && (cur != st.Current.Agreement || version != st.Current.Version) {
		if err := add(CurrentRecord(by, at, cur, version)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
