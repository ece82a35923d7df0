package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"truce"
	"truce/internal/store/sqlstore"
)

// Incidents returns one page of incidents, in (start, id) order, each with
// its report ids aggregated in the same statement.
func (s *Store) Incidents(ctx context.Context, f truce.IncidentFilter) ([]truce.IncidentSummary, string, error) {
	p := sqlstore.NewPage(f)
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := incidentWhere(f, p, arg)
	return p.Read(ctx, conn{q: s.pool}, dialect{}, `SELECT `+sqlstore.IncidentCols+`, `+dialect{}.ReportIDs("incidents.id")+`
		FROM incidents WHERE `+strings.Join(where, " AND ")+` ORDER BY start_ns, id LIMIT `+arg(p.Limit+1), args...)
}

// incidentWhere returns the conditions of f and page p on the incidents
// table; arg adds an argument and returns its placeholder.
func incidentWhere(f truce.IncidentFilter, p sqlstore.Page, arg func(any) string) []string {
	where := []string{"merged_into = ''"}
	switch v := f.Visibility; v.Role {
	case truce.RoleAdmin, truce.RoleMonitor:
	case truce.RoleParty:
		where = append(where, "(published OR submitted_by = "+arg(string(v.Party))+")")
	default:
		where = append(where, "published")
	}
	// Array containment is exact element equality, served by GIN indexes.
	if f.Phase != "" {
		where = append(where, "phases @> ARRAY["+arg(string(f.Phase))+"::text]")
	}
	if f.Party != "" {
		where = append(where, "parties @> ARRAY["+arg(string(f.Party))+"::text]")
	}
	if f.Outcome != 0 {
		// A literal, not a parameter: the planner can then tell that the
		// partial index incidents_outcome (outcome > 0) holds the rows.
		where = append(where, "outcome = "+strconv.Itoa(int(int16(f.Outcome))))
	}
	if f.Status != "" {
		// A known status is written as a literal so that the planner can
		// match the partial index incidents_status (status <> 'reported').
		if f.Status.Known() {
			where = append(where, "status = '"+string(f.Status)+"'")
		} else {
			where = append(where, "status = "+arg(string(f.Status)))
		}
	}
	if f.Since != nil {
		where = append(where, "start_ns >= "+arg(f.Since.UnixNano()))
	}
	if f.Until != nil {
		where = append(where, "start_ns < "+arg(f.Until.UnixNano()))
	}
	if b := f.Within; b != nil {
		// Two phases: the GiST index on geog::geometry finds candidates
		// (its boxes are rounded outward, so none is missed), then the
		// exact box test, edges included, as geo.BBox.Contains.
		minLon, minLat, maxLon, maxLat := arg(b.MinLon), arg(b.MinLat), arg(b.MaxLon), arg(b.MaxLat)
		where = append(where, fmt.Sprintf("geog::geometry && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", minLon, minLat, maxLon, maxLat),
			fmt.Sprintf("lon >= %s AND lon <= %s AND lat >= %s AND lat <= %s", minLon, maxLon, minLat, maxLat))
	}
	if p.HasAfter {
		where = append(where, "(start_ns, id) > ("+arg(p.AfterStart)+", "+arg(p.AfterID)+")")
	}
	return where
}
