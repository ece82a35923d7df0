package importer

import (
	"time"

	"truce"
)

// date is a calendar day without a zone.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

// at returns local midnight of the day n days after d in loc. time.Date
// normalises the day, and finds midnight after a DST change correctly.
func (d date) at(n int, loc *time.Location) time.Time {
	return time.Date(d.y, d.m, d.d+n, 0, 0, 0, 0, loc)
}

// days returns the UTC interval of n whole local days starting shift days
// after d: [d+shift 00:00, d+shift+n 00:00) in loc.
func (d date) days(shift, n int, loc *time.Location) (start, end time.Time) {
	return d.at(shift, loc).UTC(), d.at(shift+n, loc).UTC()
}

// month returns the UTC interval of d's calendar month in loc.
func (d date) month(loc *time.Location) (start, end time.Time) {
	return time.Date(d.y, d.m, 1, 0, 0, 0, 0, loc).UTC(), time.Date(d.y, d.m+1, 1, 0, 0, 0, 0, loc).UTC()
}

// year returns the UTC interval of d's calendar year in loc.
func (d date) year(loc *time.Location) (start, end time.Time) {
	return time.Date(d.y, 1, 1, 0, 0, 0, 0, loc).UTC(), time.Date(d.y+1, 1, 1, 0, 0, 0, 0, loc).UTC()
}

// interval returns the UTC interval that a day-or-coarser precision p gives
// to the day d in loc: a day is the whole local day, a week the seven days
// centred on d (ACLED's "±3 days"), a month or year the calendar month or
// year.
func (d date) interval(p truce.TimePrecision, loc *time.Location) (start, end time.Time) {
	switch p {
	case truce.PrecisionWeek:
		return d.days(-3, 7, loc)
	case truce.PrecisionMonth:
		return d.month(loc)
	case truce.PrecisionYear:
		return d.year(loc)
	}
	return d.days(0, 1, loc)
}

// parseDate parses v with the first layout that fits; the zone is ignored.
func parseDate(name, v string, layouts ...string) (date, error) {
	if v == "" {
		return date{}, invalidf("column %s: missing value", name)
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return dateOf(t), nil
		}
	}
	return date{}, invalidf("column %s: %q is not a date", name, v)
}
