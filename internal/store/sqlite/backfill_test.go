package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
)

// TestBackfill checks that a database written before sites, tokens and
// the current agreement were logged is brought up to date when opened.
func TestBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "truce.db")
	storetest.Backfill(t, func(t *testing.T, now func() time.Time) (storetest.Store, storetest.Exec, func()) {
		s, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{LogOrigin: storetest.Origin})
		if err != nil {
			t.Fatal(err)
		}
		s.Now = now
		exec := func(t *testing.T, stmt string, args ...any) {
			t.Helper()
			if _, err := s.DB().ExecContext(context.Background(), stmt, args...); err != nil {
				t.Fatalf("exec %s: %v", stmt, err)
			}
		}
		return store{s}, exec, func() {
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		}
	})
}
