package importer

import (
	"fmt"

	"truce"
)

// ucdp reads a UCDP Georeferenced Event Dataset CSV (the 49-column GED
// layout). The columns used are id, type_of_violence, dyad_name, side_a,
// side_b, source_office, source_headline, where_prec, where_coordinates,
// where_description, latitude, longitude, date_prec, date_start, date_end
// and best.
var ucdp = csvReportFormat{
	required: []string{"id", "type_of_violence", "side_a", "side_b", "source_office", "source_headline",
		"where_prec", "where_description", "latitude", "longitude", "date_prec", "date_start", "date_end", "best"},
	parse: parseUCDP,
}

// ucdpDateLayouts are the date shapes seen in GED files. Files that went
// through Excel are month-first in three shapes ("1/22/2014 12:00:00 AM",
// "02/01/2023 00:00", "09/10/2022 12:00:00 AM"); the official downloads use
// ISO dates. The time of day is always midnight and is ignored.
var ucdpDateLayouts = []string{
	"1/2/2006 3:04:05 PM", "1/2/2006 15:04", "1/2/2006 15:04:05", "1/2/2006",
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
}

// ucdpDatePrecision maps date_prec: 1 = the exact day, 2 = within 2-6 days,
// 3 = the week, 4 = the month, 5 = the year or longer. The interval itself
// is always date_start..date_end.
var ucdpDatePrecision = map[string]truce.TimePrecision{
	"1": truce.PrecisionDay, "2": truce.PrecisionWeek, "3": truce.PrecisionWeek,
	"4": truce.PrecisionMonth, "5": truce.PrecisionYear,
}

// ucdpWherePrecisionMeters maps where_prec: 1 = exact location, 2 = within
// 25 km, 3 = second-order administrative division, 4 = first-order
// division, 5 = linear feature (road, river), 6 = country, 7 = international
// waters or airspace.
var ucdpWherePrecisionMeters = map[string]float64{
	"1": 1000, "2": 25000, "3": 50000, "4": 150000, "5": 50000, "6": 500000, "7": 500000,
}

func parseUCDP(rr *reportRun, row *csvRow) (*truce.Report, error) {
	rep := rr.newReport("ucdp-ged", row.get("id"), row.line, row.text)
	start, err := parseDate("date_start", row.get("date_start"), ucdpDateLayouts...)
	if err != nil {
		return nil, err
	}
	end, err := parseDate("date_end", row.get("date_end"), ucdpDateLayouts...)
	if err != nil {
		return nil, err
	}
	rep.Start = start.at(0, rr.opt.TZ).UTC()
	rep.End = end.at(1, rr.opt.TZ).UTC()
	if !rep.End.After(rep.Start) {
		return nil, invalidf("column date_end: %q is before date_start %q", row.get("date_end"), row.get("date_start"))
	}
	dp := row.get("date_prec")
	var ok bool
	if rep.Precision, ok = ucdpDatePrecision[dp]; !ok {
		return nil, invalidf("column date_prec: %q is not 1 to 5", dp)
	}

	if rep.Location, err = row.point("longitude", "latitude"); err != nil {
		return nil, err
	}
	wp := row.get("where_prec")
	if rep.LocationPrecisionMeters, ok = ucdpWherePrecisionMeters[wp]; !ok {
		return nil, invalidf("column where_prec: %q is not 1 to 7", wp)
	}
	if rep.Fatalities, err = row.optInt("best"); err != nil {
		return nil, err
	}
	rep.Outlet = row.get("source_office")
	rep.Place = row.get("where_coordinates")
	// side_a and side_b are the dyad's sides, not initiator and target, so
	// they go into EventType and Actor1/Actor2 stay empty.
	dyad := row.get("dyad_name")
	if dyad == "" {
		dyad = row.get("side_a") + " - " + row.get("side_b")
	}
	rep.EventType = fmt.Sprintf("ucdp type_of_violence=%s; dyad=%s", row.get("type_of_violence"), dyad)
	rep.Text = joinNonEmpty("\n", row.get("source_headline"), row.get("where_description"))
	return rep, nil
}
