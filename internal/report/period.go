package report

import (
	"fmt"
	"time"
)

// Period is a reporting period of whole days, From to To, both included,
// written YYYY-MM-DD and read in the agreement's time zone (the form of
// `truce report --from/--to` and of Summary.From and Summary.To).
type Period struct {
	From, To string
}

// IsZero reports whether p is unset.
func (p Period) IsZero() bool { return p.From == "" && p.To == "" }

// days parses p. Both ends MUST be set and From MUST NOT be after To.
func (p Period) days() (from, to time.Time, err error) {
	from, err = time.Parse(time.DateOnly, p.From)
	if err != nil {
		return from, to, fmt.Errorf("period: from %q: want YYYY-MM-DD", p.From)
	}
	to, err = time.Parse(time.DateOnly, p.To)
	if err != nil {
		return from, to, fmt.Errorf("period: to %q: want YYYY-MM-DD", p.To)
	}
	if to.Before(from) {
		return from, to, fmt.Errorf("period: to %s is before from %s", p.To, p.From)
	}
	return from, to, nil
}

// Previous returns the period of the same number of days that ends the day
// before p starts: the period to compare p with.
func (p Period) Previous() (Period, error) {
	from, to, err := p.days()
	if err != nil {
		return Period{}, err
	}
	n := int(to.Sub(from).Hours()/24) + 1
	return Period{From: from.AddDate(0, 0, -n).Format(time.DateOnly), To: from.AddDate(0, 0, -1).Format(time.DateOnly)}, nil
}

// Days lists every day of p, in order.
func (p Period) Days() ([]string, error) {
	from, to, err := p.days()
	if err != nil {
		return nil, err
	}
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out, nil
}

// String formats p for a reader: "25–31 March 2025", "28 March 2025",
// "28 March – 3 April 2025"; the raw form if p does not parse.
func (p Period) String() string {
	from, to, err := p.days()
	switch {
	case p.IsZero():
		return ""
	case err != nil:
		return p.From + " – " + p.To
	case from.Equal(to):
		return from.Format("2 January 2006")
	case from.Year() != to.Year():
		return from.Format("2 January 2006") + " – " + to.Format("2 January 2006")
	case from.Month() != to.Month():
		return from.Format("2 January") + " – " + to.Format("2 January 2006")
	}
	return from.Format("2") + "–" + to.Format("2 January 2006")
}
