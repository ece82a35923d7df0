// Package pgtest gives tests a PostgreSQL schema of their own on the
// throwaway cluster that scripts/pg.sh starts.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
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
