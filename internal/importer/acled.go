package importer

import (
	"strings"

	"truce"
)

// acled reads an ACLED export. The columns used are event_id_cnty,
// event_date, time_precision, event_type, sub_event_type, actor1, actor2,
// location, latitude, longitude, geo_precision, source, notes and
// fatalities; the others of the export layout are ignored.
var acled = csvReportFormat{
	required: []string{"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
		"actor1", "actor2", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities"},
	parse: parseACLED,
}

// acledDateLayouts are the event_date shapes of ACLED exports: ISO dates
// (API and recent exports) and "25 March 2025" (older Excel exports).
var acledDateLayouts = []string{"2006-01-02", "2 January 2006", "2 Jan 2006", "2-January-2006", "2-Jan-2006"}

// acledTimePrecision maps time_precision: 1 = the day, 2 = the week
// around the date, 3 = the month.
var acledTimePrecision = map[string]truce.TimePrecision{
	"1": truce.PrecisionDay, "2": truce.PrecisionWeek, "3": truce.PrecisionMonth,
}

// acledGeoPrecisionMeters maps geo_precision: 1 = the town itself, 2 = a
// nearby place or district, 3 = the region.
var acledGeoPrecisionMeters = map[string]float64{"1": 2000, "2": 15000, "3": 50000}

// acledActions maps sub_event_type (lower case) to the action it states.
// Only structured labels count: notes are free text, analysed elsewhere.
var acledActions = map[string]truce.Action{
	"air/drone strike":                  truce.ActionAirStrike,
	"shelling/artillery/missile attack": truce.ActionShelling,
	"remote explosive/landmine/ied":     truce.ActionSabotage,
	"armed clash":                       truce.ActionGroundAttack,
	"attack":                            truce.ActionGroundAttack,
}

func parseACLED(rr *reportRun, row *csvRow) (*truce.Report, error) {
	rep := rr.newReport("acled", row.get("event_id_cnty"), row.line, row.text)
	d, err := parseDate("event_date", row.get("event_date"), acledDateLayouts...)
	if err != nil {
		return nil, err
	}
	tp := row.get("time_precision")
	if tp == "" {
		tp = "1"
	}
	prec, ok := acledTimePrecision[tp]
	if !ok {
		return nil, invalidf("column time_precision: %q is not 1, 2 or 3", tp)
	}
	rep.Precision = prec
	rep.Start, rep.End = d.interval(prec, rr.opt.TZ)

	if rep.Location, err = row.point("longitude", "latitude"); err != nil {
		return nil, err
	}
	gp := row.get("geo_precision")
	if rep.LocationPrecisionMeters, ok = acledGeoPrecisionMeters[gp]; !ok {
		return nil, invalidf("column geo_precision: %q is not 1, 2 or 3", gp)
	}
	if rep.Fatalities, err = row.optInt("fatalities"); err != nil {
		return nil, err
	}
	rep.Place = row.get("location")
	rep.Outlet = row.get("source")
	rep.Actor1 = row.get("actor1")
	rep.Actor2 = row.get("actor2")
	et, sub := row.get("event_type"), row.get("sub_event_type")
	rep.EventType = joinNonEmpty("; ", et, sub)
	if a, ok := acledActions[strings.ToLower(sub)]; ok {
		rep.Actions = []truce.Action{a}
	}
	rep.Text = row.get("notes")
	return rep, nil
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}
