package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"truce/internal/ledger"
	"truce/internal/store/migrate"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
)

func (e *env) migrateCmd() *cobra.Command {
	var db, from, to string
	cmd := &cobra.Command{
		Use:   "migrate [--db DSN | --from truce.db --to postgres://...]",
		Short: "Apply the schema migrations, or copy a SQLite database into an empty PostgreSQL one",
		Long: `migrate applies the database's pending schema migrations (serve refuses to
start on an old schema). With --from and --to it copies every row of a SQLite
database, the tamper-evident log included byte for byte, into an empty
PostgreSQL database in one transaction, then verifies the copy: the log must
verify there exactly as it did in the original.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if from == "" && to == "" {
				st, err := openStore(ctx, db)
				if err != nil {
					return err
				}
				defer st.Close()
				fmt.Fprintf(e.stderr, "%s: schema up to date\n", db)
				return nil
			}
			if from == "" || to == "" || isPostgres(from) || !isPostgres(to) {
				return fmt.Errorf("give --from a SQLite file and --to a postgres:// URL")
			}
			src, err := sqlite.Open(ctx, from)
			if err != nil {
				return err
			}
			defer src.Close()
			dst, err := postgres.Open(ctx, to)
			if err != nil {
				return err
			}
			defer dst.Close()
			counts, err := migrate.SQLiteToPostgres(ctx, src.DB(), dst.DB(), func(table string, n int) {
				fmt.Fprintf(e.stderr, "  %-16s %d rows\n", table, n)
			})
			if err != nil {
				return err
			}
			b := backend(dst)
			_, vk, err := b.LogKey(ctx)
			if err != nil {
				return err
			}
			srcLog, done, err := b.LogSource(ctx)
			if err != nil {
				return err
			}
			rep, err := ledger.Verify(ctx, srcLog, vk)
			done()
			if err != nil {
				return fmt.Errorf("the copy does not verify: %w", err)
			}
			rc, err := b.VerifyRows(ctx)
			if err != nil {
				return fmt.Errorf("the copy does not verify: %w", err)
			}
			fmt.Fprintf(e.stdout, "copied %d reports, %d judgements and %d log records; the copy verifies: %d records, %d checkpoints, root %x…; %d rows checked\n",
				counts["reports"], counts["judgements"], counts["log_records"], rep.Records, rep.Checkpoints, rep.Root[:6],
				rc.Total())
			return nil
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&from, "from", "", "SQLite database to copy from")
	cmd.Flags().StringVar(&to, "to", "", "empty PostgreSQL database to copy into (postgres://...)")
	return cmd
}
