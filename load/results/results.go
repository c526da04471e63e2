// Package results reads and writes the load generator's result files in
// vegeta's formats (gob, json, csv): a stream of results, one per request,
// that vegeta report and vegeta plot read too. Reading folds any number of
// files (the shards of one run) into one exact summary and warns when the
// shards' clocks disagree.
package results

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"jmcheck/load/stats"
	"os"
	"regexp"
	"slices"
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

// Read folds result files (jmcheck's or vegeta's, in any of the
// three encodings, detected per file) into one summary, streaming. The
// files of several shards merge exactly: counts add up, and percentiles
// come from the merged histograms, by route and overall. With more than
// one file the summary lists each file's span (Shards), the sum of the
// shards' own rates (Rate.ShardSum), and a warning when the shards' clocks
// disagree enough to distort the merged rate (see SkewWarning).
func Read(paths []string, knownProfile func(string) bool) (*stats.Summary, error) {
	if len(paths) == 0 {
		return nil, errors.New("no result file given")
	}
	st := stats.NewStats(earliestStart(paths))
	spans := make([]stats.ShardSpan, 0, len(paths))
	for _, p := range paths {
		span, err := readFile(p, st)
		if err != nil {
			return nil, err
		}
		spans = append(spans, span)
	}
	sum := st.Summary()
	sum.Profile = profileOf(spans, knownProfile)
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

func readFile(path string, st *stats.Stats) (stats.ShardSpan, error) {
	f, err := os.Open(path)
	if err != nil {
		return stats.ShardSpan{}, fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	return readFrom(bufio.NewReaderSize(f, 64<<10), path, st)
}

// readFrom folds one result stream into stats and returns its span.
func readFrom(r io.Reader, name string, st *stats.Stats) (stats.ShardSpan, error) {
	span := stats.ShardSpan{File: name}
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
		s := stats.SampleOf(&res)
		st.Add(&s)
		span.Add(&res)
	}
	if span.Requests == 0 {
		return span, fmt.Errorf("%s: no results in the file", name)
	}
	span.Finish()
	return span, nil
}

// The clock-skew rule of merged shards: SkewWarning warns when the shards'
// first requests, or their last ones, lie further apart than SkewShare of
// the median shard's attack and further than SkewFloor.
const (
	// SkewShare is the share of the run beyond which the merged rate is
	// off by about as much: the merged rate divides all requests by the
	// time from the earliest first request to the latest last one.
	SkewShare = 0.05
	// SkewFloor keeps start-up jitter of shards started together (process
	// start, seeding) from warning on short runs.
	SkewFloor = 100 * time.Millisecond
)

// SkewWarning compares the spans of shards (two or more, each with at
// least two requests) and returns a warning, or "" when their clocks
// agree. The skew is the larger of two spreads: between the shards' first
// requests, and between their last ones. Shards that ran together on
// synchronised clocks start and stop within a fraction of a second; a
// skew beyond SkewShare of the median shard's duration and beyond
// SkewFloor stretches the merged run and makes its rate (merged, in
// requests per second, 0 if unknown) understate the cluster's. The sum of
// the shards' own rates does not depend on their clocks agreeing; the
// warning gives both.
func SkewWarning(spans []stats.ShardSpan, merged float64) string {
	var ok []stats.ShardSpan
	for _, sp := range spans {
		if sp.Requests >= 2 && sp.Duration() > 0 {
			ok = append(ok, sp)
		}
	}
	if len(ok) < 2 {
		return ""
	}
	byFirst := slices.Clone(ok)
	slices.SortFunc(byFirst, func(a, b stats.ShardSpan) int { return a.First.Compare(b.First) })
	byLast := slices.Clone(ok)
	slices.SortFunc(byLast, func(a, b stats.ShardSpan) int { return a.Last.Compare(b.Last) })
	firstSpread := byFirst[len(byFirst)-1].First.Sub(byFirst[0].First)
	lastSpread := byLast[len(byLast)-1].Last.Sub(byLast[0].Last)
	skew := max(firstSpread, lastSpread)

	durations := make([]time.Duration, len(ok))
	sumRate := 0.0
	for i, sp := range ok {
		durations[i] = sp.Duration()
		sumRate += sp.Rate
	}
	slices.Sort(durations)
	median := durations[len(durations)/2]
	if len(durations)%2 == 0 {
		median = (durations[len(durations)/2-1] + durations[len(durations)/2]) / 2
	}
	if skew <= SkewFloor || float64(skew) <= SkewShare*float64(median) {
		return ""
	}
	w := fmt.Sprintf("shard clocks disagree: first requests %s apart (%s earliest, %s latest), last requests %s apart: %.1f%% of the median shard's %s attack (jmcheck warns above %.0f%% and %s).",
		roundSkew(firstSpread), byFirst[0].File, byFirst[len(byFirst)-1].File, roundSkew(lastSpread),
		100*float64(skew)/float64(median), roundSkew(median), SkewShare*100, SkewFloor)
	if merged > 0 && sumRate > 0 {
		w += fmt.Sprintf(" The merged rate %.1f/s is %.0f%% under the sum of the shards' own rates, %.1f/s, the cluster's rate.", merged, 100*(1-merged/sumRate), sumRate)
	}
	return w + " Sync the generators' clocks (NTP, chrony) and start the shards together; counts and latencies are exact either way."
}

func roundSkew(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

var shardSuffix = regexp.MustCompile(`-shard[0-9]+$`)

// profileOf returns the profile every span's attack name names, or "".
func profileOf(spans []stats.ShardSpan, knownProfile func(string) bool) string {
	p := ""
	for i, sp := range spans {
		name := shardSuffix.ReplaceAllString(sp.Attack, "")
		if i > 0 && name != p {
			return ""
		}
		p = name
	}
	if knownProfile == nil || !knownProfile(p) {
		return ""
	}
	return p
}
