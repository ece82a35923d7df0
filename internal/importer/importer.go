package importer

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Kyiv must load on machines without a zoneinfo database

	"truce"
)

// Format names an input format.
type Format string

// The formats ReadReports and ReadSites understand.
const (
	FormatTruceCSV     Format = "truce-csv"     // the project's own report CSV (see the package doc)
	FormatTruceJSON    Format = "truce-json"    // JSON Lines of report objects, or one JSON array of them
	FormatTruceGeoJSON Format = "truce-geojson" // FeatureCollection of Point features, properties = report fields
	FormatACLED        Format = "acled"         // ACLED export CSV
	FormatUCDP         Format = "ucdp-ged"      // UCDP Georeferenced Event Dataset CSV
	FormatVIINA        Format = "viina"         // VIINA monthly incident CSV
	FormatCIR          Format = "cir"           // Centre for Information Resilience "Eyes on Russia" events CSV
	FormatFIRMS        Format = "firms"         // NASA FIRMS active-fire CSV, VIIRS or MODIS (see ReadHotspots)

	FormatGPPD         Format = "gppd"          // WRI Global Power Plant Database CSV
	FormatSitesCSV     Format = "sites-csv"     // id,name,category,lon,lat[,country,capacity_mw,...attrs]
	FormatSitesGeoJSON Format = "sites-geojson" // FeatureCollection of Point features, properties id, name, category, ...attrs
)

// reportFormats and siteFormats list the formats each reader accepts.
var (
	reportFormats = []Format{FormatTruceCSV, FormatTruceJSON, FormatTruceGeoJSON, FormatACLED, FormatUCDP, FormatVIINA, FormatCIR, FormatFIRMS}
	siteFormats   = []Format{FormatGPPD, FormatSitesCSV, FormatSitesGeoJSON}
)

// Options control a read.
type Options struct {
	Format Format         // "" = detect from the first bytes (header / JSON shape)
	File   string         // base name used in report ids and messages; a path is cut to its base name
	Strict bool           // the first bad row is fatal
	TZ     *time.Location // for local dates and times without offset; nil = Europe/Kyiv
}

// RowError is a bad row: where it is and what is wrong with it. Err is a
// *truce.Error with code EINVALID for every problem with the row's content.
type RowError struct {
	File string
	Line int
	Err  error
}

// Error returns "FILE:LINE: message".
func (e RowError) Error() string {
	var te *truce.Error
	msg := "<nil>"
	if errors.As(e.Err, &te) {
		msg = te.Message
	} else if e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
}

// Unwrap returns the underlying error.
func (e RowError) Unwrap() error { return e.Err }

// Stats counts the records of one read. Read is always Accepted + Rejected:
// Accepted counts the records handed to emit (even if emit then failed),
// Rejected those handed to bad (or, in strict mode, the one that stopped the
// read). A header is not a record.
type Stats struct {
	Read, Accepted, Rejected int
}

// kyiv loads the default zone once.
var kyiv = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		// time/tzdata is linked in, so this cannot happen.
		panic(fmt.Sprintf("importer: load Europe/Kyiv: %v", err))
	}
	return loc
})

// ReadReports reads incident reports in opt.Format from r and calls emit for
// each good one, in input order; emit MUST NOT be nil and owns the report it
// is given. Every report passed to emit is normalised
// ((*truce.Report).Normalize), has passed (*truce.Report).Validate, and no
// two share an ID. A bad row is passed to bad (which may be nil) and
// skipped; with opt.Strict it ends the read and is returned instead. An
// error returned by emit ends the read and is returned as is. Other errors
// are fatal: I/O errors, and input problems that cannot be skipped (no
// header, a missing header column, an undetectable format, JSON that cannot
// be resynchronised), which are RowErrors with code EINVALID.
//
// Memory is bounded by the largest record, not by the input (plus one map
// entry per source-given id, to reject duplicates).
func ReadReports(r io.Reader, opt Options, emit func(*truce.Report) error, bad func(RowError)) (Stats, error) {
	rn, src, err := start(r, opt, bad, reportFormats, DetectReports)
	if err != nil {
		return Stats{}, err
	}
	rr := &reportRun{runner: rn, emit: emit}
	switch rn.opt.Format {
	case FormatACLED:
		err = readCSVReports(src, rr, acled)
	case FormatUCDP:
		err = readCSVReports(src, rr, ucdp)
	case FormatVIINA:
		err = readCSVReports(src, rr, viina)
	case FormatCIR:
		err = readCSVReports(src, rr, cir)
	case FormatFIRMS:
		err = readFIRMSReports(src, rr)
	case FormatTruceCSV:
		err = readCSVReports(src, rr, truceCSV)
	case FormatTruceJSON:
		err = readTruceJSON(src, rr)
	case FormatTruceGeoJSON:
		err = readTruceGeoJSON(src, rr)
	}
	return rn.stats, err
}

// ReadSites reads protected sites in opt.Format from r and calls emit for
// each good one, in input order. Every site passed to emit is normalised
// and has passed (*truce.Site).Validate. Bad rows, strict mode and errors
// are handled as in ReadReports.
func ReadSites(r io.Reader, opt Options, emit func(*truce.Site) error, bad func(RowError)) (Stats, error) {
	rn, src, err := start(r, opt, bad, siteFormats, DetectSites)
	if err != nil {
		return Stats{}, err
	}
	sr := &siteRun{runner: rn, emit: emit}
	switch rn.opt.Format {
	case FormatGPPD:
		err = readCSVSites(src, sr, gppd)
	case FormatSitesCSV:
		err = readCSVSites(src, sr, sitesCSV)
	case FormatSitesGeoJSON:
		err = readSitesGeoJSON(src, sr)
	}
	return rn.stats, err
}

// start normalises the options, wraps r in a UTF-8 text reader and detects
// the format if none is given.
func start(r io.Reader, opt Options, bad func(RowError), allowed []Format, detect func([]byte) (Format, error)) (*runner, *textReader, error) {
	srcFile := ""
	if opt.File == "" {
		opt.File = "stdin"
	} else {
		opt.File = filepath.Base(opt.File)
		srcFile = opt.File
	}
	if opt.TZ == nil {
		opt.TZ = kyiv()
	}
	src := newTextReader(r)
	if opt.Format == "" {
		head, err := src.peek(headSize)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", opt.File, err)
		}
		f, err := detect(head)
		if err != nil {
			return nil, nil, RowError{File: opt.File, Line: 1, Err: err}
		}
		opt.Format = f
	}
	if !slices.Contains(allowed, opt.Format) {
		return nil, nil, truce.Errorf(truce.EINVALID, "%s: format %q is not one of %v", opt.File, opt.Format, allowed)
	}
	return &runner{opt: opt, srcFile: srcFile, bad: bad, seen: make(map[string]int)}, src, nil
}

// runner holds what every reader shares: options, counts and the ids seen.
type runner struct {
	opt     Options // File is the name for ids and messages ("stdin" if none was given)
	srcFile string  // the base name of the file, "" if none was given
	bad     func(RowError)
	stats   Stats
	seen    map[string]int // id -> line, to reject duplicates
}

// invalidf returns an EINVALID error for a row.
func invalidf(format string, args ...any) error {
	return truce.Errorf(truce.EINVALID, format, args...)
}

// reject counts a bad row and reports it. In strict mode it returns the
// RowError, which ends the read.
func (rn *runner) reject(line int, err error) error {
	rn.stats.Rejected++
	re := RowError{File: rn.opt.File, Line: line, Err: err}
	if rn.opt.Strict {
		return re
	}
	if rn.bad != nil {
		rn.bad(re)
	}
	return nil
}

// fatal wraps a whole-file problem found at line as a RowError, so that it
// too reads "FILE:LINE: message".
func (rn *runner) fatal(line int, err error) error {
	return RowError{File: rn.opt.File, Line: line, Err: err}
}

// lineID is the fallback id of a record: FILE:LINE.
func (rn *runner) lineID(line int) string { return fmt.Sprintf("%s:%d", rn.opt.File, line) }

// claim marks id as used by the record at line, or says where it was used.
func (rn *runner) claim(id string, line int) error {
	if first, ok := rn.seen[id]; ok {
		return invalidf("duplicate id %q (first at line %d)", id, first)
	}
	// Clone: id is a substring of the whole record, which the map would
	// otherwise keep alive.
	rn.seen[strings.Clone(id)] = line
	return nil
}

// reportRun is a runner that emits reports.
type reportRun struct {
	*runner
	emit func(*truce.Report) error
}

// accept takes the outcome of parsing one record: it validates the report,
// checks its id is new and emits it, or rejects the record.
func (rr *reportRun) accept(line int, rep *truce.Report, err error) error {
	rr.stats.Read++
	if err == nil {
		rep.Normalize()
		err = rep.Validate()
	}
	// Only the source's own ids can repeat: FILE:LINE ids are unique by
	// construction, and not remembering them keeps memory flat on files of
	// tens of millions of rows.
	if err == nil && rep.SourceID != "" {
		err = rr.claim(string(rep.ID), line)
	}
	if err != nil {
		return rr.reject(line, err)
	}
	rr.stats.Accepted++
	return rr.emit(rep)
}

// newReport fills the provenance fields shared by every report.
func (rr *reportRun) newReport(source, sourceID string, line int, original string) *truce.Report {
	id := sourceID
	if id == "" {
		id = rr.lineID(line)
	}
	return &truce.Report{
		ID:       truce.ReportID(id),
		Source:   source,
		SourceID: sourceID,
		File:     rr.srcFile,
		Line:     line,
		Original: original,
	}
}

// siteRun is a runner that emits sites.
type siteRun struct {
	*runner
	emit func(*truce.Site) error
}

// accept is reportRun.accept for sites.
func (sr *siteRun) accept(line int, s *truce.Site, err error) error {
	sr.stats.Read++
	if err == nil {
		s.Normalize()
		err = s.Validate()
	}
	if err == nil {
		err = sr.claim(string(s.ID), line)
	}
	if err != nil {
		return sr.reject(line, err)
	}
	sr.stats.Accepted++
	return sr.emit(s)
}
