package adjudicate

import (
	"strings"

	"truce"
	"truce/internal/i18n"
)

// Explain returns judgement jd of report r with its explanations in
// language lang ("en", "uk" or "ru"), rendered from the same findings.
// The stored judgement keeps the English text and MUST NOT change with
// the reader's language, so Explain judges r again (adjudication is
// deterministic) and renders a finding in lang only where the English
// rendering of the re-judged finding equals the stored explanation byte
// for byte. Any other explanation (one that rests on a breach known only
// when r was judged, or a judgement under an older agreement text) stays
// as stored, in English. jd itself is not changed.
func (j *Judge) Explain(r *truce.Report, jd *truce.Judgement, lang string) truce.Judgement {
	out := *jd
	if lang == "en" || !i18n.Supported(lang) {
		return out
	}
	c := j.newCase(r)
	c.keep = true
	again := c.judgeAll()
	if len(c.explained) != max(len(again.Findings), 1) {
		return out // cannot happen: judge keeps one per finding
	}
	sp := speaker{l: i18n.For(lang), a: j.a}
	byText := make(map[string]wording, len(c.explained))
	for i, ex := range c.explained {
		if i < len(again.Findings) {
			byText[again.Findings[i].Explanation] = ex
		} else {
			byText[again.Explanation] = ex
		}
	}
	say := func(ex wording) string { return tidy.Replace(sp.say(ex)) }
	out.Findings = make([]truce.Finding, len(jd.Findings))
	for i, f := range jd.Findings {
		if ex, ok := byText[f.Explanation]; ok {
			f.Explanation = say(ex)
		}
		out.Findings[i] = f
	}
	if ex, ok := byText[jd.Explanation]; ok {
		out.Explanation = say(ex)
	}
	return out
}

// tidy drops the full stop a sentence would repeat after a Ukrainian or
// Russian date's abbreviated "year" ("18 березня 2025 р.").
var tidy = strings.NewReplacer(" р..", " р.", " г..", " г.")

// WhyIn returns w.Why, when the phase is in force under w's reading, in
// language lang ("en", "uk" or "ru") for agreement a, the one w was
// scheduled for.
func (w *Window) WhyIn(a *truce.Agreement, lang string) string {
	if lang == "en" || !i18n.Supported(lang) || w.why.isZero() {
		return w.Why
	}
	return tidy.Replace(speaker{l: i18n.For(lang), a: a}.say(w.why))
}
