// Package agreement reads agreement files (YAML, format version 1) into
// validated truce.Agreement values.
//
// Parsing reports every problem it finds, not just the first, each as
// FILE:LINE:COL: message. Structure (unknown keys, wrong types, missing
// fields, bad enum values) is checked against the embedded JSON Schema
// (schema.json, published as docs/agreement.schema.json); meaning (dates,
// durations, references between parts, zone geometry, the places file) is
// checked by hand. Problems inside a places file are reported at that file's
// own lines.
//
// Zone geometry given as a path, and the places file (a CSV gazetteer), are
// read from an fs.FS rooted at the agreement's own directory or bundle:
// paths are slash-separated, relative, and may not leave that root (no
// "..", no absolute paths).
package agreement
