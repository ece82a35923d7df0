package i18n

import (
	"fmt"
	"strconv"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Localizer renders the catalogue's messages, numbers and dates in one
// language. It is safe for concurrent use.
type Localizer struct {
	tag  language.Tag
	lang string
	l    *goi18n.Localizer
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
	return l.localize(id, n, append(kv, "Count", l.Int(n)))
}

func (l *Localizer) localize(id string, count any, kv []any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if s == "" && err != nil {
		return id
	}
	return s
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
	return l.T("date.day", "Day", t.Day(), "Month", l.T(fmt.Sprintf("date.month_gen.%d", int(t.Month()))), "Year", t.Year())
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
