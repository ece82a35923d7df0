package importer

import (
	"bytes"

	"truce/internal/geo"
)

// FIRMSPoint is what judging a hotspot by place and time needs of a FIRMS
// row: the fields of a Hotspot that sensors read, and the text of the
// position and FRP to echo.
type FIRMSPoint struct {
	Location geo.Point // the pixel centre, as Hotspot.Location
	// Unix is the acquisition minute in seconds since 1970-01-01 UTC
	// (Hotspot.Time.Unix()).
	Unix       int64
	Confidence string // as Hotspot.Confidence
	Text       FIRMSText
}

// ParsePoint checks row exactly as ParseText does, accepting the same rows
// and returning the same errors, and sets *pt from a good row. It is the
// parser of the sensor fast path: a row as FIRMS writes it (no spaces,
// plain decimals, HHMM times) is checked and parsed in one pass over its
// bytes, without computing the columns nobody reads (the brightness
// temperatures and the FRP are only checked to be non-negative numbers);
// any other row, good or bad, goes through ParseText, which decides.
func (p *FIRMSParser) ParsePoint(row []byte, pt *FIRMSPoint) error {
	if p.fastPoint(row, pt) {
		return nil
	}
	var h Hotspot
	if err := p.ParseText(row, &h, &pt.Text); err != nil {
		return err
	}
	pt.Location, pt.Unix, pt.Confidence = h.Location, h.Time.Unix(), h.Confidence
	return nil
}

// fastPoint parses a row of the common form into pt and reports whether it
// did. It MUST only accept rows that ParseText accepts, with the very
// values ParseText gives: it accepts a subset of each column's syntax (no
// spaces or tabs, no signs but a minus on the position, decimals that
// fastFloat parses exactly, 10-byte dates, HHMM times, the exact spellings
// of confidence, day or night and instrument) and leaves everything else,
// good or bad, to ParseText. It writes pt even when it fails.
func (p *FIRMSParser) fastPoint(row []byte, pt *FIRMSPoint) bool {
	if n := len(row); n > 0 && row[n-1] == '\r' {
		row = row[:n-1]
	}
	if len(row) > MaxFIRMSLineBytes {
		return false
	}
	var lat, lon float64
	var days int64
	var minutes int
	i, n := 0, 0
	for {
		if n >= p.nField {
			return false
		}
		start := i
		var ok bool
		switch col := p.byField[n]; col {
		case colLat, colLon:
			var f float64
			f, i, ok = scanSigned(row, i)
			if col == colLat {
				lat, pt.Text.Lat = f, row[start:i]
			} else {
				lon, pt.Text.Lon = f, row[start:i]
			}
		case colBright, colBright2, colFRP:
			i, ok = scanNonNegative(row, i)
			if col == colFRP {
				pt.Text.FRP = row[start:i]
			}
		case colScan, colTrack:
			var f float64
			f, i, ok = scanUnsigned(row, i)
			ok = ok && f > 0 && f <= maxPixelKm
		case colDate:
			days, i, ok = scanDate(row, i)
		case colTime:
			minutes, i, ok = scanHHMM(row, i)
		case colSat, colVersion:
			i, ok = scanToken(row, i)
		case colConf:
			i = fieldEnd(row, i)
			pt.Confidence, ok = p.fastConfidence(row[start:i])
		case colDayNight:
			i = fieldEnd(row, i)
			ok = i-start == 1 && (row[start] == 'D' || row[start] == 'N' || row[start] == 'd' || row[start] == 'n')
		case colInstrument:
			i = fieldEnd(row, i)
			ok = bytes.Equal(row[start:i], p.instrumentBytes)
		case colType:
			i = fieldEnd(row, i)
			ok = i-start == 1 && row[start] >= '0' && row[start] <= '3'
		default:
			i, ok = scanASCII(row, i)
		}
		if !ok {
			return false
		}
		n++
		if i == len(row) {
			break
		}
		i++ // the comma
	}
	// Every field read: the header's columns include all that are needed.
	if n != p.nField {
		return false
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return false
	}
	pt.Location = geo.Point{Lon: lon, Lat: lat}
	pt.Unix = days*86400 + int64(minutes)*60
	return true
}

// fieldEnd returns the index of the comma that ends the field starting at
// i, or len(row).
// Fields are short: a loop beats bytes.IndexByte's call.
func fieldEnd(row []byte, i int) int {
	for i < len(row) && row[i] != ',' {
		i++
	}
	return i
}

// atEnd reports whether i ends a field: a comma or the end of the row.
func atEnd(row []byte, i int) bool { return i == len(row) || row[i] == ',' }

// scanDecimal reads digits[.digits] from row[i:] to the end of the field:
// the digits as an integer, how many there are and how many follow the
// point. ok is false if anything else is in the field.
func scanDecimal(row []byte, i int) (mant uint64, digits, frac, end int, ok bool) {
	start := i
	for i < len(row) && row[i]-'0' < 10 {
		mant = mant*10 + uint64(row[i]-'0')
		i++
	}
	digits = i - start
	if i < len(row) && row[i] == '.' {
		i++
		fs := i
		for i < len(row) && row[i]-'0' < 10 {
			mant = mant*10 + uint64(row[i]-'0')
			i++
		}
		frac = i - fs
		digits += frac
	}
	return mant, digits, frac, i, atEnd(row, i)
}

// scanUnsigned parses the field at row[i:] as fastFloat does, for the
// decimals fastFloat takes without a sign; ok is false for anything else.
func scanUnsigned(row []byte, i int) (f float64, end int, ok bool) {
	mant, digits, frac, end, ok := scanDecimal(row, i)
	// As fastFloat: exact below 2^53, with an exact power of ten.
	if !ok || digits == 0 || digits > 19 || mant > 1<<53 || frac > 22 {
		return 0, end, false
	}
	f = float64(mant)
	if frac > 0 {
		f /= pow10[frac]
	}
	return f, end, true
}

// scanSigned is scanUnsigned that also takes a leading minus, as fastFloat
// does.
func scanSigned(row []byte, i int) (f float64, end int, ok bool) {
	neg := i < len(row) && row[i] == '-'
	if neg {
		i++
	}
	f, end, ok = scanUnsigned(row, i)
	if neg {
		f = -f
	}
	return f, end, ok
}

// scanNonNegative checks that the field at row[i:] is a plain decimal of 1
// to 19 digits: a finite number at least 0, which is all nonNegative asks.
func scanNonNegative(row []byte, i int) (end int, ok bool) {
	_, digits, _, end, ok := scanDecimal(row, i)
	return end, ok && digits > 0 && digits <= 19
}

// scanDate reads a YYYY-MM-DD field as firmsTime checks it and returns its
// days since 1970-01-01.
func scanDate(row []byte, i int) (days int64, end int, ok bool) {
	if len(row)-i < 10 || !atEnd(row, i+10) {
		return 0, i, false
	}
	y, m, d, ok := civilDate(row[i : i+10])
	if !ok || y < 1900 || y > 2199 {
		return 0, i, false
	}
	return daysFromCivil(y, m, d), i + 10, true
}

// scanHHMM reads an acq_time of 1 to 4 digits (HHMM without its leading
// zeros) as clock does, in minutes since midnight.
func scanHHMM(row []byte, i int) (minutes, end int, ok bool) {
	v := 0
	start := i
	for i < len(row) && row[i]-'0' < 10 {
		v = v*10 + int(row[i]-'0')
		i++
	}
	if i == start || i-start > 4 || !atEnd(row, i) {
		return 0, i, false
	}
	hh, mm := v/100, v%100
	return hh*60 + mm, i, hh < 24 && mm < 60
}

// scanToken checks a satellite or version field as token does.
func scanToken(row []byte, i int) (end int, ok bool) {
	start := i
	for i < len(row) && row[i] != ',' {
		if c := row[i]; c <= ' ' || c > '~' || c == '"' {
			return i, false
		}
		i++
	}
	return i, i > start
}

// scanASCII skips an ignored field, which MUST be ASCII.
func scanASCII(row []byte, i int) (end int, ok bool) {
	for i < len(row) && row[i] != ',' {
		if row[i] >= 0x80 {
			return i, false
		}
		i++
	}
	return i, true
}

// fastConfidence is confidence for its commonest spellings.
func (p *FIRMSParser) fastConfidence(v []byte) (string, bool) {
	if p.instrument == "MODIS" {
		n, ok := smallInt(v)
		if !ok || n > 100 {
			return "", false
		}
		return percentStrings[n], true
	}
	switch string(v) {
	case "nominal", "n":
		return "nominal", true
	case "low", "l":
		return "low", true
	case "high", "h":
		return "high", true
	}
	return "", false
}
