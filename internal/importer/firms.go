package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"truce"
	"truce/internal/geo"
)

// Hotspot is one satellite fire detection: a row of a NASA FIRMS active-fire
// file (VIIRS 375 m or MODIS 1 km). Its position is the centre of the pixel
// in which the algorithm saw one or more fires, so a hotspot can corroborate
// a strike on a site but never prove one.
type Hotspot struct {
	Line     int       // 1-based line of the row; the header is line 1
	Location geo.Point // the pixel centre
	// Time is the acquisition time (acq_date + acq_time), UTC, to the minute.
	Time time.Time

	Instrument string // "VIIRS" or "MODIS", from the header
	Satellite  string // as written: N (Suomi NPP), N20 or 1 (NOAA-20), N21, Terra, Aqua, T, A
	// Confidence is "low", "nominal" or "high" for VIIRS (l, n and h are
	// spelled out) and the percentage "0".."100" for MODIS.
	Confidence string
	Version    string // product version, e.g. "2.0NRT", "6.1NRT"
	DayNight   string // "D" or "N"
	// Type is the FIRMS type: 0 presumed vegetation fire, 1 active volcano,
	// 2 other static land source, 3 offshore; -1 when the file has no type
	// column.
	Type int

	BrightnessKelvin  float64 // bright_ti4 (VIIRS I-4) or brightness (MODIS 21/22)
	Brightness2Kelvin float64 // bright_ti5 (VIIRS I-5) or bright_t31 (MODIS 31)
	// ScanKm and TrackKm are the pixel's size along scan and along track.
	// FIRMS writes the actual pixel size: 0.375 km (VIIRS) or 1 km (MODIS)
	// at nadir, growing towards the edge of the swath.
	ScanKm, TrackKm float64
	FRPMegawatts    float64 // fire radiative power

	// Original is the row as read (without its line end). ReadHotspots sets
	// it; FIRMSParser.Parse does not.
	Original string
}

// PixelSizeMeters returns the pixel's footprint along scan and along track.
func (h *Hotspot) PixelSizeMeters() (scan, track float64) {
	return h.ScanKm * 1000, h.TrackKm * 1000
}

// LocationPrecisionMeters returns half the pixel's diagonal: how far from
// the reported pixel centre the fire can be.
func (h *Hotspot) LocationPrecisionMeters() float64 {
	return 500 * math.Hypot(h.ScanKm, h.TrackKm)
}

// EventType returns the label a hotspot's report carries, e.g.
// "firms viirs N20 nominal frp=12.3".
func (h *Hotspot) EventType() string {
	return "firms " + strings.ToLower(h.Instrument) + " " + h.Satellite + " " + h.Confidence +
		" frp=" + strconv.FormatFloat(h.FRPMegawatts, 'f', -1, 64)
}

// FIRMSOutlet is the outlet of every FIRMS report.
const FIRMSOutlet = "NASA FIRMS"

// Report returns the hotspot as an incident report, as ReadReports reads a
// FIRMS file: source "firms", id FILE:LINE (file is cut to its base name;
// "" gives "stdin" and no File), the acquisition minute, the pixel centre
// with half the pixel diagonal as location precision, no actions and no
// category (a fire is not an attack), and the sensor fields in EventType.
// The report is normalised ((*truce.Report).Normalize).
func (h *Hotspot) Report(file string) *truce.Report {
	name, src := "stdin", ""
	if file != "" {
		name = baseName(file)
		src = name
	}
	r := &truce.Report{
		ID:                      truce.ReportID(fmt.Sprintf("%s:%d", name, h.Line)),
		Source:                  "firms",
		Outlet:                  FIRMSOutlet,
		File:                    src,
		Line:                    h.Line,
		Original:                h.Original,
		Start:                   h.Time,
		End:                     h.Time.Add(time.Minute),
		Precision:               truce.PrecisionMinute,
		Location:                h.Location,
		LocationPrecisionMeters: h.LocationPrecisionMeters(),
		EventType:               h.EventType(),
	}
	r.Normalize()
	return r
}

// baseName is filepath.Base for both separators, as ids must not depend on
// the platform.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 && i < len(p)-1 {
		return p[i+1:]
	}
	return strings.TrimRight(p, `/\`)
}

// lineReader reads the lines of a FIRMS file with bounded memory.
type lineReader struct {
	br   *bufio.Reader
	line int // number of the last line returned
	long []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 2*MaxFIRMSLineBytes)}
}

// next returns the next line without its line end (a CR before the LF
// stays; Parse ignores it). A line longer than MaxFIRMSLineBytes is cut to
// MaxFIRMSLineBytes+1 bytes, and the rest is skipped. The slice is valid
// until the next call. At the end of the input it returns io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	b, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], b[:MaxFIRMSLineBytes+1]...)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = lr.br.ReadSlice('\n')
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		lr.line++
		return lr.long, nil
	}
	if errors.Is(err, io.EOF) {
		if len(b) == 0 {
			return nil, io.EOF
		}
		err = nil
	}
	if err != nil {
		return nil, err
	}
	lr.line++
	return bytes.TrimSuffix(b, []byte{'\n'}), nil
}

// readHotspots reads a FIRMS file from src and calls fn for each good row.
// Empty lines are skipped (their numbers still count), before the header
// too.
func readHotspots(src io.Reader, rn *runner, fn func(h *Hotspot) error) error {
	lr := newLineReader(src)
	var p *FIRMSParser
	for p == nil {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			return rn.fatal(max(lr.line, 1), invalidf("empty input, no header"))
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", rn.opt.File, err)
		}
		if len(bytes.TrimSuffix(line, []byte{'\r'})) == 0 {
			continue
		}
		if p, err = NewFIRMSParser(line); err != nil {
			return rn.fatal(lr.line, err)
		}
	}
	var h Hotspot
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", rn.opt.File, err)
		}
		if len(bytes.TrimSuffix(line, []byte{'\r'})) == 0 {
			continue
		}
		rn.stats.Read++
		h = Hotspot{Line: lr.line}
		if err := p.Parse(line, &h); err != nil {
			if err := rn.reject(lr.line, err); err != nil {
				return err
			}
			continue
		}
		h.Original = string(bytes.TrimSuffix(line, []byte{'\r'}))
		rn.stats.Accepted++
		if err := fn(&h); err != nil {
			return err
		}
	}
}

// ReadHotspots reads a NASA FIRMS active-fire CSV (VIIRS or MODIS; see
// NewFIRMSParser) from r and calls emit for each good row, in input order.
// emit MUST NOT retain h after it returns (copy *h to keep it). opt.Format
// must be "" or FormatFIRMS; opt.TZ is not used (FIRMS times are UTC). Bad
// rows, strict mode and errors are handled as in ReadReports. Memory is
// bounded by MaxFIRMSLineBytes, whatever the size of the input.
func ReadHotspots(r io.Reader, opt Options, emit func(h *Hotspot) error, bad func(RowError)) (Stats, error) {
	rn, src, err := start(r, opt, bad, []Format{FormatFIRMS}, DetectReports)
	if err != nil {
		return Stats{}, err
	}
	err = readHotspots(src, rn, emit)
	return rn.stats, err
}

// readFIRMSReports is ReadReports for FormatFIRMS: every hotspot as a report
// (see Hotspot.Report).
func readFIRMSReports(src io.Reader, rr *reportRun) error {
	return readHotspots(src, rr.runner, func(h *Hotspot) error {
		rep := h.Report(rr.srcFile)
		rep.ID = truce.ReportID(rr.lineID(h.Line))
		// Every hotspot validates by construction; the check keeps the
		// reader's contract whatever changes in Report.
		if err := rep.Validate(); err != nil {
			rr.stats.Accepted--
			return rr.reject(h.Line, err)
		}
		return rr.emit(rep)
	})
}
