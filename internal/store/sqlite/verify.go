package sqlite

import (
	"context"
	"fmt"

	"truce/internal/ledger"
	"truce/internal/store/sqlstore"
)

// checkRows checks the columns in which SQLite keeps what PostgreSQL keeps
// in typed columns: lists must be in the one |a|b| form the store writes,
// as the filters match |a| in them raw (another spelling of the same list
// would read the same but filter differently), and published must be 0
// or 1. It runs before ledger.VerifyRows (sqlstore.Driver.CheckRows).
func checkRows(ctx context.Context, db sqlstore.DB) error {
	type incident struct {
		id                         string
		contested, parties, phases string
		published                  int64
	}
	err := sqlstore.Each(ctx, db, "sqlite: verify rows", func(sc sqlstore.Scanner) (incident, error) {
		var in incident
		return in, sc.Scan(&in.id, &in.contested, &in.parties, &in.phases, &in.published)
	}, func(in incident) error {
		what := "incident " + in.id
		if in.published != 0 && in.published != 1 {
			return fmt.Errorf("%s: published is %d, not 0 or 1: %w", what, in.published, ledger.ErrLedgerDiverged)
		}
		return listForms(what, "contested_by", in.contested, "parties", in.parties, "phases", in.phases)
	}, `SELECT id, contested_by, parties, phases, published FROM incidents ORDER BY id`)
	if err != nil {
		return err
	}
	type judgement struct{ what, phases string }
	return sqlstore.Each(ctx, db, "sqlite: verify rows", func(sc sqlstore.Scanner) (judgement, error) {
		var report, agreement, phases string
		var version int
		err := sc.Scan(&report, &agreement, &version, &phases)
		return judgement{fmt.Sprintf("judgement of report %s under %s version %d", report, agreement, version), phases}, err
	}, func(j judgement) error {
		return listForms(j.what, "phases", j.phases)
	}, `SELECT report_id, agreement, version, phases FROM judgements ORDER BY log_index, agreement, version, report_id`)
}

// listForms checks that each list column of what (pairs of a name and a
// value) is in the form bars writes.
func listForms(what string, cols ...string) error {
	for i := 0; i+1 < len(cols); i += 2 {
		if v := cols[i+1]; bars(unbars(v)) != v {
			return fmt.Errorf("%s: %s %q is not a |-delimited list: %w", what, cols[i], v, ledger.ErrLedgerDiverged)
		}
	}
	return nil
}
