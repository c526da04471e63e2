package conform

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"jmcheck/exitcode"
	"jmcheck/reports"
)

// Outcome is a scenario's result once the expectations are applied; only
// OutcomeFailed and OutcomeFixed fail a run.
type Outcome = reports.ConformOutcome

// The outcomes, as the reports name them.
const (
	OutcomePassed          = reports.ConformPassed
	OutcomeFailed          = reports.ConformFailed
	OutcomeExpectedFailure = reports.ConformExpectedFailure
	OutcomeFixed           = reports.ConformFixed
	OutcomeSkipped         = reports.ConformSkipped
	OutcomeNotRun          = reports.ConformNotRun
)

// ScenarioResult is one scenario of a run.
type ScenarioResult struct {
	Scenario
	Status  Status  // what godog saw
	Outcome Outcome // after the expectations
	Step    string  // the step that failed or skipped it
	Reason  string  // the failure message or the skip reason
	Took    time.Duration
	// Expectation is the entry of the expectations file that names the
	// scenario, if one does.
	Expectation *Expectation
}

// Result is what a run did. It is returned with the run's error, so a
// caller can render it whatever the verdict.
type Result struct {
	RunID        string
	Target       string // base URL
	Embedded     bool
	Tags         string
	Capabilities []string
	Started      time.Time
	Duration     time.Duration
	Scenarios    []ScenarioResult // selected scenarios, in file order
	Leftovers    []string         // what cleanup could not delete
	Interrupted  bool
	Unusable     string   // why the target became unusable mid-run; "" when it answered
	Rerun        string   // the command that reruns one scenario, its ID appended
	Reports      []string // report files written
}

// Count returns how many scenarios have the outcome.
func (r *Result) Count(o Outcome) int {
	n := 0
	for _, s := range r.Scenarios {
		if s.Outcome == o {
			n++
		}
	}
	return n
}

// With returns the scenarios with the outcome.
func (r *Result) With(o Outcome) []ScenarioResult {
	var out []ScenarioResult
	for _, s := range r.Scenarios {
		if s.Outcome == o {
			out = append(out, s)
		}
	}
	return out
}

// FirstFailure returns the first scenario, in file order, that failed
// (expected or not), and whether there is one.
func (r *Result) FirstFailure() (ScenarioResult, bool) {
	for _, s := range r.Scenarios {
		if s.Status != StatusPassed && s.Status != StatusSkipped && s.Status != StatusNotRun {
			return s, true
		}
	}
	return ScenarioResult{}, false
}

// Err returns nil when the run passed, else an exitcode.Failed error that
// counts the unexpected results.
func (r *Result) Err() error {
	var parts []string
	if n := r.Count(OutcomeFailed); n > 0 {
		parts = append(parts, countOf(n, "scenario failed", "scenarios failed"))
	}
	if n := r.Count(OutcomeFixed); n > 0 {
		parts = append(parts, countOf(n, "expected failure passes (fixed: remove its expectation)", "expected failures pass (fixed: remove their expectations)"))
	}
	if r.Interrupted {
		parts = append(parts, fmt.Sprintf("interrupted with %d of %d scenarios not run", r.Count(OutcomeNotRun), len(r.Scenarios)))
	}
	if r.Unusable != "" {
		parts = append(parts, "the target became unusable: "+r.Unusable)
	}
	if len(parts) == 0 {
		return nil
	}
	return exitcode.Newf(exitcode.Failed, "conformance run %s: %s", r.RunID, strings.Join(parts, ", "))
}

// report converts the result to the reports package's summary.
func (r *Result) report() reports.ConformRun {
	out := reports.ConformRun{
		RunID: r.RunID, Target: r.Target, Embedded: r.Embedded, Started: r.Started,
		Duration: r.Duration, Tags: r.Tags, Capabilities: r.Capabilities,
		Interrupted: r.Interrupted, Leftovers: r.Leftovers,
	}
	for _, f := range r.Reports {
		if filepath.Base(f) != ReportMarkdown { // the summary does not list itself
			out.Reports = append(out.Reports, f)
		}
	}
	for _, s := range r.Scenarios {
		cs := reports.ConformScenario{
			ID: s.ID, File: s.File, Feature: s.Feature, Name: s.Name, Outcome: s.Outcome,
			Status: string(s.Status), Step: s.Step, Reason: s.Reason, Took: s.Took,
		}
		if s.Expectation != nil {
			cs.Expected, cs.ExpectedAt = s.Expectation.Reason, s.Expectation.Where()
		}
		out.Scenarios = append(out.Scenarios, cs)
	}
	return out
}

// WriteJUnit writes the run as JUnit XML whose counts are jmcheck's verdict.
func (r *Result) WriteJUnit(w io.Writer) error { return reports.WriteConformJUnit(w, r.report()) }

// WriteMarkdown writes the run's Markdown summary.
func (r *Result) WriteMarkdown(w io.Writer) error { return reports.WriteConformMarkdown(w, r.report()) }

// WriteSummary writes a short plain-text account of the run: the totals,
// one line per unexpected result, the skips grouped by reason, and the
// count of what cleanup left (Run lists those on stderr).
func (r *Result) WriteSummary(w io.Writer) {
	where := r.Target
	if r.Embedded {
		where += " (embedded reference server)"
	}
	fmt.Fprintf(w, "\njmcheck conform: run %s against %s in %s\n", r.RunID, where, r.Duration.Round(10*time.Millisecond))
	var totals []string
	for _, o := range []Outcome{OutcomePassed, OutcomeFailed, OutcomeFixed, OutcomeExpectedFailure, OutcomeSkipped, OutcomeNotRun} {
		if n := r.Count(o); n > 0 || o == OutcomePassed || o == OutcomeFailed {
			totals = append(totals, fmt.Sprintf("%d %s", n, o))
		}
	}
	fmt.Fprintf(w, "%d scenarios: %s\n", len(r.Scenarios), strings.Join(totals, ", "))
	for _, s := range r.With(OutcomeFailed) {
		fmt.Fprintf(w, "  FAILED   %s  %s\n", s.ID, s.Name)
		if s.Step != "" {
			fmt.Fprintf(w, "           step: %s\n", s.Step)
		}
		fmt.Fprintf(w, "           %s\n", indent(s.Reason, "           "))
		fmt.Fprintf(w, "           rerun: %s %s\n", r.rerun(), s.ID)
	}
	for _, s := range r.With(OutcomeFixed) {
		fmt.Fprintf(w, "  FIXED    %s  %s: passes now, remove its expectation (%s)\n", s.ID, s.Name, s.Expectation.Where())
		fmt.Fprintf(w, "           rerun: %s %s\n", r.rerun(), s.ID)
	}
	skips := map[string]int{}
	for _, s := range r.With(OutcomeSkipped) {
		skips[s.Reason]++
	}
	reasons := make([]string, 0, len(skips))
	for reason := range skips {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	for _, reason := range reasons {
		fmt.Fprintf(w, "  SKIPPED  %d: %s\n", skips[reason], reason)
	}
	if r.Interrupted {
		fmt.Fprintf(w, "  INTERRUPTED: %d scenarios not run\n", r.Count(OutcomeNotRun))
	}
	if r.Unusable != "" {
		fmt.Fprintf(w, "  TARGET UNUSABLE: %s\n", r.Unusable)
	}
	if len(r.Leftovers) > 0 {
		fmt.Fprintf(w, "  CLEANUP  could not delete %d things (names prefixed %s), listed on stderr\n", len(r.Leftovers), r.RunID)
	}
	for _, f := range r.Reports {
		fmt.Fprintf(w, "  report   %s\n", f)
	}
	if err := r.Err(); err != nil {
		fmt.Fprintln(w, "FAIL")
	} else {
		fmt.Fprintln(w, "PASS")
	}
}

// rerun is the command that reruns one scenario of this run.
func (r *Result) rerun() string {
	if r.Rerun != "" {
		return r.Rerun
	}
	return "jmcheck conform"
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// classify applies an expectation to a status.
func classify(st Status, exp *Expectation) Outcome {
	switch st {
	case StatusPassed:
		if exp != nil {
			return OutcomeFixed
		}
		return OutcomePassed
	case StatusFailed, StatusAmbiguous:
		if exp != nil {
			return OutcomeExpectedFailure
		}
		return OutcomeFailed
	case StatusSkipped:
		return OutcomeSkipped
	case StatusNotRun:
		return OutcomeNotRun
	default: // undefined, pending: a defect of the suite, which no expectation covers
		return OutcomeFailed
	}
}
