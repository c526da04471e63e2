package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/spec"
)

// conformFlags are the flags of conform that selftest shares.
type conformFlags struct {
	tags        string
	concurrency int
	features    string
}

func (c *conformFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.tags, "tags", "", "run only the scenarios this godog tag `expression` selects: @a selects, ~@a excludes, && is and, a comma is or")
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

var runIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,15}$`)

func runConform(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("conform", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var tf targetFlags
	tf.register(fset)
	var cf conformFlags
	cf.register(fset)
	capabilities := fset.String("capabilities", os.Getenv("JMCHECK_CAPABILITIES"), "comma-separated `list` of what the target supports: fault-injection, overload, two-apps, group-limit, or all (env JMCHECK_CAPABILITIES); two-apps is on when a second app is given, everything is on for the embedded server")
	format := fset.String("format", "progress", "console output: progress (a character per step) or pretty (every step)")
	reportDir := fset.String("report-dir", "", "write cucumber.json, junit.xml and summary.md into `DIR`")
	expectations := fset.String("expectations", "", "JSON `FILE` of scenarios known to fail on this target, each with a reason: [{\"scenario\":\"users.feature:12\",\"reason\":\"...\"}]")
	coverage := fset.Bool("coverage", false, "print the endpoint × error-code coverage of the features and exit (1 when spec/ has an endpoint or code without a scenario)")
	runID := fset.String("run-id", "", "prefix of every name the run creates (a letter, then up to 15 letters or digits); default: a fresh random one")
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), `Usage: jmcheck conform [flags]

Runs the conformance suite (profile v1-2015) against a server and exits 0 when
it conforms, 1 on failures, 2 on bad usage (including a --tags filter that
selects no scenario, or a bad --expectations file), 3 when the target is
unusable. With no --target it runs against the embedded reference server, with
every capability on. Everything the run creates is deleted afterwards, also on
failure and on Ctrl-C; what could not be deleted is printed.

Flags:
`)
		fset.PrintDefaults()
		fmt.Fprint(fset.Output(), `
Examples:
  jmcheck conform
  jmcheck conform --format pretty --tags '@spec:3 && ~@group-limit'
  jmcheck conform --target https://staging.example --appkey KEY --secret SECRET \
      --capabilities group-limit --report-dir out/ --expectations known-failures.json
  JMCHECK_TARGET=http://127.0.0.1:8080 JMCHECK_APPKEY=KEY JMCHECK_SECRET=SECRET jmcheck conform
  jmcheck conform --coverage
`)
	}
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	featuresFS, err := cf.check()
	if err != nil {
		return err
	}
	if *format != "pretty" && *format != "progress" {
		return exitcode.Newf(exitcode.Usage, "--format %q: use pretty or progress", *format)
	}
	if *runID != "" && !runIDRE.MatchString(*runID) {
		return exitcode.Newf(exitcode.Usage, "--run-id %q: use a letter, then up to 15 letters or digits, so the names built on it fit SPEC.md §3", *runID)
	}
	if *coverage {
		return printCoverage(featuresFS, stdout)
	}
	caps, err := conform.ParseCapabilities(*capabilities)
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "--capabilities: %w", err)
	}
	var exps []conform.Expectation
	if *expectations != "" {
		if exps, err = conform.LoadExpectations(*expectations); err != nil {
			return exitcode.New(exitcode.Usage, err)
		}
	}
	if tf.url == "" {
		caps = conform.AllCapabilities()
	} else if caps[conform.CapTwoApps] && (tf.appKey2 == "" || tf.secret2 == "") {
		return exitcode.Newf(exitcode.Usage, "--capabilities two-apps needs a second app: give --appkey2 and --secret2")
	}
	tgt, stop, err := tf.open(ctx, embeddedOptions{FaultInjection: true, MaxInflight: conform.EmbeddedMaxInflight})
	defer stop()
	if err != nil {
		return err
	}
	_, err = conform.Run(ctx, conform.Options{
		Target:       tgt,
		RunID:        *runID,
		Capabilities: caps,
		Tags:         cf.tags,
		Concurrency:  cf.concurrency,
		Format:       *format,
		NoColors:     !colorful(stdout),
		Features:     featuresFS,
		ReportDir:    *reportDir,
		Expectations: exps,
	}, stdout, stderr)
	return err
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
func colorful(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
