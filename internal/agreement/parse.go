package agreement

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // agreements name IANA zones; truce must work offline on any machine

	"go.yaml.in/yaml/v3"

	"truce"
	"truce/internal/geo"
)

// MaxFileBytes is the largest agreement file Parse accepts.
const MaxFileBytes = 4 << 20

// DefaultSiteRadiusMeters is the site radius when the file sets none.
const DefaultSiteRadiusMeters = 3000

// Load reads and parses the agreement file at path. Zone files are resolved
// relative to the file's directory and may not leave it.
func Load(path string) (*truce.Agreement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileBytes {
		return nil, Problems{{File: path, Line: 1, Col: 1, Msg: fmt.Sprintf("file is %d bytes; the limit is %d", st.Size(), MaxFileBytes)}}
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	return Parse(path, data, os.DirFS(filepath.Dir(path)))
}

// Parse parses the agreement file data, named name in messages. Zone and
// places paths are resolved in fsys; a nil fsys allows inline geometry
// only. On failure it returns Problems listing every problem found.
func Parse(name string, data []byte, fsys fs.FS) (*truce.Agreement, error) {
	if len(data) > MaxFileBytes {
		return nil, Problems{{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf("file is %d bytes; the limit is %d", len(data), MaxFileBytes)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{yamlProblem(name, err)}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, Problems{{File: name, Line: 1, Col: 1, Msg: "empty file: expected an agreement mapping"}}
	}
	t := &tree{nodes: map[string]*yaml.Node{}, file: name}
	v, err := t.value(&root, "")
	if errors.Is(err, errTooLarge) {
		return nil, Problems{{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf("document expands to more than %d nodes (YAML aliases?)", maxNodes)}}
	} else if err != nil {
		return nil, err
	}
	if err := t.validate(v); err != nil {
		return nil, err
	}
	p := &parser{tree: t, fsys: fsys, geo: map[string]*geoFile{}, regions: map[string]*geo.Region{}}
	a := p.agreement(root.Content[0])
	if len(p.probs) > 0 {
		return nil, Problems(p.probs).sorted(name)
	}
	return a, nil
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlProblem(name string, err error) Problem {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: name, Line: line, Col: 1, Msg: "invalid YAML: " + m[2]}
	}
	return Problem{File: name, Line: 1, Col: 1, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

type parser struct {
	*tree
	fsys    fs.FS
	geo     map[string]*geoFile
	regions map[string]*geo.Region
	tz      *time.Location
	// vertices counts the zones' prepared vertices (MaxAgreementVertices).
	vertices int
	// heldBy are the zones' held_by nodes, checked once the parties are known.
	heldBy []*yaml.Node
}

// field returns the value node for key in mapping n, resolving aliases.
func field(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if deref(n.Content[i]).Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

func str(n *yaml.Node) string {
	if n = deref(n); n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func strs(n *yaml.Node) []string {
	var out []string
	for _, c := range items(n) {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

func (p *parser) agreement(n *yaml.Node) *truce.Agreement {
	a := &truce.Agreement{
		ID:               truce.AgreementID(str(field(n, "id"))),
		Version:          str(field(n, "version")),
		Sources:          strs(field(n, "sources")),
		SiteRadiusMeters: DefaultSiteRadiusMeters,
		Timezone:         time.UTC,
	}
	a.Title, a.Titles = p.text(field(n, "title"))
	if tzn := field(n, "timezone"); tzn != nil {
		if loc, err := time.LoadLocation(str(tzn)); err != nil || str(tzn) == "" || str(tzn) == "Local" {
			p.add(tzn, "unknown time zone %q: want an IANA name such as Europe/Kyiv or UTC", str(tzn))
		} else {
			a.Timezone = loc
		}
	}
	p.tz = a.Timezone
	if r := field(n, "site_radius_m"); r != nil {
		if f, err := strconv.ParseFloat(str(r), 64); err == nil && f > 0 {
			a.SiteRadiusMeters = f
		}
	}
	a.Parties = p.parties(field(n, "parties"))
	p.checkOutlets(field(n, "parties"))
	a.ClaimReach = p.claimReach(field(n, "claim_reach"))
	a.Categories = p.categories(field(n, "categories"))
	a.SiteRules = p.siteRules(field(n, "site_rules"), a)
	a.Zones = p.zones(field(n, "zones"))
	for _, hn := range p.heldBy {
		p.partyRef(hn, a, true)
	}
	a.Places = p.places(field(n, "places"))
	a.Phases = p.phases(field(n, "phases"), a)
	a.Obligations = p.obligations(field(n, "obligations"), a)
	a.Positions = p.positions(field(n, "positions"), a)
	a.Witnesses = p.witnesses(field(n, "witnesses"), a)
	a.Recommitments = p.recommitments(field(n, "recommitments"))
	return a
}

// text reads a name or a description: a plain string (English), or a
// mapping from language codes to the text in each, English ("en")
// required. It returns the English text and the others.
func (p *parser) text(n *yaml.Node) (string, truce.Names) {
	if n == nil || n.Kind != yaml.MappingNode {
		return str(n), nil
	}
	var names truce.Names
	for i := 0; i+1 < len(n.Content); i += 2 {
		lang, v := deref(n.Content[i]).Value, str(n.Content[i+1])
		if lang == "en" || v == "" {
			continue
		}
		if names == nil {
			names = truce.Names{}
		}
		names[lang] = v
	}
	return str(field(n, "en")), names
}

func (p *parser) parties(n *yaml.Node) []truce.Party {
	var out []truce.Party
	seen := map[string]bool{}
	for _, c := range items(n) {
		idn := field(c, "id")
		id := str(idn)
		if id != "" && seen[id] {
			p.add(idn, "duplicate party id %q", id)
		}
		seen[id] = true
		name, names := p.text(field(c, "name"))
		out = append(out, truce.Party{
			ID:          truce.PartyID(id),
			Name:        name,
			Names:       names,
			Aliases:     strs(field(c, "aliases")),
			Attribution: strs(field(c, "attribution")),
			Mediator:    str(field(c, "role")) == "mediator",
			Voices:      p.voices(field(c, "voices"), id),
			Outlets:     strs(field(c, "outlets")),
		})
	}
	return out
}

func (p *parser) categories(n *yaml.Node) []truce.Category {
	var out []truce.Category
	seen := map[string]bool{}
	for _, c := range items(n) {
		idn := field(c, "id")
		id := str(idn)
		switch {
		case id == "":
		case seen[id]:
			p.add(idn, "duplicate category id %q", id)
		case id == "any" || id == "*":
			p.add(idn, "category id %q is reserved (it means every target)", id)
		default:
			if i := strings.LastIndexByte(id, '.'); i > 0 && !seen[id[:i]] {
				p.add(idn, "category %q: its parent %q must be declared before it", id, id[:i])
			}
		}
		seen[id] = true
		cat := truce.Category{ID: truce.CategoryID(id), Keywords: map[string][]string{}}
		cat.Name, cat.Names = p.text(field(c, "name"))
		if kw := field(c, "keywords"); kw != nil && kw.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(kw.Content); i += 2 {
				cat.Keywords[str(kw.Content[i])] = strs(kw.Content[i+1])
			}
		}
		out = append(out, cat)
	}
	return out
}

func (p *parser) siteRules(n *yaml.Node, a *truce.Agreement) []truce.SiteRule {
	var out []truce.SiteRule
	for _, c := range items(n) {
		r := truce.SiteRule{Attribute: str(field(c, "attribute")), Values: map[string]truce.CategoryID{}}
		vals := field(c, "values")
		if vals != nil && vals.Kind == yaml.MappingNode {
			folded := map[string]bool{}
			for i := 0; i+1 < len(vals.Content); i += 2 {
				k, v := vals.Content[i], deref(vals.Content[i+1])
				if folded[strings.ToLower(k.Value)] {
					p.add(k, "site rule value %q repeats another in a different case (values match case-insensitively)", k.Value)
				}
				folded[strings.ToLower(k.Value)] = true
				if _, ok := a.Category(truce.CategoryID(str(v))); !ok && str(v) != "" {
					p.add(v, "unknown category %q", str(v))
				}
				r.Values[k.Value] = truce.CategoryID(str(v))
			}
		}
		out = append(out, r)
	}
	return out
}

func (p *parser) phases(n *yaml.Node, a *truce.Agreement) []truce.Phase {
	var out []truce.Phase
	phaseIDs := map[string]*yaml.Node{}
	for _, c := range items(n) {
		idn := field(c, "id")
		if id := str(idn); id != "" {
			if phaseIDs[id] != nil {
				p.add(idn, "duplicate phase id %q", id)
			}
			phaseIDs[id] = c
		}
	}
	commitIDs := map[string]bool{}
	for _, c := range items(n) {
		ph := truce.Phase{ID: truce.PhaseID(str(field(c, "id")))}
		ph.Name, ph.Names = p.text(field(c, "name"))
		ph.Description, ph.Descriptions = p.text(field(c, "description"))
		ph.Start = p.startRule(field(c, "start"), a, phaseIDs, string(ph.ID))
		durn, endn := field(c, "duration"), field(c, "end")
		if durn != nil && endn != nil {
			p.add(endn, "phase %q has both a duration and an end: give one", ph.ID)
		}
		if durn != nil {
			d, err := parseDuration(str(durn))
			if err != nil {
				p.add(durn, "%v", err)
			}
			ph.Duration = d
		}
		if endn != nil {
			if t, ok := p.time(endn, true); ok {
				ph.End = &t
			}
		}
		ph.Readings = p.readings(field(c, "readings"), a, ph.ID)
		for _, cn := range items(field(c, "commitments")) {
			cm := p.commitment(cn, a)
			if cm.ID != "" {
				if commitIDs[string(cm.ID)] {
					p.add(field(cn, "id"), "duplicate commitment id %q", cm.ID)
				}
				commitIDs[string(cm.ID)] = true
			}
			ph.Commitments = append(ph.Commitments, cm)
		}
		ph.Access = p.access(field(c, "access"), a, commitIDs)
		ph.Territory = p.territory(field(c, "territory"), a)
		for _, rn := range items(field(c, "release")) {
			ph.Releases = append(ph.Releases, p.release(rn, a, &ph, nil))
		}
		for i, cn := range items(field(c, "commitments")) {
			for _, rn := range items(field(cn, "release")) {
				ph.Releases = append(ph.Releases, p.release(rn, a, &ph, &ph.Commitments[i]))
			}
		}
		out = append(out, ph)
	}
	p.checkAfterCycles(n)
	return out
}

func (p *parser) startRule(n *yaml.Node, a *truce.Agreement, phases map[string]*yaml.Node, self string) truce.StartRule {
	var r truce.StartRule
	if n == nil || n.Kind != yaml.MappingNode {
		return r
	}
	at, all, after, days := field(n, "at"), field(n, "all_accept"), field(n, "after"), field(n, "days")
	forms := 0
	for _, f := range []*yaml.Node{at, all, after} {
		if f != nil {
			forms++
		}
	}
	if forms != 1 {
		p.add(n, "start must give exactly one of at (an instant), all_accept (a list of parties) or after (a phase, with days)")
	}
	if days != nil && after == nil {
		p.add(days, "days is only meaningful with after")
	}
	switch {
	case at != nil:
		r.Kind = truce.StartFixed
		r.At, _ = p.time(at, false)
	case all != nil:
		r.Kind = truce.StartAllAccept
		for _, pn := range items(all) {
			p.partyRef(pn, a, false)
			r.Parties = append(r.Parties, truce.PartyID(pn.Value))
		}
		if len(r.Parties) == 0 {
			p.add(all, "all_accept needs at least one party")
		}
	case after != nil:
		r.Kind = truce.StartAfterHeld
		r.After = truce.PhaseID(str(after))
		if phases[str(after)] == nil {
			p.add(after, "unknown phase %q", str(after))
		} else if str(after) == self {
			p.add(after, "phase %q cannot start after itself", self)
		}
		r.Days, _ = strconv.Atoi(str(days))
	}
	return r
}

// checkAfterCycles reports phases whose "after" chain loops.
func (p *parser) checkAfterCycles(n *yaml.Node) {
	next := map[string]string{}
	nodes := map[string]*yaml.Node{}
	for _, c := range items(n) {
		id := str(field(c, "id"))
		if af := field(field(c, "start"), "after"); af != nil {
			next[id] = str(af)
			nodes[id] = af
		}
	}
	for id := range next {
		seen := map[string]bool{id: true}
		for cur := next[id]; cur != ""; cur = next[cur] {
			if cur == id {
				p.add(nodes[id], "phase %q: start rule \"after\" forms a cycle", id)
				break
			}
			if seen[cur] {
				break
			}
			seen[cur] = true
		}
	}
}

func (p *parser) readings(n *yaml.Node, a *truce.Agreement, phase truce.PhaseID) []truce.Reading {
	var out []truce.Reading
	claimed := map[string]bool{}
	for _, c := range items(n) {
		r := truce.Reading{Note: str(field(c, "note")), Source: str(field(c, "source"))}
		for _, pn := range items(field(c, "parties")) {
			p.partyRef(pn, a, false)
			if claimed[pn.Value] {
				p.add(pn, "party %q has more than one reading of phase %q", pn.Value, phase)
			}
			claimed[pn.Value] = true
			r.Parties = append(r.Parties, truce.PartyID(pn.Value))
		}
		if sn := field(c, "start"); sn != nil {
			if t, ok := p.time(sn, false); ok {
				r.Start = &t
			}
		}
		if en := field(c, "end"); en != nil {
			if t, ok := p.time(en, true); ok {
				r.End = &t
			}
		}
		if zn := field(c, "zones"); zn != nil && zn.Kind == yaml.MappingNode {
			r.Zones = map[truce.ZoneID]truce.ZoneID{}
			for i := 0; i+1 < len(zn.Content); i += 2 {
				k, v := zn.Content[i], deref(zn.Content[i+1])
				p.zoneRef(k, a)
				p.zoneRef(v, a)
				r.Zones[truce.ZoneID(k.Value)] = truce.ZoneID(str(v))
			}
		}
		r.Territory = p.territory(field(c, "territory"), a)
		out = append(out, r)
	}
	return out
}

// territory reads a map of party to the zone counted as its territory.
func (p *parser) territory(n *yaml.Node, a *truce.Agreement) map[truce.PartyID][]truce.ZoneID {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := map[truce.PartyID][]truce.ZoneID{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		p.partyRef(k, a, false)
		zs := []*yaml.Node{v}
		if v != nil && v.Kind == yaml.SequenceNode {
			zs = items(v)
		}
		for _, zn := range zs {
			p.zoneRef(zn, a)
			out[truce.PartyID(k.Value)] = append(out[truce.PartyID(k.Value)], truce.ZoneID(str(zn)))
		}
	}
	return out
}

func (p *parser) commitment(n *yaml.Node, a *truce.Agreement) truce.Commitment {
	c := truce.Commitment{ID: truce.CommitmentID(str(field(n, "id"))), Description: str(field(n, "description"))}
	for _, pn := range items(field(n, "bound")) {
		p.partyRef(pn, a, true)
		c.Bound = append(c.Bound, truce.PartyID(pn.Value))
	}
	c.Actions = p.actions(field(n, "prohibits"))
	c.Categories = p.targets(field(n, "targets"), a)
	c.UnclearTargets = p.targets(field(n, "unclear_targets"), a)
	c.UnstatedKindCovered = str(field(n, "unstated_kind")) == "covered"
	c.OtherSide = str(field(n, "other_side")) == "true"
	for _, zn := range items(field(n, "zones")) {
		p.zoneRef(zn, a)
		c.Zones = append(c.Zones, truce.ZoneID(zn.Value))
	}
	for _, en := range items(field(n, "exceptions")) {
		ex := truce.Exception{Description: str(field(en, "description"))}
		ex.Categories = p.targets(field(en, "targets"), a)
		ex.Actions = p.actions(field(en, "actions"))
		for _, zn := range items(field(en, "zones")) {
			p.zoneRef(zn, a)
			ex.Zones = append(ex.Zones, truce.ZoneID(zn.Value))
		}
		if len(ex.Categories)+len(ex.Actions)+len(ex.Zones) == 0 {
			p.add(en, "exception %q names no targets, zones or actions, so it would exempt everything", ex.Description)
		}
		c.Exceptions = append(c.Exceptions, ex)
	}
	return c
}

func (p *parser) actions(n *yaml.Node) []truce.Action {
	var out []truce.Action
	for _, an := range items(n) {
		act := truce.Action(an.Value)
		if !act.Known() {
			names := make([]string, 0, 10)
			for _, k := range truce.Actions() {
				names = append(names, string(k))
			}
			p.add(an, "unknown action %q: want one of %s", an.Value, strings.Join(names, ", "))
			continue
		}
		out = append(out, act)
	}
	return out
}

func (p *parser) targets(n *yaml.Node, a *truce.Agreement) []truce.CategoryID {
	var out []truce.CategoryID
	for _, tn := range items(n) {
		if tn.Value == "any" || tn.Value == "*" {
			out = append(out, truce.CategoryAny)
			continue
		}
		if _, ok := a.Category(truce.CategoryID(tn.Value)); !ok {
			p.add(tn, "unknown target category %q", tn.Value)
		}
		out = append(out, truce.CategoryID(tn.Value))
	}
	return out
}

func (p *parser) partyRef(n *yaml.Node, a *truce.Agreement, mustBind bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return
	}
	pt, ok := a.Party(truce.PartyID(n.Value))
	switch {
	case !ok:
		p.add(n, "unknown party %q", n.Value)
	case mustBind && pt.Mediator:
		p.add(n, "party %q is a mediator and cannot be bound by a commitment", n.Value)
	}
}

func (p *parser) zoneRef(n *yaml.Node, a *truce.Agreement) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return
	}
	if _, ok := a.Zone(truce.ZoneID(n.Value)); !ok {
		p.add(n, "unknown zone %q", n.Value)
	}
}

func (p *parser) obligations(n *yaml.Node, a *truce.Agreement) []truce.Obligation {
	var out []truce.Obligation
	seen := map[string]bool{}
	for _, c := range items(n) {
		o := truce.Obligation{
			ID:          truce.ObligationID(str(field(c, "id"))),
			Description: str(field(c, "description")),
			Status:      truce.ObligationStatus(str(field(c, "status"))),
			Source:      str(field(c, "source")),
			Note:        str(field(c, "note")),
		}
		if seen[string(o.ID)] {
			p.add(field(c, "id"), "duplicate obligation id %q", o.ID)
		}
		seen[string(o.ID)] = true
		if dn := field(c, "due"); dn != nil {
			o.Due, _ = p.time(dn, false)
		}
		for _, in := range items(field(c, "items")) {
			p.partyRef(field(in, "party"), a, false)
			it := truce.ObligationItem{Party: truce.PartyID(str(field(in, "party"))), What: str(field(in, "what"))}
			it.Count, _ = strconv.Atoi(str(field(in, "count")))
			it.Delivered, _ = strconv.Atoi(str(field(in, "delivered")))
			o.Items = append(o.Items, it)
		}
		out = append(out, o)
	}
	return out
}

func (p *parser) positions(n *yaml.Node, a *truce.Agreement) []truce.Position {
	var out []truce.Position
	for _, c := range items(n) {
		pos := truce.Position{
			Party:      truce.PartyID(str(field(c, "party"))),
			Phase:      truce.PhaseID(str(field(c, "phase"))),
			Stance:     truce.Stance(str(field(c, "stance"))),
			Conditions: strs(field(c, "conditions")),
			Source:     str(field(c, "source")),
			Note:       str(field(c, "note")),
		}
		p.partyRef(field(c, "party"), a, false)
		if pn := field(c, "phase"); pn != nil && pn.Kind == yaml.ScalarNode {
			if _, ok := a.Phase(pos.Phase); !ok {
				p.add(pn, "unknown phase %q", pos.Phase)
			}
		}
		if dn := field(c, "date"); dn != nil {
			pos.At, _ = p.time(dn, false)
		}
		if pos.Stance == truce.StanceConditional && len(pos.Conditions) == 0 {
			p.add(field(c, "stance"), "a conditional position must list its conditions")
		}
		out = append(out, pos)
	}
	slices.SortStableFunc(out, func(x, y truce.Position) int { return x.At.Compare(y.At) })
	return out
}

// time parses an instant: a date (YYYY-MM-DD, the start of that day in the
// agreement's time zone, or its end when endOfDay), a local date-time
// (YYYY-MM-DDTHH:MM[:SS]) or RFC 3339 with an offset.
func (p *parser) time(n *yaml.Node, endOfDay bool) (time.Time, bool) {
	s := str(n)
	t, err := ParseTime(s, p.tz, endOfDay)
	if err != nil {
		p.add(n, "%v", err)
		return time.Time{}, false
	}
	return t, true
}

// ParseTime parses an agreement time value; see the agreement format.
func ParseTime(s string, tz *time.Location, endOfDay bool) (time.Time, error) {
	if tz == nil {
		tz = time.UTC
	}
	var t time.Time
	var err error
	if len(s) == len("2006-01-02") {
		t, err = time.ParseInLocation("2006-01-02", s, tz)
		if err == nil && endOfDay {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, tz)
		}
	} else if strings.HasSuffix(s, "Z") || strings.LastIndexAny(s, "+-") > len("2006-01-02") {
		t, err = time.Parse(time.RFC3339Nano, s)
	} else {
		for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
			if t, err = time.ParseInLocation(layout, s, tz); err == nil {
				break
			}
		}
	}
	if err != nil {
		var pe *time.ParseError
		reason := ""
		if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
			reason = pe.Message[2:] + ": "
		}
		return time.Time{}, fmt.Errorf("bad date %q: %swant YYYY-MM-DD, YYYY-MM-DDTHH:MM (local) or RFC 3339 such as 2025-03-18T00:00:00+02:00", s, reason)
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, fmt.Errorf("bad date %q: year out of range 1900-2200", s)
	}
	return t.UTC(), nil
}

var durRe = regexp.MustCompile(`^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$`)

func parseDuration(s string) (time.Duration, error) {
	m := durRe.FindStringSubmatch(s)
	if m == nil || s == "" {
		return 0, fmt.Errorf("bad duration %q: want e.g. 30d, 2w, 72h or 1d12h", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.Atoi(m[i+1])
		if err != nil || v > 100*366*24*60 {
			return 0, fmt.Errorf("bad duration %q: too long", s)
		}
		d += time.Duration(v) * unit
	}
	if d <= 0 || d > 100*366*24*time.Hour {
		return 0, fmt.Errorf("bad duration %q: must be positive and at most 100 years", s)
	}
	return d, nil
}
