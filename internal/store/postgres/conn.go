package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/store/sqlstore"
)

// SQLSTATE codes the store classifies.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeBadEncoding         = "22021" // character_not_in_repertoire, e.g. a NUL byte in text
	codeUntranslatable      = "22P05"
)

// pgCode returns err's SQLSTATE, or "" if err is not a server error.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// classify wraps err in the sqlstore error it is, by its SQLSTATE.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var kind error
	switch pgCode(err) {
	case codeUniqueViolation:
		kind = sqlstore.ErrUnique
	case codeForeignKeyViolation:
		kind = sqlstore.ErrForeignKey
	case codeBadEncoding, codeUntranslatable:
		kind = sqlstore.ErrText
	default:
		if errors.Is(err, pgx.ErrNoRows) {
			kind = sqlstore.ErrNoRows
		}
	}
	if kind == nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return fmt.Errorf("postgres: %w: %w", kind, err)
}

// querier is what a pool and a transaction have in common.
type querier interface {
	// Query runs a query that returns rows.
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	// QueryRow runs a query for one row.
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	// Exec runs a statement.
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// conn adapts a pool or transaction to sqlstore.DB.
type conn struct {
	q querier
	// keep runs statements to their end whatever their context: in a
	// transaction shared by several writes (group commit), one write's
	// cancelled request must not break the connection under the others.
	keep bool
}

// ctx is the context a statement runs with.
func (c conn) ctx(ctx context.Context) context.Context {
	if c.keep {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Query runs a query.
func (c conn) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.q.Query(c.ctx(ctx), sql, args...)
	return rows, classify(err)
}

// QueryRow runs a query for one row.
func (c conn) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Scanner {
	return sqlstore.ScanFunc(func(dest ...any) error { return classify(c.q.QueryRow(c.ctx(ctx), sql, args...).Scan(dest...)) })
}

// Exec runs a statement and returns how many rows it affected.
func (c conn) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	ct, err := c.q.Exec(c.ctx(ctx), sql, args...)
	if err != nil {
		return 0, classify(err)
	}
	return ct.RowsAffected(), nil
}

// dialect is how PostgreSQL's column types differ from SQLite's.
type dialect struct{}

// List reads a text[] column.
func (dialect) List(dest *[]string) any { return dest }

// ListValue writes a text[] column; none is the empty array, not NULL.
func (dialect) ListValue(ss []string) any {
	if ss == nil {
		return []string{}
	}
	return ss
}

// Aggregate reads an ARRAY(...) of text.
func (dialect) Aggregate(dest *[]string) any { return dest }

// ReportIDs aggregates with ARRAY(...).
func (dialect) ReportIDs(incident string) string {
	return `ARRAY(SELECT r.id FROM reports r WHERE r.incident_id = ` + incident + ` ORDER BY r.start_ns, r.id)`
}

// Param is $n.
func (dialect) Param(n int) string { return "$" + strconv.Itoa(n) }

// Borrow reads a bytea as pgx's DriverBytes.
func (dialect) Borrow(dest *[]byte) any { return (*pgtype.DriverBytes)(dest) }

// ReadHashes reads the stored hashes at indexes in one query.
func (dialect) ReadHashes(ctx context.Context, db sqlstore.DB, indexes []int64) ([]tlog.Hash, error) {
	type stored struct {
		idx  int64
		hash []byte
	}
	rows, err := sqlstore.List(ctx, db, "postgres: read hashes", func(sc sqlstore.Scanner) (*stored, error) {
		var s stored
		return &s, sc.Scan(&s.idx, &s.hash)
	}, `SELECT idx, hash FROM log_hashes WHERE idx = ANY($1)`, indexes)
	if err != nil {
		return nil, err
	}
	got := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		got[r.idx] = r.hash
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		b, ok := got[x]
		if ok && b == nil {
			b = []byte{} // present but empty: not the nil of a missing hash
		}
		if out[i], err = sqlstore.StoredHash(x, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}
