// Package report renders judgements and summaries: one line per judged
// report (JSON Lines, CSV, a table) and the period summary of the stored
// record (Markdown, JSON, CSV). Output is deterministic: the same inputs
// give byte-identical output.
package report
