package sqlite_test

import (
	"testing"

	"truce/internal/store/sqlitetest"
	"truce/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, sqlitetest.Open)
}

// TestBackfill checks that a database written before sites, tokens and
// the current agreement were logged is brought up to date when opened.
func TestBackfill(t *testing.T) {
	storetest.Backfill(t, sqlitetest.Reopener(t))
}
