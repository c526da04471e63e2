// Command bench measures the load generator: the CPU it spends per
// request at a constant rate against a trivial loopback endpoint, beside
// the vegeta CLI, hey and bombardier in the same run; the highest constant
// rate at which jmcheck keeps 99% of its target against the embedded
// reference server's GET user; and jmcheck's RSS over a long constant-rate
// run. It serves the trivial endpoint itself and runs every generator as a
// child process, so getrusage of the child is the generator alone.
//
//	go build -o /tmp/jmcheck ./cmd/jmcheck
//	go run ./load/bench -jmcheck /tmp/jmcheck -mode cpu -rate 10000 -duration 5s
//	go run ./load/bench -jmcheck /tmp/jmcheck -mode maxrate
//	go run ./load/bench -jmcheck /tmp/jmcheck -mode rss -rate 2000 -duration 60s
//
// vegeta, hey and bombardier are looked up on PATH and in $GOPATH/bin;
// missing ones are skipped with a note (install them with go install
// github.com/tsenart/vegeta/v12@v12.13.0, github.com/rakyll/hey@latest,
// github.com/codesenberg/bombardier@latest).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"jmcheck/spec"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

const (
	appKey = "benchkey"
	secret = "benchsecret"
	auth   = "Basic YmVuY2hrZXk6YmVuY2hzZWNyZXQ=" // benchkey:benchsecret
)

func main() {
	var (
		jm       = flag.String("jmcheck", "", "path of the jmcheck binary (go build -o /tmp/jmcheck ./cmd/jmcheck)")
		mode     = flag.String("mode", "cpu", "cpu: CPU per request of each generator; maxrate: highest rate at 99% of target on the reference server; rss: jmcheck's RSS over a run; serve: only serve the trivial endpoint for -duration (to profile by hand)")
		rate     = flag.Int("rate", 10000, "requests per second")
		duration = flag.Duration("duration", 5*time.Second, "length of each run")
		only     = flag.String("only", "", "comma-separated generators to run in cpu mode (jmcheck,vegeta,hey,bombardier); default all")
	)
	flag.Parse()
	if *jm == "" && *mode != "serve" {
		fmt.Fprintln(os.Stderr, "bench: give -jmcheck PATH (build it with go build -o /tmp/jmcheck ./cmd/jmcheck)")
		os.Exit(2)
	}
	var err error
	switch *mode {
	case "cpu":
		err = cpuMode(*jm, *rate, *duration, *only)
	case "maxrate":
		err = maxRateMode(*jm, *duration)
	case "rss":
		err = rssMode(*jm, *rate, *duration)
	case "serve":
		err = serveMode(*duration)
	default:
		err = fmt.Errorf("unknown -mode %q: want cpu, maxrate or rss", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// trivial is the endpoint every generator hits: just enough of the API for
// jmcheck's preflight, seeding, GET user with its checks, verification and
// cleanup, answered from memory.
type trivial struct {
	mu    sync.Mutex
	users []string
}

func (t *trivial) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != auth {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		w.Write([]byte(`{"error":{"code":` + spec.CodeMissingAuth.String() + `,"message":"auth"}}`))
		return
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case p == "/v1/users" && r.Method == http.MethodGet:
		start, _ := strconv.Atoi(r.URL.Query().Get("start"))
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		t.mu.Lock()
		end := min(len(t.users), start+count)
		page := []string{}
		if start < end {
			page = append(page, t.users[start:end]...)
		}
		total := len(t.users)
		t.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"total": total, "start": start, "count": len(page), "users": page})
		w.Write(b)
	case p == "/v1/users" && r.Method == http.MethodPost:
		var items []struct{ Username string }
		json.NewDecoder(r.Body).Decode(&items)
		out := make([]map[string]string, len(items))
		t.mu.Lock()
		for i, it := range items {
			t.users = append(t.users, it.Username)
			out[i] = map[string]string{"username": it.Username}
		}
		t.mu.Unlock()
		b, _ := json.Marshal(out)
		w.WriteHeader(201)
		w.Write(b)
	case strings.HasPrefix(p, "/v1/users/") && r.Method == http.MethodGet:
		name := p[len("/v1/users/"):]
		w.Write([]byte(`{"username":"` + name + `","ctime":"2015-01-01 00:00:00","mtime":"2015-01-01 00:00:00"}`))
	case strings.HasPrefix(p, "/v1/users/") && r.Method == http.MethodDelete:
		w.WriteHeader(204)
	default:
		w.WriteHeader(404)
		w.Write([]byte(`{"error":{"code":` + spec.CodeInvalid.String() + `,"message":"not here"}}`))
	}
}

func serveTrivial() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: &trivial{}, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// measurement is one generator's run.
type measurement struct {
	name     string
	command  string
	requests uint64
	cpu      time.Duration
	maxRSS   int64 // KiB
	wall     time.Duration
	note     string
}

func (m measurement) perRequest() float64 {
	if m.requests == 0 {
		return 0
	}
	return float64(m.cpu.Microseconds()) / float64(m.requests)
}

// runChild runs a command and returns its stdout, CPU and peak RSS.
func runChild(name string, args []string, stdin []byte) ([]byte, time.Duration, int64, time.Duration, error) {
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if cmd.ProcessState == nil {
		return nil, 0, 0, wall, fmt.Errorf("%s: %w", name, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return out.Bytes(), cpu, ru.Maxrss, wall, fmt.Errorf("%s: %w: %s", name, err, errb.String())
		}
	}
	return out.Bytes(), cpu, ru.Maxrss, wall, nil
}

func find(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

func cpuMode(jm string, rate int, d time.Duration, only string) error {
	base, stop, err := serveTrivial()
	if err != nil {
		return err
	}
	defer stop()
	url := base + "/v1/users/u0001"
	want := func(n string) bool { return only == "" || strings.Contains(","+only+",", ","+n+",") }
	secs := strconv.Itoa(int(d.Seconds()))
	var ms []measurement

	for _, variant := range []struct{ name, cpus string }{
		{"jmcheck load (checks every body)", ""},
		{"jmcheck load --cpus " + strconv.Itoa(runtime.NumCPU()) + " (all CPUs)", strconv.Itoa(runtime.NumCPU())},
	} {
		if !want("jmcheck") {
			break
		}
		sumFile := filepath.Join(os.TempDir(), "bench-jmcheck-summary.json")
		args := []string{"load", "mixed", "--target", base, "--appkey", appKey, "--secret", secret,
			"--mix", "get-user=1", "--seed", "10", "--rate", strconv.Itoa(rate) + "/1s", "--duration", d.String(),
			"--quiet", "--summary-json", sumFile}
		if variant.cpus != "" {
			args = append(args, "--cpus", variant.cpus)
		}
		_, cpu, rss, wall, err := runChild(jm, args, nil)
		m := measurement{name: variant.name, command: "jmcheck " + strings.Join(args, " "), cpu: cpu, maxRSS: rss, wall: wall}
		if err != nil {
			m.note = err.Error()
		} else if s, err := readSummary(sumFile); err != nil {
			m.note = err.Error()
		} else {
			m.requests = s.Requests
			if s.Failed > 0 || !s.Pass {
				m.note = fmt.Sprintf("%d failed; pass=%v", s.Failed, s.Pass)
			}
			m.note += fmt.Sprintf(" achieved %.0f/s (%.1f%% of plan)", s.Rate.Achieved, s.Rate.Ratio*100)
		}
		ms = append(ms, m)
	}
	if p := find("vegeta"); want("vegeta") && p != "" {
		targets := []byte("GET " + url + "\nAuthorization: " + auth + "\n")
		args := []string{"attack", "-rate", strconv.Itoa(rate) + "/1s", "-duration", d.String()}
		out, cpu, rss, wall, err := runChild(p, args, targets)
		m := measurement{name: "vegeta attack (CLI, results to a pipe)", command: "vegeta " + strings.Join(args, " ") + " > results.bin", cpu: cpu, maxRSS: rss, wall: wall}
		if err != nil {
			m.note = err.Error()
		} else {
			m.requests, m.note = vegetaCount(p, out)
		}
		ms = append(ms, m)
	} else if want("vegeta") {
		ms = append(ms, measurement{name: "vegeta", note: "not installed: go install github.com/tsenart/vegeta/v12@v12.13.0"})
	}
	if p := find("hey"); want("hey") && p != "" {
		const workers = 50
		args := []string{"-z", d.String(), "-c", strconv.Itoa(workers), "-q", strconv.Itoa(rate / workers), "-H", "Authorization: " + auth, url}
		out, cpu, rss, wall, err := runChild(p, args, nil)
		m := measurement{name: "hey", command: "hey " + strings.Join(args, " "), cpu: cpu, maxRSS: rss, wall: wall}
		if err != nil {
			m.note = err.Error()
		} else {
			m.requests = heyCount(out)
		}
		ms = append(ms, m)
	} else if want("hey") {
		ms = append(ms, measurement{name: "hey", note: "not installed: go install github.com/rakyll/hey@latest"})
	}
	if p := find("bombardier"); want("bombardier") && p != "" {
		args := []string{"-c", "50", "-d", secs + "s", "-r", strconv.Itoa(rate), "-H", "Authorization: " + auth, "-p", "r", "-o", "j", url}
		out, cpu, rss, wall, err := runChild(p, args, nil)
		m := measurement{name: "bombardier", command: "bombardier " + strings.Join(args, " "), cpu: cpu, maxRSS: rss, wall: wall}
		if err != nil {
			m.note = err.Error()
		} else {
			m.requests = bombardierCount(out)
		}
		ms = append(ms, m)
	} else if want("bombardier") {
		ms = append(ms, measurement{name: "bombardier", note: "not installed: go install github.com/codesenberg/bombardier@latest"})
	}

	fmt.Printf("Generator CPU per request, constant %d/s for %s against a trivial loopback endpoint (%s)\n\n", rate, d, base)
	tw := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "generator\trequests\tCPU (user+sys)\tµs/request\tmax RSS\tnote")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f\t%d MiB\t%s\n", m.name, m.requests, m.cpu.Round(time.Millisecond), m.perRequest(), m.maxRSS/1024, m.note)
	}
	tw.Flush()
	fmt.Println()
	for _, m := range ms {
		if m.command != "" {
			fmt.Printf("  %s\n", m.command)
		}
	}
	return nil
}

type summary struct {
	Requests uint64 `json:"requests"`
	Failed   uint64 `json:"failed"`
	Pass     bool   `json:"pass"`
	Rate     struct {
		Target   float64 `json:"target"`
		Achieved float64 `json:"achieved"`
		Ratio    float64 `json:"ratio"`
	} `json:"rate"`
	Latency struct {
		P50 time.Duration `json:"50th"`
		P99 time.Duration `json:"99th"`
	} `json:"latency"`
}

func readSummary(path string) (*summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("summary %s: %w", path, err)
	}
	return &s, nil
}

func vegetaCount(vegeta string, results []byte) (uint64, string) {
	cmd := exec.Command(vegeta, "report", "-type", "json")
	cmd.Stdin = bytes.NewReader(results)
	out, err := cmd.Output()
	if err != nil {
		return 0, "vegeta report: " + err.Error()
	}
	var r struct {
		Requests uint64  `json:"requests"`
		Success  float64 `json:"success"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return 0, "vegeta report: " + err.Error()
	}
	return r.Requests, fmt.Sprintf("success %.1f%%", r.Success*100)
}

var heyRE = regexp.MustCompile(`\[(\d{3})\]\s+(\d+) responses`)

func heyCount(out []byte) uint64 {
	var n uint64
	for _, m := range heyRE.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseUint(string(m[2]), 10, 64)
		n += v
	}
	return n
}

func bombardierCount(out []byte) uint64 {
	var r struct {
		Result struct {
			Req1xx, Req2xx, Req3xx, Req4xx, Req5xx, Others uint64
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return 0
	}
	x := r.Result
	return x.Req1xx + x.Req2xx + x.Req3xx + x.Req4xx + x.Req5xx + x.Others
}

// serveMode serves the trivial endpoint for d and prints its URL.
func serveMode(d time.Duration) error {
	base, stop, err := serveTrivial()
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("%s --appkey %s --secret %s\n", base, appKey, secret)
	time.Sleep(d)
	return nil
}

// maxRateMode searches the highest constant rate at which jmcheck sends
// 99% of its plan with every GET user answered right, against the embedded
// reference server (started by jmcheck itself, in the same process).
func maxRateMode(jm string, d time.Duration) error {
	try := func(rate int) (*summary, error) {
		sumFile := filepath.Join(os.TempDir(), "bench-jmcheck-maxrate.json")
		args := []string{"load", "mixed", "--mix", "get-user=1", "--seed", "100", "--rate", strconv.Itoa(rate) + "/1s",
			"--duration", d.String(), "--quiet", "--summary-json", sumFile}
		os.Remove(sumFile)
		_, _, _, _, err := runChild(jm, args, nil)
		if err != nil {
			return nil, err
		}
		return readSummary(sumFile)
	}
	ok := func(s *summary) bool {
		return s.Failed == 0 && s.Rate.Ratio >= 0.99 && s.Rate.Achieved >= 0.99*s.Rate.Target
	}
	fmt.Printf("Highest constant rate at 99%% of target, GET /v1/users/{username} on the embedded reference server, %s per step\n\n", d)
	tw := tabwriter.NewWriter(os.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "target/s\tachieved/s\tsent/planned\tfailed\tp50\tp99\tverdict")
	report := func(rate int, s *summary) {
		v := "below 99%"
		if ok(s) {
			v = "ok"
		}
		fmt.Fprintf(tw, "%d\t%.0f\t%.1f%%\t%d\t%s\t%s\t%s\n", rate, s.Rate.Achieved, s.Rate.Ratio*100, s.Failed, s.Latency.P50, s.Latency.P99, v)
		tw.Flush()
	}
	lo, hi := 0, 0
	for rate := 1000; rate <= 64000; rate *= 2 {
		s, err := try(rate)
		if err != nil {
			return err
		}
		report(rate, s)
		if !ok(s) {
			hi = rate
			break
		}
		lo = rate
	}
	if hi == 0 {
		fmt.Printf("\nstill at 99%% at %d/s\n", lo)
		return nil
	}
	for hi-lo > max(lo/20, 250) {
		mid := (lo + hi) / 2
		s, err := try(mid)
		if err != nil {
			return err
		}
		report(mid, s)
		if ok(s) {
			lo = mid
		} else {
			hi = mid
		}
	}
	fmt.Printf("\nhighest rate at 99%% of target: %d/s (fails at %d/s)\n", lo, hi)
	return nil
}

// rssMode runs jmcheck at a constant rate against the trivial endpoint and
// samples its resident set size at 10 s and at the end.
func rssMode(jm string, rate int, d time.Duration) error {
	base, stop, err := serveTrivial()
	if err != nil {
		return err
	}
	defer stop()
	args := []string{"load", "mixed", "--target", base, "--appkey", appKey, "--secret", secret,
		"--mix", "get-user=1", "--seed", "10", "--rate", strconv.Itoa(rate) + "/1s", "--duration", d.String(), "--quiet"}
	cmd := exec.Command(jm, args...)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type point struct {
		at  time.Duration
		rss int64
	}
	var pts []point
	done := make(chan struct{})
	go func() {
		defer close(done)
		t0 := time.Now()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if rss, err := vmRSS(cmd.Process.Pid); err == nil {
					pts = append(pts, point{time.Since(t0).Round(time.Second), rss})
				}
			}
		}
	}()
	err = cmd.Wait()
	cancel()
	<-done
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return err
		}
	}
	fmt.Printf("jmcheck RSS, constant %d/s GET user with checks for %s against a trivial loopback endpoint\n\n", rate, d)
	fmt.Printf("  command: jmcheck %s\n\n", strings.Join(args, " "))
	for _, p := range pts {
		if p.at%(5*time.Second) == 0 || p.at == d {
			fmt.Printf("  after %4s: %6.1f MiB\n", p.at, float64(p.rss)/1024)
		}
	}
	return nil
}

func vmRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmRSS:") {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 {
				return strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	return 0, errors.New("no VmRSS")
}
