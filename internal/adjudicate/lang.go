package adjudicate

import (
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
	"golang.org/x/text/unicode/norm"
)

// The linguistic layer: a report's text as words with their offsets, their
// stems, and the sentence and clause each belongs to. Everything here is
// deterministic and small enough to run on every report (see
// BenchmarkJudge).

// lang is a text's language as far as the judge needs to know it.
type lang uint8

const (
	langEN lang = iota
	langUK
	langRU
)

// word is one word of a report's text.
type word struct {
	s      string // lower case, NFC, one kind of apostrophe
	stem   string // the Snowball (ru, en) or suffix-table (uk) stem of s
	start  int    // offset of the first code point in the original text
	end    int    // offset after the last code point
	sent   int    // sentence number
	clause int    // clause number, counted over the whole text
	upper  bool   // the word was written with a capital first letter
}

// text is a report's text, analysed once.
type text struct {
	raw   string
	lang  lang
	words []word
	ss    []string // the words' s, for phrase matching
}

// analyse splits s into words, sentences and clauses. A sentence ends at
// . ! ? ; or a line break followed by a capital (not after a one- to
// three-letter abbreviation such as "с." or "обл."); a clause ends at a
// comma, colon, dash or bracket as well.
func analyse(s string) *text {
	t := &text{raw: s}
	runes := []rune(s)
	var b strings.Builder
	sent, clause := 0, 0
	start := -1
	upper := false
	pendingSent, pendingClause := false, false
	flush := func(end int) {
		if b.Len() == 0 {
			return
		}
		w := strings.Trim(norm.NFC.String(b.String()), "'")
		b.Reset()
		if w == "" {
			return
		}
		if pendingSent && len(t.words) > 0 {
			sent++
			clause++
		} else if pendingClause && len(t.words) > 0 {
			clause++
		}
		pendingSent, pendingClause = false, false
		t.words = append(t.words, word{s: w, start: start, end: end, sent: sent, clause: clause, upper: upper})
	}
	for i, r := range runes {
		switch {
		case isApostrophe(r):
			if b.Len() > 0 {
				b.WriteByte('\'')
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if b.Len() == 0 {
				start = i
				upper = unicode.IsUpper(r)
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			flush(i)
			switch r {
			case '.', '!', '?', ';', '\n':
				if r == '.' && len(t.words) > 0 && isAbbrev(t.words[len(t.words)-1].s) && !endOfText(runes, i) {
					pendingClause = true
					continue
				}
				if r == '.' && len(t.words) > 0 && isDigits(t.words[len(t.words)-1].s) && i+1 < len(runes) && unicode.IsDigit(runes[i+1]) {
					continue // 2.5
				}
				pendingSent = true
			case ',', ':', '(', ')', '–', '—', '«', '»', '"', '“', '”', '„':
				pendingClause = true
			case '-':
				// A spaced hyphen is a dash; a hyphen inside a word joins it.
				if i > 0 && i+1 < len(runes) && unicode.IsSpace(runes[i-1]) && unicode.IsSpace(runes[i+1]) {
					pendingClause = true
				}
			}
		}
	}
	flush(len(runes))
	t.lang = guessLang(t.words)
	t.ss = make([]string, len(t.words))
	for i := range t.words {
		t.words[i].stem = stem(t.words[i].s, t.lang)
		t.ss[i] = t.words[i].s
	}
	return t
}

func endOfText(rs []rune, i int) bool {
	for _, r := range rs[i+1:] {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '‘', '`', 'ʹ', '′':
		return true
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// abbreviations after which a full stop does not end a sentence.
var abbrevs = map[string]bool{
	"с": true, "м": true, "смт": true, "обл": true, "р": true, "н": true, "п": true, "вул": true,
	"ул": true, "г": true, "пгт": true, "им": true, "ім": true, "ст": true, "тис": true, "тыс": true,
	"млн": true, "млрд": true, "км": true, "пос": true, "див": true, "т": true, "д": true,
	"mr": true, "st": true, "no": true, "gen": true, "col": true, "lt": true,
}

func isAbbrev(s string) bool { return abbrevs[s] }

// guessLang tells Ukrainian (і ї є ґ) from Russian (ы э ъ ё) from English.
func guessLang(ws []word) lang {
	var uk, ru, cyr, lat int
	for _, w := range ws {
		for _, r := range w.s {
			switch r {
			case 'і', 'ї', 'є', 'ґ':
				uk++
			case 'ы', 'э', 'ъ', 'ё':
				ru++
			}
			switch {
			case unicode.Is(unicode.Cyrillic, r):
				cyr++
			case r < 128 && unicode.IsLetter(r):
				lat++
			}
		}
	}
	switch {
	case cyr == 0 && lat > 0:
		return langEN
	case uk > ru:
		return langUK
	case ru > 0 || cyr > 0:
		return langRU
	}
	return langEN
}

// stem reduces a word to its stem: Snowball's stemmers for Russian and
// English, and for Ukrainian (which Snowball does not have) a table of
// inflectional endings, longest first, that keeps at least three letters.
// Words of another script than the text's language use that script's
// stemmer (a Russian name quoted in a Ukrainian headline).
func stem(s string, l lang) string {
	cyr := false
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			cyr = true
			break
		}
	}
	switch {
	case !cyr:
		return english.Stem(s, false)
	case l == langUK || strings.ContainsAny(s, "іїєґ'"):
		return stemUK(s)
	}
	return russian.Stem(s, false)
}

// ukEndings are Ukrainian noun, adjective and verb endings, longest first.
var ukEndings = []string{
	"ування", "ювання", "ськими", "цькими", "ськими",
	"ськими", "ського", "ському", "ською", "ських", "ськім", "ська", "ське", "ські", "ську", "ський", "ськи",
	"ами", "ями", "ові", "еві", "єві", "ого", "ому", "ими", "іми", "ій", "ою", "ею", "єю", "ів", "їв",
	"ах", "ях", "ам", "ям", "им", "ім", "их", "іх", "ої", "ий", "ий", "ли", "ла", "ло", "ти", "ть", "ся", "сь",
	"ні", "на", "не", "ну", "но", "ня", "ню", "ем", "ом", "ец",
	"а", "я", "у", "ю", "і", "и", "о", "е", "є", "ь", "ї", "в",
}

func stemUK(s string) string {
	rs := []rune(s)
	for _, e := range ukEndings {
		er := []rune(e)
		if len(rs)-len(er) >= 3 && strings.HasSuffix(s, e) {
			return string(rs[:len(rs)-len(er)])
		}
	}
	return s
}
