// Package migrate copies a whole truce database from the embedded SQLite
// store into an empty PostgreSQL store, keeping every row and the
// tamper-evident log byte for byte, so that the copy verifies exactly as
// the original did.
//
// It is the one place that knows both backends' schemas: the two stores
// are otherwise independent. After copying, the caller should verify the
// destination (ledger.Verify and VerifyRows).
package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"truce/internal/store/sqlstore"
)

// table says how one table is copied: the SQLite columns to read and a
// conversion of each row into the PostgreSQL columns.
type table struct {
	name    string
	cols    []string // the same names in both schemas
	order   string
	convert func(v []any) error // in place; nil for none
}

// split turns SQLite's "|a|b|" or "a|b" text into a text[] value.
func split(v any) []string {
	s, _ := v.(string)
	s = strings.Trim(s, "|")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "|")
}

func boolean(v any) bool {
	switch x := v.(type) {
	case int64:
		return x != 0
	case bool:
		return x
	}
	return false
}

func bytesOf(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	case nil:
		return []byte{}
	}
	return nil
}

func textOf(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

var tables = []table{
	{name: "reports", order: "id", cols: []string{"id", "source", "source_id", "outlet", "file", "line", "original", "start_ns", "end_ns",
		"precision", "lon", "lat", "loc_prec_m", "place", "actor1", "actor2", "perpetrator", "actions", "event_type", "category", "site",
		"text", "fatalities", "created_ns", "incident_id", "submitted_by", "log_index"},
		convert: func(v []any) error { v[17] = split(v[17]); return nil }},
	{name: "sites", order: "id", cols: []string{"id", "name", "country", "lon", "lat", "category", "attrs", "capacity_mw", "source"},
		convert: func(v []any) error { v[6] = textOf(v[6]); return nil }},
	{name: "agreements", order: "id, version", cols: []string{"id", "version", "sha256", "bundle", "created_ns", "log_index"},
		convert: func(v []any) error { v[3] = bytesOf(v[3]); return nil }},
	{name: "judgements", order: "agreement, version, report_id", cols: []string{"report_id", "agreement", "version", "outcome", "explanation", "detail", "perpetrator", "phases", "log_index"},
		convert: func(v []any) error {
			// Both stores keep a detail packed (or, written before packing,
			// as its JSON) and read either form: it is copied as it is,
			// once it is known to unpack.
			b := bytesOf(v[5])
			if _, err := sqlstore.UnpackDetail(b); err != nil {
				return fmt.Errorf("judgement of report %v: %w", v[0], err)
			}
			v[5] = b
			v[7] = split(v[7])
			return nil
		}},
	{name: "judgement_briefs", order: "agreement, version, start_ns, report_id", cols: []string{"agreement", "version", "start_ns", "report_id", "brief"},
		convert: func(v []any) error { v[4] = bytesOf(v[4]); return nil }},
	{name: "incidents", order: "id", cols: []string{"id", "status", "published", "submitted_by", "contested_by", "merged_into", "created_ns", "updated_ns",
		"start_ns", "lon", "lat", "outcome", "parties", "phases", "explanation"},
		convert: func(v []any) error {
			v[2] = boolean(v[2])
			v[4] = split(v[4])
			v[12] = split(v[12])
			v[13] = split(v[13])
			return nil
		}},
	{name: "settings", order: "key", cols: []string{"key", "value"}},
	{name: "incident_events", order: "id", cols: []string{"id", "incident", "at_ns", "actor", "kind", "from_status", "to_status", "reason", "party", "response", "evidence", "other", "log_index"}},
	{name: "evidence", order: "incident, id", cols: []string{"id", "incident", "sha256", "media_type", "size", "description", "added_by", "at_ns", "content", "log_index"},
		convert: func(v []any) error { v[8] = bytesOf(v[8]); return nil }},
	{name: "tokens", order: "id", cols: []string{"id", "hash", "role", "party", "name", "created_ns", "expires_ns", "revoked_ns"}},
	{name: "claims", order: "id", cols: []string{"id", "claimant", "body", "accused", "stated_ns", "event_start_ns", "event_end_ns",
		"facility", "facility_kind", "settlement", "region", "site_country", "lon", "lat", "loc_prec_m", "placed_by", "site", "weapon",
		"consequences", "source_title", "source_url", "confidence", "note", "published", "file", "line"},
		convert: func(v []any) error { v[23] = boolean(v[23]); return nil }},
	{name: "tallies", order: "id", cols: []string{"id", "claimant", "speaker", "stated_ns", "period", "count", "wording", "source_title",
		"source_url", "published", "file", "line"},
		convert: func(v []any) error { v[9] = boolean(v[9]); return nil }},
	{name: "claim_matches", order: "claim_id, incident_id", cols: []string{"claim_id", "incident_id", "decision", "note", "by_token",
		"by_role", "by_party", "by_name", "at_ns", "log_index"}},
	{name: "observations", order: "id", cols: []string{"id", "monitor", "means", "sensed", "start_ns", "end_ns", "lon", "lat", "area",
		"region", "direction", "dist_min_m", "dist_max_m", "kind", "explosion", "count", "weapon", "party", "note", "published", "file", "line"},
		convert: func(v []any) error { v[19] = boolean(v[19]); return nil }},
	{name: "access_restrictions", order: "id", cols: []string{"id", "kind", "start_ns", "duration_s", "lon", "lat", "area", "region", "means",
		"patrol_size", "reason", "party", "note", "published", "file", "line"},
		convert: func(v []any) error { v[13] = boolean(v[13]); return nil }},
	{name: "log_records", order: "idx", cols: []string{"idx", "data"}, convert: func(v []any) error { v[1] = bytesOf(v[1]); return nil }},
	{name: "log_hashes", order: "idx", cols: []string{"idx", "hash"}, convert: func(v []any) error { v[1] = bytesOf(v[1]); return nil }},
	{name: "log_checkpoints", order: "size", cols: []string{"size", "note", "created_ns"}, convert: func(v []any) error { v[1] = bytesOf(v[1]); return nil }},
	{name: "log_cosignatures", order: "size, witness", cols: []string{"size", "witness", "line", "received_ns"}, convert: func(v []any) error { v[2] = bytesOf(v[2]); return nil }},
	{name: "log_key", order: "id", cols: []string{"id", "origin", "signer", "verifier"}},
}

// ErrNotEmpty is returned when the destination already holds a log.
var ErrNotEmpty = errors.New("migrate: the destination database already holds records")

// SQLiteToPostgres copies every table of src into dst in one PostgreSQL
// transaction: either everything is copied or nothing. dst must be
// migrated to the current schema and empty. progress, if not nil, is
// called after each table with its row count.
func SQLiteToPostgres(ctx context.Context, src *sql.DB, dst *pgxpool.Pool, progress func(table string, rows int)) (map[string]int, error) {
	// One read transaction on the source: a consistent snapshot.
	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("migrate: source: %w", err)
	}
	defer stx.Rollback()
	dtx, err := dst.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return nil, fmt.Errorf("migrate: destination: %w", err)
	}
	defer func() { _ = dtx.Rollback(ctx) }()
	var n int64
	for _, t := range []string{"log_records", "reports", "log_key"} {
		if err := dtx.QueryRow(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("migrate: destination: %w", err)
		}
		if n > 0 {
			return nil, ErrNotEmpty
		}
	}
	counts := map[string]int{}
	for _, t := range tables {
		rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name+` ORDER BY `+t.order)
		if err != nil {
			return nil, fmt.Errorf("migrate: read %s: %w", t.name, err)
		}
		src := &rowSource{rows: rows, n: len(t.cols), convert: t.convert}
		copied, err := dtx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, src)
		rows.Close()
		if err == nil {
			err = src.err
		}
		if err != nil {
			return nil, fmt.Errorf("migrate: copy %s: %w", t.name, err)
		}
		counts[t.name] = int(copied)
		if progress != nil {
			progress(t.name, int(copied))
		}
	}
	// The events' identity column continues after the copied ids.
	if _, err := dtx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('incident_events', 'id'), GREATEST((SELECT max(id) FROM incident_events), 1))`); err != nil {
		return nil, fmt.Errorf("migrate: events sequence: %w", err)
	}
	if err := dtx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("migrate: commit: %w", err)
	}
	// Statistics for the planner now, not when autovacuum gets to it: a
	// server started on the copy at once would otherwise plan its first
	// queries on empty-table estimates.
	for _, t := range tables {
		if _, err := dst.Exec(ctx, `ANALYZE `+t.name); err != nil {
			return nil, fmt.Errorf("migrate: analyze %s: %w", t.name, err)
		}
	}
	return counts, nil
}

// rowSource feeds SQLite rows to COPY.
type rowSource struct {
	rows    *sql.Rows
	n       int
	convert func([]any) error
	vals    []any
	err     error
}

// Next reads and converts the next row.
func (r *rowSource) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	r.vals = make([]any, r.n)
	ptrs := make([]any, r.n)
	for i := range r.vals {
		ptrs[i] = &r.vals[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		r.err = err
		return false
	}
	if r.convert != nil {
		if err := r.convert(r.vals); err != nil {
			r.err = err
			return false
		}
	}
	return true
}

// Values returns the converted row.
func (r *rowSource) Values() ([]any, error) { return r.vals, r.err }

// Err returns the error that ended the rows, if any.
func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// joinBars turns a text[] into SQLite's "|a|b|" form ("" when empty).
func joinBars(v any) string {
	xs := toStrings(v)
	if len(xs) == 0 {
		return ""
	}
	return "|" + strings.Join(xs, "|") + "|"
}

// joinPlain turns a text[] into SQLite's "a|b" form (report actions).
func joinPlain(v any) string { return strings.Join(toStrings(v), "|") }

func toStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// reverse converts a PostgreSQL row of t into SQLite's column forms.
func reverse(t string, v []any) error {
	switch t {
	case "reports":
		v[17] = joinPlain(v[17])
	case "sites":
		switch x := v[6].(type) {
		case map[string]any:
			b, err := json.Marshal(x)
			if err != nil {
				return err
			}
			v[6] = string(b)
		case []byte:
			v[6] = string(x)
		}
	case "judgements":
		v[7] = joinBars(v[7])
	case "incidents":
		v[4], v[12], v[13] = joinBars(v[4]), joinBars(v[12]), joinBars(v[13])
	}
	return nil
}

// PostgresToSQLite copies every table of src into dst, a freshly created
// SQLite database (schema applied, no log key yet), from one consistent
// snapshot of src, in one SQLite transaction. It is how truce backs up a
// PostgreSQL database into a portable file.
func PostgresToSQLite(ctx context.Context, src *pgxpool.Pool, dst *sql.DB, progress func(table string, rows int)) (map[string]int, error) {
	stx, err := src.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("backup: source: %w", err)
	}
	defer func() { _ = stx.Rollback(ctx) }()
	dtx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("backup: destination: %w", err)
	}
	defer dtx.Rollback()
	var n int64
	for _, t := range []string{"log_records", "reports", "log_key"} {
		if err := dtx.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("backup: destination: %w", err)
		}
		if n > 0 {
			return nil, ErrNotEmpty
		}
	}
	counts := map[string]int{}
	for _, t := range tables {
		rows, err := stx.Query(ctx, `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name+` ORDER BY `+t.order)
		if err != nil {
			return nil, fmt.Errorf("backup: read %s: %w", t.name, err)
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ")
		ins, err := dtx.PrepareContext(ctx, `INSERT INTO `+t.name+` (`+strings.Join(t.cols, ", ")+`) VALUES (`+marks+`)`)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("backup: %s: %w", t.name, err)
		}
		k := 0
		for rows.Next() {
			v, err := rows.Values()
			if err == nil {
				err = reverse(t.name, v)
			}
			if err == nil {
				_, err = ins.ExecContext(ctx, v...)
			}
			if err != nil {
				rows.Close()
				ins.Close()
				return nil, fmt.Errorf("backup: copy %s: %w", t.name, err)
			}
			k++
		}
		rows.Close()
		ins.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("backup: read %s: %w", t.name, err)
		}
		counts[t.name] = k
		if progress != nil {
			progress(t.name, k)
		}
	}
	if err := dtx.Commit(); err != nil {
		return nil, fmt.Errorf("backup: commit: %w", err)
	}
	return counts, nil
}
