package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

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
