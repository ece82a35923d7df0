// Package truce is the domain of a ceasefire monitoring and verification
// system: agreements written as code (parties, zones, target categories,
// phases with their start rules and per-party readings, commitments,
// obligations and positions), incident reports with their provenance,
// protected sites, and the findings that adjudication produces.
//
// The package holds types, validation and coded errors only. It imports the
// standard library and truce/internal/geo, nothing else; parsers, importers,
// stores and transports live under internal/ and are wired in cmd/truce.
package truce
