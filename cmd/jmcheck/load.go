package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/exitcode"
	"jmcheck/load"
	"jmcheck/reports"
)

// defaultOverloadInflight is the embedded server's MaxInflight for the
// overload profile: low enough that the default ramp passes it on a laptop.
const defaultOverloadInflight = 4

// thresholdFlags collects repeated --threshold flags, parsed as they come
// so that a bad one is a usage error before anything runs.
type thresholdFlags []load.Threshold

func (t *thresholdFlags) String() string { return "" }

func (t *thresholdFlags) Set(s string) error {
	th, err := load.ParseThreshold(s)
	if err != nil {
		return err
	}
	*t = append(*t, th)
	return nil
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf targetFlags
	tf.register(fs)
	var (
		rate         = fs.String("rate", "", "constant `RATE` such as 200/1s, 12000/1m or 200 (per second)")
		ramp         = fs.String("ramp", "", "linear ramp `FROM:TO` over --duration, such as 10/1s:500/1s")
		stairs       = fs.String("stairs", "", "staircase: `FROM:TO:STEP` over --duration (such as 100:500:100), or RATE@HOLD,… (such as 100@10s,200@10s,400@20s; --duration then defaults to the holds' sum)")
		duration     = fs.Duration("duration", 10*time.Second, "how long the attack runs")
		maxRequests  = fs.Uint64("max-requests", 0, "stop after `N` requests (0: no cap; the run still stops at --duration)")
		workers      = fs.Uint64("workers", vegeta.DefaultWorkers, "initial number of vegeta workers")
		maxWorkers   = fs.Uint64("max-workers", 0, "cap on vegeta workers (0: unlimited, the only setting where latencies are not understated under slow answers)")
		timeout      = fs.Duration("timeout", 10*time.Second, "per-request timeout: no complete answer in time is a timeout failure")
		transport    = fs.String("transport", load.TransportFast, "HTTP client of the attack: fast (lean HTTP/1.1, checks in place) or std (net/http)")
		batch        = fs.Int("batch", 0, "users per register request, 1..500 (default: 500 for register-batch, 1 in mixed)")
		oversize     = fs.Float64("oversize-ratio", 0, "register-batch: share `R` (0..1) of requests that carry 501 users and must answer 403 899013")
		seed         = fs.Int("seed", 0, "paginate-users/-groups: users/groups to seed (default 5000/1000); mixed, overload: size of the user pool (default 100)")
		order        = fs.String("order", load.OrderSequential, "paginate: page order, sequential (tiling checked), random or deep (the last tenth of the list)")
		count        = fs.Int("count", 500, "paginate: page size, 1..500")
		mix          = fs.String("mix", "", "mixed, overload: operation weights such as get-user=5,register=1 (replaces the default mix; see the list below)")
		allowShed    = fs.Bool("allow-shed", false, "count 503 899030 with Retry-After as expected in any profile (always on in overload)")
		output       = fs.String("output", "", "write vegeta-compatible results to `FILE` (vegeta report / vegeta plot / jmcheck report read it)")
		outputFormat = fs.String("output-format", load.FormatGob, "format of --output: gob, json or csv")
		summaryJSON  = fs.String("summary-json", "", "write the summary as JSON to `FILE`")
		htmlOut      = fs.String("html", "", "write the HTML report to `FILE` as well")
		metricsAddr  = fs.String("metrics-addr", "", "serve Prometheus metrics on `ADDR` (such as 127.0.0.1:9464) at /metrics during the run")
		linger       = fs.Duration("metrics-linger", 0, "keep serving --metrics-addr this long after the run ends, so that Prometheus scrapes the final values (use twice the scrape interval, such as 30s on Kubernetes; Ctrl-C or SIGTERM ends it early)")
		shardFlag    = fs.String("shard", "", "run as shard `i/n` of a distributed run: 1/n of the rate, --max-requests and --seed, names of its own (default: env JOB_COMPLETION_INDEX / JOB_COMPLETIONS of a Kubernetes Indexed Job)")
		pushgateway  = fs.String("pushgateway", "", "push the metrics once at the end to the Pushgateway at `URL`, grouped by job and run_id")
		pushJob      = fs.String("push-job", "jmcheck", "job name of the push")
		runID        = fs.String("run-id", os.Getenv("JMCHECK_RUN_ID"), "prefix of every name the run creates: a letter, then up to 15 letters or digits, or a UUID such as a Kubernetes Job's uid, which becomes j + its first 8 hex digits (env JMCHECK_RUN_ID); default: a fresh random one. Give the shards of one run the same one")
		noCleanup    = fs.Bool("no-cleanup", false, "leave what the run created in place (its names start with the run id)")
		cleanupRate  = fs.Float64("cleanup-rate", 0, "requests per second of verification and cleanup (0: 5000 on the embedded server, 500 otherwise)")
		cleanupTime  = fs.Duration("cleanup-timeout", 10*time.Minute, "bound on verification plus cleanup")
		quiet        = fs.Bool("quiet", false, "no progress bars or phase lines on stderr")
		minSent      = fs.Float64("min-sent", 95, "`PERCENT` of the planned requests the generator must send, else the run fails (0: no check; lower it on a busy machine)")
		inflight     = fs.Int("embedded-max-inflight", -1, fmt.Sprintf("embedded server only: requests in flight past which it sheds with 503 899030 (-1: %d for overload, unlimited otherwise; 0: unlimited)", defaultOverloadInflight))
		cpuProfile   = fs.String("cpuprofile", "", "write a CPU profile of the generator to `FILE` (go tool pprof)")
		cpus         = fs.Int("cpus", 0, "CPUs the generator uses (GOMAXPROCS); 0: one per 20000 requests/s of peak rate against a --target, all with the embedded server")
		thresholds   thresholdFlags
	)
	fs.Var(&thresholds, "threshold", "gate the run with `EXPR`, repeatable: 'p99<250ms', 'errors<0.1%', 'rate>=99%', 'GET /v1/users/{username}: p99<50ms' (see above)")
	fs.Usage = func() { loadUsage(fs) }

	profile := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		profile, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *timeout <= 0:
		return exitcode.Newf(exitcode.Usage, "--timeout %s: want a positive duration such as 10s", *timeout)
	case *cleanupRate < 0:
		return exitcode.Newf(exitcode.Usage, "--cleanup-rate %v: want requests per second, or 0 for the default", *cleanupRate)
	case *cpus < 0:
		return exitcode.Newf(exitcode.Usage, "--cpus %d: want a number of CPUs, or 0 to size it from the rate", *cpus)
	}
	if *minSent < 0 || *minSent > 100 {
		return exitcode.Newf(exitcode.Usage, "--min-sent %v: want a percentage from 0 (no check) to 100", *minSent)
	}
	if profile == "" {
		fs.Usage()
		return exitcode.Newf(exitcode.Usage, "load: no profile given: want one of %s", strings.Join(load.ProfileNames(), ", "))
	}
	opts := load.Options{Batch: *batch, OversizeRatio: *oversize, Seed: *seed, Order: *order, Count: *count, AllowShed: *allowShed}
	if *mix != "" {
		m, err := load.ParseMix(*mix)
		if err != nil {
			return exitcode.New(exitcode.Usage, err)
		}
		opts.Mix = m
	}
	durationSet := false
	fs.Visit(func(f *flag.Flag) { durationSet = durationSet || f.Name == "duration" })
	if !durationSet && strings.Contains(*stairs, "@") {
		// Explicit stairs say how long they last: run them all.
		if total, ok := stairsTotal(*stairs); ok {
			*duration = total
		}
	}
	pacing, err := loadPacing(profile, *rate, *ramp, *stairs, *duration, *maxRequests)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if *runID, err = loadRunID(*runID); err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	shard, shardFrom, err := loadShard(*shardFlag, os.Getenv)
	if err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if *linger < 0 {
		return exitcode.Newf(exitcode.Usage, "--metrics-linger %s: must be 0 or more", *linger)
	}
	if *linger > 0 && *metricsAddr == "" {
		return exitcode.Newf(exitcode.Usage, "--metrics-linger %s: it keeps --metrics-addr serving; give --metrics-addr too", *linger)
	}
	// {shard} in a file name stands for the shard index.
	for _, p := range []*string{output, summaryJSON, htmlOut, cpuProfile} {
		*p = load.ShardPath(*p, shard)
	}
	// Files written at the end, and the Pushgateway, are checked now: a
	// typo must not surface only after a long run.
	for _, f := range []struct{ flag, path string }{{"--summary-json", *summaryJSON}, {"--html", *htmlOut}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(filepath.Dir(f.path)); err != nil || !st.IsDir() {
			return exitcode.Newf(exitcode.Usage, "%s %s: its directory %s does not exist: create it or pick another path", f.flag, f.path, filepath.Dir(f.path))
		}
	}
	if *pushgateway != "" {
		raw := *pushgateway
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw // as push.New reads it
		}
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return exitcode.Newf(exitcode.Usage, "--pushgateway %q: want the Pushgateway's URL, such as http://127.0.0.1:9091", *pushgateway)
		}
	}
	if *inflight >= 0 && tf.url != "" {
		return exitcode.Newf(exitcode.Usage, "--embedded-max-inflight is for the embedded server; %s sheds as it is configured", tf.url)
	}
	if *inflight < 0 {
		*inflight = 0
		if profile == load.ProfileOverload {
			*inflight = defaultOverloadInflight
		}
	}
	var enc vegeta.Encoder
	var resultsFile *os.File
	var resultsBuf *bufio.Writer
	if *output != "" {
		f, err := os.Create(*output)
		if err != nil {
			return exitcode.Newf(exitcode.Usage, "--output: %w", err)
		}
		resultsFile, resultsBuf = f, bufio.NewWriterSize(f, 256<<10)
		if enc, err = load.NewEncoder(resultsBuf, *outputFormat); err != nil {
			f.Close()
			return exitcode.New(exitcode.Usage, err)
		}
		defer resultsFile.Close() // closed after the run; this is for early returns
	}
	// Every series carries the shard, so that Prometheus sums the shards
	// of a run: sum by (route) (rate(jmcheck_requests_total[1m])).
	metrics, err := load.NewMetrics(profile, prometheus.Labels{"shard": shard.Label()})
	if err != nil {
		return err
	}
	cfg := load.Config{
		Profile: profile, Options: opts, Pacing: pacing, Shard: shard,
		Workers: *workers, MaxWorkers: *maxWorkers, Timeout: *timeout, RunID: *runID, Transport: *transport,
		Results: enc, Metrics: metrics, Thresholds: thresholds,
		NoCleanup: *noCleanup, CleanupRate: *cleanupRate, CleanupTimeout: *cleanupTime,
		MinRateRatio: minSentRatio(*minSent),
	}
	if !*quiet {
		cfg.Progress, cfg.Log = stderr, stderr
	}
	// Reject bad flags before a server starts.
	if err := load.CheckConfig(cfg); err != nil {
		return exitcode.New(exitcode.Usage, err)
	}
	if shard.Sharded() && !*quiet {
		fmt.Fprintf(stderr, "shard %s (%s): 1/%d of the rate and of --seed\n", shard, shardFrom, shard.Count)
	}

	t, stop, err := tf.open(ctx, embeddedOptions{MaxInflight: *inflight})
	if err != nil {
		if resultsFile != nil { // no attack: leave no empty result file behind
			resultsFile.Close()
			os.Remove(*output)
		}
		return err
	}
	defer stop()
	cfg.Target = t
	// Fewer Ps means fewer cross-thread wakeups per request: a generator
	// that needs one core runs cheaper on one. The embedded server shares
	// the process, so it keeps every CPU.
	procs := *cpus
	if procs <= 0 {
		procs = generatorProcs(pacing.PeakRate(), t.Embedded)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	if cfg.CleanupRate <= 0 {
		cfg.CleanupRate = 500
		if t.Embedded {
			cfg.CleanupRate = 5000
		}
	}

	if *metricsAddr != "" {
		srv, addr, err := serveMetrics(*metricsAddr, metrics.Handler())
		if err != nil {
			return exitcode.Newf(exitcode.Usage, "--metrics-addr %s: %w", *metricsAddr, err)
		}
		// Runs after the summary is written, whatever the verdict: the
		// last scrape must see the final counts.
		defer func() {
			if *linger > 0 {
				if !*quiet {
					fmt.Fprintf(stderr, "serving metrics on http://%s/metrics for %s more (--metrics-linger)\n", addr, *linger)
				}
				t := time.NewTimer(*linger)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
			}
			srv.Close()
		}()
		if !*quiet {
			fmt.Fprintf(stderr, "metrics on http://%s/metrics\n", addr)
		}
	}

	// A second interrupt abandons verification and cleanup.
	post, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
		case <-finished:
			return
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		select {
		case <-sig:
			fmt.Fprintln(stderr, "second interrupt: abandoning verification and cleanup")
			abandon()
		case <-finished:
		}
	}()
	cfg.PostContext = post

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return exitcode.Newf(exitcode.Usage, "--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return exitcode.Newf(exitcode.Usage, "--cpuprofile: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	sum, runErr := load.Run(ctx, cfg)
	if resultsBuf != nil {
		err := resultsBuf.Flush()
		if cerr := resultsFile.Close(); err == nil {
			err = cerr
		}
		if err != nil && runErr == nil {
			runErr = exitcode.Newf(exitcode.Failed, "--output %s: %w", *output, err)
		}
	}
	if sum == nil {
		return runErr
	}
	if *pushgateway != "" {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := metrics.Push(pctx, *pushgateway, *pushJob, shard.RunID(sum.RunID), nil)
		cancel()
		if err != nil {
			sum.Problems = append(sum.Problems, err.Error())
			sum.Pass = false
		}
	}
	if err := reports.WriteLoadText(stdout, sum); err != nil {
		return err
	}
	if *summaryJSON != "" {
		if err := writeFileWith(*summaryJSON, sum, reports.WriteLoadJSON); err != nil {
			return err
		}
	}
	if *htmlOut != "" {
		if err := writeFileWith(*htmlOut, sum, reports.WriteLoadHTML); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if !sum.Pass {
		return exitcode.Newf(exitcode.Failed, "load %s failed: %s", profile, sum.Problems[0])
	}
	return nil
}

// loadShard returns the shard a load run is: --shard when given, else the
// env of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX and
// JOB_COMPLETIONS), else the whole run. from says where it came from.
func loadShard(flagValue string, getenv func(string) string) (shard load.Shard, from string, err error) {
	if flagValue != "" {
		s, err := load.ParseShard(flagValue)
		if err != nil {
			return load.Shard{}, "", fmt.Errorf("--shard: %w", err)
		}
		return s, "--shard", nil
	}
	s, ok, err := load.ShardFromEnv(getenv(load.EnvCompletionIndex), getenv(load.EnvCompletions))
	if err != nil {
		return load.Shard{}, "", fmt.Errorf("shard from the environment: %w", err)
	}
	if !ok {
		return load.Shard{}, "", nil
	}
	return s, "env " + load.EnvCompletionIndex + "/" + load.EnvCompletions, nil
}

// uuidRE matches a UUID such as a Kubernetes object's uid.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// loadRunID checks a --run-id. A UUID becomes j and its first 8 hex
// digits, so that every pod of a Kubernetes Job can take the Job's uid
// (from the downward API) as the run id they share.
func loadRunID(id string) (string, error) {
	id = strings.TrimSpace(id)
	switch {
	case id == "" || runIDRE.MatchString(id):
		return id, nil
	case uuidRE.MatchString(id):
		return "j" + strings.ToLower(id[:8]), nil
	}
	return "", fmt.Errorf("--run-id %q (or env JMCHECK_RUN_ID): want a letter, then up to 15 letters or digits, or a UUID", id)
}

// stairsTotal is the sum of the holds of explicit stairs (RATE@HOLD,…);
// ok is false when one does not parse, which loadPacing then reports.
func stairsTotal(stairs string) (time.Duration, bool) {
	sp, err := load.ParseStairs(stairs, 0)
	if err != nil {
		return 0, false
	}
	var total time.Duration
	for _, st := range sp.Steps {
		total += st.Hold
	}
	return total, total > 0
}

// loadPacing builds the pacing from the flags; without any it takes the
// profile's default.
func loadPacing(profile, rate, ramp, stairs string, d time.Duration, maxRequests uint64) (load.Pacing, error) {
	given := 0
	for _, s := range []string{rate, ramp, stairs} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return load.Pacing{}, errors.New("give one of --rate, --ramp and --stairs")
	}
	if given == 0 {
		switch profile {
		case load.ProfileRegisterBatch:
			rate = "10/1s"
		case load.ProfilePaginateUsers, load.ProfilePaginateGroups:
			rate = "50/1s"
		case load.ProfileOverload:
			ramp = "50/1s:10000/1s"
		default:
			rate = "100/1s"
		}
	}
	p := load.Pacing{Duration: d, MaxRequests: maxRequests}
	var err error
	switch {
	case rate != "":
		var r vegeta.Rate
		r, err = load.ParseRate(rate)
		p.Pacer = r
	case ramp != "":
		p.Pacer, err = load.ParseRamp(ramp, d)
	default:
		p.Pacer, err = load.ParseStairs(stairs, d)
	}
	if err != nil {
		return load.Pacing{}, err
	}
	return p, p.Validate()
}

// generatorProcs sizes GOMAXPROCS for a peak rate: a core per 20000
// requests per second (about half a core's worth at the measured cost).
func generatorProcs(peak float64, embedded bool) int {
	n := runtime.NumCPU()
	if embedded {
		return n
	}
	return max(1, min(n, int(math.Ceil(peak/20000))))
}

// serveMetrics serves h at /metrics on addr until closed.
func serveMetrics(addr string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, ln.Addr().String(), nil
}

// writeFileWith renders v into a new file.
func writeFileWith[T any](path string, v T, render func(io.Writer, T) error) error {
	f, err := os.Create(path)
	if err != nil {
		return exitcode.Newf(exitcode.Failed, "write %s: %w", path, err)
	}
	w := bufio.NewWriter(f)
	err = render(w, v)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return exitcode.Newf(exitcode.Failed, "write %s: %w", path, err)
	}
	return nil
}

func loadUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `Usage: jmcheck load PROFILE [flags]

Runs a load profile on vegeta's open-model attack engine and checks every
answer against profile v1-2015. With no --target it runs against the embedded
reference server. After the attack it verifies that every user a 201 reported
created exists, then deletes everything the run created (also on Ctrl-C; a
second Ctrl-C abandons the cleanup). Exit 0 pass, 1 failed checks, crossed
thresholds or a generator under 95% of its target rate, 2 bad usage, 3 target
unusable.

Profiles:
`)
	for _, p := range load.Profiles() {
		fmt.Fprintf(w, "  %-16s %s\n  %-16s default: %s\n", p.Name, p.Summary, "", p.Pacing)
	}
	fmt.Fprint(w, `
Operations of --mix (mixed's default weights in brackets):
`)
	for _, m := range load.MixOps() {
		fmt.Fprintf(w, "  %-13s [%2d] %s\n", m.Name, m.Weight, m.What)
	}
	fmt.Fprint(w, `
Thresholds (--threshold, repeatable; a crossed one exits 1, a bad one exits 2):
  p99<250ms, p99.9<=1s, mean<20ms, max<2s   latency over the run
  errors<0.1%  errors<=5                     failed requests, a share or a count
  success>=99.9%                             passed requests, expected errors included
  rate>=99%  rate>=200                       achieved rate: a share of the target, or per second
  requests>=1000                             requests sent
  'GET /v1/users/{username}: p99<50ms'       any of these for one route
Without an errors or success threshold any failed check fails the run.

Distributed runs (see "Running a distributed test" in the README):
  --shard i/n makes this generator one of n: it sends 1/n of the rate (and of
  --max-requests), seeds 1/n of --seed, and creates, verifies and deletes only
  names of its own (RUNID-i-…), so shards never touch each other's data. In a
  Kubernetes Indexed Job the shard comes from JOB_COMPLETION_INDEX and
  JOB_COMPLETIONS (the Job sets the second). {shard} in --output,
  --summary-json, --html and --cpuprofile stands for the shard index. Every
  metric carries a shard label; --metrics-linger keeps /metrics up after the
  run for the last scrape. jmcheck report merges the shards' result files.

Flags:
`)
	fs.PrintDefaults()
	fmt.Fprint(w, `
Examples:
  jmcheck load register-batch --rate 20/1s --duration 30s --oversize-ratio 0.1
  jmcheck load paginate-users --seed 20000 --order sequential --rate 50/1s --threshold 'p99<250ms'
  jmcheck load paginate-groups --seed 2000 --order deep --html pages.html
  jmcheck load mixed --mix get-user=5,register=1,list-users=2 --stairs 100:400:100 --duration 40s
  jmcheck load overload --ramp 100/1s:5000/1s --duration 20s --embedded-max-inflight 4
  jmcheck load mixed --target http://127.0.0.1:8080 --appkey KEY --secret SECRET \
      --rate 500/1s --duration 1m --output results.bin --summary-json summary.json \
      --metrics-addr 127.0.0.1:9464 --threshold 'errors<0.1%' --threshold 'GET /v1/users/{username}: p99<50ms'
  vegeta report results.bin && jmcheck report results.bin --type html --output report.html
  jmcheck load mixed --target http://127.0.0.1:8080 --appkey KEY --secret SECRET --run-id jdemo1 \
      --shard 1/3 --rate 300/1s --duration 1m --output shard-{shard}.gob \
      --metrics-addr 127.0.0.1:9465 --metrics-linger 5s
`)
}

// minSentRatio turns --min-sent's percentage into load.Config's share:
// 0 turns the check off (a negative share), out of range stays out of range
// for load.Run to refuse.
func minSentRatio(percent float64) float64 {
	if percent == 0 {
		return -1
	}
	return percent / 100
}
