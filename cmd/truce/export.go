package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/agreement"
	"truce/internal/ledger"
	"truce/internal/report"
)

// exportFiles are the files of a full export, by name, in the order the
// README lists them.
type exportFiles map[string][]byte

func (e *env) exportCmd() *cobra.Command {
	var db, out string
	cmd := &cobra.Command{
		Use:   "export --out FILE.zip",
		Short: "Write every record to a zip that someone without truce can read: CSV, GeoJSON and JSON Lines files, the agreement, the log, a README and a SHA-256 list",
		Long: `export writes the whole record to one zip file: every report with its judgement under
the current agreement (JSON Lines and CSV), the monitors' observations and the
restrictions of their access (CSV with HXL hashtags, and GeoJSON), the protected
sites (CSV), the current agreement's bundle as stored, the tamper-evident log (the
bundle 'truce log export' writes), a README saying what each file holds, and
SHA256SUMS, the SHA-256 of every other file ('sha256sum -c SHA256SUMS' checks them).
The same record gives the same bytes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := st.Integrate(cmd.Context()); err != nil {
				return err
			}
			files, at, err := gatherExport(cmd.Context(), st)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := writeFileAtomic(out, func(f *os.File) error { return writeExportZip(f, files, at) }); err != nil {
				return fmt.Errorf("export %s: %w", out, err)
			}
			fmt.Fprintf(e.stderr, "%s: %d files\n", out, len(files))
			return nil
		},
	}
	dbFlag(cmd, &db)
	cmd.Flags().StringVar(&out, "out", "truce-export.zip", "the zip file to write")
	return cmd
}

// gatherExport reads every file of the export from st, and the time the
// zip's entries are dated: the current agreement version's.
func gatherExport(ctx context.Context, st backend) (exportFiles, time.Time, error) {
	v, err := st.LatestAgreement(ctx, "")
	if err != nil {
		return nil, time.Time{}, err
	}
	a, err := agreement.ParseBundle(string(v.ID), v.Bundle)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("stored agreement %s version %d: %w", v.ID, v.Version, err)
	}
	files := exportFiles{"agreement.zip": v.Bundle}
	if err := exportReports(ctx, st, v, files); err != nil {
		return nil, time.Time{}, err
	}
	if err := exportField(ctx, st, adjudicate.New(a, nil), files); err != nil {
		return nil, time.Time{}, err
	}
	if err := exportSites(ctx, st, files); err != nil {
		return nil, time.Time{}, err
	}
	_, vk, err := st.LogKey(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	src, done, err := st.LogSource(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer done()
	var log bytes.Buffer
	if err := ledger.ExportBundle(ctx, src, vk, &log); err != nil {
		return nil, time.Time{}, err
	}
	files["log.jsonl"] = log.Bytes()
	files["README.md"] = exportReadme(a, v, files)
	files["SHA256SUMS"] = sha256Sums(files)
	return files, v.CreatedAt, nil
}

// exportReports writes every report with its judgement under v.
func exportReports(ctx context.Context, st backend, v *truce.AgreementVersion, files exportFiles) error {
	for _, format := range []string{"jsonl", "csv"} {
		var buf bytes.Buffer
		w, err := report.NewWriter(&buf, format)
		if err != nil {
			return err
		}
		if err := st.Judgements(ctx, v.ID, v.Version, truce.ReportFilter{}, w.Write); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		files["reports."+format] = buf.Bytes()
	}
	return nil
}

// exportField writes the observations and restrictions, judged by j.
func exportField(ctx context.Context, st backend, j *adjudicate.Judge, files exportFiles) error {
	var obs []report.ObservationRow
	if err := st.Observations(ctx, truce.FieldFilter{}, func(o *truce.Observation) error {
		obs = append(obs, report.NewObservationRow(j, o))
		return nil
	}); err != nil {
		return err
	}
	var rs []report.RestrictionRow
	if err := st.Restrictions(ctx, truce.FieldFilter{}, func(x *truce.AccessRestriction) error {
		rs = append(rs, report.NewRestrictionRow(j, x))
		return nil
	}); err != nil {
		return err
	}
	var oc, og, rc, rg bytes.Buffer
	for _, err := range []error{report.WriteObservationsCSV(&oc, obs, true), report.WriteObservationsGeoJSON(&og, obs),
		report.WriteRestrictionsCSV(&rc, rs, true), report.WriteRestrictionsGeoJSON(&rg, rs)} {
		if err != nil {
			return err
		}
	}
	files["observations.csv"], files["observations.geojson"] = oc.Bytes(), og.Bytes()
	files["restrictions.csv"], files["restrictions.geojson"] = rc.Bytes(), rg.Bytes()
	return nil
}

// exportSites writes the protected sites.
func exportSites(ctx context.Context, st backend, files exportFiles) error {
	sites, err := st.Sites(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write([]string{"id", "name", "country", "lon", "lat", "category", "capacity_mw", "source"}); err != nil {
		return err
	}
	for _, s := range sites {
		if err := w.Write([]string{report.SafeCell(string(s.ID)), report.SafeCell(s.Name), s.Country, strconv.FormatFloat(s.Location.Lon, 'f', -1, 64),
			strconv.FormatFloat(s.Location.Lat, 'f', -1, 64), string(s.Category), strconv.FormatFloat(s.CapacityMW, 'f', -1, 64), report.SafeCell(s.Source)}); err != nil {
			return err
		}
	}
	w.Flush()
	files["sites.csv"] = buf.Bytes()
	return w.Error()
}

// sha256Sums lists the SHA-256 of every file, by name, in the form
// sha256sum -c reads.
func sha256Sums(files exportFiles) []byte {
	var b bytes.Buffer
	for _, name := range sortedNames(files) {
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	return b.Bytes()
}

func sortedNames(files exportFiles) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// writeExportZip writes the files into a zip, sorted by name, each dated
// at (the same record gives the same bytes).
func writeExportZip(f *os.File, files exportFiles, at time.Time) error {
	zw := zip.NewWriter(f)
	for _, name := range sortedNames(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at.UTC()})
		if err != nil {
			return err
		}
		if _, err := w.Write(files[name]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// exportReadme says what each file of the export holds, so that someone
// without truce can read and check it.
func exportReadme(a *truce.Agreement, v *truce.AgreementVersion, files exportFiles) []byte {
	lines := func(name string) int { return bytes.Count(files[name], []byte("\n")) }
	rows := func(name string, head int) int { // CSV records after the head rows (a cell may hold a line break)
		recs, _ := csv.NewReader(bytes.NewReader(files[name])).ReadAll()
		return max(len(recs)-head, 0)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# truce export: %s\n\n", a.Title)
	fmt.Fprintf(&b, "The whole record of a truce store, judged under agreement %s version %d (SHA-256 %s), in files any\n", v.ID, v.Version, v.SHA256)
	b.WriteString("spreadsheet, GIS or text tool opens. Times are UTC (RFC 3339); positions are WGS 84 longitude and\n")
	b.WriteString("latitude in degrees. CSV files are UTF-8 with a header row; a cell that a spreadsheet would run as a\n")
	b.WriteString("formula starts with a quote (').\n\n")
	b.WriteString("| file | what it holds |\n|---|---|\n")
	for _, f := range []struct{ name, what string }{
		{"README.md", "this file"},
		{"SHA256SUMS", "the SHA-256 of every other file: `sha256sum -c SHA256SUMS` checks them"},
		{"agreement.zip", "the agreement in force, byte for byte as stored (agreement.yaml and the files it names; its SHA-256 is the one above and in the log)"},
		{"reports.jsonl", fmt.Sprintf("%d reports, one JSON object a line: the report with its provenance and its judgement (outcome, explanation, facts with their evidence, findings per commitment and reading)", lines("reports.jsonl"))},
		{"reports.csv", "the same reports, one a row: report_id, source, time, time_end, lon, lat, outcome, perpetrator, category, commitment, phase, explanation"},
		{"observations.csv", fmt.Sprintf("%d observations by the mission's monitors, one a row (docs/field-format.md), with a second row of HXL hashtags (#event+id, #date+start, #geo+lat, #geo+lon, #loc+name, #adm1+name, #event+type, #actor+name, #status+outcome, #description): the observer's position, where the observed event lies (event_lat, event_lon, within event_precision_m), and the judgement", rows("observations.csv", 2))},
		{"observations.geojson", "the same observations as an RFC 7946 FeatureCollection of points at the observers' positions (QGIS and GDAL open it as it is)"},
		{"restrictions.csv", fmt.Sprintf("%d restrictions of the monitors' access, one a row, with the HXL hashtag row, and their judgements", rows("restrictions.csv", 2))},
		{"restrictions.geojson", "the same restrictions as a FeatureCollection of points"},
		{"sites.csv", fmt.Sprintf("%d protected sites: id, name, country, lon, lat, category, capacity_mw, source", rows("sites.csv", 1))},
		{"log.jsonl", "the tamper-evident log (an RFC 6962 Merkle tree with signed checkpoints): a header with the log's verifier key, the checkpoints, then every record with its hashes. Each stored row above is rebuilt from these records by `truce log verify`; `truce log verify --bundle log.jsonl` checks the tree and the signatures offline; each record line holds the record's bytes as hashed (canonical JSON), so the tree can be recomputed with any RFC 6962 implementation"},
	} {
		fmt.Fprintf(&b, "| `%s` | %s |\n", f.name, f.what)
	}
	b.WriteString("\nJudgements of observations and restrictions are those of the agreement above, made when the export was written.\n")
	return b.Bytes()
}
