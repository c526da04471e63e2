package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jmcheck/exitcode"
	"jmcheck/internal/hostile"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// helperEnv makes the test binary act as a child that misbehaves on
// purpose (the os/exec tests' helper-process pattern).
const helperEnv = "SWEEP_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "leak":
		b64 := base64.StdEncoding.EncodeToString([]byte("k:s3cret"))
		fmt.Print("you sent Basic " + b64[:7])
		os.Stdout.Sync()
		fmt.Println(b64[7:]) // split across two writes
		os.Exit(1)
	case "escape":
		fmt.Fprint(os.Stderr, "answer: \x1b[2J\x1b[32mPASS\n")
		os.Exit(1)
	case "hang":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "panic":
		panic("boom")
	case "exit5":
		os.Exit(5)
	case "fake-jmcheck":
		os.Exit(fakeJmcheck(os.Args[1:]))
	}
	os.Exit(99)
}

// fakeJmcheck is a jmcheck that does, against the hostile target, the
// bad things the sweep must see: it follows redirects with the
// credentials (net/http keeps them on another port), writes what the
// target answered into its report unscrubbed, and passes.
func fakeJmcheck(args []string) int {
	var targetURL, appKey, secret, dir string
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "--target":
			targetURL = args[i+1]
		case "--appkey":
			appKey = args[i+1]
		case "--secret":
			secret = args[i+1]
		case "--report-dir":
			dir = args[i+1]
		case "--output":
			dir = filepath.Dir(args[i+1])
		}
	}
	req, err := http.NewRequest(http.MethodGet, targetURL+"/v1/users/fake", nil)
	if err != nil {
		return 2
	}
	req.SetBasicAuth(appKey, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 3
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	// A result file in vegeta's JSON form: the body base64-encoded.
	line, _ := json.Marshal(map[string]any{"code": resp.StatusCode, "body": body})
	if err := os.WriteFile(filepath.Join(dir, "results.json"), line, 0o644); err != nil {
		return 2
	}
	fmt.Println("PASS")
	return 0
}

func TestProblems(t *testing.T) {
	t.Parallel()
	b := bounds{Timeout: time.Minute, MaxRSS: 100 << 10}
	three := []int{exitcode.TargetUnusable}
	tests := []struct {
		name string
		r    Result
		want []string
	}{
		{"Unusable", Result{Exit: 3, Want: three}, nil},
		{"Failed", Result{Exit: 1}, nil},
		{"FailedWantUnusable", Result{Exit: 1, Want: three}, []string{"exit 1 (failed: the target answered wrongly), want 3"}},
		{"Passed", Result{Exit: 0}, []string{"exit 0 (the run passed a broken target), want 1 or 3"}},
		{"Usage", Result{Exit: 2}, []string{"exit 2 (bad usage, or a crash), want 1 or 3"}},
		{"TimedOut", Result{Exit: -1, Signal: "killed", TimedOut: true}, []string{"hung: killed at the timeout of 1m0s"}},
		{"Signal", Result{Exit: -1, Signal: "segmentation fault"}, []string{"crashed: ended by signal segmentation fault"}},
		{"Panic", Result{Exit: 2, Panicked: true}, []string{"crashed: a Go panic or fatal error (exit 2 with a traceback)"}},
		{"PanicExit1", Result{Exit: 1, Panicked: true}, []string{"crashed: a Go panic or fatal error (exit 1 with a traceback)"}},
		{"Recovered", Result{Exit: 1, RecoveredIn: []string{"cucumber.json"}}, []string{"a panic was recovered and reported in cucumber.json"}},
		{"ExitOutOfRange", Result{Exit: 4}, []string{"exit 4, outside 0..3, want 1 or 3"}},
		{"RSS", Result{Exit: 1, PeakRSS: 100<<10 + 1}, []string{"peak RSS 100.0 MiB, over the bound of 100.0 MiB"}},
		{"RSSAtBound", Result{Exit: 1, PeakRSS: 100 << 10}, nil},
		{"Leak", Result{Exit: 1, LeakedIn: []string{"stderr", "summary.md"}}, []string{"leaked the secret in stderr, summary.md"}},
		{"Escape", Result{Exit: 1, EscapesIn: []string{"stdout"}}, []string{"a raw escape character in stdout"}},
		{"SpyHits", Result{Exit: 1, SpyHits: 2}, []string{"sent credentials to another origin in 2 requests"}},
		{"NotRun", Result{Exit: -1, Err: "run /x: no such file"}, []string{"not judged: run /x: no such file"}},
		{"LeakAndHang", Result{Exit: -1, TimedOut: true, LeakedIn: []string{"stdout"}}, []string{"hung: killed at the timeout of 1m0s", "leaked the secret in stdout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.r.Problems(b); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("NoRSSBound", func(t *testing.T) {
		t.Parallel()
		if got := (Result{Exit: 1, PeakRSS: 1 << 30}).Problems(bounds{Timeout: time.Minute}); got != nil {
			t.Errorf("got %q with -max-rss 0", got)
		}
	})
}

func TestWriteMarkdown(t *testing.T) {
	t.Parallel()
	b := bounds{Timeout: 2 * time.Minute, MaxRSS: 256 << 10}
	three := []int{exitcode.TargetUnusable}
	rs := []Result{
		{Case: "hang", Run: "conform", Want: three, Exit: 3, Took: 47250 * time.Millisecond, PeakRSS: 32 << 10},
		{Case: "hang", Run: "load", Want: three, Exit: -1, Signal: "killed", TimedOut: true, Took: 2 * time.Minute, PeakRSS: 300 << 10},
		{Case: "echo", Run: "conform", Exit: 1, Took: 600 * time.Millisecond, PeakRSS: 30 << 10, LeakedIn: []string{"stderr", "junit.xml"}, EscapesIn: []string{"stdout"}},
		{Case: "redirect", Run: "load", Exit: 2, Panicked: true, Took: 100 * time.Millisecond, PeakRSS: 20 << 10, SpyHits: 1},
		{Case: "random", Run: "load", Exit: -1, Err: "a | b\nc"},
		{Case: "deep", Run: "conform", Exit: 0, Took: time.Second, PeakRSS: 40 << 10},
	}
	t.Run("Problems", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := writeMarkdown(&buf, rs, b); err != nil {
			t.Fatal(err)
		}
		golden(t, "table.md", buf.Bytes())
		if got, want := countBad(rs, b), 5; got != want {
			t.Errorf("countBad: got %d, want %d", got, want)
		}
	})
	t.Run("Clean", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := writeMarkdown(&buf, rs[:1], b); err != nil {
			t.Fatal(err)
		}
		golden(t, "clean.md", buf.Bytes())
		if got := countBad(rs[:1], b); got != 0 {
			t.Errorf("countBad: got %d, want 0", got)
		}
	})
}

func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestMatcher cuts a text that holds one needle at every pair of points,
// and in random pieces: the needle is found whatever the cut, another
// one never, and the matcher keeps no more than a needle's length.
func TestMatcher(t *testing.T) {
	t.Parallel()
	needles := []needle{{[]byte("hostile-secret-42"), kindSecret}, {[]byte{0x1b}, kindEscape}, {[]byte("aG9zdGlsZWtleTpob3N0aWxlLXNlY3JldC00Mg=="), kindTraceback}}
	text := []byte("xx you sent hostile-secret-42, fine yy")
	check := func(t *testing.T, m *matcher, what string) {
		t.Helper()
		if !m.Found(kindSecret) || m.Found(kindEscape) || m.Found(kindTraceback) {
			t.Errorf("%s: found %v, want the secret alone", what, m.found)
		}
		if len(m.tail) > m.keep {
			t.Errorf("%s: keeps %d bytes, want at most %d", what, len(m.tail), m.keep)
		}
	}
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j++ {
			m := newMatcher(needles)
			for _, part := range [][]byte{text[:i], text[i:j], text[j:]} {
				m.Write(part)
			}
			check(t, m, fmt.Sprintf("cut at %d and %d", i, j))
		}
	}
	for range 200 {
		m := newMatcher(needles)
		for rest := text; len(rest) > 0; {
			n := 1 + rand.IntN(len(rest))
			m.Write(rest[:n])
			rest = rest[n:]
		}
		check(t, m, "random pieces")
	}
	// Without the needle, nothing is found however it is cut.
	m := newMatcher(needles)
	for _, c := range []byte("hostile-secret-4 hostile-secret-24") {
		m.Write([]byte{c})
	}
	if m.Found(kindSecret) {
		t.Error("found the secret in text that does not hold it")
	}
	// A large write is looked at whole, and only its end is kept.
	m = newMatcher(needles)
	m.Write(append(bytes.Repeat([]byte(" "), 1<<20), "\x1b"...))
	if !m.Found(kindEscape) || len(m.tail) > m.keep {
		t.Errorf("large write: found %v, tail %d bytes", m.found, len(m.tail))
	}
}

// TestSecretNeedles: the needles find the secret however a report holds
// it (in clear, JSON-escaped, as Basic credentials, or inside a body that
// a result file base64-encodes, at any offset), and do not fire on text
// that does not hold it.
func TestSecretNeedles(t *testing.T) {
	t.Parallel()
	const appKey, secret = "hostilekey", `hostile-"secret"-42`
	needles := secretNeedles(appKey, secret)
	for _, n := range needles {
		if len(n.b) < 8 {
			t.Errorf("needle %q is short enough to match by chance", n.b)
		}
	}
	found := func(text []byte) bool {
		m := newMatcher(needles)
		m.Write(text)
		return m.Found(kindSecret)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(appKey + ":" + secret))
	quoted, _ := json.Marshal(secret)
	holding := map[string]string{
		"clear":       "you sent " + secret,
		"json":        `{"message":` + string(quoted) + `}`,
		"basic":       "WWW-Authenticate: Basic " + basic,
		"basic-raw":   "Basic " + strings.TrimRight(basic, "=") + ",",
		"basic-url":   "token=" + base64.RawURLEncoding.EncodeToString([]byte(appKey+":"+secret)),
		"query":       "?secret=hostile-%22secret%22-42",
		"path-escape": "/x/hostile-%22secret%22-42/",
	}
	for name, text := range holding {
		if !found([]byte(text)) {
			t.Errorf("%s: %q not found", name, text)
		}
	}
	for pad := range 6 {
		for name, inner := range map[string]string{"secret": secret, "basic": "Basic " + basic} {
			body := strings.Repeat("x", pad) + `{"echo":"` + inner + `"}`
			line, _ := json.Marshal(map[string][]byte{"body": []byte(body)}) // base64, as vegeta's JSON results
			if !found(line) {
				t.Errorf("%s in a base64-encoded body at offset %d: not found in %s", name, pad, line)
			}
		}
	}
	clean := []string{
		"hostile-secret-42", // another secret
		"Basic " + base64.StdEncoding.EncodeToString([]byte(appKey+":other")),
		string(mustJSON(map[string][]byte{"body": []byte(`{"echo":"[REDACTED]"}`)})),
	}
	for _, text := range clean {
		if found([]byte(text)) {
			t.Errorf("found the secret in %q", text)
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestScanDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	needles := append(secretNeedles("k", "s3cret-value"), watchNeedles...)
	mustWrite(t, filepath.Join(dir, "clean.json"), "[]")
	mustWrite(t, filepath.Join(dir, "sub", "junit.xml"), strings.Repeat(" ", 40000)+"Basic "+base64.StdEncoding.EncodeToString([]byte("k:s3cret-value")))
	mustWrite(t, filepath.Join(dir, "load.json"), string(mustJSON(map[string][]byte{"body": []byte("..s3cret-value..")})))
	mustWrite(t, filepath.Join(dir, "summary.md"), "body \x1b]0;owned\x07")
	mustWrite(t, filepath.Join(dir, "cucumber.json"), `{"error_message":"runtime error: index out of range [3] with length 3"}`)
	f := findings{}
	if err := scanDir(dir, needles, f); err != nil {
		t.Fatal(err)
	}
	want := findings{
		kindSecret:    {"load.json", filepath.Join("sub", "junit.xml")},
		kindEscape:    {"summary.md"},
		kindRecovered: {"cucumber.json"},
	}
	for k, w := range want {
		if got := f[k]; !slices.Equal(got, w) {
			t.Errorf("kind %d: got %q, want %q", k, got, w)
		}
	}
	if len(f[kindTraceback]) > 0 {
		t.Errorf("traceback found in %q", f[kindTraceback])
	}
}

func mustWrite(tb testing.TB, path, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestRunChild runs the test binary as a misbehaving child: the sweep
// sees a leak split across writes and a raw escape, kills a hang at the
// timeout, and tells a panic and an exit code out of range from a plain
// failure.
func TestRunChild(t *testing.T) {
	needles := append(secretNeedles("k", "s3cret"), watchNeedles...)
	run := func(mode string, timeout time.Duration) child {
		t.Helper()
		t.Setenv(helperEnv, mode)
		return runChild(context.Background(), timeout, os.Args[0], []string{"-test.run=^$"}, needles, nil, nil)
	}
	if ch := run("leak", time.Minute); ch.exit != 1 || !slices.Equal(ch.found[kindSecret], []string{"stdout"}) || ch.peakRSS <= 0 || ch.err != "" {
		t.Errorf("leak: %+v, want exit 1, leaked in stdout, a peak RSS", ch)
	}
	if ch := run("escape", time.Minute); ch.exit != 1 || !slices.Equal(ch.found[kindEscape], []string{"stderr"}) || len(ch.found[kindSecret]) > 0 {
		t.Errorf("escape: %+v, want exit 1, an escape in stderr", ch)
	}
	began := time.Now()
	if ch := run("hang", 300*time.Millisecond); !ch.timedOut || ch.signal != "killed" || ch.exit != -1 {
		t.Errorf("hang: %+v, want killed at the timeout", ch)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("hang: killed after %s", d)
	}
	if ch := run("panic", time.Minute); ch.exit != 2 || !slices.Equal(ch.found[kindTraceback], []string{"stderr"}) {
		t.Errorf("panic: %+v, want exit 2 and a traceback on stderr", ch)
	}
	if ch := run("exit5", time.Minute); ch.exit != 5 || len(ch.found) > 0 || ch.timedOut {
		t.Errorf("exit5: %+v, want exit 5 and nothing found", ch)
	}
	if ch := runChild(context.Background(), time.Minute, filepath.Join(t.TempDir(), "none"), nil, needles, nil, nil); ch.err == "" || ch.exit != -1 {
		t.Errorf("missing binary: %+v, want an error", ch)
	}
}

// TestSweepSeesWhatTheRunDid runs the whole sweep (flags, hostile
// servers, child, report scan, spy, table) with a fake jmcheck that
// follows the redirect with its credentials, writes the echoed secret
// into a result file and passes: each row names each of those, and the
// sweep fails.
func TestSweepSeesWhatTheRunDid(t *testing.T) {
	t.Setenv(helperEnv, "fake-jmcheck")
	keep := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-jmcheck", os.Args[0], "-cases", "redirect,echo", "-timeout", "1m", "-keep", keep}, &stdout, &stderr)
	if got := exitcode.Of(err); got != exitcode.Failed {
		t.Fatalf("exit %d (%v), want 1\n%s", got, err, stderr.String())
	}
	table := stdout.String()
	for _, want := range []string{
		"| redirect | conform | 0 | 1 |",
		"| redirect | load | 0 | 1 |",
		"- redirect conform: exit 0 (the run passed a broken target), want 1",
		"- redirect conform: sent credentials to another origin in 1 request",
		"- redirect load: sent credentials to another origin in 1 request",
		"- redirect load-attack: sent credentials to another origin in 1 request",
		"- echo load-attack: leaked the secret in results.json",
		"- echo conform: leaked the secret in results.json",
		"- echo load: leaked the secret in results.json",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "- redirect conform: leaked") {
		t.Errorf("a leak where the target echoed nothing:\n%s", table)
	}
	if got := strings.Count(stderr.String(), "sweep: "); got != 6 {
		t.Errorf("%d progress lines, want 6:\n%s", got, stderr.String())
	}
	// -keep kept the output and the reports.
	for _, p := range []string{"echo-conform/stdout", "echo-conform/stderr", "echo-load/reports/results.json"} {
		if _, err := os.Stat(filepath.Join(keep, p)); err != nil {
			t.Errorf("-keep: %v", err)
		}
	}
	if out, _ := os.ReadFile(filepath.Join(keep, "echo-load", "stdout")); string(out) != "PASS\n" {
		t.Errorf("-keep: stdout %q, want PASS", out)
	}
}

// TestRealJmcheck builds jmcheck and sweeps a few fast cases with it,
// every run kind: the arguments the sweep gives are ones jmcheck takes (a
// usage error would be exit 2, a problem), and every run ends right. The
// whole catalogue is the sweep's own business (see the README).
func TestRealJmcheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jmcheck and runs it against hostile targets")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build jmcheck with")
	}
	bin := filepath.Join(t.TempDir(), "jm")
	if out, err := exec.Command(gobin, "build", "-o", bin, "jmcheck/cmd/jmcheck").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cases := []string{"reset", "redirect", "echo"} // exit 3, credentials sent away, secrets echoed
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"-jmcheck", bin, "-cases", strings.Join(cases, ","), "-timeout", "3m", "-parallel", "2"}, &stdout, &stderr)
	if err != nil {
		t.Errorf("sweep: %v\n%s", err, stdout.String())
	}
	t.Logf("\n%s", stdout.String())
	if got, want := strings.Count(stdout.String(), "\n| "), len(runKinds)*len(cases); got != want {
		t.Errorf("%d rows, want %d", got, want)
	}
}

func TestChildEnv(t *testing.T) {
	t.Parallel()
	got := childEnv([]string{"PATH=/bin", "JMCHECK_SECRET=x", "GOTRACEBACK=none", "HOME=/h"})
	if want := []string{"PATH=/bin", "HOME=/h"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	bin := os.Args[0]
	tests := []struct {
		name string
		args []string
		want int // exit code of the error
	}{
		{"OK", []string{"-jmcheck", bin, "-cases", "stall,hang", "-runs", "load"}, exitcode.OK},
		{"NoBinary", []string{"-cases", "hang"}, exitcode.Usage},
		{"NotExecutable", []string{"-jmcheck", "testdata"}, exitcode.Usage},
		{"UnknownCase", []string{"-jmcheck", bin, "-cases", "hang,nope"}, exitcode.Usage},
		{"EmptyCases", []string{"-jmcheck", bin, "-cases", ","}, exitcode.Usage},
		{"UnknownRun", []string{"-jmcheck", bin, "-runs", "explore"}, exitcode.Usage},
		{"Format", []string{"-jmcheck", bin, "-format", "html"}, exitcode.Usage},
		{"Timeout", []string{"-jmcheck", bin, "-timeout", "0s"}, exitcode.Usage},
		{"MaxRSS", []string{"-jmcheck", bin, "-max-rss", "-1"}, exitcode.Usage},
		{"Parallel", []string{"-jmcheck", bin, "-parallel", "0"}, exitcode.Usage},
		{"Argument", []string{"-jmcheck", bin, "hang"}, exitcode.Usage},
		{"UnknownFlag", []string{"-jmcheck", bin, "-nope"}, exitcode.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseFlags(tt.args, new(bytes.Buffer))
			if got := exitcode.Of(err); got != tt.want {
				t.Errorf("exit %d (%v), want %d", got, err, tt.want)
			}
		})
	}
	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		cfg, err := parseFlags([]string{"-jmcheck", bin, "-cases", "stall,hang"}, new(bytes.Buffer))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := caseNames(cfg.cases), []string{"hang", "stall"}; !slices.Equal(got, want) {
			t.Errorf("cases %q, want %q (catalogue order)", got, want)
		}
		if !slices.Equal(cfg.runs, runKinds) || cfg.bounds != (bounds{Timeout: 5 * time.Minute, MaxRSS: defaultMaxRSS << 10}) || cfg.parallel != 1 {
			t.Errorf("defaults: %+v", cfg)
		}
		cfg, err = parseFlags([]string{"-jmcheck", bin, "-max-rss", "0", "-timeout", "90s"}, new(bytes.Buffer))
		if err != nil || cfg.bounds != (bounds{Timeout: 90 * time.Second}) || len(cfg.cases) != len(hostile.Cases()) {
			t.Errorf("-max-rss 0 -timeout 90s: %+v, %v", cfg.bounds, err)
		}
	})
	t.Run("Help", func(t *testing.T) {
		t.Parallel()
		var out bytes.Buffer
		if _, err := parseFlags([]string{"-h"}, &out); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-max-rss") {
			t.Errorf("-h: %v\n%s", err, out.String())
		}
	})
}

// TestCatalogueExits: every case says the exit codes a run against it may
// end with, and they are 1 or 3 (a broken target never passes, and the
// sweep's runs are never bad usage).
func TestCatalogueExits(t *testing.T) {
	t.Parallel()
	if got := len(hostile.Cases()); got < 12 {
		t.Errorf("the catalogue has %d cases", got)
	}
	for _, c := range hostile.Cases() {
		if len(c.Exit) == 0 {
			t.Errorf("%s: no exit codes", c.Name)
		}
		for _, e := range c.Exit {
			if e != exitcode.Failed && e != exitcode.TargetUnusable {
				t.Errorf("%s: exit %d allowed", c.Name, e)
			}
		}
	}
}

func TestJmcheckArgs(t *testing.T) {
	t.Parallel()
	s := &hostile.Server{URL: "http://127.0.0.1:1", AppKey: "k", Secret: "s"}
	if got := strings.Join(jmcheckArgs("conform", "/d", s), " "); got != "conform --report-dir /d --target http://127.0.0.1:1 --appkey k --secret s" {
		t.Errorf("conform: %s", got)
	}
	for kind, profile := range map[string]string{"load": "load mixed --seed 2", "load-attack": "load register-batch --batch 2"} {
		got := strings.Join(jmcheckArgs(kind, "/d", s), " ")
		for _, want := range []string{profile + " ", "--max-requests 20", "--output /d/load.json --format json", "--summary-json /d/summary.json", "--html /d/report.html", "--target http://127.0.0.1:1 --appkey k --secret s"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: %s lacks %s", kind, got, want)
			}
		}
	}
}
