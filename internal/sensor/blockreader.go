package sensor

import (
	"bytes"
	"errors"
	"io"

	"truce/internal/importer"
)

// errNoHeader is an input without a non-blank line; errLongHeader one
// whose header is too long to be FIRMS.
var (
	errNoHeader   = errors.New("no header")
	errLongHeader = errors.New("header too long")
)

// blockReader cuts an input into blocks of whole lines.
type blockReader struct {
	r     io.Reader
	size  int
	carry []byte // the start of a line read with the previous block
	line  int    // number of the next line
	read  int64  // bytes read
	eof   bool
	err   error
}

// fill reads into buf (appending) until it is full or the input ends.
func (br *blockReader) fill(buf []byte) []byte {
	for len(buf) < cap(buf) && !br.eof && br.err == nil {
		n, err := br.r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		br.read += int64(n)
		if errors.Is(err, io.EOF) {
			br.eof = true
		} else if err != nil {
			br.err = err
		}
	}
	return buf
}

// header returns the first non-blank line and its number, dropping a
// UTF-8 BOM. What follows it stays for the first block.
func (br *blockReader) header() (int, []byte, error) {
	buf := br.fill(make([]byte, 0, br.size))
	buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf"))
	br.line = 1
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			if br.err != nil {
				return br.line, nil, br.err
			}
			if len(buf) == 0 {
				return max(br.line-1, 1), nil, errNoHeader // the last line was the last blank one
			}
			if len(bytes.TrimSuffix(buf, []byte{'\r'})) == 0 {
				return br.line, nil, errNoHeader
			}
			if len(buf) > importer.MaxFIRMSLineBytes+1 {
				return br.line, nil, errLongHeader
			}
			// The only line, without a line end.
			h := buf
			br.carry = nil
			return br.line, h, nil
		}
		line, rest := buf[:i], buf[i+1:]
		if len(bytes.TrimSuffix(line, []byte{'\r'})) == 0 {
			buf = rest
			br.line++
			continue
		}
		if len(line) > importer.MaxFIRMSLineBytes+1 {
			return br.line, nil, errLongHeader
		}
		n := br.line
		br.line++
		br.carry = rest
		return n, line, nil
	}
}

// next returns the next block, read into buf (which it may keep), and
// io.EOF with the last one (or with nil when nothing is left).
func (br *blockReader) next(buf []byte) (*block, error) {
	buf = append(buf[:0], br.carry...)
	br.carry = nil
	buf = br.fill(buf)
	if br.err != nil {
		return nil, br.err
	}
	b := &block{line: br.line}
	switch i := bytes.LastIndexByte(buf, '\n'); {
	case len(buf) == 0:
		return nil, io.EOF
	case i >= 0:
		b.data = buf[:i+1]
		br.carry = append(make([]byte, 0, len(buf)-i-1), buf[i+1:]...)
	case br.eof:
		b.data = buf // the last line, without a line end
	default:
		// A full buffer without a line end: one line longer than a
		// block. Keep its start, skip to its end.
		b.long, b.data = true, bytes.Clone(buf[:importer.MaxFIRMSLineBytes+1])
		for {
			tail := br.fill(buf[:0])
			if br.err != nil {
				return nil, br.err
			}
			if k := bytes.IndexByte(tail, '\n'); k >= 0 {
				br.carry = append([]byte(nil), tail[k+1:]...)
				break
			}
			if br.eof {
				break
			}
		}
		br.line++
		b.end = br.read - int64(len(br.carry))
		return b, br.endErr()
	}
	br.line += bytes.Count(b.data, []byte{'\n'})
	b.end = br.read - int64(len(br.carry))
	return b, br.endErr()
}

// endErr is io.EOF once nothing is left to read.
func (br *blockReader) endErr() error {
	if br.eof && len(br.carry) == 0 {
		return io.EOF
	}
	return nil
}
