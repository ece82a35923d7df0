package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"truce/internal/store/sqlite"

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

// TestStatusIndex checks that listing the incidents of one review status
// other than "reported" reads the partial index incidents_status instead of
// scanning every incident: judging each new report lists the verified ones.
func TestStatusIndex(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenWith(ctx, filepath.Join(t.TempDir(), "truce.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A record of many reported incidents and a few verified ones.
	if _, err := s.DB().ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 5000)
		INSERT INTO incidents (id, status, created_ns, updated_ns, start_ns, lon, lat)
		SELECT 'i'||i, CASE WHEN i % 1000 = 0 THEN 'verified' ELSE 'reported' END, 0, 0, i, 30, 50 FROM n`); err != nil {
		t.Fatal(err)
	}
	if got := queryPlan(t, s, `SELECT id FROM incidents
		WHERE merged_into = '' AND status = 'verified' ORDER BY start_ns, id LIMIT 1001`); !strings.Contains(got, "incidents_status") {
		t.Errorf("the status filter does not use incidents_status:\n%s", got)
	}
}

// TestCosignedSizePlan checks that finding the newest final checkpoint
// reads the cosignatures' primary key backwards and stops at the first
// size with enough of them, instead of grouping the whole table: the
// final checkpoint is a public read, and the table grows with every
// checkpoint.
func TestCosignedSizePlan(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenWith(ctx, filepath.Join(t.TempDir(), "truce.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := queryPlan(t, s, `SELECT size FROM log_cosignatures WHERE witness IN ('a', 'b', 'c')
		GROUP BY size HAVING COUNT(*) >= 2 ORDER BY size DESC LIMIT 1`); strings.Contains(got, "TEMP B-TREE") || !strings.Contains(got, "autoindex_log_cosignatures") {
		t.Errorf("CosignedSize groups the whole table:\n%s", got)
	}
}

// queryPlan returns SQLite's plan of query, one step a line.
func queryPlan(t *testing.T, s *sqlite.Store, query string) string {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestCurrentFallbackPlan checks that the agreement version stored last,
// which Current reads when no setting names the current one, is found by
// the index on log_index: a scan of the table reads every version's
// bundle (its log_index comes after the bundle in the row).
func TestCurrentFallbackPlan(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenWith(ctx, filepath.Join(t.TempDir(), "truce.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := queryPlan(t, s, `SELECT id, version FROM agreements ORDER BY log_index DESC LIMIT 1`); strings.Contains(got, "SCAN agreements\n") ||
		strings.Contains(got, "TEMP B-TREE") || !strings.Contains(got, "agreements_log") {
		t.Errorf("the agreement stored last is not read by its index:\n%s", got)
	}
}

// TestBriefBackfill checks that a database judged before briefs were kept
// gets them when opened.
func TestBriefBackfill(t *testing.T) {
	storetest.BriefBackfill(t, sqlitetest.Reopener(t))
}

// TestJSONDetails checks that judgement details stored as JSON, before
// they were packed, read, verify and compare as the packed ones do.
func TestJSONDetails(t *testing.T) {
	storetest.JSONDetails(t, sqlitetest.Reopener(t))
}
