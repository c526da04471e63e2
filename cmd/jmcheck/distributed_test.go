package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load"
)

// proc is a subprocess of a test with its output kept.
type proc struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
	err            error // set when done is closed
}

// startProc starts cmd; the process is killed when the test ends.
func startProc(t *testing.T, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// startJmcheck runs `jmcheck args...` as a subprocess: the test binary,
// which TestMain turns into jmcheck.
func startJmcheck(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveChildEnv+"=1", serveArgsEnv+"="+strings.Join(args, "\x1f"),
		load.EnvCompletionIndex+"=", load.EnvCompletions+"=", "JMCHECK_RUN_ID=")
	return startProc(t, name, cmd)
}

// waitOutput waits until re matches the process's stderr (or stdout with
// onStdout) and returns the submatches.
func (p *proc) waitOutput(t *testing.T, re *regexp.Regexp, onStdout bool, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out := p.stderr.String()
		if onStdout {
			out = p.stdout.String()
		}
		if m := re.FindStringSubmatch(out); m != nil {
			return m
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited (%v) before printing %s\nstdout:\n%s\nstderr:\n%s", p.name, p.err, re, p.stdout.String(), p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s printed no %s within %s\nstdout:\n%s\nstderr:\n%s", p.name, re, timeout, p.stdout.String(), p.stderr.String())
		}
	}
}

// exit waits for the process to end and returns its exit code.
func (p *proc) exit(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %s\nstderr:\n%s", p.name, timeout, p.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("%s: %v", p.name, p.err)
	}
	return 0
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// promGet calls the Prometheus HTTP API and decodes its data.
func promGet(ctx context.Context, base, path string, q url.Values, data any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	res, err := testClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return fmt.Errorf("%s: %d, not JSON: %w", path, res.StatusCode, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: %s %s", path, env.Status, env.Error)
	}
	return json.Unmarshal(env.Data, data)
}

// promVector is an instant query's result.
type promVector []struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func promQuery(ctx context.Context, base, query string) (promVector, error) {
	var data struct {
		ResultType string     `json:"resultType"`
		Result     promVector `json:"result"`
	}
	if err := promGet(ctx, base, "/api/v1/query", url.Values{"query": {query}}, &data); err != nil {
		return nil, err
	}
	if data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: result type %s, want vector", query, data.ResultType)
	}
	return data.Result, nil
}

func (v promVector) value(i int) float64 {
	s, _ := v[i].Value[1].(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// simSummary is what the test reads of a summary JSON.
type simSummary struct {
	Shard    string `json:"shard"`
	Requests uint64 `json:"requests"`
	Passed   uint64 `json:"passed"`
	Failed   uint64 `json:"failed"`
	Routes   []struct {
		Route    string `json:"route"`
		Requests uint64 `json:"requests"`
	} `json:"routes"`
	Answers []struct {
		Status int    `json:"status"`
		Code   int    `json:"code"`
		Count  uint64 `json:"count"`
	} `json:"answers"`
	Rate struct {
		Achieved float64 `json:"achieved"`
		ShardSum float64 `json:"shard_sum"`
	} `json:"rate"`
	Cleanup *struct {
		Left int `json:"left"`
	} `json:"cleanup"`
	Warnings []string `json:"warnings"`
}

// TestDistributedLoadOnOneMachine simulates a cluster: one reference
// server, three `jmcheck load mixed --shard i/3` processes, and a real
// Prometheus scraping the shards. The shards' summaries must add up to the
// merged report of their result files, Prometheus's sum over the shards
// must agree with it within 1%, and no shard may touch another's names.
func TestDistributedLoadOnOneMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server, three shards and Prometheus as subprocesses (about 15s)")
	}
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("Prometheus is not installed, so the cluster cannot be simulated: install the Debian package prometheus: apt-get install prometheus")
	}
	const (
		shards  = 3
		runID   = "jsim"
		appKey  = "simkey"
		secret  = "simsecret"
		attack  = 4 * time.Second
		rate    = "90/1s" // 30/s per shard
		perHits = 120     // 30/s for 4s
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()

	srv := startJmcheck(t, "serve", "serve", "--addr", "127.0.0.1:0", "--db", ":memory:", "--app", appKey+":"+secret, "--log", "none")
	base := srv.waitOutput(t, listenRE, true, 30*time.Second)[1]

	// Prometheus first, so that it scrapes the shards from their start:
	// its target discovery takes a few seconds to send the first targets.
	// The scrape configuration is deploy/prometheus-local.yml, on free
	// ports, every second.
	addrs := make([]string, shards)
	for i := range addrs {
		addrs[i] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	}
	promPort := freePort(t)
	promURL := fmt.Sprintf("http://127.0.0.1:%d", promPort)
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(localPromConfig(t, addrs, "1s")), 0o644); err != nil {
		t.Fatal(err)
	}
	prom := startProc(t, "prometheus", exec.Command(promBin, "--config.file="+configPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address=127.0.0.1:"+strconv.Itoa(promPort), "--log.level=warn"))
	t.Cleanup(func() {
		_ = prom.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-prom.done:
		case <-time.After(10 * time.Second):
		}
	})
	promWait := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			select {
			case <-prom.done:
				t.Fatalf("prometheus exited waiting for %s: %v\n%s", what, prom.err, prom.stderr.String())
			case <-ctx.Done():
				t.Fatalf("prometheus: no %s in time\n%s", what, prom.stderr.String())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	promWait("readiness", func() bool {
		res, err := testClient.Get(promURL + "/-/ready")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	type promTargets struct {
		ActiveTargets []struct {
			Labels     map[string]string `json:"labels"`
			Health     string            `json:"health"`
			LastScrape time.Time         `json:"lastScrape"`
			LastError  string            `json:"lastError"`
		} `json:"activeTargets"`
	}
	promWait("targets", func() bool {
		var data promTargets
		return promGet(ctx, promURL, "/api/v1/targets", url.Values{"state": {"active"}}, &data) == nil && len(data.ActiveTargets) == shards
	})

	gens := make([]*proc, shards)
	for i := range gens {
		gens[i] = startJmcheck(t, fmt.Sprintf("shard %d/%d", i, shards), "load", "mixed",
			"--target", base, "--appkey", appKey, "--secret", secret, "--run-id", runID,
			"--shard", fmt.Sprintf("%d/%d", i, shards), "--rate", rate, "--duration", attack.String(),
			"--output", filepath.Join(dir, "shard-{shard}.gob"), "--summary-json", filepath.Join(dir, "summary-{shard}.json"),
			"--metrics-addr", addrs[i], "--metrics-linger", "2m")
	}

	// Each shard attacks, verifies, cleans up, writes its summary, then
	// lingers: its final counts stay on /metrics.
	lingerLine := regexp.MustCompile(`serving metrics on \S+ for`)
	for _, g := range gens {
		g.waitOutput(t, lingerLine, false, 90*time.Second)
	}
	finished := time.Now()

	// Wait for a scrape of every shard that began after all had finished.
	var last promTargets
	promWait("scrape of every shard after the run", func() bool {
		if err := promGet(ctx, promURL, "/api/v1/targets", url.Values{"state": {"active"}}, &last); err != nil {
			return false
		}
		fresh := 0
		for _, tg := range last.ActiveTargets {
			if tg.Health == "up" && tg.LastScrape.After(finished) {
				fresh++
			}
		}
		return fresh == shards
	})
	total, err := promQuery(ctx, promURL, "sum(jmcheck_requests_total)")
	if err != nil || len(total) != 1 {
		t.Fatalf("sum(jmcheck_requests_total): %v %v", total, err)
	}
	promSum := total.value(0)
	byShard, err := promQuery(ctx, promURL, "sum by (shard) (jmcheck_requests_total)")
	if err != nil {
		t.Fatal(err)
	}
	promShards := map[string]float64{}
	for i := range byShard {
		promShards[byShard[i].Metric["shard"]] = byShard.value(i)
	}
	byRoute, err := promQuery(ctx, promURL, "sum by (route) (rate(jmcheck_requests_total[1m]))")
	if err != nil || len(byRoute) == 0 {
		t.Errorf("the README's cluster rate query: %v %v, want a series per route", byRoute, err)
	}
	clusterRate := 0.0
	for i := range byRoute {
		clusterRate += byRoute.value(i)
	}
	if clusterRate <= 0 {
		t.Errorf("the cluster rate sums to %g over %d routes, want more than 0", clusterRate, len(byRoute))
	}
	// The run is shorter than [1m]; its peak cluster rate over 2s windows,
	// for the log (scrape timing makes it rough).
	peak := math.NaN()
	if v, err := promQuery(ctx, promURL, "max_over_time(sum(rate(jmcheck_requests_total[2s]))[30s:500ms])"); err == nil && len(v) == 1 {
		peak = v.value(0)
	}

	// Every query of the Grafana dashboard runs on the shards' series.
	for _, q := range dashboardQueries(t) {
		q = strings.NewReplacer("$profile", ".*", "$shard", ".*", "$__rate_interval", "1m", "$__range", "5m").Replace(q)
		if v, err := promQuery(ctx, promURL, q); err != nil || len(v) == 0 {
			t.Errorf("dashboard query %s: %v, %d series; want some", q, err, len(v))
		}
	}

	// The linger ends on SIGTERM, as when Kubernetes stops a pod.
	for _, g := range gens {
		_ = g.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, g := range gens {
		if code := g.exit(t, 30*time.Second); code != 0 {
			t.Errorf("%s: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", g.name, code, g.stdout.String(), g.stderr.String())
		}
	}
	// The README's query after the run: the shards are gone and their
	// series stale; the last value of each is the final one. Wait for a
	// failed scrape of every shard first, so that it is asked of stale series.
	promWait("a failed scrape of every stopped shard", func() bool {
		var data promTargets
		if promGet(ctx, promURL, "/api/v1/targets", url.Values{"state": {"active"}}, &data) != nil {
			return false
		}
		down := 0
		for _, tg := range data.ActiveTargets {
			if tg.Health == "down" {
				down++
			}
		}
		return down == shards
	})
	after := math.NaN()
	if v, err := promQuery(ctx, promURL, "sum(last_over_time(jmcheck_requests_total[5m]))"); err != nil || len(v) != 1 {
		t.Errorf("sum(last_over_time(jmcheck_requests_total[5m])) after the run: %v %v, want one value", v, err)
	} else if after = v.value(0); after != promSum {
		t.Errorf("after the run Prometheus's last values sum to %g, during the linger %g", after, promSum)
	}

	// The shards' own summaries.
	var (
		sumRequests, sumFailed uint64
		sumRoutes              = map[string]uint64{}
		sumAnswers             = map[[2]int]uint64{}
		files                  []string
	)
	for i := range shards {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("summary-%d.json", i)))
		if err != nil {
			t.Fatalf("shard %d wrote no summary: %v", i, err)
		}
		var s simSummary
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("summary-%d.json: %v", i, err)
		}
		if want := fmt.Sprintf("%d/%d", i, shards); s.Shard != want {
			t.Errorf("summary-%d.json: shard %q, want %q", i, s.Shard, want)
		}
		if s.Requests < perHits*95/100 || s.Requests > perHits {
			t.Errorf("shard %d sent %d requests, want about %d (30/s for 4s)", i, s.Requests, perHits)
		}
		if s.Cleanup == nil || s.Cleanup.Left != 0 {
			t.Errorf("shard %d: cleanup %+v, want nothing left", i, s.Cleanup)
		}
		if got := promShards[strconv.Itoa(i)]; got != float64(s.Requests) {
			t.Errorf("Prometheus has %g requests for shard %d, its summary %d", got, i, s.Requests)
		}
		sumRequests += s.Requests
		sumFailed += s.Failed
		for _, r := range s.Routes {
			sumRoutes[r.Route] += r.Requests
		}
		for _, a := range s.Answers {
			sumAnswers[[2]int{a.Status, a.Code}] += a.Count
		}
		files = append(files, filepath.Join(dir, fmt.Sprintf("shard-%d.gob", i)))
	}

	// One merged report over the three result files.
	var stdout, stderr bytes.Buffer
	if err := run(ctx, append([]string{"report", "--format", "json"}, files...), &stdout, &stderr); err != nil {
		t.Fatalf("jmcheck report: %v\n%s", err, stderr.String())
	}
	var merged simSummary
	if err := json.Unmarshal(stdout.Bytes(), &merged); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	if merged.Requests != sumRequests || merged.Failed != sumFailed || merged.Failed != 0 {
		t.Errorf("merged report: %d requests, %d failed; the shards' summaries add up to %d and %d (want 0 failed)", merged.Requests, merged.Failed, sumRequests, sumFailed)
	}
	for _, r := range merged.Routes {
		if sumRoutes[r.Route] != r.Requests {
			t.Errorf("route %s: merged %d, shards add up to %d", r.Route, r.Requests, sumRoutes[r.Route])
		}
		delete(sumRoutes, r.Route)
	}
	if len(sumRoutes) != 0 {
		t.Errorf("routes in the shards' summaries but not in the merged report: %v", sumRoutes)
	}
	for _, a := range merged.Answers {
		k := [2]int{a.Status, a.Code}
		if sumAnswers[k] != a.Count {
			t.Errorf("answer %d %d: merged %d, shards add up to %d", a.Status, a.Code, a.Count, sumAnswers[k])
		}
		if a.Code == 899001 {
			t.Errorf("%d answers 403 899001: a shard registered a name that exists", a.Count)
		}
	}
	if diff := math.Abs(promSum-float64(merged.Requests)) / float64(merged.Requests); diff > 0.01 {
		t.Errorf("Prometheus sums %g requests over the shards, the merged report %d: %.2f%% apart, want within 1%%", promSum, merged.Requests, diff*100)
	}

	// No shard's data collides with another's: every username a shard's
	// requests name is under its own prefix.
	names := map[string]int{} // username -> shard
	for i, f := range files {
		prefix := fmt.Sprintf("%s-%d-", runID, i)
		n, err := usernamesIn(f, func(name string) {
			if !strings.HasPrefix(name, prefix) {
				t.Errorf("shard %d named %s, outside its prefix %s", i, name, prefix)
			}
			if other, ok := names[name]; ok && other != i {
				t.Errorf("shards %d and %d both named %s", other, i, name)
			}
			names[name] = i
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("shard %d: no request names a user", i)
		}
	}
	status, body, err := call(ctx, http.MethodGet, base+"/v1/users/?start=0&count=1", appKey+":"+secret, nil)
	if err != nil || status != 200 || !strings.Contains(body, `"total":0`) {
		t.Errorf("after the run the server lists %d %s %v, want no user left", status, body, err)
	}
	t.Logf("shards sent %d requests (Prometheus by shard %v); merged report %d requests, %d routes, %.2f/s merged, %.2f/s sum of the shards' rates; Prometheus sum %g (after the run, last values %g); cluster rate by route over [1m] %.2f/s, peak over 2s windows %.1f/s; %d distinct usernames; warnings %q",
		sumRequests, promShards, merged.Requests, len(merged.Routes), merged.Rate.Achieved, merged.Rate.ShardSum, promSum, after, clusterRate, peak, len(names), merged.Warnings)
}

// usernamesIn calls f for the username in the path of every request of a
// result file that names one (/v1/users/{username}...), and counts them.
func usernamesIn(path string, f func(string)) (int, error) {
	file, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	dec := vegeta.NewDecoder(bufio.NewReader(file))
	n := 0
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, fmt.Errorf("%s: %w", path, err)
		}
		u, err := url.Parse(r.URL)
		if err != nil {
			return n, err
		}
		rest, ok := strings.CutPrefix(u.Path, "/v1/users/")
		if !ok || rest == "" {
			continue
		}
		name, _, _ := strings.Cut(rest, "/")
		f(name)
		n++
	}
}

// TestReportMergesShardFiles merges two shard files named by a pattern
// that no shell expanded, and warns on stderr when their clocks disagree.
func TestReportMergesShardFiles(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	write := func(name string, start time.Time) {
		t.Helper()
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		enc := vegeta.NewEncoder(f)
		for i := range 101 {
			r := vegeta.Result{Attack: "mixed-" + strings.TrimSuffix(name, ".gob"), Seq: uint64(i), Code: 200, Method: "GET",
				URL: "http://127.0.0.1:1/v1/users/u" + strconv.Itoa(i), Timestamp: start.Add(time.Duration(i) * 100 * time.Millisecond), Latency: time.Millisecond}
			if err := enc.Encode(&r); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]struct {
		offset   time.Duration
		wantWarn bool
	}{
		"Together": {offset: 30 * time.Millisecond},
		"Skewed":   {offset: 3 * time.Second, wantWarn: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			write("shard0.gob", t0)
			write("shard1.gob", t0.Add(c.offset))
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), []string{"report", "--format", "json", filepath.Join(dir, "shard*.gob")}, &stdout, &stderr); err != nil {
				t.Fatalf("report: %v\n%s", err, stderr.String())
			}
			var sum simSummary
			if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
				t.Fatal(err)
			}
			if sum.Requests != 202 || math.Abs(sum.Rate.ShardSum-20) > 0.01 {
				t.Errorf("got %d requests, sum of rates %.2f; want 202 and 20/s", sum.Requests, sum.Rate.ShardSum)
			}
			warned := strings.Contains(stderr.String(), "warning: shard clocks disagree")
			if warned != c.wantWarn || (len(sum.Warnings) == 1) != c.wantWarn {
				t.Errorf("warned %v (report warnings %q), want %v\nstderr: %s", warned, sum.Warnings, c.wantWarn, stderr.String())
			}
		})
	}
}

// localPromConfig returns deploy/prometheus-local.yml with the shards on
// addrs and the given scrape interval.
func localPromConfig(t *testing.T, addrs []string, interval string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "prometheus-local.yml"))
	if err != nil {
		t.Fatalf("the local walkthrough's scrape configuration: %v", err)
	}
	config := string(b)
	for i, addr := range addrs {
		old := fmt.Sprintf("127.0.0.1:%d", 9465+i)
		if !strings.Contains(config, old) {
			t.Fatalf("deploy/prometheus-local.yml has no target %s for shard %d", old, i)
		}
		config = strings.Replace(config, old, addr, 1)
	}
	for _, key := range []string{"scrape_interval: ", "scrape_timeout: "} {
		re := regexp.MustCompile(key + `\S+`)
		if !re.MatchString(config) {
			t.Fatalf("deploy/prometheus-local.yml sets no %s", key)
		}
		config = re.ReplaceAllString(config, key+interval)
	}
	return config
}

// dashboardQueries returns the PromQL of every panel of
// deploy/grafana-dashboard.json, after checking the dashboard's shape: a
// Prometheus datasource variable that every panel and query uses.
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	type datasource struct{ Type, UID string }
	var dash struct {
		UID        string `json:"uid"`
		Templating struct {
			List []struct{ Name, Type, Query any }
		}
		Panels []struct {
			Title      string
			Datasource datasource
			Targets    []struct {
				Expr       string
				Datasource datasource
			}
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("deploy/grafana-dashboard.json: %v", err)
	}
	hasVar := false
	for _, v := range dash.Templating.List {
		hasVar = hasVar || (v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus")
	}
	if !hasVar || dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatalf("dashboard: datasource variable %v, uid %q, %d panels; want a prometheus datasource variable, a uid and panels", hasVar, dash.UID, len(dash.Panels))
	}
	want := datasource{Type: "prometheus", UID: "${datasource}"}
	var exprs []string
	for _, p := range dash.Panels {
		if p.Datasource != want || len(p.Targets) == 0 {
			t.Errorf("panel %q: datasource %+v, %d queries; want %+v and queries", p.Title, p.Datasource, len(p.Targets), want)
		}
		for _, q := range p.Targets {
			if q.Datasource != want || q.Expr == "" {
				t.Errorf("panel %q: query %q on %+v, want one on %+v", p.Title, q.Expr, q.Datasource, want)
			}
			exprs = append(exprs, q.Expr)
		}
	}
	return exprs
}

// TestDeployFiles checks the shape of deploy/'s files that need no
// cluster: the dashboard, and the local scrape configuration with
// promtool when it is installed.
func TestDeployFiles(t *testing.T) {
	if n := len(dashboardQueries(t)); n < 10 {
		t.Errorf("the dashboard has %d queries, want its panels' dozen", n)
	}
	config := localPromConfig(t, []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"}, "5s")
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian package prometheus): the scrape configuration is not checked")
	}
	path := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, filepath.Join("..", "..", "deploy", "prometheus-local.yml")} {
		if out, err := exec.Command(promtool, "check", "config", f).CombinedOutput(); err != nil {
			t.Errorf("promtool check config %s: %v\n%s", f, err, out)
		}
	}
}
