package main

import (
	"context"
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

// groupStored groups the stored reports under agreement version (id,
// version) and merges their incidents as adjudicate.PlanMerges plans:
// each group's reports move into the incident of its earliest report,
// reports are grouped only within one audience (published, or one
// party's or the monitors' unpublished ones), and incidents already
// under review are left alone: a monitor decides about those.
func groupStored(ctx context.Context, st truce.Store, id truce.AgreementID, version int) (merged int, err error) {
	incidents, err := incidentsByReport(ctx, st)
	if err != nil {
		return 0, err
	}
	var ps []adjudicate.Placed
	if err := st.Judgements(ctx, id, version, truce.ReportFilter{}, func(r *truce.Report, j *truce.Judgement) error {
		in := incidents[r.ID]
		if in == nil {
			return nil // stored since the incidents were read: grouped next time
		}
		f := j.Facts
		ps = append(ps, adjudicate.Placed{Member: adjudicate.Member{Report: r, Facts: &f}, Incident: in})
		return nil
	}); err != nil {
		return 0, err
	}
	ops := adjudicate.PlanMerges(ps, adjudicate.DefaultGroupOptions)
	// One transaction per few thousand merges: one fsync, not one per merge.
	for len(ops) > 0 {
		n := min(len(ops), 5000)
		m, err := st.MergeMany(ctx, truce.System, ops[:n])
		if err != nil {
			return merged, err
		}
		merged += m
		ops = ops[n:]
	}
	return merged, nil
}

// everyIncident is the principal groupStored reads incidents as: the
// operator's command line reads every incident, published or not.
var everyIncident = truce.Principal{TokenID: "system", Role: truce.RoleMonitor}

// incidentsByReport returns the incident of every stored report, a page
// of a thousand incidents per query.
func incidentsByReport(ctx context.Context, st truce.Store) (map[truce.ReportID]*truce.Incident, error) {
	out := map[truce.ReportID]*truce.Incident{}
	f := truce.IncidentFilter{Visibility: everyIncident, Limit: 1000}
	for {
		page, next, err := st.Incidents(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page {
			in := &page[i].Incident
			for _, r := range in.Reports {
				out[r] = in
			}
		}
		if next == "" {
			return out, nil
		}
		f.After = next
	}
}
