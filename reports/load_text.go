package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"jmcheck/load/stats"
	"jmcheck/spec"
)

// WriteLoadText writes a load run's end-of-run summary as aligned text:
// totals, the achieved rate beside the target, latencies, routes, answers
// by status and business code, failures by reason, latency by list offset
// as a table and a text plot, failure samples, the profile's checks,
// verification, cleanup, thresholds, and why the run failed.
func WriteLoadText(w io.Writer, s *stats.Summary) error {
	ew := &loadErrWriter{w: w}
	verdict := "PASS"
	if !s.Pass {
		verdict = "FAIL"
	}
	title := "jmcheck load"
	if s.Profile != "" {
		title += " " + s.Profile
	}
	fmt.Fprintf(ew, "%s: %s\n\n", title, verdict)
	writeLoadTotals(ew, s)
	writeLoadShards(ew, s)
	writeLoadRoutes(ew, s)
	if loadHasOffsets(s) {
		fmt.Fprintf(ew, "\nLatency by start offset\n")
		writeLoadOffsetTable(ew, s.Offsets)
		fmt.Fprintln(ew)
		writeLoadOffsetPlot(ew, s.Offsets, 40)
	}
	writeLoadChecks(ew, s)
	return ew.err
}

// loadHasOffsets reports whether the latency-by-offset table says
// anything: a list was paged at two offsets or more.
func loadHasOffsets(s *stats.Summary) bool { return s.Offsets != nil && len(s.Offsets.Buckets) > 1 }

// loadIntro is the page's first sentence: the run, the target, when, how.
func loadIntro(s *stats.Summary, started string) string {
	var parts []string
	if s.RunID != "" {
		run := "Run " + s.RunID
		if s.Shard != "" {
			run += " (shard " + s.Shard + ")"
		}
		parts = append(parts, run)
	} else {
		parts = append(parts, "Results")
	}
	if s.Target != "" {
		parts = append(parts, "against "+s.Target)
	}
	if started != "-" {
		parts = append(parts, "started "+started)
	}
	intro := strings.Join(parts, " ")
	if s.Pacing != "" {
		intro += "; " + s.Pacing
	}
	return intro + "."
}

// writeLoadTotals writes the run's totals as vegeta report does.
func writeLoadTotals(ew io.Writer, s *stats.Summary) {
	tw := tabwriter.NewWriter(ew, 0, 8, 2, ' ', 0)
	if s.RunID != "" || s.Target != "" {
		run := s.RunID
		if s.Shard != "" {
			run += " (shard " + s.Shard + ")"
		}
		fmt.Fprintf(tw, "Run\t[id, target]\t%s, %s\n", loadOrDash(run), loadOrDash(s.Target))
	}
	if s.Pacing != "" {
		fmt.Fprintf(tw, "Pacing\t\t%s\n", s.Pacing)
	}
	fmt.Fprintf(tw, "Requests\t[total, passed, expected errors, failed]\t%d, %d, %d, %d\n", s.Requests, s.Passed-s.Expected, s.Expected, s.Failed)
	fmt.Fprintf(tw, "Rate\t%s\t%s\n", loadRateHead(s.Rate), loadRateLine(s.Rate))
	fmt.Fprintf(tw, "Duration\t[total, attack, wait]\t%s, %s, %s\n", loadDur(s.Duration+s.Wait), loadDur(s.Duration), loadDur(s.Wait))
	l := s.Latency
	fmt.Fprintf(tw, "Latencies\t[min, mean, 50, 90, 95, 99, 99.9, max]\t%s, %s, %s, %s, %s, %s, %s, %s\n",
		loadDur(l.Min), loadDur(l.Mean), loadDur(l.P50), loadDur(l.P90), loadDur(l.P95), loadDur(l.P99), loadDur(l.P999), loadDur(l.Max))
	fmt.Fprintf(tw, "Bytes\t[in, out]\t%d, %d\n", s.BytesIn, s.BytesOut)
	fmt.Fprintf(tw, "Answers\t[status code:count]\t%s\n", loadAnswers(s.Answers))
	fmt.Fprintf(tw, "Failures\t[reason:count]\t%s\n", loadFailures(s.Failures))
	tw.Flush()
}

// writeLoadShards writes the shards of a merged report and the warnings.
func writeLoadShards(ew io.Writer, s *stats.Summary) {
	if len(s.Shards) > 0 {
		fmt.Fprintf(ew, "\nShards (one result file each, merged above; times by each generator's clock)\n")
		tw := tabwriter.NewWriter(ew, 0, 8, 2, ' ', 0)
		fmt.Fprintf(tw, "  file	attack	requests	first request	duration	rate/s\n")
		for _, sp := range s.Shards {
			fmt.Fprintf(tw, "  %s	%s	%d	%s	%s	%.2f\n", sp.File, loadOrDash(sp.Attack), sp.Requests,
				sp.First.UTC().Format("15:04:05.000"), loadDur(sp.Duration()), sp.Rate)
		}
		tw.Flush()
		fmt.Fprintf(ew, "  sum of the shards' rates: %.2f/s, the cluster's rate\n", s.Rate.ShardSum)
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintf(ew, "\nWarnings\n")
		for _, w := range s.Warnings {
			fmt.Fprintf(ew, "  ! %s\n", w)
		}
	}
}

// writeLoadRoutes writes the per-route table.
func writeLoadRoutes(ew io.Writer, s *stats.Summary) {
	if len(s.Routes) > 0 {
		fmt.Fprintf(ew, "\nRoutes\n")
		tw := tabwriter.NewWriter(ew, 0, 8, 2, ' ', 0)
		fmt.Fprintf(tw, "  route\trequests\tfailed\texpected\trate/s\tp50\tp90\tp99\tmax\n")
		for _, r := range s.Routes {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\n", r.Route, r.Requests, r.Failed, r.Expected, r.Rate,
				loadDur(r.Latency.P50), loadDur(r.Latency.P90), loadDur(r.Latency.P99), loadDur(r.Latency.Max))
		}
		tw.Flush()
	}
}

// writeLoadChecks writes the failure samples, the profile's checks,
// verification, cleanup, thresholds, and why the run failed.
func writeLoadChecks(ew io.Writer, s *stats.Summary) {
	if len(s.Samples) > 0 {
		fmt.Fprintf(ew, "\nFailure samples\n")
		for _, f := range s.Samples {
			fmt.Fprintf(ew, "  +%-9s %s %s%s  %s\n      %s\n", loadDur(f.At), f.Route, loadStatus(f.Status), loadCode(f.Code), f.Detail, f.URL)
		}
	}
	if len(s.Checks) > 0 {
		fmt.Fprintf(ew, "\nChecks\n")
		for _, c := range s.Checks {
			fmt.Fprintf(ew, "  - %s\n", c)
		}
	}
	if v := s.Verify; v != nil && v.Method != "none" {
		fmt.Fprintf(ew, "\nVerification (%s): %d users checked, %d missing, %d unexpected\n", v.Method, v.Checked, v.Missing, v.Unexpected)
		for _, e := range v.Examples {
			fmt.Fprintf(ew, "  - %s\n", e)
		}
		if v.Error != "" {
			fmt.Fprintf(ew, "  ! %s\n", v.Error)
		}
	}
	if c := s.Cleanup; c != nil {
		fmt.Fprintf(ew, "\nCleanup: %d users and %d groups deleted, %d left\n", c.Users, c.Groups, c.Left)
		for _, e := range c.Examples() {
			fmt.Fprintf(ew, "  - %s\n", e)
		}
		if c.Error != "" {
			fmt.Fprintf(ew, "  ! %s\n", c.Error)
		}
	}
	if len(s.Thresholds) > 0 {
		fmt.Fprintf(ew, "\nThresholds\n")
		tw := tabwriter.NewWriter(ew, 0, 8, 2, ' ', 0)
		for _, t := range s.Thresholds {
			mark := "pass"
			if !t.Pass {
				mark = "FAIL"
			}
			note := ""
			if t.Note != "" {
				note = " (" + t.Note + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\tactual %s%s\n", mark, t.Threshold, t.Actual, note)
		}
		tw.Flush()
	}
	if len(s.Problems) > 0 {
		fmt.Fprintf(ew, "\nWhy it failed\n")
		for _, p := range s.Problems {
			fmt.Fprintf(ew, "  - %s\n", p)
		}
	}
}

// writeLoadOffsetTable writes latency by start-offset bucket as a table.
func writeLoadOffsetTable(w io.Writer, t *stats.OffsetTable) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "  start offset\trequests\tfailed\tp50\tp90\tp99\tmax\n")
	for _, b := range t.Buckets {
		fmt.Fprintf(tw, "  [%d, %d)\t%d\t%d\t%s\t%s\t%s\t%s\n", b.From, b.To, b.Requests, b.Failed,
			loadDur(b.Latency.P50), loadDur(b.Latency.P90), loadDur(b.Latency.P99), loadDur(b.Latency.Max))
	}
	tw.Flush()
}

// writeLoadOffsetPlot writes latency by start offset as a text plot: per
// bucket a bar of p50 (█) extended to p99 (░), scaled to the largest p99.
// A flat plot is a server whose pages cost O(1); a ramp, O(offset).
func writeLoadOffsetPlot(w io.Writer, t *stats.OffsetTable, width int) {
	var top time.Duration
	label := 0
	for _, b := range t.Buckets {
		top = max(top, b.Latency.P99)
		label = max(label, len(strconv.FormatInt(b.From, 10)))
	}
	if top <= 0 {
		return
	}
	fmt.Fprintf(w, "  p50 █  p99 ░   (full width = %s)\n", loadDur(top))
	for _, b := range t.Buckets {
		p50 := int(float64(width) * float64(b.Latency.P50) / float64(top))
		p99 := int(float64(width) * float64(b.Latency.P99) / float64(top))
		p50 = max(p50, 0)
		p99 = max(p99, p50)
		bar := strings.Repeat("█", p50) + strings.Repeat("░", p99-p50) + strings.Repeat(" ", width-p99)
		fmt.Fprintf(w, "  %*d │%s│ %s / %s\n", label, b.From, bar, loadDur(b.Latency.P50), loadDur(b.Latency.P99))
	}
}

// loadRateHead names the fields of loadRateLine: without a target (a
// result file read back, whose plan jmcheck report cannot know) only the
// achieved rate and the requests sent.
func loadRateHead(r stats.RateSummary) string {
	if r.Target > 0 {
		return "[target, achieved, sent of planned]"
	}
	return "[achieved, sent]"
}

func loadRateLine(r stats.RateSummary) string {
	var line string
	if r.Target > 0 {
		line = fmt.Sprintf("%.2f/s, %.2f/s", r.Target, r.Achieved)
	} else {
		line = fmt.Sprintf("%.2f/s", r.Achieved)
	}
	if r.Planned > 0 {
		line += fmt.Sprintf(", %d of %.0f (%.1f%%)", r.Sent, r.Planned, r.Ratio*100)
	} else {
		line += fmt.Sprintf(", %d", r.Sent)
	}
	if r.ShardSum > 0 {
		line += fmt.Sprintf("; sum of the shards' rates %.2f/s", r.ShardSum)
	}
	return line
}

// loadRateWords is the rate in words, for the HTML page.
func loadRateWords(r stats.RateSummary) string {
	words := fmt.Sprintf("%.2f/s achieved", r.Achieved)
	if r.Target > 0 {
		words = fmt.Sprintf("%.2f/s planned, ", r.Target) + words
	}
	if r.Planned > 0 {
		words += fmt.Sprintf("; %d of %.0f planned requests sent (%.1f%%)", r.Sent, r.Planned, r.Ratio*100)
	} else {
		words += fmt.Sprintf("; %d requests sent", r.Sent)
	}
	if r.ShardSum > 0 {
		words += fmt.Sprintf("; sum of the shards' rates %.2f/s", r.ShardSum)
	}
	return words
}

func loadAnswers(as []stats.AnswerCount) string {
	if len(as) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(as))
	for _, a := range as {
		s := loadStatus(a.Status) + loadCode(a.Code)
		if a.Expected {
			s += " (expected)"
		}
		parts = append(parts, s+":"+strconv.FormatUint(a.Count, 10))
	}
	return strings.Join(parts, "  ")
}

func loadFailures(fs []stats.ReasonCount) string {
	if len(fs) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, f.Reason.String()+":"+strconv.FormatUint(f.Count, 10))
	}
	return strings.Join(parts, "  ")
}

func loadStatus(s int) string {
	switch s {
	case 0:
		return "no answer"
	case -1:
		return "other"
	}
	return strconv.Itoa(s)
}

func loadCode(c spec.Code) string {
	if c == 0 {
		return ""
	}
	return " " + c.String()
}

// loadDur rounds a duration for reading: three significant digits or so.
func loadDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d >= time.Microsecond:
		return d.Round(10 * time.Nanosecond).String()
	}
	return d.String()
}

func loadOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// loadErrWriter keeps the first write error, so that a report's many small
// writes are checked once.
type loadErrWriter struct {
	w   io.Writer
	err error
}

func (e *loadErrWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("write report: %w", err)
	}
	return n, nil
}
