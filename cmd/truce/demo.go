package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"truce"
	"truce/examples"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/pipeline"
	"truce/internal/report"
)

func (e *env) demoCmd() *cobra.Command {
	var db, format string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the bundled 2025 energy-ceasefire scenario end to end and print its report",
		Long: `demo checks the bundled agreement (the phased ceasefire of March 2025),
imports the real GPPD power plants, the VIINA incident reports of March and
April 2025 and the parties' own claims and tallies of the moratorium into an
embedded database, judges every report and prints the
period report. Everything is inside the binary: no network, no checkout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			keep := db != ""
			if db == "" {
				dir, err := os.MkdirTemp("", "truce-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				db = filepath.Join(dir, "truce.db")
			}
			st, err := openStore(ctx, db)
			if err != nil {
				return err
			}
			defer st.Close()
			bundle, a, err := agreement.Bundle(examples.FS, examples.EnergyAgreement)
			if err != nil {
				return e.agreementErr(examples.EnergyAgreement, err)
			}
			fmt.Fprintf(e.stderr, "agreement %s: %s\n", a.ID, a.Title)
			files := append([]string{examples.EnergySites}, examples.EnergyReports...)
			for i, p := range files {
				f, err := examples.FS.Open(p)
				if err != nil {
					return err
				}
				err = e.importFile(ctx, st, f, p, i == 0, "", false)
				f.Close()
				if err != nil {
					return err
				}
			}
			for _, c := range demoClaims {
				f, err := examples.FS.Open(c.file)
				if err != nil {
					return err
				}
				err = e.importClaims(ctx, st, f, c.file, c.kind, true, a)
				f.Close()
				if err != nil {
					return err
				}
			}
			if err := e.adjudicate(ctx, st, a, bundle); err != nil {
				return err
			}
			if err := e.printReport(ctx, st, reportArgs{id: a.ID, format: format, lang: "en"}); err != nil {
				return err
			}
			if err := e.printTimeline(ctx, st, a, format); err != nil {
				return err
			}
			if keep {
				fmt.Fprintf(e.stderr, "\nBrowse it: truce serve --db %s  (then open http://127.0.0.1:8080/)\n", db)
			} else {
				fmt.Fprintln(e.stderr, "\nTo keep the database and browse the dashboard: go run ./cmd/truce demo --db demo.db && go run ./cmd/truce serve --db demo.db")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "keep the demo database in this SQLite file (default: a temporary file)")
	cmd.Flags().StringVar(&format, "format", "md", "report format: "+strings.Join(report.SummaryFormats, ", "))
	return cmd
}

var _ fs.FS = examples.FS

// demoClaims are the parties' claims and tallies of the energy scenario,
// imported after its reports (see its claims/README.md).
var demoClaims = []struct{ file, kind string }{
	{"energy-ceasefire-2025/claims/claims_2025.csv", importClaimsKind},
	{"energy-ceasefire-2025/claims/tallies_2025.csv", importTalliesKind},
}

// printTimeline prints the agreement's timeline per phase and reading
// (issue 15) after the report: on stdout under a Markdown report, else on
// stderr, so that a JSON or CSV report stays well formed.
func (e *env) printTimeline(ctx context.Context, st truce.Store, a *truce.Agreement, format string) error {
	v, err := st.LatestAgreement(ctx, a.ID)
	if err != nil {
		return err
	}
	tl, err := pipeline.Timeline(ctx, st, adjudicate.New(a, nil), a.ID, v.Version, nil)
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	w := e.stderr
	if format == "md" {
		w = e.stdout
	}
	fmt.Fprintf(w, "\n## Timeline per reading\n")
	for i, rt := range tl.Readings {
		if i == 0 || rt.Phase != tl.Readings[i-1].Phase {
			fmt.Fprintf(w, "\n### Phase %s: %s\n", rt.Phase, rt.PhaseName)
		}
		fmt.Fprintf(w, "\n%s:\n", readingName(rt))
		if len(rt.Events) > 0 {
			fmt.Fprintln(w)
		}
		for _, ev := range rt.Events {
			fmt.Fprintf(w, "- %s  %s\n", ev.At.In(a.Timezone).Format("2006-01-02 15:04"), ev.Text)
		}
		fmt.Fprintf(w, "\n%s\n", rt.Summary)
	}
	return nil
}

// readingName names a reading by the parties holding it.
func readingName(rt adjudicate.ReadingTimeline) string {
	ps := make([]string, len(rt.Parties))
	for i, p := range rt.Parties {
		ps[i] = string(p)
	}
	if rt.Common {
		return "Common reading (" + strings.Join(ps, ", ") + ")"
	}
	return "Reading of " + strings.Join(ps, ", ")
}
