package conform_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/target"
)

// testFeatures is the folder of conform's own test features; basic.feature
// has scenarios at lines 5, 10, 16, 20, 24, 29 and an outline at 34 whose
// Examples rows are lines 39 and 40.
var testFeatures = os.DirFS("testdata/features")

func TestParsePaths(t *testing.T) {
	ok := map[string]struct {
		args []string
		want []conform.Path
	}{
		"File":              {args: []string{"basic.feature"}, want: []conform.Path{{File: "basic.feature"}}},
		"ScenarioLine":      {args: []string{"basic.feature:10"}, want: []conform.Path{{File: "basic.feature", Line: 10}}},
		"RepositoryPrefix":  {args: []string{"features/basic.feature:34"}, want: []conform.Path{{File: "basic.feature", Line: 34}}},
		"DotSlash":          {args: []string{"./basic.feature:40"}, want: []conform.Path{{File: "basic.feature", Line: 40}}},
		"TagLineOfScenario": {args: []string{"basic.feature:9"}, want: []conform.Path{{File: "basic.feature", Line: 9}}},
		"Several":           {args: []string{"basic.feature:5", "capabilities.feature"}, want: []conform.Path{{File: "basic.feature", Line: 5}, {File: "capabilities.feature"}}},
		"StepLine":          {args: []string{"basic.feature:12"}, want: []conform.Path{{File: "basic.feature", Line: 12}}},
		"ExamplesLine":      {args: []string{"basic.feature:37"}, want: []conform.Path{{File: "basic.feature", Line: 37}}},
	}
	for name, c := range ok {
		t.Run(name, func(t *testing.T) {
			got, err := conform.ParsePaths(c.args, testFeatures)
			if err != nil {
				t.Fatalf("ParsePaths(%q): %v", c.args, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("ParsePaths(%q) = %v, want %v", c.args, got, c.want)
			}
		})
	}
	bad := map[string]struct {
		arg  string
		want string
	}{
		"NoSuchFile":     {arg: "users.feature:3", want: `"users.feature:3": no such feature file; the features are: basic.feature capabilities.feature slow.feature`},
		"NotAFeature":    {arg: "basic.txt", want: "no such feature file"},
		"LineNotANumber": {arg: "basic.feature:ten", want: "want FEATURE or FEATURE:LINE"},
		"LineZero":       {arg: "basic.feature:0", want: "want FEATURE or FEATURE:LINE"},
		"FeatureLine":    {arg: "basic.feature:1", want: "basic.feature:1 is in no scenario (it is the Feature's header, a Background, or past the end)"},
		"HeaderLine":     {arg: "basic.feature:3", want: "the scenarios start at lines 5, 10, 16, 20, 24, 29, 34"},
		"PastTheEnd":     {arg: "basic.feature:400", want: "basic.feature:400 is in no scenario"},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			got, err := conform.ParsePaths([]string{c.arg}, testFeatures)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParsePaths(%q) = %v, %v; want an error with %q", c.arg, got, err, c.want)
			}
		})
	}
}

// idsOf returns the IDs of a run's scenarios, in file order.
func idsOf(res *conform.Result) []string {
	var out []string
	if res != nil {
		for _, s := range res.Scenarios {
			out = append(out, s.ID)
		}
	}
	return out
}

func TestScenarioLine(t *testing.T) {
	cases := map[int]struct {
		line int
		rows bool
	}{
		0: {0, false}, 9: {10, false}, 10: {10, false}, 12: {10, false},
		34: {34, false}, 35: {34, false}, 37: {34, true}, 39: {34, true}, 40: {34, true},
	}
	for l, c := range cases {
		line, rows, err := conform.ScenarioLine(testFeatures, conform.Path{File: "basic.feature", Line: l})
		if err != nil || line != c.line || rows != c.rows {
			t.Errorf("ScenarioLine(basic.feature:%d) = %d, %v, %v; want %d, %v", l, line, rows, err, c.line, c.rows)
		}
	}
	if _, _, err := conform.ScenarioLine(testFeatures, conform.Path{File: "basic.feature", Line: 1}); err == nil {
		t.Error("ScenarioLine(basic.feature:1): no error, want one (the Feature line is in no scenario)")
	}
}

func TestRunSelectsByLine(t *testing.T) {
	cases := map[string]struct {
		args []string
		want []string
	}{
		"Scenario":        {args: []string{"basic.feature:10"}, want: []string{"basic.feature:10"}},
		"ScenarioTagLine": {args: []string{"basic.feature:9"}, want: []string{"basic.feature:10"}},
		"Outline":         {args: []string{"basic.feature:34"}, want: []string{"basic.feature:39", "basic.feature:40"}},
		"FirstRow":        {args: []string{"basic.feature:39"}, want: []string{"basic.feature:39"}},
		"SecondRow":       {args: []string{"basic.feature:40"}, want: []string{"basic.feature:40"}},
		"StepLine":        {args: []string{"basic.feature:12"}, want: []string{"basic.feature:10"}},
		"OutlineStepLine": {args: []string{"basic.feature:35"}, want: []string{"basic.feature:39", "basic.feature:40"}},
		"ExamplesKeyword": {args: []string{"basic.feature:37"}, want: []string{"basic.feature:39", "basic.feature:40"}},
		"TableHeader":     {args: []string{"basic.feature:38"}, want: []string{"basic.feature:39", "basic.feature:40"}},
		"RowAndOutline":   {args: []string{"basic.feature:40", "basic.feature:35"}, want: []string{"basic.feature:39", "basic.feature:40"}},
		"TwoOfAFile":      {args: []string{"basic.feature:40", "basic.feature:5"}, want: []string{"basic.feature:5", "basic.feature:40"}},
		"WholeFile": {args: []string{"basic.feature"}, want: []string{"basic.feature:5", "basic.feature:10", "basic.feature:16",
			"basic.feature:20", "basic.feature:24", "basic.feature:29", "basic.feature:39", "basic.feature:40"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			paths, err := conform.ParsePaths(c.args, testFeatures)
			if err != nil {
				t.Fatal(err)
			}
			r := mustRun(t, context.Background(), conform.Options{Paths: paths})
			if exitcode.Of(r.err) == exitcode.Usage {
				t.Fatalf("usage error: %v", r.err)
			}
			if got := idsOf(r.res); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%v ran %v, want %v", c.args, got, c.want)
			}
		})
	}
}

func TestRunRefusesALineThatIsNoScenario(t *testing.T) {
	// Paths made by hand, not by ParsePaths: Run checks them all the same.
	r := mustRun(t, context.Background(), conform.Options{Paths: []conform.Path{{File: "basic.feature", Line: 2}}})
	if got := exitcode.Of(r.err); got != exitcode.Usage || !strings.Contains(r.err.Error(), "basic.feature:2 is in no scenario") {
		t.Fatalf("got exit %d, %v; want %d naming basic.feature:2", got, r.err, exitcode.Usage)
	}
	if r.steps.cleaned() != 0 {
		t.Errorf("cleanups = %d, want 0: nothing ran", r.steps.cleaned())
	}
}

var rerunRE = regexp.MustCompile(`(?m)^\s+rerun: jmcheck conform (.+)$`)

// TestRerunCommandSelectsTheFailedScenario runs the command the summary
// prints for every failed scenario (a scenario, and an outline's row) and
// checks that it runs that scenario alone, and that it fails again.
func TestRerunCommandSelectsTheFailedScenario(t *testing.T) {
	r := mustRun(t, context.Background(), conform.Options{Tags: "@fail,@outline"})
	var failed []string
	for _, s := range r.res.With(conform.OutcomeFailed) {
		failed = append(failed, s.ID)
	}
	reruns := rerunRE.FindAllStringSubmatch(r.stdout, -1)
	if fmt.Sprint(failed) != "[basic.feature:10 basic.feature:40]" || len(reruns) != len(failed) {
		t.Fatalf("failed %v with %d rerun lines, want basic.feature:10 and :40 with one each:\n%s", failed, len(reruns), r.stdout)
	}
	for i, m := range reruns {
		args := strings.Fields(m[1])
		paths, err := conform.ParsePaths(args, testFeatures)
		if err != nil {
			t.Fatalf("rerun %q: %v", m[0], err)
		}
		again := mustRun(t, context.Background(), conform.Options{Paths: paths})
		if got := idsOf(again.res); fmt.Sprint(got) != "["+failed[i]+"]" {
			t.Errorf("rerun %q ran %v, want only %s", m[1], got, failed[i])
			continue
		}
		if got := again.res.Scenarios[0].Outcome; got != conform.OutcomeFailed || exitcode.Of(again.err) != exitcode.Failed {
			t.Errorf("rerun %q: outcome %s, exit %d; want it to fail again (exit 1)", m[1], got, exitcode.Of(again.err))
		}
	}
}

// TestRunUndefinedStepSaysWhichAndWhere runs the real conformance steps on
// a feature with a typo: the summary names the step's text, its file and
// line and the step jmcheck knows that is nearest, and the console carries
// none of godog's Go snippets.
func TestRunUndefinedStepSaysWhichAndWhere(t *testing.T) {
	dir := t.TempDir()
	feature := "Feature: a typo\n\n  Scenario: a step with a typo\n    When I sent 20 messages from \"alice\" to \"bob\"\n    Then their msg_ids are distinct and increasing\n"
	if err := os.WriteFile(filepath.Join(dir, "typo.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	tgt := target.Target{BaseURL: "http://127.0.0.1:1", AppKey: "k", Secret: "s"}
	steps, err := conform.NewSteps(tgt, "jtypo0001", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"progress", "pretty"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			res, err := conform.Run(context.Background(), conform.Options{
				Target: tgt, RunID: "jtypo0001", Features: os.DirFS(dir), Steps: steps, Format: format, NoColors: true,
			}, &stdout, &stderr)
			if got := exitcode.Of(err); got != exitcode.Failed {
				t.Fatalf("exit code %d (%v), want %d\n%s", got, err, exitcode.Failed, stdout.String())
			}
			sc := res.Scenarios[0]
			if sc.Status != conform.StatusUndefined {
				t.Errorf("status %s, want %s", sc.Status, conform.StatusUndefined)
			}
			for _, want := range []string{
				`typo.feature:4: no step jmcheck knows matches 'I sent 20 messages from "alice" to "bob"'`,
				"jmcheck conform --steps",
				`nearest: I send N messages from "..." to "..."`,
			} {
				if !strings.Contains(sc.Reason, want) || !strings.Contains(stdout.String(), want) {
					t.Errorf("reason and summary should say %q; reason %q\nstdout:\n%s", want, sc.Reason, stdout.String())
				}
			}
			for _, snippet := range []string{"You can implement step definitions", "func ", "godog.ErrPending"} {
				if strings.Contains(stdout.String(), snippet) {
					t.Errorf("stdout has godog's Go snippet (%q):\n%s", snippet, stdout.String())
				}
			}
		})
	}
}
