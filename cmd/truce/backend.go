package main

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"truce/internal/store"
	"truce/internal/store/postgres"
	"truce/internal/store/sqlite"
)

// defaultDB is the embedded database file used when --db is not given.
const defaultDB = "truce.db"

func dbFlag(cmd *cobra.Command, p *string) {
	def := defaultDB
	if v := os.Getenv("TRUCE_DB"); v != "" {
		def = v
	}
	cmd.Flags().StringVar(p, "db", def, "database: a SQLite file, or postgres://user@host/db (env TRUCE_DB)")
}

// backend is a store with the log views every backend provides.
type backend = store.Backend

// analyze refreshes PostgreSQL's planner statistics after a bulk change
// (SQLite plans without them).
func analyze(ctx context.Context, st backend) error {
	if pg, ok := st.(*postgres.Store); ok {
		return pg.Analyze(ctx)
	}
	return nil
}

// isPostgres reports whether dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openStore(ctx context.Context, dsn string) (backend, error) {
	return openStoreWith(ctx, dsn, "")
}

// openStoreWith opens the store named by dsn (a SQLite file, or a
// postgres:// URL) and applies its migrations; origin names the log if its
// key is generated now.
func openStoreWith(ctx context.Context, dsn, origin string) (backend, error) {
	return openBackend(ctx, dsn, origin, false)
}

// openBackend opens a store; requireCurrent refuses an old schema instead
// of migrating it (the server's rule: migrations are an operator's step).
func openBackend(ctx context.Context, dsn, origin string, requireCurrent bool) (backend, error) {
	if isPostgres(dsn) {
		st, err := postgres.OpenWith(ctx, dsn, postgres.Options{LogOrigin: origin, RequireCurrentSchema: requireCurrent})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := sqlite.OpenWith(ctx, strings.TrimPrefix(dsn, "sqlite:"), sqlite.Options{LogOrigin: origin, RequireCurrentSchema: requireCurrent})
	if err != nil {
		return nil, err
	}
	return st, nil
}
