package httpapi_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// zipOf builds an archive; declared gives files whose headers claim an
// uncompressed size other than their real one (a zip bomb's headers).
func zipOf(t *testing.T, files map[string][]byte, declared map[string]uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, size := range declared {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, UncompressedSize64: size, CompressedSize64: 4})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("bomb")); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const hostileBase = `truce: 1
id: hostile
title: Hostile
parties: [{id: A, name: A}]
phases: [{id: p, name: P, start: {at: 2025-01-01}}]
`

// TestHostileAgreements: an uploaded agreement cannot read the server's
// files, and size, alias and archive limits hold.
func TestHostileAgreements(t *testing.T) {
	f := newFixture(t)
	var bomb strings.Builder
	bomb.WriteString(hostileBase + "sources: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		bomb.WriteString("x" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for k := 0; k < 10; k++ {
			if k > 0 {
				bomb.WriteString(", ")
			}
			bomb.WriteString("*a" + string(rune('0'+i-1)))
		}
		bomb.WriteString("]\n")
	}
	for _, tt := range []struct {
		name, ct string
		body     []byte
		want     string
	}{
		{"path outside the bundle (yaml)", "application/yaml", []byte(hostileBase + "zones: [{id: z, geojson: ../../../etc/passwd}]\n"), "geometry files are not available here"},
		{"absolute path (yaml)", "application/yaml", []byte(hostileBase + "zones: [{id: z, geojson: /etc/passwd}]\n"), "geometry files are not available here"},
		{"absolute path (zip)", "application/zip", zipOf(t, map[string][]byte{"agreement.yaml": []byte(hostileBase + "zones: [{id: z, geojson: /etc/passwd}]\n")}, nil), "must be relative"},
		{"any file path in a lone yaml", "application/yaml", []byte(hostileBase + "zones: [{id: z, geojson: zones/ukraine.geojson}]\n"), "geometry files are not available here"},
		{"path outside the archive (zip)", "application/zip", zipOf(t, map[string][]byte{"agreement.yaml": []byte(hostileBase + "zones: [{id: z, geojson: ../secret.geojson}]\n")}, nil), "must be relative"},
		{"missing file in the archive", "application/zip", zipOf(t, map[string][]byte{"agreement.yaml": []byte(hostileBase + "zones: [{id: z, geojson: z.geojson}]\n")}, nil), "cannot open"},
		{"archive that expands too far", "application/zip", zipOf(t, map[string][]byte{"agreement.yaml": []byte(hostileBase)}, map[string]uint64{"pad.bin": 1 << 40}), "expands to more than"},
		{"no agreement.yaml in the archive", "application/zip", zipOf(t, map[string][]byte{"other.yaml": []byte(hostileBase)}, nil), "no agreement.yaml"},
		{"YAML alias bomb", "application/yaml", []byte(bomb.String()), "aliases"},
		{"not YAML", "application/yaml", []byte("\x00\x01\x02"), "invalid YAML"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := f.st.LogSize(t.Context())
			st, body := f.do(t, "admin", "POST", "/api/v1/agreements", tt.ct, tt.body)
			if st != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) {
				t.Errorf("status %d, body %.400s; want 422 mentioning %q", st, body, tt.want)
			}
			if after, _ := f.st.LogSize(t.Context()); after != before {
				t.Errorf("a refused agreement changed the log (%d -> %d)", before, after)
			}
		})
	}
}

// TestOversizeBody: bodies over an operation's limit are refused with 413.
func TestOversizeBody(t *testing.T) {
	f := newFixture(t)
	body := []byte(`{"time":"2025-04-02","lon":30,"lat":50,"text":"` + strings.Repeat("x", 300<<10) + `"}`)
	if st, resp := f.do(t, "monitor", "POST", "/api/v1/reports", "application/json", body); st != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d (%.200s), want 413", st, resp)
	}
}

// TestCSVInjection: cells a spreadsheet would run as formulas are
// neutralised in CSV exports.
func TestCSVInjection(t *testing.T) {
	f := newFixture(t)
	csv := "id,time,lon,lat,text\n\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",2025-04-02,30.5,50.4,@SUM(1+1)\n+1,2025-04-02,30.5,50.4,-2+3\n"
	if st, body := f.do(t, "monitor", "POST", "/api/v1/reports/bulk?name=evil.csv", "text/csv", []byte(csv)); st != http.StatusOK {
		t.Fatalf("bulk: %d %s", st, body)
	}
	st, out := f.do(t, "public", "GET", "/api/v1/exports/incidents?format=csv", "", nil)
	if st != http.StatusOK {
		t.Fatalf("export: %d", st)
	}
	for _, line := range strings.Split(out, "\n") {
		for _, cell := range strings.Split(line, ",") {
			if cell != "" && strings.ContainsRune("=+-@", rune(strings.TrimPrefix(cell, `"`)[0])) && !strings.HasPrefix(strings.TrimPrefix(cell, `"`), "-") {
				t.Errorf("formula cell in the export: %q", cell)
			}
		}
	}
	if !strings.Contains(out, `'=HYPERLINK`) || !strings.Contains(out, "'+1") {
		t.Errorf("the formula ids were not neutralised:\n%s", out)
	}
}
