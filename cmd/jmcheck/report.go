package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"jmcheck/exitcode"
	"jmcheck/load"
	"jmcheck/load/results"
	"jmcheck/load/stats"
	"jmcheck/reports"
)

var reportHelp = help{
	usage: "jmcheck report [flags] FILE...",
	about: `Renders result files of jmcheck load --output (or of vegeta attack: gob, json
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
cluster's; sync the generators' clocks or start the shards together.`,
	examples: `  jmcheck report results.bin
  jmcheck report --format html --output report.html results.bin
  jmcheck report shard-0.gob shard-1.gob shard-2.gob
  jmcheck report shard-*.gob --format html --output cluster.html
  jmcheck report '/results/shard-*.gob'      (jmcheck expands a pattern no shell expanded)
  jmcheck report results.bin --threshold 'p99<250ms' --threshold 'errors<0.1%'`,
}

func runReport(_ context.Context, _ system, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stdout, reportHelp)
	format := fs.String("format", "text", "report format: text, json or html")
	deprecatedAlias(fs, "type", "format")
	output := fs.String("output", "", "write the report to `FILE` instead of stdout")
	var thresholds thresholdFlags
	fs.Var(&thresholds, "threshold", "judge the results with `EXPR`, repeatable, as in jmcheck load: 'p99<250ms', 'errors<0.1%', 'GET /v1/users/{username}: p99<50ms'")
	if err := parse(fs, args, -1); err != nil {
		return err
	}
	var render func(io.Writer, *stats.Summary) error
	switch *format {
	case "text":
		render = reports.WriteLoadText
	case "json":
		render = reports.WriteLoadJSON
	case "html":
		render = reports.WriteLoadHTML
	default:
		return exitcode.Newf(exitcode.Usage, "--format %q: want text, json or html", *format)
	}
	files := fs.Args()
	if len(files) == 0 {
		return exitcode.Newf(exitcode.Usage, "report: no result file given; see 'jmcheck report --help'")
	}
	files, err := expandGlobs(files)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	infos := make([]os.FileInfo, 0, len(files))
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.IsDir() {
			return exitcode.Newf(exitcode.Usage, "report: %s is not a readable file", f)
		}
		for j, prev := range infos {
			if os.SameFile(st, prev) {
				return exitcode.Newf(exitcode.Usage, "report: %s and %s are the same file: merging it twice would count its requests twice", files[j], f)
			}
		}
		infos = append(infos, st)
	}
	if err := checkWritable("--output", *output); err != nil {
		return err
	}
	sum, err := results.Read(files, load.Known)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	for _, w := range sum.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	judgeReport(sum, thresholds)
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

// judgeReport applies the thresholds, and without an errors or success
// one fails on any failed request, as jmcheck load does.
func judgeReport(sum *stats.Summary, thresholds []stats.Threshold) {
	sum.Pass = true
	errorsGated := false
	for _, t := range thresholds {
		r := t.Eval(sum)
		sum.Thresholds = append(sum.Thresholds, r)
		if !r.Pass {
			sum.Problems = append(sum.Problems, fmt.Sprintf("threshold crossed: %s, actual %s", r.Threshold, r.Actual))
			sum.Pass = false
		}
		errorsGated = errorsGated || (!t.Scoped && (t.Metric == "errors" || t.Metric == "success"))
	}
	if sum.Failed > 0 && !errorsGated {
		sum.Pass = false
		sum.Problems = append(sum.Problems, fmt.Sprintf("%d of %d requests failed", sum.Failed, sum.Requests))
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
