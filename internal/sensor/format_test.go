package sensor

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

func TestAppendFixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for range 200_000 {
		v := (rng.Float64()*2 - 1) * math.Pow(10, float64(rng.IntN(9)-3))
		for _, dec := range []int{3, 6} {
			got := string(appendFixed(nil, v, dec))
			want := strconv.FormatFloat(v, 'f', dec, 64)
			if want == "-0."+"000000"[:dec] {
				want = want[1:]
			}
			if got == want {
				continue
			}
			// Only a value at a half-way point may round the other way
			// (math.Round of v*10^dec against the exact binary value).
			g, _ := strconv.ParseFloat(got, 64)
			w, _ := strconv.ParseFloat(want, 64)
			scaled := math.Abs(v) * math.Pow(10, float64(dec))
			if math.Abs(g-w) > 1.5*math.Pow(10, -float64(dec)) || math.Abs(scaled-math.Floor(scaled)-0.5) > 1e-6 {
				t.Fatalf("appendFixed(%v, %d) = %q, want %q", v, dec, got, want)
			}
		}
	}
}

func TestAppendTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	lo := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range 300_000 {
		sec := lo + rng.Int64N(hi-lo)
		if i < 1000 {
			sec = sec / 86400 * 86400 // midnights, where days turn
		}
		if got, want := string(appendTime(nil, sec)), time.Unix(sec, 0).UTC().Format(time.RFC3339); got != want {
			t.Fatalf("appendTime(%d) = %q, want %q", sec, got, want)
		}
	}
}
