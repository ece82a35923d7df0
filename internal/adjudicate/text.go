package adjudicate

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// A phrase is a keyword or alias compiled for matching: a sequence of
// words, each matching a whole word of the text or, if written with a
// trailing "*", any word that starts with it. Matching ignores case,
// Unicode normalisation form and the many apostrophes of Ukrainian text.
type phrase struct {
	raw   string
	words []pword
}

type pword struct {
	s      string
	prefix bool
}

func compilePhrase(s string) (phrase, bool) {
	p := phrase{raw: s}
	for _, w := range tokens(s, true) {
		pw := pword{s: w}
		if strings.HasSuffix(w, "*") {
			pw = pword{s: strings.TrimRight(w, "*"), prefix: true}
		}
		if pw.s == "" {
			continue
		}
		p.words = append(p.words, pw)
	}
	return p, len(p.words) > 0
}

// tokens normalises s (NFC, lower case, one apostrophe) and splits it into
// words of letters, digits and inner apostrophes. keepStar keeps '*' for
// phrase patterns.
func tokens(s string, keepStar bool) []string {
	s = norm.NFC.String(s)
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, strings.Trim(b.String(), "'"))
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == 'ʹ' || r == '′':
			b.WriteByte('\'')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(unicode.ToLower(r))
		case keepStar && r == '*':
			b.WriteByte('*')
		default:
			flush()
		}
	}
	flush()
	return out
}

// matchAt reports whether p matches the words starting at ws[i].
func (p *phrase) matchAt(ws []string, i int) bool {
	if i+len(p.words) > len(ws) {
		return false
	}
	for k, pw := range p.words {
		w := ws[i+k]
		if pw.prefix {
			if !strings.HasPrefix(w, pw.s) {
				return false
			}
		} else if w != pw.s {
			return false
		}
	}
	return true
}

// matcher finds which of a set of phrases occur in a text. Each phrase
// carries a label (a category, a party, an action).
type matcher[L comparable] struct {
	byFirst map[string][]entry[L] // keyed by the first rune of the first word
}

type entry[L comparable] struct {
	p     phrase
	label L
	order int
}

func newMatcher[L comparable]() *matcher[L] {
	return &matcher[L]{byFirst: map[string][]entry[L]{}}
}

func (m *matcher[L]) add(s string, label L) {
	p, ok := compilePhrase(s)
	if !ok {
		return
	}
	k := firstRune(p.words[0].s)
	m.byFirst[k] = append(m.byFirst[k], entry[L]{p: p, label: label, order: m.size()})
}

func (m *matcher[L]) size() int {
	n := 0
	for _, es := range m.byFirst {
		n += len(es)
	}
	return n
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}
