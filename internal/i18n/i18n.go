package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Langs are the languages truce speaks, English (the default) first, as
// their BCP 47 codes.
var Langs = []string{"en", "uk", "ru"}

var tags = []language.Tag{language.English, language.Ukrainian, language.Russian}

var matcher = language.NewMatcher(tags)

//go:embed locales/*.yaml
var locales embed.FS

// Files returns the embedded message files, one per language, for tests
// and tools that check them.
func Files() fs.FS { return locales }

// parsed holds the message files as go-i18n parsed them.
type parsed struct {
	messages map[string][]*goi18n.Message
}

var bundle = sync.OnceValue(func() parsed {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	out := parsed{messages: map[string][]*goi18n.Message{}}
	for _, l := range Langs {
		p := path.Join("locales", l+".yaml")
		mf, err := b.LoadMessageFileFS(locales, p)
		if err != nil {
			// The files are embedded and checked by the tests: a parse
			// error here is a build that should never have shipped.
			panic(fmt.Sprintf("i18n: %s: %v", p, err))
		}
		out.messages[l] = mf.Messages
	}
	return out
})

var localizers = sync.OnceValue(func() map[string]*Localizer {
	m := map[string]*Localizer{}
	cats := map[string]*catalogue{}
	for i, l := range Langs {
		cats[l] = newCatalogue(tags[i], bundle().messages[l])
	}
	for i, l := range Langs {
		loc := &Localizer{tag: tags[i], lang: l, cat: cats[l], en: cats["en"]}
		for mo := range loc.monthGen {
			loc.monthGen[mo] = loc.T(fmt.Sprintf("date.month_gen.%d", mo+1))
		}
		m[l] = loc
	}
	return m
})

// Supported reports whether lang is one of Langs.
func Supported(lang string) bool {
	for _, l := range Langs {
		if l == lang {
			return true
		}
	}
	return false
}

// Match returns the language to use: the first of prefs that is one of
// Langs (a ?lang= parameter, a cookie), else the best match for the
// Accept-Language header accept, else "en".
func Match(accept string, prefs ...string) string {
	for _, p := range prefs {
		p = strings.ToLower(strings.TrimSpace(p))
		if Supported(p) {
			return p
		}
	}
	if accept == "" {
		return "en"
	}
	want, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(want) == 0 {
		return "en"
	}
	_, i, conf := matcher.Match(want...)
	if conf == language.No {
		return "en"
	}
	return Langs[i]
}

// For returns the localizer of lang, or English's when lang is not one of
// Langs.
func For(lang string) *Localizer {
	if l, ok := localizers()[lang]; ok {
		return l
	}
	return localizers()["en"]
}

// English returns the English localizer.
func English() *Localizer { return For("en") }
