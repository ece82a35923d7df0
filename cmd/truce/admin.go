package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/agreement"
	"truce/internal/ledger"
)

func (e *env) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke API tokens"}
	var db, role, party, name, expires string
	create := &cobra.Command{
		Use:   "create --role ROLE [--party ID]",
		Short: "Create a token and print its secret (shown once; only its hash is stored)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := truce.Role(role)
			if !r.Known() {
				return fmt.Errorf("--role %q: want admin, monitor, party or observer", role)
			}
			var ttl time.Duration
			if expires != "" {
				d, err := parseDays(expires)
				if err != nil {
					return err
				}
				ttl = d
			}
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			secret, t := truce.NewToken(r, truce.PartyID(party), name, ttl, time.Now())
			if err := t.Validate(); err != nil {
				return errors.New(truce.ErrorMessage(err))
			}
			// A party token acts for a party of the stored agreement.
			if party != "" {
				if v, err := st.LatestAgreement(cmd.Context(), ""); err == nil {
					a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
					if err != nil {
						return err
					}
					if _, ok := a.Party(truce.PartyID(party)); !ok {
						return fmt.Errorf("--party %q: not a party of the current agreement %s", party, a.ID)
					}
				}
			}
			if err := st.CreateToken(cmd.Context(), t); err != nil {
				return fmt.Errorf("token: %s", truce.ErrorMessage(err))
			}
			fmt.Fprintln(e.stdout, secret)
			fmt.Fprintf(e.stderr, "token %s (%s%s) created; keep the secret above, it is not stored\n", t.ID, t.Role, partySuffix(t.Party))
			return nil
		},
	}
	dbFlag(create, &db)
	create.Flags().StringVar(&role, "role", "", "admin, monitor, party or observer")
	create.Flags().StringVar(&party, "party", "", "the party a party token acts for")
	create.Flags().StringVar(&name, "name", "", "who holds it")
	create.Flags().StringVar(&expires, "expires", "", "lifetime, e.g. 30d or 12h (default: no expiry)")
	must(create.MarkFlagRequired("role"))

	list := &cobra.Command{
		Use: "list", Short: "List tokens", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			ts, err := st.Tokens(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tROLE\tPARTY\tNAME\tCREATED\tEXPIRES\tREVOKED")
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.Party, t.Name, t.CreatedAt.Format(time.RFC3339), fmtOpt(t.ExpiresAt), fmtOpt(t.RevokedAt))
			}
			return tw.Flush()
		},
	}
	dbFlag(list, &db)
	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Revoke a token", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeToken(cmd.Context(), args[0], time.Now()); err != nil {
				return fmt.Errorf("revoke: %s", truce.ErrorMessage(err))
			}
			fmt.Fprintf(e.stderr, "token %s revoked\n", args[0])
			return nil
		},
	}
	dbFlag(revoke, &db)
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func partySuffix(p truce.PartyID) string {
	if p == "" {
		return ""
	}
	return " for " + string(p)
}

func fmtOpt(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func parseDays(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want e.g. 30d or 12h", s)
	}
	return d, nil
}

func (e *env) logCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "log", Short: "Verify and export the tamper-evident log"}
	var db, bundle, key, out string
	var wc witnessCheck
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the whole log: every record against its hashes, every checkpoint's signature and consistency, every stored row against its record",
		Long: `verify recomputes the Merkle tree from the stored records, compares every
stored hash, checks every signed checkpoint and that each is consistent with
the one before, and checks every row that a page, an export or a permission
decision reads against the log: reports, agreement versions, events,
evidence, judgements, sites, tokens and the current agreement against the
records they name or that log them, and each incident's workflow state and
figures against what the records derive them to (docs/operations.md lists
every column). It exits non-zero, naming the row, on the first mismatch.
With --bundle it checks
an exported bundle offline, without a database (give --key to trust a key
you obtained independently). --policy and --against check the witnesses'
cosignatures (docs/operations.md, "Witnesses").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if bundle != "" {
				f, err := os.Open(bundle)
				if err != nil {
					return err
				}
				defer f.Close()
				rep, err := ledger.VerifyBundle(f, key)
				fmt.Fprintln(e.stdout, rep.String())
				if err != nil {
					return fmt.Errorf("bundle %s: %w", bundle, err)
				}
				if err := e.bundleWitnessed(cmd.Context(), wc, bundle, rep); err != nil {
					return fmt.Errorf("bundle %s: %w", bundle, err)
				}
				fmt.Fprintln(e.stdout, "bundle verified")
				return nil
			}
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			_, vk, err := st.LogKey(cmd.Context())
			if err != nil {
				return err
			}
			if key != "" {
				vk = key
			}
			src, done, err := st.LogSource(cmd.Context())
			if err != nil {
				return err
			}
			rep, err := ledger.Verify(cmd.Context(), src, vk)
			fmt.Fprintln(e.stdout, rep.String())
			if err == nil && wc != (witnessCheck{}) {
				err = storeWitnessed(cmd.Context(), e.stdout, wc, st, src, vk, rep)
			}
			done()
			if err != nil {
				return fmt.Errorf("log verify: %w", err)
			}
			rc, err := st.VerifyRows(cmd.Context())
			if err != nil {
				return fmt.Errorf("log verify: %w", err)
			}
			fmt.Fprintf(e.stdout, "rows checked against the log: %s\n", rc)
			fmt.Fprintln(e.stdout, "log verified")
			return nil
		},
	}
	dbFlag(verify, &db)
	verify.Flags().StringVar(&bundle, "bundle", "", "verify an exported bundle instead of the database")
	verify.Flags().StringVar(&key, "key", "", "the verifier key to trust (default: the store's, or the bundle's)")
	verify.Flags().StringVar(&wc.policy, "policy", "", "an agreement file whose witness policy the log must meet: every record covered by a checkpoint cosigned by enough of its witnesses")
	verify.Flags().StringVar(&wc.against, "against", "", "a file holding a signed checkpoint of the same log shown to someone else (e.g. a witness's latest): fails, naming both roots and their signers, if it is a split view")
	export := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Write a self-contained bundle of the log (records, checkpoints, key) for offline verification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			_, vk, err := st.LogKey(cmd.Context())
			if err != nil {
				return err
			}
			src, done, err := st.LogSource(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			return writeFileAtomic(out, func(f *os.File) error { return ledger.ExportBundle(cmd.Context(), src, vk, f) })
		},
	}
	dbFlag(export, &db)
	export.Flags().StringVar(&out, "out", "truce-log.jsonl", "bundle file to write")
	cmd.AddCommand(verify, export)
	return cmd
}

// writeFileAtomic writes a file through a temporary file that is synced
// and renamed into place, then syncs the directory.
func writeFileAtomic(path string, write func(*os.File) error) error {
	dir := "."
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir = path[:i]
		if dir == "" {
			dir = "/"
		}
	}
	f, err := os.CreateTemp(dir, ".truce-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
