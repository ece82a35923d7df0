package sqlstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"truce"
	"truce/internal/adjudicate"
	"truce/internal/ledger"
)

// A brief is what a period summary reads of one judged report, kept in
// the judgement_briefs table beside the judgement (keyed by agreement,
// version, the report's start and its id) so that a summary of 100,000
// reports reads one short row each, in order, instead of joining each
// report to its judgement and decoding the judgement's whole detail
// (about 6 KB of JSON each). It holds, in a compact binary form, the
// report's source, outlet, end, time precision, location, place and text
// key (adjudicate.TextKey, all that grouping reads of the text) and the
// judgement's outcome, perpetrator, category, site and its
// most severe finding under each phase (the first of equals, in the
// judgement's order: the one report.Summary.Add counts) with its
// commitment, phase, party and outcome, and its explanation if it finds a
// violation or a dispute: exactly what report.Summary.Add reads.
//
// A brief is derived: it is written in the transaction that writes its
// judgement, and VerifyRows recomputes every brief from the verified
// report and judgement (checkBriefs), so that a changed, missing or
// extra brief cannot change a count unnoticed.
//
// Layout (version 1): a version byte, then fields in the order above;
// a string is its length (uvarint) and bytes, an integer a varint, a
// float its IEEE 754 bits (8 bytes, little-endian), the site a presence
// byte and then its id, name, category and distance.
const briefVersion = 1

// EncodeBrief returns the brief of report r judged j.
func EncodeBrief(r *truce.Report, j *truce.Judgement) []byte {
	b := make([]byte, 0, 96+len(r.Source)+len(r.Outlet)+len(r.Place)+48*len(j.Findings))
	b = append(b, briefVersion)
	b = appendString(b, r.Source)
	b = appendString(b, r.Outlet)
	b = binary.AppendVarint(b, r.End.UnixNano())
	b = binary.AppendVarint(b, int64(r.Precision))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Location.Lon))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Location.Lat))
	b = appendString(b, r.Place)
	b = appendString(b, adjudicate.TextKey(r.Text))
	b = binary.AppendVarint(b, int64(j.Outcome))
	b = appendString(b, string(j.Facts.Perpetrator))
	b = appendString(b, string(j.Facts.Category))
	if s := j.Facts.Site; s == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendString(b, string(s.ID))
		b = appendString(b, s.Name)
		b = appendString(b, string(s.Category))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.DistanceMeters))
	}
	worst := worstPerPhase(j.Findings)
	b = binary.AppendUvarint(b, uint64(len(worst)))
	for _, f := range worst {
		b = appendString(b, string(f.Commitment))
		b = appendString(b, string(f.Phase))
		b = appendString(b, string(f.Party))
		b = binary.AppendVarint(b, int64(f.Outcome))
		x := ""
		if f.Outcome == truce.OutcomeViolation || f.Outcome == truce.OutcomeDisputed {
			x = f.Explanation
		}
		b = appendString(b, x)
	}
	return b
}

// worstPerPhase returns the most severe of fs under each phase, the first
// of equals, in the order the phases first appear.
func worstPerPhase(fs []truce.Finding) []*truce.Finding {
	var worst []*truce.Finding
	for i := range fs {
		f := &fs[i]
		k := slices.IndexFunc(worst, func(w *truce.Finding) bool { return w.Phase == f.Phase })
		switch {
		case k < 0:
			worst = append(worst, f)
		case f.Outcome > worst[k].Outcome:
			worst[k] = f
		}
	}
	return worst
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errBrief = errors.New("malformed brief")

// briefReader reads a brief's fields in order; the first malformed one
// sets err, and every read after it returns a zero value.
type briefReader struct {
	b   []byte
	err error
	// interned holds the short strings read so far (sources, outlets,
	// parties, commitments, phases repeat from brief to brief), when not
	// nil: a summary of 100,000 briefs allocates each once.
	interned map[string]string
}

func (r *briefReader) fail() { r.err, r.b = errBrief, nil }

func (r *briefReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *briefReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *briefReader) float() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *briefReader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *briefReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// word reads a string that repeats from brief to brief (a source, an
// outlet, a party, a commitment, a phase, a category), interned.
func (r *briefReader) word() string {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) || r.interned == nil || n > 64 {
		return r.string()
	}
	b := r.b[k : k+int(n)]
	r.b = r.b[k+int(n):]
	if s, ok := r.interned[string(b)]; ok {
		return s
	}
	s := string(b)
	r.interned[s] = s
	return s
}

// DecodeBrief returns the report (id and start given, the other fields
// the brief keeps, its text empty), its text key and its judgement as a
// period summary reads them.
func DecodeBrief(id truce.ReportID, start int64, brief []byte) (*truce.Report, *truce.Judgement, string, error) {
	r, j := &truce.Report{}, &truce.Judgement{}
	key, err := decodeBrief(id, start, brief, &briefScratch{interned: map[string]string{}}, r, j)
	if err != nil {
		return nil, nil, "", err
	}
	return r, j, key, nil
}

// briefScratch is what the briefs of one summary share as they are
// decoded: the short strings read so far, and a slab of findings that
// decodeBrief takes its judgements' findings from.
type briefScratch struct {
	interned map[string]string
	findings []truce.Finding
}

// decodeBrief decodes brief into r and j, taking j's findings from the
// front of sc.findings (a new slab when it is short), and returns the
// text key.
func decodeBrief(id truce.ReportID, start int64, brief []byte, sc *briefScratch, r *truce.Report, j *truce.Judgement) (string, error) {
	if len(brief) == 0 || brief[0] != briefVersion {
		return "", fmt.Errorf("judgement %s: brief: unknown version", id)
	}
	rd := briefReader{b: brief[1:], interned: sc.interned}
	*r = truce.Report{ID: id, Start: unixUTC(start)}
	r.Source, r.Outlet = rd.word(), rd.word()
	r.End, r.Precision = unixUTC(rd.varint()), truce.TimePrecision(rd.varint())
	r.Location.Lon, r.Location.Lat = rd.float(), rd.float()
	r.Place = rd.string()
	key := rd.string()
	*j = truce.Judgement{Report: id, Outcome: truce.Outcome(rd.varint())}
	j.Facts.Perpetrator, j.Facts.Category = truce.PartyID(rd.word()), truce.CategoryID(rd.word())
	switch rd.byte() {
	case 0:
	case 1:
		s := &truce.SiteMatch{ID: truce.SiteID(rd.string()), Name: rd.string(), Category: truce.CategoryID(rd.string())}
		s.DistanceMeters = rd.float()
		j.Facts.Site = s
	default:
		rd.fail()
	}
	n := rd.uvarint()
	if n > uint64(len(rd.b)) { // each finding takes at least one byte
		rd.fail()
		n = 0
	}
	if uint64(len(sc.findings)) < n {
		sc.findings = make([]truce.Finding, max(int(n), 1024))
	}
	j.Findings, sc.findings = sc.findings[:n:n], sc.findings[n:]
	for i := range j.Findings {
		f := &j.Findings[i]
		*f = truce.Finding{Commitment: truce.CommitmentID(rd.word()), Phase: truce.PhaseID(rd.word()), Party: truce.PartyID(rd.word())}
		f.Outcome, f.Explanation = truce.Outcome(rd.varint()), rd.string()
	}
	if rd.err == nil && len(rd.b) != 0 {
		rd.fail()
	}
	if rd.err != nil {
		return "", fmt.Errorf("judgement %s: %w", id, rd.err)
	}
	return key, nil
}

// JudgedReport is what judging a report reads of the stored report: its
// incident and the fields its brief keeps.
type JudgedReport struct {
	Incident truce.IncidentID
	Report   truce.Report
}

// JudgedReportCols are the columns of reports that ScanJudgedReport
// reads, after the report's id.
const JudgedReportCols = `incident_id, source, outlet, start_ns, end_ns, precision, lon, lat, place, text`

// ScanJudgedReport reads JudgedReportCols into a JudgedReport of report
// id.
func ScanJudgedReport(sc Scanner, id truce.ReportID) (JudgedReport, error) {
	var j JudgedReport
	var inc string
	var start, end int64
	var prec int
	r := &j.Report
	if err := sc.Scan(&inc, &r.Source, &r.Outlet, &start, &end, &prec, &r.Location.Lon, &r.Location.Lat, &r.Place, &r.Text); err != nil {
		return j, err
	}
	j.Incident, r.ID, r.Start, r.End, r.Precision = truce.IncidentID(inc), id, unixUTC(start), unixUTC(end), truce.TimePrecision(prec)
	return j, nil
}

// JudgementWrite is a judgement row to write and its brief, keyed by the
// report's start (Unix nanoseconds).
type JudgementWrite struct {
	ledger.JudgementRow
	// Stored is the detail as the store keeps it: Detail (the JSON), or
	// packed (PackDetail) when Driver.PackDetails.
	Stored []byte
	Start  int64
	Brief  []byte
}

// briefSource selects every judgement with its report's brief fields and
// its stored brief, if any (NULL when there is none): what BackfillBriefs
// fills and checkBriefs checks.
var briefSource = `SELECT j.agreement, j.version, j.report_id, j.outcome, j.detail, ` + Prefixed(JudgedReportCols, "r.") + `, b.brief
	FROM judgements j JOIN reports r ON r.id = j.report_id
	LEFT JOIN judgement_briefs b ON b.agreement = j.agreement AND b.version = j.version AND b.start_ns = r.start_ns AND b.report_id = j.report_id`

// briefRow is one row of briefSource: the brief the judgement should
// have (Brief) and the one stored (nil if none).
type briefRow struct {
	JudgementWrite
	stored []byte
}

func scanBriefRow(sc Scanner) (briefRow, error) {
	var b briefRow
	var agreement, id string
	var detail []byte
	var outcome int
	// The judgement's columns, then the report's, then the stored brief.
	scan := WithExtra(ScanFunc(func(dest ...any) error {
		return sc.Scan(append([]any{&agreement, &b.Version, &id, &outcome, &detail}, dest...)...)
	}), &b.stored)
	rep, err := ScanJudgedReport(scan, "")
	if err != nil {
		return b, err
	}
	rep.Report.ID = truce.ReportID(id)
	var jd truce.Judgement
	if err := DecodeJudgement(&jd, truce.ReportID(id), outcome, detail); err != nil {
		return b, err
	}
	b.Agreement, b.Report, b.Start, b.Brief = truce.AgreementID(agreement), truce.ReportID(id), rep.Report.Start.UnixNano(), EncodeBrief(&rep.Report, &jd)
	return b, nil
}

// BackfillBriefs writes the brief of every judgement that has none, once,
// in one write transaction, when migration 10 asked for it (a database
// judged before briefs were kept). The stores call it when they open.
func BackfillBriefs(ctx context.Context, c Core) error {
	if pending, err := settingPending(ctx, c.d.DB, "brief_backfill"); err != nil || !pending {
		return err
	}
	return c.d.Write(ctx, func(w WriteTx) error {
		if pending, err := settingPending(ctx, w, "brief_backfill"); err != nil || !pending {
			return err
		}
		var missing []briefRow
		if err := Each(ctx, w, "backfill briefs", scanBriefRow, func(b briefRow) error {
			if b.stored == nil {
				missing = append(missing, b)
			}
			return nil
		}, briefSource); err != nil {
			return err
		}
		for _, b := range missing {
			if _, err := w.Exec(ctx, `INSERT INTO judgement_briefs (agreement, version, start_ns, report_id, brief) VALUES ($1, $2, $3, $4, $5)`,
				string(b.Agreement), b.Version, b.Start, string(b.Report), b.Brief); err != nil {
				return fmt.Errorf("backfill briefs: %w", err)
			}
		}
		if _, err := w.Exec(ctx, `DELETE FROM settings WHERE key = 'brief_backfill'`); err != nil {
			return fmt.Errorf("backfill briefs: %w", err)
		}
		return nil
	})
}

// checkBriefs checks every stored brief against the report and judgement
// it is derived from, after VerifyRows has checked those against the log:
// every judgement has its brief, as EncodeBrief makes it, and no brief is
// without a judgement. It returns the number of briefs checked.
func checkBriefs(ctx context.Context, db DB) (int, error) {
	n := 0
	err := Each(ctx, db, verifying, scanBriefRow, func(b briefRow) error {
		what := fmt.Sprintf("judgement_briefs: the brief of report %s under %s version %d", b.Report, b.Agreement, b.Version)
		switch {
		case b.stored == nil:
			return fmt.Errorf("%w: %s is missing", ledger.ErrLedgerDiverged, what)
		case !bytes.Equal(b.stored, b.Brief):
			return fmt.Errorf("%w: %s does not match the report and its judgement", ledger.ErrLedgerDiverged, what)
		}
		n++
		return nil
	}, briefSource)
	if err != nil {
		return 0, err
	}
	var extra struct {
		agreement, report string
		version           int
	}
	err = db.QueryRow(ctx, `SELECT b.agreement, b.version, b.report_id FROM judgement_briefs b WHERE NOT EXISTS (SELECT 1 FROM judgements j
		JOIN reports r ON r.id = j.report_id WHERE j.agreement = b.agreement AND j.version = b.version AND j.report_id = b.report_id AND r.start_ns = b.start_ns)
		LIMIT 1`).Scan(&extra.agreement, &extra.version, &extra.report)
	switch {
	case err == nil:
		return 0, fmt.Errorf("%w: judgement_briefs: a brief of report %s under %s version %d has no judgement", ledger.ErrLedgerDiverged,
			extra.report, extra.agreement, extra.version)
	case !errors.Is(err, ErrNoRows):
		return 0, fmt.Errorf("%s: %w", verifying, err)
	}
	return n, nil
}
