package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/importer"
	"truce/internal/report"
	"truce/internal/sensor"
)

func (e *env) judgeCmd() *cobra.Command {
	var (
		agreementPath string
		siteFiles     []string
		reportFiles   []string
		format        string
		inFormat      string
		strict        bool
	)
	cmd := &cobra.Command{
		Use:   "judge --agreement A --sites FILE[,FILE...] --reports FILE",
		Short: "Judge report files against an agreement, one result per report (stateless)",
		Long: `judge reads an agreement, protected sites and reports, and prints one
judgement per report, in input order. Nothing is stored: a draft agreement is
judged the same way, which is how a negotiator asks what a text would have
covered.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Satellite fire detections take the fast path: per-point
			// answers (the covered site within the radius, the zones, and
			// whether a phase was in force), millions of rows a second.
			if len(reportFiles) == 1 && (inFormat == string(importer.FormatFIRMS) || (inFormat == "" && isFIRMS(reportFiles[0]))) {
				return e.judgeFIRMS(cmd.Context(), agreementPath, siteFiles, reportFiles[0], strict)
			}
			a, err := loadAgreement(e.stderr, agreementPath)
			if err != nil {
				return err
			}
			sites, err := e.loadSites(siteFiles, strict)
			if err != nil {
				return err
			}
			j := adjudicate.New(a, sites)
			w, err := report.NewWriter(e.stdout, format)
			if err != nil {
				return err
			}
			for _, f := range reportFiles {
				if err := e.judgeFile(cmd.Context(), j, w, f, importer.Format(inFormat), strict); err != nil {
					return err
				}
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&agreementPath, "agreement", "", "agreement file (YAML)")
	cmd.Flags().StringSliceVar(&siteFiles, "sites", nil, "protected sites: GPPD CSV, sites CSV or GeoJSON (comma-separated or repeated)")
	cmd.Flags().StringSliceVar(&reportFiles, "reports", nil, "report files (repeatable)")
	cmd.Flags().StringVar(&format, "format", "jsonl", "output format: "+strings.Join(report.Formats, ", "))
	cmd.Flags().StringVar(&inFormat, "input-format", "", "report file format (default: detect from the header)")
	cmd.Flags().BoolVar(&strict, "strict", false, "stop at the first bad row")
	must(cmd.MarkFlagRequired("agreement"))
	must(cmd.MarkFlagRequired("reports"))
	return cmd
}

func must(err error) {
	if err != nil {
		panic(err) // a flag name typo: a programmer error
	}
}

// loadSites reads every site file; bad rows are reported to stderr.
func (e *env) loadSites(files []string, strict bool) ([]truce.Site, error) {
	var sites []truce.Site
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		st, err := importer.ReadSites(f, importer.Options{File: filepath.Base(path), Strict: strict},
			func(s *truce.Site) error { sites = append(sites, *s); return nil },
			func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) })
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("sites %s: %w", path, err)
		}
		if st.Rejected > 0 {
			fmt.Fprintf(e.stderr, "%s: %d sites read, %d accepted, %d rejected\n", path, st.Read, st.Accepted, st.Rejected)
		}
	}
	return sites, nil
}

// judgeFile streams one report file through the judge on every core and
// writes the judgements in input order.
func (e *env) judgeFile(ctx context.Context, j *adjudicate.Judge, w report.Writer, path string, format importer.Format, strict bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	in, done := e.progress(f, path)
	defer done()
	st, err := judgeStream(ctx, j, in, importer.Options{Format: format, File: filepath.Base(path), Strict: strict},
		w.Write, func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) })
	done()
	if err != nil {
		return fmt.Errorf("reports %s: %w", path, err)
	}
	fmt.Fprintf(e.stderr, "%s: %d read, %d accepted, %d rejected\n", path, st.Read, st.Accepted, st.Rejected)
	return nil
}

// isFIRMS reports whether the file's header is a NASA FIRMS export.
func isFIRMS(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	format, err := importer.DetectReports(head[:n])
	return err == nil && format == importer.FormatFIRMS
}

// judgeFIRMS judges a FIRMS file on the sensor fast path: the index of the
// agreement's zones and sites is built while the first blocks are read and
// parsed, blocks are judged on every core, and the answers are written in
// input order (see internal/sensor).
func (e *env) judgeFIRMS(ctx context.Context, agreementPath string, siteFiles []string, path string, strict bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	build := func() (*sensor.Index, error) {
		type sitesResult struct {
			sites []truce.Site
			err   error
		}
		sc := make(chan sitesResult, 1)
		go func() {
			sites, err := e.loadSites(siteFiles, strict)
			sc <- sitesResult{sites, err}
		}()
		a, err := loadAgreement(e.stderr, agreementPath)
		sr := <-sc
		if err != nil {
			return nil, err
		}
		if sr.err != nil {
			return nil, sr.err
		}
		return sensor.NewIndex(a, sr.sites), nil
	}
	opt := sensor.Options{File: filepath.Base(path), Strict: strict,
		Bad: func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) }}
	if bar := e.progressBar(f, path); bar != nil {
		opt.Progress = func(p sensor.Progress) { bar.SetCurrent(p.Bytes) }
		defer bar.Finish()
	}
	st, err := sensor.JudgeWhile(ctx, f, e.stdout, build, opt)
	if err != nil {
		return fmt.Errorf("reports %s: %w", path, err)
	}
	fmt.Fprintf(e.stderr, "%s: %d hotspots read, %d accepted, %d rejected; %d within %s of a site, %d in a zone, %d sensor alerts (a covered site while a phase was in force)\n",
		path, st.Read, st.Accepted, st.Rejected, st.NearSite, "the site radius", st.InZone, st.Alerts)
	return nil
}

const batchSize = 512

type batch struct {
	seq  int
	reps []*truce.Report
	js   []truce.Judgement
}

// judgeStream reads reports from r, judges them in parallel batches and
// calls out for each, in input order. Memory is bounded by the number of
// batches in flight.
func judgeStream(ctx context.Context, j *adjudicate.Judge, r io.Reader, opt importer.Options,
	out func(*truce.Report, *truce.Judgement) error, bad func(importer.RowError)) (importer.Stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	todo := make(chan *batch, workers)
	judged := make(chan *batch, workers)
	// inflight bounds the batches read but not yet written: without it a
	// slow batch lets the others pile up in pending without limit.
	inflight := make(chan struct{}, 2*workers+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range todo {
				b.js = make([]truce.Judgement, len(b.reps))
				for i, rep := range b.reps {
					b.js[i] = j.Judge(rep)
				}
				select {
				case judged <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var st importer.Stats
	var readErr error
	go func() {
		defer close(todo)
		cur := &batch{}
		send := func() bool {
			select {
			case inflight <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			select {
			case todo <- cur:
				cur = &batch{seq: cur.seq + 1}
				return true
			case <-ctx.Done():
				return false
			}
		}
		st, readErr = importer.ReadReports(r, opt, func(rep *truce.Report) error {
			cur.reps = append(cur.reps, rep)
			if len(cur.reps) == batchSize && !send() {
				return ctx.Err()
			}
			return nil
		}, bad)
		if len(cur.reps) > 0 {
			send()
		}
	}()
	go func() { wg.Wait(); close(judged) }()
	pending := map[int]*batch{}
	next := 0
	var outErr error
	for b := range judged {
		pending[b.seq] = b
		for pb := pending[next]; pb != nil && outErr == nil; pb = pending[next] {
			delete(pending, next)
			next++
			for i := range pb.reps {
				if outErr = out(pb.reps[i], &pb.js[i]); outErr != nil {
					cancel()
					break
				}
			}
			<-inflight
		}
	}
	if outErr != nil {
		return st, outErr
	}
	if readErr != nil {
		return st, readErr
	}
	return st, ctx.Err()
}
