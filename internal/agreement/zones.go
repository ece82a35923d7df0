package agreement

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sync"
	"sync/atomic"

	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"truce"
	"truce/internal/geo"
)

// Limits on zone geometry, so a hostile agreement cannot exhaust memory.
const (
	MaxGeoJSONBytes = 64 << 20
	MaxZoneVertices = 5_000_000
	// MaxAgreementVertices bounds the vertices of all the zones an
	// agreement prepares together (a zone shared by several filters
	// counts once): every prepared vertex costs memory in every API
	// server for as long as the agreement is current. The bundled 2025
	// agreement prepares about 160,000.
	MaxAgreementVertices = 1_500_000
)

type geoFeature struct {
	props map[string]any
	geom  geo.MultiPolygon
	err   error // why the geometry is unusable
}

type geoFile struct {
	features []geoFeature
	err      error
}

func (p *parser) zones(n *yaml.Node) []*truce.Zone {
	var out []*truce.Zone
	ids := map[string]bool{}
	for _, c := range items(n) {
		id := str(field(c, "id"))
		if ids[id] && id != "" {
			p.add(field(c, "id"), "duplicate zone id %q", id)
		}
		ids[id] = true
	}
	for _, c := range items(n) {
		z := &truce.Zone{ID: truce.ZoneID(str(field(c, "id")))}
		z.Name, z.Names = p.text(field(c, "name"))
		z.Description, z.Descriptions = p.text(field(c, "description"))
		if z.Name == "" {
			z.Name = string(z.ID)
		}
		gj, inline, dated := field(c, "geojson"), field(c, "geometry"), field(c, "dated")
		var mp geo.MultiPolygon
		switch {
		case dated != nil && (gj != nil || inline != nil):
			p.add(dated, "zone %q gives both dated geometry and geojson or geometry: give one", z.ID)
		case dated != nil:
			z.Dated = p.datedRegions(dated, z.ID)
			if len(z.Dated) > 0 {
				last := z.Dated[len(z.Dated)-1]
				z.Region, z.Source = last.Region, last.Source
			}
		case gj != nil && inline != nil:
			p.add(inline, "zone %q gives both geojson and geometry: give one", z.ID)
		case gj != nil:
			z.Source = str(gj)
			// Zones cut from the same file by the same filter share one
			// prepared region (the scenario's Ukraine is used three times).
			key := cleanPath(str(gj)) + "\x00" + whereKey(field(c, "where"))
			if r, ok := p.regions[key]; ok {
				z.Region = r
				break
			}
			mp = p.zoneFile(gj, field(c, "where"), z.ID)
			if mp != nil && p.budget(gj, z.ID, mp) {
				z.Region = geo.Prepare(mp)
				p.regions[key] = z.Region
			}
			mp = nil
		case inline != nil:
			z.Source = "inline"
			mp = p.inlineGeometry(inline, z.ID)
		default:
			p.add(c, "zone %q needs geojson (a file) or geometry (inline GeoJSON)", z.ID)
		}
		if mp != nil && p.budget(inline, z.ID, mp) {
			z.Region = geo.Prepare(mp)
		}
		if hn := field(c, "held_by"); hn != nil {
			z.HeldBy = truce.PartyID(str(hn))
			p.heldBy = append(p.heldBy, hn)
		}
		for _, en := range items(field(c, "exclude")) {
			if !ids[en.Value] {
				p.add(en, "unknown zone %q", en.Value)
			} else if en.Value == string(z.ID) {
				p.add(en, "zone %q cannot exclude itself", z.ID)
			}
			z.Exclude = append(z.Exclude, truce.ZoneID(en.Value))
		}
		out = append(out, z)
	}
	return out
}

func (p *parser) zoneFile(gj, where *yaml.Node, id truce.ZoneID) geo.MultiPolygon {
	name := str(gj)
	if p.fsys == nil {
		p.add(gj, "zone %q: geometry files are not available here; give the geometry inline", id)
		return nil
	}
	clean, ok := bundlePath(name)
	if !ok {
		p.add(gj, "zone %q: path %q must be relative to the agreement and stay inside its directory", id, name)
		return nil
	}
	gf := p.geo[clean]
	if gf == nil {
		gf = readGeoFile(p.fsys, clean)
		p.geo[clean] = gf
	}
	if gf.err != nil {
		p.add(gj, "zone %q: %s: %v", id, name, gf.err)
		return nil
	}
	filter := whereFilter(where)
	var mp geo.MultiPolygon
	matched := 0
	for i, f := range gf.features {
		if !filter(f.props) {
			continue
		}
		matched++
		if f.err != nil {
			p.add(gj, "zone %q: %s: feature %d: %v", id, name, i, f.err)
			continue
		}
		mp = append(mp, f.geom...)
	}
	if matched == 0 {
		if where != nil {
			p.add(where, "zone %q: no feature of %s matches where", id, name)
		} else {
			p.add(gj, "zone %q: %s has no polygon features", id, name)
		}
		return nil
	}
	if n := mp.NumVertices(); n > MaxZoneVertices {
		p.add(gj, "zone %q: %d vertices exceed the limit of %d", id, n, MaxZoneVertices)
		return nil
	}
	return mp
}

func (p *parser) inlineGeometry(n *yaml.Node, id truce.ZoneID) geo.MultiPolygon {
	t := &tree{nodes: map[string]*yaml.Node{}}
	v, err := t.value(n, "")
	if err != nil {
		p.add(n, "zone %q: %v", id, err)
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		p.add(n, "zone %q: geometry: %v", id, err)
		return nil
	}
	mp, err := decodeGeometry(raw)
	if err != nil {
		p.add(n, "zone %q: geometry: %v", id, err)
		return nil
	}
	return mp
}

// whereKey is a canonical text of a where filter.
func whereKey(where *yaml.Node) string {
	if where == nil || where.Kind != yaml.MappingNode {
		return ""
	}
	var parts []string
	for i := 0; i+1 < len(where.Content); i += 2 {
		v := deref(where.Content[i+1])
		vals := []string{str(v)}
		if v.Kind == yaml.SequenceNode {
			vals = strs(v)
		}
		slices.Sort(vals)
		parts = append(parts, where.Content[i].Value+"="+strings.Join(vals, "\x01"))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x02")
}

func whereFilter(where *yaml.Node) func(map[string]any) bool {
	if where == nil || where.Kind != yaml.MappingNode {
		return func(map[string]any) bool { return true }
	}
	want := map[string][]string{}
	for i := 0; i+1 < len(where.Content); i += 2 {
		k, v := where.Content[i].Value, deref(where.Content[i+1])
		if v.Kind == yaml.SequenceNode {
			want[k] = strs(v)
		} else {
			want[k] = []string{str(v)}
		}
	}
	return func(props map[string]any) bool {
		for k, vals := range want {
			got, ok := props[k]
			if !ok || !slices.Contains(vals, propString(got)) {
				return false
			}
		}
		return true
	}
}

func propString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func readGeoFile(fsys fs.FS, name string) *geoFile {
	f, err := fsys.Open(name)
	if err != nil {
		return &geoFile{err: fmt.Errorf("cannot open: %w", unwrapPath(err))}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxGeoJSONBytes+1))
	if err != nil {
		return &geoFile{err: fmt.Errorf("cannot read: %w", unwrapPath(err))}
	}
	if len(data) > MaxGeoJSONBytes {
		return &geoFile{err: fmt.Errorf("larger than %d bytes", MaxGeoJSONBytes)}
	}
	var head struct {
		Type       string            `json:"type"`
		Features   []json.RawMessage `json:"features"`
		Properties map[string]any    `json:"properties"`
		Geometry   json.RawMessage   `json:"geometry"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return &geoFile{err: fmt.Errorf("not valid GeoJSON: %w", err)}
	}
	gf := &geoFile{}
	switch head.Type {
	case "FeatureCollection":
		gf.features = decodeFeatures(head.Features)
	case "Feature":
		mp, err := decodeGeometry(head.Geometry)
		gf.features = []geoFeature{{props: head.Properties, geom: mp, err: err}}
	case "Polygon", "MultiPolygon":
		mp, err := decodeGeometry(data)
		gf.features = []geoFeature{{geom: mp, err: err}}
	default:
		gf.err = fmt.Errorf("GeoJSON type %q: want FeatureCollection, Feature, Polygon or MultiPolygon", head.Type)
	}
	return gf
}

// decodeFeatures decodes the features of a collection, in order, on
// every core: a country outline file is megabytes of coordinates, and
// loading the agreement is on the path of every command's start.
func decodeFeatures(raws []json.RawMessage) []geoFeature {
	out := make([]geoFeature, len(raws))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(raws)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(raws); i = int(next.Add(1) - 1) {
				// One pass over the feature: its geometry's coordinates
				// are kept raw for parseCoordinates.
				var ft struct {
					Properties map[string]any `json:"properties"`
					Geometry   *rawGeometry   `json:"geometry"`
				}
				if err := json.Unmarshal(raws[i], &ft); err != nil {
					out[i] = geoFeature{err: err}
					continue
				}
				mp, err := ft.Geometry.decode()
				out[i] = geoFeature{props: ft.Properties, geom: mp, err: err}
			}
		})
	}
	wg.Wait()
	return out
}

// unwrapPath drops the *fs.PathError wrapper, whose path may be absolute
// and is already named in the message.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// decodeGeometry decodes a GeoJSON Polygon or MultiPolygon and checks every
// ring. (orb/geojson would pull in the MongoDB BSON driver for this; the two
// geometry types are simple enough to decode directly.)
func decodeGeometry(raw []byte) (geo.MultiPolygon, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("no geometry")
	}
	var g rawGeometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("not valid GeoJSON geometry: %w", err)
	}
	return g.decode()
}

// rawGeometry is a GeoJSON geometry with its coordinates not yet parsed.
type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// decode parses a Polygon or MultiPolygon and checks every ring; a nil
// geometry (absent or null) has "no geometry".
func (g *rawGeometry) decode() (geo.MultiPolygon, error) {
	if g == nil {
		return nil, fmt.Errorf("no geometry")
	}
	var polys [][][][]float64
	var err error
	switch g.Type {
	case "Polygon":
		if polys, err = parseCoordinates(g.Coordinates, 3); err != nil {
			return nil, fmt.Errorf("polygon coordinates: %w", err)
		}
	case "MultiPolygon":
		if polys, err = parseCoordinates(g.Coordinates, 4); err != nil {
			return nil, fmt.Errorf("multipolygon coordinates: %w", err)
		}
	default:
		return nil, fmt.Errorf("geometry type %q: want Polygon or MultiPolygon", g.Type)
	}
	mp := make(geo.MultiPolygon, 0, len(polys))
	for pi, op := range polys {
		if len(op) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi)
		}
		poly := make(geo.Polygon, 0, len(op))
		for ri, or := range op {
			ring := make(geo.Ring, len(or))
			for k, pt := range or {
				if len(pt) < 2 || len(pt) > 3 {
					return nil, fmt.Errorf("polygon %d ring %d position %d: want [lon, lat]", pi, ri, k)
				}
				ring[k] = geo.Point{Lon: pt[0], Lat: pt[1]}
			}
			if err := geo.ValidateRing(ring); err != nil {
				return nil, fmt.Errorf("polygon %d ring %d: %w", pi, ri, err)
			}
			poly = append(poly, ring)
		}
		mp = append(mp, poly)
	}
	return mp, nil
}

// budget counts mp's vertices against MaxAgreementVertices and reports a
// problem at n when the agreement's zones would exceed it.
func (p *parser) budget(n *yaml.Node, id truce.ZoneID, mp geo.MultiPolygon) bool {
	p.vertices += mp.NumVertices()
	if p.vertices > MaxAgreementVertices {
		p.add(n, "zone %q: the agreement's zones reach %d vertices, over the limit of %d (simplify the geometry)", id, p.vertices, MaxAgreementVertices)
		return false
	}
	return true
}

// datedRegions reads a zone's geometry by date: entries in date order,
// each from a file (and an optional where filter), like a zone's geojson.
func (p *parser) datedRegions(n *yaml.Node, id truce.ZoneID) []truce.DatedRegion {
	var out []truce.DatedRegion
	for _, c := range items(n) {
		fn, gj := field(c, "from"), field(c, "geojson")
		from, ok := p.time(fn, false)
		if !ok {
			continue
		}
		if len(out) > 0 && !from.After(out[len(out)-1].From) {
			p.add(fn, "zone %q: dated geometry must be in date order: %s is not after the entry before it", id, str(fn))
			continue
		}
		d := truce.DatedRegion{From: from, Source: str(gj)}
		key := cleanPath(str(gj)) + "\x00" + whereKey(field(c, "where"))
		if r, ok := p.regions[key]; ok {
			d.Region = r
		} else if mp := p.zoneFile(gj, field(c, "where"), id); mp != nil && p.budget(gj, id, mp) {
			d.Region = geo.Prepare(mp)
			p.regions[key] = d.Region
		}
		if d.Region != nil {
			out = append(out, d)
		}
	}
	return out
}
