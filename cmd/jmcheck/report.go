package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"jmcheck/exitcode"
	"jmcheck/load"
	"jmcheck/reports"
)

func runReport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	typ := fs.String("type", "text", "report type: text, json or html")
	output := fs.String("output", "", "write the report to `FILE` instead of stdout")
	var thresholds thresholdFlags
	fs.Var(&thresholds, "threshold", "judge the results, repeatable, as in jmcheck load: 'p99<250ms', 'errors<0.1%', 'GET /v1/users/{username}: p99<50ms'")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: jmcheck report [flags] FILE...

Renders result files of jmcheck load --output (or of vegeta attack: gob, json
or csv, detected per file) as one report: totals, latency percentiles from
mergeable histograms, routes, answers by status and business code, failures by
reason, latency by list offset, and latency over time. It exits 1 when a
request failed its check (unless an errors or success threshold sets a budget)
or a --threshold is crossed. The HTML page is self-contained: inline SVG, no
scripts.

Many files (the shards of one distributed run, jmcheck load --shard i/n) merge
into one report: counts add up exactly and percentiles come from the merged
histograms. The report lists each shard's span and own rate, and the sum of
those rates: the cluster's rate. It warns (on stderr and in the report, without
failing) when the shards' clocks disagree: when their first requests, or their
last ones, lie more than 5% of the median shard's duration and more than 100ms
apart, the merged rate (all requests over the merged span) understates the
cluster's; sync the generators' clocks or start the shards together.

Flags:
`)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), `
Examples:
  jmcheck report results.bin
  jmcheck report --type html --output report.html results.bin
  jmcheck report shard-0.gob shard-1.gob shard-2.gob
  jmcheck report shard-*.gob --type html --output cluster.html
  jmcheck report '/results/shard-*.gob'      (jmcheck expands a pattern no shell expanded)
  jmcheck report results.bin --threshold 'p99<250ms' --threshold 'errors<0.1%'
`)
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	var render func(io.Writer, *load.Summary) error
	switch *typ {
	case "text":
		render = reports.WriteLoadText
	case "json":
		render = reports.WriteLoadJSON
	case "html":
		render = reports.WriteLoadHTML
	default:
		return exitcode.Newf(exitcode.Usage, "--type %q: want text, json or html", *typ)
	}
	if len(files) == 0 {
		fs.Usage()
		return exitcode.Newf(exitcode.Usage, "report: no result file given")
	}
	if files, err = expandGlobs(files); err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	stats := make([]os.FileInfo, 0, len(files))
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.IsDir() {
			return exitcode.Newf(exitcode.Usage, "report: %s is not a readable file", f)
		}
		for j, prev := range stats {
			if os.SameFile(st, prev) {
				return exitcode.Newf(exitcode.Usage, "report: %s and %s are the same file: merging it twice would count its requests twice", files[j], f)
			}
		}
		stats = append(stats, st)
	}
	sum, err := load.ReadResults(files)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	for _, w := range sum.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	sum.Pass = true
	for _, t := range thresholds {
		r := t.Eval(sum)
		sum.Thresholds = append(sum.Thresholds, r)
		if !r.Pass {
			sum.Problems = append(sum.Problems, fmt.Sprintf("threshold crossed: %s, actual %s", r.Threshold, r.Actual))
			sum.Pass = false
		}
	}
	errorsGated := false
	for _, t := range thresholds {
		errorsGated = errorsGated || (!t.Scoped && (t.Metric == "errors" || t.Metric == "success"))
	}
	if sum.Failed > 0 && !errorsGated {
		sum.Pass = false
		sum.Problems = append(sum.Problems, fmt.Sprintf("%d of %d requests failed", sum.Failed, sum.Requests))
	}
	if *output == "" {
		if err := render(stdout, sum); err != nil {
			return err
		}
	} else if err := writeFileWith(*output, sum, render); err != nil {
		return err
	}
	if !sum.Pass {
		return exitcode.Newf(exitcode.Failed, "report: %s", sum.Problems[0])
	}
	return nil
}

// parseInterspersed parses flags that may stand before, between or after
// positional arguments (jmcheck report a.bin --type html b.bin) and returns
// the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, exitcode.New(exitcode.Usage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			continue
		}
	}
}

// expandGlobs expands the arguments that name no file but hold a pattern
// (shard-*.gob), for shells that do not (a distroless container, Windows).
// A pattern that matches nothing is an error.
func expandGlobs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if _, err := os.Stat(a); err == nil || !strings.ContainsAny(a, "*?[") {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(a)
		if err != nil {
			return nil, fmt.Errorf("report: pattern %q: %w", a, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("report: %s matches no file", a)
		}
		out = append(out, m...)
	}
	return out, nil
}
