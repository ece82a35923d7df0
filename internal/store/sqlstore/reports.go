package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"truce"
)

// PutReports stores the reports not yet stored, each opening an incident
// of its own, and logs them, in one transaction (WriteTx.InsertReports).
// EINVALID if a report fails Validate.
func (c Core) PutReports(ctx context.Context, by truce.Principal, rs []*truce.Report, opt truce.PutOptions) (int, error) {
	if err := validReports(rs); err != nil {
		return 0, err
	}
	return write(ctx, c, func(w WriteTx) (int, error) {
		stored, err := w.InsertReports(by, rs, opt, nil)
		return Count(stored), err
	})
}

// Count returns how many of bs are true: how many reports InsertReports or
// PutJudgedReports stored.
func Count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// FirstCopies returns, for each report of rs, whether it is the first
// copy of its id in rs, and those ids: which reports a write may store,
// once the ids already stored are left out (NotStored).
func FirstCopies(rs []*truce.Report) (first []bool, ids []string) {
	first = make([]bool, len(rs))
	seen := make(map[truce.ReportID]bool, len(rs))
	ids = make([]string, 0, len(rs))
	for i, r := range rs {
		if !seen[r.ID] {
			seen[r.ID] = true
			first[i] = true
			ids = append(ids, string(r.ID))
		}
	}
	return first, ids
}

// NotStored clears in first (FirstCopies') the reports whose ids are
// stored, and returns it: which reports of rs are new.
func NotStored(rs []*truce.Report, first []bool, stored map[string]bool) []bool {
	for i, r := range rs {
		if stored[string(r.ID)] {
			first[i] = false
		}
	}
	return first
}

// validReports checks every report before a write stores any.
func validReports(rs []*truce.Report) error {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Report returns one report by id. ENOTFOUND if absent.
func (c Core) Report(ctx context.Context, id truce.ReportID) (*truce.Report, error) {
	r, err := ScanReport(c.d.Dialect, c.d.DB.QueryRow(ctx, `SELECT `+ReportCols+` FROM reports WHERE id = $1`, string(id)))
	if err != nil {
		return nil, NotFound(err, "report "+string(id), "report %s not found", id)
	}
	return r, nil
}

// Reports calls fn for every report matching f, in (start, id) order,
// stopping at fn's first error.
func (c Core) Reports(ctx context.Context, f truce.ReportFilter, fn func(*truce.Report) error) error {
	where, args := ReportWhere(f, "", nil)
	return Each(ctx, c.d.DB, "reports", c.scanReport, fn, `SELECT `+ReportCols+` FROM reports`+Where(where)+` ORDER BY start_ns, id`, args...)
}

func (c Core) scanReport(sc Scanner) (*truce.Report, error) { return ScanReport(c.d.Dialect, sc) }

// ReportWhere returns the conditions of f on the reports table aliased
// alias ("" or e.g. "r."), and args with their arguments appended: the
// placeholders number on from len(args).
func ReportWhere(f truce.ReportFilter, alias string, args []any) ([]string, []any) {
	var where []string
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Since != nil {
		where = append(where, alias+"start_ns >= "+arg(f.Since.UnixNano()))
	}
	if f.Until != nil {
		where = append(where, alias+"start_ns < "+arg(f.Until.UnixNano()))
	}
	if len(f.Incidents) > 0 {
		first := len(args) + 1
		for _, id := range f.Incidents {
			args = append(args, string(id))
		}
		where = append(where, alias+"incident_id IN ("+Placeholders(first, len(f.Incidents))+")")
	}
	if p := f.Visible; p != nil {
		in := "EXISTS (SELECT 1 FROM incidents i WHERE i.id = " + alias + "incident_id AND "
		switch p.Role {
		case truce.RoleAdmin, truce.RoleMonitor:
		case truce.RoleParty:
			where = append(where, in+"(i.published OR i.submitted_by = "+arg(string(p.Party))+"))")
		default:
			where = append(where, in+"i.published)")
		}
	}
	return where, args
}

// Where returns the WHERE clause of conditions, "" for none.
func Where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}
