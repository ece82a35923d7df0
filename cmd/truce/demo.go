package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"truce/examples"
	"truce/internal/agreement"
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
			if err := e.printReport(ctx, st, a.ID, format, "", ""); err != nil {
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
