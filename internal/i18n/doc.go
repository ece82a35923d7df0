// Package i18n is truce's message catalogue: the page's, the explanations'
// and the reports' words in English, Ukrainian and Russian, with CLDR
// plural rules (github.com/nicksnyder/go-i18n/v2), language matching from
// Accept-Language (golang.org/x/text/language) and number and date
// formatting per language.
//
// The messages live in locales/{en,uk,ru}.yaml, embedded in the binary, so
// that a translator edits YAML and never Go. Every message id MUST exist in
// every language, and a message with plural forms MUST give every form the
// language's CLDR rules need for whole numbers (Ukrainian and Russian: one,
// few, many and other; English: one and other); catalogue_test.go fails
// otherwise.
//
// The catalogue renders words; it decides nothing. Judgements, findings
// and the tamper-evident log stay language-neutral (English, as recorded):
// a language is chosen when something is shown.
package i18n
