package importer

import (
	"regexp"
	"slices"
	"strings"

	"truce"
)

// cir reads the Centre for Information Resilience's "Eyes on Russia" map
// events (the Russia-Ukraine monitor, as its CSV export and mirrors give
// it): entry, date, event_group, title, brief description, lat, lon,
// country, province, district, town/city, arms/munition, violence level,
// link, geolocation. CIR's investigators verified each event and
// geolocated most of them; their verification fields are kept as the
// report's provenance: the whole row (Original), the entry as the
// source's id, and in EventType the event group, violence level, arms,
// the source link and the geolocation (EventType is never read as text,
// so a link's words cannot change a verdict). No action is read
// from the event group (its groups are campaigns and months, "Russian
// Military Presence January 2022", not kinds of attack): the text says
// what happened.
var cir = csvReportFormat{
	required: []string{"entry", "date", "event_group", "title", "brief description", "lat", "lon"},
	parse:    parseCIR,
}

// CIR's own precision: an event its investigators geolocated (the
// geolocation column names the proof) is placed on a point; one they did
// not is placed at its town.
const (
	cirGeolocatedMeters = 500
	cirTownMeters       = 5000
)

// cirTitleDate is the date CIR repeats at the start of a title
// ("01/01/2022 Russian military equipment ..."), dropped from the text.
var cirTitleDate = regexp.MustCompile(`^\d{1,2}/\d{1,2}/\d{4}\s+`)

func parseCIR(rr *reportRun, row *csvRow) (*truce.Report, error) {
	entry := row.get("entry")
	if entry == "" {
		return nil, invalidf("column entry: missing value")
	}
	rep := rr.newReport("cir-eyes-on-russia", entry, row.line, row.text)
	rep.ID = truce.ReportID("cir-" + entry)
	d, err := parseDate("date", row.get("date"), "2006-01-02", "02/01/2006")
	if err != nil {
		return nil, err
	}
	rep.Precision = truce.PrecisionDay
	rep.Start, rep.End = d.days(0, 1, rr.opt.TZ)
	if rep.Location, err = row.point("lon", "lat"); err != nil {
		return nil, err
	}
	rep.LocationPrecisionMeters = cirTownMeters
	geoloc := row.get("geolocation")
	if geoloc != "" {
		rep.LocationPrecisionMeters = cirGeolocatedMeters
	}
	rep.Outlet = "Centre for Information Resilience"
	rep.Place = joinNonEmpty(", ", slices.Compact([]string{row.get("town/city"), row.get("district"), row.get("province"), row.get("country")})...)
	rep.EventType = joinNonEmpty("; ", "cir event_group="+row.get("event_group"), prefixed("violence level=", row.get("violence level")),
		prefixed("arms/munition=", row.get("arms/munition")), prefixed("source=", row.get("link")), prefixed("geolocation=", geoloc))
	title := cirTitleDate.ReplaceAllString(row.get("title"), "")
	desc := row.get("brief description")
	if strings.EqualFold(desc, title) {
		desc = ""
	}
	rep.Text = joinNonEmpty("\n", title, desc)
	return rep, nil
}

func prefixed(prefix, v string) string {
	if v == "" {
		return ""
	}
	return prefix + v
}
