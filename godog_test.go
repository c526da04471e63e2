// The root runner of the conformance suite, for `go test` and the godog CLI.
//
//	go test .                                   # the embedded reference server
//	go test . --godog.tags='@spec:3 && ~@group-limit' --godog.format=pretty --godog.concurrency=2
//	JMCHECK_TARGET=http://127.0.0.1:8080 JMCHECK_APPKEY=KEY JMCHECK_SECRET=SECRET go test .
//	godog run --concurrency 4                   # the godog CLI, from this folder
//
// The target comes from the environment, as for jmcheck conform:
// JMCHECK_TARGET, JMCHECK_APPKEY, JMCHECK_SECRET, JMCHECK_APPKEY2,
// JMCHECK_SECRET2, JMCHECK_GROUP_LIMIT, JMCHECK_CAPABILITIES and
// JMCHECK_RUN_ID. With no
// JMCHECK_TARGET, the embedded reference server starts on a loopback port
// with every capability on. Undefined or pending steps always fail. The
// godog CLI (go install github.com/cucumber/godog/cmd/godog@v0.16.0) runs
// `go mod tidy` in this folder before it builds, and takes godog's flags
// with two dashes and no prefix: godog run --tags='@spec:5' --format=pretty.
package jmcheck_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cucumber/godog"
	"github.com/spf13/pflag"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/internal/embedded"
	"jmcheck/target"
)

// godogOpts are godog's own flags, "--godog." and two dashes under go test.
var godogOpts = godog.Options{Format: "progress", Concurrency: 4, Strict: true}

func TestMain(m *testing.M) {
	godog.BindCommandLineFlags("godog.", &godogOpts)
	pflag.Parse()
	// pflag marks the go test flags (-test.run, ...) parsed without
	// parsing them; hand them to the flag package.
	if err := pflag.ParseSkippedFlags(os.Args[1:], flag.CommandLine); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(exitcode.Usage)
	}
	os.Exit(m.Run())
}

// TestFeatures runs every feature (or those -godog.tags selects), each
// scenario as a subtest.
func TestFeatures(t *testing.T) {
	h, err := openHarness(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer h.stop()
	_, err = conform.Run(t.Context(), conform.Options{
		Target:        h.target,
		Capabilities:  h.caps,
		Tags:          godogOpts.Tags,
		Concurrency:   godogOpts.Concurrency,
		Format:        godogOpts.Format,
		NoColors:      godogOpts.NoColors,
		StopOnFailure: godogOpts.StopOnFailure,
		Randomize:     godogOpts.Randomize,
		TestingT:      t,
	}, os.Stdout, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSuite times the whole suite against a fresh embedded reference
// server, quietly, and how the time grows with the number of scenarios (the
// first k feature files, in name order):
//
//	go test -run '^$' -bench Suite -benchtime 3x .
func BenchmarkSuite(b *testing.B) {
	names, err := fs.Glob(conform.EmbeddedFeatures(), "*.feature")
	if err != nil || len(names) == 0 {
		b.Fatalf("no features: %v", err)
	}
	sizes := []int{}
	for k := 1; k < len(names); k *= 2 {
		sizes = append(sizes, k)
	}
	sizes = append(sizes, len(names))
	for _, concurrency := range []int{4, 1} {
		for _, k := range sizes {
			if concurrency == 1 && k != len(names) {
				continue
			}
			sub := fstest.MapFS{}
			for _, n := range names[:k] {
				data, err := fs.ReadFile(conform.EmbeddedFeatures(), n)
				if err != nil {
					b.Fatal(err)
				}
				sub[n] = &fstest.MapFile{Data: data}
			}
			b.Run(fmt.Sprintf("features=%d/concurrency=%d", k, concurrency), func(b *testing.B) {
				scenarios := 0
				for b.Loop() {
					h, err := startReference(target.DefaultGroupLimit)
					if err != nil {
						b.Fatal(err)
					}
					res, err := conform.Run(b.Context(), conform.Options{
						Target: h.target, Capabilities: h.caps, Concurrency: concurrency, Features: sub,
					}, io.Discard, io.Discard)
					h.stop()
					if err != nil {
						b.Fatal(err)
					}
					scenarios = len(res.Scenarios)
				}
				b.ReportMetric(float64(scenarios), "scenarios")
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(max(scenarios, 1)), "ms/scenario")
			})
		}
	}
}

// harness is the target of a root run and what it supports.
type harness struct {
	target target.Target
	caps   map[string]bool
	stop   func()
}

// openHarness returns the target the environment names (target.Env*),
// checked by a preflight, or starts the embedded reference server, as
// jmcheck conform does.
func openHarness(ctx context.Context) (*harness, error) {
	t, err := target.FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	caps := conform.AllCapabilities()
	if t.BaseURL != "" {
		if caps, err = conform.ParseCapabilities(os.Getenv(target.EnvCapabilities)); err != nil {
			return nil, exitcode.Newf(exitcode.Usage, "%s=%q: %w", target.EnvCapabilities, os.Getenv(target.EnvCapabilities), err)
		}
	}
	t, stop, err := embedded.Open(ctx, t, embedded.Options{FaultInjection: true, MaxInflight: conform.EmbeddedMaxInflight})
	if err != nil {
		return nil, err
	}
	return &harness{target: t, caps: caps, stop: stop}, nil
}

// startReference starts the reference server with every capability on.
func startReference(groupLimit int) (*harness, error) {
	t, stop, err := embedded.Start(embedded.Options{GroupLimit: groupLimit, FaultInjection: true, MaxInflight: conform.EmbeddedMaxInflight})
	if err != nil {
		return nil, err
	}
	return &harness{target: t, caps: conform.AllCapabilities(), stop: stop}, nil
}

// The godog CLI (`godog run` in this folder) compiles this package into a
// binary of its own that calls InitializeTestSuite and InitializeScenario,
// and parses godog's flags from os.Args itself. An undefined or pending
// step must fail there as under jmcheck conform, so --strict is forced.
func init() {
	if testing.Testing() {
		return
	}
	for _, a := range os.Args[1:] {
		if a == "--strict" || a == "--strict=true" || a == "--strict=false" {
			return
		}
	}
	os.Args = append([]string{os.Args[0], "--strict"}, os.Args[1:]...)
}

// cli is the state of a run the godog CLI drives.
var cli struct {
	h       *harness
	session *conform.Session
	runID   string
	stop    context.CancelFunc
}

// InitializeTestSuite starts the target before the godog CLI's run and
// cleans up after it (also after Ctrl-C: scenarios not started yet are
// skipped, then cleanup runs).
func InitializeTestSuite(sc *godog.TestSuiteContext) {
	sc.BeforeSuite(func() {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		h, err := openHarness(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "jmcheck:", err)
			os.Exit(exitcode.Of(err))
		}
		runID, err := target.ParseRunID(target.EnvRunID, os.Getenv(target.EnvRunID))
		if err != nil {
			h.stop()
			fmt.Fprintln(os.Stderr, "jmcheck:", err)
			os.Exit(exitcode.Usage)
		}
		if runID == "" {
			runID = target.NewRunID()
		}
		steps, err := conform.NewSteps(h.target, runID, h.caps)
		if err == nil {
			cli.session, err = conform.NewSession(ctx, conform.SessionConfig{Capabilities: h.caps, Steps: steps})
		}
		if err != nil {
			h.stop()
			fmt.Fprintln(os.Stderr, "jmcheck:", err)
			os.Exit(exitcode.Usage)
		}
		cli.h, cli.runID, cli.stop = h, runID, stop
	})
	sc.AfterSuite(func() {
		if cli.session == nil {
			return
		}
		if cli.session.Seen() > 0 {
			// godog's own summary counts a skipped scenario as passed; say it right.
			fmt.Fprintln(os.Stderr, "jmcheck:", cli.session.Totals())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if left := cli.session.Cleanup(ctx); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "jmcheck: cleanup could not delete %d things (names prefixed %s):\n", len(left), cli.runID)
			for _, l := range left {
				fmt.Fprintln(os.Stderr, "  "+l)
			}
		}
		cli.h.stop()
		cli.stop()
		if cli.session.Seen() == 0 {
			// godog itself exits 0 on "No scenarios"; a selection of
			// nothing is a usage error, as under jmcheck conform and go test.
			var o godog.Options
			godog.BindCommandLineFlags("", &o)
			_ = pflag.CommandLine.Parse(os.Args[1:]) // godog accepted them already
			fmt.Fprintln(os.Stderr, "jmcheck:", noSelection(o.Tags, pflag.CommandLine.Args(), os.DirFS(".")))
			os.Exit(exitcode.Usage)
		}
	})
}

// InitializeScenario registers the steps and the run's hooks for one
// scenario of the godog CLI's run.
func InitializeScenario(sc *godog.ScenarioContext) {
	if cli.session == nil {
		// godog --definitions lists the steps without starting the suite.
		steps, err := conform.NewSteps(target.Target{BaseURL: "http://127.0.0.1:1"}, target.NewRunID(), nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "jmcheck:", err)
			os.Exit(exitcode.Usage)
		}
		steps.InitializeScenario(sc)
		return
	}
	cli.session.InitializeScenario(sc)
}

// noSelection explains why the godog CLI's run selected no scenario: the
// --tags filter, when one was given, and each FEATURE:LINE path whose line
// godog cannot select. godog selects by the line of a Scenario or Scenario
// Outline only; jmcheck conform by any line of a scenario, and an Examples
// row's line selects that row alone.
func noSelection(tags string, paths []string, fsys fs.FS) string {
	var why []string
	if tags != "" {
		why = append(why, fmt.Sprintf("--tags %q matches no scenario of %s (see 'jmcheck conform --coverage' for the tags)", tags, orFeatures(paths)))
	}
	for _, p := range paths {
		if !strings.Contains(p, ":") {
			continue
		}
		parsed, err := conform.ParsePaths([]string{p}, fsys)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		line, rows, err := conform.ScenarioLine(fsys, parsed[0])
		if err != nil || line == parsed[0].Line {
			continue
		}
		file, _, _ := strings.Cut(p, ":")
		what := fmt.Sprintf("a line of the scenario at line %d", line)
		if rows {
			what = fmt.Sprintf("an Examples row or table of the Scenario Outline at line %d", line)
		}
		why = append(why, fmt.Sprintf("%s is %s: godog run selects a Scenario or Scenario Outline by its own line only; run what it selects with 'jmcheck conform %s', or the whole scenario with 'godog run %s:%d'",
			p, what, strings.TrimPrefix(p, "features/"), file, line))
	}
	if len(why) == 0 {
		verb := "hold"
		if len(paths) == 1 {
			verb = "holds"
		}
		return fmt.Sprintf("no scenario selected: %s %s no scenario (a FEATURE:LINE must be a line of a Scenario, a Scenario Outline or an Examples row)", orFeatures(paths), verb)
	}
	return "no scenario selected: " + strings.Join(why, "; ")
}

// orFeatures names the paths of a run, or "the features" for none.
func orFeatures(paths []string) string {
	if len(paths) == 0 {
		return "the features"
	}
	return strings.Join(paths, " ")
}
