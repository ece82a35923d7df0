package importer_test

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"truce"
	"truce/internal/importer"
)

// rowReader generates a VIINA file of n rows without holding it in memory.
type rowReader struct {
	n, i int
	buf  []byte
}

func (g *rowReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.i > g.n {
			return 0, io.EOF
		}
		if g.i == 0 {
			g.buf = []byte("datetime,lon,lat,place_name,event_type,headline\n")
		} else {
			g.buf = fmt.Appendf(nil, "2025-03-%02d 00:00:00,36.2304,49.9935,Kharkiv,uav|artillery,\"%s %d\"\n", 1+g.i%28, strings.Repeat("Харків, обстріл ", 128), g.i)
		}
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// TestBoundedMemory reads a 37 MB file and checks the heap stays far below
// the file's size: readers stream, they do not slurp.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 37 MB")
	}
	const rows = 10000
	var peak uint64
	var ms runtime.MemStats
	n := 0
	stats, err := importer.ReadReports(&rowReader{n: rows}, importer.Options{Format: importer.FormatVIINA},
		func(*truce.Report) error {
			if n++; n%1000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return nil
		}, nil)
	if err != nil || stats.Accepted != rows {
		t.Fatalf("stats %+v, err %v", stats, err)
	}
	if peak > 16<<20 {
		t.Errorf("peak heap %d MB after GC while reading a 37 MB file, want under 16 MB", peak>>20)
	}
	t.Logf("peak heap %.1f MB", float64(peak)/(1<<20))
}
