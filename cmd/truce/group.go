package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/importer"
)

func (e *env) groupCmd() *cobra.Command {
	var agreementPath, format string
	var siteFiles, reportFiles []string
	cmd := &cobra.Command{
		Use:   "group --agreement A --sites FILE --reports FILE...",
		Short: "Group reports of the same event into incidents and count their independent sources (stateless)",
		Long: `group judges the reports (to learn their perpetrators, sites and target
categories), then groups reports of the same event: near in space and time,
the same site or target, compatible actors; reposts of the same text count
once. Each incident is printed with its reports and an explanation such as
"3 reports from 2 independent sources, within 1.2 km and 5 hours". The stored
workflow does the same in 'truce adjudicate', merging the stored incidents.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := loadAgreement(e.stderr, agreementPath)
			if err != nil {
				return err
			}
			sites, err := e.loadSites(siteFiles, false)
			if err != nil {
				return err
			}
			j := adjudicate.New(a, sites)
			var ms []adjudicate.Member
			for _, p := range reportFiles {
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				_, err = importer.ReadReports(f, importer.Options{File: filepath.Base(p)}, func(r *truce.Report) error {
					jd := j.Judge(r)
					ms = append(ms, adjudicate.Member{Report: r, Facts: &jd.Facts})
					return nil
				}, func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) })
				f.Close()
				if err != nil {
					return fmt.Errorf("reports %s: %w", p, err)
				}
			}
			gs := adjudicate.GroupReports(ms, adjudicate.DefaultGroupOptions)
			fmt.Fprintf(e.stderr, "%d reports grouped into %d incidents\n", len(ms), len(gs))
			return writeGroups(e, gs, format)
		},
	}
	cmd.Flags().StringVar(&agreementPath, "agreement", "", "agreement file (YAML)")
	cmd.Flags().StringSliceVar(&siteFiles, "sites", nil, "protected sites")
	cmd.Flags().StringSliceVar(&reportFiles, "reports", nil, "report files (repeatable)")
	cmd.Flags().StringVar(&format, "format", "jsonl", "output format: jsonl or table")
	must(cmd.MarkFlagRequired("agreement"))
	must(cmd.MarkFlagRequired("reports"))
	return cmd
}

type groupJSON struct {
	Incident      string   `json:"incident"`
	Reports       []string `json:"reports"`
	Sources       []string `json:"sources"`
	SensorAlerts  int      `json:"sensor_alerts"`
	Corroboration int      `json:"corroboration"`
	Explanation   string   `json:"explanation"`
}

func writeGroups(e *env, gs []adjudicate.Group, format string) error {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, g := range gs {
			if err := enc.Encode(groupJSON{Incident: string(g.ID), Reports: joinIDsList(g.Reports), Sources: g.Sources,
				SensorAlerts: g.Alerts, Corroboration: g.Corroboration(), Explanation: g.Explanation}); err != nil {
				return err
			}
		}
		return nil
	case "table":
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "INCIDENT\tREPORTS\tCORROBORATION\tEXPLANATION")
		for _, g := range gs {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", g.ID, len(g.Reports), g.Corroboration(), g.Explanation)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown format %q: want jsonl or table", format)
}

func joinIDsList[T ~string](ids []T) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
