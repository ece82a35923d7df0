package i18n

import "strings"

// Forms returns the messages of the localizer's language whose ids start
// with prefix, keyed by the id without prefix, for a page's scripts to
// render themselves. A message without plural forms is its template; one
// with plural forms is a map from the CLDR form ("one", "few", "many",
// "other") to its template. A message missing from the language is
// English's.
func (l *Localizer) Forms(prefix string) map[string]any {
	out := map[string]any{}
	for _, lang := range []string{"en", l.lang} {
		for _, m := range bundle().messages[lang] {
			id, ok := strings.CutPrefix(m.ID, prefix)
			if !ok {
				continue
			}
			forms := map[string]string{}
			for form, s := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two,
				"few": m.Few, "many": m.Many} {
				if s != "" {
					forms[form] = s
				}
			}
			if len(forms) == 0 {
				out[id] = m.Other
				continue
			}
			forms["other"] = m.Other
			out[id] = forms
		}
	}
	return out
}
