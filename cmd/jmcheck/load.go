package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/exitcode"
	"jmcheck/internal/embedded"
	"jmcheck/load"
	"jmcheck/load/metrics"
	"jmcheck/load/pace"
	"jmcheck/load/results"
	"jmcheck/load/stats"
	"jmcheck/reports"
	"jmcheck/spec"
	"jmcheck/target"
)

// thresholdFlags collects repeated --threshold flags, parsed as they come
// so that a bad one is a usage error before anything runs.
type thresholdFlags []stats.Threshold

func (t *thresholdFlags) String() string { return "" }
func (t *thresholdFlags) Type() string   { return "EXPR" }

func (t *thresholdFlags) Set(s string) error {
	th, err := stats.ParseThreshold(s)
	if err != nil {
		return err
	}
	*t = append(*t, th)
	return nil
}

// loadOpts are the flags of jmcheck load, as vegeta's attackOpts are.
type loadOpts struct {
	tf                      targetFlags
	rate, ramp, stairs      string
	duration                time.Duration
	maxRequests             uint64
	workers, maxWorkers     uint64
	timeout                 time.Duration
	transport               string
	batch, seed, count      int
	oversize                float64
	order, mix              string
	allowShed               bool
	checkHistory            bool
	historyDir              string
	output, format          string
	summaryJSON, html       string
	metricsAddr             string
	linger                  time.Duration
	shard                   string
	pushgateway, pushJob    string
	runID                   string
	noCleanup, quiet        bool
	cleanupRate             float64
	cleanupTimeout          time.Duration
	minSent                 float64
	inflight                int
	cpuProfile              string
	cpus                    int
	thresholds              thresholdFlags
	fs                      *pflag.FlagSet
	profile, shardFrom      string
	resolvedShard           load.Shard
	resolvedPacing          pace.Pacing
	embeddedInflightDefault int
}

func (o *loadOpts) register(fs *pflag.FlagSet, sys system) {
	o.fs = fs
	o.tf.register(fs, sys)
	fs.StringVar(&o.rate, "rate", "", "constant `RATE` such as 200/1s, 12000/1m or 200 (per second)")
	fs.StringVar(&o.ramp, "ramp", "", "linear ramp `FROM:TO` over --duration, such as 10/1s:500/1s")
	fs.StringVar(&o.stairs, "stairs", "", "staircase: `FROM:TO:STEP` over --duration (such as 100:500:100), or RATE@HOLD,… (such as 100@10s,200@10s,400@20s; --duration then defaults to the holds' sum)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long the attack runs")
	fs.Uint64Var(&o.maxRequests, "max-requests", 0, "stop after `N` requests (0: no cap; the run still stops at --duration)")
	fs.Uint64Var(&o.workers, "workers", vegeta.DefaultWorkers, "initial number of vegeta workers")
	fs.Uint64Var(&o.maxWorkers, "max-workers", 0, "cap on vegeta workers (0: unlimited, the only setting where latencies are not understated under slow answers)")
	fs.DurationVar(&o.timeout, "timeout", load.DefaultTimeout, "per-request timeout: no complete answer in time is a timeout failure")
	fs.StringVar(&o.transport, "transport", load.TransportFast, "HTTP client of the attack: fast (lean HTTP/1.1, checks in place) or std (net/http)")
	fs.IntVar(&o.batch, "batch", 0, "users per register request, 1..500 (default: 500 for register-batch, 1 in mixed)")
	fs.Float64Var(&o.oversize, "oversize-ratio", 0, "register-batch: share `R` (0..1) of requests that carry 501 users and must answer 403 "+spec.CodeBatchTooLarge.String())
	fs.IntVar(&o.seed, "seed", 0, "paginate-users/-groups: users/groups to seed (default 5000/1000); mixed, overload: size of the user pool (default 100)")
	fs.StringVar(&o.order, "order", load.OrderSequential, "paginate: page order, sequential (tiling checked), random or deep (the last tenth of the list)")
	fs.IntVar(&o.count, "count", 500, "paginate: page size, 1..500")
	fs.StringVar(&o.mix, "mix", "", "mixed, overload: operation weights such as get-user=5,register=1 (replaces the default mix; see the list below)")
	fs.BoolVar(&o.checkHistory, "check-history", false, fmt.Sprintf("mixed, overload: record every answer with its call and return time and check, after the attack, that one order of the requests explains them all under the model of spec/PROFILE.md (linearizability; up to %d answers per user or group, %d MiB, %s of checking)", load.HistoryPerKey, load.HistoryMemory>>20, load.HistoryCheckTimeout))
	fs.StringVar(&o.historyDir, "history-dir", "", "with --check-history: write a violation into `DIR` ("+load.HistoryText+" in words, "+load.HistoryHTML+" the checker's visualization)")
	fs.BoolVar(&o.allowShed, "allow-shed", false, "count 503 "+spec.CodeBusy.String()+" with Retry-After as expected in any profile (always on in overload)")
	fs.StringVar(&o.output, "output", "", "stream vegeta-compatible results to `FILE` as they come (vegeta report / vegeta plot / jmcheck report read it)")
	fs.StringVar(&o.format, "format", results.FormatGob, "format of --output: gob, json or csv")
	deprecatedAlias(fs, "output-format", "format")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "write the summary as JSON to `FILE`")
	fs.StringVar(&o.html, "html", "", "write the HTML report to `FILE` as well")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on `ADDR` (such as 127.0.0.1:9464) at /metrics during the run")
	fs.DurationVar(&o.linger, "metrics-linger", 0, "keep serving --metrics-addr this long after the run ends, so that Prometheus scrapes the final values (use twice the scrape interval, such as 30s on Kubernetes; Ctrl-C or SIGTERM ends it early)")
	fs.StringVar(&o.shard, "shard", "", "run as shard `i/n` of a distributed run: 1/n of the rate, --max-requests and --seed, names of its own (default: env JOB_COMPLETION_INDEX / JOB_COMPLETIONS of a Kubernetes Indexed Job)")
	fs.StringVar(&o.pushgateway, "pushgateway", "", "push the metrics once at the end to the Pushgateway at `URL` (checked before the run), grouped by job and run_id")
	fs.StringVar(&o.pushJob, "push-job", "jmcheck", "job name of the push")
	fs.StringVar(&o.runID, "run-id", sys.getenv(target.EnvRunID), "prefix of every name the run creates: a letter, then up to 15 letters or digits, or a UUID such as a Kubernetes Job's uid, which becomes j + its first 8 hex digits (env "+target.EnvRunID+"); default: a fresh random one. Give the shards of one run the same one")
	fs.BoolVar(&o.noCleanup, "no-cleanup", false, "leave what the run created in place (its names start with the run id)")
	fs.Float64Var(&o.cleanupRate, "cleanup-rate", 0, fmt.Sprintf("requests per second of verification and cleanup (0: %.0f on the embedded server, %.0f otherwise)", load.EmbeddedCleanupRate, load.DefaultCleanupRate))
	fs.DurationVar(&o.cleanupTimeout, "cleanup-timeout", load.DefaultCleanupTimeout, "bound on verification plus cleanup")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bars or phase lines on stderr")
	fs.Float64Var(&o.minSent, "min-sent", load.DefaultMinRateRatio*100, "`PERCENT` of the planned requests the generator must send, else the run fails (0: no check; lower it on a busy machine)")
	fs.IntVar(&o.inflight, "embedded-max-inflight", -1, "embedded server only: requests in flight past which it sheds with 503 "+spec.CodeBusy.String()+" (-1: the profile's default, 4 for overload, unlimited otherwise; 0: unlimited)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the generator to `FILE` (go tool pprof)")
	fs.IntVar(&o.cpus, "cpus", 0, "CPUs the generator uses (GOMAXPROCS); 0: one per 20000 requests/s of peak rate against a --target, all with the embedded server")
	fs.Var(&o.thresholds, "threshold", "gate the run with `EXPR`, repeatable: 'p99<250ms', 'errors<0.1%', 'rate>=99%', 'GET /v1/users/{username}: p99<50ms' (see above)")
}

// validate checks every flag before anything starts and resolves the
// pacing and the shard. Files are not created yet.
func (o *loadOpts) validate(sys system) (load.Config, error) {
	fs := o.fs
	switch {
	case o.profile == "":
		return load.Config{}, exitcode.Newf(exitcode.Usage, "load: no profile given: want one of %s; see 'jmcheck load --help'", strings.Join(load.ProfileNames(), ", "))
	case !load.Known(o.profile):
		return load.Config{}, exitcode.Newf(exitcode.Usage, "load: unknown profile %q: want one of %s", o.profile, strings.Join(load.ProfileNames(), ", "))
	case o.timeout <= 0:
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--timeout %s: want a positive duration such as 10s", o.timeout)
	case o.cleanupRate < 0:
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--cleanup-rate %v: want requests per second, or 0 for the default", o.cleanupRate)
	case o.cpus < 0:
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--cpus %d: want a number of CPUs, or 0 to size it from the rate", o.cpus)
	case o.minSent < 0 || o.minSent > 100:
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--min-sent %v: want a percentage from 0 (no check) to 100", o.minSent)
	case o.duration < 0:
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--duration %s is negative: give a positive duration such as 30s", o.duration)
	case o.linger < 0:
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--metrics-linger %s: must be 0 or more", o.linger)
	case o.linger > 0 && o.metricsAddr == "":
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--metrics-linger %s: it keeps --metrics-addr serving; give --metrics-addr too", o.linger)
	case o.inflight < -1:
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--embedded-max-inflight %d: want 0 (unlimited) or more, or -1 for the profile's default", o.inflight)
	case o.inflight >= 0 && set(fs, "embedded-max-inflight") && !o.tf.embedded():
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--embedded-max-inflight is for the embedded server; %s sheds as it is configured", o.tf.t.BaseURL)
	}
	// A zero given on purpose is not a default: --batch 0 would send 500.
	for _, name := range []string{"batch", "seed", "count"} {
		if f := fs.Lookup(name); f.Changed && f.Value.String() == "0" {
			return load.Config{}, exitcode.Newf(exitcode.Usage, "--%s 0: want a positive number (leave the flag out for the profile's default)", name)
		}
	}
	if err := o.tf.check(fs); err != nil {
		return load.Config{}, err
	}
	if _, err := results.NewEncoder(io.Discard, o.format); err != nil {
		return load.Config{}, exitcode.Newf(exitcode.Usage, "--format: %w", err)
	}
	opts := load.Options{Batch: o.batch, OversizeRatio: o.oversize, Seed: o.seed, Order: o.order, Count: o.count, AllowShed: o.allowShed,
		CheckHistory: o.checkHistory, HistoryDir: o.historyDir}
	if o.mix != "" {
		m, err := load.ParseMix(o.mix)
		if err != nil {
			return load.Config{}, exitcode.New(exitcode.Usage, err)
		}
		opts.Mix = m
	}
	if !set(fs, "duration") && strings.Contains(o.stairs, "@") {
		// Explicit stairs say how long they last: run them all.
		if total, ok := stairsTotal(o.stairs); ok {
			o.duration = total
		}
	}
	prof, _ := load.Lookup(o.profile)
	info := prof.Info()
	var err error
	if o.resolvedPacing, err = loadPacing(info, o.rate, o.ramp, o.stairs, o.duration, o.maxRequests); err != nil {
		return load.Config{}, exitcode.New(exitcode.Usage, err)
	}
	if o.runID, err = target.ParseRunID("--run-id (or "+target.EnvRunID+")", o.runID); err != nil {
		return load.Config{}, exitcode.New(exitcode.Usage, err)
	}
	if o.resolvedShard, o.shardFrom, err = loadShard(o.shard, sys.getenv); err != nil {
		return load.Config{}, exitcode.New(exitcode.Usage, err)
	}
	// {shard} in a file name stands for the shard index.
	for _, p := range []*string{&o.output, &o.summaryJSON, &o.html, &o.cpuProfile} {
		*p = load.ShardPath(*p, o.resolvedShard)
	}
	// Files written at the end, and the Pushgateway, are checked now: a
	// typo must not surface only after a long run.
	for _, f := range []struct{ flag, path string }{{"--summary-json", o.summaryJSON}, {"--html", o.html}, {"--output", o.output}, {"--cpuprofile", o.cpuProfile}} {
		if err := checkWritable(f.flag, f.path); err != nil {
			return load.Config{}, err
		}
	}
	if o.historyDir != "" {
		if err := os.MkdirAll(o.historyDir, 0o755); err != nil {
			return load.Config{}, exitcode.Newf(exitcode.Usage, "--history-dir %s: %v: pick a folder you may write to", o.historyDir, errors.Unwrap(err))
		}
	}
	if o.pushgateway != "" {
		if err := checkPushgateway(o.pushgateway); err != nil {
			return load.Config{}, err
		}
	}
	o.embeddedInflightDefault = info.EmbeddedMaxInflight
	cfg := load.Config{
		Profile: o.profile, Options: opts, Pacing: o.resolvedPacing, Shard: o.resolvedShard,
		Workers: o.workers, MaxWorkers: o.maxWorkers, Timeout: o.timeout, RunID: o.runID, Transport: o.transport,
		Thresholds: o.thresholds, NoCleanup: o.noCleanup, CleanupRate: o.cleanupRate, CleanupTimeout: o.cleanupTimeout,
		MinRateRatio: minSentRatio(o.minSent),
	}
	if err := load.CheckConfig(cfg); err != nil {
		return load.Config{}, exitcode.New(exitcode.Usage, err)
	}
	return cfg, nil
}

var loadHelp = help{
	usage: "jmcheck load PROFILE [flags]",
	about: `Runs a load profile on vegeta's open-model attack engine and checks every
answer against profile v1-2015 (spec/PROFILE.md). With no --target it runs
against the embedded reference server. After the attack it verifies that every
user a 201 reported created exists, then deletes everything the run created
(also on Ctrl-C; a second Ctrl-C abandons the cleanup; on the throw-away
embedded server the cleanup is skipped). Exit 0 pass, 1 failed checks,
crossed thresholds or a generator under 95% of its target rate, 2 bad usage,
3 target unusable (the preflight fails, or no request gets an answer for 5s,
or 8 in a row of seeding, verification or cleanup do).`,
	examples: `  jmcheck load register-batch --rate 20/1s --duration 30s --oversize-ratio 0.1
  jmcheck load paginate-users --seed 20000 --order sequential --rate 50/1s --threshold 'p99<250ms'
  jmcheck load paginate-groups --seed 2000 --order deep --html pages.html
  jmcheck load mixed --mix get-user=5,register=1,list-users=2 --stairs 100:400:100 --duration 40s
  jmcheck load overload --ramp 100/1s:5000/1s --duration 20s --embedded-max-inflight 4
  jmcheck load mixed --check-history --rate 200/1s --duration 20s --history-dir out/
  jmcheck load mixed --target http://127.0.0.1:8080 --appkey KEY --secret SECRET \
      --rate 500/1s --duration 1m --output results.bin --summary-json summary.json \
      --metrics-addr 127.0.0.1:9464 --threshold 'errors<0.1%' --threshold 'GET /v1/users/{username}: p99<50ms'
  vegeta report results.bin && jmcheck report results.bin --format html --output report.html
  jmcheck load mixed --target http://127.0.0.1:8080 --appkey KEY --secret SECRET --run-id jdemo1 \
      --shard 1/3 --rate 300/1s --duration 1m --output shard-{shard}.gob \
      --metrics-addr 127.0.0.1:9465 --metrics-linger 5s`,
}

func init() { loadHelp.about += "\n\n" + loadProfilesHelp() }

// loadProfilesHelp lists the profiles, the mix's operations and the
// threshold syntax.
func loadProfilesHelp() string {
	var b strings.Builder
	b.WriteString("Profiles:\n")
	for _, p := range load.Profiles() {
		fmt.Fprintf(&b, "  %-16s %s\n  %-16s default: %s\n", p.Name, p.Summary, "", p.Pacing())
	}
	b.WriteString("\nOperations of --mix (mixed's default weights in brackets):\n")
	for _, m := range load.MixOps() {
		fmt.Fprintf(&b, "  %-13s [%2d] %s\n", m.Name, m.Weight, m.What)
	}
	b.WriteString(`
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
  run for the last scrape. jmcheck report merges the shards' result files.`)
	return b.String()
}

func runLoad(ctx context.Context, sys system, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("load", stdout, loadHelp)
	var o loadOpts
	o.register(fs, sys)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	o.profile = fs.Arg(0)
	cfg, err := o.validate(sys)
	if err != nil {
		return err
	}
	return o.run(ctx, sys, cfg, stdout, stderr)
}

// run starts what the run needs (files, the target, metrics), runs it and
// writes its reports.
func (o *loadOpts) run(ctx context.Context, sys system, cfg load.Config, stdout, stderr io.Writer) error {
	m, err := metrics.New(o.profile, prometheus.Labels{"shard": o.resolvedShard.Label()})
	if err != nil {
		return err
	}
	cfg.Metrics = m
	cfg.Report = stderr
	if !o.quiet {
		cfg.Progress, cfg.Log = stderr, stderr
	}
	if o.resolvedShard.Sharded() && !o.quiet {
		fmt.Fprintf(stderr, "shard %s (%s): 1/%d of the rate and of --seed\n", o.resolvedShard, o.shardFrom, o.resolvedShard.Count)
	}
	inflight := o.inflight
	if inflight < 0 {
		inflight = o.embeddedInflightDefault
	}
	t, stop, err := o.tf.open(ctx, embedded.Options{MaxInflight: inflight})
	if err != nil {
		return err
	}
	defer stop()
	cfg.Target = t
	// Fewer Ps means fewer cross-thread wakeups per request: a generator
	// that needs one core runs cheaper on one. The embedded server shares
	// the process, so it keeps every CPU.
	procs := o.cpus
	if procs <= 0 {
		procs = generatorProcs(o.resolvedPacing.PeakRate(), t.Embedded)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))

	var resultsFile *os.File
	var resultsBuf *bufio.Writer
	if o.output != "" {
		if resultsFile, err = createFile("--output", o.output); err != nil {
			return err
		}
		defer resultsFile.Close() // closed after the run; this is for early returns
		resultsBuf = bufio.NewWriterSize(resultsFile, 256<<10)
		cfg.Results, _ = results.NewEncoder(resultsBuf, o.format)
		cfg.Flush = resultsBuf.Flush
	}
	if o.metricsAddr != "" {
		srv, addr, err := serveMetrics(o.metricsAddr, m.Handler())
		if err != nil {
			return exitcode.Newf(exitcode.Usage, "--metrics-addr %s: %w", o.metricsAddr, err)
		}
		// Runs after the summary is written, whatever the verdict: the
		// last scrape must see the final counts.
		defer func() {
			if o.linger > 0 {
				if !o.quiet {
					fmt.Fprintf(stderr, "serving metrics on http://%s/metrics for %s more (--metrics-linger)\n", addr, o.linger)
				}
				t := time.NewTimer(o.linger)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
			}
			srv.Close()
		}()
		if !o.quiet {
			fmt.Fprintf(stderr, "metrics on http://%s/metrics\n", addr)
		}
	}
	// A second interrupt abandons verification and cleanup.
	post, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	second, release := secondInterrupt(ctx, sys, stderr, "second interrupt: abandoning verification and cleanup")
	defer release()
	go func() {
		select {
		case <-second:
			abandon()
		case <-post.Done():
		}
	}()
	cfg.PostContext = post
	if o.cpuProfile != "" {
		f, err := createFile("--cpuprofile", o.cpuProfile)
		if err != nil {
			return err
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
			runErr = exitcode.Newf(exitcode.Failed, "--output %s: %w", o.output, err)
		}
	}
	if sum == nil {
		return runErr
	}
	return o.report(ctx, sum, m, runErr, stdout)
}

// report pushes the metrics and writes the summary and its files.
func (o *loadOpts) report(ctx context.Context, sum *stats.Summary, m *metrics.Metrics, runErr error, stdout io.Writer) error {
	if o.pushgateway != "" {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := m.Push(pctx, o.pushgateway, o.pushJob, o.resolvedShard.RunID(sum.RunID), nil)
		cancel()
		if err != nil {
			sum.Problems = append(sum.Problems, err.Error())
			sum.Pass = false
		}
	}
	if err := reports.WriteLoadText(stdout, sum); err != nil {
		return err
	}
	if o.summaryJSON != "" {
		if err := writeFileWith(o.summaryJSON, sum, reports.WriteLoadJSON); err != nil {
			return err
		}
	}
	if o.html != "" {
		if err := writeFileWith(o.html, sum, reports.WriteLoadHTML); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	if !sum.Pass {
		return exitcode.Newf(exitcode.Failed, "load %s failed: %s", o.profile, sum.Problems[0])
	}
	return nil
}

// checkPushgateway checks a --pushgateway before the run: a URL, and a
// gateway that answers its health check.
func checkPushgateway(raw string) error {
	full := raw
	if !strings.Contains(full, "://") {
		full = "http://" + full // as push.New reads it
	}
	u, err := url.Parse(full)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return exitcode.Newf(exitcode.Usage, "--pushgateway %q: want the Pushgateway's URL, such as http://127.0.0.1:9091", raw)
	}
	c := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(strings.TrimRight(full, "/") + "/-/healthy")
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "--pushgateway %s does not answer (%v): is it up? (checked before the run, so that the push at its end does not fail)", raw, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return exitcode.Newf(exitcode.Usage, "--pushgateway %s: its health check GET /-/healthy answered %d: is it a Pushgateway?", raw, resp.StatusCode)
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

// stairsTotal is the sum of the holds of explicit stairs (RATE@HOLD,…);
// ok is false when one does not parse, which loadPacing then reports.
func stairsTotal(stairs string) (time.Duration, bool) {
	sp, err := pace.ParseStairs(stairs, 0)
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
func loadPacing(info load.Info, rate, ramp, stairs string, d time.Duration, maxRequests uint64) (pace.Pacing, error) {
	given := 0
	for _, s := range []string{rate, ramp, stairs} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return pace.Pacing{}, errors.New("give one of --rate, --ramp and --stairs")
	}
	if given == 0 {
		rate, ramp = info.Rate, info.Ramp
	}
	p := pace.Pacing{Duration: d, MaxRequests: maxRequests}
	var err error
	switch {
	case rate != "":
		var r vegeta.Rate
		r, err = pace.ParseRate(rate)
		p.Pacer = r
	case ramp != "":
		p.Pacer, err = pace.ParseRamp(ramp, d)
	default:
		p.Pacer, err = pace.ParseStairs(stairs, d)
	}
	if err != nil {
		return pace.Pacing{}, err
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
		return exitcode.Newf(exitcode.Usage, "write %s: %w", path, err)
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

// minSentRatio turns --min-sent's percentage into load.Config's share:
// 0 turns the check off (a negative share).
func minSentRatio(percent float64) float64 {
	if percent == 0 {
		return -1
	}
	return percent / 100
}
