package httpapi

import "truce/internal/i18n"

// LangParams is the language a read asks for: ?lang= if given, else the best
// match of the Accept-Language header among en, uk and ru, else English.
// Only the rendering changes: what is stored and logged is the same in
// every language.
type LangParams struct {
	Lang           string `query:"lang" enum:"en,uk,ru," doc:"language of the explanations: en (the default), uk or ru; without it, Accept-Language decides"`
	AcceptLanguage string `header:"Accept-Language" maxLength:"1000" doc:"e.g. uk-UA,uk;q=0.9,en;q=0.5 (used when lang is not given)"`
}

// lang returns the language to answer in: "en", "uk" or "ru".
func (in *LangParams) lang() string { return i18n.Match(in.AcceptLanguage, in.Lang) }
