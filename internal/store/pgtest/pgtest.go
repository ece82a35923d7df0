// Package pgtest gives tests a PostgreSQL schema of their own on the
// throwaway cluster that scripts/pg.sh starts, and stores opened on one.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"truce/internal/store/postgres"
	"truce/internal/store/storetest"
)

// DSN returns the test cluster's DSN from TRUCE_TEST_POSTGRES_DSN (see
// scripts/pg.sh). Without it the test is skipped, unless
// TRUCE_REQUIRE_POSTGRES=1 (CI), where that is a failure.
func DSN(t testing.TB) string {
	t.Helper()
	d := os.Getenv("TRUCE_TEST_POSTGRES_DSN")
	if d == "" {
		if os.Getenv("TRUCE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("TRUCE_REQUIRE_POSTGRES=1 but TRUCE_TEST_POSTGRES_DSN is not set: start a cluster with scripts/pg.sh start")
		}
		t.Skip("TRUCE_TEST_POSTGRES_DSN not set: skipping PostgreSQL tests (scripts/pg.sh start)")
	}
	return d
}

// WithSearchPath returns dsn with search_path set to schema, then public
// (where PostGIS lives).
func WithSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	path := schema + ",public"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", path)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + path
}

// Schema creates a schema of its own for t, drops it when t ends, and
// returns a DSN that uses it.
func Schema(t testing.TB) string {
	t.Helper()
	base := DSN(t)
	ctx := context.Background()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to TRUCE_TEST_POSTGRES_DSN: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return WithSearchPath(t, base, name)
}

// Open is a storetest.Opener: a store on a schema of its own.
func Open(t *testing.T, o storetest.Options) (storetest.Store, storetest.Exec) {
	t.Helper()
	s := open(t, Schema(t), o.LogOrigin, o.Now)
	return storetest.Opened(t, s, execer(s))
}

// Reopener returns a storetest.Reopener of one schema of t's own.
func Reopener(t *testing.T) storetest.Reopener {
	dsn := Schema(t)
	return func(t *testing.T, now func() time.Time) (storetest.Store, storetest.Exec, func()) {
		s := open(t, dsn, storetest.Origin, now)
		return storetest.Reopened(t, s, execer(s))
	}
}

// OpenStore opens a store on dsn, as o says (a zero o keeps the store's
// clock and default origin), and closes it when t ends. Cleanups run
// last-in first-out: the store closes before its schema is dropped.
func OpenStore(t *testing.T, dsn string, o storetest.Options) *postgres.Store {
	t.Helper()
	s := open(t, dsn, o.LogOrigin, o.Now)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func open(t *testing.T, dsn, origin string, now func() time.Time) *postgres.Store {
	t.Helper()
	s, err := postgres.OpenWith(context.Background(), dsn, postgres.Options{LogOrigin: origin})
	if err != nil {
		t.Fatal(err)
	}
	if now != nil {
		s.Now = now
	}
	return s
}

// execer runs statements on s's database, below the store.
func execer(s *postgres.Store) storetest.ExecFunc {
	return func(ctx context.Context, stmt string, args ...any) error {
		_, err := s.DB().Exec(ctx, stmt, args...)
		return err
	}
}
