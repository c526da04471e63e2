// Package reports renders jmcheck's outcomes, one file per format: the
// conformance summary in Markdown, and load runs (load.Summary) as text,
// JSON, and a self-contained HTML page with inline SVG charts of latency
// over time and latency by list offset.
package reports
