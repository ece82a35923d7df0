package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects, as encoding/json does,
// so that hostile input cannot exhaust the stack.
const maxDepth = 10000

// Canonical returns the canonical JSON encoding of v: v is marshalled with
// encoding/json and the result re-encoded as described in the package
// documentation (sorted keys, no insignificant whitespace, minimal string
// escapes, numbers as written).
func Canonical(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("ledger: canonical json: %w", err)
	}
	out, err := canonicalJSON(nil, b)
	if err != nil {
		return nil, fmt.Errorf("ledger: canonical json: %w", err)
	}
	return out, nil
}

// canonicalJSON appends the canonical form of the single JSON value in src to
// dst. It rejects invalid JSON, invalid UTF-8, lone surrogate escapes and
// duplicate object keys rather than repairing them, because a repaired value
// would no longer say what its author wrote.
func canonicalJSON(dst, src []byte) ([]byte, error) {
	c := canonicalizer{src: src, out: dst}
	c.skipSpace()
	if err := c.value(0); err != nil {
		return nil, err
	}
	c.skipSpace()
	if c.pos != len(c.src) {
		return nil, c.errorf("unexpected data after value")
	}
	return c.out, nil
}

type canonicalizer struct {
	src []byte
	pos int
	out []byte
}

func (c *canonicalizer) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", c.pos, fmt.Sprintf(format, args...))
}

func (c *canonicalizer) skipSpace() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *canonicalizer) value(depth int) error {
	if c.pos >= len(c.src) {
		return c.errorf("unexpected end of input")
	}
	switch ch := c.src[c.pos]; {
	case ch == '{':
		return c.object(depth + 1)
	case ch == '[':
		return c.array(depth + 1)
	case ch == '"':
		s, err := c.str()
		if err != nil {
			return err
		}
		c.out = appendString(c.out, s)
		return nil
	case ch == '-' || ('0' <= ch && ch <= '9'):
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	default:
		return c.errorf("unexpected character %q", ch)
	}
}

func (c *canonicalizer) literal(lit string) error {
	if !bytes.HasPrefix(c.src[c.pos:], []byte(lit)) {
		return c.errorf("invalid literal")
	}
	c.pos += len(lit)
	c.out = append(c.out, lit...)
	return nil
}

// number copies a number exactly as written after checking it against the
// RFC 8259 grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *canonicalizer) number() error {
	start := c.pos
	s := c.src
	i := c.pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		c.pos = i
		return c.errorf("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			c.pos = i
			return c.errorf("invalid number")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			c.pos = i
			return c.errorf("invalid number")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	c.pos = i
	c.out = append(c.out, s[start:i]...)
	return nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func (c *canonicalizer) array(depth int) error {
	if depth > maxDepth {
		return c.errorf("nesting too deep")
	}
	c.pos++ // '['
	c.out = append(c.out, '[')
	c.skipSpace()
	if c.pos < len(c.src) && c.src[c.pos] == ']' {
		c.pos++
		c.out = append(c.out, ']')
		return nil
	}
	for {
		c.skipSpace()
		if err := c.value(depth); err != nil {
			return err
		}
		c.skipSpace()
		if c.pos >= len(c.src) {
			return c.errorf("unexpected end of input in array")
		}
		switch c.src[c.pos] {
		case ',':
			c.pos++
			c.out = append(c.out, ',')
		case ']':
			c.pos++
			c.out = append(c.out, ']')
			return nil
		default:
			return c.errorf("expected ',' or ']' in array")
		}
	}
}

// member locates one encoded `"key":value` pair of an object inside c.out.
type member struct {
	key        []byte
	start, end int
}

func (c *canonicalizer) object(depth int) error {
	if depth > maxDepth {
		return c.errorf("nesting too deep")
	}
	c.pos++ // '{'
	c.out = append(c.out, '{')
	c.skipSpace()
	if c.pos < len(c.src) && c.src[c.pos] == '}' {
		c.pos++
		c.out = append(c.out, '}')
		return nil
	}
	base := len(c.out)
	var members []member
	for {
		c.skipSpace()
		if c.pos >= len(c.src) || c.src[c.pos] != '"' {
			return c.errorf("expected string key in object")
		}
		key, err := c.str()
		if err != nil {
			return err
		}
		c.skipSpace()
		if c.pos >= len(c.src) || c.src[c.pos] != ':' {
			return c.errorf("expected ':' after object key")
		}
		c.pos++
		c.skipSpace()
		if len(members) > 0 {
			c.out = append(c.out, ',')
		}
		start := len(c.out)
		c.out = appendString(c.out, key)
		c.out = append(c.out, ':')
		if err := c.value(depth); err != nil {
			return err
		}
		members = append(members, member{key: key, start: start, end: len(c.out)})
		c.skipSpace()
		if c.pos >= len(c.src) {
			return c.errorf("unexpected end of input in object")
		}
		if c.src[c.pos] == ',' {
			c.pos++
			continue
		}
		if c.src[c.pos] != '}' {
			return c.errorf("expected ',' or '}' in object")
		}
		c.pos++
		break
	}
	byKey := func(a, b member) int { return bytes.Compare(a.key, b.key) }
	if !slices.IsSortedFunc(members, byKey) {
		// Lay the encoded members out again in key order.
		encoded := slices.Clone(c.out[base:])
		slices.SortFunc(members, byKey)
		c.out = c.out[:base]
		for i, m := range members {
			if i > 0 {
				c.out = append(c.out, ',')
			}
			c.out = append(c.out, encoded[m.start-base:m.end-base]...)
		}
	}
	for i := 1; i < len(members); i++ {
		if bytes.Equal(members[i-1].key, members[i].key) {
			return c.errorf("duplicate object key %q", members[i].key)
		}
	}
	c.out = append(c.out, '}')
	return nil
}

// str parses a JSON string starting at the opening quote and returns its
// decoded value, which may alias c.src. Raw control characters, invalid UTF-8
// and lone surrogates are errors.
func (c *canonicalizer) str() ([]byte, error) {
	c.pos++ // opening quote
	start := c.pos
	// Fast path: no escapes.
	for c.pos < len(c.src) {
		b := c.src[c.pos]
		switch {
		case b == '"':
			s := c.src[start:c.pos]
			c.pos++
			return s, nil
		case b == '\\':
			return c.strSlow(start)
		case b < 0x20:
			return nil, c.errorf("control character in string")
		case b < utf8.RuneSelf:
			c.pos++
		default:
			r, size := utf8.DecodeRune(c.src[c.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, c.errorf("invalid UTF-8 in string")
			}
			c.pos += size
		}
	}
	return nil, c.errorf("unterminated string")
}

func (c *canonicalizer) strSlow(start int) ([]byte, error) {
	buf := make([]byte, 0, c.pos-start+16)
	buf = append(buf, c.src[start:c.pos]...)
	for c.pos < len(c.src) {
		b := c.src[c.pos]
		switch {
		case b == '"':
			c.pos++
			return buf, nil
		case b == '\\':
			if c.pos+1 >= len(c.src) {
				return nil, c.errorf("unterminated string")
			}
			e := c.src[c.pos+1]
			c.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := c.hex4()
				if !ok {
					return nil, c.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xdc00 || !bytes.HasPrefix(c.src[c.pos:], []byte(`\u`)) {
						return nil, c.errorf("invalid \\u escape: lone surrogate")
					}
					c.pos += 2
					r2, ok := c.hex4()
					if !ok {
						return nil, c.errorf("invalid \\u escape")
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return nil, c.errorf("invalid \\u escape: lone surrogate")
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return nil, c.errorf("invalid escape \\%c", e)
			}
		case b < 0x20:
			return nil, c.errorf("control character in string")
		case b < utf8.RuneSelf:
			buf = append(buf, b)
			c.pos++
		default:
			r, size := utf8.DecodeRune(c.src[c.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, c.errorf("invalid UTF-8 in string")
			}
			buf = append(buf, c.src[c.pos:c.pos+size]...)
			c.pos += size
		}
	}
	return nil, c.errorf("unterminated string")
}

func (c *canonicalizer) hex4() (rune, bool) {
	if c.pos+4 > len(c.src) {
		return 0, false
	}
	var r rune
	for _, h := range c.src[c.pos : c.pos+4] {
		r <<= 4
		switch {
		case '0' <= h && h <= '9':
			r |= rune(h - '0')
		case 'a' <= h && h <= 'f':
			r |= rune(h - 'a' + 10)
		case 'A' <= h && h <= 'F':
			r |= rune(h - 'A' + 10)
		default:
			return 0, false
		}
	}
	c.pos += 4
	return r, true
}

// appendString appends the canonical encoding of the valid UTF-8 string s:
// only '"', '\\' and control characters are escaped, the latter with the
// short forms \b \f \n \r \t where they exist and \u00xx (lower-case hex)
// otherwise. This is the string encoding of RFC 8785.
func appendString[S string | []byte](dst []byte, s S) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x20 && b != '"' && b != '\\' {
			continue
		}
		dst = append(dst, s[last:i]...)
		switch b {
		case '"', '\\':
			dst = append(dst, '\\', b)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
		}
		last = i + 1
	}
	dst = append(dst, s[last:]...)
	return append(dst, '"')
}
