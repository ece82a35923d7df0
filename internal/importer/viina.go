package importer

import (
	"strings"
	"time"

	"truce"
)

// viina reads a VIINA monthly incident export: datetime, lon, lat,
// place_name, event_type, headline.
var viina = csvReportFormat{
	required: []string{"datetime", "lon", "lat", "place_name", "event_type", "headline"},
	parse:    parseVIINA,
}

// viinaLocationPrecisionMeters is the radius of VIINA's settlement-level
// geocoding.
const viinaLocationPrecisionMeters = 2000

// viinaActions maps VIINA tactic labels to the actions they state. Other
// labels (civcas, property, aad, control, occupy, arresb, firefighb, ...)
// describe outcomes or non-attacks and carry no action.
var viinaActions = map[string]truce.Action{
	"uav":       truce.ActionDroneAttack,
	"artillery": truce.ActionShelling,
	"airstrike": truce.ActionAirStrike,
	"raid":      truce.ActionGroundAttack,
	"ied":       truce.ActionSabotage,
}

func parseVIINA(rr *reportRun, row *csvRow) (*truce.Report, error) {
	rep := rr.newReport("viina", "", row.line, row.text)
	v := row.get("datetime")
	if v == "" {
		return nil, invalidf("column datetime: missing value")
	}
	var t time.Time
	var err error
	for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err = time.ParseInLocation(l, v, rr.opt.TZ); err == nil {
			break
		}
	}
	if err != nil {
		return nil, invalidf("column datetime: %q is not a date and time", v)
	}
	// VIINA writes a date without a known time as midnight.
	if h, m, s := t.Clock(); h == 0 && m == 0 && s == 0 {
		rep.Precision = truce.PrecisionDay
		rep.Start, rep.End = dateOf(t).days(0, 1, rr.opt.TZ)
	} else {
		rep.Precision = truce.PrecisionMinute
		y, mo, d := t.Date()
		start := time.Date(y, mo, d, h, m, 0, 0, rr.opt.TZ)
		rep.Start, rep.End = start.UTC(), start.Add(time.Minute).UTC()
	}
	if rep.Location, err = row.point("lon", "lat"); err != nil {
		return nil, err
	}
	rep.LocationPrecisionMeters = viinaLocationPrecisionMeters
	rep.Place = row.get("place_name")
	rep.EventType = row.get("event_type")
	for _, l := range strings.Split(rep.EventType, "|") {
		if a, ok := viinaActions[strings.ToLower(strings.TrimSpace(l))]; ok {
			rep.Actions = appendAction(rep.Actions, a)
		}
	}
	rep.Text = row.get("headline")
	return rep, nil
}

// appendAction appends a to as unless it is already there.
func appendAction(as []truce.Action, a truce.Action) []truce.Action {
	for _, x := range as {
		if x == a {
			return as
		}
	}
	return append(as, a)
}
