package importer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// headSize is how much of an input detection looks at, and the size of the
// line buffer of textReader.
const headSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// textReader turns an input into valid UTF-8 text with the same lines: it
// drops a leading UTF-8 BOM and decodes every line that is not valid UTF-8
// as Windows-1252 (UCDP GED files pass through Excel and come out in it).
// The decision is made per line, so one stray byte in a UTF-8 file does not
// garble the rest of it, and it never yields invalid UTF-8. Lines longer
// than headSize are decided per headSize segment, so memory stays bounded.
type textReader struct {
	br      *bufio.Reader
	buf     []byte // decoded text; buf[off:] is not yet read
	off     int
	carry   []byte // an incomplete UTF-8 sequence cut at a segment end
	err     error  // sticky error of br
	started bool
}

func newTextReader(r io.Reader) *textReader {
	return &textReader{br: bufio.NewReaderSize(r, bufferSize(r))}
}

// bufferSize is the size of a read buffer for r: headSize, or less when r
// says how much it holds and that is less. An API request's one report
// is a few hundred bytes, and a 64 KiB buffer, zeroed, collected and
// sampled by the heap profiler, cost more than reading it. A textReader
// passes its own size on to the reader over it.
func bufferSize(r io.Reader) int {
	switch r := r.(type) {
	case interface{ Len() int }:
		return min(headSize, max(r.Len()+1, minBuffer))
	case *textReader:
		return r.br.Size()
	}
	return headSize
}

// minBuffer is the smallest read buffer bufferSize gives: bufio's own
// minimum is 16 bytes, and the UTF-8 BOM check peeks at 3.
const minBuffer = 512

// Read implements io.Reader.
func (t *textReader) Read(p []byte) (int, error) {
	for t.off == len(t.buf) {
		if t.err != nil {
			return 0, t.err
		}
		t.buf, t.off = t.buf[:0], 0
		t.fill()
	}
	n := copy(p, t.buf[t.off:])
	t.off += n
	return n, nil
}

// peek returns up to n bytes of decoded text without consuming them. It
// returns fewer at the end of the input, and an error only for a read error
// other than io.EOF.
func (t *textReader) peek(n int) ([]byte, error) {
	for len(t.buf)-t.off < n && t.err == nil {
		t.fill()
	}
	if t.err != nil && !errors.Is(t.err, io.EOF) && len(t.buf) == t.off {
		return nil, t.err
	}
	return t.buf[t.off:min(len(t.buf), t.off+n)], nil
}

// fill decodes the next line (or line segment) onto t.buf.
func (t *textReader) fill() {
	if !t.started {
		t.started = true
		if b, _ := t.br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
			_, _ = t.br.Discard(len(utf8BOM))
		}
	}
	seg, err := t.br.ReadSlice('\n')
	chunk := seg
	if len(t.carry) > 0 {
		chunk = append(t.carry, seg...)
		t.carry = nil
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		err = nil
		if k := partialRune(chunk); k > 0 {
			t.carry = bytes.Clone(chunk[len(chunk)-k:])
			chunk = chunk[:len(chunk)-k]
		}
	}
	t.buf = appendText(t.buf, chunk)
	if err != nil {
		t.err = err
	}
}

// partialRune returns the length of an incomplete but possibly valid UTF-8
// sequence at the end of b, or 0.
func partialRune(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return 0
			}
			return len(b) - i
		}
	}
	return 0
}

// appendText appends b to dst as UTF-8: as is if it is valid UTF-8, else
// decoded from Windows-1252.
func appendText(dst, b []byte) []byte {
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for _, c := range b {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, charmap.Windows1252.DecodeByte(c))
		}
	}
	return dst
}

// recorder keeps a copy of the bytes a parser reads through it, from the
// start of the current record on, so that the record's exact text and line
// can be recovered from the parser's input offsets. The parser's own read
// buffer is the only look-ahead it holds, so its memory is bounded by one
// record plus that buffer.
type recorder struct {
	r    io.Reader
	buf  []byte // buf[0] is at stream offset base
	base int64
	line int // 1-based line number at offset base
}

func newRecorder(r io.Reader) *recorder { return &recorder{r: r, line: 1} }

// Read implements io.Reader.
func (rc *recorder) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	rc.buf = append(rc.buf, p[:n]...)
	return n, err
}

// index maps a stream offset to an index of rc.buf, clipped to what is held.
func (rc *recorder) index(off int64) int {
	i := off - rc.base
	if i < 0 {
		return 0
	}
	if i > int64(len(rc.buf)) {
		return len(rc.buf)
	}
	return int(i)
}

// text returns the bytes between stream offsets from and to.
func (rc *recorder) text(from, to int64) []byte {
	i, j := rc.index(from), rc.index(to)
	if i > j {
		return nil
	}
	return rc.buf[i:j]
}

// lineAt returns the 1-based line number at stream offset off.
func (rc *recorder) lineAt(off int64) int {
	return rc.line + bytes.Count(rc.buf[:rc.index(off)], []byte{'\n'})
}

// lineAtNext returns the line of the first byte at or after stream offset
// off that is not JSON white space or a separator: where the next value
// starts, for messages about it.
func (rc *recorder) lineAtNext(off int64) int {
	i := rc.index(off)
	for i < len(rc.buf) && strings.IndexByte(" \t\r\n,:", rc.buf[i]) >= 0 {
		i++
	}
	return rc.lineAt(rc.base + int64(i))
}

// discard forgets everything before stream offset to.
func (rc *recorder) discard(to int64) {
	i := rc.index(to)
	rc.line += bytes.Count(rc.buf[:i], []byte{'\n'})
	rc.buf = rc.buf[:copy(rc.buf, rc.buf[i:])]
	rc.base += int64(i)
}
