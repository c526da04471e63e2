package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/tidwall/gjson"

	"jmcheck/exitcode"
)

// serveChildEnv, when set, makes the test binary act as `jmcheck` with the
// arguments in serveArgsEnv (separated by \x1f), so that a test can run
// `jmcheck serve` as a subprocess without building the binary.
const (
	serveChildEnv = "JMCHECK_TEST_SERVE_CHILD"
	serveArgsEnv  = "JMCHECK_TEST_SERVE_ARGS"
)

func TestMain(m *testing.M) {
	if os.Getenv(serveChildEnv) != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, strings.Split(os.Getenv(serveArgsEnv), "\x1f"), os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "jmcheck:", err)
		}
		os.Exit(exitcode.Of(err))
	}
	os.Exit(m.Run())
}

var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

// child is a `jmcheck serve` subprocess.
type child struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// startServe starts `jmcheck serve args...` as a subprocess and waits for
// the URL it prints. The process is killed when the test ends.
func startServe(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveChildEnv+"=1", serveArgsEnv+"="+strings.Join(append([]string{"serve"}, args...), "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start serve: %v", err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		c.done <- cmd.Wait()
	}()
	select {
	case c.url = <-urls:
	case err := <-c.done:
		c.done <- err
		t.Fatalf("serve exited before listening: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no URL within 30s\n%s", stderr.String())
	}
	return c
}

var testClient = &http.Client{Timeout: 10 * time.Second}

// call sends one request with Basic auth and returns status and body.
func call(ctx context.Context, method, url, auth string, body io.Reader) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, "", err
	}
	if auth != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(auth)))
	}
	req.Header.Set("Content-Type", "application/json;charset:utf-8")
	res, err := testClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// TestServeSurvivesKill9 registers users against a `jmcheck serve` on a
// file, SIGKILLs it mid-traffic, restarts it, and finds every user whose
// registration was acknowledged.
func TestServeSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	db := filepath.Join(t.TempDir(), "im.db")
	args := []string{"--addr", "127.0.0.1:0", "--db", db, "--app", "k:s", "--log", "none"}
	srv := startServe(t, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var mu sync.Mutex
	var acked []string
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				names := []string{fmt.Sprintf("w%d_%03d_a", w, i), fmt.Sprintf("w%d_%03d_b", w, i)}
				body := fmt.Sprintf(`[{"username":%q,"password":"pass"},{"username":%q,"password":"pass"}]`, names[0], names[1])
				status, resp, err := call(ctx, "POST", srv.url+"/v1/users/", "k:s", strings.NewReader(body))
				if err != nil || status != 201 {
					return // killed: nothing more is acknowledged
				}
				mu.Lock()
				for j, item := range gjson.Parse(resp).Array() {
					if !item.Get("error").Exists() {
						acked = append(acked, names[j])
					}
				}
				if len(acked) >= 60 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-enough:
	case <-ctx.Done():
		t.Fatal("too few acknowledged registrations before the deadline")
	}
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	wg.Wait()
	if err := <-srv.done; err == nil {
		t.Fatal("serve exited cleanly, want killed")
	}
	srv.done <- nil // for Cleanup

	again := startServe(t, args...)
	mu.Lock()
	defer mu.Unlock()
	missing := 0
	for _, name := range acked {
		status, body, err := call(ctx, "GET", again.url+"/v1/users/"+name, "k:s", nil)
		if err != nil || status != 200 {
			missing++
			t.Errorf("acknowledged %s after kill -9: got %d %s %v, want 200", name, status, body, err)
		}
	}
	t.Logf("%d acknowledged users, %d missing after kill -9", len(acked), missing)
}

// syncBuffer is a Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeEndToEnd runs `jmcheck serve` through run on port 0 with a
// generated app and drives it over HTTP, then stops it by cancelling.
func TestServeEndToEnd(t *testing.T) {
	t.Setenv("JMCHECK_APPS", "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", ":memory:", "--fault-injection", "--log", "json"}, &stdout, &stderr)
	}()
	var url, app string
	deadline := time.Now().Add(20 * time.Second)
	for url == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed:\n%s\n%s", stdout.String(), stderr.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		out := stdout.String()
		if m := listenRE.FindStringSubmatch(out); m != nil {
			url = m[1]
		}
		if m := regexp.MustCompile(`generated app[^:]*: (\S+)`).FindStringSubmatch(out); m != nil {
			app = m[1]
		}
	}
	if app == "" {
		t.Fatalf("no generated app printed:\n%s", stdout.String())
	}
	// A chunked body: the reader's length is unknown to the client.
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, `[{"username":"alice",`)
		_, _ = io.WriteString(pw, `"password":"secret"}]`)
		pw.Close()
	}()
	tests := []struct {
		name       string
		method     string
		path       string
		auth       string
		body       io.Reader
		wantStatus int
		wantBody   string
	}{
		{"RegisterChunked", "POST", "/v1/users/", app, pr, 201, `[{"username":"alice"}]`},
		{"GetUser", "GET", "/v1/users/alice", app, nil, 200, `"username":"alice"`},
		{"WrongSecret", "GET", "/v1/users/alice", strings.Split(app, ":")[0] + ":nope", nil, 401, `899008`},
		{"NotFound", "GET", "/nope", app, nil, 404, ``},
		{"Metrics", "GET", "/metrics", "", nil, 200, `jmcheck_server_requests_total{`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := call(ctx, tt.method, url+tt.path, tt.auth, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %s, want %d with %s", status, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/v1/users/alice", nil)
	key, secret, _ := strings.Cut(app, ":")
	req.SetBasicAuth(key, secret)
	req.Header.Set("X-Fault-Inject", "busy")
	res, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 503 || res.Header.Get("Retry-After") != "1" {
		t.Errorf("fault busy: got %d Retry-After %q, want 503 and 1", res.StatusCode, res.Header.Get("Retry-After"))
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: got %v, want nil after cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of cancel")
	}
	if !strings.Contains(stdout.String(), "stopped") {
		t.Errorf("stdout lacks the stop line:\n%s", stdout.String())
	}
	if strings.Contains(stderr.String(), secret) || strings.Contains(stderr.String(), "secret\"") {
		t.Errorf("log holds a secret:\n%s", stderr.String())
	}
}

func TestServeUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"UnknownFlag", []string{"--port", "1"}, "", "unknown flag"},
		{"StrayArgument", []string{"im.db"}, "", "unexpected argument"},
		{"AppNoColon", []string{"--app", "keyonly"}, "", "want APPKEY:MASTERSECRET"},
		{"AppEmptySecret", []string{"--app", "key:"}, "", "want APPKEY:MASTERSECRET"},
		{"EnvAppBad", nil, "k:s,broken", "JMCHECK_APPS"},
		{"AppTwiceTwoSecrets", []string{"--app", "k:s3cret", "--app", "k:other"}, "", "given twice"},
		{"AddrNotHostPort", []string{"--addr", "nonsense", "--app", "k:s"}, "", "is not host:port"},
		{"AppInEnvAndFlag", []string{"--app", "k:other"}, "k:s3cret", "given twice"},
		{"GroupLimitZero", []string{"--group-limit", "0"}, "", "--group-limit 0"},
		{"MaxInflightNegative", []string{"--max-inflight", "-1"}, "", "--max-inflight -1"},
		{"LogFormat", []string{"--log", "xml"}, "", `--log "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JMCHECK_APPS", tt.env)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"serve", "--db", ":memory:"}, tt.args...), &stdout, &stderr)
			if got := exitcode.Of(err); got != exitcode.Usage {
				t.Fatalf("exit code: got %d (%v), want %d", got, err, exitcode.Usage)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err: got %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("err holds a secret: %v", err)
			}
		})
	}
	t.Run("SecretNotEchoed", func(t *testing.T) {
		t.Setenv("JMCHECK_APPS", "")
		for _, app := range []string{":s3cret", "k:"} {
			err := run(context.Background(), []string{"serve", "--app", app}, io.Discard, io.Discard)
			if exitcode.Of(err) != exitcode.Usage || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("--app %s: got %v, want a usage error without the secret", app, err)
			}
		}
	})
	t.Run("ListenFails", func(t *testing.T) {
		t.Setenv("JMCHECK_APPS", "")
		err := run(context.Background(), []string{"serve", "--db", ":memory:", "--app", "k:s", "--addr", "256.0.0.1:99999"}, io.Discard, io.Discard)
		if got := exitcode.Of(err); got != exitcode.Usage || !strings.Contains(err.Error(), "listen") {
			t.Errorf("got %d %v, want exit 2 (it cannot start as asked) naming listen", got, err)
		}
	})
	t.Run("HelpEndsWithExamples", func(t *testing.T) {
		var stdout bytes.Buffer
		err := run(context.Background(), []string{"serve", "--help"}, &stdout, io.Discard)
		if !errors.Is(err, pflag.ErrHelp) {
			t.Fatalf("err: got %v, want pflag.ErrHelp", err)
		}
		help := stdout.String()
		i := strings.LastIndex(help, "\nExamples:\n")
		if i < 0 || !strings.Contains(help[i:], "jmcheck serve --addr") {
			t.Errorf("help lacks an Examples block with jmcheck serve:\n%s", help)
		}
	})
}

func TestServeEnvApps(t *testing.T) {
	t.Setenv("JMCHECK_APPS", "envkey:envsecret, other:x:y")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", ":memory:", "--log", "none"}, &stdout, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == ""; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed:\n%s", stdout.String())
		}
		if m := listenRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	if strings.Contains(stdout.String(), "generated app") {
		t.Errorf("generated an app although JMCHECK_APPS gives two:\n%s", stdout.String())
	}
	for _, auth := range []string{"envkey:envsecret", "other:x:y"} {
		status, body, err := call(ctx, "GET", url+"/v1/users/?start=0&count=1", auth, nil)
		if err != nil || status != 200 {
			t.Errorf("%s: got %d %s %v, want 200", auth, status, body, err)
		}
	}
}
