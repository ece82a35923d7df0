package sqlite

import (
	"context"
	"strings"

	"truce"
	"truce/internal/store/sqlstore"
)

// incidentWhere returns the conditions of f and page p on the incidents
// table, with ? placeholders.
func incidentWhere(f truce.IncidentFilter, p sqlstore.Page) ([]string, []any) {
	where := []string{"merged_into = ''"}
	var args []any
	add := func(cond string, vs ...any) {
		where = append(where, cond)
		args = append(args, vs...)
	}
	switch v := f.Visibility; v.Role {
	case truce.RoleAdmin, truce.RoleMonitor:
	case truce.RoleParty:
		add("(published = 1 OR submitted_by = ?)", string(v.Party))
	default:
		add("published = 1")
	}
	// instr is exact and case-sensitive, unlike LIKE.
	if f.Phase != "" {
		add("instr(phases, ?) > 0", "|"+string(f.Phase)+"|")
	}
	if f.Party != "" {
		add("instr(parties, ?) > 0", "|"+string(f.Party)+"|")
	}
	if f.Outcome != 0 {
		add("outcome = ?", int(f.Outcome))
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.Since != nil {
		add("start_ns >= ?", f.Since.UnixNano())
	}
	if f.Until != nil {
		add("start_ns < ?", f.Until.UnixNano())
	}
	if b := f.Within; b != nil {
		add("lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?", b.MinLon, b.MaxLon, b.MinLat, b.MaxLat)
	}
	if p.HasAfter {
		add("(start_ns > ? OR (start_ns = ? AND id > ?))", p.AfterStart, p.AfterStart, p.AfterID)
	}
	return where, args
}

// Incidents returns one page of incidents, in (start, id) order, each with
// its report ids aggregated in the same statement.
func (s *Store) Incidents(ctx context.Context, f truce.IncidentFilter) ([]truce.IncidentSummary, string, error) {
	p := sqlstore.NewPage(f)
	where, args := incidentWhere(f, p)
	return p.Read(ctx, s.conn(), dialect{}, `SELECT `+sqlstore.IncidentCols+`, `+dialect{}.ReportIDs("incidents.id")+`
		FROM incidents WHERE `+strings.Join(where, " AND ")+` ORDER BY start_ns, id LIMIT ?`, append(args, p.Limit+1)...)
}
