package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The WAL is copied into the database file by the store's background
// checkpointer, not by the commits of writers (whose connections have
// automatic checkpoints off), and nothing committed is lost on the way.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var auto int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("wal_autocheckpoint = %d on a store connection, want 0 (checkpoints run in the background)", auto)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)`); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	blob := []byte(strings.Repeat("x", 64<<10))
	const n = 64 // 4 MiB
	for i := range n {
		if err := s.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO blobs (id, b) VALUES (?, ?)`, i, blob)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	// While the store is open, the database file grows only by checkpoints.
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(t, path) < before+n*int64(len(blob)) {
		if time.Now().After(deadline) {
			s.ckpt.mu.Lock()
			runs, err := s.ckpt.runs, s.ckpt.err
			s.ckpt.mu.Unlock()
			t.Fatalf("database file %d bytes after 10 s (%d checkpoints, last error %v): the WAL was not checkpointed", fileSize(t, path), runs, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM blobs WHERE length(b) = ?`, len(blob)).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("%d rows after reopening, want %d", got, n)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
