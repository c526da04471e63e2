package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jmcheck/exitcode"
	"jmcheck/load"
	"jmcheck/load/results"
	"jmcheck/target"

	"github.com/spf13/pflag"
)

// runLoadArgs runs jmcheck with args and returns the exit code and output.
func runLoadArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	// The environment of a Kubernetes Indexed Job would shard every run.
	for _, env := range []string{"JMCHECK_TARGET", "JMCHECK_RUN_ID", load.EnvCompletionIndex, load.EnvCompletions} {
		t.Setenv(env, "")
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	if err != nil {
		stderr.WriteString("\nerror: " + err.Error())
	}
	return exitcode.Of(err), stdout.String(), stderr.String()
}

func TestLoadUsageErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"NoProfile":         {args: []string{"load"}, want: "no profile given"},
		"UnknownProfile":    {args: []string{"load", "stampede"}, want: `unknown profile "stampede"`},
		"BadThreshold":      {args: []string{"load", "mixed", "--threshold", "p99<fast"}, want: "not a duration"},
		"TimeoutZero":       {args: []string{"load", "mixed", "--timeout", "0s"}, want: "--timeout 0s"},
		"CleanupRateNeg":    {args: []string{"load", "mixed", "--cleanup-rate", "-1"}, want: "--cleanup-rate -1"},
		"CPUsNeg":           {args: []string{"load", "mixed", "--cpus", "-1"}, want: "--cpus -1"},
		"MinSentOver100":    {args: []string{"load", "mixed", "--min-sent", "101"}, want: "--min-sent 101"},
		"ThresholdNoUnit":   {args: []string{"load", "mixed", "--threshold", "p99<250"}, want: "with a unit"},
		"TwoPacers":         {args: []string{"load", "mixed", "--rate", "10", "--ramp", "1:10"}, want: "give one of --rate, --ramp and --stairs"},
		"BadRate":           {args: []string{"load", "mixed", "--rate", "fast"}, want: `rate "fast"`},
		"BadStairs":         {args: []string{"load", "mixed", "--stairs", "10:5:1"}, want: "stairs climb"},
		"Unbounded":         {args: []string{"load", "mixed", "--duration", "0"}, want: "never stop"},
		"BadMix":            {args: []string{"load", "mixed", "--mix", "teleport=1"}, want: `unknown operation "teleport"`},
		"BadBatch":          {args: []string{"load", "register-batch", "--batch", "501"}, want: "--batch 501"},
		"OversizeElsewhere": {args: []string{"load", "mixed", "--oversize-ratio", "0.1"}, want: "for register-batch"},
		"BadOrder":          {args: []string{"load", "paginate-users", "--order", "sideways"}, want: "--order"},
		"BadCount":          {args: []string{"load", "paginate-users", "--count", "501"}, want: "--count 501"},
		"BadRunID":          {args: []string{"load", "mixed", "--run-id", "9lives"}, want: "--run-id"},
		"SummaryNoDir":      {args: []string{"load", "mixed", "--summary-json", filepath.Join(os.TempDir(), "jm-no-such-dir", "s.json")}, want: "does not exist"},
		"HTMLNoDir":         {args: []string{"load", "mixed", "--html", filepath.Join(os.TempDir(), "jm-no-such-dir", "r.html")}, want: "does not exist"},
		"BadPushgateway":    {args: []string{"load", "mixed", "--pushgateway", "ftp://gateway"}, want: "--pushgateway"},
		"InflightTarget":    {args: []string{"load", "mixed", "--target", "http://127.0.0.1:1", "--embedded-max-inflight", "4"}, want: "embedded server"},
		"BadOutputFormat":   {args: []string{"load", "mixed", "--output", filepath.Join(os.TempDir(), "jm-x.bin"), "--output-format", "xml"}, want: "gob, json or csv"},
		"BadTransport":      {args: []string{"load", "mixed", "--transport", "carrier-pigeon"}, want: "fast or std"},
		"StrayArgument":     {args: []string{"load", "mixed", "extra"}, want: "unexpected argument"},
		"HistoryElsewhere":  {args: []string{"load", "register-batch", "--check-history"}, want: "--check-history is for mixed and overload"},
		"HistoryBatch":      {args: []string{"load", "mixed", "--check-history", "--batch", "5"}, want: "leave --batch at 1"},
		"HistoryStd":        {args: []string{"load", "mixed", "--check-history", "--transport", "std"}, want: "--check-history needs --transport fast"},
		"HistoryDirAlone":   {args: []string{"load", "mixed", "--history-dir", os.TempDir()}, want: "give --check-history too"},
		"HistoryDirFile":    {args: []string{"load", "mixed", "--check-history", "--history-dir", "/dev/null/x"}, want: "--history-dir /dev/null/x"},
		"ReportNoFile":      {args: []string{"report"}, want: "no result file"},
		"ReportMissing":     {args: []string{"report", filepath.Join(os.TempDir(), "jm-none.bin")}, want: "not a readable file"},
		"ReportBadType":     {args: []string{"report", "--type", "pdf", "x.bin"}, want: "--format"},
		"ReportGlobNoMatch": {args: []string{"report", filepath.Join(os.TempDir(), "jm-none-*.gob")}, want: "matches no file"},
		"ReportThreshold":   {args: []string{"report", "x.bin", "--threshold", "p99"}, want: "want METRIC OP VALUE"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := runLoadArgs(t, c.args...)
			if code != exitcode.Usage {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, exitcode.Usage, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, stderr)
			}
		})
	}
}

func TestLoadHelpHasExamples(t *testing.T) {
	for _, cmd := range []string{"load", "report"} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{cmd, "--help"}, &stdout, &stderr)
		if !errors.Is(err, pflag.ErrHelp) {
			t.Fatalf("%s --help: got %v, want pflag.ErrHelp (exit 0)", cmd, err)
		}
		if !strings.Contains(stdout.String(), "Examples:") || !strings.Contains(stdout.String(), "  --threshold EXPR") {
			t.Errorf("%s --help has no Examples block, or does not write --threshold EXPR:\n%s", cmd, stdout.String())
		}
	}
}

// TestLoadProfilesOnTheEmbeddedServer runs every profile, small, against
// the reference server through the real command. It judges what the run
// did, never how fast the box is (a busy CI box under -race may send a
// fraction of a ramp's plan): --min-sent 0 turns the generator check off,
// which TestGeneratorFallingShortFailsTheRun in package load covers.
func TestLoadProfilesOnTheEmbeddedServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded server for each profile")
	}
	cases := map[string]struct {
		args []string
		max  uint64 // --max-requests, 0: none
		shed bool   // requests must be shed with 503 899030, and counted as expected
	}{
		"RegisterBatch":  {args: []string{"register-batch", "--batch", "20", "--oversize-ratio", "0.25", "--rate", "50/1s"}, max: 8},
		"PaginateUsers":  {args: []string{"paginate-users", "--seed", "600", "--count", "100", "--rate", "100/1s"}, max: 12},
		"PaginateGroups": {args: []string{"paginate-groups", "--seed", "20", "--count", "5", "--order", "random", "--rate", "100/1s"}, max: 8},
		"Mixed":          {args: []string{"mixed", "--seed", "10", "--rate", "200/1s"}, max: 100},
		"MixedStairs":    {args: []string{"mixed", "--seed", "5", "--mix", "get-user=3,register=1", "--stairs", "50@1s,100@1s"}, max: 30},
		"Overload":       {args: []string{"overload", "--seed", "5", "--ramp", "200/1s:4000/1s", "--duration", "3s", "--embedded-max-inflight", "1"}, shed: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sumPath := filepath.Join(t.TempDir(), "summary.json")
			full := append([]string{"load"}, c.args...)
			if c.max > 0 {
				full = append(full, "--max-requests", fmt.Sprint(c.max))
			}
			full = append(full, "--min-sent", "0", "--quiet", "--summary-json", sumPath, "--threshold", "p99<10s")
			code, stdout, stderr := runLoadArgs(t, full...)
			if code != exitcode.OK {
				t.Fatalf("exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, ": PASS") {
				t.Errorf("the summary does not say PASS:\n%s", stdout)
			}
			sum := readLoadSummary(t, sumPath)
			t.Logf("sent %d of %.0f planned requests (%.1f%%), %d shed or otherwise expected", sum.Rate.Sent, sum.Rate.Planned, 100*sum.Rate.Ratio, sum.Expected)
			if !sum.Pass || sum.Requests == 0 || sum.Failed != 0 || len(sum.Failures) != 0 || sum.Cleanup.Left != 0 {
				t.Errorf("summary JSON: %+v, want a pass with requests, no failure and nothing left", sum)
			}
			if c.max > 0 && sum.Requests > c.max {
				t.Errorf("sent %d requests, want at most --max-requests %d", sum.Requests, c.max)
			}
			var answered, shed, expected uint64
			for _, a := range sum.Answers {
				answered += a.Count
				if a.Expected {
					expected += a.Count
				}
				if a.Status == 503 && a.Code == 899030 && a.Expected {
					shed += a.Count
				}
			}
			if answered != sum.Requests || expected != sum.Expected {
				t.Errorf("answers count %d requests (%d expected), want every one of %d (%d expected) judged", answered, expected, sum.Requests, sum.Expected)
			}
			if c.shed && (shed == 0 || !strings.Contains(stdout, fmt.Sprintf("overload: %d requests shed with 503 899030", shed))) {
				t.Errorf("overload: %d requests shed as expected, want some, and the summary to say how many:\n%s", shed, stdout)
			}
		})
	}
}

// loadSummary is what TestLoadProfilesOnTheEmbeddedServer reads of
// --summary-json.
type loadSummary struct {
	Requests, Expected, Failed uint64
	Pass                       bool
	Failures                   []struct{ Reason string }
	Cleanup                    struct{ Left int }
	Rate                       struct {
		Planned, Ratio float64
		Sent           uint64
	}
	Answers []struct {
		Status   int
		Code     int
		Expected bool
		Count    uint64
	}
}

func readLoadSummary(t *testing.T, path string) loadSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sum loadSummary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sum
}

func TestLoadThresholdCrossedExitsOne(t *testing.T) {
	code, stdout, _ := runLoadArgs(t, "load", "mixed", "--seed", "3", "--mix", "get-user=1", "--rate", "100/1s", "--max-requests", "5",
		"--quiet", "--threshold", "max<1ns")
	if code != exitcode.Failed {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(stdout, "threshold crossed: max<1ns") {
		t.Errorf("the summary does not name the crossed threshold:\n%s", stdout)
	}
}

func TestLoadOutputFeedsReport(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results.bin")
	code, _, stderr := runLoadArgs(t, "load", "register-batch", "--batch", "5", "--oversize-ratio", "0.5", "--rate", "50/1s", "--max-requests", "6",
		"--quiet", "--output", results)
	if code != exitcode.OK {
		t.Fatalf("load: exit code %d\n%s", code, stderr)
	}
	code, stdout, stderr := runLoadArgs(t, "report", results, "--format", "json")
	if code != exitcode.OK {
		t.Fatalf("report: exit code %d\n%s", code, stderr)
	}
	var sum struct {
		Requests, Expected, Failed uint64
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, stdout)
	}
	if sum.Requests != 6 || sum.Expected != 3 || sum.Failed != 0 {
		t.Errorf("report read %+v, want 6 requests, 3 expected, 0 failed", sum)
	}
	if code, _, stderr := runLoadArgs(t, "report", results, results); code != exitcode.Usage || !strings.Contains(stderr, "same file") {
		t.Errorf("report of one file twice: exit code %d, want 2 naming the same file\n%s", code, stderr)
	}
	copied := filepath.Join(dir, "results-copy.bin")
	b, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copied, b, 0o644); err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(dir, "report.html")
	if code, _, stderr := runLoadArgs(t, "report", "--format", "html", "--output", html, results, copied); code != exitcode.OK {
		t.Fatalf("report html: exit code %d\n%s", code, stderr)
	}
	page, err := os.ReadFile(html)
	if err != nil || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("report.html: %v, %d bytes", err, len(page))
	}
	code, stdout, _ = runLoadArgs(t, "report", results, "--threshold", "p99<1ns")
	if code != exitcode.Failed || !strings.Contains(stdout, "threshold crossed") {
		t.Errorf("report with a crossed threshold: exit code %d, want 1\n%s", code, stdout)
	}
}

func TestLoadPushesToAPushgateway(t *testing.T) {
	var (
		mu    sync.Mutex
		paths []string
	)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		if bytes.Contains(b, []byte("jmcheck_requests_total")) {
			paths = append(paths, r.Method+" "+r.URL.Path)
		}
		mu.Unlock()
	}))
	defer gw.Close()
	code, _, stderr := runLoadArgs(t, "load", "mixed", "--seed", "3", "--mix", "get-user=1", "--rate", "100/1s", "--max-requests", "5",
		"--quiet", "--pushgateway", gw.URL, "--run-id", "jpushtest")
	if code != exitcode.OK {
		t.Fatalf("exit code %d\n%s", code, stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) != 1 || paths[0] != "PUT /metrics/job/jmcheck/run_id/jpushtest" {
		t.Errorf("pushes: %q, want one PUT /metrics/job/jmcheck/run_id/jpushtest", paths)
	}
}

func TestLoadShardFromFlagAndEnv(t *testing.T) {
	cases := map[string]struct {
		flag    string
		env     map[string]string
		want    load.Shard
		from    string
		wantErr string
	}{
		"Whole":          {},
		"Flag":           {flag: "1/3", want: load.Shard{Index: 1, Count: 3}, from: "--shard"},
		"IndexedJob":     {env: map[string]string{"JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "3"}, want: load.Shard{Index: 2, Count: 3}, from: "env JOB_COMPLETION_INDEX/JOB_COMPLETIONS"},
		"FlagWins":       {flag: "0/2", env: map[string]string{"JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "3"}, want: load.Shard{Index: 0, Count: 2}, from: "--shard"},
		"FlagOutOfRange": {flag: "3/3", wantErr: "--shard"},
		"FlagNoSlash":    {flag: "2", wantErr: "want i/n"},
		"EnvIndexOnly":   {env: map[string]string{"JOB_COMPLETION_INDEX": "0"}, wantErr: "set env JOB_COMPLETIONS"},
		"EnvBadIndex":    {env: map[string]string{"JOB_COMPLETION_INDEX": "x", "JOB_COMPLETIONS": "3"}, wantErr: `JOB_COMPLETION_INDEX="x"`},
		"EnvIndexTooBig": {env: map[string]string{"JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "3"}, wantErr: "from 0 to 2"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, from, err := loadShard(c.flag, func(k string) string { return c.env[k] })
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %+v, %v; want an error with %q", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want || from != c.from {
				t.Errorf("got %+v from %q, %v; want %+v from %q", got, from, err, c.want, c.from)
			}
		})
	}
}

func TestLoadRunID(t *testing.T) {
	cases := map[string]struct {
		in, want string
		wantErr  bool
	}{
		"Default":        {in: "", want: ""},
		"Plain":          {in: "jrun42", want: "jrun42"},
		"KubernetesUID":  {in: "6F2C0A3E-1b2c-4d5e-8f90-a1b2c3d4e5f6", want: "j6f2c0a3e"},
		"LeadingDigit":   {in: "9lives", wantErr: true},
		"Dashes":         {in: "my-run", wantErr: true},
		"TooLong":        {in: "j12345678901234567", wantErr: true},
		"AlmostAUUID":    {in: "6f2c0a3e-1b2c-4d5e-8f90", wantErr: true},
		"SurroundingTab": {in: "\tjrun\n", want: "jrun"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := target.ParseRunID("--run-id", c.in)
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("loadRunID(%q) = %q, %v; want %q, error %v", c.in, got, err, c.want, c.wantErr)
			}
		})
	}
}

func TestLoadShardUsageErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"ShardOutOfRange":   {args: []string{"--shard", "3/3"}, want: "--shard"},
		"ShardZero":         {args: []string{"--shard", "0/0"}, want: "want i/n"},
		"EnvIndexOnly":      {env: map[string]string{"JOB_COMPLETION_INDEX": "1"}, want: "JOB_COMPLETIONS is not"},
		"EnvIndexTooBig":    {env: map[string]string{"JOB_COMPLETION_INDEX": "5", "JOB_COMPLETIONS": "3"}, want: "from 0 to 2"},
		"EnvRunID":          {env: map[string]string{"JMCHECK_RUN_ID": "not a run id"}, want: "JMCHECK_RUN_ID"},
		"LingerWithoutAddr": {args: []string{"--metrics-linger", "30s"}, want: "give --metrics-addr too"},
		"LingerNegative":    {args: []string{"--metrics-addr", "127.0.0.1:0", "--metrics-linger", "-1s"}, want: "--metrics-linger -1s"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			for _, k := range []string{"JMCHECK_TARGET", "JMCHECK_RUN_ID", load.EnvCompletionIndex, load.EnvCompletions} {
				t.Setenv(k, c.env[k])
			}
			err := run(context.Background(), append([]string{"load", "mixed", "--quiet"}, c.args...), &stdout, &stderr)
			if got := exitcode.Of(err); got != exitcode.Usage {
				t.Fatalf("exit code %d (%v), want %d", got, err, exitcode.Usage)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q lacks %q", err, c.want)
			}
		})
	}
}

var lingerRE = regexp.MustCompile(`serving metrics on (http://\S+/metrics) for`)

// TestLoadShardFromTheEnvironment runs one shard of an Indexed Job (its
// shard from JOB_COMPLETION_INDEX / JOB_COMPLETIONS) and checks its file
// names, its attack name, its summary, and that its metrics carry the
// shard and stay served after the run until the linger ends (here by
// cancelling, as SIGTERM does).
func TestLoadShardFromTheEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded server")
	}
	for k, v := range map[string]string{"JMCHECK_TARGET": "", "JMCHECK_RUN_ID": "", load.EnvCompletionIndex: "1", load.EnvCompletions: "2"} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"load", "mixed", "--seed", "6", "--rate", "100/1s", "--max-requests", "40", "--run-id", "jenvshard",
			"--output", filepath.Join(dir, "shard-{shard}.gob"), "--summary-json", filepath.Join(dir, "summary-{shard}.json"),
			"--metrics-addr", "127.0.0.1:0", "--metrics-linger", "1m"}, &stdout, &stderr)
	}()
	var metricsURL string
	for deadline := time.Now().Add(60 * time.Second); metricsURL == ""; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("load returned before lingering: %v\n%s\n%s", err, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no linger line within 60s:\n%s", stderr.String())
		}
		if m := lingerRE.FindStringSubmatch(stderr.String()); m != nil {
			metricsURL = m[1]
		}
	}
	// The run is over and the summary written; /metrics still answers.
	if !strings.Contains(stdout.String(), "jmcheck load mixed: PASS") || !strings.Contains(stdout.String(), "(shard 1/2)") {
		t.Errorf("summary of shard 1/2 missing:\n%s", stdout.String())
	}
	res, err := http.Get(metricsURL)
	if err != nil {
		t.Fatalf("scrape while lingering: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	total := 0.0
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "jmcheck_requests_total{") {
			if !strings.Contains(line, `shard="1"`) {
				t.Errorf("series without shard=\"1\": %s", line)
			}
			var v float64
			if _, err := fmt.Sscanf(line[strings.LastIndexByte(line, ' ')+1:], "%g", &v); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			total += v
		}
	}
	if total != 20 {
		t.Errorf("jmcheck_requests_total sums to %g, want 20 (half of --max-requests 40)", total)
	}
	cancel() // SIGTERM in a pod: the linger ends at once
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("load: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the linger did not end on cancel")
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary-1.json"))
	if err != nil {
		t.Fatalf("summary of shard 1: %v", err)
	}
	var sum struct {
		Shard    string
		RunID    string `json:"run_id"`
		Requests uint64
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Shard != "1/2" || sum.RunID != "jenvshard" || sum.Requests != 20 {
		t.Errorf("summary: %+v, want shard 1/2 of jenvshard with 20 requests", sum)
	}
	merged, err := results.Read([]string{filepath.Join(dir, "shard-1.gob")}, load.Known)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Requests != 20 || merged.Profile != "mixed" {
		t.Errorf("shard-1.gob: %d requests of %q, want 20 of mixed (attack mixed-shard1)", merged.Requests, merged.Profile)
	}
}

func TestLoadUnreachableTargetLeavesNoResultFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shard-{shard}.gob")
	code, _, stderr := runLoadArgs(t, "load", "mixed", "--target", "http://127.0.0.1:1", "--appkey", "k", "--secret", "s",
		"--shard", "0/3", "--output", out, "--quiet")
	if code != exitcode.TargetUnusable {
		t.Fatalf("exit code %d, want %d\n%s", code, exitcode.TargetUnusable, stderr)
	}
	if _, err := os.Stat(load.ShardPath(out, load.Shard{Index: 0, Count: 3})); !os.IsNotExist(err) {
		t.Errorf("shard-0.gob: got %v, want no file after a run that never attacked", err)
	}
}

func TestStairsTotal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		stairs string
		want   time.Duration
		ok     bool
	}{
		{"100@10s,200@10s,400@20s", 40 * time.Second, true},
		{"100@10s,0@2s,400@20s", 32 * time.Second, true},
		{"100@", 0, false},
		{"100:500:100", 0, false},
	}
	for _, tt := range tests {
		got, ok := stairsTotal(tt.stairs)
		if got != tt.want || ok != tt.ok {
			t.Errorf("stairsTotal(%q) = %s, %v; want %s, %v", tt.stairs, got, ok, tt.want, tt.ok)
		}
	}
}
