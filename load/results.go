package load

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Result file formats, as vegeta names them.
const (
	FormatGob  = "gob"
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// NewEncoder returns a vegeta result encoder for a format: gob (vegeta's
// default, what vegeta report and vegeta plot read from a file), json or
// csv.
func NewEncoder(w io.Writer, format string) (vegeta.Encoder, error) {
	switch format {
	case "", FormatGob:
		return vegeta.NewEncoder(w), nil
	case FormatJSON:
		return vegeta.NewJSONEncoder(w), nil
	case FormatCSV:
		return vegeta.NewCSVEncoder(w), nil
	}
	return nil, fmt.Errorf("result format %q: want gob, json or csv", format)
}

// ReadResults folds result files (jmcheck's or vegeta's, in any of the
// three encodings, detected per file) into one summary, streaming. The
// files of several shards merge exactly: counts add up, and percentiles
// come from the merged histograms, by route and overall. With more than
// one file the summary lists each file's span (Shards), the sum of the
// shards' own rates (Rate.ShardSum), and a warning when the shards' clocks
// disagree enough to distort the merged rate (see SkewWarning).
func ReadResults(paths []string) (*Summary, error) {
	if len(paths) == 0 {
		return nil, errors.New("no result file given")
	}
	stats := NewStats(earliestStart(paths))
	spans := make([]ShardSpan, 0, len(paths))
	for _, p := range paths {
		span, err := readFile(p, stats)
		if err != nil {
			return nil, err
		}
		spans = append(spans, span)
	}
	sum := stats.Summary()
	sum.Profile = profileOf(spans)
	if len(spans) > 1 {
		sum.Shards = spans
		for _, sp := range spans {
			sum.Rate.ShardSum += sp.Rate
		}
		if w := SkewWarning(spans, sum.Rate.Achieved); w != "" {
			sum.Warnings = append(sum.Warnings, w)
		}
	}
	return sum, nil
}

// earliestStart reads the first result of each file, so that a merged
// timeline starts with the earliest shard. Files that cannot be read fail
// later, with a clear error.
func earliestStart(paths []string) time.Time {
	var t0 time.Time
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if dec := vegeta.DecoderFor(bufio.NewReader(f)); dec != nil {
			var res vegeta.Result
			if dec.Decode(&res) == nil && (t0.IsZero() || res.Timestamp.Before(t0)) {
				t0 = res.Timestamp
			}
		}
		f.Close()
	}
	return t0
}

func readFile(path string, stats *Stats) (ShardSpan, error) {
	f, err := os.Open(path)
	if err != nil {
		return ShardSpan{}, fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	return readFrom(bufio.NewReaderSize(f, 64<<10), path, stats)
}

// ReadFrom folds one result stream into stats; name is for errors.
func ReadFrom(r io.Reader, name string, stats *Stats) error {
	_, err := readFrom(r, name, stats)
	return err
}

// readFrom folds one result stream into stats and returns its span.
func readFrom(r io.Reader, name string, stats *Stats) (ShardSpan, error) {
	span := ShardSpan{File: name}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return span, fmt.Errorf("%s: empty: the run that writes it stopped before its attack (see its output), or has not begun", name)
	}
	dec := vegeta.DecoderFor(br)
	if dec == nil {
		return span, fmt.Errorf("%s: not a vegeta result file (gob, json or csv): is it the --output of jmcheck load or vegeta attack?", name)
	}
	for {
		var res vegeta.Result
		err := dec.Decode(&res)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return span, fmt.Errorf("%s: result %d: %w (a truncated file?)", name, span.Requests+1, err)
		}
		s := SampleOf(&res)
		stats.Add(&s)
		span.add(&res)
	}
	if span.Requests == 0 {
		return span, fmt.Errorf("%s: no results in the file", name)
	}
	span.finish()
	return span, nil
}
