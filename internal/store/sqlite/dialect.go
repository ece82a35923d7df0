package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/store/sqlstore"
)

// dialect is how SQLite keeps what PostgreSQL keeps in other types.
type dialect struct{}

// List reads a |a|b| column.
func (dialect) List(dest *[]string) any { return barsScanner{dest} }

// ListValue writes a list as |a|b|, "" for none: the filters match |a| in
// it, exactly and case-sensitively (instr).
func (dialect) ListValue(ss []string) any { return bars(ss) }

// Aggregate reads a json_group_array.
func (dialect) Aggregate(dest *[]string) any { return jsonScanner{dest} }

// ReportIDs aggregates with json_group_array.
func (dialect) ReportIDs(incident string) string {
	return `(SELECT json_group_array(r.id ORDER BY r.start_ns, r.id) FROM reports r WHERE r.incident_id = ` + incident + `)`
}

// Param is ?: arguments bind in order.
func (dialect) Param(int) string { return "?" }

// Borrow reads a blob as database/sql's RawBytes.
func (dialect) Borrow(dest *[]byte) any { return (*sql.RawBytes)(dest) }

// ReadHashes reads stored hashes one by one: SQLite has no arrays to
// bind, and its lookups by primary key are cheap.
func (dialect) ReadHashes(ctx context.Context, db sqlstore.DB, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		var b []byte
		err := db.QueryRow(ctx, `SELECT hash FROM log_hashes WHERE idx = $1`, idx).Scan(&b)
		if err != nil && !errors.Is(err, sqlstore.ErrNoRows) {
			return nil, fmt.Errorf("sqlite: read hash %d: %w", idx, err)
		} else if err == nil && b == nil {
			b = []byte{} // present but empty: not the nil of a missing hash
		}
		if out[i], err = sqlstore.StoredHash(idx, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func bars(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return "|" + strings.Join(ss, "|") + "|"
}

func unbars(s string) []string {
	s = strings.Trim(s, "|")
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// barsScanner reads a list kept as |a|b| (or a|b, as actions are).
type barsScanner struct{ dest *[]string }

// Scan implements sql.Scanner.
func (b barsScanner) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*b.dest = unbars(v)
	case []byte:
		*b.dest = unbars(string(v))
	case nil:
		*b.dest = nil
	default:
		return fmt.Errorf("list column holds a %T", src)
	}
	return nil
}

// jsonScanner reads a JSON array of strings.
type jsonScanner struct{ dest *[]string }

// Scan implements sql.Scanner.
func (j jsonScanner) Scan(src any) error {
	switch v := src.(type) {
	case string:
		if ss, ok := plainStrings(v); ok {
			*j.dest = ss
			return nil
		}
		return json.Unmarshal([]byte(v), j.dest)
	case []byte:
		return json.Unmarshal(v, j.dest)
	}
	return fmt.Errorf("JSON column holds a %T", src)
}

// plainStrings reads a JSON array of strings as json_group_array writes
// it (["a","b"], no spaces) when none of its strings has an escape or
// a quote and it is valid UTF-8: what encoding/json would read, at a
// fraction of the cost. ok is false for anything else, which the caller
// reads with encoding/json. A listing reads one per incident.
func plainStrings(v string) (ss []string, ok bool) {
	if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' || strings.IndexByte(v, '\\') >= 0 || !utf8.ValidString(v) {
		return nil, false
	}
	in := v[1 : len(v)-1]
	if in == "" {
		return []string{}, true
	}
	if len(in) < 2 || in[0] != '"' || in[len(in)-1] != '"' {
		return nil, false
	}
	ss = strings.Split(in[1:len(in)-1], `","`)
	for _, s := range ss {
		if strings.IndexByte(s, '"') >= 0 || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 }) >= 0 {
			return nil, false
		}
	}
	return ss, true
}
