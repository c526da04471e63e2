package explore

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"jmcheck/spec"
)

// The files of a report folder.
const (
	ReportFeature  = "counterexample.feature"
	ReportText     = "counterexample.txt"
	ReportSequence = "counterexample.json"
	ReportHistory  = "history.html"
)

// writeReport writes the counterexample files into dir (nothing when
// there is no dir or nothing was found).
func writeReport(dir string, res *Result) error {
	ce := res.Found
	if dir == "" || ce == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	if ce.Concurrent != nil {
		if err := os.WriteFile(filepath.Join(dir, ReportText), []byte(ce.Concurrent.Text), 0o644); err != nil {
			return fmt.Errorf("write the report: %w", err)
		}
		if ce.Concurrent.HTML != nil {
			if err := os.WriteFile(filepath.Join(dir, ReportHistory), ce.Concurrent.HTML, 0o644); err != nil {
				return fmt.Errorf("write the history: %w", err)
			}
		}
		return nil
	}
	files := map[string]string{ReportFeature: ce.Feature, ReportText: exchangesText(ce)}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("write the report: %w", err)
		}
	}
	err := writeSequence(filepath.Join(dir, ReportSequence), sequenceFile{Profile: Profile, Seed: ce.Seed, Case: ce.Case, Found: ce.Divergence.Error(), Sequence: ce.Sequence})
	if err != nil {
		return fmt.Errorf("write the sequence: %w", err)
	}
	return nil
}

// exchangesText is every exchange of the counterexample, redacted, then
// the rule.
func exchangesText(ce *Counterexample) string {
	var b strings.Builder
	d := ce.Divergence
	fmt.Fprintf(&b, "jmcheck explore, seed %d, check %d: %d requests\n\n", ce.Seed, ce.Case, len(ce.Trace))
	for i, x := range ce.Trace {
		fmt.Fprintf(&b, "--- %d of %d\n%s\n", i+1, len(ce.Trace), x.Shown)
	}
	fmt.Fprintf(&b, "\n--- the divergence\n%s %s\nwant: %s\ngot:  %s\nrule: %s\n", d.Route, d.Check.Kind, d.Want, d.Got, spec.Cite(d.Section))
	return b.String()
}

// writeSummary prints the run's verdict, and a counterexample's scenario.
func writeSummary(w io.Writer, res *Result, opts Options) {
	if opts.Replay != nil {
		fmt.Fprintf(w, "jmcheck explore: replayed %d requests in %s\n", res.Ops, res.Took.Round(1e6))
	} else {
		fmt.Fprintf(w, "jmcheck explore: seed %d, %d cases, %d concurrent rounds, %d requests in %s\n",
			res.Seed, res.Cases, res.Rounds, res.Ops, res.Took.Round(1e6))
	}
	ce := res.Found
	switch {
	case ce == nil:
		fmt.Fprintln(w, "no divergence: every answer was one the profile allows")
	case ce.Concurrent != nil:
		fmt.Fprintf(w, "NOT LINEARIZABLE, found after %d requests of the search: %s\n\n%s\n", res.FoundAfter, ce.Concurrent.Summary, ce.Concurrent.Text)
	default:
		d := ce.Divergence
		if opts.Replay != nil {
			fmt.Fprintf(w, "DIVERGENCE at request %d of the sequence: %s\n", len(ce.Trace), d.Route)
		} else {
			fmt.Fprintf(w, "DIVERGENCE, first seen after %d requests of the search, shrunk to %d: %s\n", res.FoundAfter, len(ce.Trace), d.Route)
		}
		fmt.Fprintf(w, "  want %s\n  got  %s\n  rule %s\n\n", d.Want, d.Got, spec.Cite(d.Section))
		fmt.Fprintf(w, "The last exchange:\n%s\n\nAs a scenario:\n\n%s\n", ce.Trace[len(ce.Trace)-1].Shown, ce.Feature)
		switch {
		case ce.Reproduced == nil:
		case *ce.Reproduced:
			fmt.Fprintln(w, "The scenario fails with the suite's steps too: it reproduces the divergence.")
		default:
			fmt.Fprintln(w, "The scenario passes with the suite's steps: the suite cannot state this check; rerun the sequence with --replay.")
		}
	}
	if ce != nil && opts.ReportDir != "" {
		fmt.Fprintf(w, "Report: %s (rerun: jmcheck explore --replay %s)\n", opts.ReportDir, filepath.Join(opts.ReportDir, ReportSequence))
	}
	if len(res.Leftovers) > 0 {
		fmt.Fprintf(w, "CLEANUP could not delete %d things:\n", len(res.Leftovers))
		for _, l := range res.Leftovers {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}
