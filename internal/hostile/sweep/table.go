package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"jmcheck/exitcode"
)

// Result is one run of jmcheck against one hostile case.
type Result struct {
	Case, Run   string
	Want        []int  // the exit codes the case allows (hostile.Case.Exit)
	Exit        int    // -1 when the child did not exit by itself
	Signal      string // the signal that ended it, if one did
	TimedOut    bool   // killed at the sweep's timeout
	Panicked    bool   // a Go traceback on its output: a crash, whatever the exit code
	Took        time.Duration
	PeakRSS     int64    // KiB
	LeakedIn    []string // where a form of the secret appeared: stdout, stderr, report files
	EscapesIn   []string // where a raw ESC appeared
	RecoveredIn []string // where a recovered panic was reported
	SpyHits     int64    // requests with credentials that reached another origin
	Err         string   // the run could not be made or read
}

// bounds are what every run must stay within.
type bounds struct {
	Timeout time.Duration // wall time; the child is killed past it
	MaxRSS  int64         // KiB of peak RSS; 0: no bound
}

// Problems returns what makes the run wrong: a hang past the timeout, a
// crash (a signal, a Go traceback), an exit code the case does not allow
// (never 0 against a broken target, never 2, which is bad usage or a
// crash), a recovered panic, a peak RSS over the bound, a form of the
// secret or a raw ESC in anything the run printed or wrote, credentials
// sent to another origin. None: the run ended right.
func (r Result) Problems(b bounds) []string {
	var ps []string
	switch {
	case r.TimedOut:
		ps = append(ps, fmt.Sprintf("hung: killed at the timeout of %s", b.Timeout))
	case r.Signal != "":
		ps = append(ps, "crashed: ended by signal "+r.Signal)
	case r.Panicked:
		ps = append(ps, fmt.Sprintf("crashed: a Go panic or fatal error (exit %d with a traceback)", r.Exit))
	case r.Exit < 0:
		if r.Err == "" {
			ps = append(ps, "no exit code")
		}
	case !slices.Contains(r.want(), r.Exit):
		ps = append(ps, fmt.Sprintf("exit %d%s, want %s", r.Exit, exitMeaning(r.Exit), joinInts(r.want(), " or ")))
	}
	if len(r.RecoveredIn) > 0 {
		ps = append(ps, "a panic was recovered and reported in "+strings.Join(r.RecoveredIn, ", "))
	}
	if b.MaxRSS > 0 && r.PeakRSS > b.MaxRSS {
		ps = append(ps, fmt.Sprintf("peak RSS %s, over the bound of %s", formatRSS(r.PeakRSS), formatRSS(b.MaxRSS)))
	}
	if len(r.LeakedIn) > 0 {
		ps = append(ps, "leaked the secret in "+strings.Join(r.LeakedIn, ", "))
	}
	if len(r.EscapesIn) > 0 {
		ps = append(ps, "a raw escape character in "+strings.Join(r.EscapesIn, ", "))
	}
	if r.SpyHits > 0 {
		ps = append(ps, "sent credentials to another origin in "+plural(r.SpyHits, "request"))
	}
	if r.Err != "" {
		ps = append(ps, "not judged: "+r.Err)
	}
	return ps
}

// want is the exit codes the run may end with: the case's, or else 1 or
// 3, what any broken target must get.
func (r Result) want() []int {
	if len(r.Want) > 0 {
		return r.Want
	}
	return []int{exitcode.Failed, exitcode.TargetUnusable}
}

// exitMeaning says why an exit code is wrong against a hostile target.
func exitMeaning(code int) string {
	switch code {
	case exitcode.OK:
		return " (the run passed a broken target)"
	case exitcode.Failed:
		return " (failed: the target answered wrongly)"
	case exitcode.Usage:
		return " (bad usage, or a crash)"
	case exitcode.TargetUnusable:
		return " (target unusable)"
	}
	return ", outside 0..3"
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

// countBad returns how many results have problems.
func countBad(rs []Result, b bounds) int {
	n := 0
	for _, r := range rs {
		if len(r.Problems(b)) > 0 {
			n++
		}
	}
	return n
}

// exitCell is the exit column: the code, or how the child ended without one.
func (r Result) exitCell(timeout time.Duration) string {
	switch {
	case r.TimedOut:
		return "killed at " + timeout.String()
	case r.Signal != "":
		return "signal: " + r.Signal
	case r.Exit < 0:
		return "none"
	case r.Panicked:
		return strconv.Itoa(r.Exit) + " (panic)"
	}
	return strconv.Itoa(r.Exit)
}

// yesIn is a cell that says where something was found, or "no".
func yesIn(where []string) string {
	if len(where) == 0 {
		return "no"
	}
	return "yes: " + strings.Join(where, ", ")
}

// writeMarkdown prints the table, then the bounds, the total time and
// every problem.
func writeMarkdown(w io.Writer, rs []Result, b bounds) error {
	var sb strings.Builder
	sb.WriteString("| case | run | exit | want | time | peak RSS | secret leaked | raw ESC | creds to other origin |\n")
	sb.WriteString("|---|---|--:|--:|--:|--:|---|---|--:|\n")
	var total time.Duration
	for _, r := range rs {
		total += r.Took
		cells := []string{r.Case, r.Run, r.exitCell(b.Timeout), joinInts(r.want(), " or "), formatTook(r.Took), formatRSS(r.PeakRSS), yesIn(r.LeakedIn), yesIn(r.EscapesIn), strconv.FormatInt(r.SpyHits, 10)}
		for i, c := range cells {
			cells[i] = cell(c)
		}
		sb.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	rss := "no RSS bound"
	if b.MaxRSS > 0 {
		rss = "peak RSS bound " + formatRSS(b.MaxRSS)
	}
	fmt.Fprintf(&sb, "\n%s, %s of child time in all (timeout %s per run, %s).\n", plural(int64(len(rs)), "run"), formatTook(total), b.Timeout, rss)
	bad := 0
	for _, r := range rs {
		for _, p := range r.Problems(b) {
			if bad == 0 {
				sb.WriteString("\nProblems:\n\n")
			}
			bad++
			fmt.Fprintf(&sb, "- %s %s: %s\n", cell(r.Case), cell(r.Run), cell(p))
		}
	}
	if bad == 0 {
		sb.WriteString("Every run ended with an exit code its case allows, within the timeout and the RSS bound; none crashed, leaked the secret, printed a raw escape or sent credentials to another origin.\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// cell makes text safe in a markdown table cell: one line, no bare pipe.
func cell(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ", "|", `\|`).Replace(s)
	return strings.TrimSpace(s)
}

func formatTook(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

func formatRSS(kib int64) string {
	if kib <= 0 {
		return "?"
	}
	return strconv.FormatFloat(float64(kib)/1024, 'f', 1, 64) + " MiB"
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}
