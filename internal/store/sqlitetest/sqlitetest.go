// Package sqlitetest opens SQLite stores for tests: for the conformance
// suite (storetest) in the sqlite package, and as the other side of the
// PostgreSQL store's same-log test.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"truce/internal/store/sqlite"
	"truce/internal/store/storetest"
)

// Open is a storetest.Opener: a new database file in t's temporary
// directory.
func Open(t *testing.T, o storetest.Options) (storetest.Store, storetest.Exec) {
	t.Helper()
	s, exec := open(t, filepath.Join(t.TempDir(), "truce.db"), o.LogOrigin, o.Now)
	return storetest.Opened(t, s, exec)
}

// Reopener returns a storetest.Reopener of one database file in t's
// temporary directory.
func Reopener(t *testing.T) storetest.Reopener {
	path := filepath.Join(t.TempDir(), "truce.db")
	return func(t *testing.T, now func() time.Time) (storetest.Store, storetest.Exec, func()) {
		s, exec := open(t, path, storetest.Origin, now)
		return storetest.Reopened(t, s, exec)
	}
}

// open opens the database at path with a log origin and a clock, and
// returns it with what runs statements on it below the store.
func open(t *testing.T, path, origin string, now func() time.Time) (storetest.Store, storetest.ExecFunc) {
	t.Helper()
	s, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{LogOrigin: origin})
	if err != nil {
		t.Fatal(err)
	}
	s.Now = now
	return s, func(ctx context.Context, stmt string, args ...any) error {
		_, err := s.DB().ExecContext(ctx, stmt, args...)
		return err
	}
}
