package agreement

import (
	"errors"
	"fmt"
	"strconv"
)

// errCoordinates is what parseCoordinates returns for anything but
// nested JSON arrays of numbers of the expected depth.
var errCoordinates = errors.New("want nested arrays of numbers")

// parseCoordinates parses GeoJSON polygon coordinates: JSON arrays nested
// depth deep (3 for a Polygon, 4 for a MultiPolygon) whose innermost
// elements are numbers, as encoding/json would decode them into
// [][][]float64 or [][][][]float64 (a Polygon comes back as one polygon).
// It reads the bytes once, without reflection: a country outline file is
// megabytes of coordinates, and loading the agreement is on the path of
// every command's start. FuzzParseCoordinates checks it against
// encoding/json.
func parseCoordinates(raw []byte, depth int) ([][][][]float64, error) {
	p := coordParser{b: raw}
	p.space()
	var polys [][][][]float64
	var err error
	if depth == 3 {
		var rings [][][]float64
		rings, err = p.rings()
		polys = [][][][]float64{rings}
	} else {
		err = p.array(func() error {
			rings, err := p.rings()
			polys = append(polys, rings)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	if p.space(); p.i != len(p.b) {
		return nil, fmt.Errorf("offset %d: data after the coordinates", p.i)
	}
	return polys, nil
}

type coordParser struct {
	b []byte
	i int
	// flat holds the numbers; each position is a slice of it, so that a
	// position costs no allocation of its own.
	flat []float64
}

func (p *coordParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\r' || p.b[p.i] == '\t') {
		p.i++
	}
}

// array parses "[" elem ("," elem)* "]" or "[]", calling elem for each.
// A null stands for an empty array, as encoding/json reads it.
func (p *coordParser) array(elem func() error) error {
	p.space()
	if p.i+4 <= len(p.b) && string(p.b[p.i:p.i+4]) == "null" {
		p.i += 4
		return nil
	}
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return fmt.Errorf("offset %d: %w", p.i, errCoordinates)
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.b) {
			return fmt.Errorf("offset %d: unexpected end: %w", p.i, errCoordinates)
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return fmt.Errorf("offset %d: %w", p.i, errCoordinates)
		}
	}
}

func (p *coordParser) rings() ([][][]float64, error) {
	var rings [][][]float64
	err := p.array(func() error {
		var ring [][]float64
		err := p.array(func() error {
			if cap(p.flat)-len(p.flat) < 3 {
				p.flat = make([]float64, 0, max(1024, 2*cap(p.flat)))
			}
			start := len(p.flat)
			err := p.array(func() error {
				f, err := p.number()
				p.flat = append(p.flat, f)
				return err
			})
			var pos []float64
			if n := len(p.flat); n > start {
				pos = p.flat[start:n:n]
			}
			ring = append(ring, pos)
			return err
		})
		rings = append(rings, ring)
		return err
	})
	return rings, err
}

// number parses a JSON number (RFC 8259 grammar) as a float64.
func (p *coordParser) number() (float64, error) {
	p.space()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return 0, fmt.Errorf("offset %d: %w", start, errCoordinates)
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return 0, fmt.Errorf("offset %d: %w", start, errCoordinates)
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return 0, fmt.Errorf("offset %d: %w", start, errCoordinates)
		}
	}
	if f, ok := fastFloat(p.b[start:p.i]); ok {
		return f, nil
	}
	f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil {
		return 0, fmt.Errorf("offset %d: %w", start, err)
	}
	return f, nil
}

func (p *coordParser) digits() int {
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// pow10f are the powers of ten that float64 holds exactly.
var pow10f = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat converts a plain decimal ([-]digits[.digits], as coordinates
// are written) exactly when its digits fit in 2^53 and the scale is at
// most 10^22: one exact integer divided by one exact power of ten is
// rounded correctly (Clinger's fast path). Anything else: ok is false.
func fastFloat(b []byte) (f float64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var m uint64
	digits, scale, dot := 0, 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				scale++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
		if digits > 15 {
			return 0, false
		}
	}
	if digits == 0 || scale >= len(pow10f) {
		return 0, false
	}
	f = float64(m) / pow10f[scale]
	if neg {
		f = -f
	}
	return f, true
}
