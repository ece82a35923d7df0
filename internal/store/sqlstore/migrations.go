package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered file of a driver's embedded migrations.
type Migration struct {
	Version int
	Name    string // its path in the driver's file system
}

// Migrations lists the files migrations/NNNN_name.sql of fsys, in version
// order.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", n)
		}
		ms = append(ms, Migration{v, n})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	return ms, nil
}

// Migrate calls apply with every migration of fsys, in version order,
// stopping at its first error.
func Migrate(fsys fs.FS, apply func(Migration) error) error {
	ms, err := Migrations(fsys)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := apply(m); err != nil {
			return err
		}
	}
	return nil
}

// Apply applies migration m from fsys on tx, a transaction the caller
// commits, unless schema_migrations records it as applied; then it
// records it, applied at ns (Unix nanoseconds).
func Apply(ctx context.Context, tx DB, fsys fs.FS, m Migration, ns int64) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(fsys, m.Name)
	if err != nil {
		return err
	}
	// Without arguments, a file of several statements runs as it is
	// (pgx uses the simple protocol).
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_ns) VALUES ($1, $2)`, m.Version, ns); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// UpToDate reports whether every migration of fsys is recorded in db's
// schema_migrations table, which MUST exist.
func UpToDate(ctx context.Context, db DB, fsys fs.FS) (bool, error) {
	ms, err := Migrations(fsys)
	if err != nil {
		return false, err
	}
	var max *int
	if err := db.QueryRow(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&max); err != nil {
		return false, fmt.Errorf("schema version: %w", err)
	}
	return len(ms) == 0 || (max != nil && *max >= ms[len(ms)-1].Version), nil
}
