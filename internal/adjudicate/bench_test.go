package adjudicate_test

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/geo"
	"truce/internal/importer"
)

func loadGPPD(tb testing.TB) []truce.Site {
	tb.Helper()
	f, err := os.Open("../../examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var sites []truce.Site
	if _, err := importer.ReadSites(f, importer.Options{File: "gppd.csv"}, func(s *truce.Site) error {
		sites = append(sites, *s)
		return nil
	}, func(e importer.RowError) { tb.Fatal(e) }); err != nil {
		tb.Fatal(err)
	}
	return sites
}

var benchTexts = []string{
	"Russian drones struck a substation overnight",
	"РФ атакувала енергетичну інфраструктуру, пошкоджено підстанцію",
	"Окупанти обстріляли місто, поранено двох людей",
	"Ukrainian drones attacked an oil refinery, the MoD said",
	"Air raid alert in the region",
	"A new wind farm was opened",
}

// synthReports makes n deterministic point reports: 60% spread over
// 44-53°N, 22-41°E, 40% within 10 km of a power plant.
func synthReports(n int, sites []truce.Site) []*truce.Report {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*truce.Report, n)
	for i := range out {
		var p geo.Point
		if rng.Float64() < 0.6 {
			p = geo.Point{Lon: 22 + rng.Float64()*19, Lat: 44 + rng.Float64()*9}
		} else {
			s := sites[rng.IntN(len(sites))].Location
			d, a := math.Sqrt(rng.Float64())*10_000, rng.Float64()*2*math.Pi
			p = geo.Point{Lon: s.Lon + d*math.Sin(a)/(111_320*math.Cos(s.Lat*math.Pi/180)), Lat: s.Lat + d*math.Cos(a)/110_574}
		}
		t := start.Add(time.Duration(rng.Int64N(int64(61 * 24 * time.Hour))))
		out[i] = &truce.Report{
			ID: truce.ReportID("b" + strconv.Itoa(i)), Source: "bench", Start: t, End: t.Add(time.Minute), Precision: truce.PrecisionMinute,
			Location: p, LocationPrecisionMeters: float64(rng.IntN(3) * 1000), Text: benchTexts[rng.IntN(len(benchTexts))],
		}
	}
	return out
}

// BenchmarkJudge measures one report judged against the bundled scenario
// (7 real zones, 1,078 GPPD sites). Reports/s = 1e9 / ns/op per core.
func BenchmarkJudge(b *testing.B) {
	a := mustAgreement(b, "../../examples/energy-ceasefire-2025/agreement.yaml")
	sites := loadGPPD(b)
	j := adjudicate.New(a, sites)
	reps := synthReports(10_000, sites)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		j.Judge(reps[i%len(reps)])
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/report")
}
