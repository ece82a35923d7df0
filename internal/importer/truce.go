package importer

import (
	"strings"
	"time"

	"truce"
)

// truceColumns are the columns of the project's own report CSV, and the
// fields of its JSON and GeoJSON forms. The package doc describes them.
var truceColumns = []string{"id", "time", "time_precision", "lon", "lat", "location_precision_m", "place",
	"source", "outlet", "perpetrator", "actions", "category", "site", "actor1", "actor2", "event_type",
	"text", "fatalities"}

// truceCSV reads the project's own report CSV. Only time, lon and lat must
// be present; an unknown column is an error, to catch misspelt headers.
var truceCSV = csvReportFormat{
	required: []string{"time", "lon", "lat"},
	known:    truceColumns,
	parse:    parseTruceCSV,
}

// truceRecord is one report in the project's own formats, before checking.
type truceRecord struct {
	ID                 string   `json:"id"`
	Time               string   `json:"time"`
	TimePrecision      string   `json:"time_precision"`
	Lon                *float64 `json:"lon"`
	Lat                *float64 `json:"lat"`
	LocationPrecisionM float64  `json:"location_precision_m"`
	Place              string   `json:"place"`
	Source             string   `json:"source"`
	Outlet             string   `json:"outlet"`
	Perpetrator        string   `json:"perpetrator"`
	Actions            []string `json:"actions"`
	Category           string   `json:"category"`
	Site               string   `json:"site"`
	Actor1             string   `json:"actor1"`
	Actor2             string   `json:"actor2"`
	EventType          string   `json:"event_type"`
	Text               string   `json:"text"`
	Fatalities         int      `json:"fatalities"`
}

func parseTruceCSV(rr *reportRun, row *csvRow) (*truce.Report, error) {
	rec := truceRecord{
		ID:            row.get("id"),
		Time:          row.get("time"),
		TimePrecision: row.get("time_precision"),
		Place:         row.get("place"),
		Source:        row.get("source"),
		Outlet:        row.get("outlet"),
		Perpetrator:   row.get("perpetrator"),
		Category:      row.get("category"),
		Site:          row.get("site"),
		Actor1:        row.get("actor1"),
		Actor2:        row.get("actor2"),
		EventType:     row.get("event_type"),
		Text:          row.get("text"),
	}
	for _, name := range []string{"lon", "lat"} {
		v, err := row.float(name)
		if err != nil {
			return nil, err
		}
		if name == "lon" {
			rec.Lon = &v
		} else {
			rec.Lat = &v
		}
	}
	var err error
	if rec.LocationPrecisionM, err = row.optFloat("location_precision_m"); err != nil {
		return nil, err
	}
	if rec.Fatalities, err = row.optInt("fatalities"); err != nil {
		return nil, err
	}
	if a := row.get("actions"); a != "" {
		rec.Actions = strings.Split(a, "|")
	}
	return rec.report(rr, "column", row.line, row.text)
}

// report checks rec and turns it into a report. kind ("column" or "field")
// words the error messages.
func (rec *truceRecord) report(rr *reportRun, kind string, line int, original string) (*truce.Report, error) {
	source := strings.TrimSpace(rec.Source)
	if source == "" {
		source = "truce"
	}
	rep := rr.newReport(source, strings.TrimSpace(rec.ID), line, original)
	var err error
	if rep.Start, rep.End, rep.Precision, err = truceTime(kind, strings.TrimSpace(rec.Time), strings.TrimSpace(rec.TimePrecision), rr.opt.TZ); err != nil {
		return nil, err
	}
	if rec.Lon == nil {
		return nil, invalidf("%s lon: missing value", kind)
	}
	if rec.Lat == nil {
		return nil, invalidf("%s lat: missing value", kind)
	}
	if rep.Location, err = checkPoint(kind+" lon", *rec.Lon, kind+" lat", *rec.Lat); err != nil {
		return nil, err
	}
	if p := rec.LocationPrecisionM; p < 0 || p > 2_000_000 {
		return nil, invalidf("%s location_precision_m: %g is out of range [0, 2000000]", kind, p)
	}
	rep.LocationPrecisionMeters = rec.LocationPrecisionM
	if rec.Fatalities < 0 {
		return nil, invalidf("%s fatalities: %d is negative", kind, rec.Fatalities)
	}
	rep.Fatalities = rec.Fatalities
	for _, a := range rec.Actions {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if !truce.Action(a).Known() {
			return nil, invalidf("%s actions: unknown action %q", kind, a)
		}
		rep.Actions = appendAction(rep.Actions, truce.Action(a))
	}
	rep.Place = strings.TrimSpace(rec.Place)
	rep.Outlet = strings.TrimSpace(rec.Outlet)
	rep.Perpetrator = truce.PartyID(strings.TrimSpace(rec.Perpetrator))
	rep.Category = truce.CategoryID(strings.TrimSpace(rec.Category))
	rep.Site = truce.SiteID(strings.TrimSpace(rec.Site))
	rep.Actor1 = strings.TrimSpace(rec.Actor1)
	rep.Actor2 = strings.TrimSpace(rec.Actor2)
	rep.EventType = strings.TrimSpace(rec.EventType)
	rep.Text = strings.TrimSpace(rec.Text)
	return rep, nil
}

// truceTime turns a time and an optional precision into an interval. A
// date is a local day in loc (or coarser); an RFC 3339 time is exact unless
// prec says otherwise, and is then widened in its own offset.
func truceTime(kind, v, prec string, loc *time.Location) (start, end time.Time, p truce.TimePrecision, err error) {
	if v == "" {
		return start, end, 0, invalidf("%s time: missing value", kind)
	}
	if prec != "" {
		var ok bool
		if p, ok = truce.ParseTimePrecision(prec); !ok {
			return start, end, 0, invalidf("%s time_precision: %q is not exact, minute, hour, day, week, month or year", kind, prec)
		}
	}
	if d, derr := time.Parse(time.DateOnly, v); derr == nil {
		if p == 0 {
			p = truce.PrecisionDay
		}
		if p < truce.PrecisionDay {
			return start, end, 0, invalidf("%s time_precision: %s needs a time of day, but time %q is a date", kind, p, v)
		}
		start, end = dateOf(d).interval(p, loc)
		return start, end, p, nil
	}
	t, terr := time.Parse(time.RFC3339Nano, v)
	if terr != nil {
		return start, end, 0, invalidf("%s time: %q is neither an RFC 3339 time nor a date (YYYY-MM-DD)", kind, v)
	}
	if p == 0 {
		p = truce.PrecisionExact
	}
	// Widen in the offset as written, whatever the machine's zone: Parse
	// may return time.Local for an offset that Local uses.
	_, off := t.Zone()
	t = t.In(time.FixedZone("", off))
	y, mo, d := t.Date()
	h, mi, _ := t.Clock()
	switch p {
	case truce.PrecisionExact:
		return t.UTC(), t.Add(time.Second).UTC(), p, nil
	case truce.PrecisionMinute:
		s := time.Date(y, mo, d, h, mi, 0, 0, t.Location())
		return s.UTC(), s.Add(time.Minute).UTC(), p, nil
	case truce.PrecisionHour:
		s := time.Date(y, mo, d, h, 0, 0, 0, t.Location())
		return s.UTC(), s.Add(time.Hour).UTC(), p, nil
	}
	start, end = dateOf(t).interval(p, t.Location())
	return start, end, p, nil
}
