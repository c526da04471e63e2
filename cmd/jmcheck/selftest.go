package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/internal/embedded"
	"jmcheck/server"
)

var selftestHelp = help{
	usage: "jmcheck selftest [flags]",
	about: `Proves the conformance suite: it must pass on the embedded reference server,
and fail on every mutant of it (a server with one deliberate deviation from
spec/PROFILE.md). Each mutant runs on a fresh embedded server, one after another,
scenarios of the mutant's sections first, and stops at its first failing
scenario. Prints a table of the mutants (caught or not, by which scenario) and
the mutation score; exits 1 when the reference server fails or any mutant
survives.

With --explore it proves jmcheck explore the same way, against the explore
mutants: realistic bugs of the kinds example scenarios miss (state that
survives a delete, 4-byte characters, 32-bit overflows, check-then-act races),
each of which explore must find within its budget: 60,000 requests from seed
1 (and 5 s of shrinking), four clients for the concurrency mutants.`,
	examples: `  jmcheck selftest
  jmcheck selftest --mutants auth-any-secret,list-204
  jmcheck selftest --features ./features --concurrency 2
  jmcheck selftest --explore
  jmcheck selftest --explore --mutants race-register,emoji-500
  jmcheck selftest --explore --mutants delete-user-keeps-memberships --report-dir out/`,
}

func runSelftest(ctx context.Context, _ system, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("selftest", stdout, selftestHelp)
	var cf conformFlags
	cf.register(fset)
	only := fset.String("mutants", "", "comma-separated `NAMES` of the mutants to run (default: all)")
	explore := fset.Bool("explore", false, "prove jmcheck explore against the explore mutants instead of the suite against the suite's")
	reportDir := fset.String("report-dir", "", "with --explore: write each killed mutant's counterexample into `DIR`/MUTANT/ (shrunk for up to 30 s, as explore does)")
	if err := parse(fset, args, 0); err != nil {
		return err
	}
	if *explore {
		return runSelftestExplore(ctx, *only, *reportDir, stdout)
	}
	if *reportDir != "" {
		return exitcode.Newf(exitcode.Usage, "--report-dir goes with --explore (the suite's selftest writes no counterexamples)")
	}
	featuresFS, err := cf.check()
	if err != nil {
		return err
	}
	mutants, err := pickMutants(server.Mutants(), *only)
	if err != nil {
		return err
	}
	rep, err := selftest(ctx, selftestConfig{
		Mutants: mutants, Features: featuresFS, Tags: cf.tags, Concurrency: cf.concurrency,
	}, stdout)
	if err != nil {
		return err
	}
	rep.writeTable(stdout)
	return rep.err()
}

// pickMutants returns the mutants --mutants names, in the server's order.
func pickMutants(all []server.Mutant, list string) ([]server.Mutant, error) {
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	var out []server.Mutant
	for _, m := range all {
		if want[m.Name] {
			out = append(out, m)
			delete(want, m.Name)
		}
	}
	for n := range want {
		var names []string
		for _, m := range all {
			names = append(names, m.Name)
		}
		return nil, exitcode.Newf(exitcode.Usage, "--mutants: no mutant %q; the mutants are: %s", n, strings.Join(names, ", "))
	}
	return out, nil
}

// selftestConfig configures a selftest.
type selftestConfig struct {
	Mutants     []server.Mutant
	Features    fs.FS // nil = the embedded features
	Tags        string
	Concurrency int
}

// mutantResult is how the suite fared against one mutant.
type mutantResult struct {
	Mutant   server.Mutant
	Caught   bool
	First    string // the first failing scenario, "FILE:LINE name"
	Reason   string // its failure, first line
	Duration time.Duration
}

// selftestReport is the outcome of a selftest.
type selftestReport struct {
	Conformant  *conform.Result
	Mutants     []mutantResult
	Duration    time.Duration
	Interrupted bool
}

// selftestGroupLimit is the member limit of selftest's embedded servers:
// small, so the @group-limit scenarios stay fast on every one of them.
const selftestGroupLimit = 20

// selftest runs the suite against the conformant embedded server and then
// against each mutant, printing one progress line per run to progress.
// It returns an error only when it could not judge (bad usage, a server that
// does not start); the verdict is in the report.
func selftest(ctx context.Context, cfg selftestConfig, progress io.Writer) (*selftestReport, error) {
	start := time.Now()
	rep := &selftestReport{}
	res, err := selftestRun(ctx, cfg, "", cfg.Tags, false)
	if res == nil {
		return nil, err
	}
	rep.Conformant = res
	if err != nil {
		fmt.Fprintf(progress, "reference server: FAILED, %d of %d scenarios failed in %s\n", res.Count(conform.OutcomeFailed), len(res.Scenarios), res.Duration.Round(100*time.Millisecond))
		res.WriteSummary(progress)
		rep.Duration = time.Since(start)
		return rep, nil
	}
	fmt.Fprintf(progress, "reference server: passed, %d scenarios (%d skipped) in %s\n", len(res.Scenarios), res.Count(conform.OutcomeSkipped), res.Duration.Round(100*time.Millisecond))

	for i, m := range cfg.Mutants {
		if ctx.Err() != nil {
			rep.Interrupted = true
			break
		}
		mr, err := judgeMutant(ctx, cfg, m)
		if err != nil {
			return nil, err
		}
		if ctx.Err() != nil { // an interrupted run proves nothing
			rep.Interrupted = true
			break
		}
		rep.Mutants = append(rep.Mutants, mr)
		verdict := "SURVIVED"
		if mr.Caught {
			verdict = "caught by " + mr.First
		}
		fmt.Fprintf(progress, "[%*d/%d] %-34s %5.1fs  %s\n", len(fmt.Sprint(len(cfg.Mutants))), i+1, len(cfg.Mutants), m.Name, mr.Duration.Seconds(), verdict)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// judgeMutant runs the suite against one mutant: first the scenarios
// tagged with the mutant's spec/PROFILE.md sections, then (if none failed) the
// rest, each run stopping at its first failure.
func judgeMutant(ctx context.Context, cfg selftestConfig, m server.Mutant) (mutantResult, error) {
	start := time.Now()
	mr := mutantResult{Mutant: m}
	phases := []string{cfg.Tags}
	if cfg.Tags == "" {
		if focus := specTags(m.Spec); focus != "" {
			if sel, err := conform.LoadScenarios(featuresOrEmbedded(cfg.Features), focus); err == nil && len(sel) > 0 {
				phases = []string{focus, negateTags(focus)}
			}
		}
	}
	for _, tags := range phases {
		res, err := selftestRun(ctx, cfg, m.Name, tags, true)
		if res == nil {
			if exitcode.Of(err) == exitcode.Usage && tags != cfg.Tags && strings.Contains(err.Error(), "no scenario") {
				continue // every scenario carries the focus tags: phase 1 ran them all
			}
			return mr, fmt.Errorf("mutant %s: %w", m.Name, err)
		}
		if first, ok := res.FirstFailure(); ok {
			mr.Caught, mr.First, mr.Reason = true, first.Title(), firstLineOf(first.Reason)
			break
		}
	}
	mr.Duration = time.Since(start)
	return mr, nil
}

// selftestRun runs the suite once on a fresh embedded server, quietly.
func selftestRun(ctx context.Context, cfg selftestConfig, mutant, tags string, stopOnFailure bool) (*conform.Result, error) {
	tgt, stop, err := embedded.Start(embedded.Options{GroupLimit: selftestGroupLimit, FaultInjection: true, MaxInflight: conform.EmbeddedMaxInflight, Mutant: mutant})
	defer stop()
	if err != nil {
		return nil, fmt.Errorf("start the embedded server: %w", err)
	}
	return conform.Run(ctx, conform.Options{
		Target:        tgt,
		Capabilities:  conform.AllCapabilities(),
		Tags:          tags,
		Concurrency:   cfg.Concurrency,
		Features:      cfg.Features,
		StopOnFailure: stopOnFailure,
		SkipCleanup:   mutant != "", // the server is thrown away
	}, io.Discard, io.Discard)
}

func featuresOrEmbedded(f fs.FS) fs.FS {
	if f == nil {
		return conform.EmbeddedFeatures()
	}
	return f
}

var sectionRE = regexp.MustCompile(`§\s?(\d+[a-z]?)`)

// specTags turns a mutant's spec/PROFILE.md reference ("§3 PUT ..., §7 Times")
// into a godog expression selecting the scenarios of those sections.
func specTags(ref string) string {
	var tags []string
	seen := map[string]bool{}
	for _, m := range sectionRE.FindAllStringSubmatch(ref, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			tags = append(tags, "@spec:"+m[1])
		}
	}
	return strings.Join(tags, ",")
}

// negateTags selects every scenario an OR of tags does not.
func negateTags(expr string) string {
	parts := strings.Split(expr, ",")
	for i, p := range parts {
		parts[i] = "~" + p
	}
	return strings.Join(parts, " && ")
}

func firstLineOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const max = 100
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// score is the mutation score: caught mutants over judged mutants.
func (r *selftestReport) score() (caught, total int) {
	for _, m := range r.Mutants {
		if m.Caught {
			caught++
		}
	}
	return caught, len(r.Mutants)
}

func (r *selftestReport) writeTable(w io.Writer) {
	if r.Conformant == nil || r.Conformant.Err() != nil {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MUTANT\tSPEC\tCAUGHT\tFIRST FAILING SCENARIO")
	for _, m := range r.Mutants {
		caught, first := "yes", m.First
		if !m.Caught {
			caught, first = "NO", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Mutant.Name, m.Mutant.Spec, caught, first)
	}
	tw.Flush()
	caught, total := r.score()
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(caught) / float64(total)
	}
	fmt.Fprintf(w, "\nmutation score: %d/%d = %.0f%% (%s)\n", caught, total, pct, r.Duration.Round(time.Second))
}

// err is the selftest's verdict as an exit code.
func (r *selftestReport) err() error {
	if r.Conformant == nil || r.Conformant.Err() != nil {
		return exitcode.Newf(exitcode.Failed, "selftest: the reference server fails the suite (above): fix the features, the steps or the server before judging mutants")
	}
	var survivors []string
	for _, m := range r.Mutants {
		if !m.Caught {
			survivors = append(survivors, m.Mutant.Name)
		}
	}
	var parts []string
	if len(survivors) > 0 {
		parts = append(parts, fmt.Sprintf("%d mutants survived: %s", len(survivors), strings.Join(survivors, ", ")))
	}
	if r.Interrupted {
		parts = append(parts, "interrupted before every mutant was judged")
	}
	if len(parts) > 0 {
		return exitcode.New(exitcode.Failed, errors.New("selftest: "+strings.Join(parts, "; ")))
	}
	return nil
}
