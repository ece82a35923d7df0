package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce"
	"truce/internal/geo"
	"truce/internal/ledger"
	"truce/internal/report"
	"truce/internal/store/sqlite"
)

// MustSignedCheckpoint makes a log key named origin and a checkpoint signed
// with it; it returns the signed note and the verifier key.
func MustSignedCheckpoint(tb testing.TB, origin string) (signed, verifierKey string) {
	tb.Helper()
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := ledger.Sign(skey, ledger.Checkpoint{Origin: origin, Size: 123456789, Hash: tlog.Hash(sha256.Sum256([]byte(origin)))})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b), vkey
}

// copiedNote is the signed note as text copied out of a PDF by
// `pdftotext -layout` holds it: the lines from the one that is the origin
// alone to the last signature by it, each trimmed of the layout's spaces.
// Blank lines are kept as they come: a note needs exactly one between its
// body and its signatures.
func copiedNote(t *testing.T, text, origin string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	last := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "— "+origin+" ") {
			last = i
		}
	}
	first := -1
	for i := last; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) == origin {
			first = i
			break
		}
	}
	if last < 0 || first < 0 {
		t.Fatalf("no checkpoint by %s in the PDF's text:\n%s", origin, text)
	}
	var b strings.Builder
	for _, l := range lines[first : last+1] {
		b.WriteString(strings.TrimSpace(l) + "\n")
	}
	return b.String()
}

// TestWritePDFCheckpointCopies copies the checkpoint out of the PDF with
// pdftotext -layout and verifies it with sumdb/note, as a reader's own
// verifier would: every line of the note must survive whole, the
// signature line too, for origins short and long (the font shrinks to
// fit, down to a floor past which the line runs on unbroken).
func TestWritePDFCheckpointCopies(t *testing.T) {
	t.Parallel()
	type pdfCase struct {
		name        string
		pdf         func(t *testing.T) []byte
		origin      string
		signed, key string
	}
	cases := []pdfCase{{
		name: "scenario report", origin: "truce.example/report-test", key: testVerifierKey,
		pdf: func(t *testing.T) []byte { return MustRendered(t, "pdf") },
	}}
	for _, origin := range []string{
		"monitoring.example.org/ceasefire/energy-2025/ledger",
		"monitoring.example.org/ceasefire/energy-infrastructure-moratorium-of-march-2025/tamper-evident-ledger",
	} {
		signed, key := MustSignedCheckpoint(t, origin)
		cases = append(cases, pdfCase{name: "origin of " + strconv.Itoa(len(origin)) + " bytes", origin: origin, signed: signed, key: key,
			pdf: func(t *testing.T) []byte {
				var b bytes.Buffer
				d := &report.ReportData{Summary: report.NewSummary(MustHostileAgreement(t), 0), Period: thisWeek, Checkpoint: signed, VerifierKey: key}
				if err := report.WritePDF(&b, d); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}})
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.signed == "" {
				tt.signed = MustCheckpoint(t)
			}
			text := poppler(t, tt.pdf(t), "pdftotext", "-layout", "-enc", "UTF-8", "{pdf}", "-")
			got := copiedNote(t, text, tt.origin)
			v, err := note.NewVerifier(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			n, err := note.Open([]byte(got), note.VerifierList(v))
			if err != nil {
				t.Fatalf("note.Open of the checkpoint copied out of the PDF: %v\ncopied:\n%s\nsigned:\n%s", err, got, tt.signed)
			}
			if len(n.Sigs) != 1 || n.Sigs[0].Name != tt.origin {
				t.Errorf("verified signatures %+v, want one by %s", n.Sigs, tt.origin)
			}
			if got != tt.signed {
				t.Errorf("copied checkpoint %q, want %q", got, tt.signed)
			}
		})
	}
}

var pdfDateLine = regexp.MustCompile(`(?m)^(CreationDate|ModDate):\s+(\S+)\s*$`)

// pdfDates returns the PDF's creation and modification dates as pdfinfo
// reads them.
func pdfDates(t *testing.T, pdf []byte) (created, modified time.Time) {
	t.Helper()
	info := poppler(t, pdf, "pdfinfo", "-isodates", "{pdf}")
	dates := map[string]time.Time{}
	for _, m := range pdfDateLine.FindAllStringSubmatch(info, -1) {
		tm, err := time.Parse(time.RFC3339, m[2])
		if err != nil {
			t.Fatalf("pdfinfo %s %q: %v", m[1], m[2], err)
		}
		dates[m[1]] = tm
	}
	if len(dates) != 2 {
		t.Fatalf("pdfinfo gives no CreationDate and ModDate:\n%s", info)
	}
	return dates["CreationDate"], dates["ModDate"]
}

// TestWritePDFDates checks the PDF's dates with pdfinfo: the time the
// report was generated, else the checkpoint's, else the end of the period
// in the agreement's zone, else 1970-01-01; and that the same data give
// the same bytes.
func TestWritePDFDates(t *testing.T) {
	t.Parallel()
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatal(err)
	}
	signed, key := MustSignedCheckpoint(t, "truce.example/dates")
	generated := time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC)
	signedAt := time.Date(2025, 3, 31, 18, 42, 7, 0, time.UTC)
	withReport := func(t *testing.T) *report.Summary {
		s := report.NewSummary(MustHostileAgreement(t), 0)
		r := &truce.Report{ID: "R1", Source: "acled", Start: time.Date(2025, 3, 28, 10, 0, 0, 0, time.UTC), End: time.Date(2025, 3, 28, 11, 0, 0, 0, time.UTC),
			Location: geo.Point{Lon: 36.2, Lat: 50.5}}
		s.Add(r, &truce.Judgement{Report: r.ID, Outcome: truce.OutcomeNotProhibited})
		return s
	}
	empty := func(t *testing.T) *report.Summary { return report.NewSummary(MustHostileAgreement(t), 0) }
	for _, tt := range []struct {
		name    string
		summary func(t *testing.T) *report.Summary
		data    report.ReportData // without the summary
		want    time.Time
	}{
		{name: "generated", summary: empty, want: generated,
			data: report.ReportData{Period: thisWeek, Generated: generated, Checkpoint: signed, VerifierKey: key, CheckpointTime: signedAt}},
		{name: "checkpoint time", summary: empty, want: signedAt,
			data: report.ReportData{Period: thisWeek, Checkpoint: signed, VerifierKey: key, CheckpointTime: signedAt}},
		{name: "checkpoint without its time: the period's end", summary: empty, want: time.Date(2025, 4, 1, 0, 0, 0, 0, kyiv),
			data: report.ReportData{Period: thisWeek, Checkpoint: signed, VerifierKey: key}},
		{name: "a time without a checkpoint: the period's end", summary: empty, want: time.Date(2025, 4, 1, 0, 0, 0, 0, kyiv),
			data: report.ReportData{Period: thisWeek, CheckpointTime: signedAt}},
		{name: "period's end in winter time", summary: empty, want: time.Date(2025, 3, 1, 22, 0, 0, 0, time.UTC),
			data: report.ReportData{Period: report.Period{From: "2025-02-24", To: "2025-03-01"}}},
		{name: "the summary's last day", summary: withReport, want: time.Date(2025, 3, 28, 22, 0, 0, 0, time.UTC)},
		{name: "nothing to date it by", summary: empty, want: time.Unix(0, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var first, second bytes.Buffer
			for _, b := range []*bytes.Buffer{&first, &second} {
				d := tt.data
				d.Summary = tt.summary(t)
				if err := report.WritePDF(b, &d); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Error("two PDFs of the same data differ")
			}
			created, modified := pdfDates(t, first.Bytes())
			if !created.Equal(tt.want) || !modified.Equal(tt.want) {
				t.Errorf("CreationDate %v, ModDate %v; want %v", created, modified, tt.want.UTC())
			}
		})
	}
}

// TestGatherCheckpointTime gathers a report's data from a SQLite store and
// checks that the PDF is dated by the stored checkpoint: the time of the
// transaction that signed it.
func TestGatherCheckpointTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	at := time.Date(2025, 3, 30, 9, 15, 30, 123456000, time.UTC)
	st.Now = func() time.Time { return at }
	if _, err := st.PutSites(ctx, []*truce.Site{{ID: "S1", Name: "Plant", Category: "energy", Location: geo.Point{Lon: 36.2, Lat: 50.5}}}); err != nil {
		t.Fatal(err)
	}
	// As truce report does: integrate what is sequenced, so that the
	// newest checkpoint covers the sites just written.
	if _, err := st.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := MustHostileAgreement(t)
	d, err := report.Gather(ctx, st, a, nil, report.NewSummary(a, 0), truce.ReportFilter{}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Checkpoint == "" || !d.CheckpointTime.Equal(at) {
		t.Fatalf("Gather: checkpoint %q at %v, want one at %v", d.Checkpoint, d.CheckpointTime, at)
	}
	var b bytes.Buffer
	if err := report.WritePDF(&b, d); err != nil {
		t.Fatal(err)
	}
	// PDF dates have whole seconds.
	if created, _ := pdfDates(t, b.Bytes()); !created.Equal(at.Truncate(time.Second)) {
		t.Errorf("CreationDate %v, want %v", created, at.Truncate(time.Second))
	}
}
