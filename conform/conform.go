// Package conform runs the conformance suite: it builds a godog TestSuite
// from the features (embedded, or a folder) and the step definitions,
// checks the tag filter selects something, skips the scenarios whose
// capability the target lacks (reported as skipped, never as passed), runs
// them strictly (an undefined or pending step fails), collects each
// scenario's outcome, applies the expectations file, cleans up what the
// run created (also after failures and SIGINT), and writes the reports:
// cucumber JSON and JUnit XML from godog's own formatters and a Markdown
// summary. It also reads the coverage matrix of endpoints × error codes
// from the features' tags.
//
// jmcheck conform, jmcheck selftest and the root godog_test.go all run
// the suite through this package; it never imports the reference server.
package conform

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"jmcheck/exitcode"
	"jmcheck/target"
)

// Options configure a run.
type Options struct {
	// Target is the server under test (already checked by a preflight).
	Target target.Target
	// RunID prefixes every name the run creates; "" makes a new one.
	RunID string
	// Capabilities the target declares. two-apps is added when the target
	// has a second app's credentials.
	Capabilities map[string]bool
	// Tags is a godog tag expression ("" runs every scenario). One that
	// selects no scenario is a usage error.
	Tags string
	// Rerun is the command line that reruns one scenario of this run (the
	// scenario's ID is appended); "": "jmcheck conform".
	Rerun string
	// Paths, when given, select feature files, or single scenarios,
	// outlines or example rows of them by line (ParsePaths).
	Paths []Path
	// Concurrency is how many scenarios run at once (at least 1).
	Concurrency int
	// Format is godog's formatter for stdout: "pretty", "progress", any
	// other godog knows, or "" for none. godog's list syntax
	// ("pretty,junit:out.xml") is passed through.
	Format string
	// NoColors strips the ANSI colours from the formatter's output.
	NoColors bool
	// Features holds the *.feature files, walked from its root; nil means
	// the embedded features.
	Features fs.FS
	// ReportDir, when set, receives cucumber.json, junit.xml and summary.md.
	ReportDir string
	// Expectations name scenarios known to fail on this target.
	Expectations []Expectation
	// StopOnFailure skips every scenario that starts after one failed.
	StopOnFailure bool
	// Randomize shuffles the scenarios with this seed (-1 picks one).
	Randomize int64
	// TestingT, when set, runs each scenario as a subtest (go test).
	TestingT *testing.T
	// Steps are the step definitions; nil means the conformance steps
	// (package steps) for Target, RunID and the capabilities.
	Steps Steps
	// SkipCleanup leaves what the run created in place: only for a target
	// that is thrown away afterwards (selftest's mutants).
	SkipCleanup bool
	// CleanupTimeout bounds the cleanup after the run (default 30s).
	CleanupTimeout time.Duration
	// InterruptGrace is how long scenarios in flight may take to end once
	// ctx is cancelled (default 10s).
	InterruptGrace time.Duration
	// Abandon, when it closes (a second Ctrl-C), ends the run at once:
	// scenarios in flight and the cleanup are abandoned, and what was
	// not cleaned is reported.
	Abandon <-chan struct{}
}

// UnusableCleanupTimeout bounds the one short cleanup attempt after the
// target became unusable during the run.
const UnusableCleanupTimeout = 10 * time.Second

// Report file names inside Options.ReportDir.
const (
	ReportCucumber = "cucumber.json"
	ReportJUnit    = "junit.xml"
	ReportMarkdown = "summary.md"
)

// Run runs the suite and returns what happened. The error is nil when the
// run passed; an exitcode.Failed error when a scenario failed unexpectedly,
// an expected failure passed, or the run was interrupted (the Result is then
// complete); an exitcode.Usage error for bad options, a bad tag filter or
// one that selects nothing, or bad expectations (the Result is then nil).
// The formatter writes to stdout, followed by a short summary; cleanup
// problems go to stderr as well.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) (*Result, error) {
	started := time.Now()
	p, err := prepare(ctx, &opts)
	if err != nil {
		return nil, err
	}
	var output io.Writer = io.Discard
	var console *totalsWriter
	if opts.Format != "" {
		console = &totalsWriter{w: stdout, totals: p.session.Totals}
		output = console
	}
	suite := godog.TestSuite{
		Name:                "jmcheck conform",
		ScenarioInitializer: p.session.InitializeScenario,
		Options: &godog.Options{
			FS:             p.fsys,
			Paths:          []string{"."},
			Tags:           opts.Tags,
			Format:         p.format,
			Output:         output,
			NoColors:       opts.NoColors,
			Concurrency:    opts.Concurrency,
			Randomize:      opts.Randomize,
			Strict:         true,
			DefaultContext: ctx,
			TestingT:       opts.TestingT,
		},
	}
	code, runErr := runGodog(ctx, suite, opts.InterruptGrace, opts.Abandon)
	if console != nil {
		console.Close()
	}
	var unusable error
	if u, ok := p.steps.(interface{ Unusable() error }); ok {
		unusable = u.Unusable()
	}
	leftovers := cleanup(ctx, opts, p, unusable, stderr)
	res := &Result{
		RunID: opts.RunID, Target: opts.Target.BaseURL, Embedded: opts.Target.Embedded,
		Tags: opts.Tags, Capabilities: capabilityList(p.caps), Started: started,
		Leftovers: leftovers, Interrupted: ctx.Err() != nil, Rerun: opts.Rerun,
	}
	res.Scenarios = collect(p.session, p.selected, p.expected, sync.OnceValue(func() []string { return templatesOf(p.steps) }), res.Interrupted || opts.StopOnFailure || unusable != nil)
	res.Duration = time.Since(started)
	if unusable != nil {
		res.Unusable = unusable.Error()
	}
	if err := writeReports(opts.ReportDir, res, p.reportFiles); err != nil {
		return res, err
	}
	res.WriteSummary(stdout)
	switch {
	case unusable != nil:
		return res, exitcode.New(exitcode.TargetUnusable, unusable)
	case runErr != nil:
		return res, exitcode.New(exitcode.Failed, runErr)
	case code == 2:
		return res, exitcode.Newf(exitcode.Usage, "godog refused the run's options (its message is above): check --format and --report-dir")
	case code != 0 && !res.Interrupted && res.Count(OutcomeFailed)+res.Count(OutcomeExpectedFailure) == 0:
		// godog saw a failure no scenario shows: never let it pass.
		return res, exitcode.Newf(exitcode.Failed, "godog reported a failure (exit %d) that no scenario shows: rerun with --format pretty", code)
	}
	return res, res.Err()
}

// plan is a run, checked and ready: the features, the scenarios they and
// the filters select, the expectations, the step definitions and the
// session around them.
type plan struct {
	fsys        fs.FS
	selected    []Scenario
	expected    map[string]Expectation
	caps        map[string]bool
	format      string
	reportFiles []string
	steps       Steps
	session     *Session
}

// prepare fills the options' defaults and checks everything a run needs
// before it starts: every problem here is a usage error (exit 2).
func prepare(ctx context.Context, opts *Options) (*plan, error) {
	opts.Tags = strings.TrimSpace(opts.Tags)
	if opts.RunID == "" {
		opts.RunID = target.NewRunID()
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.CleanupTimeout <= 0 {
		opts.CleanupTimeout = 30 * time.Second
	}
	if opts.InterruptGrace <= 0 {
		opts.InterruptGrace = 10 * time.Second
	}
	p := &plan{caps: map[string]bool{}}
	for k, v := range opts.Capabilities {
		if v {
			p.caps[k] = true
		}
	}
	if opts.Target.HasSecondApp() {
		p.caps[CapTwoApps] = true
	}
	fsys := opts.Features
	if fsys == nil {
		fsys = EmbeddedFeatures()
	}
	var err error
	if p.fsys, err = selectPaths(fsys, opts.Paths); err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	all, err := LoadScenarios(p.fsys, "")
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	if p.selected, err = LoadScenarios(p.fsys, opts.Tags); err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	if len(p.selected) == 0 {
		return nil, exitcode.New(exitcode.Usage, noScenarioError(opts.Tags, opts.Paths, all))
	}
	if err := runnable(p.selected, p.caps); err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	if p.expected, err = matchExpectations(opts.Expectations, all); err != nil {
		return nil, exitcode.Newf(exitcode.Usage, "expectations: %w", err)
	}
	if p.format, p.reportFiles, err = formats(opts.Format, opts.ReportDir); err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	p.steps = opts.Steps
	if p.steps == nil {
		if p.steps, err = NewSteps(opts.Target, opts.RunID, p.caps); err != nil {
			return nil, exitcode.Newf(exitcode.Usage, "set up the steps: %w", err)
		}
	}
	if p.session, err = NewSession(ctx, SessionConfig{Capabilities: p.caps, StopOnFailure: opts.StopOnFailure, Steps: p.steps}); err != nil {
		return nil, exitcode.New(exitcode.Usage, err)
	}
	return p, nil
}

// cleanup deletes what the run created, whatever happened, with a context
// of its own: the run's may be cancelled already (SIGINT). A second
// interrupt abandons it; a target that became unusable gets one short
// attempt. It returns what it could not delete, also listed on stderr.
func cleanup(ctx context.Context, opts Options, p *plan, unusable error, stderr io.Writer) []string {
	defer func() {
		if c, ok := p.steps.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}()
	if opts.SkipCleanup {
		return nil
	}
	timeout := opts.CleanupTimeout
	if unusable != nil {
		timeout = min(timeout, UnusableCleanupTimeout)
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if opts.Abandon != nil {
		go func() {
			select {
			case <-opts.Abandon:
				cancel()
			case <-cctx.Done():
			}
		}()
	}
	leftovers := p.session.Cleanup(cctx)
	if len(leftovers) > 0 {
		fmt.Fprintf(stderr, "jmcheck: cleanup could not delete %d things (names prefixed %s):\n", len(leftovers), opts.RunID)
		for _, l := range leftovers {
			fmt.Fprintf(stderr, "  %s\n", l)
		}
	}
	return leftovers
}

// writeReports writes the JUnit XML and the Markdown summary into the
// report folder (godog wrote the cucumber JSON during the run).
func writeReports(dir string, res *Result, godogFiles []string) error {
	if dir == "" {
		return nil
	}
	junit := filepath.Join(dir, ReportJUnit)
	md := filepath.Join(dir, ReportMarkdown)
	res.Reports = append(append(slices.Clone(godogFiles), junit), md)
	if err := writeFile(junit, res.WriteJUnit); err != nil {
		return exitcode.Newf(exitcode.Usage, "write the JUnit report: %w", err)
	}
	if err := writeFile(md, res.WriteMarkdown); err != nil {
		return exitcode.Newf(exitcode.Usage, "write the Markdown summary: %w", err)
	}
	return nil
}

// runGodog runs the suite in a goroutine so that a cancelled ctx cannot
// keep the caller waiting: the session's Before hook skips every scenario
// that has not started, in-flight requests see ctx end, and after grace the
// run is left behind. A panic in godog or a step becomes an error.
func runGodog(ctx context.Context, suite godog.TestSuite, grace time.Duration, abandon <-chan struct{}) (int, error) {
	type outcome struct {
		code int
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{code: 1, err: fmt.Errorf("the run stopped on a panic: %v", p)}
			}
		}()
		done <- outcome{code: suite.Run()}
	}()
	select {
	case o := <-done:
		return o.code, o.err
	case <-ctx.Done():
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case o := <-done:
		return o.code, o.err
	case <-t.C:
		return 1, fmt.Errorf("interrupted: scenarios still running after %s were abandoned", grace)
	case <-abandon:
		return 1, fmt.Errorf("interrupted twice: the scenarios still running were abandoned")
	}
}

// collect turns the session's verdicts into results, in file order.
// A step that matches no definition is named with its file and line.
func collect(session *Session, selected []Scenario, expected map[string]Expectation, known func() []string, notRunIsFine bool) []ScenarioResult {
	out := make([]ScenarioResult, 0, len(selected))
	for _, sc := range selected {
		v := session.verdictFor(sc)
		if len(sc.Steps) == 0 { // godog fails it without calling a hook
			v = verdict{status: StatusUndefined, reason: "the scenario has no steps"}
		}
		if v.status == StatusUndefined && v.step != "" {
			v.reason = undefinedReason(sc, v.step, known())
		}
		r := ScenarioResult{Scenario: sc, Status: v.status, Step: v.step, Reason: v.reason, Took: v.took}
		if e, ok := expected[sc.ID]; ok {
			r.Expectation = &e
		}
		r.Outcome = classify(r.Status, r.Expectation)
		if r.Status == StatusNotRun && !notRunIsFine {
			r.Outcome = OutcomeFailed
			r.Reason = "godog did not run this scenario: " + r.Reason
		}
		out = append(out, r)
	}
	return out
}

// formats builds godog's format list: the console formatter(s), then the
// cucumber JSON file when there is a report folder (jmcheck writes the
// JUnit XML itself, from its own verdicts). format is one
// formatter name, or godog's own list ("pretty,junit:out.xml").
func formats(format, dir string) (string, []string, error) {
	if format == "" {
		format = "progress" // to io.Discard
	}
	for _, part := range strings.Split(format, ",") {
		name, _, _ := strings.Cut(part, ":")
		if godog.AvailableFormatters()[name] == "" {
			return "", nil, fmt.Errorf("unknown format %q: use pretty or progress", name)
		}
	}
	if dir == "" {
		return format, nil, nil
	}
	if strings.Contains(dir, ",") {
		return "", nil, fmt.Errorf("--report-dir %q: godog cannot write to a path with a comma; choose another folder", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("--report-dir: %w", err)
	}
	path := filepath.Join(dir, ReportCucumber)
	f, err := os.Create(path)
	if err != nil {
		return "", nil, fmt.Errorf("--report-dir: %w", err)
	}
	f.Close()
	return format + ",cucumber:" + path, []string{path}, nil
}

func writeFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return write(f)
}

// verdictFor returns the verdict of a scenario of the catalog. The run
// parses the same files in the same order as LoadScenarios, so godog gives
// them the same ids; the name and file are checked all the same.
func (s *Session) verdictFor(sc Scenario) verdict {
	s.mu.Lock()
	rec := s.records[sc.pickleID]
	s.mu.Unlock()
	if rec != nil && (rec.pickle.Uri != sc.File || rec.pickle.Name != sc.Name) {
		return verdict{status: StatusFailed, reason: fmt.Sprintf("internal: godog ran %s %q under the id of this scenario", rec.pickle.Uri, rec.pickle.Name)}
	}
	return s.verdict(sc.pickleID)
}
