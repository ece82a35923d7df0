package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/agreement"
	"truce/internal/importer"
	"truce/internal/report"
)

// Kinds of field monitoring file truce import reads (issue 19).
const (
	importObservationsKind = "observations"
	importRestrictionsKind = "restrictions"
)

// importField imports one open file of observations or restrictions
// (kind) named p, in truce's field format (docs/field-format.md).
func (e *env) importField(ctx context.Context, st truce.Store, f fs.File, p, kind string, strict, published bool) error {
	var in io.Reader = f
	if osf, ok := f.(*os.File); ok {
		var done func()
		in, done = e.progress(osf, p)
		defer done()
	}
	opt := importer.FieldOptions{File: path.Base(p), Strict: strict, Published: published}
	bad := func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) }
	var (
		stats importer.Stats
		added int
		err   error
	)
	if kind == importObservationsKind {
		var obs []*truce.Observation
		stats, err = importer.ReadObservations(in, opt, func(o *truce.Observation) error { obs = append(obs, o); return nil }, bad)
		if err == nil {
			added, err = st.PutObservations(ctx, truce.System, obs)
		}
	} else {
		var rs []*truce.AccessRestriction
		stats, err = importer.ReadRestrictions(in, opt, func(r *truce.AccessRestriction) error { rs = append(rs, r); return nil }, bad)
		if err == nil {
			added, err = st.PutRestrictions(ctx, truce.System, rs)
		}
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", p, err)
	}
	fmt.Fprintf(e.stderr, "%s: %d read, %d accepted, %d rejected; %d new %s stored, %d already stored\n",
		p, stats.Read, stats.Accepted, stats.Rejected, added, kind, stats.Accepted-added)
	return nil
}

func (e *env) dailyCmd() *cobra.Command {
	var db, id, format string
	cmd := &cobra.Command{
		Use:   "daily DATE",
		Short: "Print the daily report of DATE: per area and side, violations observed and alleged, explosions by kind, restrictions of access, beside the previous day, with running totals since the last recommitment",
		Long: `daily prints the mission's daily report of DATE (YYYY-MM-DD, in the agreement's
time zone), as the OSCE SMM published it: the monitors' observations (counted as
events, explosions by kind), the reports judged violation or disputed (allegations)
and the restrictions of the monitors' access, per area and per side, each beside
the previous day, with running totals since the latest recommitment the agreement
names on or before DATE (its recommitments key), else since the first record.
Observations and restrictions are judged under the current agreement.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			return e.printDaily(cmd.Context(), st, truce.AgreementID(id), args[0], format)
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&id, "agreement", "", "agreement id (default: the current agreement)")
	cmd.Flags().StringVar(&format, "format", "json", "output format: json, html or pdf")
	return cmd
}

func (e *env) printDaily(ctx context.Context, st truce.Store, id truce.AgreementID, day, format string) error {
	if format != "json" && format != "html" && format != "pdf" {
		return truce.Errorf(truce.EINVALID, "daily: --format %q: want json, html or pdf", format)
	}
	v, err := st.LatestAgreement(ctx, id)
	if err != nil {
		return fmt.Errorf("daily: %s", truce.ErrorMessage(err))
	}
	a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
	if err != nil {
		return fmt.Errorf("daily: stored agreement %s version %d: %w", v.ID, v.Version, err)
	}
	d, err := report.GatherDaily(ctx, st, a, v, day, nil)
	if err != nil {
		return err
	}
	switch format {
	case "html":
		return report.WriteDailyHTML(e.stdout, d)
	case "pdf":
		return report.WriteDailyPDF(e.stdout, d)
	}
	return report.WriteDailyJSON(e.stdout, d)
}
