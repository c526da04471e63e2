package reports_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"jmcheck/reports"
)

func ExampleWriteConformMarkdown() {
	run := reports.ConformRun{
		RunID:        "jab12cd34",
		Target:       "https://staging.example",
		Duration:     6200 * time.Millisecond,
		Capabilities: []string{"two-apps"},
		Scenarios: []reports.ConformScenario{
			{ID: "users_register.feature:12", Feature: "Register users", Name: "A batch of 501 users is refused", Outcome: reports.ConformFailed,
				Status: "failed", Step: `the response status is 403`,
				Reason: "POST /v1/users/ answered 201, want 403 899013 (spec/PROFILE.md §3)\n> POST /v1/users/\n> Authorization: Basic [REDACTED]\n< HTTP/1.1 201 Created"},
			{ID: "users_register.feature:20", Feature: "Register users", Name: "A name repeats an earlier item", Outcome: reports.ConformExpectedFailure,
				Status: "failed", Reason: "item 2: want 899001, got 201", Expected: "IM-42: duplicates accepted", ExpectedAt: "entry 1 (line 2)"},
			{ID: "groups.feature:7", Feature: "Groups", Name: "Create a group", Outcome: reports.ConformFixed,
				Status: "passed", Expected: "IM-7: gid 0", ExpectedAt: "entry 2 (line 3)"},
			{ID: "overload_faults.feature:19", Feature: "Faults", Name: "X-Fault-Inject: internal answers 500", Outcome: reports.ConformSkipped,
				Status: "skipped", Reason: "needs capability fault-injection"},
			{ID: "users_list.feature:8", Feature: "List users", Name: "A page has the documented shape", Outcome: reports.ConformPassed, Status: "passed"},
		},
		Leftovers: []string{"user jab12cd34s3alice (app 1): HTTP 500"},
	}
	if err := reports.WriteConformMarkdown(os.Stdout, run); err != nil {
		panic(err)
	}
	// Output:
	// # Conformance run `jab12cd34`: FAIL
	//
	// Failed: 1 unexpected failure, 1 stale expectation (the scenario passes now).
	//
	// | | |
	// |---|---|
	// | Target | `https://staging.example` |
	// | Run id | `jab12cd34` |
	// | Duration | 6.2s |
	// | Tags | all scenarios |
	// | Capabilities | two-apps |
	//
	// ## Totals
	//
	// | Outcome | Scenarios |
	// |---|---:|
	// | failed | 1 |
	// | fixed | 1 |
	// | expected failure | 1 |
	// | passed | 1 |
	// | skipped | 1 |
	// | not run | 0 |
	// | **total** | **5** |
	//
	// ## Failures
	//
	// These scenarios failed and no expectation covers them.
	//
	// ### `users_register.feature:12` A batch of 501 users is refused
	//
	// - Feature: Register users
	// - Step: `the response status is 403`
	// - spec/PROFILE.md: §3
	//
	// ```text
	// POST /v1/users/ answered 201, want 403 899013 (spec/PROFILE.md §3)
	// > POST /v1/users/
	// > Authorization: Basic [REDACTED]
	// < HTTP/1.1 201 Created
	// ```
	//
	// ## Fixed: remove these expectations
	//
	// These scenarios pass now; their expectation is stale.
	//
	// | Scenario | Expectation | Reason it gave |
	// |---|---|---|
	// | `groups.feature:7` Create a group | entry 2 (line 3) | IM-7: gid 0 |
	//
	// ## Expected failures
	//
	// These failed as the expectations file says; they do not fail the run.
	//
	// | Scenario | Expected because | What failed |
	// |---|---|---|
	// | `users_register.feature:20` A name repeats an earlier item | IM-42: duplicates accepted | item 2: want 899001, got 201 |
	//
	// ## Skipped
	//
	// Skipped, not passed: the run does not declare what they need.
	//
	// | Reason | Scenarios |
	// |---|---|
	// | needs capability fault-injection | `overload_faults.feature:19` |
	//
	// ## Cleanup
	//
	// Could not delete 1 things; delete them by hand (names are prefixed `jab12cd34`):
	//
	// - user jab12cd34s3alice (app 1): HTTP 500
}

func TestWriteConformMarkdown(t *testing.T) {
	passed := reports.ConformScenario{ID: "a.feature:3", Name: "ok", Outcome: reports.ConformPassed}
	tests := []struct {
		name    string
		run     reports.ConformRun
		want    []string
		notWant []string
	}{
		{name: "Pass",
			run:     reports.ConformRun{RunID: "j1", Target: "http://127.0.0.1:1", Embedded: true, Scenarios: []reports.ConformScenario{passed, passed}},
			want:    []string{"# Conformance run `j1`: PASS", "All 2 selected scenarios passed.", "(embedded reference server)", "Everything the run created (names prefixed `j1`) was deleted."},
			notWant: []string{"## Failures", "## Skipped", "## Not run", "## Fixed"}},
		{name: "PassWithSkipsAndExpected",
			run: reports.ConformRun{RunID: "j1", Tags: "@users && ~@overload", Scenarios: []reports.ConformScenario{passed,
				{ID: "b.feature:4", Outcome: reports.ConformSkipped, Reason: "needs capability two-apps"},
				{ID: "b.feature:9", Outcome: reports.ConformExpectedFailure, Reason: "x", Expected: "known"}}},
			want: []string{": PASS", "All 1 selected scenarios passed, 1 expected failure failed as expected, 1 scenario was skipped.", "| Tags | `@users && ~@overload` |", "## Skipped", "## Expected failures"}},
		{name: "Interrupted",
			run:  reports.ConformRun{RunID: "j1", Interrupted: true, Scenarios: []reports.ConformScenario{passed, {ID: "c.feature:1", Outcome: reports.ConformNotRun}}},
			want: []string{": FAIL", "Failed: the run was interrupted.", "## Not run", "1 scenarios did not run because the run was interrupted."}},
		{name: "Escaping",
			run: reports.ConformRun{RunID: "j1", Scenarios: []reports.ConformScenario{
				{ID: "d.feature:2", Name: "a | b *c*", Outcome: reports.ConformFixed, Expected: "pipe | and\nnewline", ExpectedAt: "entry 1 (line 1)"},
				{ID: "d.feature:5", Name: "x", Outcome: reports.ConformFailed, Step: "the body is `{}`", Reason: "got ```\nfenced```"}}},
			want: []string{"| `d.feature:2` a \\| b \\*c\\* | entry 1 (line 1) | pipe \\| and newline |", "- Step: `` the body is `{}` ``", "````text\ngot ```\nfenced```\n````"}},
		{name: "Reports",
			run:  reports.ConformRun{RunID: "j1", Scenarios: []reports.ConformScenario{passed}, Reports: []string{"out/cucumber.json", "out/junit.xml"}},
			want: []string{"| Other reports | `out/cucumber.json`, `out/junit.xml` |"}},
		{name: "StatusShownWhenNotFailed",
			run:  reports.ConformRun{RunID: "j1", Scenarios: []reports.ConformScenario{{ID: "e.feature:1", Name: "u", Outcome: reports.ConformFailed, Status: "undefined", Step: "a step nobody wrote", Reason: "the step has no definition"}}},
			want: []string{"- godog status: undefined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := reports.WriteConformMarkdown(&buf, tt.run); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("has %q:\n%s", w, got)
				}
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteConformMarkdownWriteError(t *testing.T) {
	run := reports.ConformRun{RunID: "j1", Scenarios: []reports.ConformScenario{{ID: "a.feature:1", Outcome: reports.ConformPassed}}}
	if err := reports.WriteConformMarkdown(failWriter{}, run); err == nil {
		t.Error("a failing writer gave no error")
	}
}
