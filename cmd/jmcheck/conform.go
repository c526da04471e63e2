package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/internal/embedded"
	"jmcheck/spec"
	"jmcheck/target"
)

// conformFlags are the flags of conform that selftest shares.
type conformFlags struct {
	tags        string
	concurrency int
	features    string
}

func (c *conformFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.tags, "tags", "", "run only the scenarios this godog tag `EXPR` selects: @a selects, ~@a excludes, && is and, a comma is or")
	fs.IntVar(&c.concurrency, "concurrency", 4, "how many scenarios run at once (1..64)")
	fs.StringVar(&c.features, "features", "", "read the *.feature files from `DIR` instead of the ones built into jmcheck")
}

// check validates the flags and returns the features to run.
func (c *conformFlags) check() (fs.FS, error) {
	if c.concurrency < 1 || c.concurrency > 64 {
		return nil, exitcode.Newf(exitcode.Usage, "--concurrency %d: use 1..64", c.concurrency)
	}
	if err := conform.CheckTags(c.tags); err != nil {
		return nil, exitcode.Newf(exitcode.Usage, "--tags: %w", err)
	}
	if c.features == "" {
		return nil, nil // the embedded features
	}
	st, err := os.Stat(c.features)
	if err != nil || !st.IsDir() {
		return nil, exitcode.Newf(exitcode.Usage, "--features %q: not a folder (give the folder that holds the *.feature files)", c.features)
	}
	return os.DirFS(c.features), nil
}

var conformHelp = help{
	usage: "jmcheck conform [flags] [FEATURE[:LINE]...]",
	about: `Runs the conformance suite (profile v1-2015, spec/PROFILE.md) against a server
and exits 0 when it conforms, 1 on failures, 2 on bad usage (including a --tags
filter that selects no scenario, or a bad --expectations file), 3 when the
target is unusable (the preflight fails, or it stops answering mid-run). With
no --target it runs against the embedded reference server, with every
capability on. Everything the run creates is deleted afterwards, also on
failure and on Ctrl-C (a second Ctrl-C abandons the cleanup and says what is
left); what could not be deleted is printed.

FEATURE[:LINE] arguments run one feature file, or the one scenario, outline or
example row at that line (as the summary prints them; a step's line runs its
scenario): jmcheck prints such a rerun command for every failed scenario.`,
	examples: `  jmcheck conform
  jmcheck conform users_register.feature:42
  jmcheck conform --format pretty --tags '@spec:3 && ~@group-limit'
  jmcheck conform --target https://staging.example --appkey KEY --secret SECRET \
      --capabilities group-limit --report-dir out/ --expectations known-failures.json
  JMCHECK_TARGET=http://127.0.0.1:8080 JMCHECK_APPKEY=KEY JMCHECK_SECRET=SECRET jmcheck conform
  jmcheck conform --coverage
  jmcheck conform --steps`,
}

func runConform(ctx context.Context, sys system, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("conform", stdout, conformHelp)
	var tf targetFlags
	tf.register(fset, sys)
	var cf conformFlags
	cf.register(fset)
	capabilities := fset.String("capabilities", sys.getenv(target.EnvCapabilities), "comma-separated `LIST` of what the target supports: fault-injection, overload, two-apps, group-limit, or all (env "+target.EnvCapabilities+"); two-apps is on when a second app is given, everything is on for the embedded server")
	format := fset.String("format", "progress", "console output: progress (a character per step) or pretty (every step)")
	reportDir := fset.String("report-dir", "", "write cucumber.json, junit.xml and summary.md into `DIR`")
	expectations := fset.String("expectations", "", "JSON `FILE` of scenarios known to fail on this target, each with a reason: [{\"scenario\":\"users.feature:12\",\"reason\":\"...\"}]")
	coverage := fset.Bool("coverage", false, "print the endpoint × error-code coverage of the features and exit (1 when spec/ has an endpoint or code without a scenario)")
	listSteps := fset.Bool("steps", false, "print the steps a feature may use, one a line, and exit (\"...\" is a quoted argument, N a number, [x] optional, {a|b} a choice)")
	runID := fset.String("run-id", sys.getenv(target.EnvRunID), "prefix of every name the run creates: a letter, then up to 15 letters or digits, or a UUID (env "+target.EnvRunID+"); default: a fresh random one")
	if err := parse(fset, args, -1); err != nil {
		return err
	}
	featuresFS, err := cf.check()
	if err != nil {
		return err
	}
	if *format != "pretty" && *format != "progress" {
		return exitcode.Newf(exitcode.Usage, "--format %q: use pretty or progress", *format)
	}
	if *runID, err = target.ParseRunID("--run-id (or "+target.EnvRunID+")", *runID); err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if *coverage {
		return printCoverage(featuresFS, stdout)
	}
	if *listSteps {
		for _, st := range conform.StepTemplates() {
			fmt.Fprintln(stdout, st)
		}
		return nil
	}
	if err := tf.check(fset); err != nil {
		return err
	}
	capName := "--capabilities"
	if !set(fset, "capabilities") {
		capName = target.EnvCapabilities
	}
	caps, err := conform.ParseCapabilities(*capabilities)
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "%s=%q: %w", capName, *capabilities, err)
	}
	paths, err := conform.ParsePaths(fset.Args(), featuresFS)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	var exps []conform.Expectation
	if *expectations != "" {
		if exps, err = conform.LoadExpectations(*expectations); err != nil {
			return exitcode.New(exitcode.Usage, err)
		}
	}
	if caps, err = tf.capabilities(caps); err != nil {
		return err
	}
	tgt, stop, err := tf.open(ctx, embedded.Options{FaultInjection: true, MaxInflight: conform.EmbeddedMaxInflight})
	defer stop()
	if err != nil {
		return err
	}
	abandon, release := secondInterrupt(ctx, sys, stderr, "second interrupt: abandoning the scenarios and the cleanup")
	defer release()
	_, err = conform.Run(ctx, conform.Options{
		Target:       tgt,
		RunID:        *runID,
		Capabilities: caps,
		Tags:         cf.tags,
		Paths:        paths,
		Concurrency:  cf.concurrency,
		Format:       *format,
		NoColors:     !colorful(stdout, sys),
		Features:     featuresFS,
		ReportDir:    *reportDir,
		Expectations: exps,
		Abandon:      abandon,
		Rerun:        rerunCommand(fset, tf),
	}, stdout, stderr)
	return err
}

// secondInterrupt returns a channel that closes on the interrupt after
// ctx ended (the first Ctrl-C ended ctx): the run's "abandon" signal.
// release stops listening; call it when the run is over.
func secondInterrupt(ctx context.Context, sys system, stderr io.Writer, say string) (abandon <-chan struct{}, release func()) {
	out, done := make(chan struct{}), make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		c, stop := sys.interrupts()
		defer stop()
		select {
		case <-c:
			fmt.Fprintln(stderr, say)
			close(out)
		case <-done:
		}
	}()
	var once sync.Once
	return out, func() { once.Do(func() { close(done) }) }
}

// printCoverage prints the coverage matrix; gaps make it exit 1.
func printCoverage(featuresFS fs.FS, stdout io.Writer) error {
	if featuresFS == nil {
		featuresFS = conform.EmbeddedFeatures()
	}
	m, err := conform.Coverage(featuresFS, spec.Endpoints(), spec.Codes())
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "coverage: %w", err)
	}
	if err := m.WriteText(stdout); err != nil {
		return err
	}
	if gaps := m.Gaps(); len(gaps) > 0 {
		return exitcode.Newf(exitcode.Failed, "coverage: %d gaps (listed above)", len(gaps))
	}
	return nil
}

// colorful reports whether w is a terminal that wants ANSI colours.
func colorful(w io.Writer, sys system) bool {
	f, ok := w.(*os.File)
	if !ok || sys.getenv("NO_COLOR") != "" || sys.getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// rerunCommand is the command line that reruns one scenario of this run:
// the flags that choose the target and the features, never a secret (the
// credentials come from the same flags or environment as this run's).
func rerunCommand(fs *pflag.FlagSet, tf targetFlags) string {
	parts := []string{"jmcheck conform"}
	if !tf.embedded() {
		parts = append(parts, "--target "+tf.t.BaseURL)
	}
	for _, name := range []string{"features", "capabilities", "group-limit"} {
		if f := fs.Lookup(name); f != nil && f.Changed {
			parts = append(parts, "--"+name+" "+shellQuote(f.Value.String()))
		}
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes a value for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ',' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
