package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/importer"
	"truce/internal/report"
)

func (e *env) compareCmd() *cobra.Command {
	var agreements, siteFiles, reportFiles []string
	var format string
	cmd := &cobra.Command{
		Use:   "compare --agreement A --agreement B --sites FILE --reports FILE...",
		Short: "Show the reports whose outcome differs between two agreement texts (what would this draft have covered?)",
		Long: `compare judges the same reports against two agreement texts and lists every
report whose outcome differs, with both explanations, summarised by change,
target category, party and day. Negotiators use it before they sign: for
example the Kremlin's list of covered facilities against one that adds oil and
gas production, or a start on 18 against 25 March.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(agreements) != 2 {
				return fmt.Errorf("give exactly two --agreement files (got %d)", len(agreements))
			}
			var as [2]*truce.Agreement
			for i, p := range agreements {
				a, err := loadAgreement(e.stderr, p)
				if err != nil {
					return err
				}
				as[i] = a
			}
			sites, err := e.loadSites(siteFiles, false)
			if err != nil {
				return err
			}
			ja, jb := adjudicate.New(as[0], sites), adjudicate.New(as[1], sites)
			c := report.NewComparison(as[0], as[1])
			for _, p := range reportFiles {
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				in, done := e.progress(f, p)
				_, err = importer.ReadReports(in, importer.Options{File: filepath.Base(p)}, func(r *truce.Report) error {
					a, b := ja.Judge(r), jb.Judge(r)
					c.Add(r, &a, &b)
					return nil
				}, func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) })
				done()
				f.Close()
				if err != nil {
					return fmt.Errorf("reports %s: %w", p, err)
				}
			}
			return report.WriteComparison(e.stdout, c, format)
		},
	}
	cmd.Flags().StringArrayVar(&agreements, "agreement", nil, "agreement file; give two: A (the reference) and B (the draft)")
	cmd.Flags().StringSliceVar(&siteFiles, "sites", nil, "protected sites")
	cmd.Flags().StringSliceVar(&reportFiles, "reports", nil, "report files (repeatable)")
	cmd.Flags().StringVar(&format, "format", "md", "output format: md or json")
	must(cmd.MarkFlagRequired("reports"))
	return cmd
}
