package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
)

// store adapts *sqlite.Store to storetest.Store.
type store struct{ *sqlite.Store }

func (s store) VerifyRows(ctx context.Context) (storetest.RowCheck, error) {
	return s.Store.VerifyRows(ctx)
}

// open opens a fresh database file in t's temporary directory.
func open(t *testing.T, o storetest.Options) (storetest.Store, storetest.Exec) {
	t.Helper()
	s, err := sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), "truce.db"), sqlite.Options{LogOrigin: o.LogOrigin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	s.Now = o.Now
	exec := func(t *testing.T, stmt string, args ...any) {
		t.Helper()
		if _, err := s.DB().ExecContext(context.Background(), stmt, args...); err != nil {
			t.Fatalf("exec %s: %v", stmt, err)
		}
	}
	return store{s}, exec
}

func TestConformance(t *testing.T) {
	storetest.Run(t, open)
}
