package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/explore"
	"jmcheck/internal/embedded"
	"jmcheck/server"
	"jmcheck/target"
)

// exploreGroupLimit is the member limit of the embedded server explore
// starts: small, so that sequences reach it.
const exploreGroupLimit = 5

var exploreHelp = help{
	usage: "jmcheck explore [flags]",
	about: `Explores a server with generated request sequences, valid and invalid, over
every endpoint, and judges every answer with an executable model of profile
v1-2015 (spec/PROFILE.md). On a divergence it shrinks the sequence to a minimal
one against the target, prints it as a Gherkin scenario written with the
suite's own steps, with the raw exchanges (credentials redacted) and the rule,
and with --report-dir writes counterexample.feature, counterexample.txt and
counterexample.json (which --replay reruns). With --clients 2 or more it also
runs rounds of concurrent requests on shared users and groups and checks each
round's history for linearizability against the same model.

The search is bounded by --duration and --max-ops, and is reproducible: the
same --seed and the same answers give the same sequences (the seed is printed).
Explore needs an app that no one else writes to while it runs. Everything a
case creates is deleted after it, also on Ctrl-C (a second Ctrl-C abandons the
cleanup and says what is left). With no --target it explores the embedded
reference server, started with a member limit of 5 so that sequences reach it.

Exit codes: 0 no divergence, 1 a divergence was found, 2 bad usage, 3 the
target is unusable.`,
	examples: `  jmcheck explore
  jmcheck explore --duration 60s --clients 4 --seed 7
  jmcheck explore --target http://127.0.0.1:8080 --appkey KEY --secret SECRET \
      --group-limit 500 --max-ops 20000 --report-dir out/
  jmcheck explore --replay out/counterexample.json`,
}

func runExplore(ctx context.Context, sys system, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("explore", stdout, exploreHelp)
	var tf targetFlags
	tf.register(fset, sys)
	capabilities := fset.String("capabilities", sys.getenv(target.EnvCapabilities), "comma-separated `LIST` of what the target supports (env "+target.EnvCapabilities+"); explore checks it and uses the first app only")
	seed := fset.Uint64("seed", 0, "seed of the sequences (0: a random one, printed)")
	duration := fset.Duration("duration", explore.DefaultDuration, "how long to search")
	maxOps := fset.Int64("max-ops", 0, "stop after about this many requests (0: no bound)")
	clients := fset.Int("clients", 1, "clients at once in concurrent rounds (1: sequential cases only; 2..64)")
	shrink := fset.Duration("shrink-time", explore.DefaultShrinkTime, "the longest time spent shrinking a divergence")
	steps := fset.Int("steps", explore.DefaultSteps, "average number of requests of a sequential case (1..1000)")
	reportDir := fset.String("report-dir", "", "write the counterexample files into `DIR`")
	replay := fset.String("replay", "", "rerun the sequence of a counterexample.json `FILE` once, instead of searching")
	runID := fset.String("run-id", sys.getenv(target.EnvRunID), "prefix of every name the run creates (env "+target.EnvRunID+"); default: a fresh random one")
	if err := parse(fset, args, 0); err != nil {
		return err
	}
	opts, err := exploreOptions(fset.Changed("group-limit"), &tf, exploreFlags{
		capabilities: *capabilities, seed: *seed, duration: *duration, maxOps: *maxOps, clients: *clients,
		shrink: *shrink, steps: *steps, reportDir: *reportDir, replay: *replay, runID: *runID,
	})
	if err != nil {
		return err
	}
	if err := tf.check(fset); err != nil {
		return err
	}
	// The capabilities the suite may use when it reruns a counterexample.
	caps, err := conform.ParseCapabilities(*capabilities)
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "--capabilities %q: %w", *capabilities, err)
	}
	if caps, err = tf.capabilities(caps); err != nil {
		return err
	}
	if tf.embedded() && !fset.Changed("group-limit") {
		tf.t.GroupLimit = exploreGroupLimit
	}
	tgt, stop, err := tf.open(ctx, embedded.Options{})
	defer stop()
	if err != nil {
		return err
	}
	opts.Target = tgt
	abandon, release := secondInterrupt(ctx, sys, stderr, "second interrupt: abandoning the cleanup")
	defer release()
	opts.Abandon = abandon
	opts.Reproduce = reproduceWithSuite(tgt, caps)
	_, err = explore.Run(ctx, opts, stdout, stderr)
	return exploreExit(err)
}

// exploreFlags are explore's own flags, as parsed.
type exploreFlags struct {
	capabilities      string
	seed              uint64
	duration, shrink  time.Duration
	maxOps            int64
	clients, steps    int
	reportDir, replay string
	runID             string
}

// exploreOptions validates the flags.
func exploreOptions(_ bool, tf *targetFlags, f exploreFlags) (explore.Options, error) {
	usage := func(format string, a ...any) (explore.Options, error) {
		return explore.Options{}, exitcode.Newf(exitcode.Usage, format, a...)
	}
	switch {
	case f.duration <= 0:
		return usage("--duration %s: give a positive duration, such as 30s or 5m", f.duration)
	case f.maxOps < 0:
		return usage("--max-ops %d: give 0 (no bound) or more", f.maxOps)
	case f.clients < 1 || f.clients > 64:
		return usage("--clients %d: use 1..64", f.clients)
	case f.shrink <= 0:
		return usage("--shrink-time %s: give a positive duration", f.shrink)
	case f.steps < 1 || f.steps > 1000:
		return usage("--steps %d: use 1..1000", f.steps)
	}
	runID, err := target.ParseRunID("--run-id (or "+target.EnvRunID+")", f.runID)
	if err != nil {
		return explore.Options{}, exitcode.New(exitcode.Usage, err)
	}
	if err := checkReportDir(f.reportDir); err != nil {
		return explore.Options{}, err
	}
	opts := explore.Options{RunID: runID, Seed: f.seed, Duration: f.duration, MaxOps: f.maxOps, Clients: f.clients,
		ShrinkTime: f.shrink, Steps: f.steps, ReportDir: f.reportDir}
	if f.replay != "" {
		seq, err := explore.ReadSequence(f.replay)
		if err != nil {
			return explore.Options{}, exitcode.New(exitcode.Usage, err)
		}
		opts.Replay = &seq
	}
	return opts, nil
}

// checkReportDir makes a --report-dir and proves a counterexample can be
// written in it, before anything runs.
func checkReportDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exitcode.Newf(exitcode.Usage, "--report-dir %q: %w", dir, err)
	}
	return checkWritable("--report-dir", filepath.Join(dir, explore.ReportText))
}

// exploreExit maps explore's outcome to an exit code.
func exploreExit(err error) error {
	var de *explore.DivergenceError
	var ue *explore.UnusableError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de):
		return exitcode.New(exitcode.Failed, err)
	case errors.As(err, &ue):
		return exitcode.New(exitcode.TargetUnusable, err)
	case errors.Is(err, explore.ErrInterrupted):
		return exitcode.New(exitcode.Failed, err)
	}
	var ec *exitcode.Error
	if errors.As(err, &ec) {
		return err
	}
	return exitcode.New(exitcode.Failed, err)
}

// reproduceWithSuite runs a counterexample's scenario with the suite
// against tgt, which has caps, and reports whether it failed there.
func reproduceWithSuite(tgt target.Target, caps map[string]bool) func(ctx context.Context, feature string) (bool, error) {
	return func(ctx context.Context, feature string) (bool, error) {
		dir, err := os.MkdirTemp("", "jmcheck-explore-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
		if err := os.WriteFile(filepath.Join(dir, explore.ReportFeature), []byte(feature), 0o644); err != nil {
			return false, err
		}
		res, err := conform.Run(ctx, conform.Options{
			Target: tgt, Capabilities: caps, Features: os.DirFS(dir),
			Format: "progress", NoColors: true, Concurrency: 1,
		}, io.Discard, io.Discard)
		if res == nil {
			return false, fmt.Errorf("the suite could not run the scenario: %w", err)
		}
		return res.Count(conform.OutcomeFailed) > 0, nil
	}
}

// selftestExploreBudget bounds the search for one explore mutant. The
// bound is a count of requests, not time, so that a verdict does not hang
// on the box's speed: with the seed fixed and a sequential search, the
// same server gives the same requests, and a selftest is reproducible.
// The duration is a backstop for a box far too slow.
var selftestExploreBudget = exploreBudget{requests: 60000, duration: 5 * time.Minute, shrink: 5 * time.Second, seed: 1}

type exploreBudget struct {
	requests         int64
	duration, shrink time.Duration
	seed             uint64
}

func (b exploreBudget) String() string {
	return fmt.Sprintf("%d requests (or %s)", b.requests, b.duration)
}

// exploreMutantResult is one explore mutant's outcome.
type exploreMutantResult struct {
	m      server.Mutant
	killed bool
	took   time.Duration
	ops    int64
	found  string
}

// runSelftestExplore runs explore against each explore mutant and exits 1
// when one survives its budget.
func runSelftestExplore(ctx context.Context, only, reportDir string, stdout io.Writer) error {
	mutants, err := pickMutants(server.ExploreMutants(), only)
	if err != nil {
		return err
	}
	if err := checkReportDir(reportDir); err != nil {
		return err
	}
	results, err := selftestExplore(ctx, mutants, selftestExploreBudget, reportDir, stdout)
	if err != nil {
		return err
	}
	survived := 0
	fmt.Fprintf(stdout, "\n%-40s %-12s %-8s %8s %9s  %s\n", "MUTANT", "KIND", "RESULT", "TIME", "REQUESTS", "FOUND")
	for _, r := range results {
		verdict := "killed"
		if !r.killed {
			verdict, survived = "SURVIVED", survived+1
		}
		fmt.Fprintf(stdout, "%-40s %-12s %-8s %8s %9d  %s\n", r.m.Name, r.m.Kind, verdict, r.took.Round(time.Millisecond), r.ops, r.found)
	}
	if survived > 0 {
		return exitcode.Newf(exitcode.Failed, "selftest --explore: %d of %d explore mutants survived (explore found no divergence within %s each)", survived, len(results), selftestExploreBudget)
	}
	fmt.Fprintf(stdout, "all %d explore mutants killed\n", len(results))
	return nil
}

// selftestExplore explores a fresh embedded server per mutant, the
// concurrency mutants with 4 clients.
func selftestExplore(ctx context.Context, mutants []server.Mutant, b exploreBudget, reportDir string, progress io.Writer) ([]exploreMutantResult, error) {
	var out []exploreMutantResult
	for i, m := range mutants {
		if ctx.Err() != nil {
			return out, exitcode.New(exitcode.Failed, ctx.Err())
		}
		tgt, stop, err := embedded.Start(embedded.Options{Mutant: m.Name, GroupLimit: exploreGroupLimit})
		if err != nil {
			return out, err
		}
		clients := 1
		if m.Kind == server.KindConcurrency {
			clients = 4
		}
		opts := explore.Options{Target: tgt, Seed: b.seed, Duration: b.duration, MaxOps: b.requests, ShrinkTime: b.shrink, Clients: clients}
		if reportDir != "" { // counterexamples to read: shrunk as far as explore's own
			opts.ReportDir, opts.ShrinkTime = filepath.Join(reportDir, m.Name), explore.DefaultShrinkTime
		}
		res, err := explore.Run(ctx, opts, io.Discard, io.Discard)
		stop()
		r := exploreMutantResult{m: m, took: res.Took, ops: res.Ops}
		var de *explore.DivergenceError
		if errors.As(err, &de) {
			r.killed, r.ops = true, res.FoundAfter
			r.found = de.Found.Key()
		}
		out = append(out, r)
		verdict := fmt.Sprintf("killed after %d requests", r.ops)
		if !r.killed {
			verdict = fmt.Sprintf("SURVIVED %d requests", r.ops)
		}
		fmt.Fprintf(progress, "[%d/%d] %s: %s, %s\n", i+1, len(mutants), m.Name, verdict, r.took.Round(time.Millisecond))
	}
	return out, nil
}
