package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"truce"
	"truce/internal/geo"
)

// readFeatures streams the features of a GeoJSON FeatureCollection and
// calls fn with each feature's JSON, the line it starts on and its 1-based
// position in the features array. Only one feature is held in memory at a
// time. Malformed JSON is fatal: a stream cannot be resynchronised.
func readFeatures(src io.Reader, rn *runner, fn func(raw []byte, line, n int) error) error {
	rec := newRecorder(src)
	dec := json.NewDecoder(rec)
	fail := func(err error) error {
		return rn.fatal(rec.lineAtNext(dec.InputOffset()), invalidf("%s", jsonMessage(err)))
	}
	if err := expectDelim(dec, '{'); err != nil {
		return fail(fmt.Errorf("not a GeoJSON FeatureCollection: %w", err))
	}
	features := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		switch key, _ := t.(string); key {
		case "type":
			var typ string
			if err := dec.Decode(&typ); err != nil {
				return fail(err)
			}
			if typ != "FeatureCollection" {
				return rn.fatal(rec.lineAt(dec.InputOffset()), invalidf("GeoJSON type is %q, want \"FeatureCollection\"", typ))
			}
		case "features":
			if features {
				return rn.fatal(rec.lineAt(dec.InputOffset()), invalidf("GeoJSON has two features arrays"))
			}
			features = true
			if err := expectDelim(dec, '['); err != nil {
				return fail(fmt.Errorf("features: %w", err))
			}
			for n := 1; dec.More(); n++ {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return fail(err)
				}
				end := dec.InputOffset()
				line := rec.lineAt(end - int64(len(raw)))
				rec.discard(end)
				if err := fn(raw, line, n); err != nil {
					return err
				}
			}
			if err := expectDelim(dec, ']'); err != nil {
				return fail(err)
			}
		default: // crs, bbox, name and other foreign members
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
		}
		rec.discard(dec.InputOffset())
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fail(err)
	}
	if !features {
		return rn.fatal(rec.lineAt(dec.InputOffset()), invalidf("GeoJSON FeatureCollection has no features array"))
	}
	return expectEOF(dec, rn, rec, "the FeatureCollection")
}

// feature is a GeoJSON Feature with a Point geometry, before checking.
type feature struct {
	Type     string          `json:"type"`
	ID       json.RawMessage `json:"id"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// parseFeature decodes a Point feature and returns it with its position.
func parseFeature(raw []byte) (*feature, geo.Point, error) {
	var f feature
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, geo.Point{}, invalidf("%s", jsonMessage(err))
	}
	if f.Type != "Feature" {
		return nil, geo.Point{}, invalidf("type is %q, want \"Feature\"", f.Type)
	}
	if f.Geometry == nil {
		return nil, geo.Point{}, invalidf("feature has no geometry")
	}
	if f.Geometry.Type != "Point" {
		return nil, geo.Point{}, invalidf("geometry type is %q, want \"Point\"", f.Geometry.Type)
	}
	var c []float64
	if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil || len(c) < 2 || len(c) > 3 {
		return nil, geo.Point{}, invalidf("geometry coordinates: %s is not [lon, lat] or [lon, lat, alt]", clip(f.Geometry.Coordinates, 60))
	}
	p, err := checkPoint("geometry longitude", c[0], "geometry latitude", c[1])
	return &f, p, err
}

// featureID returns a feature's own "id" member as text, or "".
func (f *feature) featureID() string {
	return jsonText(f.ID)
}

// jsonText returns a scalar JSON value as text: a string unquoted, a
// number or boolean as written, null as "". Arrays and objects are kept as
// compact JSON.
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

// clip shortens b for a message.
func clip(b []byte, n int) string {
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "..."
	}
	return string(b)
}

// readTruceGeoJSON reads a FeatureCollection of report features. The
// position is the geometry; properties hold the other report fields. A
// feature without an id is FILE:feature-N (N counts from 1), as several
// features may share a line.
func readTruceGeoJSON(src io.Reader, rr *reportRun) error {
	return readFeatures(src, rr.runner, func(raw []byte, line, n int) error {
		rep, err := parseTruceFeature(rr, raw, line, n)
		return rr.accept(line, rep, err)
	})
}

func parseTruceFeature(rr *reportRun, raw []byte, line, n int) (*truce.Report, error) {
	f, p, err := parseFeature(raw)
	if err != nil {
		return nil, err
	}
	var rec truceRecord
	if len(f.Properties) > 0 && string(f.Properties) != "null" {
		if err := decodeStrict(f.Properties, &rec); err != nil {
			return nil, prefix("properties: ", err)
		}
	}
	if rec.Lon != nil || rec.Lat != nil {
		return nil, invalidf("properties: lon and lat must not be set, the position is the geometry")
	}
	rec.Lon, rec.Lat = &p.Lon, &p.Lat
	if rec.ID == "" {
		rec.ID = f.featureID()
	}
	rep, err := rec.report(rr, "property", line, string(raw))
	if err == nil && rep.SourceID == "" {
		rep.ID = truce.ReportID(featureN(rr.opt.File, n))
	}
	return rep, err
}

// featureN is the fallback id of the n-th feature of a file.
func featureN(file string, n int) string { return fmt.Sprintf("%s:feature-%d", file, n) }

// prefix adds context to an EINVALID message.
func prefix(p string, err error) error {
	return invalidf("%s%s", p, truce.ErrorMessage(err))
}
