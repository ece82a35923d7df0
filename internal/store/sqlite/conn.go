package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"

	"truce/internal/store/sqlstore"
)

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	// QueryContext runs a query that returns rows.
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	// QueryRowContext runs a query for one row.
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	// ExecContext runs a statement.
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// conn adapts a database handle or transaction to sqlstore.DB.
type conn struct{ q queryer }

// Query runs a query.
func (c conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	return sqlRows{rows}, nil
}

// QueryRow runs a query for one row.
func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Scanner {
	return sqlRow{c.q.QueryRowContext(ctx, q, args...)}
}

// Exec runs a statement and returns how many rows it affected.
func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := c.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, classify(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	return n, nil
}

type sqlRows struct{ *sql.Rows }

// Close closes the rows; database/sql reports their errors through Err.
func (r sqlRows) Close() { _ = r.Rows.Close() }

type sqlRow struct{ *sql.Row }

// Scan reads the row, classifying its errors.
func (r sqlRow) Scan(dest ...any) error { return classify(r.Row.Scan(dest...)) }

// classify wraps err in the sqlstore error it is, by its SQLite result
// code, never by its message.
func classify(err error) error {
	var se interface{ Code() int }
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %w: %w", sqlstore.ErrNoRows, err)
	case !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT:
		return fmt.Errorf("sqlite: %w", err)
	case se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("sqlite: %w: %w", sqlstore.ErrForeignKey, err)
	}
	// A key violation, or another constraint SQLite checks: the store
	// answers all of them as a conflict with what is stored.
	return fmt.Errorf("sqlite: %w: %w", sqlstore.ErrUnique, err)
}
