package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"jmcheck/exitcode"
	"jmcheck/internal/hostile"
)

// config is what the flags ask for.
type config struct {
	jmcheck  string
	cases    []hostile.Case
	runs     []string // of runKinds, in that order
	bounds   bounds
	parallel int
	keep     string // keep each run's output and reports under this directory; "": none
}

// defaultMaxRSS is -max-rss: MiB a run against a hostile target may
// reach. jmcheck's own bound on answers being read is 64 KiB per request
// in flight plus 4 answers of up to 4 MiB (package client); the rest is
// the Go runtime, godog and the reports. Runs measure 25-150 MiB.
const defaultMaxRSS = 256

// runKinds are the runs made against each case, in table order: the
// conformance suite; load mixed, which seeds users first through the
// admin client (package client) and attacks only if the seeding passed;
// and load register-batch, which seeds nothing, so that the attack's own
// transport (load/transport) and checks meet the case, then verification
// and cleanup.
var runKinds = []string{"conform", "load", "load-attack"}

const usageText = `Usage: go run ./internal/hostile/sweep -jmcheck PATH [flags]

Runs jmcheck conform and jmcheck load (two profiles) against every hostile target of
internal/hostile (slow ones included), each as a child process under a hard
timeout, and prints a markdown table: exit code and the codes the case
allows, wall time, peak RSS, whether a form of the secret or a raw escape
character appeared in any output or report, and credentials sent to another
origin. Exit 0 when every run ended with an allowed exit code (1 or 3;
never 0 against a broken target, never 2), within -timeout and -max-rss,
without a Go panic, a leak, a raw escape or a credential sent away; 1
otherwise; 2 on bad usage.

Flags:
`

const examplesText = `
Examples:
  go build -o /tmp/jm ./cmd/jmcheck
  go run ./internal/hostile/sweep -jmcheck /tmp/jm
  go run ./internal/hostile/sweep -jmcheck /tmp/jm -cases hang,stall,trickle -timeout 3m
  go run ./internal/hostile/sweep -jmcheck /tmp/jm -cases echo,redirect -runs load,load-attack -parallel 2
  go run ./internal/hostile/sweep -jmcheck /tmp/jm -cases hang -keep /tmp/sweep-out   # read what a run printed
`

// parseFlags reads the flags; -h is flag.ErrHelp, anything wrong a usage
// error.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg    config
		cases  = fs.String("cases", "", "comma-separated hostile cases to run (default all: "+strings.Join(caseNames(hostile.Cases()), ",")+")")
		runs   = fs.String("runs", strings.Join(runKinds, ","), "comma-separated runs per case: conform, load (mixed: seeding, then the attack), load-attack (register-batch: the attack at once)")
		format = fs.String("format", "markdown", "output format of the table: markdown")
	)
	fs.StringVar(&cfg.jmcheck, "jmcheck", "", "PATH of the jmcheck binary (go build -o /tmp/jm ./cmd/jmcheck)")
	fs.DurationVar(&cfg.bounds.Timeout, "timeout", 5*time.Minute, "hard bound on each run: the child is killed past it, and the run counts as hung")
	maxRSS := fs.Int64("max-rss", defaultMaxRSS, "`MIB` of peak RSS a run may reach (0: no bound)")
	fs.IntVar(&cfg.parallel, "parallel", 1, "runs at once (1 keeps the times and RSS of one run alone on the machine)")
	fs.StringVar(&cfg.keep, "keep", "", "keep each run's stdout, stderr and reports under `DIR`/CASE-RUN/ (replaced if there)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
		fmt.Fprint(stderr, examplesText)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, exitcode.New(exitcode.Usage, err)
	}
	if fs.NArg() > 0 {
		return config{}, exitcode.Newf(exitcode.Usage, "unexpected argument %q: every setting is a flag (see -h)", fs.Arg(0))
	}
	if *format != "markdown" {
		return config{}, exitcode.Newf(exitcode.Usage, "-format %q: want markdown", *format)
	}
	if cfg.bounds.Timeout <= 0 {
		return config{}, exitcode.Newf(exitcode.Usage, "-timeout %s: want a positive duration such as 5m", cfg.bounds.Timeout)
	}
	if *maxRSS < 0 {
		return config{}, exitcode.Newf(exitcode.Usage, "-max-rss %d: want MiB, or 0 for no bound", *maxRSS)
	}
	cfg.bounds.MaxRSS = *maxRSS << 10
	if cfg.parallel < 1 {
		return config{}, exitcode.Newf(exitcode.Usage, "-parallel %d: want 1 or more", cfg.parallel)
	}
	if cfg.jmcheck == "" {
		return config{}, exitcode.Newf(exitcode.Usage, "give -jmcheck PATH (build it with go build -o /tmp/jm ./cmd/jmcheck)")
	}
	if fi, err := os.Stat(cfg.jmcheck); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return config{}, exitcode.Newf(exitcode.Usage, "-jmcheck %s: not an executable file (build it with go build -o /tmp/jm ./cmd/jmcheck)", cfg.jmcheck)
	}
	var err error
	if cfg.cases, err = selectCases(hostile.Cases(), *cases); err != nil {
		return config{}, err
	}
	if cfg.runs, err = selectRuns(*runs); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// selectCases returns the cases a comma-separated list names, in
// catalogue order; an empty list is all of them.
func selectCases(all []hostile.Case, list string) ([]hostile.Case, error) {
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	want, err := splitList(list, caseNames(all), "-cases")
	if err != nil {
		return nil, err
	}
	var out []hostile.Case
	for _, c := range all {
		if slices.Contains(want, c.Name) {
			out = append(out, c)
		}
	}
	return out, nil
}

// selectRuns returns the run kinds a comma-separated list names, in table
// order.
func selectRuns(list string) ([]string, error) {
	want, err := splitList(list, runKinds, "-runs")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range runKinds {
		if slices.Contains(want, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// splitList splits a comma-separated list and refuses a name not in known.
func splitList(list string, known []string, flagName string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(known, s) {
			return nil, exitcode.Newf(exitcode.Usage, "%s: unknown %q: want some of %s", flagName, s, strings.Join(known, ","))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, exitcode.Newf(exitcode.Usage, "%s: empty: want some of %s", flagName, strings.Join(known, ","))
	}
	return out, nil
}

func caseNames(cs []hostile.Case) []string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return names
}
