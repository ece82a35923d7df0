package adjudicate

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The linguistic layer: a report's text as words with their offsets and the
// sentence and clause each belongs to. Everything here is deterministic and
// small enough to run on every report (see BenchmarkJudge).
//
// Morphology is in the lexicon, not in a stemmer: Ukrainian and Russian
// words are matched by stem patterns ("атакува*") or, where the case form
// decides the role (Росія the subject, Росію the object), by tables of the
// forms (lexicon.go). Snowball has a Russian stemmer but no Ukrainian one,
// and a stem loses exactly the case ending that tells the attacker from
// the attacked.

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
	start  int    // offset of the first code point in the original text
	end    int    // offset after the last code point
	bstart int    // the same in bytes
	bend   int
	sent   int // sentence number
	clause int // clause number, counted over the whole text
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
	var b strings.Builder
	sent, clause := 0, 0
	start, bstart := -1, -1
	pendingSent, pendingClause := false, false
	flush := func(end, bend int) {
		if b.Len() == 0 {
			return
		}
		w := b.String()
		if !norm.NFC.IsNormalString(w) {
			w = norm.NFC.String(w)
		}
		w = strings.Trim(w, "'")
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
		t.words = append(t.words, word{s: w, start: start, end: end, bstart: bstart, bend: bend, sent: sent, clause: clause})
	}
	i := -1 // code point index
	var prev rune
	for bi, r := range s {
		i++
		switch {
		case isApostrophe(r):
			if b.Len() > 0 {
				b.WriteByte('\'')
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if b.Len() == 0 {
				start, bstart = i, bi
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			flush(i, bi)
			switch r {
			case '.', '!', '?', ';', '\n':
				if r == '.' && len(t.words) > 0 && isAbbrev(t.words[len(t.words)-1].s) && strings.TrimSpace(s[bi+1:]) != "" {
					pendingClause = true
					break
				}
				if r == '.' && len(t.words) > 0 && isDigits(t.words[len(t.words)-1].s) && bi+1 < len(s) && s[bi+1] >= '0' && s[bi+1] <= '9' {
					break // 2.5
				}
				pendingSent = true
			case ',', ':', '(', ')', '–', '—', '«', '»', '"', '“', '”', '„':
				pendingClause = true
			case '-':
				// A spaced hyphen is a dash; a hyphen inside a word joins it.
				if unicode.IsSpace(prev) && bi+1 < len(s) && (s[bi+1] == ' ' || s[bi+1] == '\t') {
					pendingClause = true
				}
			}
		}
		prev = r
	}
	flush(i+1, len(s))
	t.lang = guessLang(t.words)
	t.ss = make([]string, len(t.words))
	for i := range t.words {
		t.ss[i] = t.words[i].s
	}
	return t
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
