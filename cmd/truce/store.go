package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/importer"
	"truce/internal/ledger"
	"truce/internal/pipeline"
	"truce/internal/report"
	"truce/internal/sensor"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
)

// defaultDB is the embedded database file used when --db is not given.
const defaultDB = "truce.db"

func dbFlag(cmd *cobra.Command, p *string) {
	def := defaultDB
	if v := os.Getenv("TRUCE_DB"); v != "" {
		def = v
	}
	cmd.Flags().StringVar(p, "db", def, "database: a SQLite file, or postgres://user@host/db (env TRUCE_DB)")
}

// backend is a store with the log views every backend provides.
type backend interface {
	truce.Store
	LogSource(ctx context.Context) (ledger.Source, func(), error)
	Rows(ctx context.Context) (rowCounts, error)
}

// rowCounts counts what a backend's VerifyRows compared.
type rowCounts = ledger.RowCheck

type sqliteBackend struct{ *sqlite.Store }

// analyze refreshes PostgreSQL's planner statistics after a bulk change
// (SQLite plans without them).
func analyze(ctx context.Context, st backend) error {
	if pg, ok := st.(postgresBackend); ok {
		return pg.Analyze(ctx)
	}
	return nil
}

func (b sqliteBackend) Rows(ctx context.Context) (rowCounts, error) {
	return b.VerifyRows(ctx)
}

type postgresBackend struct{ *postgres.Store }

func (b postgresBackend) Rows(ctx context.Context) (rowCounts, error) {
	return b.VerifyRows(ctx)
}

// isPostgres reports whether dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openStore(ctx context.Context, dsn string) (backend, error) {
	return openStoreWith(ctx, dsn, "")
}

// openStoreWith opens the store named by dsn (a SQLite file, or a
// postgres:// URL) and applies its migrations; origin names the log if its
// key is generated now.
func openStoreWith(ctx context.Context, dsn, origin string) (backend, error) {
	return openBackend(ctx, dsn, origin, false)
}

// openBackend opens a store; requireCurrent refuses an old schema instead
// of migrating it (the server's rule: migrations are an operator's step).
func openBackend(ctx context.Context, dsn, origin string, requireCurrent bool) (backend, error) {
	if isPostgres(dsn) {
		st, err := postgres.OpenWith(ctx, dsn, postgres.Options{LogOrigin: origin, RequireCurrentSchema: requireCurrent})
		if err != nil {
			return nil, err
		}
		return postgresBackend{st}, nil
	}
	st, err := sqlite.OpenWith(ctx, strings.TrimPrefix(dsn, "sqlite:"), sqlite.Options{LogOrigin: origin, RequireCurrentSchema: requireCurrent})
	if err != nil {
		return nil, err
	}
	return sqliteBackend{st}, nil
}

func (e *env) importCmd() *cobra.Command {
	var (
		db     string
		sites  bool
		format string
		strict bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import report files (or, with --sites, protected sites) into the store",
		Long: `import reads report files in any supported format (detected from the header,
or given with --format) and stores every report not stored yet: importing the
same file twice adds nothing. Bad rows are reported as FILE:LINE: message and
skipped, unless --strict. A report whose id (the source's own, else
FILE:LINE with the file's base name) is already stored with other content
stops the import with an error naming both: rename one of two different
files that share a name.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, p := range args {
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				err = e.importFile(cmd.Context(), st, f, p, sites, importer.Format(format), strict)
				f.Close()
				if err != nil {
					return err
				}
			}
			return analyze(cmd.Context(), st)
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().BoolVar(&sites, "sites", false, "the files hold protected sites (GPPD CSV, sites CSV or GeoJSON)")
	cmd.Flags().StringVar(&format, "format", "", "input format (default: detect from the header)")
	cmd.Flags().BoolVar(&strict, "strict", false, "stop at the first bad row")
	return cmd
}

const importBatch = 5000

// importFile imports one open file named p.
func (e *env) importFile(ctx context.Context, st truce.Store, f fs.File, p string, sites bool, format importer.Format, strict bool) error {
	var err error
	if !sites && (format == importer.FormatFIRMS || (format == "" && isFIRMS(p))) {
		return e.importHotspots(ctx, st, f, p, strict)
	}
	var in io.Reader = f
	if osf, ok := f.(*os.File); ok {
		var done func()
		in, done = e.progress(osf, p)
		defer done()
	}
	opt := importer.Options{Format: format, File: path.Base(p), Strict: strict}
	bad := func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) }
	added := 0
	var stats importer.Stats
	if sites {
		var batch []*truce.Site
		stats, err = importer.ReadSites(in, opt, func(s *truce.Site) error {
			batch = append(batch, s)
			return nil
		}, bad)
		if err == nil {
			added, err = st.PutSites(ctx, batch)
		}
	} else {
		var batch []*truce.Report
		flush := func() error {
			n, _, err := importer.PutReports(ctx, st, truce.System, batch, truce.PutOptions{Published: true})
			added += n
			batch = batch[:0]
			return err
		}
		stats, err = importer.ReadReports(in, opt, func(r *truce.Report) error {
			batch = append(batch, r)
			if len(batch) == importBatch {
				return flush()
			}
			return nil
		}, bad)
		if err == nil && len(batch) > 0 {
			err = flush()
		}
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", p, err)
	}
	kind := "reports"
	if sites {
		kind = "sites"
	}
	fmt.Fprintf(e.stderr, "%s: %d read, %d accepted, %d rejected; %d new %s stored, %d already stored\n",
		p, stats.Read, stats.Accepted, stats.Rejected, added, kind, stats.Accepted-added)
	return nil
}

// importHotspots stores the sensor alerts of a FIRMS file: a hotspot is
// evidence, not a claim, so only those near a covered site while a phase
// was in force (under the stored agreement) become reports, source
// "firms", with the site, distance, FRP, confidence and pixel size. They
// corroborate the reports of the same event when incidents are grouped.
func (e *env) importHotspots(ctx context.Context, st truce.Store, f fs.File, p string, strict bool) error {
	v, err := st.LatestAgreement(ctx, "")
	if err != nil {
		return fmt.Errorf("import %s: hotspots are kept only as sensor alerts on covered sites, which needs an agreement: run truce adjudicate first (%s)", p, truce.ErrorMessage(err))
	}
	a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
	if err != nil {
		return err
	}
	sites, err := st.Sites(ctx)
	if err != nil {
		return err
	}
	ix := sensor.NewIndex(a, sites)
	var in io.Reader = f
	if osf, ok := f.(*os.File); ok {
		var done func()
		in, done = e.progress(osf, p)
		defer done()
	}
	var batch []*truce.Report
	added, alerts := 0, 0
	flush := func() error {
		n, _, err := importer.PutReports(ctx, st, truce.System, batch, truce.PutOptions{Published: true})
		added += n
		batch = batch[:0]
		return err
	}
	stats, err := importer.ReadHotspots(in, importer.Options{Format: importer.FormatFIRMS, File: path.Base(p), Strict: strict}, func(h *importer.Hotspot) error {
		as := ix.Alerts(h)
		if len(as) == 0 {
			return nil
		}
		alerts++
		al := as[0]
		r := h.Report(path.Base(p))
		r.Site, r.Category = al.Site, al.Category
		scan, track := h.PixelSizeMeters()
		r.Text = fmt.Sprintf("Sensor alert: %s %s hotspot %.0f m from %s (%s), FRP %.1f MW, confidence %s, pixel %.0f x %.0f m",
			h.Instrument, h.Satellite, al.DistanceMeters, strings.TrimSpace(al.SiteName), al.Category, h.FRPMegawatts, h.Confidence, scan, track)
		batch = append(batch, r)
		if len(batch) == importBatch {
			return flush()
		}
		return nil
	}, func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) })
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", p, err)
	}
	fmt.Fprintf(e.stderr, "%s: %d hotspots read, %d accepted, %d rejected; %d sensor alerts (near a covered site while a phase was in force), %d new stored\n",
		p, stats.Read, stats.Accepted, stats.Rejected, alerts, added)
	return nil
}

func (e *env) adjudicateCmd() *cobra.Command {
	var db, agreementPath string
	cmd := &cobra.Command{
		Use:   "adjudicate --agreement A",
		Short: "Store the agreement (as a new version if it changed) and judge every stored report against it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			bundle, a, err := agreement.BundleFile(agreementPath)
			if err != nil {
				return e.agreementErr(agreementPath, err)
			}
			if err := e.adjudicate(cmd.Context(), st, a, bundle); err != nil {
				return err
			}
			return analyze(cmd.Context(), st)
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&agreementPath, "agreement", "", "agreement file (YAML)")
	must(cmd.MarkFlagRequired("agreement"))
	return cmd
}

func (e *env) agreementErr(p string, err error) error {
	var ps agreement.Problems
	if errors.As(err, &ps) {
		for _, pr := range ps {
			fmt.Fprintln(e.stderr, pr.String())
		}
		return silentError{fmt.Errorf("%s: %d problem(s)", p, len(ps))}
	}
	return fmt.Errorf("agreement %s: %w", p, err)
}

func (e *env) adjudicate(ctx context.Context, st truce.Store, a *truce.Agreement, bundle []byte) error {
	v, created, err := st.PutAgreement(ctx, truce.System, a.ID, bundle)
	if err != nil {
		return err
	}
	sites, err := st.Sites(ctx)
	if err != nil {
		return err
	}
	res, err := pipeline.Stored(ctx, st, truce.System, adjudicate.New(a, sites), a.ID, v.Version)
	if err != nil {
		return fmt.Errorf("adjudicate: %w", err)
	}
	violation, disputed, undetermined := res.Outcomes[truce.OutcomeViolation], res.Outcomes[truce.OutcomeDisputed], res.Outcomes[truce.OutcomeUndetermined]
	state := "unchanged"
	if created {
		state = "new"
	}
	fmt.Fprintf(e.stderr, "agreement %s version %d (%s, sha256 %s): %d reports judged against %d sites: %d violation, %d disputed, %d undetermined, %d not prohibited; %d judgements new or changed; %d incidents merged into others as reports of the same event\n",
		a.ID, v.Version, state, v.SHA256[:12], res.Judged, len(sites), violation, disputed, undetermined, res.Judged-violation-disputed-undetermined, res.Changed, res.Merged)
	return nil
}

func (e *env) reportCmd() *cobra.Command {
	var db, id, format, from, to string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print the period report of the stored record: counts per phase and party, a daily series, violations and disputed cases",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			return e.printReport(cmd.Context(), st, truce.AgreementID(id), format, from, to)
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&id, "agreement", "", "agreement id (default: the most recently stored)")
	cmd.Flags().StringVar(&format, "format", "md", "output format: "+strings.Join(report.SummaryFormats, ", ")+", html or pdf")
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, in the agreement's time zone)")
	cmd.Flags().StringVar(&to, "to", "", "last day (YYYY-MM-DD, included)")
	return cmd
}

func (e *env) printReport(ctx context.Context, st truce.Store, id truce.AgreementID, format, from, to string) error {
	v, err := st.LatestAgreement(ctx, id)
	if err != nil {
		return fmt.Errorf("report: %s", truce.ErrorMessage(err))
	}
	a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
	if err != nil {
		return fmt.Errorf("report: stored agreement %s version %d: %w", v.ID, v.Version, err)
	}
	var f truce.ReportFilter
	for _, d := range []struct {
		s   string
		dst **time.Time
		end bool
	}{{from, &f.Since, false}, {to, &f.Until, true}} {
		if d.s == "" {
			continue
		}
		t, err := agreement.ParseTime(d.s, a.Timezone, d.end)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		*d.dst = &t
	}
	s := report.NewSummary(a, v.Version)
	if err := st.Judgements(ctx, v.ID, v.Version, f, func(r *truce.Report, j *truce.Judgement) error {
		s.Add(r, j)
		return nil
	}); err != nil {
		return err
	}
	if format != "html" && format != "pdf" {
		return report.WriteSummary(e.stdout, s, format)
	}
	d, err := report.Gather(ctx, st, a, v, s, truce.ReportFilter{}, from, to)
	if err != nil {
		return err
	}
	if format == "pdf" {
		return report.WritePDF(e.stdout, d)
	}
	return report.WriteHTML(e.stdout, d)
}
