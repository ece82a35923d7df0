// Command sensorjudge runs sensor.Judge, the fast path of `truce judge` for
// FIRMS input, on one file, and reports where the time went on stderr. It
// is bench/sensors.sh's truce side until cmd/truce wires the same call.
//
//	go run ./bench/sensorjudge -agreement bench/data/sensors-agreement.yaml \
//	  -sites examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv \
//	  -in fires.csv -out answers.csv
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"time"

	"truce"
	"truce/internal/agreement"
	"truce/internal/importer"
	"truce/internal/sensor"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sensorjudge:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sensorjudge", flag.ContinueOnError)
	agreementPath := fs.String("agreement", "bench/data/sensors-agreement.yaml", "agreement file")
	sitesPath := fs.String("sites", "examples/energy-ceasefire-2025/sites/gppd_v1.3.0_selected_countries.csv", "sites file (GPPD, sites CSV or GeoJSON)")
	in := fs.String("in", "-", "FIRMS CSV (- for stdin)")
	out := fs.String("out", "-", "answers CSV (- for stdout)")
	workers := fs.Int("workers", 0, "judging goroutines (0: GOMAXPROCS)")
	block := fs.Int("block", 0, "block size in bytes (0: sensor.DefaultBlockBytes)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile here")
	sequential := fs.Bool("sequential", false, "build the index first, then judge (sensor.Judge) instead of both at once (sensor.JudgeWhile)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	// The index is built while the rows are read and parsed
	// (sensor.JudgeWhile): loading the agreement's zone files is most of
	// the start-up, on one core. The sites load beside the agreement.
	var tLoad, tIndex time.Duration
	var nZones, nSites int
	var grid string
	build := func() (*sensor.Index, error) {
		var sites []truce.Site
		sitesErr := make(chan error, 1)
		go func() {
			f, err := os.Open(*sitesPath)
			if err != nil {
				sitesErr <- err
				return
			}
			defer f.Close()
			_, err = importer.ReadSites(f, importer.Options{File: *sitesPath}, func(s *truce.Site) error {
				sites = append(sites, *s)
				return nil
			}, func(e importer.RowError) { fmt.Fprintln(os.Stderr, e) })
			sitesErr <- err
		}()
		a, err := agreement.Load(*agreementPath)
		if err != nil {
			return nil, err
		}
		if err := <-sitesErr; err != nil {
			return nil, err
		}
		tLoad = time.Since(t0)
		ix := sensor.NewIndex(a, sites)
		tIndex = time.Since(t0) - tLoad
		nZones, nSites, grid = len(a.Zones), len(sites), ix.ZoneGrid().String()
		return ix, nil
	}

	var r io.Reader = os.Stdin
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	// No bufio: Judge writes whole blocks of answers.
	opt := sensor.Options{
		File: *in, Workers: *workers, BlockBytes: *block,
		Bad: func(e importer.RowError) { fmt.Fprintln(os.Stderr, e) },
	}
	var st sensor.Stats
	var err error
	if *sequential {
		var ix *sensor.Index
		if ix, err = build(); err == nil {
			st, err = sensor.Judge(ctx, r, w, ix, opt)
		}
	} else {
		st, err = sensor.JudgeWhile(ctx, r, w, build, opt)
	}
	if err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && *out != "-" {
		if err := f.Close(); err != nil {
			return err
		}
	}
	total := time.Since(t0)
	fmt.Fprintf(os.Stderr, "sensorjudge: %d rows (%d bad), %d near a site, %d in a zone, %d alerts; %.1f MB in\n",
		st.Read, st.Rejected, st.NearSite, st.InZone, st.Alerts, float64(st.Bytes)/1e6)
	fmt.Fprintf(os.Stderr, "sensorjudge: agreement (%d zones) and %d sites loaded at %.3f s, index (%s) built at %.3f s, answers written at %.3f s, on %d cores\n",
		nZones, nSites, tLoad.Seconds(), grid, (tLoad + tIndex).Seconds(), total.Seconds(), runtime.GOMAXPROCS(0))
	return nil
}
