package sensor

import (
	"math"
	"strconv"
	"strings"
)

// appendInt appends a non-negative decimal integer.
func appendInt(out []byte, n int) []byte {
	return strconv.AppendInt(out, int64(n), 10)
}

// appendFixed appends v rounded to dec decimals (half away from zero; dec
// at most 7), as %.*f would for all but exact half-way cases; -0.000 is
// written 0.000. |v| MUST be below 1e12.
func appendFixed(out []byte, v float64, dec int) []byte {
	u := uint64(math.Round(math.Abs(v) * float64(pow10i[dec])))
	neg := v < 0 && u != 0
	var buf [32]byte
	i := len(buf)
	for range dec {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	if dec > 0 {
		i--
		buf[i] = '.'
	}
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return append(out, buf[i:]...)
}

var pow10i = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

// appendTime appends unix seconds t as 2006-01-02T15:04:05Z.
func appendTime(out []byte, t int64) []byte {
	days := t / 86400
	sec := int(t % 86400)
	if sec < 0 {
		sec += 86400
		days--
	}
	y, m, d := civilFromDays(days)
	// One append of a filled array: twenty appends each check capacity.
	var b [20]byte
	put4(b[0:4], y)
	b[4] = '-'
	put2(b[5:7], m)
	b[7] = '-'
	put2(b[8:10], d)
	b[10] = 'T'
	put2(b[11:13], sec/3600)
	b[13] = ':'
	put2(b[14:16], sec/60%60)
	b[16] = ':'
	put2(b[17:19], sec%60)
	b[19] = 'Z'
	return append(out, b[:]...)
}

func put2(b []byte, n int) { b[0], b[1] = byte('0'+n/10), byte('0'+n%10) }

func put4(b []byte, n int) {
	b[0], b[1], b[2], b[3] = byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10)
}

// civilFromDays is the inverse of days since 1970-01-01 (Howard Hinnant's
// algorithm), for years 0 to 9999.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// csvField quotes s for CSV if it needs it.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
