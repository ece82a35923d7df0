// Package agreement reads agreement files (YAML, format version 1) into
// validated truce.Agreement values.
//
// Parsing reports every problem it finds, not just the first, each as
// FILE:LINE:COL: message. Structure (unknown keys, wrong types, missing
// fields, bad enum values) is checked against the embedded JSON Schema
// (schema.json, published as docs/agreement.schema.json); meaning (dates,
// durations, references between parts, zone geometry) is checked by hand.
//
// Zone geometry given as a path is read from an fs.FS rooted at the
// agreement's own directory or bundle: paths are slash-separated, relative,
// and may not leave that root (no "..", no absolute paths).
package agreement
