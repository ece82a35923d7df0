package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Localizer renders the catalogue's messages, numbers and dates in one
// language. It is safe for concurrent use.
type Localizer struct {
	tag     language.Tag
	lang    string
	cat, en *catalogue
	// monthGen are the months' names as a date writes them (genitive in
	// Ukrainian and Russian), from the catalogue.
	monthGen [12]string
}

// Lang returns the localizer's language code: "en", "uk" or "ru".
func (l *Localizer) Lang() string { return l.lang }

// Tag returns the localizer's language tag.
func (l *Localizer) Tag() language.Tag { return l.tag }

// T returns message id with its template filled from kv, alternating
// names and values: T("report.title", "Period", p). A message missing from
// the language falls back to English; one missing from English renders as
// its id, so a slip shows on the page rather than failing a request.
func (l *Localizer) T(id string, kv ...any) string {
	return l.localize(id, nil, kv)
}

// N is T for a message with plural forms chosen by n by the language's
// CLDR rules; the template sees n as .Count, formatted for the language.
func (l *Localizer) N(id string, n int, kv ...any) string {
	return l.localize(id, &n, append(kv, "Count", l.Int(n)))
}

func (l *Localizer) localize(id string, count *int, kv []any) string {
	var b strings.Builder
	l.Write(&b, id, count, func(b *strings.Builder, name string) { b.WriteString(field(kv, name)) })
	return b.String()
}

// Write writes message id into b, the form for count when count is not
// nil, each {{.Field}} written by fill. It is T for callers that build
// long texts from many messages without the intermediate strings.
func (l *Localizer) Write(b *strings.Builder, id string, count *int, fill Filler) {
	if l.cat.write(b, id, count, fill) || l.en.write(b, id, count, fill) {
		return
	}
	b.WriteString(id)
}

// Int formats n with the language's digit grouping: 12,345 in English,
// 12 345 (with a no-break space) in Ukrainian and Russian.
func (l *Localizer) Int(n int) string {
	if n > -1000 && n < 1000 {
		return strconv.Itoa(n)
	}
	return message.NewPrinter(l.tag).Sprint(n)
}

// Decimal formats f with prec digits after the point, by the language's
// rules: 1,234.5 in English, 1 234,5 in Ukrainian and Russian.
func (l *Localizer) Decimal(f float64, prec int) string {
	if l.lang == "en" && f > -1000 && f < 1000 {
		return strconv.FormatFloat(f, 'f', prec, 64)
	}
	return message.NewPrinter(l.tag).Sprintf("%.*f", prec, f)
}

// Date formats t's calendar date: "18 March 2025", "18 березня 2025",
// "18 марта 2025".
func (l *Localizer) Date(t time.Time) string {
	y, m, d := t.Date()
	return l.T("date.day", "Day", strconv.Itoa(d), "Month", l.monthGen[m-1], "Year", strconv.Itoa(y))
}

// DateTime formats t's date and time of day with its zone's abbreviation:
// "18 March 2025 at 15:28 EET".
func (l *Localizer) DateTime(t time.Time) string {
	return l.T("date.at", "Date", l.Date(t), "Time", t.Format("15:04 MST"))
}

// MonthYear formats t's month and year: "March 2025", "березень 2025".
func (l *Localizer) MonthYear(t time.Time) string {
	return l.T("date.month_year", "Month", l.T(fmt.Sprintf("date.month.%d", int(t.Month()))), "Year", t.Year())
}
