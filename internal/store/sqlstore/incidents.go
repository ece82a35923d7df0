package sqlstore

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"truce"
)

// Incident returns one incident, merged-away ones included, with its
// report ids. ENOTFOUND if absent.
func (c Core) Incident(ctx context.Context, id truce.IncidentID) (*truce.IncidentSummary, error) {
	return c.incidentWithReports(ctx, id, "")
}

// IncidentHead returns an incident without its report ids: one read by
// primary key, where Incident also reads the reports' index. ENOTFOUND if
// absent.
func (c Core) IncidentHead(ctx context.Context, id truce.IncidentID) (*truce.IncidentSummary, error) {
	in, _, err := c.incident(ctx, c.d.DB, id)
	return in, err
}

// MarkedIncident returns an incident with its report ids, as Incident
// does, and the mark of its judgements, history and evidence, all read
// in one statement. ENOTFOUND if absent.
func (c Core) MarkedIncident(ctx context.Context, id truce.IncidentID) (*truce.IncidentSummary, truce.IncidentMark, error) {
	var m truce.IncidentMark
	// All from indexes: reports (incident_id, start_ns, id), judgements
	// (report_id, log_index), incident_events (incident, id) and the
	// evidence's key (incident, id).
	in, err := c.incidentWithReports(ctx, id, `,
		(SELECT CAST(coalesce(sum(j.log_index + 1), 0) AS BIGINT) FROM reports r JOIN judgements j ON j.report_id = r.id WHERE r.incident_id = incidents.id),
		(SELECT count(*) FROM incident_events e WHERE e.incident = incidents.id),
		(SELECT count(*) FROM evidence v WHERE v.incident = incidents.id)`, &m.Judgements, &m.Events, &m.Evidence)
	return in, m, err
}

// incidentWithReports reads an incident with its report ids, and the
// columns extra (SQL starting with a comma) into dest, in one statement.
// ENOTFOUND if absent.
func (c Core) incidentWithReports(ctx context.Context, id truce.IncidentID, extra string, dest ...any) (*truce.IncidentSummary, error) {
	var reports []string
	in, _, err := ScanIncident(c.d.Dialect, c.d.DB.QueryRow(ctx, `SELECT `+IncidentCols+`, `+c.d.Dialect.ReportIDs("incidents.id")+extra+`
		FROM incidents WHERE id = $1`, string(id)), append([]any{c.d.Dialect.Aggregate(&reports)}, dest...)...)
	if err != nil {
		return nil, NotFound(err, "incident "+string(id), "incident %s not found", id)
	}
	in.Reports = typed[truce.ReportID](reports)
	return in, nil
}

// incidentByID reads the IncidentCols of incident $1.
const incidentByID = `SELECT ` + IncidentCols + ` FROM incidents WHERE id = $1`

// incident reads an incident and the incident it was merged into.
func (c Core) incident(ctx context.Context, db DB, id truce.IncidentID) (*truce.IncidentSummary, truce.IncidentID, error) {
	in, into, err := ScanIncident(c.d.Dialect, db.QueryRow(ctx, incidentByID, string(id)))
	if err != nil {
		return nil, "", NotFound(err, "incident "+string(id), "incident %s not found", id)
	}
	return in, into, nil
}

// IncidentOf returns the incident a report belongs to. ENOTFOUND if the
// report is absent.
func (c Core) IncidentOf(ctx context.Context, r truce.ReportID) (truce.IncidentID, error) {
	var id string
	if err := c.d.DB.QueryRow(ctx, `SELECT incident_id FROM reports WHERE id = $1`, string(r)).Scan(&id); err != nil {
		return "", NotFound(err, "incident of report", "report %s not found", r)
	}
	return truce.IncidentID(id), nil
}

// Events returns an incident's history, oldest first.
func (c Core) Events(ctx context.Context, id truce.IncidentID) ([]truce.Event, error) {
	return List(ctx, c.d.DB, "events", ScanEvent, `SELECT `+EventCols+` FROM incident_events WHERE incident = $1 ORDER BY id`, string(id))
}

// Evidence lists an incident's evidence items.
func (c Core) Evidence(ctx context.Context, id truce.IncidentID) ([]truce.Evidence, error) {
	return List(ctx, c.d.DB, "evidence", scanEvidence, `SELECT `+evidenceCols+` FROM evidence WHERE incident = $1 ORDER BY at_ns, id`, string(id))
}

// EvidenceContent returns the bytes and media type of one evidence item.
// ENOTFOUND if absent.
func (c Core) EvidenceContent(ctx context.Context, id truce.IncidentID, evidence string) ([]byte, string, error) {
	var b []byte
	var mt string
	err := c.d.DB.QueryRow(ctx, `SELECT content, media_type FROM evidence WHERE incident = $1 AND id = $2`, string(id), evidence).Scan(&b, &mt)
	if err != nil {
		return nil, "", NotFound(err, "evidence", "evidence %s of incident %s not found", evidence, id)
	}
	return b, mt, nil
}

// Page is one page of an incident listing being read: the drivers build
// its query from an IncidentFilter in their own SQL, and Page does the
// rest the same way.
type Page struct {
	// Limit is the page size the filter asks for, in 1..1000.
	Limit int
	// AfterStart and AfterID are the position the page starts after,
	// decoded from the filter's cursor, if HasAfter.
	AfterStart int64
	AfterID    string
	HasAfter   bool
	err        error // a cursor that does not decode: Read returns it
}

// NewPage decodes f's cursor and page size. A cursor that was not returned
// by a listing makes Read fail with EINVALID.
func NewPage(f truce.IncidentFilter) Page {
	p := Page{Limit: f.Limit}
	if p.Limit <= 0 {
		p.Limit = 100
	}
	p.Limit = min(p.Limit, 1000)
	if f.After == "" {
		return p
	}
	b, err := base64.RawURLEncoding.DecodeString(f.After)
	s, id, ok := strings.Cut(string(b), "|")
	n, nerr := strconv.ParseInt(s, 10, 64)
	if err != nil || !ok || nerr != nil {
		return Page{err: truce.Errorf(truce.EINVALID, "cursor: not a cursor returned by this server")}
	}
	p.AfterStart, p.AfterID, p.HasAfter = n, id, true
	return p
}

// Read runs query, which MUST select IncidentCols, then the incident's
// report ids aggregated in start, id order (Dialect.Aggregate), in start,
// id order, at most p.Limit+1 rows; it returns the page and the cursor of
// the next one ("" at the end).
func (p Page) Read(ctx context.Context, db DB, d Dialect, query string, args ...any) ([]truce.IncidentSummary, string, error) {
	if p.err != nil {
		return nil, "", p.err
	}
	out, err := List(ctx, db, "incidents", func(sc Scanner) (*truce.IncidentSummary, error) {
		var reports []string
		in, _, err := ScanIncident(d, sc, d.Aggregate(&reports))
		if err == nil {
			in.Reports = typed[truce.ReportID](reports)
		}
		return in, err
	}, query, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		last := out[len(out)-1]
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last.Start.UnixNano(), 10) + "|" + string(last.ID)))
	}
	return out, next, nil
}
