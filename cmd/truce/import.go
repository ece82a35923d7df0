package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/agreement"
	"truce/internal/importer"
	"truce/internal/sensor"
)

func (e *env) importCmd() *cobra.Command {
	var (
		db      string
		sites   bool
		claims  bool
		tallies bool
		obs     bool
		restr   bool
		unpub   bool
		format  string
		strict  bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import report files (or, with --sites, --claims or --tallies, protected sites or the parties' claims) into the store",
		Long: `import reads report files in any supported format (detected from the header,
or given with --format) and stores every report not stored yet: importing the
same file twice adds nothing. Bad rows are reported as FILE:LINE: message and
skipped, unless --strict. A report whose id (the source's own, else
FILE:LINE with the file's base name) is already stored with other content
stops the import with an error naming both: rename one of two different
files that share a name.

With --claims or --tallies the files hold the parties' own claims or their
stated tallies, in truce's claim format (CSV or JSON Lines, see
docs/claims-format.md), stored as published; claims without coordinates are
placed from their facility (a stored site, by name), settlement or region
(the current agreement's gazetteer), and the count placed on each basis is
printed. A different claim under a stored id stops the import.

With --observations or --restrictions the files hold the monitors' own
observations of ceasefire violations or the restrictions of their access, in
truce's field format (CSV or JSON Lines, see docs/field-format.md), stored as
published unless --unpublished. A different record under a stored id stops
the import.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			kind, err := importKind(format, importFlag{sites, "sites"}, importFlag{claims, importClaimsKind},
				importFlag{tallies, importTalliesKind}, importFlag{obs, importObservationsKind}, importFlag{restr, importRestrictionsKind})
			if err != nil {
				return err
			}
			for _, p := range args {
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				switch kind {
				case importClaimsKind, importTalliesKind:
					err = e.importClaims(cmd.Context(), st, f, p, kind, strict, nil)
				case importObservationsKind, importRestrictionsKind:
					err = e.importField(cmd.Context(), st, f, p, kind, strict, !unpub)
				default:
					err = e.importFile(cmd.Context(), st, f, p, sites, importer.Format(format), strict)
				}
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
	cmd.Flags().BoolVar(&claims, "claims", false, "the files hold the parties' claims (docs/claims-format.md)")
	cmd.Flags().BoolVar(&tallies, "tallies", false, "the files hold the parties' stated tallies (docs/claims-format.md)")
	cmd.Flags().BoolVar(&obs, "observations", false, "the files hold monitors' observations (docs/field-format.md)")
	cmd.Flags().BoolVar(&restr, "restrictions", false, "the files hold restrictions of the monitors' access (docs/field-format.md)")
	cmd.Flags().BoolVar(&unpub, "unpublished", false, "observations and restrictions: keep them unpublished (monitors and the party they name read them)")
	cmd.Flags().StringVar(&format, "format", "", "input format (default: detect from the header)")
	cmd.Flags().BoolVar(&strict, "strict", false, "stop at the first bad row")
	return cmd
}

const importBatch = 5000

// importFlag is one of import's flags that says what the files hold.
type importFlag struct {
	set  bool
	kind string
}

// importKind says what the files of one import hold, from its flags: at
// most one of --sites, --claims, --tallies, --observations and
// --restrictions, and --format only for reports and sites.
func importKind(format string, flags ...importFlag) (string, error) {
	n, kind := 0, ""
	for _, k := range flags {
		if k.set {
			n, kind = n+1, k.kind
		}
	}
	switch {
	case n > 1:
		return "", truce.Errorf(truce.EINVALID, "import: give at most one of --sites, --claims, --tallies, --observations and --restrictions")
	case format != "" && kind != "" && kind != "sites":
		return "", truce.Errorf(truce.EINVALID, "import: --format is for reports and sites; %s are CSV or JSON Lines, detected", kind)
	}
	return kind, nil
}

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
