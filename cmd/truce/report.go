package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/i18n"
	"truce/internal/report"
)

func (e *env) reportCmd() *cobra.Command {
	var db, id, format, from, to, lang string
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
			// The report shows the newest checkpoint: integrate first, so
			// that it covers every record written before the report.
			if _, err := st.Integrate(cmd.Context()); err != nil {
				return err
			}
			return e.printReport(cmd.Context(), st, reportArgs{id: truce.AgreementID(id), format: format, from: from, to: to, lang: lang})
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&id, "agreement", "", "agreement id (default: the most recently stored)")
	cmd.Flags().StringVar(&format, "format", "md", "output format: "+strings.Join(report.SummaryFormats, ", ")+", html or pdf")
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, in the agreement's time zone)")
	cmd.Flags().StringVar(&to, "to", "", "last day (YYYY-MM-DD, included)")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the md, html and pdf reports: "+strings.Join(i18n.Langs, ", "))
	return cmd
}

// reportArgs are the flags of truce report.
type reportArgs struct {
	id               truce.AgreementID
	format, from, to string
	lang             string // "en", "uk" or "ru"
}

func (e *env) printReport(ctx context.Context, st truce.Store, ra reportArgs) error {
	id, format, from, to := ra.id, ra.format, ra.from, ra.to
	if !i18n.Supported(ra.lang) {
		return fmt.Errorf("report: unknown language %q: want one of %s", ra.lang, strings.Join(i18n.Langs, ", "))
	}
	if ra.lang != "en" && format != "html" && format != "pdf" && format != "md" {
		return fmt.Errorf("report: --lang %s needs --format md, html or pdf", ra.lang)
	}
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
	s.Lang = ra.lang
	s.NoMap = format != "html" && format != "pdf"
	if ra.lang != "en" {
		sites, err := st.Sites(ctx)
		if err != nil {
			return err
		}
		s.Explain = report.Explainer(ctx, st, v, adjudicate.New(a, sites), ra.lang)
	}
	if err := s.AddJudgements(ctx, st, v.ID, v.Version, f); err != nil {
		return err
	}
	if format != "html" && format != "pdf" {
		if format != "csv" {
			// Claimed vs found; the CSV has the figures alone.
			if err := report.GatherClaims(ctx, st, a, v, s, truce.ReportFilter{}, from, to); err != nil {
				return err
			}
		}
		return report.WriteSummary(e.stdout, s, format)
	}
	d, err := report.Gather(ctx, st, a, v, s, truce.ReportFilter{}, from, to)
	if err != nil {
		return err
	}
	d.Lang = ra.lang
	if format == "pdf" {
		return report.WritePDF(e.stdout, d)
	}
	return report.WriteHTML(e.stdout, d)
}
