package jmcheck_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSelectionMessage: when the godog CLI's run selects nothing, the
// message blames --tags only when one was given, and says what a line
// must be, and how to run an Examples row godog cannot select.
func TestNoSelectionMessage(t *testing.T) {
	fsys := os.DirFS(".")
	cases := map[string]struct {
		tags    string
		paths   []string
		want    []string
		notWant string
	}{
		"ExamplesRow": {paths: []string{"features/overload_faults.feature:19"}, notWant: "--tags", want: []string{
			"features/overload_faults.feature:19 is an Examples row or table of the Scenario Outline at line 9",
			"'jmcheck conform overload_faults.feature:19'",
			"'godog run features/overload_faults.feature:9'",
		}},
		"StepLine": {paths: []string{"features/overload_faults.feature:67"}, notWant: "--tags", want: []string{
			"features/overload_faults.feature:67 is a line of the scenario at line 62",
			"'jmcheck conform overload_faults.feature:67'",
			"'godog run features/overload_faults.feature:62'",
		}},
		"TagLine": {paths: []string{"features/overload_faults.feature:8"}, notWant: "--tags", want: []string{
			"is a line of the scenario at line 9", "'godog run features/overload_faults.feature:9'",
		}},
		"NoScenarioLine": {paths: []string{"features/overload_faults.feature:2"}, notWant: "--tags", want: []string{
			"overload_faults.feature:2 is in no scenario",
			"the scenarios start at lines 9, 32,",
		}},
		"Tags": {tags: "@nosuchtag", paths: []string{"features/auth.feature"}, want: []string{
			`--tags "@nosuchtag" matches no scenario of features/auth.feature`,
		}},
		"TagsAndRow": {tags: "@overload", paths: []string{"features/overload_faults.feature:19"}, want: []string{
			`--tags "@overload" matches no scenario`, "is an Examples row",
		}},
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "empty.feature"), []byte("Feature: nothing yet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := noSelection(c.tags, c.paths, fsys)
			if !strings.HasPrefix(got, "no scenario selected: ") {
				t.Errorf("got %q, want it to start with \"no scenario selected: \"", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			if c.notWant != "" && strings.Contains(got, c.notWant) {
				t.Errorf("got %q, want no %q: none was given", got, c.notWant)
			}
		})
	}
	t.Run("FileWithoutScenarios", func(t *testing.T) {
		got := noSelection("", []string{"empty.feature"}, os.DirFS(empty))
		for _, w := range []string{"no scenario selected: empty.feature holds no scenario", "a line of a Scenario, a Scenario Outline or an Examples row"} {
			if !strings.Contains(got, w) {
				t.Errorf("got %q, want it to contain %q", got, w)
			}
		}
		if strings.Contains(got, "--tags") {
			t.Errorf("got %q, want no --tags: none was given", got)
		}
	})
}
