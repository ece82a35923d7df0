package i18n_test

import (
	"testing"
	"time"

	"truce/internal/i18n"
)

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		name, accept string
		prefs        []string
		want         string
	}{
		{name: "empty", want: "en"},
		{name: "ukrainian", accept: "uk-UA,uk;q=0.9,en;q=0.8", want: "uk"},
		{name: "russian", accept: "ru-RU,ru;q=0.9", want: "ru"},
		{name: "unsupported", accept: "de-DE,fr;q=0.5", want: "en"},
		{name: "weights", accept: "en;q=0.5,ru;q=0.9", want: "ru"},
		{name: "query wins", accept: "ru", prefs: []string{"uk"}, want: "uk"},
		{name: "bad query ignored", accept: "ru", prefs: []string{"xx", ""}, want: "ru"},
		{name: "garbage header", accept: ";;;q=x", want: "en"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := i18n.Match(tt.accept, tt.prefs...); got != tt.want {
				t.Errorf("Match(%q, %q) = %q, want %q", tt.accept, tt.prefs, got, tt.want)
			}
		})
	}
}

func TestPlurals(t *testing.T) {
	want := map[string][]string{
		"en": {"1 report", "3 reports", "5 reports", "21 reports", "1,000 reports"},
		"uk": {"1 звіт", "3 звіти", "5 звітів", "21 звіт", "1\u00a0000 звітів"},
		"ru": {"1 сообщение", "3 сообщения", "5 сообщений", "21 сообщение", "1\u00a0000 сообщений"},
	}
	for lang, ws := range want {
		l := i18n.For(lang)
		for i, n := range []int{1, 3, 5, 21, 1000} {
			if got := l.N("count.reports", n); got != ws[i] {
				t.Errorf("%s: N(count.reports, %d) = %q, want %q", lang, n, got, ws[i])
			}
		}
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2025, 3, 18, 15, 28, 0, 0, time.FixedZone("EET", 2*3600))
	for lang, want := range map[string]string{
		"en": "18 March 2025 at 15:28 EET",
		"uk": "18 березня 2025 р. о 15:28 EET",
		"ru": "18 марта 2025 г. в 15:28 EET",
	} {
		if got := i18n.For(lang).DateTime(at); got != want {
			t.Errorf("%s: DateTime = %q, want %q", lang, got, want)
		}
	}
	if got := i18n.For("uk").Decimal(1234.5, 1); got != "1\u00a0234,5" {
		t.Errorf("uk Decimal = %q", got)
	}
	if got := i18n.For("xx").Lang(); got != "en" {
		t.Errorf("For(xx) = %q, want en", got)
	}
}
