package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"truce"
	"truce/examples"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/claims"
	"truce/internal/importer"
	"truce/internal/pipeline"
	"truce/internal/report"
	"truce/internal/store/sqlite"
)

// claimsStore is a SQLite store with the bundled agreement, its sites, the
// VIINA reports of 18–31 March 2025, judged, and the bundled claims and
// tallies, all published.
type claimsStore struct {
	st *sqlite.Store
	a  *truce.Agreement
	v  *truce.AgreementVersion
}

func MustClaimsStore(tb testing.TB) *claimsStore {
	tb.Helper()
	heavyShort(tb)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "truce.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	bundle, a, err := agreement.BundleFile(filepath.Join("..", "..", "examples", examples.EnergyAgreement))
	if err != nil {
		tb.Fatal(err)
	}
	v, _, err := st.PutAgreement(ctx, truce.System, a.ID, bundle)
	if err != nil {
		tb.Fatal(err)
	}
	open := func(name string) *bytes.Reader {
		b, err := examples.FS.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		return bytes.NewReader(b)
	}
	var sites []*truce.Site
	if _, err := importer.ReadSites(open(examples.EnergySites), importer.Options{File: filepath.Base(examples.EnergySites)},
		func(s *truce.Site) error { sites = append(sites, s); return nil }, nil); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.PutSites(ctx, sites); err != nil {
		tb.Fatal(err)
	}
	from := time.Date(2025, 3, 18, 0, 0, 0, 0, a.Timezone)
	var rs []*truce.Report
	if _, err := importer.ReadReports(open(examples.EnergyReports[0]), importer.Options{File: filepath.Base(examples.EnergyReports[0]), TZ: a.Timezone},
		func(r *truce.Report) error {
			if !r.Start.Before(from) {
				rs = append(rs, r)
			}
			return nil
		}, nil); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.PutReports(ctx, truce.System, rs, truce.PutOptions{Published: true}); err != nil {
		tb.Fatal(err)
	}
	stored, err := st.Sites(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := pipeline.Stored(ctx, st, truce.System, adjudicate.New(a, stored), a.ID, v.Version); err != nil {
		tb.Fatal(err)
	}
	const cf, tf = "energy-ceasefire-2025/claims/claims_2025.csv", "energy-ceasefire-2025/claims/tallies_2025.csv"
	var cs []*truce.Claim
	if _, err := importer.ReadClaims(open(cf), importer.ClaimOptions{File: filepath.Base(cf), Published: true, Strict: true,
		Placer: importer.NewClaimPlacer(stored, a.Places)}, func(c *truce.Claim) error { cs = append(cs, c); return nil }, nil); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.PutClaims(ctx, truce.System, cs); err != nil {
		tb.Fatal(err)
	}
	var ts []*truce.Tally
	if _, err := importer.ReadTallies(open(tf), importer.ClaimOptions{File: filepath.Base(tf), Published: true, Strict: true},
		func(t *truce.Tally) error { ts = append(ts, t); return nil }, nil); err != nil {
		tb.Fatal(err)
	}
	if _, err := st.PutTallies(ctx, truce.System, ts); err != nil {
		tb.Fatal(err)
	}
	return &claimsStore{st: st, a: a, v: v}
}

// summary reads the period's judgements as p may, as the API does.
func (w *claimsStore) summary(tb testing.TB, p *truce.Principal, from, to string) (*report.Summary, truce.ReportFilter) {
	tb.Helper()
	since, err1 := agreement.ParseTime(from, w.a.Timezone, false)
	until, err2 := agreement.ParseTime(to, w.a.Timezone, true)
	if err1 != nil || err2 != nil {
		tb.Fatal(err1, err2)
	}
	f := truce.ReportFilter{Visible: p, Since: &since, Until: &until}
	s := report.NewSummary(w.a, w.v.Version)
	if err := w.st.Judgements(context.Background(), w.v.ID, w.v.Version, f, func(r *truce.Report, j *truce.Judgement) error {
		s.Add(r, j)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return s, f
}

// TestClaimedVsFound reports 18 March – 17 April 2025 from a store with
// the bundled claims: the section shows both readings, with the counts of
// pipeline.ClaimedVsFound, in the JSON, the Markdown and the PDF's text.
func TestClaimedVsFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := MustClaimsStore(t)
	const from, to = "2025-03-18", "2025-04-17"
	public := truce.Principal{}
	s, f := w.summary(t, &public, from, to)
	d, err := report.Gather(ctx, w.st, w.a, w.v, s, f, from, to)
	if err != nil {
		t.Fatal(err)
	}
	sec := d.Summary.Claims
	if sec == nil {
		t.Fatal("no claimed-vs-found section")
	}
	var readings []string
	for _, r := range sec.Readings {
		readings = append(readings, r.Name+" "+r.Start)
	}
	if diff := cmp.Diff([]string{"RU 2025-03-18", "UA 2025-03-25"}, readings); diff != "" {
		t.Errorf("readings mismatch (-want +got):\n%s", diff)
	}
	if sec.Phase != "energy" || len(sec.Tallies) == 0 || !strings.Contains(sec.Note, "not contradiction") {
		t.Errorf("phase %q, %d tallies, note %q", sec.Phase, len(sec.Tallies), sec.Note)
	}

	// The counts are pipeline.ClaimedVsFound's over the same principal.
	ch, err := pipeline.CheckClaims(ctx, w.st, w.a, w.v.ID, w.v.Version, public)
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, w.a.Timezone)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tab, err := pipeline.ClaimedVsFound(w.a, ch, "", day(from), day(to))
	if err != nil {
		t.Fatal(err)
	}
	type total struct {
		Party string
		claims.Totals
	}
	var want, got []total
	for _, p := range tab.Parties {
		for _, tt := range p.Totals {
			want = append(want, total{string(p.Accused), tt})
		}
	}
	for _, p := range sec.Parties {
		for _, tt := range p.Totals {
			got = append(got, total{p.Accused, claims.Totals{Reading: tt.Reading, Claims: tt.Claims, Corroborated: tt.Corroborated,
				Contradicted: tt.Contradicted, Judged: tt.Judged, Unverified: tt.Unverified, Violations: tt.Violations,
				Disputed: tt.Disputed, Undetermined: tt.Undetermined}})
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("totals mismatch (-pipeline +report):\n%s", diff)
	}
	if len(got) != 4 || got[2].Party != "UA" || got[2].Claims == 0 {
		t.Fatalf("totals %+v: want RU and UA under two readings, claims against UA", got)
	}

	// Markdown: the section, one table per party and reading, the totals.
	var md bytes.Buffer
	if err := report.WriteSummary(&md, d.Summary, "md"); err != nil {
		t.Fatal(err)
	}
	pdf := new(bytes.Buffer)
	if err := report.WritePDF(pdf, d); err != nil {
		t.Fatal(err)
	}
	var wants []string
	wants = append(wants, "Claimed vs found", "Absence of independent evidence is not contradiction",
		"Under the RU reading, in force from 18 March 2025", "Under the UA reading, in force from 25 March 2025",
		"Against RU", "Against UA", "The parties' tallies, as stated", sec.Tallies[0].Count)
	for _, tt := range got {
		wants = append(wants, fmt.Sprintf("Since %s", map[string]string{"RU": "2025-03-18", "UA": "2025-03-25"}[tt.Reading]))
	}
	mdWants := append([]string{}, wants...)
	for _, tt := range got {
		mdWants = append(mdWants, fmt.Sprintf("| Since %s | %d | %d | %d | %d | %d | %d | %d | %d |",
			map[string]string{"RU": "2025-03-18", "UA": "2025-03-25"}[tt.Reading], tt.Claims, tt.Corroborated, tt.Contradicted,
			tt.Judged, tt.Unverified, tt.Violations, tt.Disputed, tt.Undetermined))
	}
	for _, want := range mdWants {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	text := pdfText(t, pdf.Bytes())
	for _, want := range wants {
		if !containsFolded(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	layout := poppler(t, pdf.Bytes(), "pdftotext", "-layout", "-enc", "UTF-8", "{pdf}", "-")
	for _, tt := range got {
		row := fmt.Sprintf("Since %s %d %d %d %d %d %d %d %d", map[string]string{"RU": "2025-03-18", "UA": "2025-03-25"}[tt.Reading],
			tt.Claims, tt.Corroborated, tt.Contradicted, tt.Judged, tt.Unverified, tt.Violations, tt.Disputed, tt.Undetermined)
		if !containsFolded(layout, row) {
			t.Errorf("PDF text lacks the total row %q", row)
		}
	}
	if t.Failed() {
		t.Log(md.String())
		t.Log(layout)
	}

	// JSON: the section round-trips.
	var js bytes.Buffer
	if err := report.WriteSummary(&js, d.Summary, "json"); err != nil {
		t.Fatal(err)
	}
	var back report.Summary
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sec, back.Claims); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}
}

// TestClaimsAbsent leaves the section out of a report whose period has
// no claim: before the claims compiled begin.
func TestClaimsAbsent(t *testing.T) {
	t.Parallel()
	w := MustClaimsStore(t)
	s, f := w.summary(t, nil, "2025-01-01", "2025-01-31")
	if err := report.GatherClaims(context.Background(), w.st, w.a, w.v, s, f, "2025-01-01", "2025-01-31"); err != nil {
		t.Fatal(err)
	}
	if s.Claims != nil {
		t.Errorf("section %+v, want none", s.Claims)
	}
}
