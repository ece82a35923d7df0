package sensor_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"truce"
	"truce/internal/geo"
	"truce/internal/sensor"
)

// theatre returns n deterministic points as the bench data set has them: 60%
// spread over 44-53°N, 22-41°E, 40% within 10 km of a site.
func theatre(n int, sites []truce.Site) []geo.Point {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]geo.Point, n)
	for i := range out {
		if rng.Float64() < 0.6 || len(sites) == 0 {
			out[i] = geo.Point{Lon: 22 + rng.Float64()*19, Lat: 44 + rng.Float64()*9}
			continue
		}
		s := sites[rng.IntN(len(sites))].Location
		d, a := math.Sqrt(rng.Float64())*10_000, rng.Float64()*2*math.Pi
		out[i] = geo.Point{Lon: s.Lon + d*math.Sin(a)/(111_320*math.Cos(s.Lat*math.Pi/180)), Lat: s.Lat + d*math.Cos(a)/110_574}
	}
	return out
}

func BenchmarkZones(b *testing.B) {
	for _, tt := range []struct {
		name string
		load func(testing.TB) *truce.Agreement
	}{{"bench", MustBenchAgreement}, {"scenario", MustScenario}} {
		b.Run(tt.name, func(b *testing.B) { benchZones(b, tt.load(b)) })
	}
}

func benchZones(b *testing.B, a *truce.Agreement) {
	sites := MustSites(b)
	pts := theatre(1<<16, sites)
	b.Run("grid", func(b *testing.B) {
		g := sensor.NewZoneGrid(a)
		mask := make([]uint64, g.Words())
		i := 0
		for b.Loop() {
			g.Mask(pts[i&(len(pts)-1)], mask)
			i++
		}
	})
	b.Run("InZone", func(b *testing.B) {
		i := 0
		for b.Loop() {
			p := pts[i&(len(pts)-1)]
			for _, z := range a.Zones {
				a.InZone(z.ID, p, nil)
			}
			i++
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			sensor.NewZoneGrid(a)
		}
	})
}

func BenchmarkNearestSite(b *testing.B) {
	sites := MustSites(b)
	pts := theatre(1<<16, sites)
	locs := make([]geo.Point, len(sites))
	for i := range sites {
		locs[i] = sites[i].Location
	}
	b.Run("grid", func(b *testing.B) {
		g := sensor.NewSiteGrid(locs, 3000)
		i := 0
		for b.Loop() {
			g.Nearest(pts[i&(len(pts)-1)])
			i++
		}
	})
	b.Run("PointIndex", func(b *testing.B) {
		ix := geo.NewPointIndex(locs)
		i := 0
		for b.Loop() {
			ix.Nearest(pts[i&(len(pts)-1)], 3000)
			i++
		}
	})
}

// BenchmarkJudge runs Judge over 200,000 synthetic FIRMS rows held in
// memory (about 17 MB) against the bench agreement; ns/op is per run, and
// the rows/s metric is what matters.
func BenchmarkJudge(b *testing.B) {
	sites := MustSites(b)
	ix := sensor.NewIndex(MustBenchAgreement(b), sites)
	data := synthFIRMS(200_000, sites, 1, false)
	b.SetBytes(int64(len(data)))
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				if _, err := sensor.Judge(context.Background(), bytes.NewReader(data), io.Discard, ix, sensor.Options{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(200_000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	// CPU time per row (user + system, from getrusage) is steadier than
	// wall time on a machine shared with other work.
	b.Run("cpu", func(b *testing.B) {
		var r0, r1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
		for b.Loop() {
			if _, err := sensor.Judge(context.Background(), bytes.NewReader(data), io.Discard, ix, sensor.Options{Workers: 1}); err != nil {
				b.Fatal(err)
			}
		}
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
		cpu := time.Duration(r1.Utime.Nano()-r0.Utime.Nano()) + time.Duration(r1.Stime.Nano()-r0.Stime.Nano())
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(200_000*b.N), "cpu-ns/row")
	})
}
