package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jmcheck/exitcode"
	"jmcheck/explore"
	"jmcheck/server"
)

// TestSelftestCatchesEveryMutant runs jmcheck selftest through the real
// wiring: the suite must pass on the reference server and catch every
// mutant of server.Mutants(). It takes a few minutes on two cores.
func TestSelftestCatchesEveryMutant(t *testing.T) {
	if testing.Short() {
		t.Skip("selftest runs the suite once per mutant: skipped with -short")
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"selftest"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("selftest: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	want := len(server.Mutants())
	score := fmt.Sprintf("mutation score: %d/%d = 100%%", want, want)
	if !strings.Contains(stdout.String(), score) {
		t.Errorf("output lacks %q:\n%s", score, stdout.String())
	}
	t.Log(stdout.String())
}

func TestSelftestOneMutant(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"selftest", "--mutants", "auth-any-secret"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("selftest: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"reference server: passed", "[1/1] auth-any-secret", "MUTANT", "auth-any-secret", "yes", "mutation score: 1/1 = 100%"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestSelftestExploreReportDir: with --report-dir, selftest --explore
// writes each killed mutant's counterexample, a scenario that names the
// request that diverged; --report-dir without --explore is a usage error.
func TestSelftestExploreReportDir(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"selftest", "--explore", "--mutants", "length-in-runes", "--report-dir", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("selftest --explore: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	feature, err := os.ReadFile(filepath.Join(dir, "length-in-runes", explore.ReportFeature))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(feature), "Feature: A counterexample found by jmcheck explore") || !strings.Contains(string(feature), `I send "POST" to "/v1/groups/"`) {
		t.Errorf("the counterexample is not a scenario ending in the group create that diverged:\n%s", feature)
	}
	err = run(context.Background(), []string{"selftest", "--report-dir", dir}, &stdout, &stderr)
	if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "--report-dir goes with --explore") {
		t.Errorf("selftest --report-dir without --explore: exit %d, %v; want a usage error", exitcode.Of(err), err)
	}
}
