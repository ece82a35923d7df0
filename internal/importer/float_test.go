package importer

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// wantFloat is the reference: strconv, finite numbers only.
func wantFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func checkFloat(t *testing.T, s string) {
	t.Helper()
	got, gok := parseFloatBytes([]byte(s))
	want, wok := wantFloat(s)
	if gok != wok || math.Float64bits(got) != math.Float64bits(want) {
		t.Errorf("parseFloatBytes(%q) = %v (%x), %v; strconv says %v (%x), %v",
			s, got, math.Float64bits(got), gok, want, math.Float64bits(want), wok)
	}
}

func TestParseFloatEdges(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "+0", "0.0", "-0.0", ".5", "5.", ".", "-", "+", "", "e5", "1e", "1e+", "1e-", "1.2.3", "1..2",
		"48.26382", "37.21014", "32.943600000000004", "0.36", "133.4", "-179.1338", "180", "-90", "90.000001",
		"9007199254740992", "9007199254740993", "999999999999999", "1000000000000000", "123456789012345.6",
		"1e22", "1e23", "1e-22", "1e-23", "1.5e22", "4.9e-324", "5e-324", "2e-324", "1.7976931348623157e308", "1.8e308",
		"1e-400", "0e999999", "0.000000000000000000000000000001", "00000000000000000000000000001.5",
		"1E5", "1e+05", "1e-05", "-1.25E-3", "1_000", "0x1p-2", "0x10", "Inf", "-inf", "NaN", "infinity",
		" 1", "1 ", "1,5", "١", "1e0000000000000000000001", "1e1001", "123.456e-20", "0.1e-22",
		"3.14159265358979", "2.718281828459045", "0.30000000000000004",
	} {
		checkFloat(t, s)
	}
}

func TestParseFloatRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	digits := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return b
	}
	n := 300_000
	if raceEnabled {
		n = 30_000
	}
	for i := 0; i < n; i++ {
		var b []byte
		if rng.IntN(4) == 0 {
			b = append(b, "+-"[rng.IntN(2)])
		}
		b = append(b, digits(rng.IntN(20))...)
		if rng.IntN(3) > 0 {
			b = append(b, '.')
			b = append(b, digits(rng.IntN(20))...)
		}
		if rng.IntN(4) == 0 {
			b = append(b, "eE"[rng.IntN(2)])
			if rng.IntN(2) == 0 {
				b = append(b, "+-"[rng.IntN(2)])
			}
			b = strconv.AppendInt(b, int64(rng.IntN(60)), 10)
		}
		checkFloat(t, string(b))
		// Shortest representations of random doubles round-trip.
		f := math.Float64frombits(rng.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			checkFloat(t, strconv.FormatFloat(f, 'g', -1, 64))
		}
		checkFloat(t, strconv.FormatFloat(rng.Float64()*360-180, 'f', rng.IntN(17), 64))
	}
}

func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"48.26382", "-0", "1e22", "0x1p-2", "32.943600000000004", "1e-400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFloat(t, s) })
}

func BenchmarkParseFloat(b *testing.B) {
	in := [][]byte{[]byte("48.26382"), []byte("37.21014"), []byte("297.54"), []byte("0.53"), []byte("133.4")}
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			for _, s := range in {
				parseFloatBytes(s)
			}
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for b.Loop() {
			for _, s := range in {
				_, _ = strconv.ParseFloat(string(s), 64)
			}
		}
	})
}
