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
// three encodings, detected per file) into one summary, streaming. A file
// of several shards merges into one report.
func ReadResults(paths []string) (*Summary, error) {
	if len(paths) == 0 {
		return nil, errors.New("no result file given")
	}
	stats := NewStats(earliestStart(paths))
	for _, p := range paths {
		if err := readFile(p, stats); err != nil {
			return nil, err
		}
	}
	return stats.Summary(), nil
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

func readFile(path string, stats *Stats) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	return ReadFrom(bufio.NewReaderSize(f, 64<<10), path, stats)
}

// ReadFrom folds one result stream into stats; name is for errors.
func ReadFrom(r io.Reader, name string, stats *Stats) error {
	dec := vegeta.DecoderFor(r)
	if dec == nil {
		return fmt.Errorf("%s: not a vegeta result file (gob, json or csv): is it the --output of jmcheck load or vegeta attack?", name)
	}
	n := 0
	for {
		var res vegeta.Result
		err := dec.Decode(&res)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: result %d: %w (a truncated file?)", name, n+1, err)
		}
		s := SampleOf(&res)
		stats.Add(&s)
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: no results in the file", name)
	}
	return nil
}
