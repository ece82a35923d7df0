package importer_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"truce/internal/importer"
)

// pointHeaders are FIRMS layouts: VIIRS and MODIS, with and without the
// optional columns, reordered, with an ignored column.
var pointHeaders = []string{
	"latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight",
	"latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight",
	"latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_t31,frp,daynight,type",
	"extra,daynight,frp,bright_ti5,version,confidence,satellite,acq_time,acq_date,track,scan,bright_ti4,longitude,latitude",
}

// pointRows are good rows of pointHeaders, in the same order.
var pointRows = []string{
	"48.84680,25.03909,364.21,0.75,0.62,2025-04-12,0333,N20,VIIRS,low,2.0NRT,290.04,3.16,N",
	"-12.5,-179.99999,300,0.39,0.36,2024-02-29,5,N,nominal,2.0NRT,280.5,0,D",
	"45.5,30.25,330.1,1,1.2,2023-12-31,2359,Aqua,MODIS,100,6.1NRT,290,3.5,N,0",
	"x y,d,12.25,290.04,2,h,1,1200,1999-01-01,0.62,0.75,364.21,25.03909,48.84680",
}

// mutate changes a few bytes of row: replaced, removed, inserted or
// doubled, from characters that matter to the parser.
func mutate(rng *rand.Rand, row []byte) []byte {
	const chars = "0123456789.-+, \t\re:ENnDdlhHtTUVIRSx\"\xe9"
	out := append([]byte(nil), row...)
	for range 1 + rng.IntN(3) {
		if len(out) == 0 {
			out = append(out, chars[rng.IntN(len(chars))])
			continue
		}
		k := rng.IntN(len(out))
		switch rng.IntN(4) {
		case 0:
			out[k] = chars[rng.IntN(len(chars))]
		case 1:
			out = append(out[:k], out[k+1:]...)
		case 2:
			out = append(out[:k], append([]byte{chars[rng.IntN(len(chars))]}, out[k:]...)...)
		default:
			out = append(out[:k], append([]byte{out[k]}, out[k:]...)...)
		}
	}
	return out
}

// checkParsePoint compares ParsePoint with ParseText, the oracle, on row.
func checkParsePoint(t *testing.T, header string, row []byte) {
	t.Helper()
	p1, err := importer.NewFIRMSParser([]byte(header))
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := importer.NewFIRMSParser([]byte(header))
	var h importer.Hotspot
	var txt importer.FIRMSText
	want := p1.ParseText(row, &h, &txt)
	var pt importer.FIRMSPoint
	got := p2.ParsePoint(row, &pt)
	if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
		t.Fatalf("ParsePoint(%q) = %v, ParseText: %v", row, got, want)
	}
	if want != nil {
		return
	}
	// Bit for bit: the sign of a zero counts.
	if pt.Location != h.Location || !sameBits(pt.Location.Lat, h.Location.Lat) || !sameBits(pt.Location.Lon, h.Location.Lon) ||
		pt.Unix != h.Time.Unix() || pt.Confidence != h.Confidence ||
		string(pt.Text.Lat) != string(txt.Lat) || string(pt.Text.Lon) != string(txt.Lon) || string(pt.Text.FRP) != string(txt.FRP) {
		t.Fatalf("ParsePoint(%q) = %+v %q %q %q, ParseText: %v %d %q %q %q %q",
			row, pt, pt.Text.Lat, pt.Text.Lon, pt.Text.FRP, h.Location, h.Time.Unix(), h.Confidence, txt.Lat, txt.Lon, txt.FRP)
	}
}

func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

func TestParsePointMatchesParseText(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i, header := range pointHeaders {
		row := []byte(pointRows[i])
		checkParsePoint(t, header, row)
		checkParsePoint(t, header, append(row, '\r'))
		for range 30_000 {
			checkParsePoint(t, header, mutate(rng, row))
		}
	}
	for _, row := range []string{
		"-0,-0.0,1,1,1,2025-01-01,0,N,VIIRS,h,2,0.0,0,n",
		"90,180,1,20,20.0,2199-12-31,2359,N,VIIRS,l,2,1,1.,d",
		"90.0000001,180,1,1,1,2025-01-01,0,N,VIIRS,l,2,1,1,d",
		"45,180.00000000000001,1,1,1,2025-01-01,0,N,VIIRS,l,2,1,1,d",
		"45,30,1,20.000000000000001,1,2025-01-01,0,N,VIIRS,l,2,1,1,d",
		"45,30,1,0,1,2025-01-01,0,N,VIIRS,l,2,1,1,d",
		"45,30,12345678901234567890,1,1,2025-01-01,0,N,VIIRS,l,2,1,1,d",
		"45,30,1,1,1,2025-01-01,0,N,viirs,L,2,1,1,d",
		"45.123456789012345678,30,1,1,1,2025-01-01,0,N,VIIRS,l,2,1,1,d",
		"45,30,.5,1,1,2025-01-01,00:00,N,VIIRS,l,2,5.,.1,d",
		"45,30,.,1,1,2025-01-01,0,N,VIIRS,l,2,1,1,d",
		"45,30,1,1,1,2025-1-01,0,N,VIIRS,l,2,1,1,d",
		"45,30,1,1,1,2025-01-01,00000,N,VIIRS,l,2,1,1,d",
		"45,30,1,1,1,2025-01-01,0,N,VIIRS,l,2,1,1,",
		"45,30,1,1,1,2025-01-01,0,N,VIIRS,l,2,1,1,d,",
		",",
		"",
	} {
		checkParsePoint(t, pointHeaders[0], []byte(row))
	}
}

// FuzzParsePoint checks that ParsePoint and ParseText agree on any row.
func FuzzParsePoint(f *testing.F) {
	for i := range pointHeaders {
		f.Add(i, []byte(pointRows[i]))
	}
	f.Fuzz(func(t *testing.T, h int, row []byte) {
		checkParsePoint(t, pointHeaders[uint(h)%uint(len(pointHeaders))], row)
	})
}

func BenchmarkFIRMSParsePoint(b *testing.B) {
	p, err := importer.NewFIRMSParser([]byte(pointHeaders[0]))
	if err != nil {
		b.Fatal(err)
	}
	row := []byte(pointRows[0])
	var pt importer.FIRMSPoint
	b.SetBytes(int64(len(row)))
	for b.Loop() {
		if err := p.ParsePoint(row, &pt); err != nil {
			b.Fatal(err)
		}
	}
}
