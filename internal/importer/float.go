package importer

import (
	"math"
	"strconv"
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloatBytes parses b as strconv.ParseFloat(string(b), 64) does and
// reports whether it is a finite number. Plain decimals of up to 15
// significant digits with a small exponent, which is what FIRMS writes,
// take Clinger's fast path: the digits as an exact integer (below 2^53)
// times or divided by an exact power of ten (at most 10^22) is one
// correctly rounded IEEE operation, so the result is exactly strconv's.
// Everything else (more digits, large exponents, hex, inf, nan, errors)
// goes to strconv.
func parseFloatBytes(b []byte) (float64, bool) {
	if f, ok := fastFloat(b); ok {
		return f, true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// fastFloat is the fast path of parseFloatBytes: [+-]digits[.digits] with
// at most 19 digits, whose value is below 2^53 and whose fraction has at
// most 22 digits. ok is false when it does not apply (not when b is
// malformed: strconv decides that).
func fastFloat(b []byte) (f float64, ok bool) {
	i, n := 0, len(b)
	neg := false
	if n > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i = 1
	}
	var mant uint64
	start := i
	for i < n && b[i]-'0' < 10 {
		mant = mant*10 + uint64(b[i]-'0')
		i++
	}
	digits, frac := i-start, 0
	if i < n && b[i] == '.' {
		i++
		fs := i
		for i < n && b[i]-'0' < 10 {
			mant = mant*10 + uint64(b[i]-'0')
			i++
		}
		frac = i - fs
		digits += frac
	}
	// mant cannot have overflowed with 19 digits or fewer; float64(mant) is
	// exact below 2^53; 10^frac is exact up to 10^22.
	if i != n || digits == 0 || digits > 19 || mant > 1<<53 || frac > 22 {
		return 0, false
	}
	f = float64(mant)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}
