package reports

import (
	"io"

	"jmcheck/load/stats"
)

// WriteLoadJSON writes a load run's summary as indented JSON: the same
// document as --summary-json, with mergeable latency histograms.
func WriteLoadJSON(w io.Writer, s *stats.Summary) error {
	return s.WriteJSON(w)
}
