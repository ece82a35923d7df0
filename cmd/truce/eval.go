package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"truce"
	"truce/internal/adjudicate"
)

// evalCmd is 'truce eval': the judge scored against a labels file.
func (e *env) evalCmd() *cobra.Command {
	var (
		agreementPath, labelsPath string
		siteFiles, reportFiles    []string
		half, format, show        string
		minPrecision, minRecall   float64
	)
	cmd := &cobra.Command{
		Use:   "eval --agreement A --sites FILE --reports FILE... --labels LABELS.csv",
		Short: "Score the judge against hand-labelled reports: confusion matrix, precision and recall of accusations",
		Long: `eval judges the report files against the agreement exactly as 'truce judge'
does, and compares each labelled report's judgement with its label: the
confusion matrix of outcomes, the precision and recall of accusations
(violation or disputed, with the accused party), exact-outcome accuracy,
agreement per reading, and every disagreement with the judge's explanation.
With --min-precision or --min-recall it fails below those floors: it is how a
mission calibrates truce to its own sources (see docs/eval.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEvalFlags(half, format, show, minPrecision, minRecall); err != nil {
				return err
			}
			labels, err := readLabels(labelsPath, half)
			if err != nil {
				return err
			}
			a, err := loadAgreement(e.stderr, agreementPath)
			if err != nil {
				return err
			}
			if err := checkLabelParties(labelsPath, labels, a); err != nil {
				return err
			}
			sites, err := e.loadSites(siteFiles, false)
			if err != nil {
				return err
			}
			j := adjudicate.New(a, sites)
			c := newEvalCollector(labels)
			for _, f := range reportFiles {
				if err := e.judgeFile(cmd.Context(), j, c, f, "", false); err != nil {
					return err
				}
			}
			if err := c.missing(labelsPath); err != nil {
				return err
			}
			res := scoreLabels(labels, c.got, a)
			res.Labels, res.Half = labelsPath, half
			if format == "json" {
				err = writeEvalJSON(e.stdout, res, show)
			} else {
				err = writeEvalText(e.stdout, res, show)
			}
			if err != nil {
				return err
			}
			return res.floors(minPrecision, minRecall)
		},
	}
	cmd.Flags().StringVar(&agreementPath, "agreement", "", "agreement file (YAML)")
	cmd.Flags().StringSliceVar(&siteFiles, "sites", nil, "protected sites: GPPD CSV, sites CSV or GeoJSON (comma-separated or repeated)")
	cmd.Flags().StringSliceVar(&reportFiles, "reports", nil, "report files (repeatable)")
	cmd.Flags().StringVar(&labelsPath, "labels", "", "labels CSV: id, outcome and optional party, readings, half (see docs/eval.md)")
	cmd.Flags().StringVar(&half, "half", "", "score only the label rows of this half, e.g. dev, test or blind (default: every row)")
	cmd.Flags().Float64Var(&minPrecision, "min-precision", 0, "fail when the precision of accusations is below this (0: no floor)")
	cmd.Flags().Float64Var(&minRecall, "min-recall", 0, "fail when the recall of accusations is below this (0: no floor)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&show, "show", "errors", "which scored reports to list: all, errors (the disagreements) or none")
	must(cmd.MarkFlagRequired("agreement"))
	must(cmd.MarkFlagRequired("reports"))
	must(cmd.MarkFlagRequired("labels"))
	return cmd
}

func checkEvalFlags(half, format, show string, minPrecision, minRecall float64) error {
	switch {
	case half != "" && !validHalf(half):
		return fmt.Errorf("bad --half %q: want a name of letters, digits, - or _ (e.g. dev, test, blind)", half)
	case format != "text" && format != "json":
		return fmt.Errorf("unknown --format %q: want text or json", format)
	case show != "all" && show != "errors" && show != "none":
		return fmt.Errorf("unknown --show %q: want all, errors or none", show)
	case minPrecision < 0 || minPrecision > 1:
		return fmt.Errorf("--min-precision %g: want a number from 0 to 1", minPrecision)
	case minRecall < 0 || minRecall > 1:
		return fmt.Errorf("--min-recall %g: want a number from 0 to 1", minRecall)
	}
	return nil
}

// evalLabel is one row of a labels file: what a person read in a report.
type evalLabel struct {
	id       truce.ReportID
	line     int
	outcome  truce.Outcome
	party    truce.PartyID
	readings []labelReading // in the order written
}

// labelReading is the expected outcome under the reading a party holds.
type labelReading struct {
	party   truce.PartyID
	outcome truce.Outcome
}

// readLabels reads the labels file at path, keeping the rows of half ("" =
// every row). Every problem is an error "PATH:LINE: message".
func readLabels(path, half string) ([]evalLabel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	lineErr := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: "+format, append([]any{path, line}, args...)...)
	}
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return lineErr(pe.Line, "%w", pe.Err)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, lineErr(1, "empty file: want a header row with at least the columns id and outcome")
	} else if err != nil {
		return nil, csvErr(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, name := range []string{"id", "outcome"} {
		if _, ok := col[name]; !ok {
			return nil, lineErr(1, "no %s column: the header row must name the columns id and outcome (it has %s)", name, strings.Join(header, ", "))
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []evalLabel
	seen := map[truce.ReportID]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, csvErr(err)
		}
		line, _ := r.FieldPos(0)
		l := evalLabel{id: truce.ReportID(get(rec, "id")), line: line}
		if l.id == "" {
			return nil, lineErr(line, "missing id")
		}
		if first, dup := seen[l.id]; dup {
			return nil, lineErr(line, "duplicate id %q (first on line %d)", l.id, first)
		}
		seen[l.id] = line
		if l.outcome, err = parseLabelOutcome(get(rec, "outcome")); err != nil {
			return nil, lineErr(line, "column outcome: %w", err)
		}
		l.party = truce.PartyID(get(rec, "party"))
		if l.readings, err = parseLabelReadings(get(rec, "readings")); err != nil {
			return nil, lineErr(line, "column readings: %w", err)
		}
		h := strings.ToLower(get(rec, "half"))
		if h != "" && !validHalf(h) {
			return nil, lineErr(line, "column half: %q: want a name of letters, digits, - or _ (dev, test, blind, ...) or nothing", h)
		}
		if half != "" && h != half {
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		if half != "" {
			return nil, fmt.Errorf("%s: no label rows of half %s", path, half)
		}
		return nil, fmt.Errorf("%s: no label rows", path)
	}
	return out, nil
}

func parseLabelOutcome(s string) (truce.Outcome, error) {
	if s == "" {
		return 0, errors.New("missing value: want violation, disputed, undetermined or not_prohibited")
	}
	o, ok := truce.ParseOutcome(strings.ToLower(s))
	if !ok {
		return 0, fmt.Errorf("unknown outcome %q: want violation, disputed, undetermined or not_prohibited", s)
	}
	return o, nil
}

// parseLabelReadings parses "RU=violation US=violation UA=not_prohibited"
// (commas and semicolons separate too).
func parseLabelReadings(s string) ([]labelReading, error) {
	var out []labelReading
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' }) {
		p, o, ok := strings.Cut(tok, "=")
		if !ok || p == "" {
			return nil, fmt.Errorf("%q: want party=outcome, e.g. RU=violation", tok)
		}
		outcome, err := parseLabelOutcome(o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tok, err)
		}
		if slices.ContainsFunc(out, func(lr labelReading) bool { return lr.party == truce.PartyID(p) }) {
			return nil, fmt.Errorf("party %s given twice", p)
		}
		out = append(out, labelReading{party: truce.PartyID(p), outcome: outcome})
	}
	return out, nil
}

// checkLabelParties checks that every party the labels name is a party of a.
func checkLabelParties(path string, labels []evalLabel, a *truce.Agreement) error {
	known := map[truce.PartyID]bool{}
	var ids []string
	for _, p := range a.Parties {
		known[p.ID] = true
		ids = append(ids, string(p.ID))
	}
	for _, l := range labels {
		ps := []truce.PartyID{l.party}
		for _, lr := range l.readings {
			ps = append(ps, lr.party)
		}
		for _, p := range ps {
			if p != "" && !known[p] {
				return fmt.Errorf("%s:%d: unknown party %q: the parties of agreement %s are %s", path, l.line, p, a.ID, strings.Join(ids, ", "))
			}
		}
	}
	return nil
}

// evalJudged is a labelled report and its judgement.
type evalJudged struct {
	r *truce.Report
	j truce.Judgement
}

// evalCollector is the report.Writer that 'truce judge' would print to: it
// keeps the judgements of the labelled reports.
type evalCollector struct {
	labels map[truce.ReportID]*evalLabel
	got    map[truce.ReportID]evalJudged
}

func newEvalCollector(labels []evalLabel) *evalCollector {
	c := &evalCollector{labels: map[truce.ReportID]*evalLabel{}, got: map[truce.ReportID]evalJudged{}}
	for i := range labels {
		c.labels[labels[i].id] = &labels[i]
	}
	return c
}

// Write keeps r's judgement if r is labelled; a report id met again (the
// same file given twice) keeps its first judgement.
func (c *evalCollector) Write(r *truce.Report, j *truce.Judgement) error {
	if _, ok := c.labels[r.ID]; ok {
		if _, dup := c.got[r.ID]; !dup {
			c.got[r.ID] = evalJudged{r: r, j: *j}
		}
	}
	return nil
}

// Flush does nothing: the judgements are scored once every file is read.
func (c *evalCollector) Flush() error { return nil }

// missing returns an error at the first labelled id that no report file
// held, saying how many there are and naming the first few.
func (c *evalCollector) missing(path string) error {
	var miss []*evalLabel
	for _, l := range c.labels {
		if _, ok := c.got[l.id]; !ok {
			miss = append(miss, l)
		}
	}
	if len(miss) == 0 {
		return nil
	}
	slices.SortFunc(miss, func(a, b *evalLabel) int { return cmp.Compare(a.line, b.line) })
	var names []string
	for _, l := range miss[:min(len(miss), 5)] {
		names = append(names, fmt.Sprintf("%s (line %d)", l.id, l.line))
	}
	if len(miss) > 5 {
		names = append(names, "…")
	}
	return fmt.Errorf("%s:%d: %d labelled id(s) not found among the reports (a rejected row counts as not found): %s",
		path, miss[0].line, len(miss), strings.Join(names, ", "))
}

// evalResult is what eval prints, as text or as one JSON object.
type evalResult struct {
	Labels    string `json:"labels"`
	Half      string `json:"half,omitempty"`
	Agreement string `json:"agreement"`
	Scored    int    `json:"scored"`
	// Outcomes orders the rows (labelled) and columns (judged) of Confusion.
	Outcomes      []string       `json:"outcomes"`
	Confusion     [][]int        `json:"confusion"`
	TP            int            `json:"tp"`
	FP            int            `json:"fp"`
	FN            int            `json:"fn"`
	Precision     float64        `json:"precision"`
	Recall        float64        `json:"recall"`
	Correct       int            `json:"correct"`
	Accuracy      float64        `json:"accuracy"`
	Readings      []readingScore `json:"readings,omitempty"`
	Disagreements int            `json:"disagreements"`
	Reports       []evalReport   `json:"reports"`
}

// readingScore counts how often the judge's outcome under a party's reading
// matched the label's.
type readingScore struct {
	Party string  `json:"party"`
	Agree int     `json:"agree"`
	Total int     `json:"total"`
	Rate  float64 `json:"rate"`
}

// evalReport is one scored report, labelled against judged.
type evalReport struct {
	ID            string        `json:"id"`
	Date          string        `json:"date"`
	Labelled      string        `json:"labelled"`
	LabelledParty string        `json:"labelled_party,omitempty"`
	Judged        string        `json:"judged"`
	JudgedParty   string        `json:"judged_party,omitempty"`
	Agrees        bool          `json:"agrees"`
	Readings      []readingPair `json:"readings,omitempty"`
	Text          string        `json:"text"`
	Explanation   string        `json:"explanation"`
}

// readingPair is a labelled reading against the judged one; Judged is
// "none" when the deciding finding has no reading for the party.
type readingPair struct {
	Party    string `json:"party"`
	Labelled string `json:"labelled"`
	Judged   string `json:"judged"`
}

// isAccusation reports whether o accuses a party.
func isAccusation(o truce.Outcome) bool {
	return o == truce.OutcomeViolation || o == truce.OutcomeDisputed
}

// decidingFinding returns the finding that gave j its outcome and
// explanation, or nil when j has no findings.
func decidingFinding(j *truce.Judgement) *truce.Finding {
	var first *truce.Finding
	for i := range j.Findings {
		f := &j.Findings[i]
		if f.Outcome != j.Outcome {
			continue
		}
		if f.Explanation == j.Explanation {
			return f
		}
		if first == nil {
			first = f
		}
	}
	return first
}

// ratio is n/d, with 0/0 taken as 1: nothing to find, nothing missed.
func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

// scoreLabels compares each label with its report's judgement.
func scoreLabels(labels []evalLabel, got map[truce.ReportID]evalJudged, a *truce.Agreement) evalResult {
	outcomes := truce.Outcomes()
	index := map[truce.Outcome]int{}
	res := evalResult{Agreement: string(a.ID), Scored: len(labels), Confusion: make([][]int, len(outcomes))}
	for i, o := range outcomes {
		index[o] = i
		res.Outcomes = append(res.Outcomes, o.String())
		res.Confusion[i] = make([]int, len(outcomes))
	}
	tz := a.Timezone
	if tz == nil {
		tz = time.UTC
	}
	readings := map[truce.PartyID]*readingScore{}
	type scored struct {
		r   *truce.Report
		rep evalReport
	}
	var all []scored
	for i := range labels {
		l := &labels[i]
		jd := got[l.id]
		j := &jd.j
		f := decidingFinding(j)
		judgedParty := j.Facts.Perpetrator
		if f != nil && f.Party != "" {
			judgedParty = f.Party
		}
		res.Confusion[index[l.outcome]][index[j.Outcome]]++
		agrees := l.outcome == j.Outcome
		if agrees {
			res.Correct++
		}
		tp := isAccusation(l.outcome) && isAccusation(j.Outcome) && (l.party == "" || l.party == judgedParty)
		switch {
		case tp:
			res.TP++
		case isAccusation(j.Outcome) && isAccusation(l.outcome):
			res.FP++
			res.FN++
			agrees = false
		case isAccusation(j.Outcome):
			res.FP++
		case isAccusation(l.outcome):
			res.FN++
		}
		rep := evalReport{
			ID: string(l.id), Date: jd.r.Start.In(tz).Format(time.DateOnly),
			Labelled: l.outcome.String(), Judged: j.Outcome.String(),
			Text: truncateText(jd.r.Text, 200), Explanation: j.Explanation,
		}
		if isAccusation(l.outcome) {
			rep.LabelledParty = string(l.party)
		}
		if isAccusation(j.Outcome) {
			rep.JudgedParty = string(judgedParty)
		}
		for _, lr := range l.readings {
			judged := judgedReading(f, lr.party)
			rs := readings[lr.party]
			if rs == nil {
				rs = &readingScore{Party: string(lr.party)}
				readings[lr.party] = rs
			}
			rs.Total++
			if judged == lr.outcome.String() {
				rs.Agree++
			} else {
				agrees = false
			}
			rep.Readings = append(rep.Readings, readingPair{Party: string(lr.party), Labelled: lr.outcome.String(), Judged: judged})
		}
		rep.Agrees = agrees
		if !agrees {
			res.Disagreements++
		}
		all = append(all, scored{jd.r, rep})
	}
	res.Precision = ratio(res.TP, res.TP+res.FP)
	res.Recall = ratio(res.TP, res.TP+res.FN)
	res.Accuracy = ratio(res.Correct, res.Scored)
	for _, rs := range readings {
		rs.Rate = ratio(rs.Agree, rs.Total)
		res.Readings = append(res.Readings, *rs)
	}
	slices.SortFunc(res.Readings, func(a, b readingScore) int { return strings.Compare(a.Party, b.Party) })
	slices.SortFunc(all, func(a, b scored) int {
		return cmp.Or(a.r.Start.Compare(b.r.Start), strings.Compare(a.r.File, b.r.File),
			cmp.Compare(a.r.Line, b.r.Line), strings.Compare(a.rep.ID, b.rep.ID))
	})
	for _, s := range all {
		res.Reports = append(res.Reports, s.rep)
	}
	return res
}

// judgedReading is the outcome of f under the reading p holds, or "none".
func judgedReading(f *truce.Finding, p truce.PartyID) string {
	if f != nil {
		for _, rr := range f.Readings {
			if slices.Contains(rr.Parties, p) {
				return rr.Outcome.String()
			}
		}
	}
	return "none"
}

// truncateText puts s on one line and cuts it to at most n runes.
func truncateText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// shown returns the reports that --show asks for.
func (res evalResult) shown(show string) []evalReport {
	out := []evalReport{}
	for _, r := range res.Reports {
		if show == "all" || (show == "errors" && !r.Agrees) {
			out = append(out, r)
		}
	}
	return out
}

// floors returns an error naming each floor that res misses.
func (res evalResult) floors(minPrecision, minRecall float64) error {
	var msgs []string
	if res.Precision < minPrecision {
		msgs = append(msgs, fmt.Sprintf("precision %.3f (TP %d, FP %d) is below --min-precision %g", res.Precision, res.TP, res.FP, minPrecision))
	}
	if res.Recall < minRecall {
		msgs = append(msgs, fmt.Sprintf("recall %.3f (TP %d, FN %d) is below --min-recall %g", res.Recall, res.TP, res.FN, minRecall))
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

func writeEvalJSON(w io.Writer, res evalResult, show string) error {
	res.Reports = res.shown(show)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

func writeEvalText(w io.Writer, res evalResult, show string) error {
	half := ""
	if res.Half != "" {
		half = ", half " + res.Half
	}
	fmt.Fprintf(w, "%d labelled reports scored (%s%s) against agreement %s\n\n", res.Scored, res.Labels, half, res.Agreement)
	fmt.Fprintln(w, "Outcomes (rows: labelled, columns: judged)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, o := range res.Outcomes {
		fmt.Fprintf(tw, "%s\t", o)
	}
	fmt.Fprintln(tw)
	for i, o := range res.Outcomes {
		fmt.Fprintf(tw, "%s\t", o)
		for _, n := range res.Confusion[i] {
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nAccusations (violation or disputed; a labelled party must match): TP %d, FP %d, FN %d\n", res.TP, res.FP, res.FN)
	fmt.Fprintf(w, "  precision %.3f (%d/%d)\n", res.Precision, res.TP, res.TP+res.FP)
	fmt.Fprintf(w, "  recall    %.3f (%d/%d)\n", res.Recall, res.TP, res.TP+res.FN)
	fmt.Fprintln(w, "  (0/0 counts as 1.000)")
	fmt.Fprintf(w, "Exact outcome: %.3f (%d/%d)\n", res.Accuracy, res.Correct, res.Scored)
	if len(res.Readings) > 0 {
		fmt.Fprintln(w, "Readings (the judge's outcome under each party's reading against the label):")
		for _, rs := range res.Readings {
			fmt.Fprintf(w, "  %s %.3f (%d/%d)\n", rs.Party, rs.Rate, rs.Agree, rs.Total)
		}
	}
	fmt.Fprintf(w, "Disagreements: %d\n", res.Disagreements)
	reps := res.shown(show)
	if show == "none" {
		return nil
	}
	if show == "all" {
		fmt.Fprintf(w, "\nReports (%d)\n", len(reps))
	} else {
		fmt.Fprintf(w, "\nDisagreements (%d)\n", len(reps))
	}
	for _, r := range reps {
		mark := "disagrees"
		if r.Agrees {
			mark = "agrees"
		}
		fmt.Fprintf(w, "\n%s  %s  %s\n", r.ID, r.Date, mark)
		fmt.Fprintf(w, "  labelled %s, judged %s\n", withParty(r.Labelled, r.LabelledParty), withParty(r.Judged, r.JudgedParty))
		for _, rp := range r.Readings {
			if rp.Labelled != rp.Judged {
				fmt.Fprintf(w, "  reading of %s: labelled %s, judged %s\n", rp.Party, rp.Labelled, rp.Judged)
			}
		}
		fmt.Fprintf(w, "  text: %s\n", r.Text)
		fmt.Fprintf(w, "  judge: %s\n", r.Explanation)
	}
	return nil
}

func withParty(outcome, party string) string {
	if party == "" {
		return outcome
	}
	return outcome + " by " + party
}

// validHalf reports whether h names a part of a labelled corpus: the
// development half a judge is tuned on, the test half, a blind sample.
func validHalf(h string) bool {
	for _, r := range h {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return false
		}
	}
	return h != "" && len(h) <= 32
}
