package postgres_test

import (
	"context"
	"testing"
	"time"

	"truce/internal/store/postgres"
	"truce/internal/store/storetest"
)

// TestBackfill checks that a database written before sites, tokens and
// the current agreement were logged is brought up to date when opened.
func TestBackfill(t *testing.T) {
	dsn := schema(t)
	storetest.Backfill(t, func(t *testing.T, now func() time.Time) (storetest.Store, storetest.Exec, func()) {
		s, err := postgres.OpenWith(context.Background(), dsn, postgres.Options{LogOrigin: storetest.Origin})
		if err != nil {
			t.Fatal(err)
		}
		s.Now = now
		exec := func(t *testing.T, stmt string, args ...any) {
			t.Helper()
			if _, err := s.DB().Exec(context.Background(), stmt, args...); err != nil {
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
