package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jmcheck/exitcode"

	"github.com/spf13/pflag"
)

func TestConformUsage(t *testing.T) {
	t.Setenv("JMCHECK_TARGET", "")
	t.Setenv("JMCHECK_CAPABILITIES", "")
	badExp := filepath.Join(t.TempDir(), "known.json")
	if err := os.WriteFile(badExp, []byte("[\n  {\"scenario\": \"auth.feature:3\"}\n]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "Format", args: []string{"--format", "fancy"}, want: `--format "fancy": use pretty or progress`},
		{name: "ConcurrencyZero", args: []string{"--concurrency", "0"}, want: "--concurrency 0: use 1..64"},
		{name: "CucumberTagSyntax", args: []string{"--tags", "not @overload"}, want: "godog's tag syntax"},
		{name: "RunID", args: []string{"--run-id", "9lives"}, want: "--run-id"},
		{name: "FeaturesMissing", args: []string{"--features", filepath.Join(t.TempDir(), "nope")}, want: "not a folder"},
		{name: "Capability", args: []string{"--capabilities", "teleport"}, want: `unknown capability "teleport"`},
		{name: "TwoAppsWithoutSecondApp", args: []string{"--target", "http://127.0.0.1:1", "--appkey", "k", "--secret", "s", "--capabilities", "two-apps"}, want: "needs a second app"},
		{name: "SecondAppIsTheFirst", args: []string{"--target", "http://127.0.0.1:1", "--appkey", "k", "--secret", "s", "--appkey2", "k", "--secret2", "s"}, want: "is the first app again"},
		{name: "ExpectationsMalformed", args: []string{"--expectations", badExp}, want: `entry 1 (line 2): "reason" is missing`},
		{name: "ExpectationsMissing", args: []string{"--expectations", filepath.Join(t.TempDir(), "none.json")}, want: "read expectations"},
		{name: "UnknownFeature", args: []string{"users.feature"}, want: "no such feature file"},
		{name: "UnknownFeatureLine", args: []string{"users.feature:12"}, want: `"users.feature:12": no such feature file; the features are: auth.feature`},
		{name: "BadLine", args: []string{"users_register.feature:x"}, want: "want FEATURE or FEATURE:LINE"},
		{name: "LineNotAScenario", args: []string{"users_register.feature:2"}, want: "users_register.feature:2 is in no scenario"},
		// Found before the target is asked: port 1 would be exit 3.
		{name: "LineNotAScenarioBeforeTarget", args: []string{"--target", "http://127.0.0.1:1", "--appkey", "k", "--secret", "s", "users_register.feature:2"}, want: "is in no scenario"},
		{name: "UnknownFlag", args: []string{"--colour"}, want: "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"conform"}, tt.args...), &stdout, &stderr)
			if got := exitcode.Of(err); got != exitcode.Usage {
				t.Fatalf("exit code = %d, want %d (err %v)", got, exitcode.Usage, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestConformTargetUnusable(t *testing.T) {
	t.Setenv("JMCHECK_TARGET", "")
	var stdout, stderr bytes.Buffer
	// Port 1 on loopback refuses connections: the preflight says so.
	err := run(context.Background(), []string{"conform", "--target", "http://127.0.0.1:1", "--appkey", "k", "--secret", "s"}, &stdout, &stderr)
	if got := exitcode.Of(err); got != exitcode.TargetUnusable {
		t.Fatalf("exit code = %d, want %d (err %v)", got, exitcode.TargetUnusable, err)
	}
}

func TestHelpEndsWithExamples(t *testing.T) {
	for _, cmd := range []string{"conform", "selftest"} {
		t.Run(cmd, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{cmd, "--help"}, &stdout, &stderr)
			if !errors.Is(err, pflag.ErrHelp) {
				t.Fatalf("err = %v, want pflag.ErrHelp", err)
			}
			help := strings.TrimSpace(stdout.String()) // --help is asked for: it goes to stdout
			if !strings.Contains(help, "  --concurrency") || strings.Contains(help, "\n  -concurrency") {
				t.Errorf("help does not write flags with two dashes, as the README does:\n%s", help)
			}
			i := strings.LastIndex(help, "\nExamples:\n")
			if i < 0 {
				t.Fatalf("help has no Examples block:\n%s", help)
			}
			if !strings.Contains(help[i:], "jmcheck "+cmd) {
				t.Errorf("examples do not show jmcheck %s:\n%s", cmd, help[i:])
			}
		})
	}
}

func TestSelftestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "UnknownMutant", args: []string{"--mutants", "no-such-mutant"}, want: `no mutant "no-such-mutant"`},
		{name: "Concurrency", args: []string{"--concurrency", "100"}, want: "use 1..64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"selftest"}, tt.args...), &stdout, &stderr)
			if got := exitcode.Of(err); got != exitcode.Usage {
				t.Fatalf("exit code = %d, want %d (err %v)", got, exitcode.Usage, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSpecTags(t *testing.T) {
	tests := []struct{ ref, want, negated string }{
		{"§1 Transport (auth)", "@spec:1", "~@spec:1"},
		{"§2 (899000), §6 Load and faults", "@spec:2,@spec:6", "~@spec:2 && ~@spec:6"},
		{"§1 Transport (error body), §7a", "@spec:1,@spec:7a", "~@spec:1 && ~@spec:7a"},
		{"§3 GET /v1/users/, §3 again", "@spec:3", "~@spec:3"},
		{"no section", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got := specTags(tt.ref)
			if got != tt.want {
				t.Errorf("specTags = %q, want %q", got, tt.want)
			}
			if got != "" {
				if n := negateTags(got); n != tt.negated {
					t.Errorf("negateTags = %q, want %q", n, tt.negated)
				}
			}
		})
	}
}

// TestConformEmbedded drives jmcheck conform end to end through the real
// wiring: the embedded reference server, the embedded features, the steps.
func TestConformEmbedded(t *testing.T) {
	t.Setenv("JMCHECK_TARGET", "")
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "Pass", args: []string{"--tags", "@spec:5", "--report-dir", dir}, wantCode: exitcode.OK, want: "PASS"},
		{name: "NoScenario", args: []string{"--tags", "@no-such-tag"}, wantCode: exitcode.Usage, want: "matches none of the"},
		{name: "Coverage", args: []string{"--coverage"}, wantCode: exitcode.OK, want: "Every endpoint and every error code has a scenario."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"conform"}, tt.args...), &stdout, &stderr)
			if got := exitcode.Of(err); got != tt.wantCode {
				t.Fatalf("exit code = %d, want %d (err %v)\n%s", got, tt.wantCode, err, stdout.String())
			}
			out := stdout.String()
			if err != nil {
				out += err.Error()
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
		})
	}
	for _, name := range []string{"cucumber.json", "junit.xml", "summary.md"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("report %s: %v (empty or missing)", name, err)
		}
	}
}

// writeFeature writes one feature file into a fresh folder and returns it.
func writeFeature(t *testing.T, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var rerunLineRE = regexp.MustCompile(`(?m)^\s+rerun: (jmcheck conform .+)$`)

// TestConformRerunSelectsTheFailedScenario runs, through the real wiring,
// the rerun command jmcheck prints for each failed scenario (a scenario
// and an outline's row) and checks that it runs that scenario alone.
func TestConformRerunSelectsTheFailedScenario(t *testing.T) {
	t.Setenv("JMCHECK_TARGET", "")
	dir := writeFeature(t, "rerun.feature", `Feature: rerun
  Scenario: a scenario that fails
    When I send "GET" to "/v1/users/?start=0&count=1"
    Then the response status is 418

  Scenario: a scenario that passes
    When I send "GET" to "/v1/users/?start=0&count=1"
    Then the response status is 200

  Scenario Outline: the status is <status>
    When I send "GET" to "/v1/users/?start=0&count=1"
    Then the response status is <status>

    Examples:
      | status |
      | 200    |
      | 418    |
`)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"conform", "--features", dir}, &stdout, &stderr)
	if got := exitcode.Of(err); got != exitcode.Failed {
		t.Fatalf("exit code %d (%v), want 1\n%s", got, err, stdout.String())
	}
	reruns := rerunLineRE.FindAllStringSubmatch(stdout.String(), -1)
	want := []string{"rerun.feature:2", "rerun.feature:17"}
	if len(reruns) != len(want) {
		t.Fatalf("got %d rerun lines, want %d:\n%s", len(reruns), len(want), stdout.String())
	}
	for i, m := range reruns {
		args := strings.Fields(m[1])[1:] // as a shell splits it; the temp folder needs no quotes
		if got := args[len(args)-1]; got != want[i] {
			t.Errorf("rerun %d ends with %s, want %s", i, got, want[i])
		}
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut)
		if got := exitcode.Of(err); got != exitcode.Failed {
			t.Errorf("%s: exit code %d (%v), want 1", m[1], got, err)
		}
		for _, w := range []string{"1 scenarios: 0 passed, 1 failed", "FAILED   " + want[i] + " "} {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", m[1], w, out.String())
			}
		}
	}
}

// TestConformUndefinedStep: a step no definition matches is named with its
// file and line and the nearest step jmcheck knows, without godog's Go
// snippets; jmcheck conform --steps lists the steps.
func TestConformUndefinedStep(t *testing.T) {
	t.Setenv("JMCHECK_TARGET", "")
	dir := writeFeature(t, "typo.feature", "Feature: a typo\n  Background:\n    Given the registered users \"alice bob\"\n\n  Scenario: a typo\n    When I sent 20 messages from \"alice\" to \"bob\"\n")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"conform", "--features", dir}, &stdout, &stderr)
	if got := exitcode.Of(err); got != exitcode.Failed {
		t.Fatalf("exit code %d (%v), want 1\n%s", got, err, stdout.String())
	}
	out := stdout.String()
	for _, w := range []string{`typo.feature:6: no step jmcheck knows matches 'I sent 20 messages from "alice" to "bob"'`, `nearest: I send N messages from "..." to "..."`} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "func ") || strings.Contains(out, "snippets") {
		t.Errorf("output has godog's Go snippets:\n%s", out)
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"conform", "--steps"}, &stdout, &stderr); err != nil {
		t.Fatalf("conform --steps: %v", err)
	}
	if !strings.Contains(stdout.String(), "\nI send N messages from \"...\" to \"...\"\n") {
		t.Errorf("conform --steps does not list the messages step:\n%s", stdout.String())
	}
}
