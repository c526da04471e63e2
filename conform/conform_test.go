package conform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"
	"github.com/joshdk/go-junit"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/target"
)

// fakeSteps are step definitions for conform's own test features.
type fakeSteps struct {
	leftovers []string

	mu       sync.Mutex
	cleanups int
	cleanCtx error // the cleanup context's error when Cleanup ran
	started  chan struct{}
	once     sync.Once
}

func newFakeSteps(leftovers ...string) *fakeSteps {
	return &fakeSteps{leftovers: leftovers, started: make(chan struct{})}
}

type afterFailKey struct{}

func (f *fakeSteps) InitializeScenario(sc *godog.ScenarioContext) {
	sc.Step(`^a step that passes$`, func() error { return nil })
	sc.Step(`^a step that fails with "([^"]*)"$`, func(msg string) error { return errors.New(msg) })
	sc.Step(`^a step that is pending$`, func() error { return godog.ErrPending })
	sc.Step(`^a step that skips because "([^"]*)"$`, func(why string) error { return fmt.Errorf("%w: %s", godog.ErrSkip, why) })
	sc.Step(`^the after hook fails$`, func(ctx context.Context) (context.Context, error) {
		return context.WithValue(ctx, afterFailKey{}, true), nil
	})
	sc.Step(`^a step that waits for the interrupt$`, func(ctx context.Context) error {
		f.once.Do(func() { close(f.started) })
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Second):
			return errors.New("never interrupted")
		}
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		if ctx.Value(afterFailKey{}) != nil {
			return ctx, errors.New("after hook: the state is not what it was")
		}
		return ctx, nil
	})
}

func (f *fakeSteps) Cleanup(ctx context.Context) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups++
	f.cleanCtx = ctx.Err()
	return f.leftovers
}

func (f *fakeSteps) cleaned() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cleanups
}

// run runs conform on the test features with fake steps.
type run struct {
	res            *conform.Result
	err            error
	stdout, stderr string
	steps          *fakeSteps
}

func mustRun(t *testing.T, ctx context.Context, opts conform.Options) run {
	t.Helper()
	if opts.Features == nil {
		opts.Features = os.DirFS("testdata/features")
	}
	steps, ok := opts.Steps.(*fakeSteps)
	if !ok {
		steps = newFakeSteps()
		opts.Steps = steps
	}
	if opts.Target.BaseURL == "" {
		opts.Target = target.Target{BaseURL: "http://127.0.0.1:1", AppKey: "k", Secret: "s"}
	}
	if opts.RunID == "" {
		opts.RunID = "jtest0001"
	}
	var stdout, stderr bytes.Buffer
	res, err := conform.Run(ctx, opts, &stdout, &stderr)
	return run{res: res, err: err, stdout: stdout.String(), stderr: stderr.String(), steps: steps}
}

func outcomes(res *conform.Result) map[string]conform.Outcome {
	out := map[string]conform.Outcome{}
	if res == nil {
		return out
	}
	for _, s := range res.Scenarios {
		out[s.Name] = s.Outcome
	}
	return out
}

func TestRunOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		tags     string
		caps     map[string]bool
		wantCode int
		want     map[string]conform.Outcome
		status   conform.Status // of the first scenario
		reason   string         // in the first scenario's reason
	}{
		{name: "Pass", tags: "@pass", wantCode: exitcode.OK,
			want: map[string]conform.Outcome{"a passing scenario": conform.OutcomePassed}, status: conform.StatusPassed},
		{name: "Fail", tags: "@fail", wantCode: exitcode.Failed,
			want: map[string]conform.Outcome{"a failing scenario": conform.OutcomeFailed}, status: conform.StatusFailed, reason: "boom"},
		{name: "UndefinedIsFailure", tags: "@undefined", wantCode: exitcode.Failed,
			want: map[string]conform.Outcome{"an undefined step": conform.OutcomeFailed}, status: conform.StatusUndefined, reason: "basic.feature:17: no step jmcheck knows matches 'a step nobody defined'"},
		{name: "PendingIsFailure", tags: "@pending", wantCode: exitcode.Failed,
			want: map[string]conform.Outcome{"a pending step": conform.OutcomeFailed}, status: conform.StatusPending, reason: "pending"},
		{name: "StepSkips", tags: "@selfskip", wantCode: exitcode.OK,
			want: map[string]conform.Outcome{"a step that skips": conform.OutcomeSkipped}, status: conform.StatusSkipped, reason: "no such thing here"},
		{name: "AfterHookFails", tags: "@afterfail", wantCode: exitcode.Failed,
			want: map[string]conform.Outcome{"an after hook that fails": conform.OutcomeFailed}, status: conform.StatusFailed, reason: "state is not what it was"},
		{name: "OutlineRows", tags: "@outline", wantCode: exitcode.Failed,
			want: map[string]conform.Outcome{"an outline row 1": conform.OutcomePassed, "an outline row 2": conform.OutcomeFailed}, status: conform.StatusPassed},
		{name: "CapabilitiesMissing", tags: "@caps", wantCode: exitcode.OK,
			want:   map[string]conform.Outcome{"needs a second app": conform.OutcomeSkipped, "needs fault injection": conform.OutcomeSkipped, "needs nothing": conform.OutcomePassed},
			status: conform.StatusSkipped, reason: "needs capability two-apps"},
		{name: "CapabilitiesDeclared", tags: "@caps", caps: conform.AllCapabilities(), wantCode: exitcode.OK,
			want: map[string]conform.Outcome{"needs a second app": conform.OutcomePassed, "needs fault injection": conform.OutcomePassed, "needs nothing": conform.OutcomePassed}, status: conform.StatusPassed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRun(t, context.Background(), conform.Options{Tags: tt.tags, Capabilities: tt.caps, Concurrency: 2, Format: "progress"})
			if got := exitcode.Of(r.err); got != tt.wantCode {
				t.Fatalf("exit code = %d, want %d (err %v)\n%s", got, tt.wantCode, r.err, r.stdout)
			}
			if got := outcomes(r.res); !equalOutcomes(got, tt.want) {
				t.Errorf("outcomes = %v, want %v", got, tt.want)
			}
			first := r.res.Scenarios[0]
			if first.Status != tt.status {
				t.Errorf("first status = %q, want %q", first.Status, tt.status)
			}
			if !strings.Contains(first.Reason, tt.reason) {
				t.Errorf("first reason = %q, want it to contain %q", first.Reason, tt.reason)
			}
			if r.steps.cleaned() != 1 {
				t.Errorf("cleanups = %d, want 1", r.steps.cleaned())
			}
		})
	}
}

func equalOutcomes(got, want map[string]conform.Outcome) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func TestRunScenarioWithoutSteps(t *testing.T) {
	r := mustRun(t, context.Background(), conform.Options{Features: featureDir(t, "Feature: x\n  Scenario: y\n")})
	if got := exitcode.Of(r.err); got != exitcode.Failed {
		t.Fatalf("exit code = %d, want %d (err %v)", got, exitcode.Failed, r.err)
	}
	if got, want := r.res.Scenarios[0].Status, conform.StatusUndefined; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
}

func TestRunSecondAppEnablesTwoApps(t *testing.T) {
	tgt := target.Target{BaseURL: "http://127.0.0.1:1", AppKey: "k", Secret: "s", AppKey2: "k2", Secret2: "s2"}
	r := mustRun(t, context.Background(), conform.Options{Target: tgt, Tags: "@two-apps"})
	if r.err != nil {
		t.Fatalf("err = %v", r.err)
	}
	if got, want := r.res.Scenarios[0].Outcome, conform.OutcomePassed; got != want {
		t.Errorf("outcome = %q, want %q", got, want)
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		opts conform.Options
		want string
	}{
		{name: "NoScenario", opts: conform.Options{Tags: "@nosuchtag"}, want: `matches none of the`},
		{name: "NoScenarioListsTags", opts: conform.Options{Tags: "@nosuchtag"}, want: `@caps`},
		{name: "CucumberNot", opts: conform.Options{Tags: "not @pass"}, want: `godog's tag syntax`},
		{name: "EmptyTerm", opts: conform.Options{Tags: "@pass && "}, want: `empty term`},
		{name: "EmptyAlternative", opts: conform.Options{Tags: "@pass,,@fail"}, want: `empty term`},
		{name: "NoFeatures", opts: conform.Options{Features: os.DirFS(t.TempDir())}, want: `hold no scenario`},
		{name: "BadFormat", opts: conform.Options{Format: "fancy"}, want: `unknown format`},
		{name: "BadFormatInList", opts: conform.Options{Format: "pretty,fancy:x.txt"}, want: `unknown format "fancy"`},
		{name: "ReportDirComma", opts: conform.Options{ReportDir: filepath.Join(t.TempDir(), "a,b")}, want: `comma`},
		{name: "ExpectationNamesNothing", opts: conform.Options{Expectations: []conform.Expectation{{Scenario: "basic.feature:no such scenario", Reason: "r", Entry: 1, Line: 2}}}, want: `entry 1 (line 2): no scenario`},
		{name: "ExpectationTwice", opts: conform.Options{Expectations: []conform.Expectation{
			{Scenario: "basic.feature:a failing scenario", Reason: "r", Entry: 1, Line: 2},
			{Scenario: "basic.feature:10", Reason: "r", Entry: 2, Line: 3},
		}}, want: `already named by entry 1`},
		{name: "EverySelectedNeedsACapability", opts: conform.Options{Tags: "@two-apps,@fault-injection"}, want: `need a capability this run does not declare`},
		{name: "BadFeatureFile", opts: conform.Options{Features: featureDir(t, "this is not gherkin\nScenario: y\n")}, want: `read the features`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRun(t, context.Background(), tt.opts)
			if got := exitcode.Of(r.err); got != exitcode.Usage {
				t.Fatalf("exit code = %d, want %d (err %v)", got, exitcode.Usage, r.err)
			}
			if !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", r.err, tt.want)
			}
			if r.res != nil {
				t.Errorf("result = %+v, want nil on a usage error", r.res)
			}
			if r.steps.cleaned() != 0 {
				t.Errorf("cleanups = %d, want 0: nothing ran", r.steps.cleaned())
			}
		})
	}
}

func featureDir(t *testing.T, content string) fs.FS {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.feature"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return os.DirFS(dir)
}

func TestRunExpectations(t *testing.T) {
	tests := []struct {
		name     string
		tags     string
		exp      string
		wantCode int
		want     conform.Outcome
	}{
		{name: "ExpectedFailure", tags: "@fail", exp: "basic.feature:a failing scenario", wantCode: exitcode.OK, want: conform.OutcomeExpectedFailure},
		{name: "ByLine", tags: "@fail", exp: "basic.feature:10", wantCode: exitcode.OK, want: conform.OutcomeExpectedFailure},
		{name: "WithFeaturesPrefix", tags: "@fail", exp: "features/basic.feature:10", wantCode: exitcode.OK, want: conform.OutcomeExpectedFailure},
		{name: "Fixed", tags: "@pass", exp: "basic.feature:a passing scenario", wantCode: exitcode.Failed, want: conform.OutcomeFixed},
		{name: "UndefinedStaysFailure", tags: "@undefined", exp: "basic.feature:an undefined step", wantCode: exitcode.Failed, want: conform.OutcomeFailed},
		{name: "SkippedNotChecked", tags: "@caps && ~@fault-injection", exp: "capabilities.feature:needs a second app", wantCode: exitcode.OK, want: conform.OutcomeSkipped},
		{name: "NotSelectedIsFine", tags: "@pass", exp: "basic.feature:a failing scenario", wantCode: exitcode.OK, want: conform.OutcomePassed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exps := []conform.Expectation{{Scenario: tt.exp, Reason: "known bug", Entry: 1, Line: 1}}
			r := mustRun(t, context.Background(), conform.Options{Tags: tt.tags, Expectations: exps})
			if got := exitcode.Of(r.err); got != tt.wantCode {
				t.Fatalf("exit code = %d, want %d (err %v)\n%s", got, tt.wantCode, r.err, r.stdout)
			}
			if got := r.res.Scenarios[0].Outcome; got != tt.want {
				t.Errorf("outcome = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunOutlineRowExpectation(t *testing.T) {
	// Row 2's line names only that row; the outline's name names both.
	tests := []struct {
		name, exp string
		wantCode  int
		want      []conform.Outcome
	}{
		{name: "RowLine", exp: "basic.feature:40", wantCode: exitcode.OK, want: []conform.Outcome{conform.OutcomePassed, conform.OutcomeExpectedFailure}},
		{name: "RunName", exp: "basic.feature:an outline row 2", wantCode: exitcode.OK, want: []conform.Outcome{conform.OutcomePassed, conform.OutcomeExpectedFailure}},
		{name: "TemplateName", exp: "basic.feature:an outline row <n>", wantCode: exitcode.Failed, want: []conform.Outcome{conform.OutcomeFixed, conform.OutcomeExpectedFailure}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exps := []conform.Expectation{{Scenario: tt.exp, Reason: "row two is broken", Entry: 1, Line: 1}}
			r := mustRun(t, context.Background(), conform.Options{Tags: "@outline", Expectations: exps})
			if got := exitcode.Of(r.err); got != tt.wantCode {
				t.Fatalf("exit code = %d, want %d (err %v)", got, tt.wantCode, r.err)
			}
			var got []conform.Outcome
			for _, s := range r.res.Scenarios {
				got = append(got, s.Outcome)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("outcomes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRunScenarioIDs(t *testing.T) {
	r := mustRun(t, context.Background(), conform.Options{Tags: "@outline,@pass"})
	var got []string
	for _, s := range r.res.Scenarios {
		got = append(got, s.ID)
	}
	want := []string{"basic.feature:5", "basic.feature:39", "basic.feature:40"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ids = %v, want %v", got, want)
	}
}

func TestRunReports(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := mustRun(t, context.Background(), conform.Options{
		Tags: "@pass,@fail,@caps", ReportDir: dir, Format: "pretty",
		Steps: newFakeSteps("user jtest0001u1: 500 internal error"),
	})
	if got := exitcode.Of(r.err); got != exitcode.Failed {
		t.Fatalf("exit code = %d, want %d (err %v)", got, exitcode.Failed, r.err)
	}

	var cuke []struct {
		URI      string `json:"uri"`
		Elements []struct {
			Name  string `json:"name"`
			Steps []struct {
				Result struct {
					Status string `json:"status"`
				} `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	data, err := os.ReadFile(filepath.Join(dir, conform.ReportCucumber))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cuke); err != nil {
		t.Fatalf("cucumber.json: %v", err)
	}
	statuses := map[string]string{}
	for _, f := range cuke {
		for _, e := range f.Elements {
			statuses[e.Name] = e.Steps[0].Result.Status
		}
	}
	for name, want := range map[string]string{"a passing scenario": "passed", "needs a second app": "skipped", "needs nothing": "passed"} {
		if got := statuses[name]; got != want {
			t.Errorf("cucumber.json %q first step = %q, want %q", name, got, want)
		}
	}

	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	data, err = os.ReadFile(filepath.Join(dir, conform.ReportJUnit))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &junit); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	if got, want := junit.Tests, 5; got != want {
		t.Errorf("junit tests = %d, want %d", got, want)
	}
	if got, want := junit.Failures, 1; got != want {
		t.Errorf("junit failures = %d, want %d", got, want)
	}

	md, err := os.ReadFile(filepath.Join(dir, conform.ReportMarkdown))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Conformance run `jtest0001`: FAIL", "basic.feature:10", "boom, see spec/PROFILE.md §3", "spec/PROFILE.md: §3", "needs capability two-apps", "user jtest0001u1: 500 internal error", "http://127.0.0.1:1"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(r.stderr, "user jtest0001u1: 500 internal error") {
		t.Errorf("stderr lacks the leftover:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "a passing scenario") || !strings.Contains(r.stdout, "FAILED   basic.feature:10") {
		t.Errorf("stdout lacks the pretty output or the summary:\n%s", r.stdout)
	}
	if got, want := len(r.res.Reports), 3; got != want {
		t.Errorf("reports = %v, want %d files", r.res.Reports, want)
	}
}

func TestRunStopOnFailure(t *testing.T) {
	r := mustRun(t, context.Background(), conform.Options{Tags: "@fail,@pass,@outline", StopOnFailure: true, Concurrency: 1})
	if got := exitcode.Of(r.err); got != exitcode.Failed {
		t.Fatalf("exit code = %d, want %d", got, exitcode.Failed)
	}
	got := outcomes(r.res)
	want := map[string]conform.Outcome{
		"a passing scenario": conform.OutcomePassed, "a failing scenario": conform.OutcomeFailed,
		"an outline row 1": conform.OutcomeNotRun, "an outline row 2": conform.OutcomeNotRun,
	}
	if !equalOutcomes(got, want) {
		t.Errorf("outcomes = %v, want %v", got, want)
	}
	if first, ok := r.res.FirstFailure(); !ok || first.Name != "a failing scenario" {
		t.Errorf("first failure = %q, %v; want a failing scenario", first.Name, ok)
	}
}

func TestRunInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	steps := newFakeSteps()
	go func() {
		select {
		case <-steps.started:
			cancel()
		case <-time.After(20 * time.Second):
		}
	}()
	r := mustRun(t, ctx, conform.Options{Tags: "@slow", Concurrency: 1, Steps: steps})
	if got := exitcode.Of(r.err); got != exitcode.Failed {
		t.Fatalf("exit code = %d, want %d (err %v)", got, exitcode.Failed, r.err)
	}
	if !r.res.Interrupted {
		t.Error("interrupted = false, want true")
	}
	// The scenario that was running fails with context.Canceled: that is
	// the interrupt's doing, not the target's, so it counts as not run.
	if got, want := r.res.Count(conform.OutcomeNotRun), 4; got != want {
		t.Errorf("not run = %d, want %d", got, want)
	}
	if got, want := r.res.Scenarios[0].Reason, "not run: interrupted while running"; got != want {
		t.Errorf("reason of the running scenario = %q, want %q", got, want)
	}
	if !strings.Contains(r.err.Error(), "interrupted") {
		t.Errorf("err = %q, want it to say interrupted", r.err)
	}
	if r.steps.cleaned() != 1 {
		t.Errorf("cleanups = %d, want 1", r.steps.cleaned())
	}
	if r.steps.cleanCtx != nil {
		t.Errorf("cleanup context was done (%v): cleanup needs a fresh context after an interrupt", r.steps.cleanCtx)
	}
}

func TestRunConcurrent(t *testing.T) {
	// Every scenario of the test features but the slow ones, eight at once:
	// the collector must attribute each result to its scenario.
	r := mustRun(t, context.Background(), conform.Options{Tags: "~@slow", Concurrency: 8, Capabilities: conform.AllCapabilities()})
	want := map[string]conform.Outcome{
		"a passing scenario": conform.OutcomePassed, "a failing scenario": conform.OutcomeFailed,
		"an undefined step": conform.OutcomeFailed, "a pending step": conform.OutcomeFailed,
		"a step that skips": conform.OutcomeSkipped, "an after hook that fails": conform.OutcomeFailed,
		"an outline row 1": conform.OutcomePassed, "an outline row 2": conform.OutcomeFailed,
		"needs a second app": conform.OutcomePassed, "needs fault injection": conform.OutcomePassed, "needs nothing": conform.OutcomePassed,
	}
	if got := outcomes(r.res); !equalOutcomes(got, want) {
		t.Errorf("outcomes = %v, want %v", got, want)
	}
}

func TestRunConsoleTotalsCountSkips(t *testing.T) {
	r := mustRun(t, context.Background(), conform.Options{Tags: "@caps,@pass", Format: "progress", NoColors: true})
	if r.err != nil {
		t.Fatalf("err = %v", r.err)
	}
	if want := "4 scenarios (2 passed, 2 skipped)"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
	}
}

// TestJUnitTellsTheTruth reads junit.xml with a standard JUnit reader
// (github.com/joshdk/go-junit) and holds its counts to jmcheck's own
// verdict: for a passing run, a failing one, one with capability skips,
// and one with expectations (a known failure, and a "fixed" one).
func TestJUnitTellsTheTruth(t *testing.T) {
	cases := map[string]conform.Options{
		"Passing": {Tags: "@pass"},
		"Failing": {Tags: "@pass,@fail,@undefined"},
		"Skipped": {Tags: "@caps"},
		"Expectations": {Tags: "@pass,@fail,@outline", Expectations: []conform.Expectation{
			{Scenario: "basic.feature:10", Reason: "known bug #1"}, // fails: a known failure
			{Scenario: "basic.feature:5", Reason: "known bug #2"},  // passes: fixed
		}},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			opts.ReportDir = dir
			r := mustRun(t, context.Background(), opts)
			if r.res == nil {
				t.Fatalf("no result: %v", r.err)
			}
			suites, err := junit.IngestFile(filepath.Join(dir, conform.ReportJUnit))
			if err != nil {
				t.Fatalf("a standard JUnit reader cannot read junit.xml: %v", err)
			}
			var got junit.Totals
			classes := map[string]bool{}
			for _, s := range suites {
				got.Tests += s.Totals.Tests
				got.Passed += s.Totals.Passed
				got.Failed += s.Totals.Failed
				got.Skipped += s.Totals.Skipped
				got.Error += s.Totals.Error
				for _, tc := range s.Tests {
					classes[tc.Classname] = true
				}
			}
			res := r.res
			want := junit.Totals{
				Tests:   len(res.Scenarios),
				Passed:  res.Count(conform.OutcomePassed),
				Failed:  res.Count(conform.OutcomeFailed) + res.Count(conform.OutcomeFixed),
				Skipped: res.Count(conform.OutcomeSkipped) + res.Count(conform.OutcomeExpectedFailure) + res.Count(conform.OutcomeNotRun),
			}
			if got.Tests != want.Tests || got.Passed != want.Passed || got.Failed != want.Failed || got.Skipped != want.Skipped || got.Error != 0 {
				t.Errorf("junit.xml totals = %+v, want %+v (jmcheck's verdict)", got, want)
			}
			if (got.Failed > 0) != (r.err != nil) {
				t.Errorf("junit.xml has %d failures but the run's error is %v", got.Failed, r.err)
			}
			if classes[""] {
				t.Error("a testcase has no classname")
			}
			data, _ := os.ReadFile(filepath.Join(dir, conform.ReportJUnit))
			var header struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Errors   int `xml:"errors,attr"`
				Skipped  int `xml:"skipped,attr"`
			}
			if err := xml.Unmarshal(data, &header); err != nil {
				t.Fatal(err)
			}
			if header.Tests != want.Tests || header.Failures != want.Failed || header.Skipped != want.Skipped || header.Errors != 0 {
				t.Errorf("junit.xml header = %+v, want tests %d failures %d skipped %d errors 0", header, want.Tests, want.Failed, want.Skipped)
			}
			if name == "Expectations" && (!bytes.Contains(data, []byte("known failure")) || !bytes.Contains(data, []byte("fixed: the scenario passes now"))) {
				t.Errorf("junit.xml does not say which failure is known and which is fixed:\n%s", data)
			}
		})
	}
}
