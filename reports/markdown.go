package reports

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

// ConformOutcome is a conformance scenario's result once the run's
// expectations are applied.
type ConformOutcome string

// The outcomes of a conformance scenario. Only ConformFailed and ConformFixed
// fail a run.
const (
	ConformPassed          ConformOutcome = "passed"
	ConformFailed          ConformOutcome = "failed"           // an unexpected failure
	ConformExpectedFailure ConformOutcome = "expected failure" // failed, as the expectations file says
	ConformFixed           ConformOutcome = "fixed"            // expected to fail but passed: remove the expectation
	ConformSkipped         ConformOutcome = "skipped"          // a capability the run does not declare
	ConformNotRun          ConformOutcome = "not run"          // interrupted, or stopped at the first failure
)

// ConformOutcomes lists the outcomes in the order reports show them.
func ConformOutcomes() []ConformOutcome {
	return []ConformOutcome{ConformFailed, ConformFixed, ConformExpectedFailure, ConformPassed, ConformSkipped, ConformNotRun}
}

// ConformRun is what the Markdown summary of one conformance run shows.
type ConformRun struct {
	RunID        string
	Target       string // base URL
	Embedded     bool   // the embedded reference server
	Started      time.Time
	Duration     time.Duration
	Tags         string   // the tag filter, "" for all
	Capabilities []string // declared capabilities
	Interrupted  bool
	Scenarios    []ConformScenario
	Leftovers    []string // what cleanup could not delete
	Reports      []string // the other report files of the run
}

// ConformScenario is one scenario's line in the summary.
type ConformScenario struct {
	ID      string // FILE:LINE
	File    string // the feature file
	Feature string
	Name    string
	Outcome ConformOutcome
	Status  string // what godog saw: passed, failed, undefined, ...
	Step    string // the step that failed or skipped it
	Reason  string // the failure message or the skip reason
	// Expected is the reason the expectations file gives, and ExpectedAt
	// where it stands ("entry 2 (line 5)"), when one names the scenario.
	Expected, ExpectedAt string
	Took                 time.Duration
}

// Count returns how many scenarios have the outcome.
func (r ConformRun) Count(o ConformOutcome) int {
	n := 0
	for _, s := range r.Scenarios {
		if s.Outcome == o {
			n++
		}
	}
	return n
}

// Passed reports whether the run has no unexpected result and was not
// interrupted.
func (r ConformRun) Passed() bool {
	return !r.Interrupted && r.Count(ConformFailed) == 0 && r.Count(ConformFixed) == 0
}

// WriteConformMarkdown writes a Markdown summary of a conformance run: the
// verdict and totals first, then each unexpected result with its full
// reason, the expectations' outcome, what was skipped and why, and what
// cleanup left behind. It is meant to be read by a person (or pasted into a
// CI job summary).
func WriteConformMarkdown(w io.Writer, run ConformRun) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	verdict := "PASS"
	if !run.Passed() {
		verdict = "FAIL"
	}
	p("# Conformance run %s: %s\n\n", mdCode(run.RunID), verdict)
	p("%s\n\n", conformVerdictLine(run))

	target := mdCode(run.Target)
	if run.Embedded {
		target += " (embedded reference server)"
	}
	tags := "all scenarios"
	if run.Tags != "" {
		tags = mdCode(run.Tags)
	}
	caps := "none"
	if len(run.Capabilities) > 0 {
		caps = strings.Join(run.Capabilities, ", ")
	}
	p("| | |\n|---|---|\n")
	p("| Target | %s |\n", target)
	p("| Run id | %s |\n", mdCode(run.RunID))
	if !run.Started.IsZero() {
		p("| Started | %s |\n", run.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	p("| Duration | %s |\n", run.Duration.Round(10*time.Millisecond))
	p("| Tags | %s |\n", tags)
	p("| Capabilities | %s |\n", caps)
	if len(run.Reports) > 0 {
		var names []string
		for _, f := range run.Reports {
			names = append(names, mdCode(f))
		}
		p("| Other reports | %s |\n", strings.Join(names, ", "))
	}
	p("\n## Totals\n\n| Outcome | Scenarios |\n|---|---:|\n")
	for _, o := range ConformOutcomes() {
		p("| %s | %d |\n", o, run.Count(o))
	}
	p("| **total** | **%d** |\n", len(run.Scenarios))

	if failed := run.with(ConformFailed); len(failed) > 0 {
		p("\n## Failures\n\nThese scenarios failed and no expectation covers them.\n")
		for _, s := range failed {
			p("\n### %s %s\n\n", mdCode(s.ID), mdText(s.Name))
			if s.Feature != "" {
				p("- Feature: %s\n", mdText(s.Feature))
			}
			if s.Step != "" {
				p("- Step: %s\n", mdCode(s.Step))
			}
			if s.Status != "" && s.Status != "failed" {
				p("- godog status: %s\n", s.Status)
			}
			if secs := mdSpecSections(s.Reason); len(secs) > 0 {
				p("- spec/PROFILE.md: %s\n", strings.Join(secs, ", "))
			}
			p("\n%s\n", mdFence(s.Reason))
		}
	}
	if fixed := run.with(ConformFixed); len(fixed) > 0 {
		p("\n## Fixed: remove these expectations\n\nThese scenarios pass now; their expectation is stale.\n\n")
		p("| Scenario | Expectation | Reason it gave |\n|---|---|---|\n")
		for _, s := range fixed {
			p("| %s %s | %s | %s |\n", mdCode(s.ID), mdCell(s.Name), mdCell(s.ExpectedAt), mdCell(s.Expected))
		}
	}
	if exp := run.with(ConformExpectedFailure); len(exp) > 0 {
		p("\n## Expected failures\n\nThese failed as the expectations file says; they do not fail the run.\n\n")
		p("| Scenario | Expected because | What failed |\n|---|---|---|\n")
		for _, s := range exp {
			p("| %s %s | %s | %s |\n", mdCode(s.ID), mdCell(s.Name), mdCell(s.Expected), mdCell(mdFirstLine(s.Reason)))
		}
	}
	if skipped := run.with(ConformSkipped); len(skipped) > 0 {
		p("\n## Skipped\n\nSkipped, not passed: the run does not declare what they need.\n\n")
		p("| Reason | Scenarios |\n|---|---|\n")
		byReason := map[string][]string{}
		var reasons []string
		for _, s := range skipped {
			if _, ok := byReason[s.Reason]; !ok {
				reasons = append(reasons, s.Reason)
			}
			byReason[s.Reason] = append(byReason[s.Reason], mdCode(s.ID))
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			p("| %s | %s |\n", mdCell(r), strings.Join(byReason[r], " "))
		}
	}
	if notRun := run.with(ConformNotRun); len(notRun) > 0 {
		p("\n## Not run\n\n%d scenarios did not run", len(notRun))
		if run.Interrupted {
			p(" because the run was interrupted")
		}
		p(".\n")
	}
	p("\n## Cleanup\n\n")
	if len(run.Leftovers) == 0 {
		p("Everything the run created (names prefixed %s) was deleted.\n", mdCode(run.RunID))
	} else {
		p("Could not delete %d things; delete them by hand (names are prefixed %s):\n\n", len(run.Leftovers), mdCode(run.RunID))
		for _, l := range run.Leftovers {
			p("- %s\n", mdText(l))
		}
	}
	return bw.Flush()
}

// conformVerdictLine says in one sentence how the run went.
func conformVerdictLine(run ConformRun) string {
	var parts []string
	if n := run.Count(ConformFailed); n > 0 {
		parts = append(parts, mdPlural(n, "unexpected failure", "unexpected failures"))
	}
	if n := run.Count(ConformFixed); n > 0 {
		parts = append(parts, mdPlural(n, "stale expectation (the scenario passes now)", "stale expectations (the scenarios pass now)"))
	}
	if run.Interrupted {
		parts = append(parts, "the run was interrupted")
	}
	if len(parts) == 0 {
		s := fmt.Sprintf("All %d selected scenarios passed", len(run.Scenarios)-run.Count(ConformSkipped)-run.Count(ConformExpectedFailure))
		if n := run.Count(ConformExpectedFailure); n > 0 {
			s += ", " + mdPlural(n, "expected failure failed as expected", "expected failures failed as expected")
		}
		if n := run.Count(ConformSkipped); n > 0 {
			s += ", " + mdPlural(n, "scenario was skipped", "scenarios were skipped")
		}
		return s + "."
	}
	return "Failed: " + strings.Join(parts, ", ") + "."
}

func (r ConformRun) with(o ConformOutcome) []ConformScenario {
	var out []ConformScenario
	for _, s := range r.Scenarios {
		if s.Outcome == o {
			out = append(out, s)
		}
	}
	return out
}

var mdSpecSectionRE = regexp.MustCompile(`§\s?\d+[a-z]?`)

// mdSpecSections returns the spec/PROFILE.md sections a failure message cites.
func mdSpecSections(msg string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mdSpecSectionRE.FindAllString(msg, -1) {
		m = strings.ReplaceAll(m, " ", "")
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

func mdPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func mdFirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// mdCode renders s as inline code, whatever backticks it holds.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "\n", " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdText escapes the characters that would start Markdown markup.
func mdText(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "<", "&lt;", ">", "&gt;", "#", "\\#", "|", "\\|", "\n", " ")
	return r.Replace(s)
}

// mdCell is mdText for a table cell.
func mdCell(s string) string { return mdText(strings.TrimSpace(s)) }

// mdFence renders a block of text verbatim.
func mdFence(s string) string {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + "text\n" + strings.TrimRight(s, "\n") + "\n" + fence
}
