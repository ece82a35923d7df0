package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"truce"
	"truce/internal/store/sqlstore"
)

// Writes run on a connection of their own (so that its page cache
// survives from one write to the next): they go on while every read
// connection is held by a long read, and they commit on that one
// connection only.
func TestWriterConnection(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rcache int
	if err := s.db.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&rcache); err != nil || rcache != -readCacheKiB {
		t.Errorf("cache_size = %d (%v) on a read connection, want %d", rcache, err, -readCacheKiB)
	}
	var dones []func()
	for range 8 { // every connection of the read pool
		_, done, err := s.snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dones = append(dones, done)
	}
	defer func() {
		for _, done := range dones {
			done()
		}
	}()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for i := range 3 {
		if err := s.tx(wctx, func(db sqlstore.DB) error {
			_, err := db.Exec(wctx, `INSERT INTO settings (key, value) VALUES ($1, 'v')`, string(rune('a'+i)))
			return err
		}); err != nil {
			t.Fatalf("write %d while every read connection is held: %v", i, err)
		}
	}
	r := &truce.Report{ID: "r1", Source: "test", Start: time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC), Text: "a report"}
	r.End = r.Start.Add(time.Hour)
	if _, err := s.PutReports(wctx, truce.System, []*truce.Report{r}, truce.PutOptions{}); err != nil {
		t.Fatalf("PutReports while every read connection is held: %v", err)
	}
	// Its savepoints' sub-journals stay in memory (2: MEMORY).
	var temp int
	if err := s.wdb.QueryRowContext(wctx, `PRAGMA temp_store`).Scan(&temp); err != nil || temp != 2 {
		t.Errorf("temp_store = %d (%v) on the writer's connection, want 2 (memory)", temp, err)
	}
	// Its page cache is the writer's size, not the readers' (db.go says why).
	var wcache int
	if err := s.wdb.QueryRowContext(wctx, `PRAGMA cache_size`).Scan(&wcache); err != nil || wcache != -writeCacheKiB {
		t.Errorf("cache_size = %d (%v) on the writer's connection, want %d", wcache, err, -writeCacheKiB)
	}
	if st := s.wdb.Stats(); st.OpenConnections != 1 {
		t.Errorf("the writer has %d connections open, want 1", st.OpenConnections)
	}
}
