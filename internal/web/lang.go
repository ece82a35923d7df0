package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sync"
	"time"

	"truce/internal/i18n"
)

// langCookie remembers the language a reader chose with the switcher
// (?lang=), so every page after it speaks that language.
const langCookie = "truce_lang"

// langLink is one entry of the language switcher.
type langLink struct {
	Lang, Name, Href string
	Current          bool
}

// localizer returns the language of the page for r: ?lang= (remembered in
// langCookie), else the cookie, else Accept-Language, else English.
func (h *handler) localizer(w http.ResponseWriter, r *http.Request) *i18n.Localizer {
	w.Header().Add("Vary", "Accept-Language, Cookie")
	if q := r.URL.Query().Get("lang"); i18n.Supported(q) {
		h.setCookie(w, r, langCookie, q, 365*24*time.Hour, false)
		return i18n.For(q)
	}
	return i18n.For(i18n.Match(r.Header.Get("Accept-Language"), cookieValue(r, langCookie)))
}

// withLang fills d's language fields for localizer l and the request r:
// the switcher's links keep the page's path and query.
func withLang(d *pageData, l *i18n.Localizer, r *http.Request) {
	d.L = l
	d.Lang = l.Lang()
	for _, lang := range i18n.Langs {
		q := r.URL.Query()
		q.Set("lang", lang)
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		d.Langs = append(d.Langs, langLink{Lang: lang, Name: i18n.For(lang).T("lang.name"), Href: u.String(), Current: lang == l.Lang()})
	}
	d.Dict = dictionaries()[l.Lang()]
}

// dictionaries are each language's messages for the pages' scripts, as
// JSON: the catalogue's web.js.* and the explanations' names of actions.
// json.Marshal escapes <, > and &, so a dictionary cannot end the script
// element it is written in.
var dictionaries = sync.OnceValue(func() map[string]template.JS {
	out := map[string]template.JS{}
	for _, lang := range i18n.Langs {
		l := i18n.For(lang)
		msgs := l.Forms("web.js.")
		for id, m := range l.Forms("action.") {
			msgs["action."+id] = m
		}
		b, err := json.Marshal(map[string]any{"lang": lang, "messages": msgs})
		if err != nil {
			panic("web: catalogue: " + err.Error()) // maps of strings always marshal
		}
		out[lang] = template.JS(b)
	}
	return out
})

// T returns the page's message id in its language (i18n.Localizer.T).
func (d pageData) T(id string, kv ...any) string { return d.L.T(id, kv...) }
