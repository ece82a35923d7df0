package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"truce/internal/ledger"
	"truce/internal/store/migrate"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
)

// verifyAll checks a store's whole log and every row against it.
func verifyAll(ctx context.Context, b backend) (ledger.Report, ledger.RowCheck, error) {
	_, vk, err := b.LogKey(ctx)
	if err != nil {
		return ledger.Report{}, ledger.RowCheck{}, err
	}
	src, done, err := b.LogSource(ctx)
	if err != nil {
		return ledger.Report{}, ledger.RowCheck{}, err
	}
	rep, err := ledger.Verify(ctx, src, vk)
	done()
	if err != nil {
		return rep, ledger.RowCheck{}, err
	}
	rc, err := b.VerifyRows(ctx)
	return rep, rc, err
}

func (e *env) backupCmd() *cobra.Command {
	var db, out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE.db",
		Short: "Write a consistent copy of the database, online, as a SQLite file, and verify it",
		Long: `backup copies the whole database, the tamper-evident log included, from one
consistent snapshot while the server keeps running: a SQLite store with
VACUUM INTO, a PostgreSQL store table by table from one REPEATABLE READ
snapshot into a new SQLite file. The copy is then verified like 'truce log
verify'. 'truce restore' puts it back, into SQLite or PostgreSQL.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s already exists: back up into a new file", out)
			}
			if isPostgres(db) {
				src, err := postgres.Open(ctx, db)
				if err != nil {
					return err
				}
				defer src.Close()
				dst, err := sqlite.Create(ctx, out)
				if err != nil {
					return err
				}
				_, err = migrate.PostgresToSQLite(ctx, src.DB(), dst.DB(), nil)
				dst.Close()
				if err != nil {
					os.Remove(out)
					return err
				}
			} else {
				src, err := sqlite.Open(ctx, db)
				if err != nil {
					return err
				}
				err = src.Backup(ctx, out)
				src.Close()
				if err != nil {
					return err
				}
			}
			return e.reportVerified(ctx, out, "backup")
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&out, "out", "", "the backup file to write (a new SQLite database)")
	must(cmd.MarkFlagRequired("out"))
	return cmd
}

func (e *env) restoreCmd() *cobra.Command {
	var db, from string
	cmd := &cobra.Command{
		Use:   "restore --from FILE.db --db DSN",
		Short: "Restore a backup into a new SQLite file or an empty PostgreSQL database, and verify it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			src, err := sqlite.Open(ctx, from)
			if err != nil {
				return err
			}
			defer src.Close()
			if isPostgres(db) {
				dst, err := postgres.Open(ctx, db)
				if err != nil {
					return err
				}
				_, err = migrate.SQLiteToPostgres(ctx, src.DB(), dst.DB(), nil)
				dst.Close()
				if err != nil {
					return err
				}
			} else if err := src.Backup(ctx, db); err != nil {
				return err
			}
			return e.reportVerified(ctx, db, "restored database")
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&from, "from", "", "the backup file (a SQLite database written by truce backup)")
	must(cmd.MarkFlagRequired("from"))
	return cmd
}

// reportVerified opens the store at dsn, verifies it and says so.
func (e *env) reportVerified(ctx context.Context, dsn, what string) error {
	b, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer b.Close()
	rep, rc, err := verifyAll(ctx, b)
	if err != nil {
		return fmt.Errorf("the %s does not verify: %w", what, err)
	}
	fmt.Fprintf(e.stdout, "%s %s verified: %d log records, %d checkpoints, root %x…; %d reports, %d events, %d judgements checked\n",
		what, dsn, rep.Records, rep.Checkpoints, rep.Root[:6], rc.Reports, rc.Events, rc.Judgements)
	return nil
}
