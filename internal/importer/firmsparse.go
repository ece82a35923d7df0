package importer

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// MaxFIRMSLineBytes is the longest FIRMS row (without its line end) the
// readers accept; a FIRMS row is about 100 bytes. A longer line is a bad
// row, and is never held in memory whole.
const MaxFIRMSLineBytes = 4096

// firmsCol names the columns of a FIRMS file.
type firmsCol uint8

const (
	colLat firmsCol = iota
	colLon
	colBright
	colScan
	colTrack
	colDate
	colTime
	colSat
	colConf
	colVersion
	colBright2
	colFRP
	colDayNight
	colInstrument // optional
	colType       // optional
	nFIRMSCols
	colIgnored = nFIRMSCols
)

var firmsColNames = [nFIRMSCols]string{
	"latitude", "longitude", "bright", "scan", "track", "acq_date", "acq_time", "satellite",
	"confidence", "version", "bright2", "frp", "daynight", "instrument", "type",
}

// FIRMSParser parses the rows of one FIRMS CSV file, as laid out by its
// header. FIRMS files are never quoted, so a row is split at every comma;
// fields are trimmed of spaces and tabs. A parser is not safe for
// concurrent use (it caches the last unknown version and satellite
// strings): give each goroutine its own.
type FIRMSParser struct {
	instrument      string // VIIRS or MODIS
	instrumentBytes []byte
	byField         []firmsCol // header field -> column
	nField          int        // fields per row
	has             [nFIRMSCols]bool
	lastVer         string // cache of the last version not in the known set
	lastSat         string
	// The last good acq_date and acq_time and their instant: FIRMS rows
	// come granule by granule, so consecutive rows mostly share them.
	lastDate, lastClock []byte
	lastTime            time.Time
}

// NewFIRMSParser reads a FIRMS header line (without its line end; a leading
// UTF-8 BOM is ignored). Column names are matched case-insensitively. A VIIRS
// header has bright_ti4 and bright_ti5, a MODIS header brightness and
// bright_t31; both need latitude, longitude, scan, track, acq_date,
// acq_time, satellite, confidence, version, frp and daynight, and may have
// instrument and type. Other columns are ignored. The error is EINVALID.
func NewFIRMSParser(header []byte) (*FIRMSParser, error) {
	header = bytes.TrimPrefix(header, utf8BOM)
	header = bytes.TrimSuffix(header, []byte{'\r'})
	p := &FIRMSParser{}
	seen := map[string]bool{}
	names := bytes.Split(header, []byte{','})
	p.nField = len(names)
	p.byField = make([]firmsCol, len(names))
	for i, raw := range names {
		name := strings.ToLower(string(trimSpace(raw)))
		if seen[name] {
			return nil, invalidf("header: duplicate column %q", name)
		}
		seen[name] = true
		col := colIgnored
		switch name {
		case "bright_ti4", "brightness":
			col = colBright
		case "bright_ti5", "bright_t31":
			col = colBright2
		default:
			for c, n := range firmsColNames {
				if n == name && firmsCol(c) != colBright && firmsCol(c) != colBright2 {
					col = firmsCol(c)
				}
			}
		}
		p.byField[i] = col
		if col != colIgnored {
			p.has[col] = true
		}
	}
	switch {
	case seen["bright_ti4"] && seen["bright_ti5"] && !seen["brightness"] && !seen["bright_t31"]:
		p.instrument = "VIIRS"
	case seen["brightness"] && seen["bright_t31"] && !seen["bright_ti4"] && !seen["bright_ti5"]:
		p.instrument = "MODIS"
	default:
		return nil, invalidf("header: not a FIRMS header: it needs bright_ti4 and bright_ti5 (VIIRS) or brightness and bright_t31 (MODIS)")
	}
	p.instrumentBytes = []byte(p.instrument)
	for c := range colInstrument {
		if !p.has[c] {
			return nil, invalidf("header: missing column %q for format %s (%s)", firmsColNames[c], FormatFIRMS, p.instrument)
		}
	}
	return p, nil
}

// Instrument returns "VIIRS" or "MODIS", as told by the header.
func (p *FIRMSParser) Instrument() string { return p.instrument }

// Parse parses one row (without its line end; a trailing CR is ignored)
// into h, setting every field but Line and Original. The error is EINVALID
// and names the column.
func (p *FIRMSParser) Parse(row []byte, h *Hotspot) error {
	return p.ParseText(row, h, nil)
}

// FIRMSText is the text of a row's position and FRP fields as written
// (trimmed of spaces), for a caller that echoes them rather than format the
// numbers again. The slices point into the row.
type FIRMSText struct {
	Lat, Lon, FRP []byte
}

// ParseText is Parse that also sets *t (if t is not nil) when the row is
// good.
func (p *FIRMSParser) ParseText(row []byte, h *Hotspot, t *FIRMSText) error {
	row = bytes.TrimSuffix(row, []byte{'\r'})
	if len(row) > MaxFIRMSLineBytes {
		return invalidf("line longer than %d bytes", MaxFIRMSLineBytes)
	}
	var f firmsFields
	n, high := p.split(row, &f)
	if high >= 0x80 {
		// FIRMS writes ASCII. Said without quoting the row, so that the
		// message is the same whether a reader decoded the bytes or not.
		return invalidf("not a FIRMS row: it has non-ASCII characters")
	}
	if n != p.nField {
		return invalidf("wrong column count: %d fields, header has %d", n, p.nField)
	}
	var err error
	var lat, lon float64
	if lat, err = number("latitude", f[colLat]); err != nil {
		return err
	}
	if lon, err = number("longitude", f[colLon]); err != nil {
		return err
	}
	if h.Location, err = checkPoint("column longitude", lon, "column latitude", lat); err != nil {
		return err
	}
	if d, c := f[colDate], f[colTime]; p.lastDate != nil && bytes.Equal(d, p.lastDate) && bytes.Equal(c, p.lastClock) {
		h.Time = p.lastTime
	} else {
		if h.Time, err = firmsTime(d, c); err != nil {
			return err
		}
		p.lastDate, p.lastClock, p.lastTime = append(p.lastDate[:0], d...), append(p.lastClock[:0], c...), h.Time
	}
	b1, b2 := "bright_ti4", "bright_ti5"
	if p.instrument == "MODIS" {
		b1, b2 = "brightness", "bright_t31"
	}
	if h.BrightnessKelvin, err = nonNegative(b1, f[colBright]); err != nil {
		return err
	}
	if h.Brightness2Kelvin, err = nonNegative(b2, f[colBright2]); err != nil {
		return err
	}
	if t != nil {
		t.Lat, t.Lon, t.FRP = f[colLat], f[colLon], f[colFRP]
	}
	if h.FRPMegawatts, err = nonNegative("frp", f[colFRP]); err != nil {
		return err
	}
	if h.ScanKm, err = pixelKm("scan", f[colScan]); err != nil {
		return err
	}
	if h.TrackKm, err = pixelKm("track", f[colTrack]); err != nil {
		return err
	}
	return p.parseLabels(&f, h)
}

// firmsFields holds a row's fields by column, trimmed; a column the header
// lacks is empty.
type firmsFields [nFIRMSCols][]byte

// split cuts row at every comma into f (which MUST be zero), by the
// header's columns, trims the fields of spaces and tabs, and returns the
// number of fields and the OR of every byte (>= 0x80 if one is not ASCII).
func (p *FIRMSParser) split(row []byte, f *firmsFields) (n int, high byte) {
	start := 0 // start of the current field
	byField := p.byField
	for i, c := range row {
		high |= c
		if c != ',' {
			continue
		}
		if n < len(byField) {
			if col := byField[n]; col != colIgnored {
				f[col] = row[start:i]
			}
		}
		n++
		start = i + 1
	}
	if n < len(byField) {
		if col := byField[n]; col != colIgnored {
			f[col] = row[start:]
		}
	}
	n++
	for i, v := range f {
		if len(v) > 0 && (v[0] == ' ' || v[0] == '\t' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
			f[i] = trimSpace(v)
		}
	}
	return n, high
}

// parseLabels sets h's instrument, confidence, satellite, version,
// day or night and type, and checks the instrument column.
func (p *FIRMSParser) parseLabels(f *firmsFields, h *Hotspot) error {
	var err error
	h.Instrument = p.instrument
	if h.Confidence, err = p.confidence(f[colConf]); err != nil {
		return err
	}
	if h.Satellite, err = token("satellite", f[colSat], knownSatellites, &p.lastSat); err != nil {
		return err
	}
	if h.Version, err = token("version", f[colVersion], knownVersions, &p.lastVer); err != nil {
		return err
	}
	switch string(f[colDayNight]) {
	case "D", "d":
		h.DayNight = "D"
	case "N", "n":
		h.DayNight = "N"
	default:
		return invalidf("column daynight: %q is not D or N", f[colDayNight])
	}
	if v := f[colInstrument]; p.has[colInstrument] && !bytes.Equal(v, p.instrumentBytes) && !bytes.EqualFold(v, p.instrumentBytes) {
		return invalidf("column instrument: %q in a %s file", f[colInstrument], p.instrument)
	}
	h.Type = -1
	if p.has[colType] {
		v := f[colType]
		if len(v) != 1 || v[0] < '0' || v[0] > '3' {
			return invalidf("column type: %q is not 0, 1, 2 or 3", v)
		}
		h.Type = int(v[0] - '0')
	}
	return nil
}

// confidence checks and normalises a confidence value.
func (p *FIRMSParser) confidence(v []byte) (string, error) {
	if p.instrument == "MODIS" {
		n, ok := smallInt(v)
		if !ok || n > 100 {
			return "", invalidf("column confidence: %q is not a percentage 0-100", v)
		}
		return percentStrings[n], nil
	}
	switch string(v) {
	case "nominal", "n":
		return "nominal", nil
	case "low", "l":
		return "low", nil
	case "high", "h":
		return "high", nil
	}
	for _, c := range []string{"low", "nominal", "high"} {
		if strings.EqualFold(string(v), c) || (len(v) == 1 && strings.EqualFold(string(v), c[:1])) {
			return c, nil
		}
	}
	return "", invalidf("column confidence: %q is not low, nominal or high", v)
}

// percentStrings are "0".."100", so a MODIS confidence costs no allocation.
var percentStrings = func() (s [101]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

var (
	knownSatellites = []string{"N", "N20", "N21", "1", "Terra", "Aqua", "T", "A"}
	knownVersions   = []string{"2.0NRT", "1.0NRT", "2", "2.0", "1", "6.1NRT", "6.1", "6.03", "6.0NRT", "6NRT", "61.03"}
)

// token checks that v is a non-empty run of printable ASCII and returns it
// as a string, reusing a known or the last seen value when it can.
func token(name string, v []byte, known []string, last *string) (string, error) {
	if len(v) == 0 {
		return "", invalidf("column %s: missing value", name)
	}
	for _, c := range v {
		if c <= ' ' || c > '~' || c == '"' {
			return "", invalidf("column %s: %q is not a FIRMS value", name, v)
		}
	}
	for _, k := range known {
		if string(v) == k {
			return k, nil
		}
	}
	if string(v) != *last {
		*last = string(v)
	}
	return *last, nil
}

// trimSpace trims ASCII spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// smallInt parses 1 to 3 decimal digits.
func smallInt(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// number parses a finite number for column name.
func number(name string, v []byte) (float64, error) {
	if len(v) == 0 {
		return 0, invalidf("column %s: missing value", name)
	}
	f, ok := parseFloatBytes(v)
	if !ok {
		return 0, invalidf("column %s: %q is not a number", name, v)
	}
	return f, nil
}

func nonNegative(name string, v []byte) (float64, error) {
	f, err := number(name, v)
	if err == nil && f < 0 {
		err = invalidf("column %s: %q is negative", name, v)
	}
	return f, err
}

// maxPixelKm bounds scan and track: MODIS pixels reach about 4.8 km at the
// swath edge, VIIRS 375 m pixels about 0.8 km.
const maxPixelKm = 20

func pixelKm(name string, v []byte) (float64, error) {
	f, err := number(name, v)
	if err == nil && !(f > 0 && f <= maxPixelKm) {
		err = invalidf("column %s: %q is not a pixel size in km (0, %d]", name, v, maxPixelKm)
	}
	return f, err
}

// firmsTime parses acq_date (YYYY-MM-DD) and acq_time, UTC. FIRMS writes
// acq_time as HHMM, often as an integer without its leading zeros (45 is
// 00:45); some tools write HH:MM or HH:MM:SS. Seconds are dropped: FIRMS
// times are minutes.
func firmsTime(d, t []byte) (time.Time, error) {
	y, mo, day, ok := civilDate(d)
	if !ok {
		return time.Time{}, invalidf("column acq_date: %q is not a date (YYYY-MM-DD)", d)
	}
	if y < 1900 || y > 2199 {
		return time.Time{}, invalidf("column acq_date: %q is out of range", d)
	}
	hh, mm, ok := clock(t)
	if !ok {
		return time.Time{}, invalidf("column acq_time: %q is not a time (HHMM or HH:MM[:SS])", t)
	}
	sec := daysFromCivil(y, mo, day)*86400 + int64(hh*3600+mm*60)
	return time.Unix(sec, 0).UTC(), nil
}

// civilDate parses YYYY-MM-DD and checks the day exists.
func civilDate(d []byte) (y, m, day int, ok bool) {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return 0, 0, 0, false
	}
	digits := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var ok1, ok2, ok3 bool
	y, ok1 = digits(d[:4])
	m, ok2 = digits(d[5:7])
	day, ok3 = digits(d[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || day < 1 || day > daysIn(y, m) {
		return 0, 0, 0, false
	}
	return y, m, day, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// clock parses a FIRMS acquisition time into hours and minutes.
func clock(t []byte) (hh, mm int, ok bool) {
	for _, c := range t {
		if (c < '0' || c > '9') && c != ':' {
			return 0, 0, false
		}
	}
	two := func(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }
	switch {
	case len(t) >= 1 && len(t) <= 4 && bytes.IndexByte(t, ':') < 0:
		n := 0
		for _, c := range t {
			n = n*10 + int(c-'0')
		}
		hh, mm = n/100, n%100
	case len(t) == 5 && t[2] == ':' && bytes.IndexByte(t[3:], ':') < 0 && t[0] != ':' && t[1] != ':':
		hh, mm = two(t), two(t[3:])
	case len(t) == 8 && t[2] == ':' && t[5] == ':' && bytes.Count(t, []byte{':'}) == 2:
		if two(t[6:]) > 59 {
			return 0, 0, false
		}
		hh, mm = two(t), two(t[3:])
	default:
		return 0, 0, false
	}
	return hh, mm, hh < 24 && mm < 60
}
