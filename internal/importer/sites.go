package importer

import (
	"encoding/json"
	"io"
	"math"
	"slices"
	"strings"

	"truce"
)

// gppd reads the WRI Global Power Plant Database CSV (v1.3.0 layout).
var gppd = csvSiteFormat{
	required: []string{"country", "name", "gppd_idnr", "capacity_mw", "latitude", "longitude", "primary_fuel"},
	parse:    parseGPPD,
}

// gppdAttrs are the GPPD columns kept as site attributes, when not empty.
var gppdAttrs = []string{"primary_fuel", "other_fuel1", "other_fuel2", "other_fuel3", "owner", "commissioning_year", "source"}

func parseGPPD(sr *siteRun, row *csvRow) (*truce.Site, error) {
	id := row.get("gppd_idnr")
	if id == "" {
		id = sr.lineID(row.line)
	}
	s := &truce.Site{
		ID:      truce.SiteID(id),
		Name:    row.get("name"), // trimmed: the source has trailing spaces ("Gaziantep ")
		Country: row.get("country"),
		Source:  "gppd",
	}
	var err error
	if s.Location, err = row.point("longitude", "latitude"); err != nil {
		return nil, err
	}
	if s.CapacityMW, err = capacity(row.get("capacity_mw")); err != nil {
		return nil, err
	}
	for _, a := range gppdAttrs {
		if v := row.get(a); v != "" {
			if s.Attrs == nil {
				s.Attrs = make(map[string]string)
			}
			s.Attrs[a] = v
		}
	}
	return s, nil
}

// capacity parses an optional non-negative capacity in MW.
func capacity(v string) (float64, error) {
	if v == "" {
		return 0, nil
	}
	f, err := parseFloat("capacity_mw", v)
	if err == nil && f < 0 {
		err = invalidf("column capacity_mw: %q is negative", v)
	}
	return f, err
}

// sitesCSV reads the project's own site CSV: id, name, lon, lat are
// required, category, country and capacity_mw are optional, and any other
// column is kept as an attribute (when not empty).
var sitesCSV = csvSiteFormat{
	required: []string{"id", "name", "lon", "lat"},
	parse:    parseSitesCSV,
}

// siteFields are the columns or properties that map onto truce.Site fields.
var siteFields = []string{"id", "name", "category", "lon", "lat", "country", "capacity_mw"}

func parseSitesCSV(sr *siteRun, row *csvRow) (*truce.Site, error) {
	id := row.get("id")
	if id == "" {
		id = sr.lineID(row.line)
	}
	s := &truce.Site{
		ID:       truce.SiteID(id),
		Name:     row.get("name"),
		Category: truce.CategoryID(row.get("category")),
		Country:  row.get("country"),
		Source:   string(FormatSitesCSV),
	}
	var err error
	if s.Location, err = row.point("lon", "lat"); err != nil {
		return nil, err
	}
	if s.CapacityMW, err = capacity(row.get("capacity_mw")); err != nil {
		return nil, err
	}
	for name := range row.src.cols {
		if v := row.get(name); v != "" && !slices.Contains(siteFields, name) {
			if s.Attrs == nil {
				s.Attrs = make(map[string]string)
			}
			s.Attrs[name] = v
		}
	}
	return s, nil
}

// readSitesGeoJSON reads a FeatureCollection of site features: the
// position is the Point geometry; properties id, name, category, country
// and capacity_mw map onto the site, every other property is kept as an
// attribute (numbers and booleans as written, arrays and objects as compact
// JSON, nulls dropped). A feature without an id (neither properties.id nor
// the feature's id) is FILE:feature-N.
func readSitesGeoJSON(src io.Reader, sr *siteRun) error {
	return readFeatures(src, sr.runner, func(raw []byte, line, n int) error {
		s, err := parseSiteFeature(sr, raw, n)
		return sr.accept(line, s, err)
	})
}

func parseSiteFeature(sr *siteRun, raw []byte, n int) (*truce.Site, error) {
	f, p, err := parseFeature(raw)
	if err != nil {
		return nil, err
	}
	var props map[string]json.RawMessage
	if len(f.Properties) > 0 {
		if err := json.Unmarshal(f.Properties, &props); err != nil {
			return nil, prefix("properties: ", invalidf("%s", jsonMessage(err)))
		}
	}
	str := func(name string) (string, error) {
		v, ok := props[name]
		if !ok || string(v) == "null" {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", invalidf("property %s: %s is not a string", name, clip(v, 40))
		}
		return strings.TrimSpace(s), nil
	}
	s := &truce.Site{Location: p, Source: string(FormatSitesGeoJSON)}
	id := strings.TrimSpace(jsonText(props["id"]))
	if id == "" {
		id = strings.TrimSpace(f.featureID())
	}
	if id == "" {
		id = featureN(sr.opt.File, n)
	}
	s.ID = truce.SiteID(id)
	if s.Name, err = str("name"); err != nil {
		return nil, err
	}
	cat, err := str("category")
	if err != nil {
		return nil, err
	}
	s.Category = truce.CategoryID(cat)
	if s.Country, err = str("country"); err != nil {
		return nil, err
	}
	if v, ok := props["capacity_mw"]; ok && string(v) != "null" {
		var c float64
		if err := json.Unmarshal(v, &c); err != nil || c < 0 || math.IsInf(c, 0) {
			return nil, invalidf("property capacity_mw: %s is not a non-negative number", clip(v, 40))
		}
		s.CapacityMW = c
	}
	for _, name := range []string{"lon", "lat"} {
		if _, ok := props[name]; ok {
			return nil, invalidf("properties: %s must not be set, the position is the geometry", name)
		}
	}
	for name, raw := range props {
		if v := jsonText(raw); v != "" && !slices.Contains(siteFields, name) {
			if s.Attrs == nil {
				s.Attrs = make(map[string]string)
			}
			s.Attrs[name] = v
		}
	}
	return s, nil
}
