package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"truce"
)

// DetectReports names the report format of an input from its first bytes
// (64 KiB is plenty): JSON that is a FeatureCollection is truce-geojson,
// other JSON truce-json, and a CSV is told by its header columns. The error
// (EINVALID) says what was seen when nothing matches.
func DetectReports(head []byte) (Format, error) {
	head = trimHead(head)
	switch {
	case len(head) == 0:
		return "", truce.Errorf(truce.EINVALID, "cannot detect the format of an empty input")
	case head[0] == '[':
		return FormatTruceJSON, nil
	case head[0] == '{':
		if isFeatureCollection(head) {
			return FormatTruceGeoJSON, nil
		}
		return FormatTruceJSON, nil
	}
	cols, line, err := headerOf(head)
	if err != nil {
		return "", err
	}
	switch {
	case cols["latitude"] && cols["longitude"] && cols["acq_date"] && cols["acq_time"]:
		return FormatFIRMS, nil
	case cols["event_id_cnty"] && cols["event_date"] && cols["sub_event_type"]:
		return FormatACLED, nil
	case cols["id"] && cols["date_start"] && cols["date_end"] && cols["where_prec"]:
		return FormatUCDP, nil
	case cols["datetime"] && cols["event_type"] && cols["headline"]:
		return FormatVIINA, nil
	case cols["entry"] && cols["event_group"] && cols["brief description"]:
		return FormatCIR, nil
	case cols["time"] && cols["lon"] && cols["lat"]:
		return FormatTruceCSV, nil
	}
	hint := ""
	if f, err := DetectSites(head); err == nil {
		hint = " (it looks like " + string(f) + " sites)"
	}
	return "", truce.Errorf(truce.EINVALID, "no report format (acled, ucdp-ged, viina, cir, truce-csv) matches the CSV header %q%s", line, hint)
}

// DetectSites names the site format of an input from its first bytes, as
// DetectReports does for reports.
func DetectSites(head []byte) (Format, error) {
	head = trimHead(head)
	switch {
	case len(head) == 0:
		return "", truce.Errorf(truce.EINVALID, "cannot detect the format of an empty input")
	case head[0] == '{' && isFeatureCollection(head):
		return FormatSitesGeoJSON, nil
	case head[0] == '{' || head[0] == '[':
		return "", truce.Errorf(truce.EINVALID, "JSON input %q is not a GeoJSON FeatureCollection", firstLine(head))
	}
	cols, line, err := headerOf(head)
	if err != nil {
		return "", err
	}
	switch {
	case cols["gppd_idnr"] && cols["latitude"] && cols["longitude"]:
		return FormatGPPD, nil
	case cols["id"] && cols["name"] && cols["lon"] && cols["lat"]:
		return FormatSitesCSV, nil
	}
	return "", truce.Errorf(truce.EINVALID, "no site format (gppd, sites-csv) matches the CSV header %q", line)
}

// trimHead drops a UTF-8 BOM and leading white space.
func trimHead(head []byte) []byte {
	return bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
}

// headerOf parses the first CSV record of head into a set of lower-case
// column names, and returns the first line for messages.
func headerOf(head []byte) (map[string]bool, string, error) {
	line := firstLine(head)
	fields, err := csv.NewReader(bytes.NewReader(head)).Read()
	if err != nil {
		return nil, "", truce.Errorf(truce.EINVALID, "input is neither JSON nor a CSV with a header: first line %q", line)
	}
	cols := make(map[string]bool, len(fields))
	for _, f := range fields {
		cols[strings.ToLower(strings.TrimSpace(f))] = true
	}
	return cols, line, nil
}

// firstLine returns the first line of head, shortened, as valid UTF-8.
func firstLine(head []byte) string {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	head = bytes.TrimRight(head, "\r")
	if len(head) > 200 {
		head = head[:200]
		for len(head) > 0 && !utf8.Valid(head) {
			head = head[:len(head)-1]
		}
		return strings.ToValidUTF8(string(head), "\uFFFD") + "..."
	}
	return strings.ToValidUTF8(string(head), "\uFFFD")
}

// isFeatureCollection reports whether the JSON object that head starts
// with is a GeoJSON FeatureCollection: it has "type": "FeatureCollection" or
// a "features" member at its top level. If head ends before that can be
// told, the text "FeatureCollection" anywhere decides.
func isFeatureCollection(head []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(head))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := t.(string)
		if key == "features" {
			return true
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		if key == "type" {
			var s string
			return json.Unmarshal(v, &s) == nil && s == "FeatureCollection"
		}
	}
	if _, err := dec.Token(); err == nil {
		return false // the whole object was seen
	}
	return bytes.Contains(head, []byte(`"FeatureCollection"`))
}
