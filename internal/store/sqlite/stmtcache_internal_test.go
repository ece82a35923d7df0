package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"truce/internal/store/sqlstore"
)

// TestStmtCache checks the prepared statements kept across calls and
// transactions: a statement run again is not prepared again, one first run
// in a transaction is ready for the next, results are those of the
// statement text (not of another cached one), a statement survives a
// change of the schema, and the cache stays within its bound.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	s, err := OpenWith(ctx, filepath.Join(t.TempDir(), "truce.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := s.conn()
	count := func(db sqlstore.DB, q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	q := `SELECT count(*) FROM settings WHERE key = $1`
	count(c, q, "x")
	first := s.stmts.m[q]
	if first == nil {
		t.Fatal("a statement run outside a transaction is not kept")
	}
	count(c, q, "y")
	if s.stmts.m[q] != first {
		t.Error("a statement run again was prepared again")
	}

	// First run in a transaction: prepared for the next one.
	ins := `INSERT INTO settings (key, value) VALUES ($1, $2)`
	for i := range 3 {
		if err := s.tx(ctx, func(db sqlstore.DB) error {
			_, err := db.Exec(ctx, ins, fmt.Sprintf("k%d", i), "v")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			deadline := time.Now().Add(5 * time.Second)
			for !s.cached(ins) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !s.cached(ins) {
				t.Fatal("a statement first run in a transaction was not prepared for the next")
			}
		}
	}
	if n := count(c, `SELECT count(*) FROM settings WHERE key LIKE 'k%'`); n != 3 {
		t.Errorf("%d rows inserted through the cached statement, want 3", n)
	}
	if count(c, q, "k1") != 1 || count(c, q, "nope") != 0 {
		t.Error("a cached statement answers for other arguments")
	}

	// The schema changes under a prepared statement: SQLite prepares it
	// again.
	sel := `SELECT * FROM settings WHERE key = 'k1'`
	cols := func() int {
		rows, err := c.Query(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		names, err := rows.(sqlRows).Columns()
		if err != nil {
			t.Fatal(err)
		}
		return len(names)
	}
	before := cols()
	if _, err := s.db.ExecContext(ctx, `ALTER TABLE settings ADD COLUMN extra TEXT`); err != nil {
		t.Fatal(err)
	}
	if after := cols(); after != before+1 {
		t.Errorf("after a new column the cached SELECT * gives %d columns, want %d", after, before+1)
	}

	// Bounded: statements that differ only in their text are not kept
	// beyond maxStmts.
	for i := range maxStmts + 20 {
		count(c, fmt.Sprintf(`SELECT %d`, i))
	}
	if n := len(s.stmts.m); n > maxStmts {
		t.Errorf("%d statements cached, want at most %d", n, maxStmts)
	}
}

// cached reports whether q is prepared for write transactions.
func (s *Store) cached(q string) bool {
	s.wstmts.mu.Lock()
	defer s.wstmts.mu.Unlock()
	return s.wstmts.m[q] != nil
}
