package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/exitcode"
)

// usageCase is one command line that must be refused as usage (exit 2)
// with a message that names what is wrong.
type usageCase struct {
	args    []string
	env     map[string]string
	want    []string // in the error
	notWant string   // a wrong culprit the error must not name
}

// runUsage runs a usage case with the environment it gives, nothing else.
func runUsage(t *testing.T, c usageCase) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runWith(context.Background(), testSystem(c.env), c.args, &stdout, &stderr)
	if got := exitcode.Of(err); got != exitcode.Usage {
		t.Fatalf("%q: exit code %d (%v), want %d\n%s", c.args, got, err, exitcode.Usage, stdout.String())
	}
	for _, w := range c.want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q: error %q lacks %q", c.args, err, w)
		}
	}
	if c.notWant != "" && strings.Contains(err.Error(), c.notWant) {
		t.Errorf("%q: error %q names %q, which is not the culprit", c.args, err, c.notWant)
	}
	return err.Error()
}

// TestUsageErrorsNameTheCulprit: a bad environment variable is named with
// its value, a bad flag value says what is wrong with it, and a target URL
// is judged before any look-up (a look-up failure would be exit 3).
func TestUsageErrorsNameTheCulprit(t *testing.T) {
	remote := []string{"--appkey", "k", "--secret", "s"}
	cases := map[string]usageCase{
		"ConformGroupLimitEnv":    {args: []string{"conform"}, env: map[string]string{"JMCHECK_GROUP_LIMIT": "abc"}, want: []string{`JMCHECK_GROUP_LIMIT="abc": not a whole number`}, notWant: "--group-limit -1"},
		"LoadGroupLimitEnv":       {args: []string{"load", "mixed"}, env: map[string]string{"JMCHECK_GROUP_LIMIT": "abc"}, want: []string{`JMCHECK_GROUP_LIMIT="abc": not a whole number`}, notWant: "--group-limit"},
		"GroupLimitEnvTooSmall":   {args: []string{"conform"}, env: map[string]string{"JMCHECK_GROUP_LIMIT": "2"}, want: []string{"JMCHECK_GROUP_LIMIT=2", "4 or more"}},
		"CapabilitiesEnv":         {args: append([]string{"conform", "--target", "http://127.0.0.1:1"}, remote...), env: map[string]string{"JMCHECK_CAPABILITIES": "bogus"}, want: []string{`JMCHECK_CAPABILITIES="bogus": unknown capability "bogus"`}, notWant: "--capabilities"},
		"CapabilitiesFlag":        {args: append([]string{"conform", "--capabilities", "bogus", "--target", "http://127.0.0.1:1"}, remote...), want: []string{`--capabilities="bogus": unknown capability`}, notWant: "JMCHECK_CAPABILITIES"},
		"DurationNegative":        {args: []string{"load", "mixed", "--duration", "-1s"}, want: []string{"--duration -1s is negative"}, notWant: "give --duration or --max-requests"},
		"DurationNegativeRate":    {args: []string{"load", "mixed", "--rate", "10/1s", "--duration", "-1s"}, want: []string{"--duration -1s is negative"}},
		"ConformTargetNoScheme":   {args: append([]string{"conform", "--target", "not-a-url"}, remote...), want: []string{`--target "not-a-url" is not an http(s) URL`}},
		"LoadTargetNoScheme":      {args: append([]string{"load", "mixed", "--target", "not-a-url"}, remote...), want: []string{`--target "not-a-url" is not an http(s) URL`}},
		"ConformTargetPortTooBig": {args: append([]string{"conform", "--target", "http://jmcheck-test.invalid:70000"}, remote...), want: []string{"port 70000 is not 1..65535"}},
		"LoadTargetPortTooBig":    {args: append([]string{"load", "mixed", "--target", "http://jmcheck-test.invalid:70000"}, remote...), want: []string{"port 70000 is not 1..65535"}},
		"BatchZero":               {args: []string{"load", "register-batch", "--batch", "0"}, want: []string{"--batch 0: want a positive number"}},
		"CountZero":               {args: []string{"load", "paginate-users", "--count", "0"}, want: []string{"--count 0: want a positive number"}},
		"SeedZero":                {args: []string{"load", "paginate-groups", "--seed", "0"}, want: []string{"--seed 0: want a positive number"}},
		"MixedSeedZero":           {args: []string{"load", "mixed", "--seed", "0"}, want: []string{"--seed 0: want a positive number"}},
		"MaxRequestsNegative":     {args: []string{"load", "mixed", "--max-requests", "-1"}, want: []string{`"-1" for "--max-requests"`, "want a whole number ≥ 0", "jmcheck load --help"}},
		"EmbeddedInflightNeg":     {args: []string{"load", "overload", "--embedded-max-inflight", "-5"}, want: []string{"--embedded-max-inflight -5: want 0 (unlimited) or more"}},
		"ServeMaxInflightNeg":     {args: []string{"serve", "--db", ":memory:", "--max-inflight", "-5"}, want: []string{"--max-inflight -5: want 0 (unlimited) or more"}},
		"ServeDBFolderMissing":    {args: []string{"serve", "--db", "/nonexistent/dir/im.db", "--addr", "127.0.0.1:0"}, want: []string{"--db /nonexistent/dir/im.db: the folder /nonexistent/dir does not exist"}, notWant: "unable to open"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runUsage(t, c)
		})
	}
}

// TestGroupLimitRefusedAlikeEverywhere: serve, conform and load refuse a
// member limit under 4 in the same words.
func TestGroupLimitRefusedAlikeEverywhere(t *testing.T) {
	const want = "--group-limit 1: the member limit counts the owner and must be 4 or more"
	for _, args := range [][]string{
		{"serve", "--db", ":memory:", "--group-limit", "1"},
		{"conform", "--group-limit", "1"},
		{"load", "mixed", "--group-limit", "1"},
	} {
		runUsage(t, usageCase{args: args, want: []string{want}})
	}
}

// TestServeStartupErrorsAreUsage: serve that cannot start as asked (a port
// in use, a file that is not a database) exits 2 and says why.
func TestServeStartupErrorsAreUsage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	notDB := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(notDB, bytes.Repeat([]byte("not a database, only words. "), 200), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]usageCase{
		"PortInUse":     {args: []string{"serve", "--db", ":memory:", "--app", "k:s", "--log", "none", "--addr", ln.Addr().String()}, want: []string{"listen on " + ln.Addr().String(), "is the port in use?"}},
		"NotADatabase":  {args: []string{"serve", "--db", notDB, "--app", "k:s", "--log", "none", "--addr", "127.0.0.1:0"}, want: []string{notDB, "is it a jmcheck database?"}},
		"DBIsAFolder":   {args: []string{"serve", "--db", t.TempDir(), "--app", "k:s", "--log", "none", "--addr", "127.0.0.1:0"}, want: []string{"is a folder"}},
		"DBFolderGone":  {args: []string{"serve", "--db", filepath.Join(t.TempDir(), "gone", "im.db"), "--app", "k:s", "--addr", "127.0.0.1:0"}, want: []string{"gone does not exist"}},
		"AddrNoPort":    {args: []string{"serve", "--db", ":memory:", "--app", "k:s", "--addr", "127.0.0.1"}, want: []string{"is not host:port"}},
		"AddrBadNumber": {args: []string{"serve", "--db", ":memory:", "--app", "k:s", "--log", "none", "--addr", "127.0.0.1:70000"}, want: []string{"listen on 127.0.0.1:70000"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { runUsage(t, c) })
	}
}

// TestReportOutputUnwritable: a report that cannot be written where asked
// is a usage error, found before the results are read, and leaves no file.
func TestReportOutputUnwritable(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results.gob")
	var buf bytes.Buffer
	enc := vegeta.NewEncoder(&buf)
	now := time.Now()
	if err := enc.Encode(&vegeta.Result{Attack: "mixed", Code: 200, Timestamp: now, Latency: time.Millisecond, Method: "GET", URL: "http://127.0.0.1:1/v1/users/x"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(results, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{
		"NoSuchFolder":  "/proc/nope/x.html",
		"ReadOnlyPlace": "/proc/x.html",
		"AFolder":       dir,
	} {
		t.Run(name, func(t *testing.T) {
			runUsage(t, usageCase{args: []string{"report", "--format", "html", "--output", out, results}, want: []string{"--output " + out}})
		})
	}
	t.Run("Writable", func(t *testing.T) { // the same file renders where it may
		out := filepath.Join(dir, "report.html")
		var stdout, stderr bytes.Buffer
		if err := runWith(context.Background(), testSystem(nil), []string{"report", "--format", "html", "--output", out, results}, &stdout, &stderr); err != nil {
			t.Fatalf("report: %v\n%s", err, stderr.String())
		}
		if st, err := os.Stat(out); err != nil || st.Size() == 0 {
			t.Errorf("report.html: %v", err)
		}
	})
}
