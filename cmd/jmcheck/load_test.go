package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jmcheck/exitcode"
)

// runLoadArgs runs jmcheck with args and returns the exit code and output.
func runLoadArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("JMCHECK_TARGET", "")
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
		"InflightTarget":    {args: []string{"load", "mixed", "--target", "http://127.0.0.1:1", "--embedded-max-inflight", "4"}, want: "embedded server"},
		"BadOutputFormat":   {args: []string{"load", "mixed", "--output", filepath.Join(os.TempDir(), "jm-x.bin"), "--output-format", "xml"}, want: "gob, json or csv"},
		"BadTransport":      {args: []string{"load", "mixed", "--transport", "carrier-pigeon"}, want: "fast or std"},
		"StrayArgument":     {args: []string{"load", "mixed", "extra"}, want: "unexpected argument"},
		"ReportNoFile":      {args: []string{"report"}, want: "no result file"},
		"ReportMissing":     {args: []string{"report", filepath.Join(os.TempDir(), "jm-none.bin")}, want: "not a readable file"},
		"ReportBadType":     {args: []string{"report", "--type", "pdf", "x.bin"}, want: "--type"},
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
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s --help: got %v, want flag.ErrHelp (exit 0)", cmd, err)
		}
		if !strings.Contains(stderr.String(), "Examples:") {
			t.Errorf("%s --help has no Examples block:\n%s", cmd, stderr.String())
		}
	}
}

// TestLoadProfilesOnTheEmbeddedServer runs every profile, small, against
// the reference server through the real command.
func TestLoadProfilesOnTheEmbeddedServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded server for each profile")
	}
	cases := map[string][]string{
		"RegisterBatch":  {"register-batch", "--batch", "20", "--oversize-ratio", "0.25", "--rate", "50/1s", "--max-requests", "8"},
		"PaginateUsers":  {"paginate-users", "--seed", "600", "--count", "100", "--rate", "100/1s", "--max-requests", "12"},
		"PaginateGroups": {"paginate-groups", "--seed", "20", "--count", "5", "--order", "random", "--rate", "100/1s", "--max-requests", "8"},
		"Mixed":          {"mixed", "--seed", "10", "--rate", "200/1s", "--max-requests", "100"},
		"MixedStairs":    {"mixed", "--seed", "5", "--mix", "get-user=3,register=1", "--stairs", "50@1s,100@1s", "--max-requests", "30"},
		"Overload":       {"overload", "--seed", "5", "--ramp", "200/1s:4000/1s", "--duration", "3s", "--embedded-max-inflight", "1"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			sumPath := filepath.Join(dir, "summary.json")
			full := append([]string{"load"}, args...)
			full = append(full, "--quiet", "--summary-json", sumPath, "--threshold", "p99<10s")
			code, stdout, stderr := runLoadArgs(t, full...)
			if code != exitcode.OK {
				t.Fatalf("exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, ": PASS") {
				t.Errorf("the summary does not say PASS:\n%s", stdout)
			}
			var sum struct {
				Requests uint64
				Pass     bool
				Cleanup  struct{ Left int }
			}
			b, err := os.ReadFile(sumPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatal(err)
			}
			if !sum.Pass || sum.Requests == 0 || sum.Cleanup.Left != 0 {
				t.Errorf("summary JSON: %+v", sum)
			}
		})
	}
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
	code, stdout, stderr := runLoadArgs(t, "report", results, "--type", "json")
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
	html := filepath.Join(dir, "report.html")
	if code, _, stderr := runLoadArgs(t, "report", "--type", "html", "--output", html, results, results); code != exitcode.OK {
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
