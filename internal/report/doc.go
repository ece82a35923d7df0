// Package report renders judgements and summaries: one line per judged
// report (JSON Lines, CSV, a table) and the period summary of the stored
// record (Markdown, JSON, CSV), and the period report of a monitoring
// mission in HTML and PDF (WriteHTML, WritePDF: key figures with the
// change from the previous period, a map drawn by RenderMap, per-party
// charts, the cases with their explanations, obligations and the log
// checkpoint). Output is deterministic: the same inputs give
// byte-identical output.
package report
