package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jmcheck/exitcode"
	"jmcheck/explore"
	"jmcheck/internal/embedded"
	"jmcheck/server"
)

// TestExploreConformantServerPasses: the reference server gives no
// divergence, sequential and concurrent, for several seeds.
func TestExploreConformantServerPasses(t *testing.T) {
	for _, seed := range []string{"1", "2", "3"} {
		var stdout, stderr bytes.Buffer
		err := runWith(context.Background(), testSystem(nil), []string{"explore", "--seed", seed, "--duration", "4s", "--clients", "2"}, &stdout, &stderr)
		if err != nil {
			t.Fatalf("seed %s: %v\n%s\n%s", seed, err, stdout.String(), stderr.String())
		}
		if !strings.Contains(stdout.String(), "no divergence") || !strings.Contains(stderr.String(), "seed "+seed) {
			t.Errorf("seed %s: the summary does not say the verdict and the seed:\n%s\n%s", seed, stdout.String(), stderr.String())
		}
		if strings.Contains(stdout.String(), "CLEANUP") {
			t.Errorf("seed %s: the cleanup left things:\n%s", seed, stdout.String())
		}
	}
}

// TestExploreFindsShrinksAndReplays: against a mutant (byte bounds counted
// in characters) with one app, explore finds the divergence, shrinks it to
// a few requests, writes a scenario that fails with the suite's steps too
// (which once needed a second app), and --replay of the saved sequence
// finds it again.
func TestExploreFindsShrinksAndReplays(t *testing.T) {
	tgt, stop, err := embedded.Start(embedded.Options{Mutant: "length-in-runes", GroupLimit: exploreGroupLimit})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	tgt.AppKey2, tgt.Secret2, tgt.Embedded = "", "", false // as a staging target with one app and no capabilities
	dir := t.TempDir()
	var out bytes.Buffer
	res, err := explore.Run(context.Background(), explore.Options{Target: tgt, Seed: 1, Duration: 5 * time.Minute, MaxOps: 30000, ShrinkTime: 20 * time.Second, ReportDir: dir, Reproduce: reproduceWithSuite(tgt, map[string]bool{})}, &out, &out)
	var de *explore.DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("explore did not find the mutant: %v\n%s", err, out.String())
	}
	if exitcode.Of(exploreExit(err)) != exitcode.Failed {
		t.Errorf("a divergence exits %d, want 1", exitcode.Of(exploreExit(err)))
	}
	ce := res.Found
	if n := len(ce.Trace); n > 4 {
		t.Errorf("the counterexample has %d requests; shrunk, it needs at most 3 (register, then a text of multi-byte characters over its byte bound)", n)
	}
	if last := ce.Trace[len(ce.Trace)-1]; !strings.Contains(ce.Feature, "{repeat:") || !strings.Contains(ce.Feature, "I send \""+last.Step.Method+"\" to \""+last.Step.Path+"\"") {
		t.Errorf("the scenario does not end with the request that diverged, a repeated multi-byte text (%s %s):\n%s", last.Step.Method, last.Step.Path, ce.Feature)
	}
	if ce.Reproduced == nil || !*ce.Reproduced {
		t.Errorf("the scenario did not fail with the suite's steps:\n%s", ce.Feature)
	}
	for _, f := range []string{explore.ReportFeature, explore.ReportText, explore.ReportSequence} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) == 0 {
			t.Errorf("report file %s: %v", f, err)
		}
		if bytes.Contains(b, []byte(tgt.Secret)) {
			t.Errorf("report file %s holds the secret", f)
		}
	}
	seq, err := explore.ReadSequence(filepath.Join(dir, explore.ReportSequence))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	_, err = explore.Run(context.Background(), explore.Options{Target: tgt, Replay: &seq, Duration: time.Minute}, &out, &out)
	if !errors.As(err, &de) || de.Found.Key() != ce.Key() {
		t.Errorf("--replay did not find the same divergence (%s): %v", ce.Key(), err)
	}
	if want := fmt.Sprintf("replaying a sequence of %d requests", len(seq.Steps)); !strings.Contains(out.String(), want) || strings.Contains(out.String(), "shrunk") {
		t.Errorf("a replay's output does not say %q, or speaks of shrinking:\n%s", want, out.String())
	}
}

// TestExploreUsage: bad flags and files are usage errors that say what
// is wrong, before anything starts.
func TestExploreUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"profile":"v1-2015","sequence":{"steps":[]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for args, want := range map[string]string{
		"--duration -1s":               "--duration -1s: give a positive duration",
		"--clients 0":                  "--clients 0: use 1..64",
		"--steps 5000":                 "--steps 5000: use 1..1000",
		"--max-ops -3":                 "--max-ops -3",
		"--replay /nonexistent/x.json": "replay:",
		"--replay " + bad:              "the sequence has no steps",
		"--capabilities bogus":         "--capabilities",
		"--target not-a-url":           "not-a-url",
		"extra":                        "unexpected argument",
	} {
		var stdout, stderr bytes.Buffer
		err := runWith(context.Background(), testSystem(nil), append([]string{"explore"}, strings.Fields(args)...), &stdout, &stderr)
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), want) {
			t.Errorf("explore %s: exit %d, %v; want exit 2 saying %q", args, exitcode.Of(err), err, want)
		}
	}
}

// TestSelftestExploreKillsEveryMutant: `jmcheck selftest --explore` finds
// every explore mutant within its budget of requests and exits 0. It runs
// a jmcheck built without -race: the search is CPU-bound and the race
// detector would make it several times slower; the explore tests above
// run under -race.
func TestSelftestExploreKillsEveryMutant(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jmcheck and explores 28 mutants (about three minutes)")
	}
	bin := filepath.Join(t.TempDir(), "jm")
	if out, err := exec.Command("go", "build", "-o", bin, "jmcheck/cmd/jmcheck").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "selftest", "--explore")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jmcheck selftest --explore: %v\n%s", err, out)
	}
	killed := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[2] == "killed" {
			killed[f[0]] = true
		}
	}
	mutants := server.ExploreMutants()
	if len(mutants) < 20 {
		t.Fatalf("%d explore mutants, want 20 or more", len(mutants))
	}
	for _, m := range mutants {
		if !killed[m.Name] {
			t.Errorf("explore mutant %s (%s) is not reported killed: %s", m.Name, m.Kind, m.Description)
		}
	}
	if !strings.Contains(string(out), fmt.Sprintf("all %d explore mutants killed", len(mutants))) {
		t.Errorf("no verdict line:\n%s", out)
	}
}

// BenchmarkExploreSequential measures explore's requests per second with
// one client against the embedded server (goal: 1,000/s and more).
func BenchmarkExploreSequential(b *testing.B) {
	tgt, stop, err := embedded.Start(embedded.Options{GroupLimit: exploreGroupLimit})
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	b.ResetTimer()
	res, err := explore.Run(context.Background(), explore.Options{Target: tgt, Seed: 1, Duration: time.Hour, MaxOps: int64(b.N)}, &bytes.Buffer{}, &bytes.Buffer{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Ops)/res.Took.Seconds(), "requests/s")
}

// BenchmarkCheckHistory measures the linearizability check of a
// 10,000-request history from 8 clients (goal: under 10 s).
func BenchmarkCheckHistory(b *testing.B) {
	tgt, stop, err := embedded.Start(embedded.Options{GroupLimit: exploreGroupLimit})
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	h, err := explore.RecordRound(context.Background(), explore.Options{Target: tgt, Seed: 1, Clients: 8}, 1250)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if v := h.Check(); v != nil {
			b.Fatalf("the reference server's history is not linearizable: %s\n%s", v.Summary, v.Text)
		}
	}
	b.ReportMetric(float64(h.Len()), "requests")
}
