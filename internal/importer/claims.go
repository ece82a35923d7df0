package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"truce"
	"truce/internal/geo"
)

// The columns (CSV) or fields (JSON Lines) of truce's claim import format,
// docs/claims-format.md: those of the bundled claims_2025.csv and
// tallies_2025.csv.
var (
	claimColumns = []string{"claim_id", "claimant", "claimant_body", "statement_date", "event_date", "accused", "facility",
		"facility_kind", "settlement", "region", "country_of_site", "lat", "lon", "weapon", "consequences", "source_title",
		"source_url", "confidence", "note"}
	claimRequired = []string{"claim_id", "claimant", "statement_date", "accused"}
	tallyColumns  = []string{"tally_id", "claimant", "speaker", "statement_date", "period_covered", "count", "wording",
		"source_title", "source_url"}
	tallyRequired = []string{"claimant", "statement_date", "count"}
)

// Precisions of the placements the import makes.
const (
	// CoordinatePrecisionMeters is the precision of a claim's own
	// coordinates: settlement centres, not facility positions.
	CoordinatePrecisionMeters = 5_000
	// SitePrecisionMeters is the precision of a claim placed at the
	// protected site its facility names.
	SitePrecisionMeters = 1_000
	// SettlementPrecisionMeters is the precision of a claim placed at a
	// settlement the gazetteer gives no extent for.
	SettlementPrecisionMeters = 5_000
)

// ClaimOptions control a read of claims or tallies.
type ClaimOptions struct {
	// File is the base name used in tally ids and messages; a path is cut
	// to its base name.
	File   string
	Strict bool // the first bad row is fatal
	// TZ is the zone of the file's dates; nil means UTC.
	TZ *time.Location
	// Published marks every claim and tally read as published: the
	// parties' public statements, imported by a monitor.
	Published bool
	// Placer places the claims without coordinates; nil leaves them
	// NotPlaced.
	Placer Placer
}

// Placer places a claim that gave no coordinates from what it names: its
// facility, settlement or region. It sets Location,
// LocationPrecisionMeters, PlacedBy and Site, or leaves the claim
// NotPlaced. NewClaimPlacer is the one the command line uses.
type Placer interface {
	// Place sets c's position, or leaves it NotPlaced.
	Place(c *truce.Claim)
}

// ReadClaims reads claims in truce's claim import format (CSV with a
// header, or JSON Lines; see docs/claims-format.md) from r and calls emit
// for each good one, in input order. Every claim passed to emit is
// normalised, placed and has passed (*truce.Claim).Validate, and no two
// share an id. Bad rows, strict mode and errors are handled as in
// ReadReports; a bad row's message is "FILE:LINE: column X: message".
func ReadClaims(r io.Reader, opt ClaimOptions, emit func(*truce.Claim) error, bad func(RowError)) (Stats, error) {
	rn, src, isJSON, err := startClaims(r, &opt, bad, "claims")
	if err != nil {
		return Stats{}, err
	}
	accept := func(line int, f fields) error {
		rn.stats.Read++
		c, err := parseClaim(f, line, rn, opt)
		if err == nil {
			c.Normalize()
			err = c.Validate()
		}
		if err == nil {
			err = rn.claim(string(c.ID), line)
		}
		if err != nil {
			return rn.reject(line, err)
		}
		rn.stats.Accepted++
		return emit(c)
	}
	if isJSON {
		err = readFieldsJSON(src, rn, claimColumns, accept)
	} else {
		err = readFieldsCSV(src, rn, claimRequired, claimColumns, accept)
	}
	return rn.stats, err
}

// ReadTallies reads tallies in truce's claim import format; a tally
// without a tally_id takes the id FILE:LINE. See ReadClaims.
func ReadTallies(r io.Reader, opt ClaimOptions, emit func(*truce.Tally) error, bad func(RowError)) (Stats, error) {
	rn, src, isJSON, err := startClaims(r, &opt, bad, "tallies")
	if err != nil {
		return Stats{}, err
	}
	accept := func(line int, f fields) error {
		rn.stats.Read++
		t, err := parseTally(f, line, rn, opt)
		if err == nil {
			err = t.Validate()
		}
		if err == nil {
			err = rn.claim(string(t.ID), line)
		}
		if err != nil {
			return rn.reject(line, err)
		}
		rn.stats.Accepted++
		return emit(t)
	}
	if isJSON {
		err = readFieldsJSON(src, rn, tallyColumns, accept)
	} else {
		err = readFieldsCSV(src, rn, tallyRequired, tallyColumns, accept)
	}
	return rn.stats, err
}

// startClaims readies a read of kind ("claims", "tallies"): the runner,
// the text and whether it is JSON Lines (its first non-blank byte is '{').
func startClaims(r io.Reader, opt *ClaimOptions, bad func(RowError), kind Format) (*runner, *textReader, bool, error) {
	srcFile := ""
	if opt.File == "" {
		opt.File = "stdin"
	} else {
		opt.File = filepath.Base(opt.File)
		srcFile = opt.File
	}
	if opt.TZ == nil {
		opt.TZ = time.UTC
	}
	src := newTextReader(r)
	head, err := src.peek(headSize)
	if err != nil {
		return nil, nil, false, fmt.Errorf("read %s: %w", opt.File, err)
	}
	head = bytes.TrimLeft(head, " \t\r\n")
	rn := &runner{opt: Options{Format: kind, File: opt.File, Strict: opt.Strict, TZ: opt.TZ}, srcFile: srcFile, bad: bad, seen: map[string]int{}}
	return rn, src, len(head) > 0 && head[0] == '{', nil
}

// fields is one record of the claim format: its values by column name
// and how its problems name a column ("column" in CSV, "field" in JSON).
type fields struct {
	get   func(name string) string
	label string
}

// invalid is an EINVALID error about column name.
func (f fields) invalid(name, format string, args ...any) error {
	return invalidf("%s %s: %s", f.label, name, fmt.Sprintf(format, args...))
}

// required returns the value of name, or an error if it is empty.
func (f fields) required(name string) (string, error) {
	v := f.get(name)
	if v == "" {
		return "", f.invalid(name, "missing value")
	}
	return v, nil
}

// day parses name, a YYYY-MM-DD date, as the day [start, end) in loc, in
// UTC; ok is false when it is empty.
func (f fields) day(name string, loc *time.Location) (start, end time.Time, ok bool, err error) {
	v := f.get(name)
	if v == "" {
		return time.Time{}, time.Time{}, false, nil
	}
	t, perr := time.Parse(time.DateOnly, v)
	if perr != nil {
		return time.Time{}, time.Time{}, false, f.invalid(name, "%q is not a date (YYYY-MM-DD)", v)
	}
	start, end = dateOf(t).days(0, 1, loc)
	return start, end, true, nil
}

// party parses name, a party id such as RU or UA.
func (f fields) party(name string) (truce.PartyID, error) {
	v, err := f.required(name)
	if err != nil {
		return "", err
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' }) {
		return "", f.invalid(name, "%q is not a party id (e.g. RU, UA)", v)
	}
	return truce.PartyID(v), nil
}

// point parses the lat and lon columns: both or neither.
func (f fields) point() (geo.Point, bool, error) {
	latV, lonV := f.get("lat"), f.get("lon")
	switch {
	case latV == "" && lonV == "":
		return geo.Point{}, false, nil
	case latV == "":
		return geo.Point{}, false, f.invalid("lat", "missing value (lon is given)")
	case lonV == "":
		return geo.Point{}, false, f.invalid("lon", "missing value (lat is given)")
	}
	lat, err := parseFloat("lat", latV)
	if err != nil {
		return geo.Point{}, false, f.invalid("lat", "%q is not a number", latV)
	}
	lon, err := parseFloat("lon", lonV)
	if err != nil {
		return geo.Point{}, false, f.invalid("lon", "%q is not a number", lonV)
	}
	p, err := checkPoint(f.label+" lon", lon, f.label+" lat", lat)
	return p, err == nil, err
}

func parseClaim(f fields, line int, rn *runner, opt ClaimOptions) (*truce.Claim, error) {
	id, err := f.required("claim_id")
	if err != nil {
		return nil, err
	}
	c := &truce.Claim{ID: truce.ClaimID(id), Body: f.get("claimant_body"), Facility: f.get("facility"),
		FacilityKind: f.get("facility_kind"), Settlement: f.get("settlement"), Region: f.get("region"),
		SiteCountry: f.get("country_of_site"), Weapon: f.get("weapon"), Consequences: f.get("consequences"),
		SourceTitle: f.get("source_title"), SourceURL: f.get("source_url"), Confidence: f.get("confidence"), Note: f.get("note"),
		Published: opt.Published, File: rn.srcFile, Line: line}
	if c.Claimant, err = f.party("claimant"); err != nil {
		return nil, err
	}
	if c.Accused, err = f.party("accused"); err != nil {
		return nil, err
	}
	if c.Accused == c.Claimant {
		return nil, f.invalid("accused", "%s does not accuse itself", c.Claimant)
	}
	var ok bool
	if c.Stated, _, ok, err = f.day("statement_date", opt.TZ); err != nil {
		return nil, err
	} else if !ok {
		return nil, f.invalid("statement_date", "missing value")
	}
	if c.EventStart, c.EventEnd, _, err = f.day("event_date", opt.TZ); err != nil {
		return nil, err
	}
	p, ok, err := f.point()
	switch {
	case err != nil:
		return nil, err
	case ok:
		c.Location, c.LocationPrecisionMeters, c.PlacedBy = p, CoordinatePrecisionMeters, truce.PlacedByCoordinates
	case opt.Placer != nil:
		opt.Placer.Place(c)
	}
	return c, nil
}

func parseTally(f fields, line int, rn *runner, opt ClaimOptions) (*truce.Tally, error) {
	id := f.get("tally_id")
	if id == "" {
		id = rn.lineID(line)
	}
	t := &truce.Tally{ID: truce.TallyID(id), Speaker: f.get("speaker"), Period: f.get("period_covered"), Wording: f.get("wording"),
		SourceTitle: f.get("source_title"), SourceURL: f.get("source_url"), Published: opt.Published, File: rn.srcFile, Line: line}
	var err error
	if t.Claimant, err = f.party("claimant"); err != nil {
		return nil, err
	}
	var ok bool
	if t.Stated, _, ok, err = f.day("statement_date", opt.TZ); err != nil {
		return nil, err
	} else if !ok {
		return nil, f.invalid("statement_date", "missing value")
	}
	if t.Count, err = f.required("count"); err != nil {
		return nil, err
	}
	return t, nil
}

// readFieldsCSV calls accept with every record of a CSV file whose header
// has the required columns and no column but known ones.
func readFieldsCSV(r io.Reader, rn *runner, required, known []string, accept func(int, fields) error) error {
	s := newCSVSource(r)
	if err := s.header(rn, required, known); err != nil {
		return err
	}
	for {
		row, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", rn.opt.File, err)
		}
		if row.err != nil {
			rn.stats.Read++
			if err := rn.reject(row.line, row.err); err != nil {
				return err
			}
			continue
		}
		if err := accept(row.line, fields{get: row.get, label: "column"}); err != nil {
			return err
		}
	}
}

// readFieldsJSON calls accept with every object of a JSON Lines file; a
// line that is not an object of known fields with string (or, for lat
// and lon, number) values is a bad row.
func readFieldsJSON(r io.Reader, rn *runner, known []string, accept func(int, fields) error) error {
	br := bufio.NewReaderSize(r, bufferSize(r))
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read %s: %w", rn.opt.File, err)
		}
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			vals, perr := jsonFields(trimmed, known)
			if perr != nil {
				rn.stats.Read++
				if rerr := rn.reject(n, perr); rerr != nil {
					return rerr
				}
			} else if aerr := accept(n, fields{get: func(k string) string { return vals[k] }, label: "field"}); aerr != nil {
				return aerr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// jsonFields decodes one JSON object of known fields into trimmed
// strings; numbers keep their text, null is empty.
func jsonFields(b []byte, known []string) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := decodeStrict(b, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if !slices.Contains(known, k) {
			return nil, invalidf("field %s: unknown (the fields are %s)", k, strings.Join(known, ", "))
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.Equal(v, []byte("null")):
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, invalidf("field %s: %s", k, jsonMessage(err))
			}
			out[k] = strings.TrimSpace(s)
		case (k == "lat" || k == "lon") && len(v) > 0 && (v[0] == '-' || ('0' <= v[0] && v[0] <= '9')):
			out[k] = string(v)
		default:
			return nil, invalidf("field %s: want a string", k)
		}
	}
	return out, nil
}

// ClaimPlacer is the Placer the command line uses: it places a claim at
// the protected site its facility names, else at the settlement or the
// region it names, as the agreement's gazetteer has them. Names are
// compared without case and punctuation, and only an unambiguous match
// places a claim.
type ClaimPlacer struct {
	sites   map[string][]*truce.Site // by normalised name
	places  []gazetteerName
	nplaces map[string]*truce.Place // by id
}

// gazetteerName is one name of a gazetteer place, in words; a word
// ending in "*" matches any word it begins.
type gazetteerName struct {
	place string // its id
	kind  string
	words []string
}

// Kinds of gazetteer place (see the agreement package's PlaceKind
// constants) that name a settlement and a region.
var (
	settlementKinds = []string{"city"}
	regionKinds     = []string{"oblast", "region"}
)

// NewClaimPlacer returns the placer of claims for the protected sites and
// an agreement's gazetteer (truce.Agreement.Places), either of which may
// be empty.
func NewClaimPlacer(sites []truce.Site, places []truce.Place) *ClaimPlacer {
	p := &ClaimPlacer{sites: map[string][]*truce.Site{}, nplaces: map[string]*truce.Place{}}
	for i := range sites {
		if n := normalName(sites[i].Name); n != "" {
			p.sites[n] = append(p.sites[n], &sites[i])
		}
	}
	for i := range places {
		pl := &places[i]
		p.nplaces[pl.ID] = pl
		for _, name := range pl.Names {
			if ws := strings.Fields(normalPattern(name)); len(ws) > 0 {
				p.places = append(p.places, gazetteerName{place: pl.ID, kind: pl.Kind, words: ws})
			}
		}
	}
	return p
}

// Place places c by its facility, else its settlement, else its region,
// or leaves it NotPlaced.
func (p *ClaimPlacer) Place(c *truce.Claim) {
	if s := p.site(c.Facility); s != nil {
		c.Location, c.LocationPrecisionMeters, c.PlacedBy, c.Site = s.Location, SitePrecisionMeters, truce.PlacedBySite, s.ID
		return
	}
	if pl := p.place(c.Settlement, settlementKinds); pl != nil {
		prec := pl.RadiusMeters
		if prec == 0 {
			prec = SettlementPrecisionMeters
		}
		c.Location, c.LocationPrecisionMeters, c.PlacedBy = pl.Location, prec, truce.PlacedBySettlement
		return
	}
	if pl := p.place(c.Region, regionKinds); pl != nil {
		c.Location, c.LocationPrecisionMeters, c.PlacedBy = pl.Location, pl.RadiusMeters, truce.PlacedByRegion
	}
}

// site returns the one site whose name is the facility's, or one of its
// parts (split at "/", "," and parentheses); nil if none or several.
func (p *ClaimPlacer) site(facility string) *truce.Site {
	var found *truce.Site
	for _, cand := range nameParts(facility) {
		for _, s := range p.sites[cand] {
			if found != nil && found.ID != s.ID {
				return nil
			}
			found = s
		}
	}
	return found
}

// place returns the one gazetteer place of one of kinds that a part of
// text names; nil if none or several.
func (p *ClaimPlacer) place(text string, kinds []string) *truce.Place {
	found := ""
	for _, cand := range nameParts(text) {
		words := strings.Fields(cand)
		for _, g := range p.places {
			if !slices.Contains(kinds, g.kind) || !wordsMatch(g.words, words) {
				continue
			}
			if found != "" && found != g.place {
				return nil
			}
			found = g.place
		}
	}
	if found == "" {
		return nil
	}
	return p.nplaces[found]
}

// wordsMatch reports whether pattern names exactly the words.
func wordsMatch(pattern, words []string) bool {
	if len(pattern) != len(words) {
		return false
	}
	for i, pw := range pattern {
		if stem, ok := strings.CutSuffix(pw, "*"); ok {
			if !strings.HasPrefix(words[i], stem) {
				return false
			}
		} else if pw != words[i] {
			return false
		}
	}
	return true
}

// nameParts returns the normalised names a field may give: the whole,
// and its parts split at "/", "," and parentheses, without a leading
// "near"; "not stated" gives none.
func nameParts(s string) []string {
	var out []string
	add := func(v string) {
		n := normalName(v)
		n = strings.TrimPrefix(n, "near ")
		if n != "" && n != "not stated" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	add(s)
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("/,()", r) }) {
		add(part)
	}
	return out
}

// normalName lower-cases s and turns every run of characters other than
// letters and digits into one space.
func normalName(s string) string {
	return normalize(s, false)
}

// normalPattern is normalName for a gazetteer name, keeping its "*".
func normalPattern(s string) string {
	return normalize(s, true)
}

func normalize(s string, star bool) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (star && r == '*') {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}
