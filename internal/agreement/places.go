package agreement

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"truce"
	"truce/internal/geo"
)

// Limits on a places file (the gazetteer), so a hostile agreement cannot
// exhaust memory; a gazetteer of a country's regions, cities and
// facilities needs a few hundred rows.
const (
	MaxPlacesBytes = 4 << 20
	MaxPlaces      = 10_000
	// MaxPlaceRadiusMeters is half the Earth's circumference: no place
	// reaches further from its point.
	MaxPlaceRadiusMeters = 20_037_509
)

// placesHeader is the only header a places file may have.
var placesHeader = []string{"id", "kind", "lon", "lat", "radius_m", "names"}

// placeIDRe is the id rule of the schema ($defs/id).
var placeIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// places reads the gazetteer the top-level key places names. Problems
// with the key itself (the path, a missing file) are reported at the key;
// problems inside the file at the file's own line and column.
func (p *parser) places(n *yaml.Node) []truce.Place {
	if n == nil {
		return nil
	}
	name := str(n)
	if name == "" {
		return nil // not a string, or empty: the schema has said so
	}
	if p.fsys == nil {
		p.add(n, "places: files are not available here; bundle the agreement with its places file")
		return nil
	}
	clean, ok := bundlePath(name)
	if !ok {
		p.add(n, "places: path %q must be relative to the agreement and stay inside its directory", name)
		return nil
	}
	f, err := p.fsys.Open(clean)
	if err != nil {
		p.add(n, "places: %s: cannot open: %v", name, unwrapPath(err))
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPlacesBytes+1))
	if err != nil {
		p.add(n, "places: %s: cannot read: %v", name, unwrapPath(err))
		return nil
	}
	if len(data) > MaxPlacesBytes {
		p.add(n, "places: %s is larger than %d bytes", name, MaxPlacesBytes)
		return nil
	}
	pf := &placesFile{parser: p, name: filepath.Join(filepath.Dir(p.file), filepath.FromSlash(clean))}
	return pf.read(data)
}

// bundlePath cleans a path named in an agreement file and reports whether
// it is relative and stays inside the agreement's directory or bundle.
func bundlePath(name string) (string, bool) {
	clean := cleanPath(name)
	if strings.HasPrefix(name, "/") || !fs.ValidPath(clean) || clean == "." {
		return "", false
	}
	return clean, true
}

// placesFile reads one places file, reporting problems at its own lines.
type placesFile struct {
	*parser
	name  string   // the file's name in messages
	lines [][]byte // the raw lines, to count columns in characters
}

// addAt records a problem at line and byte column col of the file.
func (pf *placesFile) addAt(line, col int, format string, args ...any) {
	pf.probs = append(pf.probs, Problem{File: pf.name, Line: line, Col: pf.runeCol(line, col), Msg: fmt.Sprintf(format, args...)})
}

// runeCol converts a 1-based byte column (as encoding/csv counts) to a
// 1-based character column (as the agreement file's messages count).
func (pf *placesFile) runeCol(line, col int) int {
	if line < 1 || line > len(pf.lines) || col < 1 {
		return 1
	}
	l := pf.lines[line-1]
	if col-1 > len(l) {
		return col
	}
	return utf8.RuneCount(l[:col-1]) + 1
}

func (pf *placesFile) read(data []byte) []truce.Place {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	pf.lines = bytes.Split(data, []byte("\n"))
	if !utf8.Valid(data) {
		for i, l := range pf.lines {
			if !utf8.Valid(l) {
				pf.addAt(i+1, 1, "not valid UTF-8")
				break
			}
		}
		return nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // field counts are checked per row, with a clearer message
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		pf.addAt(1, 1, "empty file: want the header %s", strings.Join(placesHeader, ","))
		return nil
	} else if err != nil {
		pf.csvError(err)
		return nil
	}
	if !slices.Equal(head, placesHeader) {
		pf.addAt(1, 1, "header is %q: want %s", strings.Join(head, ","), strings.Join(placesHeader, ","))
		return nil
	}
	var out []truce.Place
	firstLine := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			pf.csvError(err)
			break
		}
		line, col := r.FieldPos(0)
		if len(out) == MaxPlaces {
			pf.addAt(line, col, "more than %d places; the limit is %d", MaxPlaces, MaxPlaces)
			break
		}
		if len(rec) != len(placesHeader) {
			pf.addAt(line, col, "%d fields: want %d (%s)", len(rec), len(placesHeader), strings.Join(placesHeader, ","))
			continue
		}
		pl, ok := pf.place(r, rec)
		if pl.ID != "" {
			if first, dup := firstLine[pl.ID]; dup {
				pf.addAt(line, col, "duplicate place id %q (first on line %d)", pl.ID, first)
				ok = false
			} else {
				firstLine[pl.ID] = line
			}
		}
		if ok {
			out = append(out, pl)
		}
	}
	return out
}

// csvError reports a CSV syntax error at its position.
func (pf *placesFile) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		pf.addAt(pe.Line, pe.Column, "invalid CSV: %v", pe.Err)
		return
	}
	pf.addAt(1, 1, "invalid CSV: %v", err)
}

// place checks one row; ok is false when any field is wrong.
func (pf *placesFile) place(r *csv.Reader, rec []string) (pl truce.Place, ok bool) {
	ok = true
	bad := func(field int, format string, args ...any) {
		l, c := r.FieldPos(field)
		pf.addAt(l, c, format, args...)
		ok = false
	}
	pl.ID = strings.TrimSpace(rec[0])
	switch {
	case pl.ID == "":
		bad(0, "empty place id")
	case len(pl.ID) > 128 || !placeIDRe.MatchString(pl.ID):
		bad(0, "bad place id %q: want letters, digits, '_', '.' and '-', starting with a letter or digit, at most 128", pl.ID)
	}
	pl.Kind = strings.TrimSpace(rec[1])
	if !slices.Contains(truce.PlaceKinds(), pl.Kind) {
		bad(1, "unknown place kind %q: want one of %s", pl.Kind, strings.Join(truce.PlaceKinds(), ", "))
	}
	lon, err := number(rec[2])
	switch {
	case err != nil:
		bad(2, "bad longitude %q: want a number of degrees", rec[2])
	case lon < -180 || lon > 180:
		bad(2, "longitude %v is out of range [-180, 180]", lon)
	}
	lat, err := number(rec[3])
	switch {
	case err != nil:
		bad(3, "bad latitude %q: want a number of degrees", rec[3])
	case lat < -90 || lat > 90:
		bad(3, "latitude %v is out of range [-90, 90]", lat)
	}
	pl.Location = geo.Point{Lon: lon, Lat: lat}
	pl.RadiusMeters, err = number(rec[4])
	switch {
	case err != nil:
		bad(4, "bad radius_m %q: want a number of metres", rec[4])
	case pl.RadiusMeters < 0 || pl.RadiusMeters > MaxPlaceRadiusMeters:
		bad(4, "radius_m %v is out of range [0, %d]", pl.RadiusMeters, MaxPlaceRadiusMeters)
	}
	if strings.TrimSpace(rec[5]) == "" {
		bad(5, "names is empty: give at least one name")
		return pl, ok
	}
	for nm := range strings.SplitSeq(rec[5], "|") {
		nm = strings.TrimSpace(nm)
		if msg := checkName(nm); msg != "" {
			bad(5, "%s", msg)
			continue
		}
		pl.Names = append(pl.Names, nm)
	}
	return pl, ok
}

// number parses a finite decimal number.
func number(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = fmt.Errorf("not finite")
	}
	return f, err
}

// checkName returns why nm is not a usable name in the keyword syntax, or
// "" when it is.
func checkName(nm string) string {
	if nm == "" {
		return "empty name in names (two '|' in a row, or one at an end)"
	}
	letters := false
	rs := []rune(nm)
	for i, c := range rs {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			letters = true
		case c == '*':
			if i == 0 || (!unicode.IsLetter(rs[i-1]) && !unicode.IsDigit(rs[i-1])) {
				return fmt.Sprintf("name %q: '*' must follow the start of a word", nm)
			}
			if i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsDigit(rs[i+1])) {
				return fmt.Sprintf("name %q: '*' may only end a word", nm)
			}
		}
	}
	if !letters {
		return fmt.Sprintf("name %q has no letters or digits", nm)
	}
	return ""
}
