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
		stop, err := startProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	ib := &indexBuilder{t0: time.Now(), agreementPath: *agreementPath, sitesPath: *sitesPath}
	r, err := openFile(*in, os.Stdin, os.Open)
	if err != nil {
		return err
	}
	if r != os.Stdin {
		defer r.Close()
	}
	w, err := openFile(*out, os.Stdout, os.Create)
	if err != nil {
		return err
	}
	if w != os.Stdout {
		defer w.Close()
	}
	// No bufio: Judge writes whole blocks of answers.
	opt := sensor.Options{
		File: *in, Workers: *workers, BlockBytes: *block,
		Bad: func(e importer.RowError) { fmt.Fprintln(os.Stderr, e) },
	}
	var st sensor.Stats
	if *sequential {
		var ix *sensor.Index
		if ix, err = ib.build(); err == nil {
			st, err = sensor.Judge(ctx, r, w, ix, opt)
		}
	} else {
		st, err = sensor.JudgeWhile(ctx, r, w, ib.build, opt)
	}
	if err != nil {
		return err
	}
	if w != os.Stdout {
		if err := w.Close(); err != nil {
			return err
		}
	}
	report(st, ib, time.Since(ib.t0))
	return nil
}

// report writes the run's counts and where its time went to stderr.
func report(st sensor.Stats, ib *indexBuilder, total time.Duration) {
	fmt.Fprintf(os.Stderr, "sensorjudge: %d rows (%d bad), %d near a site, %d in a zone, %d alerts; %.1f MB in\n",
		st.Read, st.Rejected, st.NearSite, st.InZone, st.Alerts, float64(st.Bytes)/1e6)
	fmt.Fprintf(os.Stderr, "sensorjudge: agreement (%d zones) and %d sites loaded at %.3f s, index (%s) built at %.3f s, answers written at %.3f s, on %d cores\n",
		ib.nZones, ib.nSites, ib.tLoad.Seconds(), ib.grid, (ib.tLoad + ib.tIndex).Seconds(), total.Seconds(), runtime.GOMAXPROCS(0))
}

// startProfile starts a CPU profile written to path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// openFile opens path with open, or returns std for "-".
func openFile(path string, std *os.File, open func(string) (*os.File, error)) (*os.File, error) {
	if path == "-" {
		return std, nil
	}
	return open(path)
}

// indexBuilder builds the index from the agreement and the sites files
// and records how long that took. The index is built while the rows are
// read and parsed (sensor.JudgeWhile): loading the agreement's zone files
// is most of the start-up, on one core. The sites load beside the
// agreement.
type indexBuilder struct {
	t0                       time.Time // the start of the run
	agreementPath, sitesPath string

	tLoad, tIndex  time.Duration // when the files were loaded; how long the index took
	nZones, nSites int
	grid           string // the zone grid, described
}

func (ib *indexBuilder) build() (*sensor.Index, error) {
	var sites []truce.Site
	sitesErr := make(chan error, 1)
	go func() {
		var err error
		sites, err = loadSites(ib.sitesPath)
		sitesErr <- err
	}()
	a, err := agreement.Load(ib.agreementPath)
	if err != nil {
		return nil, err
	}
	if err := <-sitesErr; err != nil {
		return nil, err
	}
	ib.tLoad = time.Since(ib.t0)
	ix := sensor.NewIndex(a, sites)
	ib.tIndex = time.Since(ib.t0) - ib.tLoad
	ib.nZones, ib.nSites, ib.grid = len(a.Zones), len(sites), ix.ZoneGrid().String()
	return ix, nil
}

// loadSites reads the sites file, reporting its bad rows on stderr.
func loadSites(path string) ([]truce.Site, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var sites []truce.Site
	_, err = importer.ReadSites(f, importer.Options{File: path}, func(s *truce.Site) error {
		sites = append(sites, *s)
		return nil
	}, func(e importer.RowError) { fmt.Fprintln(os.Stderr, e) })
	return sites, err
}
