package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"truce"
	"truce/internal/geo"
)

// csvSource reads CSV records one at a time, with each record's line and
// exact text.
type csvSource struct {
	cr   *csv.Reader
	rec  *recorder
	prev int64          // input offset of the end of the previous record
	cols map[string]int // lower-case header name -> field index
	ncol int
	hdr  int // line of the header
}

func newCSVSource(r io.Reader) *csvSource {
	rec := newRecorder(r)
	cr := csv.NewReader(rec)
	cr.FieldsPerRecord = -1 // checked per row, to report it as a row error
	return &csvSource{cr: cr, rec: rec}
}

// csvRow is one record.
type csvRow struct {
	line   int
	fields []string
	text   string // the record as in the input, without its line end
	err    error  // malformed CSV or wrong field count
	src    *csvSource
}

// get returns the trimmed value of column name, or "" if there is no such column.
func (r *csvRow) get(name string) string {
	i, ok := r.src.cols[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// header reads the header record and checks it has every required column.
// Header names are matched case-insensitively and without surrounding
// spaces. If known is not nil, any other column is an error.
func (s *csvSource) header(rn *runner, required, known []string) error {
	fields, err := s.cr.Read()
	if errors.Is(err, io.EOF) {
		return rn.fatal(1, invalidf("empty input, no header"))
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return rn.fatal(pe.StartLine, invalidf("header: malformed CSV: %s", csvMessage(pe)))
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", rn.opt.File, err)
	}
	s.hdr, _ = s.cr.FieldPos(0)
	s.mark()
	s.cols = make(map[string]int, len(fields))
	s.ncol = len(fields)
	for i, f := range fields {
		name := strings.ToLower(strings.TrimSpace(f))
		if _, dup := s.cols[name]; dup {
			return rn.fatal(s.hdr, invalidf("header: duplicate column %q", name))
		}
		if known != nil && !slices.Contains(known, name) {
			return rn.fatal(s.hdr, invalidf("header: unknown column %q (%s columns are %s)", name, rn.opt.Format, strings.Join(known, ",")))
		}
		s.cols[name] = i
	}
	for _, name := range required {
		if _, ok := s.cols[name]; !ok {
			return rn.fatal(s.hdr, invalidf("header: missing column %q for format %s", name, rn.opt.Format))
		}
	}
	return nil
}

// mark takes the text of the record just read and forgets it.
func (s *csvSource) mark() string {
	off := s.cr.InputOffset()
	text := string(s.rec.text(s.prev, off)) // a copy: discard reuses the buffer
	s.rec.discard(off)
	s.prev = off
	// Blank lines before a record are skipped by the CSV reader, and so
	// belong to the text between two records.
	return strings.TrimRight(strings.TrimLeft(text, "\r\n"), "\r\n")
}

// next returns the next record, or io.EOF, or a fatal (I/O) error.
func (s *csvSource) next() (*csvRow, error) {
	fields, err := s.cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return &csvRow{line: pe.StartLine, text: s.mark(), err: invalidf("malformed CSV: %s", csvMessage(pe)), src: s}, nil
	case err != nil:
		return nil, err
	}
	line, _ := s.cr.FieldPos(0)
	row := &csvRow{line: line, fields: fields, text: s.mark(), src: s}
	if len(fields) != s.ncol {
		row.err = invalidf("wrong column count: %d fields, header (line %d) has %d", len(fields), s.hdr, s.ncol)
	}
	return row, nil
}

// csvMessage words a CSV parse error without its position (the row error
// carries the line).
func csvMessage(pe *csv.ParseError) string {
	if pe.Line != pe.StartLine {
		return fmt.Sprintf("%v (at line %d, column %d)", pe.Err, pe.Line, pe.Column)
	}
	return fmt.Sprintf("%v (at column %d)", pe.Err, pe.Column)
}

// readCSVReports runs parse over every record of a CSV report format.
func readCSVReports(r io.Reader, rr *reportRun, f csvReportFormat) error {
	s := newCSVSource(r)
	if err := s.header(rr.runner, f.required, f.known); err != nil {
		return err
	}
	for {
		row, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", rr.opt.File, err)
		}
		var rep *truce.Report
		if err = row.err; err == nil {
			rep, err = f.parse(rr, row)
		}
		if err := rr.accept(row.line, rep, err); err != nil {
			return err
		}
	}
}

// csvReportFormat describes one CSV report format.
type csvReportFormat struct {
	required []string // header columns that must be present
	known    []string // if not nil, the only columns allowed
	parse    func(*reportRun, *csvRow) (*truce.Report, error)
}

// readCSVSites is readCSVReports for sites.
func readCSVSites(r io.Reader, sr *siteRun, f csvSiteFormat) error {
	s := newCSVSource(r)
	if err := s.header(sr.runner, f.required, nil); err != nil {
		return err
	}
	for {
		row, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", sr.opt.File, err)
		}
		var site *truce.Site
		if err = row.err; err == nil {
			site, err = f.parse(sr, row)
		}
		if err := sr.accept(row.line, site, err); err != nil {
			return err
		}
	}
}

// csvSiteFormat describes one CSV site format.
type csvSiteFormat struct {
	required []string
	parse    func(*siteRun, *csvRow) (*truce.Site, error)
}

// float parses column name as a finite number.
func (r *csvRow) float(name string) (float64, error) {
	return parseFloat(name, r.get(name))
}

// optFloat is float, with 0 for an empty value.
func (r *csvRow) optFloat(name string) (float64, error) {
	if r.get(name) == "" {
		return 0, nil
	}
	return r.float(name)
}

// optInt parses column name as a non-negative integer, 0 if empty.
func (r *csvRow) optInt(name string) (int, error) {
	v := r.get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidf("column %s: %q is not a non-negative integer", name, v)
	}
	return n, nil
}

// point parses a lon/lat pair of columns.
func (r *csvRow) point(lonName, latName string) (geo.Point, error) {
	lat, err := r.float(latName)
	if err != nil {
		return geo.Point{}, err
	}
	lon, err := r.float(lonName)
	if err != nil {
		return geo.Point{}, err
	}
	return checkPoint("column "+lonName, lon, "column "+latName, lat)
}

// parseFloat parses a finite number for field name.
func parseFloat(name, v string) (float64, error) {
	if v == "" {
		return 0, invalidf("column %s: missing value", name)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, invalidf("column %s: %q is not a number", name, v)
	}
	return f, nil
}

// checkPoint checks coordinate ranges and returns the point, longitude
// first. The labels name the values in messages ("column latitude").
func checkPoint(lonLabel string, lon float64, latLabel string, lat float64) (geo.Point, error) {
	if lat < -90 || lat > 90 {
		return geo.Point{}, invalidf("%s: %s is out of range [-90, 90]", latLabel, strconv.FormatFloat(lat, 'g', -1, 64))
	}
	if lon < -180 || lon > 180 {
		return geo.Point{}, invalidf("%s: %s is out of range [-180, 180]", lonLabel, strconv.FormatFloat(lon, 'g', -1, 64))
	}
	return geo.Point{Lon: lon, Lat: lat}, nil
}
