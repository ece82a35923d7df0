package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/pipeline"
)

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
