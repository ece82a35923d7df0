package sqlstore

import (
	"context"
	"fmt"
	"time"

	"truce"
	"truce/internal/ledger"
)

// Column lists of the claims tables (issue 15), in the order of the scan
// functions that read them; both drivers' schemas use these names.
const (
	claimCols = `id, claimant, body, accused, stated_ns, event_start_ns, event_end_ns, facility, facility_kind, settlement,
	region, site_country, lon, lat, loc_prec_m, placed_by, site, weapon, consequences, source_title, source_url, confidence,
	note, published, file, line`
	tallyCols = `id, claimant, speaker, stated_ns, period, count, wording, source_title, source_url, published, file, line`
	matchCols = `claim_id, incident_id, decision, note, by_token, by_role, by_party, by_name, at_ns`
)

// optNanos is t in Unix nanoseconds, 0 for the zero time.
func optNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// optUnixUTC is unixUTC, with the zero time for 0.
func optUnixUTC(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return unixUTC(ns)
}

func scanClaim(sc Scanner) (*truce.Claim, error) {
	var c truce.Claim
	var id, claimant, accused, placed, site string
	var stated, start, end int64
	if err := sc.Scan(&id, &claimant, &c.Body, &accused, &stated, &start, &end, &c.Facility, &c.FacilityKind, &c.Settlement,
		&c.Region, &c.SiteCountry, &c.Location.Lon, &c.Location.Lat, &c.LocationPrecisionMeters, &placed, &site, &c.Weapon,
		&c.Consequences, &c.SourceTitle, &c.SourceURL, &c.Confidence, &c.Note, &c.Published, &c.File, &c.Line); err != nil {
		return nil, err
	}
	c.ID, c.Claimant, c.Accused, c.PlacedBy, c.Site = truce.ClaimID(id), truce.PartyID(claimant), truce.PartyID(accused), truce.PlaceBasis(placed), truce.SiteID(site)
	c.Stated, c.EventStart, c.EventEnd = unixUTC(stated), optUnixUTC(start), optUnixUTC(end)
	return &c, nil
}

func scanTally(sc Scanner) (*truce.Tally, error) {
	var t truce.Tally
	var id, claimant string
	var stated int64
	if err := sc.Scan(&id, &claimant, &t.Speaker, &stated, &t.Period, &t.Count, &t.Wording, &t.SourceTitle, &t.SourceURL,
		&t.Published, &t.File, &t.Line); err != nil {
		return nil, err
	}
	t.ID, t.Claimant, t.Stated = truce.TallyID(id), truce.PartyID(claimant), unixUTC(stated)
	return &t, nil
}

func scanMatch(sc Scanner) (*truce.ClaimMatch, error) {
	var m truce.ClaimMatch
	var claim, incident, decision, role, party string
	var at int64
	if err := sc.Scan(&claim, &incident, &decision, &m.Note, &m.By.TokenID, &role, &party, &m.By.Name, &at); err != nil {
		return nil, err
	}
	m.Claim, m.Incident, m.Decision = truce.ClaimID(claim), truce.IncidentID(incident), truce.MatchDecision(decision)
	m.By.Role, m.By.Party, m.At = truce.Role(role), truce.PartyID(party), unixUTC(at)
	return &m, nil
}

// PutClaims stores the claims whose ids are not stored yet and logs each
// one (claim.created), in one transaction. A claim already stored is left
// as it is if it is the same claim (ledger.SameClaim), ECONFLICT if not.
// EINVALID if a claim fails Validate.
func (c Core) PutClaims(ctx context.Context, by truce.Principal, cs []*truce.Claim) (int, error) {
	return putOnce(ctx, c, by, cs, once[*truce.Claim]{
		what: "claim",
		id:   func(cl *truce.Claim) string { return string(cl.ID) },
		get: func(ctx context.Context, w WriteTx, id string) (*truce.Claim, error) {
			return scanClaim(w.QueryRow(ctx, `SELECT `+claimCols+` FROM claims WHERE id = $1`, id))
		},
		same:   ledger.SameClaim,
		record: ledger.ClaimRecord,
		insert: func(ctx context.Context, w WriteTx, cl *truce.Claim) error {
			_, err := w.Exec(ctx, `INSERT INTO claims (`+claimCols+`) VALUES (`+Placeholders(1, 26)+`)`,
				string(cl.ID), string(cl.Claimant), cl.Body, string(cl.Accused), cl.Stated.UnixNano(), optNanos(cl.EventStart),
				optNanos(cl.EventEnd), cl.Facility, cl.FacilityKind, cl.Settlement, cl.Region, cl.SiteCountry, cl.Location.Lon,
				cl.Location.Lat, cl.LocationPrecisionMeters, string(cl.PlacedBy), string(cl.Site), cl.Weapon, cl.Consequences,
				cl.SourceTitle, cl.SourceURL, cl.Confidence, cl.Note, cl.Published, cl.File, cl.Line)
			return err
		},
	})
}

// Claim returns one claim. ENOTFOUND if absent.
func (c Core) Claim(ctx context.Context, id truce.ClaimID) (*truce.Claim, error) {
	cl, err := scanClaim(c.d.DB.QueryRow(ctx, `SELECT `+claimCols+` FROM claims WHERE id = $1`, string(id)))
	if err != nil {
		return nil, NotFound(err, "claim "+string(id), "claim %s not found", id)
	}
	return cl, nil
}

// claimWhere is the SQL condition and arguments of f's claimant and
// accused; the principal's visibility is decided by truce.CanReadClaim.
func claimWhere(f truce.ClaimFilter, accused bool) (string, []any) {
	var where []string
	var args []any
	if f.Claimant != "" {
		args = append(args, string(f.Claimant))
		where = append(where, fmt.Sprintf("claimant = $%d", len(args)))
	}
	if accused && f.Accused != "" {
		args = append(args, string(f.Accused))
		where = append(where, fmt.Sprintf("accused = $%d", len(args)))
	}
	return Where(where), args
}

// visible reports whether f lets its principal read a claim or tally.
func visible(f truce.ClaimFilter, claimant truce.PartyID, published bool) bool {
	return f.Visible == nil || truce.CanReadClaim(*f.Visible, claimant, published)
}

// Claims calls fn for every claim matching f, in (statement date, id)
// order, stopping at fn's first error.
func (c Core) Claims(ctx context.Context, f truce.ClaimFilter, fn func(*truce.Claim) error) error {
	where, args := claimWhere(f, true)
	return Each(ctx, c.d.DB, "claims", scanClaim, func(cl *truce.Claim) error {
		if !visible(f, cl.Claimant, cl.Published) {
			return nil
		}
		return fn(cl)
	}, `SELECT `+claimCols+` FROM claims`+where+` ORDER BY stated_ns, id`, args...)
}

// PublishClaim makes a claim readable by everyone and logs it
// (claim.published); publishing a published claim does nothing.
// ENOTFOUND if absent.
func (c Core) PublishClaim(ctx context.Context, by truce.Principal, id truce.ClaimID) error {
	return c.d.Write(ctx, func(w WriteTx) error {
		var published bool
		if err := w.QueryRow(ctx, `SELECT published FROM claims WHERE id = $1`, string(id)).Scan(&published); err != nil {
			return NotFound(err, "publish claim "+string(id), "claim %s not found", id)
		}
		if published {
			return nil
		}
		if _, err := w.Log(ledger.ClaimPublishedRecord(by, w.Now(), id)); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `UPDATE claims SET published = $1 WHERE id = $2`, true, string(id)); err != nil {
			return fmt.Errorf("publish claim %s: %w", id, err)
		}
		return nil
	})
}

// PutTallies stores the tallies whose ids are not stored yet and logs
// each one (tally.created), in one transaction; a different tally under a
// stored id is ECONFLICT. EINVALID if a tally fails Validate.
func (c Core) PutTallies(ctx context.Context, by truce.Principal, ts []*truce.Tally) (int, error) {
	return putOnce(ctx, c, by, ts, once[*truce.Tally]{
		what: "tally",
		id:   func(t *truce.Tally) string { return string(t.ID) },
		get: func(ctx context.Context, w WriteTx, id string) (*truce.Tally, error) {
			return scanTally(w.QueryRow(ctx, `SELECT `+tallyCols+` FROM tallies WHERE id = $1`, id))
		},
		same:   ledger.SameTally,
		record: ledger.TallyRecord,
		insert: func(ctx context.Context, w WriteTx, t *truce.Tally) error {
			_, err := w.Exec(ctx, `INSERT INTO tallies (`+tallyCols+`) VALUES (`+Placeholders(1, 12)+`)`,
				string(t.ID), string(t.Claimant), t.Speaker, t.Stated.UnixNano(), t.Period, t.Count, t.Wording,
				t.SourceTitle, t.SourceURL, t.Published, t.File, t.Line)
			return err
		},
	})
}

// Tallies returns the tallies matching f (its claimant and principal), in
// (statement date, id) order.
func (c Core) Tallies(ctx context.Context, f truce.ClaimFilter) ([]truce.Tally, error) {
	where, args := claimWhere(f, false)
	var out []truce.Tally
	err := Each(ctx, c.d.DB, "tallies", scanTally, func(t *truce.Tally) error {
		if visible(f, t.Claimant, t.Published) {
			out = append(out, *t)
		}
		return nil
	}, `SELECT `+tallyCols+` FROM tallies`+where+` ORDER BY stated_ns, id`, args...)
	return out, err
}

// DecideMatch records a decision on a claim and an incident, made now,
// replacing an earlier one on the same pair, and logs it (claim.match).
// ENOTFOUND if the claim or the incident is absent.
func (c Core) DecideMatch(ctx context.Context, m truce.ClaimMatch) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return c.d.Write(ctx, func(w WriteTx) error {
		var one int
		if err := w.QueryRow(ctx, `SELECT 1 FROM claims WHERE id = $1`, string(m.Claim)).Scan(&one); err != nil {
			return NotFound(err, "match", "claim %s not found", m.Claim)
		}
		if err := w.QueryRow(ctx, `SELECT 1 FROM incidents WHERE id = $1`, string(m.Incident)).Scan(&one); err != nil {
			return NotFound(err, "match", "incident %s not found", m.Incident)
		}
		m.At = w.Now()
		idx, err := w.Log(ledger.ClaimMatchRecord(&m))
		if err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `INSERT INTO claim_matches (`+matchCols+`, log_index) VALUES (`+Placeholders(1, 10)+`)
			ON CONFLICT (claim_id, incident_id) DO UPDATE SET decision = excluded.decision, note = excluded.note,
			by_token = excluded.by_token, by_role = excluded.by_role, by_party = excluded.by_party, by_name = excluded.by_name,
			at_ns = excluded.at_ns, log_index = excluded.log_index`,
			string(m.Claim), string(m.Incident), string(m.Decision), m.Note, m.By.TokenID, string(m.By.Role), string(m.By.Party),
			m.By.Name, m.At.UnixNano(), idx); err != nil {
			return TextError(err, fmt.Sprintf("match %s ~ %s", m.Claim, m.Incident))
		}
		return nil
	})
}

// ClaimMatches returns the decisions on claim id, or on every claim when
// id is "", ordered by claim then incident.
func (c Core) ClaimMatches(ctx context.Context, id truce.ClaimID) ([]truce.ClaimMatch, error) {
	if id == "" {
		return List(ctx, c.d.DB, "claim matches", scanMatch, `SELECT `+matchCols+` FROM claim_matches ORDER BY claim_id, incident_id`)
	}
	return List(ctx, c.d.DB, "claim matches", scanMatch,
		`SELECT `+matchCols+` FROM claim_matches WHERE claim_id = $1 ORDER BY claim_id, incident_id`, string(id))
}

// Claims calls fn with every claim, for VerifyRows.
func (src rowSource) Claims(ctx context.Context, fn func(*truce.Claim) error) error {
	return Each(ctx, src.db, verifying, scanClaim, fn, `SELECT `+claimCols+` FROM claims ORDER BY id`)
}

// Tallies calls fn with every tally, for VerifyRows.
func (src rowSource) Tallies(ctx context.Context, fn func(*truce.Tally) error) error {
	return Each(ctx, src.db, verifying, scanTally, fn, `SELECT `+tallyCols+` FROM tallies ORDER BY id`)
}

// ClaimMatches calls fn with every match decision, for VerifyRows.
func (src rowSource) ClaimMatches(ctx context.Context, fn func(*truce.ClaimMatch) error) error {
	return Each(ctx, src.db, verifying, scanMatch, fn, `SELECT `+matchCols+` FROM claim_matches ORDER BY claim_id, incident_id`)
}
