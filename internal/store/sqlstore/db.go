package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"truce"
)

// Scanner reads the columns of one row into dest: *sql.Row, *sql.Rows,
// pgx.Row and pgx.Rows all have it.
type Scanner interface {
	// Scan copies the columns of the row into dest, in order.
	Scan(dest ...any) error
}

// Rows is a result set being read: pgx.Rows has these methods, and the
// SQLite driver adapts *sql.Rows.
type Rows interface {
	Scanner
	// Next moves to the next row, false when there is none or reading
	// failed (Err).
	Next() bool
	// Err returns the error that ended the rows, if any.
	Err() error
	// Close ends the reading; its errors are reported by Err.
	Close()
}

// DB is a driver's connection pool or transaction, adapted: the shared
// code runs its SQL through it. Errors MUST be classified: a driver wraps
// its own errors in ErrNoRows, ErrUnique, ErrForeignKey or ErrText where
// they mean that.
type DB interface {
	// Query runs a query that returns rows; the caller closes them.
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// QueryRow runs a query for one row; its Scan returns an error
	// wrapping ErrNoRows when there is none.
	QueryRow(ctx context.Context, sql string, args ...any) Scanner
	// Exec runs a statement and returns how many rows it affected.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
}

// Classified driver errors. Drivers wrap their errors in these, by their
// codes, never by their messages (house style rule 20).
var (
	// ErrNoRows is a query for one row that found none.
	ErrNoRows = errors.New("sqlstore: no rows")
	// ErrUnique is a unique or primary key violation: the row exists.
	ErrUnique = errors.New("sqlstore: unique violation")
	// ErrForeignKey is a foreign key violation: a row it names is absent.
	ErrForeignKey = errors.New("sqlstore: foreign key violation")
	// ErrText is text the database cannot store (PostgreSQL text holds no
	// NUL byte nor invalid UTF-8).
	ErrText = errors.New("sqlstore: text the database cannot store")
)

// NotFound returns an ENOTFOUND error with the formatted message if err
// is ErrNoRows, and err wrapped with what otherwise.
func NotFound(err error, what, format string, args ...any) error {
	if errors.Is(err, ErrNoRows) {
		return truce.Errorf(truce.ENOTFOUND, format, args...)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ErrStale is the error of a write that found what was read ahead of it
// (Driver.ReadAhead) changed: it is run again, reading in the write.
var ErrStale = errors.New("what was read ahead of the write has changed")

// LaterError is the error of a statement run with WriteTx.ExecLater as a
// later statement of the write reports it. It does not unwrap: no code
// between the two mistakes it for the later statement's own error (a
// missing row, a duplicate key), and the store fails the write with Err,
// the failed statement's error, however it was wrapped on its way.
type LaterError struct{ Err error }

func (e *LaterError) Error() string { return e.Err.Error() }

// TextError returns EINVALID for text the database cannot store, which is
// the caller's input, and err wrapped with what otherwise.
func TextError(err error, what string) error {
	if errors.Is(err, ErrText) {
		return truce.Errorf(truce.EINVALID, "%s: text with a NUL byte or invalid UTF-8 cannot be stored", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Each runs query and calls fn with every row as scan reads it, stopping
// at fn's first error, which it returns as it is; the errors of the query
// and of scan are wrapped with what.
func Each[T any](ctx context.Context, db DB, what string, scan func(Scanner) (T, error), fn func(T) error, query string, args ...any) error {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return each(rows, what, scan, fn)
}

// Collect reads every row of rows with scan, and closes them.
func Collect[T any](rows Rows, scan func(Scanner) (T, error)) ([]T, error) {
	var out []T
	err := each(rows, "", scan, func(v T) error { out = append(out, v); return nil })
	return out, err
}

func each[T any](rows Rows, what string, scan func(Scanner) (T, error), fn func(T) error) error {
	defer rows.Close()
	wrap := func(err error) error {
		if what == "" {
			return err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return wrap(err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return wrap(err)
	}
	return nil
}

// List runs query and returns every row as scan reads it.
func List[T any](ctx context.Context, db DB, what string, scan func(Scanner) (*T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := Each(ctx, db, what, scan, func(v *T) error { out = append(out, *v); return nil }, query, args...)
	return out, err
}

// Column runs query, which selects one text column, and returns its
// values.
func Column(ctx context.Context, db DB, what, query string, args ...any) ([]string, error) {
	return List(ctx, db, what, func(sc Scanner) (*string, error) {
		var s string
		return &s, sc.Scan(&s)
	}, query, args...)
}

// ScanFunc adapts a function to a Scanner, so that a query can select
// more columns than a scan function reads.
type ScanFunc func(dest ...any) error

// Scan calls f.
func (f ScanFunc) Scan(dest ...any) error { return f(dest...) }

// ScanHeld calls scan, the reader of a held query's row
// (WriteTx.QueryRowLater), with the row sc reads, and returns scan's
// error or else the query's own, which fails the write even if scan made
// do without the row (a missing row, ErrNoRows, is not an error of the
// query).
func ScanHeld(scan func(Scanner) error, sc Scanner) error {
	var qerr error
	err := scan(ScanFunc(func(dest ...any) error {
		err := sc.Scan(dest...)
		if err != nil && !errors.Is(err, ErrNoRows) {
			qerr = err
		}
		return err
	}))
	if err == nil {
		err = qerr
	}
	return err
}

// WithExtra returns a Scanner that reads the columns its caller asks for
// from sc and then the following ones into extra.
func WithExtra(sc Scanner, extra ...any) Scanner {
	if len(extra) == 0 {
		return sc
	}
	return ScanFunc(func(dest ...any) error { return sc.Scan(append(dest, extra...)...) })
}

// Prefixed qualifies every column of a comma-separated list with prefix,
// e.g. the alias of a joined table ("r.").
func Prefixed(cols, prefix string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// Placeholders returns n placeholders numbered from first: "$3, $4, $5".
func Placeholders(first, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", first+i)
	}
	return strings.Join(ps, ", ")
}

// Texts converts typed ids to strings, e.g. for Dialect.ListValue.
func Texts[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// typed converts strings to typed ids; nil for none.
func typed[T ~string](xs []string) []T {
	var out []T
	for _, x := range xs {
		out = append(out, T(x))
	}
	return out
}
